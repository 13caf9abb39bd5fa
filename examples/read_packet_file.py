"""Pcap4J's ReadPacketFile sample in Python: print every packet of a saved capture, layer by layer.

python examples/read_packet_file.py FILE [-c COUNT]
"""

from __future__ import annotations

import argparse
import sys

import pycapture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("-c", "--count", type=int, default=0, help="stop after COUNT packets (0: all)")
    args = parser.parse_args(argv)

    with pycapture.open_offline(args.file) as handle:
        num = 0
        while not args.count or num < args.count:
            try:
                packet = handle.get_next_packet_ex()
            except pycapture.PcapEOFError:
                break
            print(packet)  # the dump ends with a newline, so packets are a blank line apart
            num += 1
    print(f"{num} packets", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
