"""The optional C part of pycapture: everything else is in pyproject.toml.

``pycapture.output.tcpdump._fastline`` prints the commonest summary lines in C. It is optional: where it
cannot be compiled (no C compiler, no Python headers) the install goes on and pycapture prints in Python.
``pycapture.replay._burst`` sends a replay's packets in batches (Linux's sendmmsg); without it a replay
sends through libpcap, one packet at a time. ``pycapture.capture._spool`` writes a live capture's
packets to a pcap file from libpcap's callback (-w); without it they are written from Python.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "pycapture.output.tcpdump._fastline",
            sources=["src/pycapture/output/tcpdump/_fastline.c"],
            depends=[
                "src/pycapture/output/tcpdump/_richapps.h",
                "src/pycapture/output/tcpdump/_jsonsink.h",
                "src/pycapture/output/tcpdump/_tablesink.h",
            ],
            optional=True,
        ),
        Extension("pycapture.replay._burst", sources=["src/pycapture/replay/_burst.c"], optional=True),
        Extension("pycapture.capture._spool", sources=["src/pycapture/capture/_spool.c"], optional=True),
    ]
)
