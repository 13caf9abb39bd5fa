"""pycapture.cli."""
