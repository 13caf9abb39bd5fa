"""Pcap4J's PcapFileMerger sample in Python: append the packets of several pcap files to one file.

    python examples/pcap_file_merger.py FILE... [-w PcapFileMerger.pcap]

The output takes the link type, snapshot length and timestamp precision of the first file; each
packet keeps its own timestamp and original length. Unlike Pcap4J's sample, it refuses a file of
another link type, whose packets the output's header would describe wrongly.
"""

from __future__ import annotations

import argparse
import sys

import pycapture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("-w", "--write", default="PcapFileMerger.pcap", help="the pcap file to write")
    args = parser.parse_args(argv)

    dumper: pycapture.PcapDumper | None = None
    try:
        for path in args.files:
            with pycapture.open_offline(path) as handle:
                if dumper is None:
                    dumper = handle.dump_open(args.write)
                elif handle.datalink != dumper.linktype:
                    print(f"{path}: link type {handle.datalink}, not {dumper.linktype}", file=sys.stderr)
                    return 1
                while (packet := handle.get_next_packet()) is not None:
                    dumper.dump(packet)
        if dumper is not None:
            print(f"{dumper.count} packets written to {args.write}", file=sys.stderr)
    finally:
        if dumper is not None:
            dumper.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
