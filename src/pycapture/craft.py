"""Building packets to send: Ethernet frames, ARP, IPv4, IPv6, UDP, TCP and ICMP echo, as bytes.

Pcap4J builds a packet with a Builder per header (``EthernetPacket.Builder``, ``ArpPacket.Builder``,
``IpV4Packet.Builder``, ``TcpPacket.Builder``) and fills in lengths and checksums when told to
(``correctLengthAtBuild``, ``correctChecksumAtBuild``, ``paddingAtBuild``). Here one function builds
one packet and always fills them in: every length field, the IPv4 header checksum, the TCP, UDP and
ICMPv6 checksums over their pseudo-header, the ICMPv4 checksum, and the padding of a short Ethernet
frame to 60 bytes. Addresses are text (``"192.0.2.1"``, ``"2001:db8::1"``, ``"02:00:00:00:00:01"``).

The transports (:func:`udp`, :func:`tcp`, :func:`tcp_syn`, :func:`icmp_echo`) return the whole IP
packet, IPv4 or IPv6 as the addresses are; :func:`over_ethernet` puts one in a frame for
:meth:`pycapture.PcapHandle.send_packet`. :func:`fragment` and :func:`defragment` are Pcap4J's
``IpV4Helper``, :func:`icmp_error` its ``IcmpV4Helper`` with the error message around it::

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
from collections.abc import Iterable
from typing import Union

import dpkt

from .decode.builders import ETHERNET_HEADER, ETHERNET_MIN_PAYLOAD, ethernet_padding, internet_checksum
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
    "ICMP_ERROR_TYPES",
    "arp_reply",
    "arp_request",
    "defragment",
    "ethernet",
    "fragment",
    "icmp_echo",
    "icmp_error",
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

ETHERNET_MIN_FRAME = ETHERNET_HEADER + ETHERNET_MIN_PAYLOAD  # 64 bytes of IEEE 802.3 less the FCS

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
    return raw + ethernet_padding(len(raw) - ETHERNET_HEADER) if pad else raw


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
    ip_ident: int = 0,
    dont_fragment: bool = True,
) -> bytes:
    """An echo request (ping), or with ``reply`` an echo reply, in an IPv4 or IPv6 packet.

    IPv4 gets ICMP types 8/0, its checksum over the message; IPv6 gets ICMPv6 types 128/129, its
    checksum over the pseudo-header and the message. ``ip_ident`` (the identification) and
    ``dont_fragment`` are IPv4's: clear DF to let :func:`fragment` split a large echo.
    """
    s, d = _pair(src, dst)
    if s.version == 6 and ip_ident:
        raise ValueError(f"ip_ident is IPv4's identification field, and {s} is IPv6")
    data = _bytes(payload)
    _check_fits(s.version, 8, data, "ICMP payload")
    ident, seq = _uint(ident, 16, "echo identifier"), _uint(seq, 16, "echo sequence number")
    if s.version == 4:
        message = dpkt.icmp.ICMP(
            type=dpkt.icmp.ICMP_ECHOREPLY if reply else dpkt.icmp.ICMP_ECHO,
            sum=0,
            data=dpkt.icmp.ICMP.Echo(id=ident, seq=seq, data=data),
        )
        return _ip_packet(s, d, IPPROTO_ICMP, message, ttl, tos, ident=ip_ident, dont_fragment=dont_fragment)
    message6 = dpkt.icmp6.ICMP6(
        type=dpkt.icmp6.ICMP6_ECHO_REPLY if reply else dpkt.icmp6.ICMP6_ECHO_REQUEST,
        sum=0,
        data=dpkt.icmp6.ICMP6.Echo(id=ident, seq=seq, data=data),
    )
    return _ip_packet(s, d, IPPROTO_ICMPV6, message6, ttl, tos)


# --- IPv4 fragments and ICMPv4 errors (Pcap4J's IpV4Helper and IcmpV4Helper) ---------------------

_IPV4_MIN_MTU = 68  # RFC 791: every module forwards a 68-byte datagram unfragmented (60 header + 8)
_IP_RESERVED_DF = 0xC000  # the flags word's reserved bit and DF, kept as they are
_IP_DF = 0x4000
_IP_MF = 0x2000
_IP_OFFSET = 0x1FFF  # the fragment offset, in 8-byte units
_IPOPT_EOL, _IPOPT_NOP, _IPOPT_COPIED = 0, 1, 0x80

ICMP_ERROR_TYPES = {
    3: "destination unreachable",
    4: "source quench",
    5: "redirect",
    11: "time exceeded",
    12: "parameter problem",
}
"""The ICMPv4 messages that carry the invoking packet (RFC 792), by type."""

_ICMP_ERROR_MAX = 576  # RFC 1812 4.3.2.3: an ICMP error datagram is at most 576 bytes
_ICMP_QUOTE_MIN = 8  # RFC 792: the invoking header and its first 64 bits of data
_LIMITED_BROADCAST = ipaddress.IPv4Address("255.255.255.255")


def _ipv4_parts(packet: bytes | bytearray | memoryview, what: str) -> tuple[bytes, bytes]:
    """(header with options, data) of an IPv4 packet, the data cut at its total length."""
    raw = _bytes(packet, what)
    if len(raw) < _IPV4_HEADER:
        raise ValueError(f"{what} is not an IPv4 packet: {len(raw)} bytes, less than a 20-byte header")
    version, header_length = raw[0] >> 4, (raw[0] & 0x0F) * 4
    if version != 4:
        raise ValueError(f"{what} is not an IPv4 packet: version {version}")
    (total,) = struct.unpack_from("!H", raw, 2)
    if header_length < _IPV4_HEADER or not header_length <= total <= len(raw):
        raise ValueError(
            f"{what} is not a whole IPv4 packet: header length {header_length}, total length {total}, "
            f"{len(raw)} bytes given"
        )
    return raw[:header_length], raw[header_length:total]


def _flags_word(header: bytes) -> int:
    """The flags and fragment offset, as one 16-bit word."""
    return int.from_bytes(header[6:8], "big")


def _ipv4_rewritten(header: bytes, data_length: int, more: bool, offset_bytes: int) -> bytes:
    """``header`` (options included) with its header length, total length, MF flag and fragment offset
    set, reserved and DF bits kept, and the header checksum computed again."""
    out = bytearray(header)
    out[0] = 0x40 | len(header) // 4
    struct.pack_into("!H", out, 2, len(header) + data_length)
    word = (_flags_word(header) & _IP_RESERVED_DF) | (_IP_MF if more else 0) | offset_bytes // 8
    struct.pack_into("!H", out, 6, word)
    struct.pack_into("!H", out, 10, 0)  # the checksum field is zero while the checksum is computed
    struct.pack_into("!H", out, 10, internet_checksum(bytes(out)))
    return bytes(out)


def _copied_options(options: bytes) -> bytes:
    """The options with their copied flag set (RFC 791: those go into every fragment), padded with
    end-of-list zeros to 32 bits; the others (NOP, record route, timestamp...) stay in the first."""
    kept = b""
    i = 0
    while i < len(options):
        kind = options[i]
        if kind == _IPOPT_EOL:
            break
        if kind == _IPOPT_NOP:
            i += 1
            continue
        length = options[i + 1] if i + 1 < len(options) else 0
        if length < 2 or i + length > len(options):
            raise ValueError(f"bad IPv4 option {kind} at byte {20 + i} of the header: length {length}")
        if kind & _IPOPT_COPIED:
            kept += options[i : i + length]
        i += length
    return kept + bytes(-len(kept) % 4)


def fragment(ipv4_packet: bytes | bytearray | memoryview, mtu: int) -> list[bytes]:
    """The fragments of an IPv4 packet that fit in ``mtu`` bytes each (Pcap4J's ``IpV4Helper.fragment``).

    RFC 791's rules: each fragment but the last carries a multiple of 8 data bytes and has MF set; the
    offsets count 8-byte units from the original datagram's start (a fragment given here is split
    further, keeping its own offset and, on its last piece, its MF); the identification, addresses,
    TOS, TTL and protocol are copied; each header's total length and checksum are computed again. The
    first fragment keeps every option, the others only those whose copied flag is set (security,
    source routes), padded to 32 bits. A packet of at most ``mtu`` bytes comes back alone, unchanged.

    Raises ValueError (as every builder here) for a packet that is not IPv4 or not whole, for malformed
    options, for an ``mtu`` that is not an integer of at least 68 (RFC 791's minimum, which leaves room
    for 8 data bytes after the longest header), and for a packet larger than ``mtu`` with DF set,
    which RFC 791 forbids fragmenting.
    """
    header, data = _ipv4_parts(ipv4_packet, "the packet to fragment")
    if _uint(mtu, 32, "MTU") < _IPV4_MIN_MTU:
        raise ValueError(f"MTU too small: {mtu} (at least {_IPV4_MIN_MTU}, RFC 791)")
    if len(header) + len(data) <= mtu:
        return [header + data]
    word = _flags_word(header)
    if word & _IP_DF:
        raise ValueError(
            f"the packet has DF (don't fragment) set and is {len(header) + len(data)} bytes, more than the "
            f"MTU of {mtu}: RFC 791 forbids fragmenting it"
        )
    base, last_more = (word & _IP_OFFSET) * 8, bool(word & _IP_MF)
    later_header = header[:_IPV4_HEADER] + _copied_options(header[_IPV4_HEADER:])
    fragments: list[bytes] = []
    head, pos = header, 0
    while True:
        room = (mtu - len(head)) // 8 * 8
        more = pos + room < len(data)
        piece = data[pos : pos + room] if more else data[pos:]
        fragments.append(_ipv4_rewritten(head, len(piece), more or last_more, base + pos) + piece)
        if not more:
            return fragments
        head, pos = later_header, pos + room


def defragment(fragments: Iterable[bytes | bytearray | memoryview]) -> bytes:
    """The IPv4 datagram that ``fragments`` (in any order) make up (Pcap4J's ``IpV4Helper.defragment``).

    The header is the first fragment's (the one at offset 0, which carries every option), with MF and
    the offset cleared, the total length of the whole datagram and its checksum computed again. A
    fragment given twice, the same bytes at the same offset, counts once.

    Raises ValueError when they do not make one datagram: nothing given, one packet given where a
    list is needed, a packet that is not IPv4 or not whole, fragments of different datagrams (RFC
    791's key: source, destination, protocol, identification), a gap, an overlap (which RFC 791
    allowed but attackers use, so Linux and RFC 5722 drop such a datagram), a fragment with MF set
    whose data is not a multiple of 8 bytes, a missing last fragment (the highest one has MF set),
    data after the fragment with MF clear, or a datagram longer than 65,535 bytes.
    """
    if isinstance(fragments, (bytes, bytearray, memoryview, str)) or not isinstance(fragments, Iterable):
        raise ValueError(f"fragments must be a list of IPv4 packets, not {type(fragments).__name__}")
    parts: list[tuple[int, bool, bytes, bytes]] = []
    key = b""
    for n, packet in enumerate(fragments, 1):
        header, data = _ipv4_parts(packet, f"fragment {n}")
        this_key = header[4:6] + header[9:10] + header[12:20]
        if n == 1:
            key = this_key
        elif this_key != key:
            raise ValueError(
                f"fragment {n} belongs to another datagram: source, destination, protocol or "
                "identification differ from fragment 1's"
            )
        word = _flags_word(header)
        parts.append(((word & _IP_OFFSET) * 8, bool(word & _IP_MF), header, data))
    if not parts:
        raise ValueError("no fragments to reassemble")
    parts.sort(key=lambda part: part[0])
    whole = bytearray()
    previous: tuple[int, bytes] | None = None
    more = True
    for offset, more_flag, _header, data in parts:
        if previous == (offset, data):
            continue
        if not more:
            raise ValueError(
                f"data at byte {offset} follows the fragment with MF clear, which ends the datagram"
            )
        if offset < len(whole):
            raise ValueError(
                f"fragments overlap: one starts at byte {offset}, inside bytes 0-{len(whole) - 1}"
            )
        if offset > len(whole):
            raise ValueError(f"a fragment is missing: nothing carries bytes {len(whole)}-{offset - 1}")
        if more_flag and len(data) % 8:
            raise ValueError(
                f"the fragment at byte {offset} has MF set but carries {len(data)} bytes, not a multiple of 8"
            )
        whole += data
        previous, more = (offset, data), more_flag
    if more:
        raise ValueError(f"the last fragment is missing: the one ending at byte {len(whole)} has MF set")
    first = parts[0][2]
    if len(first) + len(whole) > _MAX_16:
        raise ValueError(f"the datagram would be {len(first) + len(whole)} bytes, more than IPv4's 65,535")
    return _ipv4_rewritten(first, len(whole), False, 0) + bytes(whole)


def icmp_error(
    icmp_type: int,
    code: int,
    invoking_ip_packet: bytes | bytearray | memoryview,
    *,
    src: Address | None = None,
    data_bytes: int | None = _ICMP_QUOTE_MIN,
    pointer: int | None = None,
    next_hop_mtu: int | None = None,
    gateway: Address | None = None,
    ttl: int = 64,
    tos: int = 0,
    ident: int = 0,
) -> bytes:
    """An ICMPv4 error about ``invoking_ip_packet``, in an IPv4 packet sent back to its source.

    ``icmp_type`` is one of :data:`ICMP_ERROR_TYPES`: 3 destination unreachable, 4 source quench, 5
    redirect (``gateway`` required), 11 time exceeded, 12 parameter problem (``pointer``: the byte of
    the invoking header at fault). ``next_hop_mtu`` is for 3 code 4, fragmentation needed (RFC 1191).
    The message carries the invoking packet's IP header, options included, and the first
    ``data_bytes`` bytes of its data (Pcap4J's ``IcmpV4Helper.makePacketForInvokingPacketField``):
    RFC 792's 8 by default, at least 8, or None for as many as fit in RFC 1812's 576-byte limit, as
    Linux sends; the limit caps any count, and a shorter packet is quoted whole.

    The error goes from ``src`` (by default the invoking packet's destination: the host it could not
    reach answering for itself) to the invoking packet's source, DF clear. Raises ValueError for a
    type that carries no invoking packet, a field that is not the type's, an invoking packet that is
    not a whole IPv4 packet, and those RFC 1122 3.2.2 forbids answering with an error: an ICMP error
    itself, a fragment other than the first, and one from a multicast, broadcast or unspecified
    source.
    """
    if _uint(icmp_type, 8, "ICMP type") not in ICMP_ERROR_TYPES:
        known = ", ".join(f"{t} ({name})" for t, name in ICMP_ERROR_TYPES.items())
        raise ValueError(f"ICMP type {icmp_type} carries no invoking packet; the error types are {known}")
    code = _uint(code, 8, "ICMP code")
    header, data = _ipv4_parts(invoking_ip_packet, "the invoking packet")
    invoker_src = ipaddress.IPv4Address(header[12:16])
    if _flags_word(header) & _IP_OFFSET:
        raise ValueError("the invoking packet is a fragment other than the first: RFC 1122 sends no error")
    if header[9] == IPPROTO_ICMP and data and data[0] in ICMP_ERROR_TYPES:
        raise ValueError("the invoking packet is an ICMP error: RFC 1122 sends no error about one")
    if invoker_src.is_multicast or invoker_src.is_unspecified or invoker_src == _LIMITED_BROADCAST:
        raise ValueError(f"the invoking packet comes from {invoker_src}: RFC 1122 sends no error there")
    rest = _icmp_error_rest(icmp_type, code, pointer, next_hop_mtu, gateway)
    room = _ICMP_ERROR_MAX - _IPV4_HEADER - 8 - len(header)
    if data_bytes is not None and _uint(data_bytes, 16, "data_bytes") < _ICMP_QUOTE_MIN:
        raise ValueError(f"data_bytes too small: {data_bytes} (RFC 792 quotes at least {_ICMP_QUOTE_MIN})")
    quoted = data[: room if data_bytes is None else min(room, data_bytes)]
    message = dpkt.icmp.ICMP(type=icmp_type, code=code, sum=0)
    message.data = rest + header + quoted  # set after construction: given to it, dpkt would parse it
    source = ipaddress.IPv4Address(header[16:20]) if src is None else _ipv4_address(src, "source")
    return _ip_packet(source, invoker_src, IPPROTO_ICMP, message, ttl, tos, ident=ident, dont_fragment=False)


def _icmp_error_rest(
    icmp_type: int, code: int, pointer: int | None, next_hop_mtu: int | None, gateway: Address | None
) -> bytes:
    """The four bytes after an ICMP error's checksum: the pointer, next-hop MTU or gateway, or zeros."""
    for value, name, wanted in (
        (pointer, "pointer", icmp_type == 12),
        (next_hop_mtu, "next_hop_mtu", icmp_type == 3 and code == 4),
        (gateway, "gateway", icmp_type == 5),
    ):
        if value is not None and not wanted:
            raise ValueError(f"{name} is not a field of ICMP type {icmp_type} code {code}")
    if icmp_type == 12:
        return struct.pack("!B3x", _uint(0 if pointer is None else pointer, 8, "pointer"))
    if icmp_type == 5:
        if gateway is None:
            raise ValueError("a redirect (ICMP type 5) needs the gateway to use")
        return _ipv4_address(gateway, "gateway").packed
    if icmp_type == 3 and next_hop_mtu is not None:
        return struct.pack("!2xH", _uint(next_hop_mtu, 16, "next_hop_mtu"))
    return bytes(4)
