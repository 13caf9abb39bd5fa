"""Building packets to send: Ethernet frames, ARP, IPv4, IPv6, UDP, TCP and ICMP echo, as bytes.

Pcap4J builds a packet with a Builder per header (``EthernetPacket.Builder``, ``ArpPacket.Builder``,
``IpV4Packet.Builder``, ``TcpPacket.Builder``) and fills in lengths and checksums when told to
(``correctLengthAtBuild``, ``correctChecksumAtBuild``, ``paddingAtBuild``). Here one function builds
one packet and always fills them in: every length field, the IPv4 header checksum, the TCP, UDP and
ICMPv6 checksums over their pseudo-header, the ICMPv4 checksum, and the padding of a short Ethernet
frame to 60 bytes. Addresses are text (``"192.0.2.1"``, ``"2001:db8::1"``, ``"02:00:00:00:00:01"``).

The transports (:func:`udp`, :func:`tcp`, :func:`tcp_syn`, :func:`icmp_echo`) return the whole IP
packet, IPv4 or IPv6 as the addresses are; :func:`over_ethernet` puts one in a frame for
:meth:`pycapture.PcapHandle.send_packet`::

    frame = build.over_ethernet(build.tcp_syn("192.0.2.1", "192.0.2.2", 40000, 80), gw_mac, my_mac)
    handle.send_packet(frame)

The headers are dpkt's classes. dpkt computes the IPv4 header checksum, and the TCP/UDP checksums
inside IPv4 and IPv6 and the ICMPv6 one inside IPv6, when a packet is serialized with its ``sum``
still 0; it does not fill in UDP's or TCP's length fields, nor IPv6's payload length, and it sends a
UDP checksum that adds up to 0 inside IPv6 as 0 ("no checksum", which IPv6 forbids). This module sets
those itself.
"""

from __future__ import annotations

import ipaddress
import re
import struct
from typing import Union

import dpkt

from .protocols.numbers import (
    ETHERTYPE_ARP,
    ETHERTYPE_IP,
    ETHERTYPE_IP6,
    IPPROTO_ICMP,
    IPPROTO_ICMPV6,
    IPPROTO_TCP,
    IPPROTO_UDP,
    TCP_FLAG_BITS,
)

__all__ = [
    "BROADCAST_MAC",
    "arp_reply",
    "arp_request",
    "ethernet",
    "icmp_echo",
    "ipv4",
    "ipv6",
    "over_ethernet",
    "tcp",
    "tcp_syn",
    "udp",
]

Address = Union[str, ipaddress.IPv4Address, ipaddress.IPv6Address]
_IP = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]

BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"

ETHERTYPE_IPV4 = ETHERTYPE_IP
ETHERTYPE_IPV6 = ETHERTYPE_IP6

ETHERNET_MIN_FRAME = 60  # the 64-byte minimum of IEEE 802.3 without the 4-byte FCS the NIC appends

_IPV4_HEADER = 20
_IPV6_HEADER = 40
_UDP_HEADER = 8
_TCP_HEADER = 20
_TCP_OPTIONS_MAX = 40
_MAX_16 = 0xFFFF

# tcpdump's flag letters of the flags byte (it prints ACK as "."), and two more: "A" for ACK, "C" for CWR
_TCP_FLAG_LETTERS = {letter: bit for letter, bit in TCP_FLAG_BITS.items() if bit <= 0xFF}
_TCP_FLAG_LETTERS.update(A=_TCP_FLAG_LETTERS["."], C=_TCP_FLAG_LETTERS["W"])
_TCP_FLAGS_MAX = 0x1FF  # nine flag bits, the last being NS (now AE)

_MAC_RE = re.compile(r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}")


# --- checking what the caller gave -------------------------------------------------------------


def _mac(text: str, what: str) -> bytes:
    if not isinstance(text, str) or not _MAC_RE.fullmatch(text):
        raise ValueError(f"bad {what} MAC address {text!r}: expected six hex octets like 02:00:00:00:00:01")
    return bytes.fromhex(text.replace(":", "").replace("-", ""))


def _address(value: Address, what: str) -> _IP:
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return value
    if not isinstance(value, str):
        raise ValueError(f"bad {what} address {value!r}: expected text like 192.0.2.1 or 2001:db8::1")
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(f"bad {what} address {value!r}: not an IPv4 or IPv6 address") from None


