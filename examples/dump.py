"""Pcap4J's Dump sample in Python: write COUNT packets from an interface to a pcap file.

python examples/dump.py OUT.pcap [--if NAME] [-c COUNT] [FILTER...]
"""

from __future__ import annotations

import argparse
import sys

import pycapture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--if", dest="interface", default="auto")
    parser.add_argument("-c", "--count", type=int, default=5)
    parser.add_argument("filter", nargs="*")
    args = parser.parse_intermixed_args(argv)

    name = pycapture.pick_auto()[0].name if args.interface == "auto" else args.interface
    with pycapture.open_live(name, snaplen=65536, timeout_ms=10) as handle:
        if args.filter:
            handle.set_filter(" ".join(args.filter))
        print(f"listening on {name}", file=sys.stderr, flush=True)
        with handle.dump_open(args.out) as dumper:
            n = handle.loop(args.count, dumper.dump)
            print(f"{n} packets, {dumper.ftell()} bytes written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
