"""Pcap4J's SendArpRequest sample in Python: ask who has TARGET_IP, and print the MAC that answers.

    python examples/send_arp_request.py IFACE TARGET_IP [--timeout 2]

Run it as root (or with CAP_NET_RAW) on an Ethernet interface with an IPv4 address. It sends the
ARP request with send_packet() and waits for the reply with a filter and get_next_packet_ex().
"""

from __future__ import annotations

import argparse
import socket
import sys
import time

import pycapture
from pycapture import craft


def resolve(interface: str, target_ip: str, timeout: float = 2.0) -> str | None:
    """The MAC address that answers an ARP request for ``target_ip`` on ``interface``, or None."""
    nif = pycapture.get_dev_by_name(interface)
    my_mac = nif.link_layer_addresses[0]
    my_ip = next(a.address for a in nif.addresses if a.family == socket.AF_INET)
    builder = pycapture.PcapHandle.Builder(interface).snaplen(65536).timeout_ms(10).immediate(True)
    with builder.build() as handle:
        handle.set_filter(f"arp and src host {target_ip} and dst host {my_ip} and ether dst {my_mac}")
        handle.send_packet(craft.arp_request(my_mac, my_ip, target_ip))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                packet = handle.get_next_packet_ex()
            except pycapture.PcapTimeoutError:
                continue
            arp = packet.get("arp")
            if arp is not None and arp.get("opcode") == 2:
                return arp.get("src.hw_mac")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("interface")
    parser.add_argument("target_ip")
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args(argv)
    mac = resolve(args.interface, args.target_ip, args.timeout)
    if mac is None:
        print(f"no ARP reply from {args.target_ip} on {args.interface}", file=sys.stderr)
        return 1
    print(f"{args.target_ip} was resolved to {mac}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
