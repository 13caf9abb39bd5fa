"""Pcap4J's LoopRaw sample in Python: hand COUNT packets to a listener that prints their bytes in hex.

    python examples/loop_raw.py [--if NAME] [-c COUNT] [--timeout-ms MS] [FILTER...]

Pcap4J's RawPacketListener gets a byte array; a pycapture listener gets the packet, whose ``raw`` is
that array (decoding waits until a layer is asked for, so the raw path costs nothing more).
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
        if args.filter:
            handle.set_filter(" ".join(args.filter))
        print(f"listening on {nif.name}", file=sys.stderr, flush=True)

        def listener(packet: pycapture.PcapPacket) -> None:
            print(packet.datetime.isoformat())
            print(packet.raw.hex(" "), flush=True)

        handle.loop(args.count, listener)
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
