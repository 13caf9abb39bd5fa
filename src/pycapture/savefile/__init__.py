"""pycapture.savefile."""