def _ipv4_address(value: Address, what: str) -> ipaddress.IPv4Address:
    address = _address(value, what)
    if address.version != 4:
        raise ValueError(f"bad {what} address {value!r}: an IPv6 address where IPv4 is needed")
    return address


def _ipv6_address(value: Address, what: str) -> ipaddress.IPv6Address:
    address = _address(value, what)
    if address.version != 6:
        raise ValueError(f"bad {what} address {value!r}: an IPv4 address where IPv6 is needed")
    return address


def _pair(src: Address, dst: Address) -> tuple[_IP, _IP]:
    """Both addresses of a packet, which must be of one family."""
    s, d = _address(src, "source"), _address(dst, "destination")
    if s.version != d.version:
        raise ValueError(f"source {s} is IPv{s.version} but destination {d} is IPv{d.version}")
    return s, d


def _uint(value: int, bits: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{what} must be an integer, not {value!r}")
    top = (1 << bits) - 1
    if not 0 <= value <= top:
        raise ValueError(f"{what} out of range: {value} (0-{top})")
    return value


def _port(value: int, what: str) -> int:
    return _uint(value, 16, f"{what} port")


def _bytes(payload: bytes | bytearray | memoryview, what: str = "payload") -> bytes:
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise ValueError(f"{what} must be bytes, not {type(payload).__name__}")
    return bytes(payload)


def _check_fits(version: int, headers: int, payload: bytes, what: str) -> None:
    """Fail if ``headers`` plus ``payload`` overflow the IP packet's 16-bit length field."""
    room = _MAX_16 - headers - (_IPV4_HEADER if version == 4 else 0)
    if len(payload) > room:
        length = "total length" if version == 4 else "payload length (jumbograms are not supported)"
        raise ValueError(
            f"{what} too long for IPv{version}: {len(payload)} bytes, at most {room} fit in its {length}"
        )


def _tcp_flags(flags: int | str) -> int:
    if isinstance(flags, str):
        bits = 0
        for letter in flags:
            if letter not in _TCP_FLAG_LETTERS:
                raise ValueError(
                    f"bad TCP flags {flags!r}: {letter!r} is none of F S R P A . U E W (C for CWR too)"
                )
            bits |= _TCP_FLAG_LETTERS[letter]
        return bits
    return _uint(flags, 9, "TCP flags")


# --- link layer --------------------------------------------------------------------------------


def ethernet(
    dst_mac: str,
    src_mac: str,
    payload: bytes,
    ethertype: int,
    *,
    vlan: int | None = None,
    pad: bool = True,
) -> bytes:
    """An Ethernet II frame carrying ``payload``, without the FCS (the NIC appends it).

    ``vlan`` puts an IEEE 802.1Q tag with that VLAN id (0-4094, priority 0) between the addresses
    and ``ethertype``. ``pad`` fills a short frame with zero bytes up to the 60 bytes a NIC sends at
    least (Pcap4J's ``paddingAtBuild``).
    """
    dst, src = _mac(dst_mac, "destination"), _mac(src_mac, "source")
    return _frame(dst, src, _bytes(payload), _uint(ethertype, 16, "ethertype"), vlan, pad)


def _frame(dst: bytes, src: bytes, payload: bytes, ethertype: int, vlan: int | None, pad: bool) -> bytes:
    frame = dpkt.ethernet.Ethernet(dst=dst, src=src, type=ethertype)
    frame.data = payload  # set after construction: given to the constructor, dpkt would parse it
    if vlan is not None:
        if _uint(vlan, 12, "VLAN id") == 0xFFF:
            raise ValueError("VLAN id out of range: 4095 is reserved (0-4094)")
        frame.vlan_tags = [dpkt.ethernet.VLANtag8021Q(id=vlan)]  # dpkt writes 0x8100 and moves the type in
    raw = bytes(frame)
    if pad and len(raw) < ETHERNET_MIN_FRAME:
        raw += bytes(ETHERNET_MIN_FRAME - len(raw))
    return raw


def over_ethernet(
    ip_packet: bytes, dst_mac: str, src_mac: str, *, vlan: int | None = None, pad: bool = True
) -> bytes:
    """``ip_packet`` in an Ethernet frame, typed IPv4 (0x0800) or IPv6 (0x86dd) by its version nibble."""
    data = _bytes(ip_packet, "IP packet")
    if not data:
        raise ValueError("not an IP packet: it is empty")
    version = data[0] >> 4
    if version == 4:
        ethertype = ETHERTYPE_IPV4
    elif version == 6:
        ethertype = ETHERTYPE_IPV6
    else:
        raise ValueError(f"not an IP packet: version {version} where 4 or 6 is needed")
    return ethernet(dst_mac, src_mac, data, ethertype, vlan=vlan, pad=pad)


def _arp(
    op: int, sha: bytes, spa: Address, tha: bytes, tpa: Address, eth_dst: bytes, vlan: int | None
) -> bytes:
    message = dpkt.arp.ARP(
        op=op,
        sha=sha,
        spa=_ipv4_address(spa, "sender").packed,
        tha=tha,
        tpa=_ipv4_address(tpa, "target").packed,
    )
    return _frame(eth_dst, sha, bytes(message), ETHERTYPE_ARP, vlan, pad=True)


def arp_request(src_mac: str, src_ip: Address, target_ip: Address, *, vlan: int | None = None) -> bytes:
    """An ARP request (who has ``target_ip``? tell ``src_ip``) broadcast in a padded Ethernet frame.

    The target hardware address is all zeros, as the sender does not know it yet.
    """
    sha = _mac(src_mac, "source")
    return _arp(dpkt.arp.ARP_OP_REQUEST, sha, src_ip, bytes(6), target_ip, b"\xff" * 6, vlan)


def arp_reply(
    src_mac: str, src_ip: Address, dst_mac: str, dst_ip: Address, *, vlan: int | None = None
) -> bytes:
    """An ARP reply (``src_ip`` is at ``src_mac``) sent to ``dst_mac``/``dst_ip``, in a padded frame."""
    sha, tha = _mac(src_mac, "source"), _mac(dst_mac, "destination")
    return _arp(dpkt.arp.ARP_OP_REPLY, sha, src_ip, tha, dst_ip, tha, vlan)


# --- network layer -----------------------------------------------------------------------------


def _ip_packet(
    src: _IP,
    dst: _IP,
    proto: int,
    payload: bytes | dpkt.Packet,
    ttl: int,
    tos: int,
    *,
    ident: int = 0,
    dont_fragment: bool = True,
    flow_label: int = 0,
) -> bytes:
    """An IPv4 or IPv6 packet, as the addresses are (one family: the callers check it).

    ``proto`` is IPv4's protocol or IPv6's next header, ``ttl`` the TTL or the hop limit, ``tos`` the
    TOS or the traffic class; ``ident`` and ``dont_fragment`` are IPv4's, ``flow_label`` is IPv6's.
    """
    if src.version == 4:
        packet = dpkt.ip.IP(
            src=src.packed,
            dst=dst.packed,
            p=_uint(proto, 8, "IP protocol"),
            ttl=_uint(ttl, 8, "TTL"),
            id=_uint(ident, 16, "identification"),
            tos=_uint(tos, 8, "TOS"),
            data=payload,
        )
        packet.df = int(bool(dont_fragment))
        # with sum 0, dpkt sets the total length and the header checksum, and the checksum of a TCP or
        # UDP payload given as a dpkt object (a UDP sum of 0 going out as 0xffff); ICMP sums itself
        return bytes(packet)
    packet6 = dpkt.ip6.IP6(
        src=src.packed,
        dst=dst.packed,
        nxt=_uint(proto, 8, "next header"),
        hlim=_uint(ttl, 8, "hop limit"),  # dpkt's default is 0
        plen=len(payload),  # dpkt leaves the payload length to the caller
    )
    packet6.flow = _uint(flow_label, 20, "flow label")
    packet6.fc = _uint(tos, 8, "traffic class")
    packet6.data = payload
    # dpkt fills in a TCP, UDP or ICMPv6 checksum that is still 0, over the pseudo-header
    raw = bytes(packet6)
    if proto == IPPROTO_UDP and isinstance(payload, dpkt.udp.UDP) and payload.sum == 0:
        # the sum came out as 0, which means "no checksum" and is forbidden in IPv6 (RFC 8200 8.1);
        # one's complement's other zero is sent instead, as dpkt does for IPv4 but not for IPv6
        payload.sum = _MAX_16
        raw = bytes(packet6)
    return raw


def ipv4(
    src: Address,
    dst: Address,
    proto: int,
    payload: bytes,
    ttl: int = 64,
    ident: int = 0,
    dont_fragment: bool = True,
    tos: int = 0,
) -> bytes:
    """An IPv4 packet (no options) carrying ``payload`` as given, with its total length and checksum.

    The payload is not looked into: a TCP or UDP segment in it keeps whatever checksum it has; build
    it with :func:`tcp`, :func:`udp` or :func:`icmp_echo` to have that filled in too.
    """
    s, d = _ipv4_address(src, "source"), _ipv4_address(dst, "destination")
    data = _bytes(payload)
    _check_fits(4, 0, data, "payload")
    return _ip_packet(s, d, proto, data, ttl, tos, ident=ident, dont_fragment=dont_fragment)


def ipv6(
    src: Address,
    dst: Address,
    next_header: int,
    payload: bytes,
    hop_limit: int = 64,
    flow_label: int = 0,
    traffic_class: int = 0,
) -> bytes:
    """An IPv6 packet (no extension headers) carrying ``payload`` as given, with its payload length.

    As with :func:`ipv4`, a transport header in the payload keeps the checksum it has.
    """
    s, d = _ipv6_address(src, "source"), _ipv6_address(dst, "destination")
    data = _bytes(payload)
    _check_fits(6, 0, data, "payload")
    return _ip_packet(s, d, next_header, data, hop_limit, traffic_class, flow_label=flow_label)


# --- transport layer ---------------------------------------------------------------------------


def udp(
    src: Address,
    dst: Address,
    sport: int,
    dport: int,
    payload: bytes = b"",
    *,
    ttl: int = 64,
    tos: int = 0,
) -> bytes:
    """A UDP datagram in an IPv4 or IPv6 packet (as the addresses are), checksummed over the pseudo-header.

    ``ttl`` is the IPv4 TTL or the IPv6 hop limit, ``tos`` the IPv4 TOS or the IPv6 traffic class.
    """
    s, d = _pair(src, dst)
    data = _bytes(payload)
    _check_fits(s.version, _UDP_HEADER, data, "UDP payload")
    datagram = dpkt.udp.UDP(
        sport=_port(sport, "source"),
        dport=_port(dport, "destination"),
        ulen=_UDP_HEADER + len(data),  # dpkt does not count it
        sum=0,
        data=data,
    )
    return _ip_packet(s, d, IPPROTO_UDP, datagram, ttl, tos)


def tcp(
    src: Address,
    dst: Address,
    sport: int,
    dport: int,
    *,
    flags: int | str,
    seq: int = 0,
    ack: int = 0,
    window: int = 64240,
    payload: bytes = b"",
    options: bytes = b"",
    urgent: int = 0,
    ttl: int = 64,
    tos: int = 0,
) -> bytes:
    """A TCP segment in an IPv4 or IPv6 packet (as the addresses are), checksummed over the pseudo-header.

    ``flags`` is dpkt's bits (``dpkt.tcp.TH_SYN | dpkt.tcp.TH_ACK``) or tcpdump's letters (``"S."``,
    ``"PA"``: F S R P A/. U E W). ``options`` is the raw option bytes (at most 40), padded with
    end-of-option-list zeros to a multiple of four; the data offset counts them.
    """
    s, d = _pair(src, dst)
    data = _bytes(payload)
    opts = _bytes(options, "TCP options")
    if len(opts) > _TCP_OPTIONS_MAX:
        raise ValueError(f"TCP options too long: {len(opts)} bytes, at most {_TCP_OPTIONS_MAX}")
    opts += bytes(-len(opts) % 4)
    _check_fits(s.version, _TCP_HEADER + len(opts), data, "TCP payload")
    segment = dpkt.tcp.TCP(
        sport=_port(sport, "source"),
        dport=_port(dport, "destination"),
        seq=_uint(seq, 32, "sequence number"),
        ack=_uint(ack, 32, "acknowledgment number"),
        win=_uint(window, 16, "window"),
        urp=_uint(urgent, 16, "urgent pointer"),
        sum=0,
        data=data,
    )
    segment.opts = opts
    segment.off = (_TCP_HEADER + len(opts)) // 4  # dpkt does not derive the data offset from opts
    segment.flags = _tcp_flags(flags)
    return _ip_packet(s, d, IPPROTO_TCP, segment, ttl, tos)


def _syn_options(
    mss: int | None, wscale: int | None, sack_permitted: bool, timestamps: tuple[int, int] | None
) -> bytes:
    """SYN options in the order Linux sends them, NOPs aligning each to 32 bits."""
    out = b""
    if mss is not None:
        out += struct.pack("!BBH", dpkt.tcp.TCP_OPT_MSS, 4, _uint(mss, 16, "MSS"))
    sack = struct.pack("!BB", dpkt.tcp.TCP_OPT_SACKOK, 2) if sack_permitted else b""
    if timestamps is not None:
        if not isinstance(timestamps, tuple) or len(timestamps) != 2:
            raise ValueError(f"timestamps must be a (tsval, tsecr) pair, not {timestamps!r}")
        tsval, tsecr = (_uint(v, 32, name) for v, name in zip(timestamps, ("tsval", "tsecr")))
        stamp = struct.pack("!BBII", dpkt.tcp.TCP_OPT_TIMESTAMP, 10, tsval, tsecr)
        out += (sack or b"\x01\x01") + stamp
    elif sack:
        out += b"\x01\x01" + sack
    if wscale is not None:
        if _uint(wscale, 8, "window scale") > 14:
            raise ValueError(f"window scale out of range: {wscale} (0-14, RFC 7323)")
        out += b"\x01" + struct.pack("!BBB", dpkt.tcp.TCP_OPT_WSCALE, 3, wscale)
    return out


def tcp_syn(
    src: Address,
    dst: Address,
    sport: int,
    dport: int,
    seq: int = 0,
    window: int = 64240,
    mss: int | None = 1460,
    wscale: int | None = 7,
    sack_permitted: bool = True,
    timestamps: tuple[int, int] | None = None,
    *,
    ttl: int = 64,
    tos: int = 0,
) -> bytes:
    """A TCP SYN opening a connection, with the options a client offers.

    Options are MSS, SACK permitted, timestamps ``(tsval, tsecr)`` and window scale, each left out
    when None (or False), laid out as Linux sends them.
    """
    options = _syn_options(mss, wscale, sack_permitted, timestamps)
    return tcp(
        src,
        dst,
        sport,
        dport,
        flags=dpkt.tcp.TH_SYN,
        seq=seq,
        window=window,
        options=options,
        ttl=ttl,
        tos=tos,
    )


def icmp_echo(
    src: Address,
    dst: Address,
    ident: int,
    seq: int,
    payload: bytes = b"",
    *,
    reply: bool = False,
    ttl: int = 64,
    tos: int = 0,
) -> bytes:
    """An echo request (ping), or with ``reply`` an echo reply, in an IPv4 or IPv6 packet.

    IPv4 gets ICMP types 8/0, its checksum over the message; IPv6 gets ICMPv6 types 128/129, its
    checksum over the pseudo-header and the message.
    """
    s, d = _pair(src, dst)
    data = _bytes(payload)
    _check_fits(s.version, 8, data, "ICMP payload")
    ident, seq = _uint(ident, 16, "echo identifier"), _uint(seq, 16, "echo sequence number")
    if s.version == 4:
        message = dpkt.icmp.ICMP(
            type=dpkt.icmp.ICMP_ECHOREPLY if reply else dpkt.icmp.ICMP_ECHO,
            sum=0,
            data=dpkt.icmp.ICMP.Echo(id=ident, seq=seq, data=data),
        )
        return _ip_packet(s, d, IPPROTO_ICMP, message, ttl, tos)
    message6 = dpkt.icmp6.ICMP6(
        type=dpkt.icmp6.ICMP6_ECHO_REPLY if reply else dpkt.icmp6.ICMP6_ECHO_REQUEST,
        sum=0,
        data=dpkt.icmp6.ICMP6.Echo(id=ident, seq=seq, data=data),
    )
    return _ip_packet(s, d, IPPROTO_ICMPV6, message6, ttl, tos)
