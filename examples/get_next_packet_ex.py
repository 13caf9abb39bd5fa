"""Pcap4J's GetNextPacketEx sample in Python: print COUNT packets from an interface, layer by layer.

    python examples/get_next_packet_ex.py [--if NAME] [-c COUNT] [--timeout-ms MS] [FILTER...]

Each packet is printed as Pcap4J's dump; a read timeout just means "try again", so a quiet
interface never hangs the loop, and the statistics are printed at the end.
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
    parser.add_argument("--max-timeouts", type=int, default=0, help="give up after N timeouts in a row")
    parser.add_argument("filter", nargs="*")
    args = parser.parse_args(argv)

    if args.interface == "auto":
        nif, reason = pycapture.pick_auto()
        print(f"capturing on {nif.name} ({reason})", file=sys.stderr)
    else:
        nif = pycapture.get_dev_by_name(args.interface)

    with nif.open_live(args.snaplen, promiscuous=True, timeout_ms=args.timeout_ms) as handle:
        if args.filter:
            handle.set_filter(" ".join(args.filter))
        print(f"listening on {nif.name}", file=sys.stderr, flush=True)
        num = timeouts = 0
        while num < args.count:
            try:
                packet = handle.get_next_packet_ex()
            except pycapture.PcapTimeoutError:
                timeouts += 1
                if args.max_timeouts and timeouts >= args.max_timeouts:
                    break
                continue
            timeouts = 0
            print(packet, flush=True)  # the dump ends with a newline: a blank line between packets
            num += 1
        stats = handle.get_stats()
        print(f"ps_recv: {stats.received}")
        print(f"ps_drop: {stats.dropped}")
        print(f"ps_ifdrop: {stats.dropped_by_if}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
