"""Community ID v1 (https://github.com/corelight/community-id-spec), implemented from the spec with hashlib.

The hash is SHA-1 over: the seed (2 bytes, network order), the two addresses in network order, the IP
protocol (1 byte), a zero pad byte, then for a protocol with ports the two ports (2 bytes each). The
endpoints are ordered so that the smaller address (then the smaller port) comes first, which gives both
directions of a flow one ID. ICMP and ICMPv6 map type and code to ports as Zeek does: a type with a
counterpart (echo request and reply...) is (type, counterpart type) and ordered like a port pair; any other
is (type, code) and one-way, not reordered. The result is ``"1:"`` and the base64 of the digest.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import socket
import struct

ICMP, TCP, UDP, ICMPV6, SCTP = 1, 6, 17, 58, 132
PORT_PROTOCOLS = frozenset((ICMP, TCP, UDP, ICMPV6, SCTP))
"""The protocols whose ID takes ports (ICMP's type and code stand in for them)."""

ICMP_COUNTERPARTS = {8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17}
ICMPV6_COUNTERPARTS = {
    128: 129, 129: 128, 130: 131, 131: 130, 133: 134, 134: 133,
    135: 136, 136: 135, 139: 140, 140: 139, 144: 145, 145: 144,
}  # fmt: skip
"""ICMP and ICMPv6 types with a counterpart (a request, its reply): their ID is ordered like a port pair."""

_pack_seed = struct.Struct("!H").pack
_pack_ports = struct.Struct("!HH").pack
_b64 = base64.b64encode
_sha1 = hashlib.sha1


def _packed(address: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6 if ":" in address else socket.AF_INET, address)


@functools.lru_cache(maxsize=65536)  # a capture's packets come in flows: most IDs were just computed
def community_id(
    src: str,
    dst: str,
    proto: int,
    src_port: int | None = None,
    dst_port: int | None = None,
    seed: int = 0,
) -> str | None:
    """The Community ID of one packet's flow, or None when it cannot be computed.

    ``src``, ``dst``: the addresses as text (IPv4 or IPv6, both the same version). ``proto``: the IP
    protocol number. ``src_port``, ``dst_port``: the ports for TCP, UDP and SCTP; the type and code for
    ICMP and ICMPv6. A protocol of :data:`PORT_PROTOCOLS` without them gives None (a later fragment, a
    truncated header), as do unreadable addresses.
    """
    try:
        saddr = _packed(src)
        daddr = _packed(dst)
    except (OSError, TypeError, ValueError):  # inet_pton's error for text that is not an address is OSError
        return None
    if len(saddr) != len(daddr) or not 0 <= proto <= 255:
        return None
    if src_port is None or dst_port is None:
        if proto in PORT_PROTOCOLS:
            return None
        ports = b""
    else:
        sport, dport = src_port, dst_port
        one_way = False
        if proto in (ICMP, ICMPV6):
            counterpart = (ICMP_COUNTERPARTS if proto == ICMP else ICMPV6_COUNTERPARTS).get(sport)
            if counterpart is None:
                one_way = True  # (type, code) as they are, and never reordered
            else:
                dport = counterpart
        if not one_way and (saddr > daddr or (saddr == daddr and sport > dport)):
            saddr, daddr, sport, dport = daddr, saddr, dport, sport
        try:
            ports = _pack_ports(sport, dport)
        except struct.error:
            return None
    if not ports and saddr > daddr:
        saddr, daddr = daddr, saddr
    digest = _sha1(b"".join((_pack_seed(seed), saddr, daddr, bytes((proto, 0)), ports))).digest()
    return "1:" + _b64(digest).decode("ascii")


__all__ = ["ICMPV6_COUNTERPARTS", "ICMP_COUNTERPARTS", "PORT_PROTOCOLS", "community_id"]
