"""Pcap4J's GetNextPacket sample in Python: print COUNT packets with get_next_packet(), None meaning "again".

    python examples/get_next_packet.py [--if NAME] [-c COUNT] [--timeout-ms MS] [--buffer-size BYTES]
                                       [--nano] [FILTER...]

It lists the interface's addresses, opens it with a PcapHandle.Builder, and prints each packet's time
and its layered dump; a read timeout comes back as None and the loop asks again. The statistics close
the output.
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
    parser.add_argument("--buffer-size", type=int, default=1024 * 1024)
    parser.add_argument("--nano", action="store_true", help="nanosecond timestamps")
    parser.add_argument("filter", nargs="*")
    args = parser.parse_args(argv)

    nif = pycapture.pick_auto()[0] if args.interface == "auto" else pycapture.get_dev_by_name(args.interface)
    print(f"{nif.name} ({nif.description})")
    for address in nif.addresses:
        if address.address is not None:
            print(f"IP address: {address.address}")
    print()

    builder = (
        pycapture.PcapHandle.Builder(nif.name)
        .snaplen(args.snaplen)
        .promiscuous(True)
        .timeout_ms(args.timeout_ms)
        .buffer_size(args.buffer_size)
    )
    if args.nano:
        builder.timestamp_precision(pycapture.TimestampPrecision.NANO)
    with builder.build() as handle:
        handle.set_filter(" ".join(args.filter))
        print(f"listening on {nif.name}", file=sys.stderr, flush=True)
        num = 0
        while num < args.count:
            packet = handle.get_next_packet()
            if packet is None:
                continue
            print(packet.timestamp if args.nano else packet.datetime.isoformat())
            print(packet, flush=True)
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
