"""pycapture.capture."""
