"""The lean decoder's share of a few protocols above the link layer (text: output/tcpdump/misc_protocols.py).

GeoNetworking, CALM FAST and TIPC come by Ethernet type as ``("ethproto", printer, data, length)`` layers
(lean_ether.py's ``ETHER_PRINTERS`` takes ``MISC_ETHER_PRINTERS``); MPLS over UDP (port 6635) and NSH
over VXLAN-GPE are followed by the layers of what they carry.
"""

from __future__ import annotations

from ..protocols.numbers import TCPDUMP_ETHERTYPE_NAMES
from .lean_layers import Layers

_BY_NAME = {name: number for number, name in TCPDUMP_ETHERTYPE_NAMES.items()}

MISC_ETHER_PRINTERS: dict[int, str] = {
    _BY_NAME["GeoNet"]: "geonet",
    _BY_NAME["GeoNet (old)"]: "geonet",
    _BY_NAME["CALM FAST"]: "calm-fast",
    _BY_NAME["TIPC"]: "tipc",
}
"""The Ethernet types of these printers (print-ether.c's ethertype_print hands them their payload)."""

GPE_NSH = 4  # VXLAN-GPE's next protocol for a Network Service Header
_GRE_ISO = 0x00FE  # print-gre.c's ETHERTYPE_GRE_ISO: OSI network layer PDUs, not an EtherType
GRE_CARRIED = {
    (0, _BY_NAME["MPLS unicast"]): "mpls",
    (0, _GRE_ISO): "osi",
    (0, _BY_NAME["TEB"]): "eth",
    (1, _BY_NAME["PPP"]): "ppp",
}
"""What print-gre.c hands on besides IP, by GRE version and protocol: MPLS, OSI (IS-IS, ES-IS, CLNP) and
Ethernet frames in GREv0, PPTP's PPP frames in GREv1."""


def misc_udp_inner(name: str, payload: bytes, length: int, layers: Layers) -> None:
    """Append the layers of what UDP application ``name`` carries: MPLS's label stack and the packet
    under it, or the NSH header (and its packet) after an 8-byte VXLAN-GPE header."""
    if name == "mpls":
        from .lean_links import mpls  # lean imports lean_udp, which imports this module

        mpls(payload, 0, length, layers)
    elif name == "vxlan-gpe" and len(payload) >= 8 and length >= 8 and payload[3] == GPE_NSH:
        from .lean import _ethertype
        from .lean_ether import ether_protocol

        ether_protocol(payload, 8, length - 8, _BY_NAME["NSH"], layers, _ethertype)


def gre_carried(
    data: bytes, offset: int, at: int, length: int, version: int, fields: str, proto: int, layers: Layers
) -> bool:
    """Append a GRE header's layer (``length`` bytes at ``offset``, its payload at ``at``) and those of
    the MPLS, OSI, Ethernet or PPP packet it carries; False (nothing appended) for another protocol."""
    kind = GRE_CARRIED.get((version, proto))
    if kind is None:
        return False
    from . import lean_links  # lean imports this module's users

    layers.append(("gre", version, fields, proto, True, False))
    packet, rest = data[: offset + length], length - (at - offset)
    if kind == "mpls":
        lean_links.mpls(packet, at, rest, layers)
    elif kind == "osi":
        lean_links.osi(packet, at, rest, layers)
    elif kind == "ppp":
        lean_links.ppp(packet, at, rest, layers)
    else:
        from .lean import decode

        layers.extend(decode(1, bytes(packet[at:]), rest))
    return True


IP_MISC = frozenset((1, 2, 8, 55, 59, 77))
"""The IP protocols print-ip-demux.c prints this way: EGP, Mobile IP, no next header, Sun ND, and ICMP
and IGMP, which it refuses over IPv6."""
_IPV4_ONLY = frozenset((1, 2))


def misc_ip_payload(data: bytes, offset: int, proto: int, length: int, layers: Layers) -> bool:
    """Append an ``ip-misc`` layer for an IP payload of protocol ``proto`` (``length`` bytes at
    ``offset``) when it is one of ``IP_MISC``; False otherwise (IPv6's own layer says no next header,
    IPv4's ICMP and IGMP have theirs)."""
    over_ipv6 = next((layer[0] for layer in reversed(layers) if layer[0] in ("ip", "ip6")), "") == "ip6"
    if proto not in IP_MISC or (proto == 59 and over_ipv6) or (proto in _IPV4_ONLY and not over_ipv6):
        return False
    layers.append(("ip-misc", proto, bytes(data[offset : offset + max(length, 0)]), length))
    return True
