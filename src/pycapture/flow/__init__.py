"""pycapture.flow."""
