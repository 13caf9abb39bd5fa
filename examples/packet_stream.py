"""Pcap4J's PacketStream sample in Python: take COUNT packets from an interface and print the UDP ones.

    python examples/packet_stream.py [--if NAME] [-c COUNT] [FILTER...]

Pcap4J writes ``handle.stream().limit(COUNT).filter(Packets::containsUdpPacket).forEach(println)``;
in Python a handle is an iterable of packets, so ``islice`` limits it and the typed model filters it.
"""

from __future__ import annotations

import argparse
import sys
from itertools import islice

import pycapture
from pycapture.layers import UDP


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if", dest="interface", default="auto", help="interface name, or 'auto'")
    parser.add_argument("-c", "--count", type=int, default=5)
    parser.add_argument("--timeout-ms", type=int, default=10)
    parser.add_argument("--snaplen", type=int, default=65536)
    parser.add_argument("filter", nargs="*")
    args = parser.parse_args(argv)

    name = pycapture.pick_auto()[0].name if args.interface == "auto" else args.interface
    handle = (
        pycapture.PcapHandle.Builder(name)
        .snaplen(args.snaplen)
        .promiscuous(True)
        .timeout_ms(args.timeout_ms)
        .immediate(True)
        .build()
    )
    with handle:
        if args.filter:
            handle.set_filter(" ".join(args.filter))
        print(f"listening on {name}", file=sys.stderr, flush=True)
        for packet in islice(handle, args.count):
            if packet.contains(UDP):
                print(packet, flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
