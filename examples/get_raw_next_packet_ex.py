"""Pcap4J's GetRawNextPacketEx sample in Python: print COUNT packets as hex, with get_next_packet_ex().

    python examples/get_raw_next_packet_ex.py [--if NAME] [-c COUNT] [--timeout-ms MS] [FILTER...]

A read timeout raises PcapTimeoutError, which only means "try again". The packet's ``raw`` is the
captured bytes; nothing is decoded unless a layer is asked for.
"""

from __future__ import annotations

import argparse
import sys

import pycapture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if", dest="interface", default="auto", help="interface name, or 'auto'")
    parser.add_argument("-c", "--count", type=int, default=5)
    parser.add_argument("--timeout-ms", type=int, default=10)
    parser.add_argument("--snaplen", type=int, default=65536)
    parser.add_argument("filter", nargs="*")
    args = parser.parse_args(argv)

    nif = pycapture.pick_auto()[0] if args.interface == "auto" else pycapture.get_dev_by_name(args.interface)
    print(f"{nif.name} ({nif.description})")

    with nif.open_live(args.snaplen, promiscuous=True, timeout_ms=args.timeout_ms) as handle:
        handle.set_filter(" ".join(args.filter))
        print(f"listening on {nif.name}", file=sys.stderr, flush=True)
        num = 0
        while num < args.count:
            try:
                packet = handle.get_next_packet_ex()
            except pycapture.PcapTimeoutError:
                continue
            print(packet.datetime.isoformat())
            print(packet.raw.hex(" "), flush=True)
            num += 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
