"""pycapture.output.tcpdump."""
