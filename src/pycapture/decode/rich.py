"""The rich decoder: every header of a frame as a :class:`Layer` with named fields, built with dpkt.

This is the path behind ``-v``, ``--json`` and the library API (gopacket's ``NewPacket``); the one-line
summary stays on :mod:`pycapture.decode.lean`, and the two must agree on addresses, ports and protocols.

``decode(linktype, data)`` walks the frame one header at a time. Each header is unpacked with dpkt's
class for it (or a small dpkt-style class from :mod:`pycapture.decode.extra` where dpkt has none), and
the decoder, not dpkt, chooses the next layer: dpkt's own dispatch swallows errors and stops at the
first port it does not know, while here a header that does not fit ends the walk with a
:class:`Malformed` that says which header and why, keeping every layer before it. scapy decodes what
neither has (DHCPv6) and is imported only when such a packet turns up.

Field keys are Wireshark's field names within the layer (``tcp.srcport`` is ``srcport`` in the ``tcp``
layer); labels and ``text`` follow Pcap4J's ``toString()`` dumps (``Source address: /192.0.2.1``).
"""

from __future__ import annotations

import datetime
import logging
import socket
import struct
from typing import Callable, Optional, TypeVar

import dpkt
from dpkt import (
    ah,
    arp,
    dhcp,
    esp,
    ethernet,
    gre,
    icmp,
    icmp6,
    ieee80211,
    igmp,
    ip,
    ip6,
    llc,
    ntp,
    ppp,
    pppoe,
    radiotap,
    sctp,
    sll,
    sll2,
    ssl,
    stp,
    tcp,
    udp,
)
from dpkt import http as dpkt_http

from ..protocols import headers as extra
from ..protocols.linktypes import linktype_name
from .model import DecodedPacket, Field, Layer, Malformed

__all__ = ["SUPPORTED_LINKTYPES", "decode"]

_P = TypeVar("_P", bound=dpkt.Packet)
_Step = tuple[Optional[str], bytes]  # (key of the next header's decoder, or None for payload; its bytes)

_MAX_LAYERS = 128  # tunnels in tunnels end with the bytes, but a cap bounds the cost of any one frame


class _Bad(Exception):
    """A header that does not parse: the layer, a one-sentence cause, and the bytes left.

    ``truncated`` marks a header cut short by the end of the bytes (a snapshot length or a quoted
    packet), as opposed to one whose fields make no sense.
    """

    def __init__(self, layer: str, cause: str, data: bytes | None = None, *, truncated: bool = False) -> None:
        super().__init__(cause)
        self.layer = layer
        self.cause = cause
        self.data = data
        self.truncated = truncated


def _short(layer: str, what: str, have: int, need: int) -> _Bad:
    return _Bad(layer, f"too short for {what}: {have} of {need} bytes", truncated=True)


def _need(buf: bytes, need: int, layer: str, what: str) -> None:
    if len(buf) < need:
        raise _short(layer, what, len(buf), need)


def _header(cls: type[_P], buf: bytes, layer: str, what: str) -> _P:
    """Unpack only the fixed header ``cls`` declares (``__hdr__``), never its payload.

    dpkt's constructors go on to decode the payload with their own dispatch tables; the rich decoder
    chooses the next layer itself, so it unpacks each header alone with ``dpkt.Packet.unpack``.
    """
    need = cls.__hdr_len__
    if len(buf) < need:
        raise _short(layer, what, len(buf), need)
    obj = cls.__new__(cls)
    dpkt.Packet.unpack(obj, buf)
    return obj


def _reason(exc: BaseException) -> str:
    """A short reason from an exception; dpkt's messages may quote the whole buffer."""
    text = str(exc).split(": b'", 1)[0].split(': b"', 1)[0].strip() or type(exc).__name__
    return text if len(text) <= 100 else text[:97] + "..."


class _Decoding:
    """The state of one frame's walk: its layers, and facts one header leaves for a later one."""

    __slots__ = ("layers", "pad_owner", "quoted", "wlan_datapad", "wlan_fcs")

    def __init__(self) -> None:
        self.layers: list[Layer] = []
        self.pad_owner: Layer | None = None  # the Ethernet layer whose padding is still unclaimed
        self.quoted = False  # inside the invoking packet an ICMP error quotes
        self.wlan_fcs: bytes | None = None  # radiotap said the 802.11 frame ends with an FCS
        self.wlan_datapad = False  # radiotap said the 802.11 header is padded to 32 bits

    def add(self, layer: Layer) -> Layer:
        self.layers.append(layer)
        return layer

    def claim_padding(self, pad: bytes) -> None:
        """Note bytes after a datagram's own length as the enclosing Ethernet frame's padding."""
        owner, self.pad_owner = self.pad_owner, None
        if owner is not None and pad:
            owner.fields.append(Field("padding", "Pad", pad.hex(":"), text=pad.hex(" ")))


# --- text helpers (Pcap4J's renderings) --------------------------------------------------------


def _mac(raw: bytes) -> str:
    return raw.hex(":")


def _ip4(raw: bytes) -> str:
    return socket.inet_ntoa(raw)


def _ip6(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET6, raw)


def _java4(raw: bytes) -> str:
    """Pcap4J prints an InetAddress with Java's toString(): a leading slash."""
    return "/" + socket.inet_ntoa(raw)


def _java6(raw: bytes) -> str:
    """Java writes IPv6 addresses uncompressed: ``/fe80:0:0:0:0:0:0:1``."""
    return "/" + ":".join(f"{g:x}" for g in struct.unpack("!8H", raw))


def _named(value: int, names: dict[int, str]) -> str:
    """Pcap4J's NamedNumber: ``6 (TCP)``, ``12345 (unknown)``."""
    return f"{value} ({names.get(value, 'unknown')})"


def _hex_named(value: int, names: dict[int, str], width: int = 4) -> str:
    """``0x0800 (IPv4)``."""
    return f"0x{value:0{width}x} ({names.get(value, 'unknown')})"


def _hex(value: int, width: int = 4) -> str:
    return f"0x{value:0{width}x}"


def _addr_field(key: str, label: str, raw: bytes) -> Field:
    if len(raw) == 4:
        return Field(key, label, _ip4(raw), text=_java4(raw))
    if len(raw) == 16:
        return Field(key, label, _ip6(raw), text=_java6(raw))
    return Field(key, label, raw.hex(":"))


def _port(key: str, label: str, port: int, names: dict[int, str]) -> Field:
    return Field(key, label, port, text=_named(port, names))


def _checksum(key: str, value: int, width: int = 4, label: str = "Checksum") -> Field:
    return Field(key, label, value, text=_hex(value, width))


def _flag(key: str, label: str, on: int | bool) -> Field:
    return Field(key, label, bool(on))


ETHERTYPE_NAMES = {
    0x0800: "IPv4", 0x0806: "ARP", 0x8035: "RARP", 0x8100: "IEEE 802.1Q VLAN-tagged frames",
    0x88A8: "IEEE 802.1ad", 0x9100: "QinQ", 0x9200: "QinQ", 0x86DD: "IPv6", 0x880B: "PPP",
    0x8847: "MPLS", 0x8848: "MPLS multicast", 0x8863: "PPPoE Discovery Stage",
    0x8864: "PPPoE Session Stage", 0x888E: "EAPOL", 0x88CC: "LLDP", 0x6558: "Transparent Ethernet Bridging",
    0x809B: "Appletalk", 0x80F3: "AARP", 0x8137: "IPX", 0x88BE: "ERSPAN", 0x2000: "CDP",
    0x8809: "Slow Protocols", 0x88F7: "PTP", 0x9000: "Loopback", 0xFEFE: "OSI",
}  # fmt: skip

IP_PROTOCOL_NAMES = {
    0: "IPv6 Hop-by-Hop Option", 1: "ICMPv4", 2: "IGMP", 4: "IPv4", 6: "TCP", 17: "UDP", 41: "IPv6",
    43: "Routing Header for IPv6", 44: "Fragment Header for IPv6", 46: "RSVP", 47: "GRE", 50: "ESP",
    51: "AH", 58: "ICMPv6", 59: "No Next Header for IPv6", 60: "Destination Options for IPv6",
    88: "EIGRP", 89: "OSPFIGP", 103: "PIM", 112: "VRRP", 132: "SCTP", 135: "Mobility Header",
    136: "UDPLite", 137: "MPLS-in-IP", 143: "Ethernet",
}  # fmt: skip

TCP_PORT_NAMES = {
    20: "FTP Data", 21: "FTP", 22: "SSH", 23: "Telnet", 25: "SMTP", 53: "Domain", 80: "HTTP", 110: "POP3",
    111: "Sun RPC", 119: "NNTP", 139: "NetBIOS Session Service", 143: "IMAP", 179: "BGP", 389: "LDAP",
    443: "HTTPS", 445: "Microsoft-DS", 465: "SMTPS", 554: "RTSP", 587: "Submission", 636: "LDAPS",
    853: "DNS over TLS", 993: "IMAPS", 995: "POP3S", 1723: "PPTP", 3306: "MySQL", 3389: "RDP",
    5060: "SIP", 8080: "HTTP Alternate", 8443: "HTTPS Alternate",
}  # fmt: skip

UDP_PORT_NAMES = {
    53: "Domain", 67: "BOOTP Server", 68: "BOOTP Client", 69: "TFTP", 123: "NTP", 137: "NetBIOS Name Service",
    138: "NetBIOS Datagram Service", 161: "SNMP", 162: "SNMP Trap", 500: "ISAKMP", 514: "Syslog",
    520: "RIP", 546: "DHCPv6 Client", 547: "DHCPv6 Server", 1812: "RADIUS", 1813: "RADIUS Accounting",
    1900: "SSDP", 2123: "GTP-C", 2152: "GTP-U", 3784: "BFD", 4500: "IPsec NAT-T", 4789: "VXLAN",
    5060: "SIP", 5353: "mDNS", 6081: "Geneve",
}  # fmt: skip


# --- link layers -------------------------------------------------------------------------------

_ETHERTYPE_NEXT = {
    0x0800: "ip", 0x86DD: "ipv6", 0x0806: "arp", 0x8035: "arp", 0x8100: "vlan", 0x88A8: "vlan",
    0x9100: "vlan", 0x9200: "vlan", 0x8847: "mpls", 0x8848: "mpls", 0x8863: "pppoed", 0x8864: "pppoes",
    0x6558: "eth", 0x880B: "ppp_hdlc", 0xD28B: "avsp",
}  # fmt: skip


def _after_ethertype(d: _Decoding, etype: int, rest: bytes) -> _Step:
    """The layer an ethertype (or an 802.3 length) announces."""
    if etype < 0x0600:  # IEEE 802.3: a length, and an LLC frame of that length follows
        d.claim_padding(rest[etype:])
        return "llc", rest[:etype]
    return _ETHERTYPE_NEXT.get(etype), rest


def _eth(d: _Decoding, buf: bytes) -> _Step:
    eth = _header(ethernet.Ethernet, buf, "eth", "an Ethernet header")
    etype = eth.type
    if etype >= 0x0600:
        title, kind = "Ethernet Header", Field("type", "Type", etype, text=_hex_named(etype, ETHERTYPE_NAMES))
    else:
        title, kind = "IEEE802.3 Header", Field("len", "Length", etype, text=f"{etype} [bytes]")
    layer = d.add(
        Layer(
            "eth",
            title,
            14,
            [
                Field("dst", "Destination address", _mac(eth.dst)),
                Field("src", "Source address", _mac(eth.src)),
                kind,
            ],
        )
    )
    d.pad_owner = layer
    return _after_ethertype(d, etype, buf[14:])


def _vlan(d: _Decoding, buf: bytes) -> _Step:
    tag = _header(ethernet.VLANtag8021Q, buf, "vlan", "an 802.1Q tag")
    d.add(
        Layer(
            "vlan",
            "IEEE802.1Q Tag",
            4,
            [
                Field("priority", "Priority", tag.pri),
                Field("dei", "CFI", tag.cfi),
                Field("id", "VID", tag.id),
                Field("etype", "Type", tag.type, text=_hex_named(tag.type, ETHERTYPE_NAMES)),
            ],
        )
    )
    return _after_ethertype(d, tag.type, buf[4:])


_AVSP_SUBTYPES = {1: "timestamp"}
# version: TAI (0x00..) or UTC (0x01..) clock; 64-bit (seconds, nanoseconds) or 48-bit (2-byte seconds)
_AVSP_TIMESTAMPS = {0x0010: ("64", "!II", "TAI"), 0x0110: ("64", "!II", "UTC"),
                    0x0020: ("48", "!HI", "TAI"), 0x0120: ("48", "!HI", "UTC")}  # fmt: skip


def _avsp(d: _Decoding, buf: bytes) -> _Step:
    """Arista's vendor-specific header (ethertype 0xd28b): a timestamp, then the ethertype of the rest."""
    h = _header(extra.AristaVSP, buf, "avsp", "an Arista vendor-specific header")
    fields = [
        Field("sub_type", "Sub Type", h.subtype, text=_named(h.subtype, _AVSP_SUBTYPES)),
        Field("ver", "Version", h.version, text=_hex(h.version)),
    ]
    timestamp = _AVSP_TIMESTAMPS.get(h.version) if h.subtype == 1 else None
    if timestamp is None:  # another subtype, or a timestamp format Wireshark does not know either
        d.add(Layer("avsp", "Arista Vendor Specific Header", 4, fields))
        return None, buf[4:]
    bits, fmt, clock = timestamp
    size = 4 + struct.calcsize(fmt)
    _need(buf, size + 2, "avsp", "an Arista timestamp header")
    seconds, nanoseconds = struct.unpack_from(fmt, buf, 4)
    etype = int.from_bytes(buf[size : size + 2], "big")
    fields += [
        Field(f"{bits}sec", f"Seconds ({clock})", seconds),
        Field(f"{bits}ns", "Nanoseconds", nanoseconds),
        Field("etype", "Type", etype, text=_hex_named(etype, ETHERTYPE_NAMES)),
    ]
    d.add(Layer("avsp", "Arista Vendor Specific Header", size + 2, fields))
    return _after_ethertype(d, etype, buf[size + 2 :])


_SAP_NAMES = {
    0x00: "NULL LSAP", 0x06: "IP", 0x42: "Spanning Tree BPDU", 0xAA: "SNAP", 0xE0: "NetWare", 0xF0: "NetBIOS",
    0xFE: "ISO Network Layer", 0xFF: "Global DSAP",
}  # fmt: skip


def _llc(d: _Decoding, buf: bytes) -> _Step:
    head = _header(llc.LLC, buf, "llc", "an LLC header")
    fields = [
        Field("dsap", "DSAP", head.dsap, text=_hex_named(head.dsap, _SAP_NAMES, 2)),
        Field("ssap", "SSAP", head.ssap, text=_hex_named(head.ssap & 0xFE, _SAP_NAMES, 2)),
    ]
    if head.dsap == 0xAA and head.ssap == 0xAA and head.ctl == 0x03:
        snap = _header(extra.SNAP, buf[3:], "llc", "a SNAP header")
        fields.append(Field("control", "Control", head.ctl, text=_hex(head.ctl, 2)))
        fields.append(Field("oui", "OUI", snap.oui.hex(":")))
        fields.append(Field("pid", "Protocol ID", snap.type, text=_hex_named(snap.type, ETHERTYPE_NAMES)))
        d.add(Layer("llc", "IEEE802.2 LLC Header", 8, fields))
        if snap.oui == b"\x00\x00\x0c":  # Cisco's OUI: its own protocol ids, not ethertypes
            return ("stp" if snap.type == 0x010B else None), buf[8:]  # 0x010b: PVST+ BPDUs
        return _after_ethertype(d, snap.type, buf[8:]) if snap.type >= 0x0600 else (None, buf[8:])
    # I- and S-format frames have a 2-byte control field; U-format (low bits 11) has one byte
    size = 3 if head.ctl & 0x03 == 0x03 else 4
    _need(buf, size, "llc", "an LLC header")
    control = head.ctl if size == 3 else int.from_bytes(buf[2:4], "little")
    fields.append(Field("control", "Control", control, text=_hex(control, 2 * (size - 2))))
    d.add(Layer("llc", "IEEE802.2 LLC Header", size, fields))
    if head.dsap == 0x42 and size == 3:
        return "stp", buf[3:]
    if head.dsap == 0x06 and size == 3:
        return "ip", buf[3:]
    return None, buf[size:]


_STP_TYPES = {
    0x00: "Configuration",
    0x02: "Rapid/Multiple Spanning Tree",
    0x80: "Topology Change Notification",
}


