"""Pcap4J's DumpLoop sample in Python: hand COUNT packets straight to a dumper with handle.loop().

    python examples/dump_loop.py [--if NAME] [-c COUNT] [-w FILE] [FILTER...]

Pcap4J's PcapDumper is itself a packet listener; here the listener is the dumper's ``dump`` method.
"""

from __future__ import annotations

import argparse
import sys

import pycapture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if", dest="interface", default="auto", help="interface name, or 'auto'")
    parser.add_argument("-c", "--count", type=int, default=5)
    parser.add_argument("-w", "--write", default="DumpLoop.pcap", help="the pcap file to write")
    parser.add_argument("--timeout-ms", type=int, default=10)
    parser.add_argument("--snaplen", type=int, default=65536)
    parser.add_argument("filter", nargs="*")
    args = parser.parse_args(argv)

    nif = pycapture.pick_auto()[0] if args.interface == "auto" else pycapture.get_dev_by_name(args.interface)
    print(f"{nif.name} ({nif.description})")

    with nif.open_live(args.snaplen, promiscuous=True, timeout_ms=args.timeout_ms) as handle:
        handle.set_filter(" ".join(args.filter))
        print(f"listening on {nif.name}", file=sys.stderr, flush=True)
        with handle.dump_open(args.write) as dumper:
            handle.loop(args.count, dumper.dump)
            print(f"{dumper.count} packets written to {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
