"""pycapture.protocols."""