def _stp(d: _Decoding, buf: bytes) -> _Step:
    _need(buf, 4, "stp", "an STP BPDU")
    version, bpdu_type = buf[2], buf[3]
    fields = [
        Field("protocol", "Protocol Identifier", int.from_bytes(buf[:2], "big")),
        Field("version", "Protocol Version Identifier", version),
        Field("type", "BPDU Type", bpdu_type, text=_hex_named(bpdu_type, _STP_TYPES, 2)),
    ]
    if bpdu_type == 0x80:
        d.add(Layer("stp", "STP BPDU", 4, fields))
        return None, buf[4:]
    bpdu = _header(stp.STP, buf, "stp", "an STP configuration BPDU")
    fields += [
        Field("flags", "BPDU Flags", bpdu.flags, text=_hex(bpdu.flags, 2)),
        Field("root.prio", "Root Bridge Priority", int.from_bytes(bpdu.root_id[:2], "big")),
        Field("root.hw", "Root Bridge System ID", _mac(bpdu.root_id[2:])),
        Field("root.cost", "Root Path Cost", bpdu.root_path),
        Field("bridge.prio", "Bridge Priority", int.from_bytes(bpdu.bridge_id[:2], "big")),
        Field("bridge.hw", "Bridge System ID", _mac(bpdu.bridge_id[2:])),
        Field("port", "Port Identifier", bpdu.port_id, text=_hex(bpdu.port_id)),
        Field("msg_age", "Message Age", bpdu.age),
        Field("max_age", "Max Age", bpdu.max_age),
        Field("hello", "Hello Time", bpdu.hello),
        Field("forward", "Forward Delay", bpdu.fd),
    ]
    d.add(Layer("stp", "STP BPDU", 35, fields))
    return None, buf[35:]


_SLL_PACKET_TYPES = {
    0: "Unicast to us", 1: "Broadcast", 2: "Multicast", 3: "Unicast to another host", 4: "Sent by us",
}  # fmt: skip
_ARP_HARDWARE_NAMES = {
    1: "Ethernet (10Mb)",
    6: "IEEE 802 Networks",
    7: "ARCNET",
    24: "IEEE 1394",
    32: "InfiniBand",
    772: "Loopback",
}


def _sll_address(halen: int, raw: bytes) -> Field:
    addr = raw[: min(halen, 8)]
    if halen == 6:
        return Field("src.eth", "Address", _mac(addr))
    return Field("src.unknown", "Address", addr.hex(":"))


def _sll_next(d: _Decoding, proto: int, rest: bytes) -> _Step:
    if proto >= 0x0600:
        return _ETHERTYPE_NEXT.get(proto), rest
    if proto == 0x0004:  # LINUX_SLL_P_802_2: an LLC frame follows
        return "llc", rest
    return None, rest


def _sll(d: _Decoding, buf: bytes) -> _Step:
    s = _header(sll.SLL, buf, "sll", "a Linux cooked-mode header")
    d.add(
        Layer(
            "sll",
            "Linux SLL Header",
            16,
            [
                Field("pkttype", "Packet Type", s.type, text=_named(s.type, _SLL_PACKET_TYPES)),
                Field("hatype", "Address Type", s.hrd, text=_named(s.hrd, _ARP_HARDWARE_NAMES)),
                Field("halen", "Address Length", s.hlen),
                _sll_address(s.hlen, s.hdr),
                Field(
                    "etype" if s.ethtype >= 0x0600 else "ltype",
                    "Protocol",
                    s.ethtype,
                    text=_hex_named(s.ethtype, ETHERTYPE_NAMES),
                ),
            ],
        )
    )
    return _sll_next(d, s.ethtype, buf[16:])


def _sll2(d: _Decoding, buf: bytes) -> _Step:
    s = _header(sll2.SLL2, buf, "sll", "a Linux cooked-mode v2 header")
    d.add(
        Layer(
            "sll",
            "Linux SLL2 Header",
            20,
            [
                Field(
                    "etype" if s.ethtype >= 0x0600 else "ltype",
                    "Protocol",
                    s.ethtype,
                    text=_hex_named(s.ethtype, ETHERTYPE_NAMES),
                ),
                Field("reserved", "Reserved", s.mbz),
                Field("ifindex", "Interface Index", s.intindex),
                Field("hatype", "Address Type", s.hrd, text=_named(s.hrd, _ARP_HARDWARE_NAMES)),
                Field("pkttype", "Packet Type", s.type, text=_named(s.type, _SLL_PACKET_TYPES)),
                Field("halen", "Address Length", s.hlen),
                _sll_address(s.hlen, s.hdr),
            ],
        )
    )
    return _sll_next(d, s.ethtype, buf[20:])


_FAMILY_NAMES = {2: "PF_INET", 10: "PF_INET6", 24: "PF_INET6", 28: "PF_INET6", 30: "PF_INET6"}


def _family(d: _Decoding, buf: bytes, family: int) -> _Step:
    d.add(
        Layer(
            "null",
            "BSD Loopback Header",
            4,
            [
                Field("family", "Protocol Family", family, text=_named(family, _FAMILY_NAMES)),
            ],
        )
    )
    if family == 2:
        return "ip", buf[4:]
    if family in (10, 24, 28, 30):
        return "ipv6", buf[4:]
    return None, buf[4:]


def _null(d: _Decoding, buf: bytes) -> _Step:
    # dpkt's Loopback reads the family in this machine's byte order; DLT_NULL's is the capturing
    # host's, so read it as lean.py does: little-endian, unless that makes no sense.
    _need(buf, 4, "null", "a BSD loopback header")
    family = int.from_bytes(buf[:4], "little")
    if family > 0xFFFF:
        family = int.from_bytes(buf[:4], "big")
    return _family(d, buf, family)


def _loop(d: _Decoding, buf: bytes) -> _Step:
    _need(buf, 4, "null", "a BSD loopback header")
    return _family(d, buf, int.from_bytes(buf[:4], "big"))  # DLT_LOOP: always network byte order


def _raw(d: _Decoding, buf: bytes) -> _Step:
    _need(buf, 1, "ip", "an IP header")
    version = buf[0] >> 4
    if version == 4:
        return "ip", buf
    if version == 6:
        return "ipv6", buf
    raise _Bad("ip", f"not an IP packet: version {version}")


_PPP_PROTOCOL_NAMES = {
    0x0021: "IPv4", 0x0057: "IPv6", 0x0281: "MPLS", 0x002D: "Van Jacobson Compressed TCP/IP",
    0x002F: "Van Jacobson Uncompressed TCP/IP", 0x003D: "Multilink", 0x00FD: "Compressed datagram",
    0x8021: "IPCP", 0x8057: "IPv6CP", 0x80FD: "CCP", 0x8281: "MPLSCP", 0xC021: "LCP", 0xC023: "PAP",
    0xC025: "Link Quality Report", 0xC223: "CHAP", 0xC227: "EAP",
}  # fmt: skip
_PPP_NEXT = {0x0021: "ip", 0x0057: "ipv6", 0x0281: "mpls"}


def _ppp_protocol(buf: bytes, offset: int, first: int) -> tuple[int, int]:
    """The PPP protocol and its size: one byte when compressed (RFC 1661 PFC: the low bit is set)."""
    if first & 0x01:
        return first, 1
    _need(buf, offset + 2, "ppp", "a PPP header")
    return (first << 8) | buf[offset + 1], 2


def _ppp_layer(d: _Decoding, buf: bytes, title: str, fields: list[Field], offset: int, first: int) -> _Step:
    proto, size = _ppp_protocol(buf, offset, first)
    fields.append(Field("protocol", "Protocol", proto, text=_hex_named(proto, _PPP_PROTOCOL_NAMES)))
    d.add(Layer("ppp", title, offset + size, fields))
    return _PPP_NEXT.get(proto), buf[offset + size :]


def _ppp_addressed(d: _Decoding, buf: bytes) -> _Step:
    """PPP in HDLC-like framing (RFC 1662): address and control bytes, then the protocol."""
    head = _header(ppp.PPP, buf, "ppp", "a PPP header")
    fields = [
        Field("address", "Address", head.addr, text=_hex(head.addr, 2)),
        Field("control", "Control", head.cntrl, text=_hex(head.cntrl, 2)),
    ]
    return _ppp_layer(d, buf, "HDLC-encapsulated PPP Header", fields, 2, head.p)


def _ppp_hdlc(d: _Decoding, buf: bytes) -> _Step:
    """PPP as DLT_PPP and GRE carry it: address and control bytes, unless compressed away."""
    return _ppp_addressed(d, buf) if buf[:2] == b"\xff\x03" else _ppp(d, buf)


def _ppp(d: _Decoding, buf: bytes) -> _Step:
    """PPP with the protocol field alone, as PPPoE carries it."""
    head = _header(pppoe.PPP, buf, "ppp", "a PPP header")
    return _ppp_layer(d, buf, "PPP Header", [], 0, head.p)


def _ppp_serial(d: _Decoding, buf: bytes) -> _Step:
    """DLT_PPP_SERIAL: always address and control bytes; frames starting 0x0f or 0x8f are Cisco HDLC."""
    _need(buf, 1, "ppp", "a PPP header")
    if buf[0] in (0x0F, 0x8F):
        return "chdlc", buf
    return _ppp_addressed(d, buf)


_CHDLC_ADDRESSES = {0x0F: "Unicast", 0x8F: "Multicast"}
_CHDLC_NEXT = {etype: key for etype, key in _ETHERTYPE_NEXT.items() if etype != 0x8035}  # 0x8035: SLARP


def _chdlc(d: _Decoding, buf: bytes) -> _Step:
    h = _header(extra.CHDLC, buf, "chdlc", "a Cisco HDLC header")
    d.add(
        Layer(
            "chdlc",
            "Cisco HDLC Header",
            4,
            [
                Field("address", "Address", h.address, text=_hex_named(h.address, _CHDLC_ADDRESSES, 2)),
                Field("control", "Control", h.control, text=_hex(h.control, 2)),
                Field("protocol", "Protocol", h.type, text=_hex_named(h.type, ETHERTYPE_NAMES)),
            ],
        )
    )
    return _CHDLC_NEXT.get(h.type), buf[4:]


_PPPOE_CODES = {0x00: "Session Data", 0x07: "PADO", 0x09: "PADI", 0x19: "PADR", 0x65: "PADS", 0xA7: "PADT"}
_PPPOE_TAGS = {
    0x0000: "End-Of-List", 0x0101: "Service-Name", 0x0102: "AC-Name", 0x0103: "Host-Uniq",
    0x0104: "AC-Cookie",
    0x0105: "Vendor-Specific", 0x0110: "Relay-Session-Id", 0x0120: "PPP-Max-Payload",
    0x0201: "Service-Name-Error", 0x0202: "AC-System-Error", 0x0203: "Generic-Error",
}  # fmt: skip


def _pppoe_tags(body: bytes) -> list[dict]:
    tags = []
    pos = 0
    while pos + 4 <= len(body):
        tag_type, tag_len = struct.unpack_from("!HH", body, pos)
        value = body[pos + 4 : pos + 4 + tag_len]
        text = (
            value.decode("ascii") if value.isascii() and value.decode("ascii").isprintable() else value.hex()
        )
        tags.append(
            {"type": tag_type, "name": _PPPOE_TAGS.get(tag_type, "unknown"), "length": tag_len, "value": text}
        )
        pos += 4 + tag_len
        if tag_type == 0:
            break
    return tags


def _pppoe(d: _Decoding, buf: bytes) -> _Step:
    p = _header(pppoe.PPPoE, buf, "pppoe", "a PPPoE header")
    end = 6 + p.len
    body = buf[6:end]
    d.claim_padding(buf[end:])
    fields = [
        Field("version", "Version", p.v),
        Field("type", "Type", p.type),
        Field("code", "Code", p.code, text=_hex_named(p.code, _PPPOE_CODES, 2)),
        Field("session_id", "Session ID", p.session, text=_hex(p.session)),
        Field("payload_length", "Length", p.len),
    ]
    if p.code == 0:
        d.add(Layer("pppoes", "PPPoE Header", 6, fields))
        return "ppp", body
    tags = _pppoe_tags(body)
    fields.append(Field("tags", "Tags", tags, text=" ".join(f"[{t['name']}: {t['value']}]" for t in tags)))
    d.add(Layer("pppoed", "PPPoE Header", 6 + len(body), fields))
    return None, b""


# --- other link types: ARCNET, Frame Relay, IPoIB, Solaris ipnet, PPI, PKTAP, Juniper -------------

_ARCNET_PROTOCOLS = {
    0x00: "Datapoint boot", 0x01: "Datapoint mount", 0x08: "PowerLAN beacon", 0x80: "Diagnose",
    0xC4: "IPv6", 0xCD: "BACnet", 0xD4: "RFC 1201 IP", 0xD5: "RFC 1201 ARP", 0xD6: "RFC 1201 RARP",
    0xDD: "Appletalk", 0xE8: "Ethertalk", 0xF0: "RFC 1051 IP", 0xF1: "RFC 1051 ARP",
    0xF3: "PowerLAN beacon 2", 0xF7: "Banyan", 0xFA: "IPX",
}  # fmt: skip
_ARCNET_NEXT = {0xF0: "ip", 0xD4: "ip", 0xC4: "ipv6", 0xF1: "arp", 0xD5: "arp", 0xD6: "arp", 0xCD: "llc"}
_ARCNET_UNSPLIT = frozenset((0xF0, 0xF1, 0x80, 0xCD))  # no RFC 1201 split flag after these protocol IDs


def _arcnet(d: _Decoding, buf: bytes) -> _Step:
    """LINKTYPE_ARCNET_LINUX: station IDs, offset, protocol ID, and RFC 1201's split flag and sequence."""
    h = _header(extra.ARCNETLinux, buf, "arcnet", "an ARCNET header")
    fields = [
        Field("src", "Source", h.src, text=_hex(h.src, 2)),
        Field("dst", "Destination", h.dst, text=_hex(h.dst, 2)),
        Field("offset", "Offset", h.offset.hex()),
        Field("protID", "Protocol ID", h.type, text=_hex_named(h.type, _ARCNET_PROTOCOLS, 2)),
    ]
    size, first = 5, True
    if h.type not in _ARCNET_UNSPLIT:
        split = _header(extra.ARCNETSplit, buf[5:], "arcnet", "an RFC 1201 ARCNET header")
        fields.append(Field("split_flag", "Split Flag", split.split_flag))
        fields.append(Field("sequence", "Sequence", split.sequence))
        size = 8
        first = split.split_flag == 0 or bool(split.split_flag & 1)  # even and not 0: a later fragment
    d.add(Layer("arcnet", "ARCNET Header", size, fields))
    return (_ARCNET_NEXT.get(h.type) if first else None), buf[size:]


_NLPID_NAMES = {
    0x08: "Q.933", 0x80: "SNAP", 0x81: "ISO CLNP", 0x82: "ISO ES-IS", 0x83: "ISO IS-IS", 0x8E: "IPv6",
    0xB0: "Data Compression Protocol", 0xB1: "Frame Relay Fragmentation", 0xCC: "IPv4", 0xCF: "PPP",
}  # fmt: skip
_NLPID_NEXT = {0xCC: "ip", 0x8E: "ipv6", 0xCF: "ppp"}
_NLPID_IN_PDU = frozenset((0x08, 0x81, 0x82, 0x83))  # OSI protocols count the NLPID as their PDU's first byte
_XDLC_UI = 0x03
_XDLC_XID = 0xAF


def _q922_address(buf: bytes) -> tuple[list[Field], int, int]:
    """The fields, the DLCI and the size of a Q.922 address: 2 to 4 octets, the last with its EA bit set."""
    a = _header(extra.Q922Address, buf, "fr", "a Frame Relay address")
    if a.ea1:
        raise _Bad("fr", "bad Q.922 address: the EA bit of its first octet is set")
    dlci, size = (a.upper_dlci << 4) | a.second_dlci, 2
    fields = [
        _flag("cr", "C/R", a.cr),
        _flag("fecn", "FECN", a.fecn),
        _flag("becn", "BECN", a.becn),
        _flag("de", "DE", a.de),
    ]
    if not a.ea2:  # 3 or 4 octets: 7 more DLCI bits, then 6 more or a DL-CORE control
        _need(buf, 3, "fr", "a 3-octet Frame Relay address")
        octet = buf[2]
        if not octet & 0x01:
            _need(buf, 4, "fr", "a 4-octet Frame Relay address")
            dlci, size, octet = (dlci << 7) | (octet >> 1), 3, buf[3]
            if not octet & 0x01:
                raise _Bad("fr", "bad Q.922 address: longer than 4 octets")
        size += 1
        if octet & 0x02:
            fields.append(Field("dlcore_control", "DL-CORE Control", octet >> 2))
        else:
            dlci = (dlci << 6) | (octet >> 2)
    return [Field("dlci", "DLCI", dlci), *fields], dlci, size


