"""The header walk: one pass over a frame's headers into a record of offsets and fields (a :class:`Walk`).

gopacket's DecodingLayerParser idea, taken one step further: the frames most traffic is made of
(Ethernet with at most one 802.1Q tag, IPv4 without options and not a later fragment or IPv6 without
extension headers, then TCP, UDP, ICMP or ICMPv6, every header whole in the capture) are walked once,
into one flat record, and every fast sink reads that record: the tcpdump summary line today
(:mod:`pycapture.output.tcpdump.fastsummary`), a JSON object or a table's columns next. A sink never
parses a header again; a frame the walk does not take (it returns None) goes to the lean decoder
(:mod:`pycapture.decode.lean`), which reads everything else, truncation and damage included.

The same walk exists compiled, in ``pycapture/output/tcpdump/_fastline.c`` (``walk_ethernet``): its
``walk(linktype, data)`` returns the same fields in the same order as a plain tuple, and
``tests/decode/test_walk.py`` holds the two equal frame by frame over the corpus. Both take their port
tables from here (:data:`TCP_APPS`, :data:`UDP_APPS`, built from :mod:`pycapture.protocols.numbers`).

Offsets count from the first byte of ``data`` (:func:`walk_ethernet` may be given a frame inside a larger
buffer, between ``start`` and ``end``: its offsets are then the buffer's).
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from ..protocols.numbers import (
    DNS_PORT,
    MDNS_PORT,
    NTP_PORT,
    SYSLOG_PORT,
    TCPDUMP_HTTP_PORTS,
    TCPDUMP_TCP_PRINTERS,
    TCPDUMP_UDP_PRINTERS,
    UDP_DECODERS,
)

# What the payload is, by its ports, as tcpdump's one-line output decides it; where both ports name a
# protocol the smaller code wins, in the order of print-udp.c's tests (DNS before HTTP on TCP; DNS, mDNS,
# BOOTP/DHCP, NTP, syslog on UDP).
APP_NONE = 0
APP_DNS = 1  # DNS: over TCP with its 2-byte length prefix
APP_MDNS = 2  # multicast DNS: port 5353 and neither port 53
APP_HTTP = 3
APP_BOOTP = 4
APP_NTP = 5
APP_SYSLOG = 6
APP_LEAN = 7  # another protocol tcpdump decodes by port (numbers.TCPDUMP_*_PRINTERS): lean prints it

BOOTP_PORTS = frozenset(port for port, decoder in UDP_DECODERS.items() if decoder == "dhcp")
"""BOOTP's server and client ports (67, 68), as the decoders' table names them."""

TIMESTAMPS_ONLY = b"\x01\x01\x08\x0a"
"""How the options of most TCP segments start: nop, nop, timestamps (kind 8, length 10); a fast sink
writes a 32-byte header that starts so without decoding its options one by one."""

TCP_APPS: dict[int, int] = {
    **{port: APP_LEAN for port in TCPDUMP_TCP_PRINTERS},
    DNS_PORT: APP_DNS,
    **{port: APP_HTTP for port in TCPDUMP_HTTP_PORTS},
}
"""The application of a TCP payload, by port."""
UDP_APPS: dict[int, int] = {
    **{port: APP_LEAN for port in TCPDUMP_UDP_PRINTERS},
    DNS_PORT: APP_DNS,
    MDNS_PORT: APP_MDNS,
    **{port: APP_BOOTP for port in BOOTP_PORTS},
    NTP_PORT: APP_NTP,
    SYSLOG_PORT: APP_SYSLOG,
}
"""The application of a UDP payload, by port."""


def _by_port(apps: dict[int, int]) -> bytes:
    table = bytearray(65536)
    for port, app in apps.items():
        table[port] = app
    return bytes(table)


_TCP_APP = _by_port(TCP_APPS)  # indexed by port: one subscript rather than a dict lookup per packet
_UDP_APP = _by_port(UDP_APPS)


class Walk(NamedTuple):
    """What the walk found in one frame. Offsets count from the start of the data walked; a field that
    does not apply (the TCP fields of a UDP datagram, say) is 0."""

    ethertype: int
    """The EtherType after the tag, if any."""
    vlan: int
    """The 802.1Q tag's TCI, -1 for an untagged frame."""
    network: int
    """Where the IP header starts."""
    ip_version: int
    """4 or 6."""
    addresses: int
    """Where the source address starts; the destination follows it (4 or 16 bytes on)."""
    ttl: int
    """IPv4's TTL or IPv6's hop limit."""
    proto: int
    """IPv4's protocol or IPv6's next header."""
    ip_payload: int
    """The IP payload's length: the total length less the 20-byte header, or IPv6's payload length."""
    ip_ident: int
    """IPv4's identification (0 for IPv6)."""
    fragment: int
    """IPv4's flags and fragment offset field (0 for IPv6); the offset is always 0 here."""
    transport: int
    """Where the TCP, UDP or ICMP header starts."""
    sport: int
    dport: int
    seq: int
    ack: int
    tcp_flags: int
    """The flags byte, with the NS (AE) bit as 0x100, as the lean decoder gives them."""
    window: int
    tcp_header: int
    """The TCP header's length; its options lie between ``transport + 20`` and ``transport + tcp_header``."""
    icmp_type: int
    icmp_code: int
    icmp_rest: int
    """The ICMP header's last four bytes (an echo's identifier and sequence number)."""
    payload: int
    """Where the payload starts: after the TCP or UDP header, or the 8 bytes of an ICMP header."""
    payload_length: int
    """The payload's length on the wire: TCP's (IP payload less the TCP header), UDP's (its length field
    less 8), ICMP's (the IP payload less 8: negative where IP's length is shorter than the header)."""
    app: int
    """What the payload is, by its ports: one of the ``APP_*`` codes."""


