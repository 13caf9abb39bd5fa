"""Pcap4J's IcmpV4ErrReplyer sample in Python: pose as ADDRESS and answer every ping with an ICMP error.

    python examples/icmp_v4_err_replyer.py ADDRESS TYPE CODE [--if NAME] [--mac fe:00:00:00:00:01]
                                           [--duration SECONDS]

TYPE is 3 (destination unreachable), 11 (time exceeded) or 12 (parameter problem). The sample answers
the ARP requests for ADDRESS with MAC, and every echo request sent to MAC with the error, which
carries the request's IP header and first 8 data bytes (craft.icmp_error). It runs until Enter, Ctrl-C
or SECONDS have passed.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
import threading
import time

import pycapture
from pycapture import craft

ERROR_TYPES = (3, 11, 12)
ICMP_ECHO_REQUEST = 8
ARP_REQUEST = 1
ETHERNET_HEADER = 14


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("address", type=ipaddress.IPv4Address)
    parser.add_argument("type", type=int, choices=ERROR_TYPES)
    parser.add_argument("code", type=int, choices=range(256), metavar="CODE")
    parser.add_argument("--if", dest="interface", default="auto", help="interface name, or 'auto'")
    parser.add_argument("--mac", default="fe:00:00:00:00:01", help="the MAC address to pose with")
    parser.add_argument("--duration", type=float, help="stop after this many seconds, not at Enter")
    args = parser.parse_args(argv)
    address = str(args.address)

    nif = pycapture.pick_auto()[0] if args.interface == "auto" else pycapture.get_dev_by_name(args.interface)
    print(f"{nif.name} ({nif.description})")

    capture = nif.open_live(65536, promiscuous=True, timeout_ms=10)
    sender = nif.open_live(65536, promiscuous=True, timeout_ms=10)

    def listener(packet: pycapture.PcapPacket) -> None:
        eth, icmp, arp = packet.get("eth"), packet.get("icmp"), packet.get("arp")
        if eth is None:
            return
        if icmp is not None and icmp.get("type") == ICMP_ECHO_REQUEST and packet.get("ip") is not None:
            try:
                invoking = packet.raw[ETHERNET_HEADER:]
                error = craft.icmp_error(args.type, args.code, invoking, ttl=100, ident=100)
            except ValueError as exc:  # a packet RFC 1122 says not to answer, or a damaged one
                print(f"no error sent: {exc}", file=sys.stderr)
                return
            sender.send_packet(craft.over_ethernet(error, eth.get("src"), eth.get("dst")))
            print(f"sent ICMP {args.type}/{args.code} to {packet.get('ip').get('src')}", flush=True)
        elif arp is not None and arp.get("opcode") == ARP_REQUEST and arp.get("dst.proto_ipv4") == address:
            asker_mac, asker_ip = arp.get("src.hw_mac"), arp.get("src.proto_ipv4")
            sender.send_packet(craft.arp_reply(args.mac, address, asker_mac, asker_ip))
            print(f"told {asker_ip} that {address} is at {args.mac}", flush=True)

    with capture, sender:
        capture.set_filter(f"(ether dst {args.mac}) or (arp and ether dst {craft.BROADCAST_MAC})")
        task = threading.Thread(target=capture.loop, args=(-1, listener))
        task.start()
        print(f"listening on {nif.name}", file=sys.stderr, flush=True)
        try:
            if args.duration is None:
                print("** Hit Enter key to stop simulation **", flush=True)
                sys.stdin.readline()
            else:
                time.sleep(args.duration)
        except KeyboardInterrupt:
            pass
        finally:
            capture.break_loop()
            task.join()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
