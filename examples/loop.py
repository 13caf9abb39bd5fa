"""Pcap4J's Loop sample in Python: hand COUNT packets to a listener with handle.loop().

python examples/loop.py [--if NAME] [-c COUNT] [FILTER...]
"""

from __future__ import annotations

import argparse
import sys

import pycapture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if", dest="interface", default="auto")
    parser.add_argument("-c", "--count", type=int, default=5)
    parser.add_argument("filter", nargs="*")
    args = parser.parse_args(argv)

    name = pycapture.pick_auto()[0].name if args.interface == "auto" else args.interface
    handle = pycapture.PcapHandle.Builder(name).snaplen(65536).timeout_ms(10).immediate(True).build()
    with handle:
        if args.filter:
            handle.set_filter(" ".join(args.filter))
        print(f"listening on {name}", file=sys.stderr, flush=True)

        def listener(packet: pycapture.PcapPacket) -> None:
            print(f"{packet.datetime.isoformat()} {packet.summary()}", flush=True)

        n = handle.loop(args.count, listener)
        stats = handle.get_stats()
        print(f"{n} packets; ps_recv: {stats.received}, ps_drop: {stats.dropped}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