_ipv4 = struct.Struct("!xxHHHBB").unpack_from  # total length, identification, fragment field, TTL, protocol
_ipv6 = struct.Struct("!HBB").unpack_from  # payload length, next header, hop limit
_tcp = struct.Struct("!HHIIBBH").unpack_from
_udp = struct.Struct("!HHH").unpack_from
_icmp = struct.Struct("!BBxxI").unpack_from


def walk_ethernet(data: bytes, start: int, end: int) -> tuple | None:
    """The fields of :class:`Walk`, in its order, as a plain tuple (the fast sinks unpack it at once),
    for the Ethernet frame between ``start`` and ``end`` of ``data``; None for a frame the walk does not
    take. Offsets count from the start of ``data``."""
    if end - start < 34:
        return None
    etype = data[start + 12] << 8 | data[start + 13]
    o = start + 14
    vlan = -1
    if etype == 0x8100:
        vlan = data[o] << 8 | data[o + 1]
        etype = data[start + 16] << 8 | data[start + 17]
        o = start + 18
    if etype == 0x0800:
        if end < o + 28 or data[o] != 0x45:  # no IP options
            return None
        total, ident, frag, ttl, proto = _ipv4(data, o)
        if frag & 0x1FFF or total < 20:
            return None
        version, ip_payload, addresses, t = 4, total - 20, o + 12, o + 20
    elif etype == 0x86DD:
        if end < o + 48 or data[o] >> 4 != 6:
            return None
        ip_payload, proto, ttl = _ipv6(data, o + 4)
        if not ip_payload:  # a jumbogram's mark (RFC 2675), or nothing: tcpdump's own cases
            return None
        version, ident, frag, addresses, t = 6, 0, 0, o + 8, o + 40
    else:
        return None
    if proto == 6:
        if end < t + 20:
            return None
        sport, dport, seq, ack, off, flags, win = _tcp(data, t)
        hl = (off >> 4) << 2
        plen = ip_payload - hl
        if hl < 20 or end < t + hl or plen < 0:
            return None
        a, b = _TCP_APP[sport], _TCP_APP[dport]
        app = (a if a < b else b) if a and b else a or b
        flags |= (off & 0x01) << 8
        return (etype, vlan, o, version, addresses, ttl, proto, ip_payload, ident, frag, t,
                sport, dport, seq, ack, flags, win, hl, 0, 0, 0, t + hl, plen, app)  # fmt: skip
    if proto == 17:
        sport, dport, ulen = _udp(data, t)
        if ulen < 8 or ulen > ip_payload:  # print-udp.c's complaints are the general path's
            return None
        a, b = _UDP_APP[sport], _UDP_APP[dport]
        app = (a if a < b else b) if a and b else a or b
        return (etype, vlan, o, version, addresses, ttl, proto, ip_payload, ident, frag, t,
                sport, dport, 0, 0, 0, 0, 0, 0, 0, 0, t + 8, ulen - 8, app)  # fmt: skip
    if (proto == 1 and version == 4) or (proto == 58 and version == 6):  # tcpdump refuses the others
        itype, code, rest = _icmp(data, t)
        return (etype, vlan, o, version, addresses, ttl, proto, ip_payload, ident, frag, t,
                0, 0, 0, 0, 0, 0, 0, itype, code, rest, t + 8, ip_payload - 8, APP_NONE)  # fmt: skip
    return None


def walk(linktype: int, data: bytes) -> Walk | None:
    """The :class:`Walk` of one frame, or None where the walk does not take it (a link type other
    than Ethernet included)."""
    if linktype != 1:
        return None
    fields = walk_ethernet(data, 0, len(data))
    return None if fields is None else Walk._make(fields)


__all__ = [
    "APP_BOOTP",
    "APP_DNS",
    "APP_HTTP",
    "APP_LEAN",
    "APP_MDNS",
    "APP_NONE",
    "APP_NTP",
    "APP_SYSLOG",
    "BOOTP_PORTS",
    "TCP_APPS",
    "TIMESTAMPS_ONLY",
    "UDP_APPS",
    "Walk",
    "walk",
    "walk_ethernet",
]
