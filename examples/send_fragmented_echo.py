"""Pcap4J's SendFragmentedEcho sample in Python: send pings too large for the MTU, in IPv4 fragments.

    python examples/send_fragmented_echo.py SRC_IP SRC_MAC DST_IP DST_MAC [--if NAME] [-c COUNT]
                                            [--tu BYTES] [--mtu BYTES]

Each echo request is a TU-byte IPv4 packet (4000, DF clear) that craft.fragment() splits into
fragments of at most MTU bytes (1403, as in Pcap4J: fragments of 1396, 1396 and 1248 bytes); they
go out through send_packet() as Ethernet frames, while a second handle prints every ICMP packet sent
to SRC_MAC (the replies, fragmented again by the answering host when they exceed its MTU).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

import pycapture
from pycapture import craft

_IP_AND_ICMP_HEADERS = 28


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src_ip")
    parser.add_argument("src_mac")
    parser.add_argument("dst_ip")
    parser.add_argument("dst_mac")
    parser.add_argument("--if", dest="interface", default="auto", help="interface name, or 'auto'")
    parser.add_argument("-c", "--count", type=int, default=3)
    parser.add_argument("--tu", type=int, default=4000, help="each echo request's IPv4 length")
    parser.add_argument("--mtu", type=int, default=1403)
    parser.add_argument("--fragment-gap", type=float, default=0.1, help="seconds between fragments")
    parser.add_argument("--echo-gap", type=float, default=1.0, help="seconds after each echo request")
    parser.add_argument("--timeout-ms", type=int, default=10)
    parser.add_argument("--snaplen", type=int, default=65536)
    args = parser.parse_args(argv)
    if args.tu < _IP_AND_ICMP_HEADERS:
        parser.error(f"--tu must be at least {_IP_AND_ICMP_HEADERS}, the IPv4 and ICMP headers")

    nif = pycapture.pick_auto()[0] if args.interface == "auto" else pycapture.get_dev_by_name(args.interface)
    print(f"{nif.name} ({nif.description})")

    builder = pycapture.PcapHandle.Builder(nif.name).snaplen(args.snaplen).promiscuous(True)
    handle = builder.timeout_ms(args.timeout_ms).immediate(True).build()
    send_handle = nif.open_live(args.snaplen, promiscuous=True, timeout_ms=args.timeout_ms)
    with handle, send_handle:
        handle.set_filter(f"icmp and ether dst {args.src_mac}")
        task = threading.Thread(target=handle.loop, args=(-1, lambda packet: print(packet, flush=True)))
        task.start()
        print(f"listening on {nif.name}", file=sys.stderr, flush=True)
        try:
            echo_data = bytes(i & 0xFF for i in range(args.tu - _IP_AND_ICMP_HEADERS))
            for i in range(args.count):
                echo = craft.icmp_echo(
                    args.src_ip, args.dst_ip, 1, i, echo_data, ttl=100, ip_ident=i, dont_fragment=False
                )
                for fragment in craft.fragment(echo, args.mtu):
                    send_handle.send_packet(craft.over_ethernet(fragment, args.dst_mac, args.src_mac))
                    time.sleep(args.fragment_gap)
                time.sleep(args.echo_gap)
        finally:
            handle.break_loop()
            task.join()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