def _fr(d: _Decoding, buf: bytes) -> _Step:
    """LINKTYPE_FRELAY: a Q.922 address, then RFC 2427's control byte and NLPID, or Cisco's ethertype."""
    fields, dlci, size = _q922_address(buf)
    _need(buf, size + 1, "fr", "a Frame Relay header")
    control = buf[size]
    if control != _XDLC_UI and dlci != 0 and control != _XDLC_XID:
        # not an unnumbered information frame: Cisco's encapsulation, a Cisco HDLC protocol type
        _need(buf, size + 2, "fr", "a Cisco Frame Relay header")
        etype = int.from_bytes(buf[size : size + 2], "big")
        fields.append(Field("chdlctype", "Type", etype, text=_hex_named(etype, ETHERTYPE_NAMES)))
        d.add(Layer("fr", "Frame Relay Header", size + 2, fields))
        return _CHDLC_NEXT.get(etype), buf[size + 2 :]
    fields.append(Field("control", "Control Field", control, text=_hex(control, 2)))
    pos = size + 1
    if control != _XDLC_UI:  # LAPF signalling on DLCI 0, or an XID frame
        d.add(Layer("fr", "Frame Relay Header", pos, fields))
        return None, buf[pos:]
    _need(buf, pos + 1, "fr", "a Frame Relay NLPID")
    if buf[pos] == 0:  # a padding byte, to align what follows
        pos += 1
        _need(buf, pos + 1, "fr", "a Frame Relay NLPID")
    nlpid = buf[pos]
    fields.append(Field("nlpid", "NLPID", nlpid, text=_hex_named(nlpid, _NLPID_NAMES, 2)))
    if nlpid in _NLPID_IN_PDU:
        d.add(Layer("fr", "Frame Relay Header", pos, fields))
        return None, buf[pos:]
    pos += 1
    if nlpid != 0x80:
        d.add(Layer("fr", "Frame Relay Header", pos, fields))
        return _NLPID_NEXT.get(nlpid), buf[pos:]
    snap = _header(extra.SNAP, buf[pos:], "fr", "a SNAP header")
    oui = int.from_bytes(snap.oui, "big")
    fields.append(Field("snap.oui", "Organization Code", oui, text=_hex(oui, 6)))
    if oui == 0:
        fields.append(Field("snaptype", "Type", snap.type, text=_hex_named(snap.type, ETHERTYPE_NAMES)))
        key = _ETHERTYPE_NEXT.get(snap.type)
    else:
        fields.append(Field("snap.pid", "Protocol ID", snap.type, text=_hex(snap.type)))
        key = "eth" if (oui, snap.type) == (0x0080C2, 0x0007) else None  # bridged Ethernet, no FCS
    d.add(Layer("fr", "Frame Relay Header", pos + 5, fields))
    return key, buf[pos + 5 :]


_IPOIB_NEXT = {0x0800: "ip", 0x86DD: "ipv6", 0x0806: "arp", 0x8035: "arp"}


def _ipoib(d: _Decoding, buf: bytes) -> _Step:
    """LINKTYPE_IPOIB as Linux writes it (and tshark and tcpdump read it): 40 bytes of a GRH or of the
    destination hardware address, then RFC 4391's 4-byte encapsulation header. A frame that starts
    with that 4-byte header itself (a known ethertype, 2 zero bytes) has no pseudo-header: neither a
    GRH (version 6 first) nor the address form (2 zero bytes first) can start that way."""
    _need(buf, 4, "ipoib", "an IPoIB header")
    pseudo, fields = 40, []
    if buf[2:4] == b"\x00\x00" and int.from_bytes(buf[:2], "big") in _IPOIB_NEXT:
        pseudo = 0
    elif buf[:2] == b"\x00\x00":  # no GRH: only the destination address, in the second 20 bytes
        _need(buf, 44, "ipoib", "an IPoIB pseudo-header and header")
        a = _header(extra.IPoIBDestination, buf, "ipoib", "an IPoIB destination address")
        fields = [
            Field("daddr.qpn", "Destination QPN", a.qpn, text=_hex(a.qpn, 6)),
            _addr_field("dgid", "Destination GID", a.dgid),
        ]
    else:
        _need(buf, 44, "ipoib", "an IPoIB pseudo-header and header")
        g = _header(extra.IPoIBGRH, buf, "ipoib", "an IPoIB global route header")
        fields = [
            Field("grh.ipver", "IP Version", g.version),
            Field("grh.tclass", "Traffic Class", g.tclass),
            Field("grh.flowlabel", "Flow Label", g.flowlabel),
            Field("grh.sqpn", "Source QPN", g.sqpn, text=_hex(g.sqpn, 6)),
            _addr_field("grh.sgid", "Source GID", g.sgid),
            _addr_field("dgid", "Destination GID", g.dgid),
        ]
    h = _header(extra.IPoIB, buf[pseudo:], "ipoib", "an IPoIB header")
    fields.append(Field("type", "Type", h.type, text=_hex_named(h.type, ETHERTYPE_NAMES)))
    fields.append(Field("reserved", "Reserved", h.reserved, text=_hex(h.reserved)))
    d.add(Layer("ipoib", "IPoIB Header", pseudo + 4, fields))
    return _IPOIB_NEXT.get(h.type), buf[pseudo + 4 :]


_IPNET_FAMILIES = {2: "AF_INET", 26: "AF_INET6"}
_IPNET_HOOKS = {0: "Inbound", 1: "Outbound", 2: "Local"}


def _ipnet(d: _Decoding, buf: bytes) -> _Step:
    """LINKTYPE_IPNET: Solaris' 24-byte dl_ipnetinfo header, then an IPv4 or IPv6 packet."""
    h = _header(extra.IPNET, buf, "ipnet", "a Solaris ipnet header")
    d.add(
        Layer(
            "ipnet",
            "IPNET Header",
            24,
            [
                Field("version", "Header version", h.version),
                Field("family", "Address family", h.family, text=_named(h.family, _IPNET_FAMILIES)),
                Field("htype", "Hook type", h.htype, text=_named(h.htype, _IPNET_HOOKS)),
                Field("pktlen", "Data length", h.pktlen),
                Field("ifindex", "Interface index", h.ifindex),
                Field("grifindex", "Group interface index", h.grifindex),
                Field("zsrc", "Source Zone ID", h.zsrc),
                Field("zdst", "Destination Zone ID", h.zdst),
            ],
        )
    )
    return {2: "ip", 26: "ipv6"}.get(h.family), buf[24:]


def _dlt_text(dlt: int) -> str:
    return f"{dlt} ({linktype_name(dlt)})"


def _ppi(d: _Decoding, buf: bytes) -> _Step:
    """LINKTYPE_PPI: a header with its length and the DLT of the frame after it, PPI fields between."""
    h = _header(extra.PPI, buf, "ppi", "a PPI header")
    if h.len < 8:
        raise _Bad("ppi", f"bad PPI header length {h.len}: less than the 8-byte minimum")
    _need(buf, h.len, "ppi", "the PPI header")
    fields = [
        Field("version", "Version", h.version),
        Field("flags", "Flags", h.flags, text=_hex(h.flags, 2)),
        Field("length", "Header length", h.len),
        Field("dlt", "DLT", h.dlt, text=_dlt_text(h.dlt)),
    ]
    pos, types, fcs = 8, [], False
    while pos + 4 <= h.len:
        f = _header(extra.PPIField, buf[pos : h.len], "ppi", "a PPI field header")
        if pos + 4 + f.len > h.len:
            raise _Bad("ppi", f"PPI field {f.type} runs past the header: {f.len} bytes at byte {pos + 4}")
        types.append(f.type)
        if f.type == 2:  # 802.11-Common
            field = buf[pos + 4 : pos + 4 + f.len]
            c = _header(extra.PPI80211Common, field, "ppi", "a PPI 802.11-Common field")
            fcs = bool(c.flags & 0x0001)
            key, signal, noise = "80211-common.", c.dbm_antsignal, c.dbm_antnoise
            fields += [
                Field(key + "tsft", "TSFT", c.tsft),
                Field(key + "flags", "Flags", c.flags, text=_hex(c.flags)),
                Field(key + "rate", "Rate", c.rate / 2, text=f"{c.rate / 2} Mb/s"),
                Field(key + "chan.freq", "Channel Frequency", c.chan_freq, text=f"{c.chan_freq} MHz"),
                Field(key + "dbm.antsignal", "Antenna Signal", signal, text=f"{signal} dBm"),
                Field(key + "dbm.antnoise", "Antenna Noise", noise, text=f"{noise} dBm"),
            ]
        pos += 4 + f.len
    fields.append(Field("field_type", "Field types", types))
    d.add(Layer("ppi", "PPI Header", h.len, fields))
    frame = buf[h.len :]
    key = _LINKTYPES.get(h.dlt)
    if fcs and key == "wlan" and len(frame) >= 4:
        d.wlan_fcs, frame = frame[-4:], frame[:-4]
    return (key if frame else None), frame


_PKTAP_MIN_LENGTH = 108  # sizeof(pktap_header_t)


