"""Pcap4J's DefragmentEcho sample in Python: reassemble the IPv4 fragments of a capture and print them.

    python examples/defragment_echo.py FILE [-w OUT.pcap]

The fragments are grouped by datagram (source, destination, protocol and identification, RFC 791's
key), craft.defragment() joins each group, and the first fragment's frame, its IPv4 packet replaced
by the whole datagram, is printed as Pcap4J's dump (and written to OUT.pcap if asked).
"""

from __future__ import annotations

import argparse
import sys

import pycapture
from pycapture import craft


def _ip_offset(packet: pycapture.PcapPacket) -> int:
    """Where the IPv4 header starts in the frame: after the layers before it."""
    offset = 0
    for layer in packet.layers:
        if layer.name == "ip":
            return offset
        offset += layer.length
    raise ValueError("no IPv4 header")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("-w", "--write", help="also write the reassembled frames to this pcap file")
    args = parser.parse_args(argv)

    datagrams: dict[tuple[object, ...], list[bytes]] = {}
    first_packets: dict[tuple[object, ...], tuple[pycapture.PcapPacket, int]] = {}
    with pycapture.open_offline(args.file) as handle:
        while True:
            try:
                packet = handle.get_next_packet_ex()
            except pycapture.PcapEOFError:
                break
            ip = packet.get("ip")
            if ip is None:
                continue
            key = (ip.get("src"), ip.get("dst"), ip.get("proto"), ip.get("id"))
            offset = _ip_offset(packet)
            datagrams.setdefault(key, []).append(packet.raw[offset:])
            first_packets.setdefault(key, (packet, offset))
        dumper = handle.dump_open(args.write) if args.write else None

    failed = 0
    try:
        for key, fragments in datagrams.items():
            try:
                datagram = craft.defragment(fragments)
            except ValueError as exc:
                print(f"datagram {key}: {exc}", file=sys.stderr)
                failed += 1
                continue
            first, offset = first_packets[key]
            frame = first.raw[:offset] + datagram
            rebuilt = pycapture.PcapPacket(
                frame, first.ts_sec, first.ts_frac, len(frame), first.linktype, nanosecond=first.nanosecond
            )
            print(rebuilt)
            if dumper is not None:
                dumper.dump(rebuilt)
    finally:
        if dumper is not None:
            dumper.close()
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
