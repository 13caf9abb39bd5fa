"""pycapture.replay."""