def _cstring(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("utf-8", "backslashreplace")


def _pktap(d: _Decoding, buf: bytes) -> _Step:
    """LINKTYPE_PKTAP: Apple's header, with its length and the DLT of the frame after it."""
    h = _header(extra.PKTAP, buf, "pktap", "a PKTAP header")
    if h.len < _PKTAP_MIN_LENGTH:
        raise _Bad("pktap", f"bad PKTAP header length {h.len}: less than {_PKTAP_MIN_LENGTH}")
    _need(buf, h.len, "pktap", "the PKTAP header")
    i = _header(extra.PKTAPInfo, buf[12:], "pktap", "a PKTAP header")
    d.add(
        Layer(
            "pktap",
            "PKTAP Header",
            h.len,
            [
                Field("hdrlen", "Header length", h.len),
                Field("rectype", "Record type", h.rectype),
                Field("dlt", "DLT", h.dlt, text=_dlt_text(h.dlt)),
                Field("ifname", "Interface name", _cstring(i.ifname)),
                Field("flags", "Flags", i.flags, text=_hex(i.flags, 8)),
                Field("pfamily", "Protocol family", i.pfamily),
                Field("llhdrlen", "Link-layer header length", i.llhdrlen),
                Field("lltrlrlen", "Link-layer trailer length", i.lltrlrlen),
                Field("pid", "Process ID", i.pid),
                Field("cmdname", "Command name", _cstring(i.cmdname)),
                Field("svc_class", "Service class", i.svc_class),
                Field("iftype", "Interface type", i.iftype),
                Field("ifunit", "Interface unit", i.ifunit),
                Field("epid", "Effective process ID", i.epid),
                Field("ecmdname", "Effective command name", _cstring(i.ecmdname)),
            ],
        )
    )
    frame = buf[h.len :]
    if h.rectype != 1 or not frame:  # 1: a packet; others carry no frame
        return None, frame
    return _LINKTYPES.get(h.dlt), frame


_JUNIPER_EXTENSIONS = {
    1: ("ext.ifd", "Device Interface Index"), 3: ("ext.ifmt", "Device Media Type"),
    4: ("ext.ifl", "Logical Interface Index"), 5: ("ext.unit", "Logical Unit Number"),
    6: ("ext.ifle", "Logical Interface Encapsulation"), 7: ("ext.ttp_ifmt", "TTP derived Device Media Type"),
    8: ("ext.ttp_ifle", "TTP derived Logical Interface Encapsulation"),
}  # fmt: skip
_JUNIPER_IN, _JUNIPER_NO_L2, _JUNIPER_EXT = 0x01, 0x02, 0x80
_JUNIPER_PROTOCOLS = {2: "ip", 6: "ipv6"}


def _juniper_ether(d: _Decoding, buf: bytes) -> _Step:
    """DLT_JUNIPER_ETHER: magic, flags, optional extension TLVs, then an Ethernet frame."""
    h = _header(extra.Juniper, buf, "juniper", "a Juniper header")
    if h.magic != b"MGC":
        raise _Bad("juniper", f"no Juniper magic number: 0x{h.magic.hex()}, not 0x4d4743")
    fields = [
        Field("magic-number", "Magic Number", 0x4D4743, text="0x4d4743"),
        Field("direction", "Direction", h.flags & _JUNIPER_IN, text="In" if h.flags & _JUNIPER_IN else "Out"),
        Field("l2hdr", "L2 header presence", int(bool(h.flags & _JUNIPER_NO_L2))),
    ]
    size = 4
    if h.flags & _JUNIPER_EXT:
        _need(buf, 6, "juniper", "a Juniper extension length")
        ext_len = int.from_bytes(buf[4:6], "big")
        fields.append(Field("ext_total_len", "Extension(s) Total length", ext_len))
        size = 6 + ext_len
        _need(buf, size, "juniper", "the Juniper extensions")
        pos = 6
        while pos + 2 <= size:
            tlv_type, tlv_len = buf[pos], buf[pos + 1]
            value = buf[pos + 2 : pos + 2 + tlv_len]
            known = _JUNIPER_EXTENSIONS.get(tlv_type)
            if known is not None and len(value) == tlv_len and tlv_len in (1, 2, 4):
                # types below 128 are little-endian, the others big-endian
                fields.append(Field(*known, int.from_bytes(value, "little" if tlv_type < 128 else "big")))
            pos += 2 + tlv_len
    if h.flags & _JUNIPER_NO_L2:  # no Ethernet header: a 4-byte protocol, then the packet
        _need(buf, size + 4, "juniper", "a Juniper protocol field")
        proto = int.from_bytes(buf[size : size + 4], "little")
        fields.append(Field("proto", "Protocol", proto))
        d.add(Layer("juniper", "Juniper Ethernet Header", size + 4, fields))
        return _JUNIPER_PROTOCOLS.get(proto), buf[size + 4 :]
    d.add(Layer("juniper", "Juniper Ethernet Header", size, fields))
    return "eth", buf[size:]


# --- 802.11 ------------------------------------------------------------------------------------

_RADIOTAP_FLAG_FCS = 0x10
_RADIOTAP_FLAG_DATAPAD = 0x20


def _radiotap(d: _Decoding, buf: bytes) -> _Step:
    head = _header(radiotap.Radiotap, buf, "radiotap", "a radiotap header")
    length = head.length
    if length < 8:
        raise _Bad("radiotap", f"bad radiotap length {length}: less than the 8-byte minimum")
    _need(buf, length, "radiotap", "the radiotap header")
    present = int.from_bytes(buf[4:8], "little")
    fields = [
        Field("version", "Version", head.version),
        Field("pad", "Padding", head.pad),
        Field("length", "Length", length),
        Field("present.word", "Present", present, text=_hex(present, 8)),
    ]
    flags = 0
    try:
        full = radiotap.Radiotap(buf[:length])
    except (dpkt.Error, struct.error, IndexError):
        full = None  # fields dpkt cannot read (vendor namespaces...): the 802.11 frame still follows
    if full is not None:
        if full.tsft_present:
            fields.append(Field("mactime", "TSFT", full.tsft.usecs))
        if full.flags_present:
            flags = full.flags.val
            fields.append(Field("flags", "Flags", flags, text=_hex(flags, 2)))
        if full.rate_present:
            fields.append(Field("datarate", "Rate", full.rate.val / 2, text=f"{full.rate.val / 2} Mb/s"))
        if full.channel_present:
            fields.append(
                Field("channel.freq", "Channel Frequency", full.channel.freq, text=f"{full.channel.freq} MHz")
            )
            fields.append(
                Field("channel.flags", "Channel Flags", full.channel.flags, text=_hex(full.channel.flags))
            )
        if full.ant_sig_present:
            fields.append(
                Field("dbm_antsignal", "Antenna Signal", full.ant_sig.db, text=f"{full.ant_sig.db} dBm")
            )
        if full.ant_noise_present:
            fields.append(
                Field("dbm_antnoise", "Antenna Noise", full.ant_noise.db, text=f"{full.ant_noise.db} dBm")
            )
        if full.ant_present:
            fields.append(Field("antenna", "Antenna", full.ant.index))
    frame = buf[length:]
    if flags & _RADIOTAP_FLAG_FCS and len(frame) >= 4:
        d.wlan_fcs, frame = frame[-4:], frame[:-4]
    d.wlan_datapad = bool(flags & _RADIOTAP_FLAG_DATAPAD)
    d.add(Layer("radiotap", "Radiotap Header", length, fields))
    return ("wlan" if frame else None), frame


_WLAN_SUBTYPES = {
    (0, 0): "Association Request", (0, 1): "Association Response", (0, 2): "Reassociation Request",
    (0, 3): "Reassociation Response", (0, 4): "Probe Request", (0, 5): "Probe Response",
    (0, 6): "Timing Advertisement", (0, 8): "Beacon", (0, 9): "ATIM", (0, 10): "Disassociation",
    (0, 11): "Authentication", (0, 12): "Deauthentication", (0, 13): "Action", (0, 14): "Action No Ack",
    (1, 2): "Trigger", (1, 4): "Beamforming Report Poll", (1, 5): "VHT NDP Announcement",
    (1, 7): "Control Wrapper", (1, 8): "Block Ack Request", (1, 9): "Block Ack", (1, 10): "PS-Poll",
    (1, 11): "RTS", (1, 12): "CTS", (1, 13): "ACK", (1, 14): "CF-End", (1, 15): "CF-End + CF-Ack",
    (2, 0): "Data", (2, 1): "Data + CF-Ack", (2, 2): "Data + CF-Poll", (2, 3): "Data + CF-Ack + CF-Poll",
    (2, 4): "Null Function", (2, 5): "CF-Ack", (2, 6): "CF-Poll", (2, 7): "CF-Ack + CF-Poll",
    (2, 8): "QoS Data", (2, 9): "QoS Data + CF-Ack", (2, 10): "QoS Data + CF-Poll",
    (2, 11): "QoS Data + CF-Ack + CF-Poll", (2, 12): "QoS Null", (2, 14): "QoS CF-Poll",
    (2, 15): "QoS CF-Ack + CF-Poll",
}  # fmt: skip
_DATA_CLASSES = {
    0: ieee80211.IEEE80211.Data, 1: ieee80211.IEEE80211.DataFromDS, 10: ieee80211.IEEE80211.DataToDS,
    11: ieee80211.IEEE80211.DataInterDS,
}  # fmt: skip


def _wlan_addresses(frame_type: int, subtype: int, ds: int, buf: bytes, what: str) -> tuple[list, int]:
    """Address fields and the MAC header length (before QoS, HT control and padding)."""
    ieee = ieee80211.IEEE80211
    if frame_type == 1:
        if subtype in (12, 13, 7):  # CTS, ACK, control wrapper: receiver only
            _need(buf, 10, "wlan", what)
            a = _header(ieee.ACK, buf[4:], "wlan", what)
            return [Field("ra", "Receiver address", _mac(a.dst))], 10
        _need(buf, 16, "wlan", what)
        a = _header(ieee.RTS, buf[4:], "wlan", what)
        return [
            Field("ra", "Receiver address", _mac(a.dst)),
            Field("ta", "Transmitter address", _mac(a.src)),
        ], 16
    if frame_type == 0:
        _need(buf, 24, "wlan", what)
        m = _header(ieee.MGMT_Frame, buf[4:], "wlan", what)
        return [
            Field("da", "Destination address", _mac(m.dst)),
            Field("sa", "Source address", _mac(m.src)),
            Field("bssid", "BSS Id", _mac(m.bssid)),
            Field("seq", "Sequence number", m.sequence_number),
            Field("frag", "Fragment number", m.fragment_number),
        ], 24
    _need(buf, 30 if ds == 11 else 24, "wlan", what)
    h = _header(_DATA_CLASSES[ds], buf[4:], "wlan", what)
    # dpkt names each address by its role: which of addr1..addr4 is which depends on To DS and From DS
    if ds == 0:
        addrs = (("ra", h.dst), ("ta", h.src), ("da", h.dst), ("sa", h.src), ("bssid", h.bssid))
    elif ds == 1:
        addrs = (("ra", h.dst), ("ta", h.bssid), ("da", h.dst), ("sa", h.src), ("bssid", h.bssid))
    elif ds == 10:
        addrs = (("ra", h.bssid), ("ta", h.src), ("da", h.dst), ("sa", h.src), ("bssid", h.bssid))
    else:
        addrs = (("ra", h.dst), ("ta", h.src), ("da", h.da), ("sa", h.sa))
    labels = {
        "ra": "Receiver address",
        "ta": "Transmitter address",
        "da": "Destination address",
        "sa": "Source address",
        "bssid": "BSS Id",
    }
    fields = [Field(key, labels[key], _mac(raw)) for key, raw in addrs]
    fields.append(Field("seq", "Sequence number", h.sequence_number))
    fields.append(Field("frag", "Fragment number", h.fragment_number))
    return fields, (30 if ds == 11 else 24)


def _wlan(d: _Decoding, buf: bytes) -> _Step:
    w = _header(ieee80211.IEEE80211, buf, "wlan", "an 802.11 header")
    frame_type, subtype, flags = w.type, w.subtype, buf[1]
    frame_control = int.from_bytes(buf[:2], "big")  # as Wireshark shows it: the bytes in wire order
    name = _WLAN_SUBTYPES.get((frame_type, subtype), f"Type {frame_type} Subtype {subtype}")
    what = f"an 802.11 {name} header"
    fields = [
        Field(
            "fc.type_subtype",
            "Type/Subtype",
            (frame_type << 4) | subtype,
            text=f"{name} ({frame_type}/{subtype})",
        ),
        Field("fc", "Frame Control", frame_control, text=_hex(frame_control)),
        Field("flags", "Flags", flags, text=_hex(flags, 2)),
        _flag("fc.tods", "To DS", w.to_ds),
        _flag("fc.fromds", "From DS", w.from_ds),
        _flag("fc.protected", "Protected Frame", w.wep),
        Field("duration", "Duration", int.from_bytes(buf[2:4], "little")),
    ]
    if frame_type == 3:
        d.add(Layer("wlan", f"IEEE802.11 {name} Header", 4, fields))
        return None, buf[4:]
    addresses, size = _wlan_addresses(frame_type, subtype, w.to_ds * 10 + w.from_ds, buf, what)
    fields += addresses
    qos = None
    if frame_type == 2 and subtype & 0x08:
        _need(buf, size + 2, "wlan", what)
        qos = int.from_bytes(buf[size : size + 2], "little")
        fields.append(Field("qos", "QoS Control", qos, text=_hex(qos)))
        size += 2
    if w.order and (qos is not None or frame_type == 0):  # +HTC: 4 bytes of HT control
        _need(buf, size + 4, "wlan", what)
        htc = int.from_bytes(buf[size : size + 4], "little")
        fields.append(Field("htc", "HT Control", htc, text=_hex(htc, 8)))
        size += 4
    if d.wlan_datapad and frame_type == 2:
        size = (size + 3) & ~3
    if d.wlan_fcs is not None:
        fcs = int.from_bytes(d.wlan_fcs, "little")
        fields.append(Field("fcs", "Frame Check Sequence", fcs, text=_hex(fcs, 8)))
    _need(buf, size, "wlan", what)
    d.add(Layer("wlan", f"IEEE802.11 {name} Header", size, fields))
    body = buf[size:]
    if frame_type == 0 and not w.wep:
        return ("wlan.mgt" if body else None), body
    if frame_type != 2 or w.wep or subtype & 0x04 or not body:
        return None, body  # control frames, encrypted bodies, null and CF-only frames: nothing to open
    if qos is not None and qos & 0x80:
        return None, body  # an A-MSDU: several subframes, left undecoded
    return "llc", body


# Fixed fields of management frame bodies, by subtype: (key, label, struct format), little-endian.
_MGMT_FIXED = {
    0: (("fixed.capabilities", "Capabilities", "H"), ("fixed.listen_ival", "Listen Interval", "H")),
    1: (("fixed.capabilities", "Capabilities", "H"), ("fixed.status_code", "Status code", "H"),
        ("fixed.aid", "Association ID", "H")),
    2: (("fixed.capabilities", "Capabilities", "H"), ("fixed.listen_ival", "Listen Interval", "H"),
        ("fixed.current_ap", "Current AP", "6s")),
    3: (("fixed.capabilities", "Capabilities", "H"), ("fixed.status_code", "Status code", "H"),
        ("fixed.aid", "Association ID", "H")),
    5: (("fixed.timestamp", "Timestamp", "Q"), ("fixed.beacon", "Beacon Interval", "H"),
        ("fixed.capabilities", "Capabilities", "H")),
    8: (("fixed.timestamp", "Timestamp", "Q"), ("fixed.beacon", "Beacon Interval", "H"),
        ("fixed.capabilities", "Capabilities", "H")),
    10: (("fixed.reason_code", "Reason code", "H"),),
    11: (("fixed.auth.alg", "Authentication Algorithm", "H"), ("fixed.auth_seq", "Authentication SEQ", "H"),
         ("fixed.status_code", "Status code", "H")),
    12: (("fixed.reason_code", "Reason code", "H"),),
    13: (("fixed.category_code", "Category code", "B"),),
    14: (("fixed.category_code", "Category code", "B"),),
}  # fmt: skip
_MGMT_TAGGED = frozenset((0, 1, 2, 3, 4, 5, 8))  # subtypes whose fixed fields are followed by tags


def _wlan_mgt(d: _Decoding, buf: bytes) -> _Step:
    subtype = d.layers[-1].get("fc.type_subtype", 0) & 0x0F
    fixed = _MGMT_FIXED.get(subtype, ())
    fmt = "<" + "".join(f for _, _, f in fixed)
    size = struct.calcsize(fmt)
    _need(buf, size, "wlan.mgt", "the fixed parameters of an 802.11 management frame")
    fields = []
    for (key, label, f), value in zip(fixed, struct.unpack_from(fmt, buf)):
        if f == "6s":
            fields.append(Field(key, label, _mac(value)))
        elif key == "fixed.capabilities":
            fields.append(Field(key, label, value, text=_hex(value)))
        else:
            fields.append(Field(key, label, value))
    if subtype not in _MGMT_TAGGED:
        d.add(Layer("wlan.mgt", "IEEE802.11 Management Frame Body", size, fields))
        return None, buf[size:]
    pos, tags, problem = size, [], None
    while pos < len(buf):
        if pos + 2 > len(buf):
            problem = f"a tag header cut short at byte {pos}"
            break
        tag, tag_len = buf[pos], buf[pos + 1]
        value = buf[pos + 2 : pos + 2 + tag_len]
        if len(value) < tag_len:
            problem = (
                f"tag {tag} runs past the end of the frame: {tag_len} bytes declared, {len(value)} present"
            )
            break
        tags.append(tag)
        if tag == 0:
            fields.append(Field("ssid", "SSID", value.decode("utf-8", "backslashreplace")))
        elif tag == 1:
            rates = [(r & 0x7F) / 2 for r in value]
            fields.append(
                Field(
                    "supported_rates",
                    "Supported Rates",
                    rates,
                    text=" ".join(f"{r:g}" for r in rates) + " Mbit/s",
                )
            )
        elif tag == 3 and tag_len >= 1:
            fields.append(Field("ds.current_channel", "Current Channel", value[0]))
        pos += 2 + tag_len
    fields.append(Field("tag.number", "Tags", tags))
    d.add(Layer("wlan.mgt", "IEEE802.11 Management Frame Body", pos, fields))
    if problem is not None:
        raise _Bad("wlan.mgt", problem, buf[pos:], truncated=True)
    return None, buf[pos:]


# --- network layers ----------------------------------------------------------------------------

_ARP_OPERATIONS = {
    1: "REQUEST",
    2: "REPLY",
    3: "request Reverse",
    4: "reply Reverse",
    8: "InARP-Request",
    9: "InARP-Reply",
    10: "ARP-NAK",
}


def _arp(d: _Decoding, buf: bytes) -> _Step:
    _need(buf, 8, "arp", "an ARP header")
    hln, pln = buf[4], buf[5]
    end = 8 + 2 * (hln + pln)
    _need(buf, end, "arp", f"an ARP packet with {hln}-byte hardware and {pln}-byte protocol addresses")
    if hln == 6 and pln == 4:
        a = arp.ARP(buf[:28])
        hrd, pro, op, sha, spa, tha, tpa = a.hrd, a.pro, a.op, a.sha, a.spa, a.tha, a.tpa
    else:
        hrd, pro, _hln, _pln, op = struct.unpack_from("!HHBBH", buf)
        sha, spa = buf[8 : 8 + hln], buf[8 + hln : 8 + hln + pln]
        tha, tpa = buf[8 + hln + pln : 8 + 2 * hln + pln], buf[8 + 2 * hln + pln : end]
    # as Wireshark names them: by the address sizes (ARCNET and InfiniBand ARP carry IPv4 addresses too)
    hw_key = "hw_mac" if hln == 6 else "hw"
    proto_key = "proto_ipv4" if pln == 4 and pro == 0x0800 else "proto"
    d.add(
        Layer(
            "arp",
            "ARP Header",
            end,
            [
                Field("hw.type", "Hardware type", hrd, text=_named(hrd, _ARP_HARDWARE_NAMES)),
                Field("proto.type", "Protocol type", pro, text=_hex_named(pro, ETHERTYPE_NAMES)),
                Field("hw.size", "Hardware address length", hln, text=f"{hln} [bytes]"),
                Field("proto.size", "Protocol address length", pln, text=f"{pln} [bytes]"),
                Field("opcode", "Operation", op, text=_named(op, _ARP_OPERATIONS)),
                Field(f"src.{hw_key}", "Source hardware address", sha.hex(":")),
                _addr_field(f"src.{proto_key}", "Source protocol address", spa),
                Field(f"dst.{hw_key}", "Destination hardware address", tha.hex(":")),
                _addr_field(f"dst.{proto_key}", "Destination protocol address", tpa),
            ],
        )
    )
    d.claim_padding(buf[end:])
    return None, b""


_IP_NEXT = {
    1: "icmp",
    2: "igmp",
    4: "ip",
    6: "tcp",
    17: "udp",
    41: "ipv6",
    47: "gre",
    50: "esp",
    51: "ah",
    58: "icmpv6",
    132: "sctp",
}
_IP6_NEXT = {
    **_IP_NEXT, 0: "ipv6.hopopts", 43: "ipv6.routing", 44: "ipv6.fraghdr", 60: "ipv6.dstopts",
    143: "eth",  # RFC 8986: an Ethernet frame, as SRv6 L2 VPNs carry it
}  # fmt: skip

_PRECEDENCE_NAMES = {
    0: "Routine",
    1: "Priority",
    2: "Immediate",
    3: "Flash",
    4: "Flash Override",
    5: "CRITIC/ECP",
    6: "Internetwork Control",
    7: "Network Control",
}
_TOS_NAMES = {
    0: "Default",
    1: "Minimize monetary cost",
    2: "Maximize reliability",
    4: "Maximize throughput",
    8: "Minimize delay",
    15: "Maximize security",
}
_IP_OPTION_NAMES = {
    0: "End of Option List",
    1: "No Operation",
    7: "Record Route",
    68: "Internet Timestamp",
    82: "Traceroute",
    130: "Security",
    131: "Loose Source Route",
    136: "Stream ID",
    137: "Strict Source Route",
    148: "Router Alert",
}


def _tos_text(tos: int) -> str:
    """Pcap4J's IpV4Rfc1349Tos."""
    prec, bits = tos >> 5, (tos >> 1) & 0x0F
    return (
        f"[precedence: {_named(prec, _PRECEDENCE_NAMES)}] [tos: {_named(bits, _TOS_NAMES)}] [mbz: {tos & 1}]"
    )


def _ip_options(raw: bytes) -> list[dict]:
    options = []
    pos = 0
    while pos < len(raw):
        kind = raw[pos]
        if kind in (0, 1):
            options.append({"type": kind, "name": _IP_OPTION_NAMES[kind], "length": 1})
            pos += 1
            if kind == 0:
                break
            continue
        size = raw[pos + 1] if pos + 1 < len(raw) else 0
        if size < 2 or pos + size > len(raw):
            options.append(
                {
                    "type": kind,
                    "name": _IP_OPTION_NAMES.get(kind, "unknown"),
                    "length": size,
                    "error": "bad option length",
                }
            )
            break
        options.append(
            {
                "type": kind,
                "name": _IP_OPTION_NAMES.get(kind, "unknown"),
                "length": size,
                "data": raw[pos + 2 : pos + size].hex(),
            }
        )
        pos += size
    return options


def _ip(d: _Decoding, buf: bytes) -> _Step:
    h = _header(ip.IP, buf, "ip", "an IPv4 header")
    if h.v != 4:
        raise _Bad("ip", f"not an IPv4 header: version {h.v}")
    hl = h.hl * 4
    if hl < 20:
        raise _Bad("ip", f"bad IPv4 header length: {hl} bytes (IHL {h.hl}), less than 20")
    total = h.len
    if total and total < hl:
        raise _Bad("ip", f"bad IPv4 total length: {total} bytes, less than its {hl}-byte header")
    flags = h._flags_offset >> 13
    offset = h.offset
    fields = [
        Field("version", "Version", 4, text="4 (IPv4)"),
        Field("hdr_len", "IHL", hl, text=f"{h.hl} ({hl} [bytes])"),
        Field("dsfield", "TOS", h.tos, text=_tos_text(h.tos)),
        Field("len", "Total length", total, text=f"{total} [bytes]"),
        Field("id", "Identification", h.id),
        Field(
            "flags",
            "Flags",
            flags,  # as tshark 4.0 gives ip.flags: the three bits alone (DF = 0x2)
            text=f"(Reserved, Don't Fragment, More Fragment) = ({_tf(h.rf)}, {_tf(h.df)}, {_tf(h.mf)})",
        ),
        Field("frag_offset", "Fragment offset", offset, text=f"{offset} ({offset * 8} [bytes])"),
        Field("ttl", "TTL", h.ttl),
        Field("proto", "Protocol", h.p, text=_named(h.p, IP_PROTOCOL_NAMES)),
        _checksum("checksum", h.sum, label="Header checksum"),
        _addr_field("src", "Source address", h.src),
        _addr_field("dst", "Destination address", h.dst),
    ]
    raw_options = buf[20:hl]
    if raw_options:
        options = _ip_options(raw_options)
        fields.append(
            Field(
                "options",
                "Options",
                options,
                text=" ".join(f"[{o['name']} ({o['type']}), {o['length']} bytes]" for o in options),
            )
        )
    d.add(Layer("ip", "IPv4 Header", min(hl, len(buf)), fields))
    if len(buf) < hl:
        raise _Bad(
            "ip", f"too short for the IPv4 options: {len(buf)} of {hl} header bytes", b"", truncated=True
        )
    end = total or len(buf)  # a total length of 0: TCP segmentation offload, the datagram is the rest
    d.claim_padding(buf[end:])
    payload = buf[hl:end]
    if offset:  # not the first fragment: no transport header here
        return None, payload
    return _IP_NEXT.get(h.p), payload


def _tf(bit: int) -> str:
    return "true" if bit else "false"


def _ipv6(d: _Decoding, buf: bytes) -> _Step:
    h = _header(ip6.IP6, buf, "ipv6", "an IPv6 header")
    if h.v != 6:
        raise _Bad("ipv6", f"not an IPv6 header: version {h.v}")
    plen = h.plen
    d.add(
        Layer(
            "ipv6",
            "IPv6 Header",
            40,
            [
                Field("version", "Version", 6, text="6 (IPv6)"),
                Field("tclass", "Traffic Class", h.fc, text=_hex(h.fc, 2)),
                Field("flow", "Flow Label", h.flow, text=_hex(h.flow, 5)),
                Field("plen", "Payload length", plen, text=f"{plen} [bytes]"),
                Field("nxt", "Next Header", h.nxt, text=_named(h.nxt, IP_PROTOCOL_NAMES)),
                Field("hlim", "Hop Limit", h.hlim),
                _addr_field("src", "Source address", h.src),
                _addr_field("dst", "Destination address", h.dst),
            ],
        )
    )
    if plen:
        d.claim_padding(buf[40 + plen :])
        payload = buf[40 : 40 + plen]
    else:  # a jumbogram or segmentation offload: the payload is the rest
        payload = buf[40:]
    return _IP6_NEXT.get(h.nxt), payload


_IP6_EXTENSIONS = {
    "ipv6.hopopts": (
        ip6.IP6HopOptsHeader,
        "IPv6 Hop-by-Hop Options Header",
        "an IPv6 hop-by-hop options header",
    ),
    "ipv6.routing": (ip6.IP6RoutingHeader, "IPv6 Routing Header", "an IPv6 routing header"),
    "ipv6.fraghdr": (ip6.IP6FragmentHeader, "IPv6 Fragment Header", "an IPv6 fragment header"),
    "ipv6.dstopts": (
        ip6.IP6DstOptsHeader,
        "IPv6 Destination Options Header",
        "an IPv6 destination options header",
    ),
}


def _ipv6_extension(key: str) -> Callable[[_Decoding, bytes], _Step]:
    cls, title, what = _IP6_EXTENSIONS[key]

    def decode_extension(d: _Decoding, buf: bytes) -> _Step:
        _need(buf, 8, key, what)
        size = 8 if key == "ipv6.fraghdr" else (buf[1] + 1) * 8
        _need(buf, size, key, what)
        ext = cls(buf[:size])
        nxt = ext.nxt
        fields = [Field("nxt", "Next Header", nxt, text=_named(nxt, IP_PROTOCOL_NAMES))]
        if key == "ipv6.fraghdr":
            fields += [
                Field("offset", "Fragment Offset", ext.frag_off),
                Field("more", "M", bool(ext.m_flag)),
                Field("ident", "Identification", ext.id, text=_hex(ext.id, 8)),
            ]
            d.add(Layer(key, title, 8, fields))
            if ext.frag_off:  # not the first fragment: no transport header here
                return None, buf[8:]
            return _IP6_NEXT.get(nxt), buf[8:]
        fields.append(Field("len", "Hdr Ext Len", buf[1], text=f"{buf[1]} ({size} [bytes])"))
        if key == "ipv6.routing":
            fields += [
                Field("type", "Routing Type", ext.type),
                Field("segleft", "Segments Left", ext.segs_left),
                Field("addresses", "Addresses", [_ip6(a) for a in ext.addresses if len(a) == 16]),
            ]
        else:
            options = [
                {"type": o["type"], "length": o["opt_length"], "data": o["data"].hex()} for o in ext.options
            ]
            fields.append(
                Field(
                    "options",
                    "Options",
                    options,
                    text=" ".join(f"[Type: {o['type']}] [Length: {o['length']}]" for o in options),
                )
            )
        d.add(Layer(key, title, size, fields))
        return _IP6_NEXT.get(nxt), buf[size:]

    return decode_extension


def _ah(d: _Decoding, buf: bytes) -> _Step:
    h = _header(ah.AH, buf, "ah", "an AH header")
    size = (h.len + 2) * 4
    if size < 12:
        raise _Bad("ah", f"bad AH length: {size} bytes, less than 12")
    _need(buf, size, "ah", "an AH header with its ICV")
    d.add(
        Layer(
            "ah",
            "Authentication Header",
            size,
            [
                Field("nxt", "Next Header", h.nxt, text=_named(h.nxt, IP_PROTOCOL_NAMES)),
                Field("length", "Payload Length", h.len),
                Field("spi", "SPI", h.spi, text=_hex(h.spi, 8)),
                Field("sequence", "Sequence Number", h.seq),
                Field("icv", "ICV", buf[12:size].hex()),
            ],
        )
    )
    return _IP6_NEXT.get(h.nxt), buf[size:]


def _esp(d: _Decoding, buf: bytes) -> _Step:
    h = _header(esp.ESP, buf, "esp", "an ESP header")
    d.add(
        Layer(
            "esp",
            "ESP Header",
            8,
            [
                Field("spi", "SPI", h.spi, text=_hex(h.spi, 8)),
                Field("sequence", "Sequence Number", h.seq),
            ],
        )
    )
    return None, buf[8:]  # encrypted


_ICMP4_TYPES = {
    0: "Echo Reply", 3: "Destination Unreachable", 4: "Source Quench", 5: "Redirect", 8: "Echo",
    9: "Router Advertisement", 10: "Router Selection", 11: "Time Exceeded", 12: "Parameter Problem",
    13: "Timestamp", 14: "Timestamp Reply", 15: "Information Request", 16: "Information Reply",
    17: "Address Mask Request", 18: "Address Mask Reply", 30: "Traceroute", 42: "Extended Echo Request",
    43: "Extended Echo Reply",
}  # fmt: skip
_ICMP4_CODES = {
    3: {0: "Network Unreachable", 1: "Host Unreachable", 2: "Protocol Unreachable", 3: "Port Unreachable",
        4: "Fragmentation Needed and Don't Fragment was Set", 5: "Source Route Failed",
        6: "Destination Network Unknown", 7: "Destination Host Unknown", 8: "Source Host Isolated",
        9: "Communication with Destination Network is Administratively Prohibited",
        10: "Communication with Destination Host is Administratively Prohibited",
        11: "Destination Network Unreachable for Type of Service",
        12: "Destination Host Unreachable for Type of Service",
        13: "Communication Administratively Prohibited",
        14: "Host Precedence Violation", 15: "Precedence cutoff in effect"},
    5: {0: "Redirect Datagram for the Network", 1: "Redirect Datagram for the Host",
        2: "Redirect Datagram for the Type of Service and Network",
        3: "Redirect Datagram for the Type of Service and Host"},
    11: {0: "Time to Live exceeded in Transit", 1: "Fragment Reassembly Time Exceeded"},
    12: {0: "Pointer indicates the error", 1: "Missing a Required Option", 2: "Bad Length"},
}  # fmt: skip
_ICMP4_ERRORS = frozenset((3, 4, 5, 11, 12))  # these quote the invoking packet
_ICMP4_ECHO_LIKE = frozenset((0, 8, 13, 14, 15, 16, 17, 18))  # identifier and sequence number


def _icmp(d: _Decoding, buf: bytes) -> _Step:
    _need(buf, 8, "icmp", "an ICMPv4 header")
    h = _header(icmp.ICMP, buf, "icmp", "an ICMPv4 header")
    t, code = h.type, h.code
    code_names = _ICMP4_CODES.get(t, {0: "No Code"})
    fields = [
        Field("type", "Type", t, text=_named(t, _ICMP4_TYPES)),
        Field("code", "Code", code, text=_named(code, code_names)),
        _checksum("checksum", h.sum),
    ]
    rest = buf[4:]
    if t in _ICMP4_ECHO_LIKE:
        echo = _header(icmp.ICMP.Echo, rest, "icmp", "an ICMPv4 echo header")
        fields += [Field("ident", "Identifier", echo.id), Field("seq", "SequenceNumber", echo.seq)]
    elif t == 3 and code == 4:
        unreach = _header(icmp.ICMP.Unreach, rest, "icmp", "an ICMPv4 header")
        fields += [Field("unused", "Unused", unreach.pad), Field("mtu", "Next-Hop MTU", unreach.mtu)]
    elif t == 5:
        fields.append(_addr_field("redir_gw", "Gateway Internet Address", rest[:4]))
    elif t == 12:
        fields.append(Field("pointer", "Pointer", rest[0]))
    else:
        fields.append(Field("unused", "Unused", int.from_bytes(rest[:4], "big")))
    d.add(Layer("icmp", "ICMPv4 Common Header", 8, fields))
    if t in _ICMP4_ERRORS and len(buf) > 8:
        d.quoted = True
        return "ip", buf[8:]
    return None, buf[8:]


_IGMP_TYPES = {
    0x11: "Membership Query",
    0x12: "Version 1 Membership Report",
    0x16: "Version 2 Membership Report",
    0x17: "Leave Group",
    0x22: "Version 3 Membership Report",
}


def _igmp(d: _Decoding, buf: bytes) -> _Step:
    h = igmp.IGMP(buf) if len(buf) >= 8 else _header(igmp.IGMP, buf, "igmp", "an IGMP header")
    d.add(
        Layer(
            "igmp",
            "IGMP Header",
            8,
            [
                Field("type", "Type", h.type, text=_hex_named(h.type, _IGMP_TYPES, 2)),
                Field("max_resp", "Max Response Time", h.maxresp),
                _checksum("checksum", h.sum),
                _addr_field("maddr", "Group Address", h.group),
            ],
        )
    )
    return None, buf[8:]


_ICMP6_TYPES = {
    1: "Destination Unreachable", 2: "Packet Too Big", 3: "Time Exceeded", 4: "Parameter Problem",
    128: "Echo Request", 129: "Echo Reply", 130: "Multicast Listener Query", 131: "Multicast Listener Report",
    132: "Multicast Listener Done", 133: "Router Solicitation", 134: "Router Advertisement",
    135: "Neighbor Solicitation", 136: "Neighbor Advertisement", 137: "Redirect Message",
    138: "Router Renumbering", 139: "ICMP Node Information Query", 140: "ICMP Node Information Response",
    143: "Version 2 Multicast Listener Report", 160: "Extended Echo Request", 161: "Extended Echo Reply",
}  # fmt: skip
_ICMP6_CODES = {
    1: {0: "No route to destination", 1: "Communication with destination administratively prohibited",
        2: "Beyond scope of source address", 3: "Address unreachable", 4: "Port unreachable",
        5: "Source address failed ingress/egress policy", 6: "Reject route to destination"},
    3: {0: "Hop limit exceeded in transit", 1: "Fragment reassembly time exceeded"},
    4: {0: "Erroneous header field encountered", 1: "Unrecognized Next Header type encountered",
        2: "Unrecognized IPv6 option encountered"},
}  # fmt: skip
_ND_OPTIONS = {
    1: "Source Link-layer Address",
    2: "Target Link-layer Address",
    3: "Prefix Information",
    4: "Redirected Header",
    5: "MTU",
    25: "Recursive DNS Server",
    31: "DNS Search List",
    38: "PREF64",
}


def _nd_options(raw: bytes, fields: list[Field]) -> tuple[int, _Bad | None]:
    """Append one field per Neighbor Discovery option; return the bytes they used, and any problem."""
    pos = 0
    while pos + 2 <= len(raw):
        opt = _header(extra.NDOption, raw[pos:], "icmpv6", "an ND option")
        size = opt.len * 8
        if size == 0:
            return pos, _Bad("icmpv6", f"bad ND option length 0 (option type {opt.type})", raw[pos:])
        if pos + size > len(raw):
            return pos, _Bad(
                "icmpv6",
                f"ND option {opt.type} runs past the end: {size} bytes declared, {len(raw) - pos} present",
                raw[pos:],
                truncated=True,
            )
        value = raw[pos + 2 : pos + size]
        text = f"[Type: {_named(opt.type, _ND_OPTIONS)}] [Length: {opt.len} ({size} bytes)]"
        if opt.type in (1, 2):
            addr = value[:6] if size == 8 else value
            key = "opt.src_linkaddr" if opt.type == 1 else "opt.target_linkaddr"
            fields.append(Field(key, "Option", _mac(addr), text=f"{text} [Link Layer Address: {_mac(addr)}]"))
        elif opt.type == 3 and size == 32:
            info = extra.NDPrefixInfo(value)
            prefix = f"{_ip6(info.prefix)}/{info.prefix_len}"
            fields.append(Field("opt.prefix", "Option", prefix, text=f"{text} [Prefix: {prefix}]"))
        elif opt.type == 5 and size == 8:
            mtu = int.from_bytes(value[2:6], "big")
            fields.append(Field("opt.mtu", "Option", mtu, text=f"{text} [MTU: {mtu}]"))
        else:
            fields.append(Field(f"opt.type_{opt.type}", "Option", value.hex(), text=text))
        pos += size
    return pos, None


def _icmpv6(d: _Decoding, buf: bytes) -> _Step:
    _need(buf, 8, "icmpv6", "an ICMPv6 header")
    h = _header(icmp6.ICMP6, buf, "icmpv6", "an ICMPv6 header")
    t, code = h.type, h.code
    fields = [
        Field("type", "Type", t, text=_named(t, _ICMP6_TYPES)),
        Field("code", "Code", code, text=_named(code, _ICMP6_CODES.get(t, {0: "No Code"}))),
        _checksum("checksum", h.sum),
    ]
    body = buf[4:]
    size = 8
    if t in (128, 129):
        echo = _header(icmp6.ICMP6.Echo, body, "icmpv6", "an ICMPv6 echo header")
        fields += [
            Field("echo.identifier", "Identifier", echo.id),
            Field("echo.sequence_number", "Sequence", echo.seq),
        ]
    elif t == 2:
        fields.append(
            Field("mtu", "MTU", _header(icmp6.ICMP6.TooBig, body, "icmpv6", "an ICMPv6 header").mtu)
        )
    elif t == 4:
        fields.append(
            Field(
                "pointer", "Pointer", _header(icmp6.ICMP6.ParamProb, body, "icmpv6", "an ICMPv6 header").ptr
            )
        )
    elif t in (133, 134, 135, 136, 137):
        return _neighbor_discovery(d, buf, t, fields)
    else:
        fields.append(Field("reserved", "Reserved", int.from_bytes(body[:4], "big")))
    d.add(Layer("icmpv6", "ICMPv6 Common Header", size, fields))
    if t in (1, 2, 3, 4) and len(buf) > 8:
        d.quoted = True
        return "ipv6", buf[8:]
    return None, buf[8:]


def _neighbor_discovery(d: _Decoding, buf: bytes, t: int, fields: list[Field]) -> _Step:
    body = buf[4:]
    what = f"an ICMPv6 {_ICMP6_TYPES[t]} message"
    if t == 133:
        fixed = 4
        _need(body, fixed, "icmpv6", what)
        fields.append(Field("reserved", "Reserved", int.from_bytes(body[:4], "big")))
    elif t == 134:
        ra = _header(extra.NDRouterAdvert, body, "icmpv6", what)
        fixed = 12
        fields += [
            Field("nd.ra.cur_hop_limit", "Cur Hop Limit", ra.cur_hop_limit),
            _flag("nd.ra.flag.m", "Managed address configuration", ra.m),
            _flag("nd.ra.flag.o", "Other configuration", ra.o),
            Field("nd.ra.router_lifetime", "Router Lifetime", ra.router_lifetime),
            Field("nd.ra.reachable_time", "Reachable Time", ra.reachable_time),
            Field("nd.ra.retrans_timer", "Retrans Timer", ra.retrans_timer),
        ]
    elif t == 135:
        ns = _header(extra.NDNeighborSolicit, body, "icmpv6", what)
        fixed = 20
        fields.append(_addr_field("nd.target", "Target Address", ns.target))
    elif t == 136:
        na = _header(extra.NDNeighborAdvert, body, "icmpv6", what)
        fixed = 20
        fields += [
            _flag("nd.na.flag.r", "R", na.router),
            _flag("nd.na.flag.s", "S", na.solicited),
            _flag("nd.na.flag.o", "O", na.override),
            _addr_field("nd.target", "Target Address", na.target),
        ]
    else:
        rd = _header(extra.NDRedirect, body, "icmpv6", what)
        fixed = 36
        fields += [
            _addr_field("nd.target", "Target Address", rd.target),
            _addr_field("nd.rd.dst", "Destination Address", rd.dst),
        ]
    _need(body, fixed, "icmpv6", what)
    used, problem = _nd_options(body[fixed:], fields)
    d.add(Layer("icmpv6", "ICMPv6 Common Header", 4 + fixed + used, fields))
    if problem is not None:
        raise problem
    return None, body[fixed + used :]


# --- transport layers --------------------------------------------------------------------------

_TCP_OPTIONS = {
    0: "End of Option List",
    1: "No Operation",
    2: "Maximum Segment Size",
    3: "Window Scale",
    4: "SACK Permitted",
    5: "SACK",
    8: "Timestamps",
    19: "MD5 Signature",
    28: "User Timeout",
    29: "Authentication",
    30: "Multipath TCP",
    34: "TCP Fast Open Cookie",
}
_TCP_FLAG_LETTERS = (
    (0x01, "F"),
    (0x02, "S"),
    (0x04, "R"),
    (0x08, "P"),
    (0x10, "."),
    (0x20, "U"),
    (0x40, "E"),
    (0x80, "W"),
    (0x100, "e"),
)
_TCP_FLAG_NAMES = (
    (0x100, "AE"),
    (0x80, "CWR"),
    (0x40, "ECE"),
    (0x20, "URG"),
    (0x10, "ACK"),
    (0x08, "PSH"),
    (0x04, "RST"),
    (0x02, "SYN"),
    (0x01, "FIN"),
)


def tcp_flags_letters(flags: int) -> str:
    """tcpdump's letters for TCP flags, as the one-line summary prints them (``S.`` for SYN-ACK)."""
    return "".join(letter for bit, letter in _TCP_FLAG_LETTERS if flags & bit) or "none"


def _tcp_option_field(kind: int, data: bytes) -> Field:
    size = len(data) + 2
    text = f"[Kind: {_named(kind, _TCP_OPTIONS)}]"
    if kind in (0, 1):
        return Field("options.eol" if kind == 0 else "options.nop", "Option", True, text=text, json=False)
    text += f" [Length: {size} bytes]"
    if kind == 2 and len(data) == 2:
        mss = int.from_bytes(data, "big")
        return Field("options.mss_val", "Option", mss, text=f"{text} [Maximum Segment Size: {mss} bytes]")
    if kind == 3 and len(data) == 1:
        return Field("options.wscale.shift", "Option", data[0], text=f"{text} [Shift Count: {data[0]}]")
    if kind == 4 and not data:
        return Field("options.sack_perm", "Option", True, text=text)
    if kind == 5 and len(data) % 8 == 0:
        blocks = [list(struct.unpack_from("!II", data, i)) for i in range(0, len(data), 8)]
        return Field(
            "options.sack",
            "Option",
            blocks,
            text=text + "".join(f" [LE: {le} RE: {re}]" for le, re in blocks),
        )
    if kind == 8 and len(data) == 8:
        tsval, tsecr = struct.unpack("!II", data)
        return Field(
            "options.timestamp",
            "Option",
            {"tsval": tsval, "tsecr": tsecr},
            text=f"{text} [TS Value: {tsval}] [TS Echo Reply: {tsecr}]",
        )
    return Field(f"options.type_{kind}", "Option", data.hex(), text=f"{text} [Data: 0x{data.hex()}]")


def _tcp_options(raw: bytes) -> tuple[list[Field], str | None]:
    fields: list[Field] = []
    for option in tcp.parse_opts(raw):
        if option is None:  # dpkt's marker for an option whose length byte is missing
            return fields, "a TCP option is cut short"
        kind, data = option
        fields.append(_tcp_option_field(kind, data))
        if kind == 0:
            break
    return fields, None


def _tcp(d: _Decoding, buf: bytes) -> _Step:
    _need(buf, 20, "tcp", "a TCP header")
    off = buf[12] >> 4
    hl = off * 4
    if hl < 20:
        raise _Bad("tcp", f"bad TCP data offset: {off} ({hl} bytes), less than 5 (20 bytes)")
    t = tcp.TCP(buf)
    flags = t._off_flags & 0x0FFF
    fields = [
        _port("srcport", "Source port", t.sport, TCP_PORT_NAMES),
        _port("dstport", "Destination port", t.dport, TCP_PORT_NAMES),
        Field("seq", "Sequence Number", t.seq),
        Field("ack", "Acknowledgment Number", t.ack),
        Field("hdr_len", "Data Offset", hl, text=f"{off} ({hl} [bytes])"),
        Field("flags.res", "Reserved", (t._off_flags >> 6) & 0x3F),
        _flag("flags.urg", "URG", flags & 0x20),
        _flag("flags.ack", "ACK", flags & 0x10),
        _flag("flags.push", "PSH", flags & 0x08),
        _flag("flags.reset", "RST", flags & 0x04),
        _flag("flags.syn", "SYN", flags & 0x02),
        _flag("flags.fin", "FIN", flags & 0x01),
        Field(
            "flags",
            "Flags",
            flags,
            text=f"{_hex(flags, 3)} ({', '.join(n for b, n in _TCP_FLAG_NAMES if flags & b) or 'none'})",
            dump=False,  # Pcap4J's dump shows the six flag lines above instead
        ),
        Field("flags_str", "Flags (tcpdump)", tcp_flags_letters(flags), dump=False),
        Field("window_size", "Window", t.win),
        _checksum("checksum", t.sum),
        Field("urgent_pointer", "Urgent Pointer", t.urp),
    ]
    option_fields, problem = _tcp_options(t.opts)
    fields += option_fields
    d.add(Layer("tcp", "TCP Header", min(hl, len(buf)), fields))
    if len(buf) < hl:
        raise _Bad(
            "tcp", f"too short for the TCP options: {len(buf)} of {hl} header bytes", b"", truncated=True
        )
    payload = buf[hl:]
    if problem is not None:
        raise _Bad("tcp", problem, payload)
    if not payload:
        return None, payload
    return _tcp_application(t.sport, t.dport, payload), payload


_HTTP_METHODS = frozenset(
    b"GET HEAD POST PUT DELETE OPTIONS TRACE CONNECT PATCH PROPFIND PROPPATCH MKCOL COPY MOVE LOCK UNLOCK "
    b"SEARCH REPORT NOTIFY SUBSCRIBE UNSUBSCRIBE".split()
)  # fmt: skip
_HTTP_PORTS = frozenset((80, 8080, 8000, 3128))
_TLS_PORTS = frozenset((443, 465, 636, 853, 993, 995, 8443))


def _looks_like_http(payload: bytes) -> bool:
    if payload.startswith(b"HTTP/1.") or payload.startswith(b"HTTP/2 "):
        return True
    space = payload.find(b" ", 0, 12)
    return space > 0 and payload[:space] in _HTTP_METHODS


def _looks_like_tls(payload: bytes, ports: tuple[int, int]) -> bool:
    if len(payload) < 5 or payload[1] != 3 or payload[2] > 4:
        return False
    if payload[0] == 22:  # a handshake record, on any port
        return True
    return 20 <= payload[0] <= 24 and (ports[0] in _TLS_PORTS or ports[1] in _TLS_PORTS)


def _tcp_application(sport: int, dport: int, payload: bytes) -> str | None:
    if sport == 53 or dport == 53:
        return "dns_tcp"
    if _looks_like_tls(payload, (sport, dport)):
        return "tls"
    if sport in _HTTP_PORTS or dport in _HTTP_PORTS or _looks_like_http(payload):
        return "http"
    return None


_UDP_APPLICATIONS = {
    53: "dns",
    67: "dhcp",
    68: "dhcp",
    123: "ntp",
    546: "dhcpv6",
    547: "dhcpv6",
    1701: "l2tp",
    2123: "gtp",
    2152: "gtp",
    4789: "vxlan",
    6081: "geneve",
}


def _udp(d: _Decoding, buf: bytes) -> _Step:
    u = _header(udp.UDP, buf, "udp", "a UDP header")
    d.add(
        Layer(
            "udp",
            "UDP Header",
            8,
            [
                _port("srcport", "Source port", u.sport, UDP_PORT_NAMES),
                _port("dstport", "Destination port", u.dport, UDP_PORT_NAMES),
                Field("length", "Length", u.ulen),
                _checksum("checksum", u.sum),
            ],
        )
    )
    if u.ulen and u.ulen < 8:  # 0 is a jumbogram's: its length lives in the IPv6 header
        raise _Bad("udp", f"bad UDP length {u.ulen}: less than the 8-byte header", buf[8:])
    payload = buf[8 : u.ulen] if u.ulen else buf[8:]
    if not payload:
        return None, payload
    # the lower port first, as Wireshark tries them: the other is usually the client's ephemeral one
    low, high = sorted((u.sport, u.dport))
    return _UDP_APPLICATIONS.get(low) or _UDP_APPLICATIONS.get(high), payload


_SCTP_CHUNKS = {
    0: "DATA", 1: "INIT", 2: "INIT_ACK", 3: "SACK", 4: "HEARTBEAT", 5: "HEARTBEAT_ACK", 6: "ABORT",
    7: "SHUTDOWN", 8: "SHUTDOWN_ACK", 9: "ERROR", 10: "COOKIE_ECHO", 11: "COOKIE_ACK", 12: "ECNE", 13: "CWR",
    14: "SHUTDOWN_COMPLETE", 15: "AUTH", 64: "I_DATA", 128: "ASCONF_ACK", 130: "RE_CONFIG", 132: "PAD",
    192: "FORWARD_TSN", 193: "ASCONF", 194: "I_FORWARD_TSN",
}  # fmt: skip


def _sctp(d: _Decoding, buf: bytes) -> _Step:
    s = _header(sctp.SCTP, buf, "sctp", "an SCTP header")
    chunks: list[dict] = []
    pos, problem = 12, None
    while pos < len(buf):
        chunk = _header(sctp.Chunk, buf[pos:], "sctp", "an SCTP chunk header")
        info = {
            "type": chunk.type,
            "name": _SCTP_CHUNKS.get(chunk.type, "unknown"),
            "flags": chunk.flags,
            "length": chunk.len,
        }
        if chunk.len < 4:
            problem = _Bad(
                "sctp", f"bad SCTP chunk length {chunk.len}: less than the 4-byte chunk header", buf[pos:]
            )
            break
        if pos + chunk.len > len(buf):
            problem = _Bad(
                "sctp",
                f"SCTP {info['name']} chunk runs past the end: {chunk.len} bytes declared, "
                f"{len(buf) - pos} present",
                buf[pos:],
                truncated=True,
            )
            break
        if chunk.type == 0 and chunk.len >= 16:
            data = _header(extra.SCTPDataChunk, buf[pos + 4 :], "sctp", "an SCTP DATA chunk")
            info.update(
                tsn=data.tsn,
                stream_id=data.stream_id,
                stream_seq=data.stream_seq,
                ppid=data.ppid,
                data_length=chunk.len - 16,
            )
        chunks.append(info)
        pos = min(pos + ((chunk.len + 3) & ~3), len(buf))  # chunks are padded to 4 bytes
    d.add(
        Layer(
            "sctp",
            "SCTP Header",
            pos,
            [
                _port("srcport", "Source port", s.sport, {}),
                _port("dstport", "Destination port", s.dport, {}),
                Field("verification_tag", "Verification Tag", s.vtag, text=_hex(s.vtag, 8)),
                _checksum("checksum", s.sum, 8),
                Field(
                    "chunks",
                    "Chunks",
                    chunks,
                    text=" ".join(f"[{c['name']} ({c['length']} bytes)]" for c in chunks),
                ),
            ],
        )
    )
    if problem is not None:
        raise problem
    return None, buf[pos:]


# --- tunnels -----------------------------------------------------------------------------------


def _mpls(d: _Decoding, buf: bytes) -> _Step:
    label = _header(ethernet.MPLSlabel, buf, "mpls", "an MPLS label")
    d.add(
        Layer(
            "mpls",
            "MPLS Header",
            4,
            [
                Field("label", "Label", label.val),
                Field("exp", "Traffic Class", label.exp),
                _flag("bottom", "Bottom of Stack", label.s),
                Field("ttl", "TTL", label.ttl),
            ],
        )
    )
    rest = buf[4:]
    if not label.s:
        return "mpls", rest
    if not rest:
        return None, rest
    # MPLS does not say what it carries; look at the first nibble, as Wireshark and dpkt do
    nibble = rest[0] >> 4
    if nibble == 4:
        return "ip", rest
    if nibble == 6:
        return "ipv6", rest
    if nibble == 0 and len(rest) >= 18:  # a pseudowire control word, then an Ethernet frame
        return "pwethcw", rest
    return None, rest


def _pwethcw(d: _Decoding, buf: bytes) -> _Step:
    _need(buf, 4, "pwethcw", "a pseudowire control word")
    d.add(
        Layer(
            "pwethcw",
            "PW Ethernet Control Word",
            4,
            [
                Field("sequence_number", "Sequence Number", int.from_bytes(buf[2:4], "big")),
            ],
        )
    )
    return "eth", buf[4:]


_GRE_KEYS = {
    "sum": ("checksum", "Checksum"),
    "off": ("offset", "Offset"),
    "key": ("key", "Key"),
    "seq": ("sequence_number", "Sequence Number"),
    "ack": ("ack_number", "Acknowledgment Number"),
    "len": ("payload_length", "Payload Length"),
    "callid": ("call_id", "Call ID"),
}


def _gre(d: _Decoding, buf: bytes) -> _Step:
    g = _header(gre.GRE, buf, "gre", "a GRE header")
    names, formats = g.opt_fields_fmts()
    fmt = "!" + "".join(formats)
    size = 4 + struct.calcsize(fmt)
    _need(buf, size, "gre", "a GRE header with its optional fields")
    fields = [
        Field("flags_and_version", "Flags and Version", g.flags, text=_hex(g.flags)),
        Field("proto", "Protocol Type", g.p, text=_hex_named(g.p, ETHERTYPE_NAMES)),
    ]
    for name, value in zip(names, struct.unpack_from(fmt, buf, 4)):
        key, label = _GRE_KEYS[name]
        fields.append(Field(key, label, value))
    if g.v == 0 and g.flags & gre.GRE_RP:  # source route entries, up to a null one
        while True:
            sre = _header(gre.GRE.SRE, buf[size:], "gre", "a GRE source route entry")
            size += 4 + sre.len
            if not sre.len:
                break
        _need(buf, size, "gre", "a GRE header with its source route")
    d.add(Layer("gre", "GRE Header", size, fields))
    if g.p == 0x88BE:  # ERSPAN: type I has no header, and no GRE sequence number
        return ("erspan" if g.flags & gre.GRE_SP else "erspan1"), buf[size:]
    if g.p == 0x22EB:
        return "erspan3", buf[size:]
    return _ETHERTYPE_NEXT.get(g.p), buf[size:]


def _vxlan(d: _Decoding, buf: bytes) -> _Step:
    v = _header(extra.VXLAN, buf, "vxlan", "a VXLAN header")
    d.add(
        Layer(
            "vxlan",
            "VXLAN Header",
            8,
            [
                Field("flags", "Flags", v.flags, text=_hex(v.flags, 2)),
                Field("vni", "VNI", v.vni),
            ],
        )
    )
    return "eth", buf[8:]


def _geneve(d: _Decoding, buf: bytes) -> _Step:
    g = _header(extra.Geneve, buf, "geneve", "a Geneve header")
    size = 8 + g.opt_len * 4
    _need(buf, size, "geneve", "a Geneve header with its options")
    d.add(
        Layer(
            "geneve",
            "Geneve Header",
            size,
            [
                Field("version", "Version", g.version),
                Field("options_len", "Options Length", g.opt_len * 4),
                _flag("flags.oam", "OAM", g.oam),
                _flag("flags.critical", "Critical Options", g.critical),
                Field("proto_type", "Protocol Type", g.proto, text=_hex_named(g.proto, ETHERTYPE_NAMES)),
                Field("vni", "VNI", g.vni),
            ],
        )
    )
    return _ETHERTYPE_NEXT.get(g.proto), buf[size:]


def _erspan(d: _Decoding, buf: bytes) -> _Step:
    """ERSPAN behind GRE protocol 0x88be with a sequence number: type II (version 1) or III (version 2)."""
    _need(buf, 1, "erspan", "an ERSPAN header")
    version = buf[0] >> 4
    if version == 2:
        return _erspan3(d, buf)
    if version != 1:
        raise _Bad("erspan", f"unknown ERSPAN version {version}")
    h = _header(extra.ERSPAN2, buf, "erspan", "an ERSPAN type II header")
    d.add(
        Layer(
            "erspan",
            "ERSPAN Type II Header",
            8,
            [
                Field("version", "Version", h.version, text=f"{h.version} (Type II)"),
                Field("vlan", "Vlan", h.vlan),
                Field("cos", "COS", h.cos),
                Field("encap", "Encap", h.encap),
                _flag("truncated", "Truncated", h.truncated),
                Field("spanid", "SpanID", h.spanid),
                Field("index", "Index", h.index),
            ],
        )
    )
    return "eth", buf[8:]


def _erspan1(d: _Decoding, buf: bytes) -> _Step:
    """ERSPAN type I: GRE protocol 0x88be without a sequence number, and no header of its own."""
    d.add(Layer("erspan", "ERSPAN Type I Header", 0, [Field("version", "Version", 0, text="0 (Type I)")]))
    return "eth", buf


_ERSPAN3_FRAME_TYPES = {0: "eth", 2: "raw"}  # Ethernet, IP


def _erspan3(d: _Decoding, buf: bytes) -> _Step:
    """ERSPAN type III (GRE protocol 0x22eb): 12 bytes, and an 8-byte platform subheader when ``o`` is set."""
    h = _header(extra.ERSPAN3, buf, "erspan", "an ERSPAN type III header")
    size = 20 if h.o else 12
    _need(buf, size, "erspan", "an ERSPAN type III header with its platform subheader")
    d.add(
        Layer(
            "erspan",
            "ERSPAN Type III Header",
            size,
            [
                Field("version", "Version", h.version, text=f"{h.version} (Type III)"),
                Field("vlan", "Vlan", h.vlan),
                Field("cos", "COS", h.cos),
                Field("bso", "Bad/Short/Oversized", h.bso),
                _flag("truncated", "Truncated", h.truncated),
                Field("spanid", "SpanID", h.spanid),
                Field("timestamp", "Timestamp", h.timestamp),
                Field("sgt", "Security Group Tag", h.sgt),
                _flag("p", "Has Ethernet PDU", h.p),
                Field("ft", "Frame Type", h.ft),
                Field("hw", "Hardware ID", h.hw),
                _flag("direction", "Direction", h.direction),
                Field("gra", "Timestamp granularity", h.gra),
                _flag("o", "Optional Sub headers", h.o),
            ],
        )
    )
    return _ERSPAN3_FRAME_TYPES.get(h.ft), buf[size:]


def _l2tp(d: _Decoding, buf: bytes) -> _Step:
    """L2TP (UDP port 1701): version 2's flags word, its optional fields, then PPP in a data message."""
    h = _header(extra.L2TPv2, buf, "l2tp", "an L2TP header")
    fields = [
        Field("flags", "Flags", h._flags, text=_hex(h._flags)),
        Field("type", "Type", h.t, text="Control Message" if h.t else "Data Message"),
        _flag("length_bit", "Length Bit", h.l),
        _flag("seq_bit", "Sequence Bit", h.s),
        _flag("offset_bit", "Offset bit", h.o),
        _flag("priority", "Priority", h.p),
        Field("version", "Version", h.version),
    ]
    if h.version != 2:  # L2TPv3 over UDP, or not L2TP
        d.add(Layer("l2tp", "L2TP Header", 2, fields))
        return None, buf[2:]
    names = (["length"] if h.l else []) + ["tunnel", "session"] + (["Ns", "Nr"] if h.s else [])
    names += ["offset"] if h.o else []
    size = 2 + 2 * len(names)
    _need(buf, size, "l2tp", "an L2TPv2 header")
    labels = {"length": "Length", "tunnel": "Tunnel ID", "session": "Session ID", "Ns": "Ns", "Nr": "Nr",
              "offset": "Offset"}  # fmt: skip
    values = dict(zip(names, struct.unpack_from(f"!{len(names)}H", buf, 2)))
    fields += [Field(name, labels[name], value) for name, value in values.items()]
    size += values.get("offset", 0)  # the offset padding
    _need(buf, size, "l2tp", "an L2TPv2 header with its offset padding")
    end = values.get("length", len(buf))
    if end < size:
        raise _Bad("l2tp", f"bad L2TP length {end}: less than its {size}-byte header", buf[size:])
    d.add(Layer("l2tp", "L2TPv2 Header", size, fields))
    rest = buf[size:end]
    return (None if h.t or not rest else "ppp_hdlc"), rest


_GTP_TYPES = {
    1: "Echo Request",
    2: "Echo Response",
    16: "Create PDP Context Request",
    17: "Create PDP Context Response",
    18: "Update PDP Context Request",
    19: "Update PDP Context Response",
    20: "Delete PDP Context Request",
    21: "Delete PDP Context Response",
    26: "Error Indication",
    31: "Supported Extension Headers",
    254: "End Marker",
    255: "T-PDU",
}


def _gtp(d: _Decoding, buf: bytes) -> _Step:
    _need(buf, 1, "gtp", "a GTP header")
    version = buf[0] >> 5
    if version == 2:
        return _gtpv2(d, buf)
    if version != 1:
        raise _Bad("gtp", f"unsupported GTP version {version}")
    g = _header(extra.GTPv1, buf, "gtp", "a GTPv1 header")
    fields = [
        Field("flags.version", "Version", 1),
        Field("flags.payload", "Protocol Type", g.pt, text=f"{g.pt} ({'GTP' if g.pt else 'GTP prime'})"),
        _flag("flags.e", "Extension Header Flag", g.e),
        _flag("flags.s", "Sequence Number Flag", g.s),
        _flag("flags.pn", "N-PDU Number Flag", g.pn),
        Field("message", "Message Type", g.type, text=_named(g.type, _GTP_TYPES)),
        Field("length", "Length", g.length),
        Field("teid", "Tunnel Endpoint Identifier", g.teid, text=_hex(g.teid, 8)),
    ]
    size = 8
    if g.e or g.s or g.pn:
        opt = _header(extra.GTPv1Optional, buf[8:], "gtp", "a GTPv1 header with its optional fields")
        fields += [
            Field("seq_number", "Sequence Number", opt.seq),
            Field("npdu_number", "N-PDU Number", opt.npdu),
            Field("next", "Next Extension Header Type", opt.next_ext, text=_hex(opt.next_ext, 2)),
        ]
        size = 12
        next_ext, extensions = (opt.next_ext if g.e else 0), []
        while next_ext:
            _need(buf, size + 1, "gtp", "a GTPv1 extension header")
            ext_len = buf[size] * 4
            if ext_len == 0:
                raise _Bad("gtp", f"bad GTPv1 extension header length 0 (type {next_ext:#04x})")
            _need(buf, size + ext_len, "gtp", "a GTPv1 extension header")
            extensions.append(next_ext)
            next_ext = buf[size + ext_len - 1]
            size += ext_len
        if extensions:
            fields.append(Field("ext_hdr", "Extension Headers", extensions))
    d.add(Layer("gtp", "GTPv1 Header", size, fields))
    payload = buf[size : 8 + g.length]
    if g.type == 255 and g.pt and payload:  # a T-PDU carries the user's IP packet
        nibble = payload[0] >> 4
        return ("ip" if nibble == 4 else "ipv6" if nibble == 6 else None), payload
    return None, payload


def _gtpv2(d: _Decoding, buf: bytes) -> _Step:
    g = _header(extra.GTPv2, buf, "gtpv2", "a GTPv2 header")
    fields = [
        Field("flags.version", "Version", 2),
        _flag("flags.p", "Piggybacking Flag", g.p),
        _flag("flags.t", "TEID Flag", g.t),
        Field("message_type", "Message Type", g.type),
        Field("msg_length", "Message Length", g.length),
    ]
    size = 4
    if g.t:
        _need(buf, 8, "gtpv2", "a GTPv2 header")
        teid = int.from_bytes(buf[4:8], "big")
        fields.append(Field("teid", "Tunnel Endpoint Identifier", teid, text=_hex(teid, 8)))
        size = 8
    seq = _header(extra.GTPv2Sequence, buf[size:], "gtpv2", "a GTPv2 header")
    fields.append(Field("seq", "Sequence Number", seq.seq))
    size += 4
    d.add(Layer("gtpv2", "GTPv2 Header", size, fields))
    return None, buf[size : 4 + g.length]


# --- applications ------------------------------------------------------------------------------

_DNS_OPCODES = {0: "Query", 1: "IQuery", 2: "Status", 4: "Notify", 5: "Update", 6: "DSO"}
_DNS_RCODES = {
    0: "No Error",
    1: "Format Error",
    2: "Server Failure",
    3: "No Such Name",
    4: "Not Implemented",
    5: "Refused",
    6: "YX Domain",
    7: "YX RR Set",
    8: "NX RR Set",
    9: "Not Auth",
    10: "Not Zone",
}
_DNS_TYPES = {
    1: "A",
    2: "NS",
    5: "CNAME",
    6: "SOA",
    12: "PTR",
    13: "HINFO",
    15: "MX",
    16: "TXT",
    28: "AAAA",
    33: "SRV",
    35: "NAPTR",
    39: "DNAME",
    41: "OPT",
    43: "DS",
    46: "RRSIG",
    47: "NSEC",
    48: "DNSKEY",
    50: "NSEC3",
    52: "TLSA",
    64: "SVCB",
    65: "HTTPS",
    99: "SPF",
    250: "TSIG",
    251: "IXFR",
    252: "AXFR",
    255: "ANY",
    256: "URI",
    257: "CAA",
}
_DNS_CLASSES = {1: "IN", 3: "CH", 4: "HS", 254: "NONE", 255: "ANY"}


def _rdata(rr: dpkt.dns.DNS.RR) -> str:
    t = rr.type
    if t == 1 and len(rr.rdata) == 4:
        return _ip4(rr.rdata)
    if t == 28 and len(rr.rdata) == 16:
        return _ip6(rr.rdata)
    for attr in ("cname", "nsname", "ptrname", "mxname", "srvname", "mname"):
        if hasattr(rr, attr):
            name = getattr(rr, attr)
            if attr == "mxname":
                pref = rr.preference[0] if isinstance(rr.preference, tuple) else rr.preference
                return f"{pref} {name}"
            if attr == "srvname":
                return f"{rr.priority} {rr.weight} {rr.port} {name}"
            if attr == "mname":
                return f"{rr.mname} {rr.rname} {rr.serial}"
            return name
    if hasattr(rr, "text"):
        return " ".join(rr.text)
    return rr.rdata.hex()


def _dns_layer(d: _Decoding, message: bytes, prefix: list[Field], size: int) -> None:
    m = extra.DNS(message)
    op = m.op
    questions = [{"name": q.name, "type": q.type, "class": q.cls} for q in m.qd]
    records = {
        section: [
            {"name": rr.name, "type": rr.type, "class": rr.cls, "ttl": rr.ttl, "data": _rdata(rr)}
            for rr in getattr(m, section)
        ]
        for section in ("an", "ns", "ar")
    }

    def rr_text(rrs: list[dict]) -> str:
        return " ".join(
            f"[{r['name'] or '<Root>'} {_DNS_TYPES.get(r['type'], r['type'])} {r['data']}]" for r in rrs
        )

    fields = [
        *prefix,
        Field("id", "ID", m.id, text=_hex(m.id)),
        Field("flags", "Flags", op, text=_hex(op)),
        _flag("qr", "QR", m.qr),
        Field("opcode", "OPCODE", m.opcode, text=_named(m.opcode, _DNS_OPCODES)),
        _flag("aa", "Authoritative Answer", m.aa),
        _flag("tc", "Truncated", op & 0x0200),
        _flag("rd", "Recursion Desired", m.rd),
        _flag("ra", "Recursion Available", m.ra),
        Field("z", "Reserved", (op >> 6) & 1),
        _flag("ad", "Authentic Data", op & 0x0020),
        _flag("cd", "Checking Disabled", op & 0x0010),
        Field("rcode", "RCODE", m.rcode, text=_named(m.rcode, _DNS_RCODES)),
        Field("count.queries", "QDCOUNT", len(questions)),
        Field("count.answers", "ANCOUNT", len(records["an"])),
        Field("count.auth_rr", "NSCOUNT", len(records["ns"])),
        Field("count.add_rr", "ARCOUNT", len(records["ar"])),
        Field(
            "queries",
            "Question",
            questions,
            text=" ".join(
                f"[{q['name'] or '<Root>'} {_DNS_TYPES.get(q['type'], q['type'])} "
                f"{_DNS_CLASSES.get(q['class'], q['class'])}]"
                for q in questions
            ),
        ),
        Field("answers", "Answer", records["an"], text=rr_text(records["an"])),
        Field("authorities", "Authority", records["ns"], text=rr_text(records["ns"])),
        Field("additionals", "Additional", records["ar"], text=rr_text(records["ar"])),
    ]
    d.add(Layer("dns", "DNS Header", size, fields))


def _dns(d: _Decoding, buf: bytes) -> _Step:
    _need(buf, 12, "dns", "a DNS header")
    _dns_layer(d, buf, [], len(buf))
    return None, b""


def _dns_tcp(d: _Decoding, buf: bytes) -> _Step:
    """DNS over TCP: a 2-byte length, then the message; decoded only when the segment holds it whole."""
    if len(buf) < 14:
        return None, buf
    size = int.from_bytes(buf[:2], "big")
    if size < 12 or len(buf) < 2 + size:
        return None, buf  # a message split across segments, or not the start of one
    _dns_layer(d, buf[2 : 2 + size], [Field("length", "Length", size)], 2 + size)
    return None, buf[2 + size :]


_DHCP_MESSAGE_TYPES = {
    1: "Discover",
    2: "Offer",
    3: "Request",
    4: "Decline",
    5: "ACK",
    6: "NAK",
    7: "Release",
    8: "Inform",
    9: "Force Renew",
    10: "Lease Query",
}
_DHCP_OPTIONS = {
    1: "Subnet Mask",
    3: "Router",
    6: "Domain Name Server",
    12: "Host Name",
    15: "Domain Name",
    28: "Broadcast Address",
    50: "Requested IP Address",
    51: "IP Address Lease Time",
    53: "DHCP Message Type",
    54: "DHCP Server Identifier",
    55: "Parameter Request List",
    57: "Maximum DHCP Message Size",
    58: "Renewal Time Value",
    59: "Rebinding Time Value",
    60: "Vendor class identifier",
    61: "Client identifier",
    81: "Client Fully Qualified Domain Name",
    82: "Agent Information Option",
}


def _dhcp(d: _Decoding, buf: bytes) -> _Step:
    h = _header(dhcp.DHCP, buf, "dhcp", "a BOOTP/DHCP message")
    is_dhcp = h.magic == dhcp.DHCP_MAGIC
    options: list[tuple[int, bytes]] = list(dhcp.DHCP(buf).opts) if is_dhcp else []
    chaddr = h.chaddr[: min(h.hln, 16)]
    fields = [
        Field("type", "Message type", h.op, text=_named(h.op, {1: "Boot Request", 2: "Boot Reply"})),
        Field("hw.type", "Hardware type", h.hrd, text=_named(h.hrd, _ARP_HARDWARE_NAMES)),
        Field("hw.len", "Hardware address length", h.hln),
        Field("hops", "Hops", h.hops),
        Field("id", "Transaction ID", h.xid, text=_hex(h.xid, 8)),
        Field("secs", "Seconds elapsed", h.secs),
        Field("flags", "Bootp flags", h.flags, text=_hex(h.flags)),
        _addr_field("ip.client", "Client IP address", struct.pack("!I", h.ciaddr)),
        _addr_field("ip.your", "Your (client) IP address", struct.pack("!I", h.yiaddr)),
        _addr_field("ip.server", "Next server IP address", struct.pack("!I", h.siaddr)),
        _addr_field("ip.relay", "Relay agent IP address", struct.pack("!I", h.giaddr)),
        Field("hw.mac_addr" if h.hln == 6 else "hw.addr", "Client hardware address", chaddr.hex(":")),
        Field("server", "Server host name", h.sname.split(b"\x00", 1)[0].decode("latin-1")),
        Field("file", "Boot file name", h.file.split(b"\x00", 1)[0].decode("latin-1")),
        Field("cookie", "Magic cookie", h.magic, text="DHCP" if is_dhcp else _hex(h.magic, 8)),
    ]
    for code, value in options:
        if code == 53 and len(value) == 1:
            fields.append(
                Field(
                    "option.dhcp", "DHCP Message Type", value[0], text=_named(value[0], _DHCP_MESSAGE_TYPES)
                )
            )
    if is_dhcp:
        listed = [
            {"code": c, "name": _DHCP_OPTIONS.get(c, "unknown"), "length": len(v), "value": v.hex()}
            for c, v in options
        ]
        fields.append(
            Field("options", "Options", listed, text=" ".join(f"[{o['name']} ({o['code']})]" for o in listed))
        )
    d.add(Layer("dhcp", "DHCP Header", len(buf), fields))
    return None, b""


_NTP_MODES = {
    0: "reserved",
    1: "symmetric active",
    2: "symmetric passive",
    3: "client",
    4: "server",
    5: "broadcast",
    6: "NTP control message",
    7: "reserved for private use",
}
_NTP_EPOCH = datetime.datetime(1900, 1, 1, tzinfo=datetime.timezone.utc)


def _ntp_time(raw: bytes) -> str:
    seconds, fraction = struct.unpack("!II", raw)
    if not seconds and not fraction:
        return "NULL"
    when = _NTP_EPOCH + datetime.timedelta(seconds=seconds + fraction / 2**32)
    return when.isoformat().replace("+00:00", "Z")


def _ntp(d: _Decoding, buf: bytes) -> _Step:
    _need(buf, 1, "ntp", "an NTP header")
    li, vn, mode = buf[0] >> 6, (buf[0] >> 3) & 7, buf[0] & 7
    fields = [
        Field("flags", "Flags", buf[0], text=_hex(buf[0], 2)),
        Field("flags.li", "Leap Indicator", li),
        Field("flags.vn", "Version number", vn),
        Field("flags.mode", "Mode", mode, text=_named(mode, _NTP_MODES)),
    ]
    if mode in (6, 7):  # control and private messages have a header of their own, not decoded here
        d.add(Layer("ntp", "NTP Header", 1, fields))
        return None, buf[1:]
    n = ntp.NTP(buf) if len(buf) >= 48 else _header(ntp.NTP, buf, "ntp", "an NTP header")
    precision = n.precision - 256 if n.precision > 127 else n.precision
    refid = _ip4(n.id) if n.stratum > 1 else n.id.rstrip(b"\x00").decode("ascii", "backslashreplace")
    fields += [
        Field("stratum", "Peer Clock Stratum", n.stratum),
        Field("ppoll", "Peer Polling Interval", n.interval),
        Field("precision", "Peer Clock Precision", precision),
        Field("rootdelay", "Root Delay", n.delay / 65536),
        Field("rootdispersion", "Root Dispersion", n.dispersion / 65536),
        Field("refid", "Reference ID", refid),
        Field("reftime", "Reference Timestamp", _ntp_time(n.update_time)),
        Field("org", "Origin Timestamp", _ntp_time(n.originate_time)),
        Field("rec", "Receive Timestamp", _ntp_time(n.receive_time)),
        Field("xmt", "Transmit Timestamp", _ntp_time(n.transmit_time)),
    ]
    d.add(Layer("ntp", "NTP Header", 48, fields))
    return None, buf[48:]


def _http(d: _Decoding, buf: bytes) -> _Step:
    """The request or status line only; headers and body stay payload."""
    end = buf.find(b"\n", 0, 8192)
    if end < 0:
        return None, buf
    line = buf[: end + 1]
    try:
        if line.startswith(b"HTTP/"):
            r = dpkt_http.Response(line.rstrip(b"\r\n") + b"\r\n\r\n")
            title = "HTTP Status Line"
            fields = [
                Field("response.version", "Version", f"HTTP/{r.version}"),
                Field("response.code", "Status Code", int(r.status)),
                Field("response.phrase", "Reason Phrase", r.reason),
            ]
        else:
            q = dpkt_http.Request(line.rstrip(b"\r\n") + b"\r\n\r\n")
            title = "HTTP Request Line"
            fields = [
                Field("request.method", "Method", q.method),
                Field("request.uri", "URI", q.uri),
                Field("request.version", "Version", f"HTTP/{q.version}"),
            ]
    except (dpkt.Error, ValueError):
        return None, buf  # not the start of a message: a continuation, or not HTTP at all
    d.add(Layer("http", title, len(line), fields))
    return None, buf[len(line) :]


_TLS_CONTENT_TYPES = {
    20: "Change Cipher Spec",
    21: "Alert",
    22: "Handshake",
    23: "Application Data",
    24: "Heartbeat",
}
_TLS_VERSIONS = {
    0x0300: "SSL 3.0",
    0x0301: "TLS 1.0",
    0x0302: "TLS 1.1",
    0x0303: "TLS 1.2",
    0x0304: "TLS 1.3",
}
_TLS_HANDSHAKES = {
    0: "Hello Request",
    1: "Client Hello",
    2: "Server Hello",
    4: "New Session Ticket",
    8: "Encrypted Extensions",
    11: "Certificate",
    12: "Server Key Exchange",
    13: "Certificate Request",
    14: "Server Hello Done",
    15: "Certificate Verify",
    16: "Client Key Exchange",
    20: "Finished",
}


def _tls_extensions(buf: bytes) -> list[tuple[int, bytes]]:
    """(type, data) of each extension that is whole; a ClientHello cut by the segment keeps the rest."""
    if len(buf) < 2:
        return []
    end = min(len(buf), 2 + int.from_bytes(buf[:2], "big"))
    pos, out = 2, []
    while pos + 4 <= end:
        ext_type, ext_len = struct.unpack_from("!HH", buf, pos)
        if pos + 4 + ext_len > end:
            break
        out.append((ext_type, buf[pos + 4 : pos + 4 + ext_len]))
        pos += 4 + ext_len
    return out


def _server_name(ext: bytes) -> str | None:
    names, _ = ssl.parse_variable_array(ext, 2)
    pos = 0
    while pos + 3 <= len(names):
        name_type = names[pos]
        name, used = ssl.parse_variable_array(names[pos + 1 :], 2)
        if name_type == 0:
            return name.decode("ascii", "backslashreplace")
        pos += 1 + used
    return None


def _tls(d: _Decoding, buf: bytes) -> _Step:
    rec = _header(ssl.TLSRecord, buf, "tls", "a TLS record header")
    fields = [
        Field("record.content_type", "Content Type", rec.type, text=_named(rec.type, _TLS_CONTENT_TYPES)),
        Field("record.version", "Version", rec.version, text=_hex_named(rec.version, _TLS_VERSIONS)),
        Field("record.length", "Length", rec.length),
    ]
    body = buf[5 : 5 + rec.length]
    if rec.type == 22 and len(body) >= 4:
        hs = _header(ssl.TLSHandshake, body, "tls", "a TLS handshake header")
        fields += [
            Field("handshake.type", "Handshake Type", hs.type, text=_named(hs.type, _TLS_HANDSHAKES)),
            Field("handshake.length", "Handshake Length", hs.length),
        ]
        hello = body[4 : 4 + hs.length]
        if hs.type in (1, 2) and len(hello) >= 34:
            h = _header(ssl.TLSClientHello, hello, "tls", "a TLS hello")  # version and random
            fields.append(
                Field("handshake.version", "Version", h.version, text=_hex_named(h.version, _TLS_VERSIONS))
            )
            if hs.type == 1:
                _, pos = ssl.parse_variable_array(h.data, 1)  # session id
                suites, used = ssl.parse_variable_array(h.data[pos:], 2)
                pos += used
                _, used = ssl.parse_variable_array(h.data[pos:], 1)  # compression methods
                pos += used
                fields.append(Field("handshake.ciphersuites_length", "Cipher Suites Length", len(suites)))
                for ext_type, ext in _tls_extensions(h.data[pos:]):
                    if ext_type == 0:
                        name = _server_name(ext)
                        if name is not None:
                            fields.append(Field("handshake.extensions_server_name", "Server Name", name))
    size = 5 + len(body)
    d.add(Layer("tls", "TLS Record Header", size, fields))
    return None, buf[size:]


def _dhcpv6(d: _Decoding, buf: bytes) -> _Step:
    """DHCPv6, which dpkt lacks: scapy's classes, imported now rather than with this module."""
    from scapy.layers import dhcp6  # ~0.25 s the first time; only DHCPv6 packets pay it

    _need(buf, 4, "dhcpv6", "a DHCPv6 message")
    msg_type = buf[0]
    cls = getattr(dhcp6, dhcp6.dhcp6_cls_by_type.get(msg_type, ""), None) or dhcp6.DHCP6
    # scapy logs what it thinks odd in an option to stderr; a decoder reports, it does not print
    runtime = logging.getLogger("scapy.runtime")
    level = runtime.level
    runtime.setLevel(logging.CRITICAL)
    try:
        message = cls(buf)
    finally:
        runtime.setLevel(level)
    fields = [Field("msgtype", "Message type", msg_type, text=f"{msg_type} ({message.name})")]
    if msg_type in (12, 13):  # relay messages: hop count and two addresses instead of a transaction id
        fields += [
            Field("hopcount", "Hop count", message.hopcount),
            Field("linkaddr", "Link address", str(message.linkaddr)),
            Field("peeraddr", "Peer address", str(message.peeraddr)),
        ]
    else:
        fields.append(Field("xid", "Transaction ID", message.trid, text=_hex(message.trid, 6)))
    options = []
    layer = message.payload
    while layer and layer.name != "Raw" and getattr(layer, "optcode", None) is not None:
        options.append({"code": layer.optcode, "name": layer.name})
        layer = layer.payload
    fields.append(Field("options", "Options", options, text=" ".join(f"[{o['name']}]" for o in options)))
    d.add(Layer("dhcpv6", "DHCPv6 Header", len(buf), fields))
    return None, b""


# --- the walk ----------------------------------------------------------------------------------

_Decoder = Callable[[_Decoding, bytes], _Step]

# key: (Wireshark name of the layer it decodes, what it is, its decoder)
_DECODERS: dict[str, tuple[str, str, _Decoder]] = {
    "eth": ("eth", "an Ethernet header", _eth),
    "vlan": ("vlan", "an 802.1Q tag", _vlan),
    "llc": ("llc", "an LLC header", _llc),
    "stp": ("stp", "an STP BPDU", _stp),
    "sll": ("sll", "a Linux cooked-mode header", _sll),
    "sll2": ("sll", "a Linux cooked-mode v2 header", _sll2),
    "null": ("null", "a BSD loopback header", _null),
    "loop": ("null", "a BSD loopback header", _loop),
    "raw": ("ip", "an IP header", _raw),
    "ppp_hdlc": ("ppp", "a PPP header", _ppp_hdlc),
    "ppp": ("ppp", "a PPP header", _ppp),
    "ppp_serial": ("ppp", "a PPP header", _ppp_serial),
    "chdlc": ("chdlc", "a Cisco HDLC header", _chdlc),
    "arcnet": ("arcnet", "an ARCNET header", _arcnet),
    "fr": ("fr", "a Frame Relay header", _fr),
    "ipoib": ("ipoib", "an IPoIB header", _ipoib),
    "ipnet": ("ipnet", "a Solaris ipnet header", _ipnet),
    "ppi": ("ppi", "a PPI header", _ppi),
    "pktap": ("pktap", "a PKTAP header", _pktap),
    "juniper_ether": ("juniper", "a Juniper header", _juniper_ether),
    "avsp": ("avsp", "an Arista vendor-specific header", _avsp),
    "pppoe": ("pppoe", "a PPPoE header", _pppoe),
    "pppoed": ("pppoed", "a PPPoE discovery header", _pppoe),
    "pppoes": ("pppoes", "a PPPoE session header", _pppoe),
    "radiotap": ("radiotap", "a radiotap header", _radiotap),
    "wlan": ("wlan", "an 802.11 header", _wlan),
    "wlan.mgt": ("wlan.mgt", "an 802.11 management frame body", _wlan_mgt),
    "arp": ("arp", "an ARP packet", _arp),
    "ip": ("ip", "an IPv4 header", _ip),
    "ipv6": ("ipv6", "an IPv6 header", _ipv6),
    **{key: (key, _IP6_EXTENSIONS[key][2], _ipv6_extension(key)) for key in _IP6_EXTENSIONS},
    "ah": ("ah", "an AH header", _ah),
    "esp": ("esp", "an ESP header", _esp),
    "icmp": ("icmp", "an ICMPv4 header", _icmp),
    "igmp": ("igmp", "an IGMP header", _igmp),
    "icmpv6": ("icmpv6", "an ICMPv6 message", _icmpv6),
    "tcp": ("tcp", "a TCP header", _tcp),
    "udp": ("udp", "a UDP header", _udp),
    "sctp": ("sctp", "an SCTP packet", _sctp),
    "mpls": ("mpls", "an MPLS label", _mpls),
    "pwethcw": ("pwethcw", "a pseudowire control word", _pwethcw),
    "gre": ("gre", "a GRE header", _gre),
    "erspan": ("erspan", "an ERSPAN header", _erspan),
    "erspan1": ("erspan", "an ERSPAN type I frame", _erspan1),
    "erspan3": ("erspan", "an ERSPAN type III header", _erspan3),
    "l2tp": ("l2tp", "an L2TP header", _l2tp),
    "vxlan": ("vxlan", "a VXLAN header", _vxlan),
    "geneve": ("geneve", "a Geneve header", _geneve),
    "gtp": ("gtp", "a GTP header", _gtp),
    "dns": ("dns", "a DNS message", _dns),
    "dns_tcp": ("dns", "a DNS message", _dns_tcp),
    "dhcp": ("dhcp", "a DHCP message", _dhcp),
    "dhcpv6": ("dhcpv6", "a DHCPv6 message", _dhcpv6),
    "ntp": ("ntp", "an NTP message", _ntp),
    "http": ("http", "an HTTP message", _http),
    "tls": ("tls", "a TLS record", _tls),
}

_LINKTYPES = {
    0: "null", 1: "eth", 9: "ppp_hdlc", 12: "raw", 14: "raw", 50: "ppp_serial", 51: "pppoe", 101: "raw",
    104: "chdlc", 105: "wlan", 107: "fr", 108: "loop", 113: "sll", 127: "radiotap", 129: "arcnet",
    178: "juniper_ether", 192: "ppi", 226: "ipnet", 228: "ip", 229: "ipv6", 242: "ipoib", 258: "pktap",
    276: "sll2",
}  # fmt: skip

SUPPORTED_LINKTYPES = frozenset(_LINKTYPES)


def decode(linktype: int, data: bytes) -> DecodedPacket:
    """Decode one frame into layers, in wire order; never raises, whatever the bytes.

    A header that does not parse ends the walk: the layers before it stay, and ``malformed`` says
    which header, why, and what bytes were left. A link type this decoder does not know gives a
    packet without layers, its bytes as ``payload`` and ``malformed`` None.
    """
    data = bytes(data)
    packet = DecodedPacket(linktype=linktype)
    key = _LINKTYPES.get(linktype)
    if key is None:
        packet.payload = data
        return packet
    d = _Decoding()
    packet.layers = d.layers
    buf = data
    while key is not None:
        name, what, decoder = _DECODERS[key]
        if len(d.layers) >= _MAX_LAYERS:
            packet.malformed = Malformed(name, f"more than {_MAX_LAYERS} headers: decoding stopped", buf)
            return packet
        try:
            key, buf = decoder(d, buf)
        except _Bad as bad:
            rest = buf if bad.data is None else bad.data
            if d.quoted and bad.truncated:  # an ICMP error quotes only the start of a packet
                packet.payload = rest
            else:
                packet.malformed = Malformed(bad.layer, bad.cause, rest)
            return packet
        except (dpkt.Error, struct.error, IndexError, KeyError, ValueError, UnicodeError) as exc:
            packet.malformed = Malformed(name, f"invalid {what.split(' ', 1)[1]}: {_reason(exc)}", buf)
            return packet
        except Exception as exc:  # a decoder's bug must not take the caller down: report it as malformed
            cause = f"cannot decode {what.split(' ', 1)[1]}: {type(exc).__name__}: {_reason(exc)}"
            packet.malformed = Malformed(name, cause, buf)
            return packet
    packet.payload = buf
    return packet
