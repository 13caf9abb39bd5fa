"""Link layers: Ethernet, VLAN tags, LLC and STP, Linux cooked captures, loopback, PPP, Cisco HDLC, PPPoE,
ARCNET, Frame Relay, IPoIB, Solaris ipnet, PPI, PKTAP and Juniper."""

from __future__ import annotations

import struct

from dpkt import (
    ethernet,
    llc,
    ppp,
    pppoe,
    sll,
    sll2,
    stp,
)

from ...protocols import headers as extra
from ...protocols.linktypes import LINKTYPE_DECODERS, linktype_name
from ...protocols.names import (
    ARP_HARDWARE_NAMES,
    NAMES,
    PROTOCOL_FAMILY_NAMES,
    SLL_PACKET_TYPE_NAMES,
)
from ...protocols.numbers import (
    ARCNET_DECODERS,
    ARCNET_PROTOCOL_NAMES,
    ARCNET_UNSPLIT,
    ETHERTYPE_ARP,
    ETHERTYPE_CDP,
    ETHERTYPE_DECODERS,
    ETHERTYPE_IP,
    ETHERTYPE_IP6,
    ETHERTYPE_RARP,
)
from ..model import Field, Layer
from .control import PPP_CONTROL_DECODERS
from .core import IP_BY_VERSION, Bad, DecoderTable, Decoding, Step, by_version, require, unpack_header
from .depth2 import NETBIOS_SAP, NOVELL_RAW, fr_control_width
from .fields import address_field, ethertype_text, flag_field, hex_named, hex_text, mac_text, named_text

_LLC_NAMES = NAMES["LlcNumber"]
_LLC_MODIFIER_NAMES = NAMES["LlcControlModifierFunction"]
_LLC_SUPERVISORY_NAMES = NAMES["LlcControlSupervisoryFunction"]
_OUI_NAMES = NAMES["Oui"]


def _after_ethertype(d: Decoding, etype: int, rest: bytes) -> Step:
    """The layer an ethertype (or an 802.3 length) announces."""
    if etype < 0x0600:  # IEEE 802.3: a length, and an LLC frame of that length follows
        d.claim_padding(rest[etype:])
        return "ipx" if rest[:2] == NOVELL_RAW else "llc", rest[:etype]
    return ETHERTYPE_DECODERS.get(etype), rest


def _eth(d: Decoding, buf: bytes) -> Step:
    eth = unpack_header(ethernet.Ethernet, buf, "eth", "an Ethernet header")
    etype = eth.type
    # Pcap4J titles IEEE 802.3 frames "Ethernet Header" too, and prints their length as the Type
    key = "type" if etype >= 0x0600 else "len"
    kind = Field(key, "Type", etype, text=ethertype_text(etype))
    layer = d.add(
        Layer(
            "eth",
            "Ethernet Header",
            14,
            [
                Field("dst", "Destination address", mac_text(eth.dst)),
                Field("src", "Source address", mac_text(eth.src)),
                kind,
            ],
        ),
        buf,
    )
    d.pad_owner = layer
    return _after_ethertype(d, etype, buf[14:])


def _vlan(d: Decoding, buf: bytes) -> Step:
    tag = unpack_header(ethernet.VLANtag8021Q, buf, "vlan", "an 802.1Q tag")
    fields = [
        Field("priority", "Priority", tag.pri),
        Field("dei", "CFI", tag.cfi),
        Field("id", "VID", tag.id),
        Field("etype", "Type", tag.type, text=ethertype_text(tag.type)),
    ]
    return _after_ethertype(d, tag.type, d.add_header(buf, "vlan", "IEEE802.1Q Tag header", 4, fields))


_AVSP_SUBTYPES = {1: "timestamp"}
# version: TAI (0x00..) or UTC (0x01..) clock; 64-bit (seconds, nanoseconds) or 48-bit (2-byte seconds)
_AVSP_TIMESTAMPS = {0x0010: ("64", "!II", "TAI"), 0x0110: ("64", "!II", "UTC"),
                    0x0020: ("48", "!HI", "TAI"), 0x0120: ("48", "!HI", "UTC")}  # fmt: skip


def _avsp(d: Decoding, buf: bytes) -> Step:
    """Arista's vendor-specific header (ethertype 0xd28b): a timestamp, then the ethertype of the rest."""
    h = unpack_header(extra.AristaVSP, buf, "avsp", "an Arista vendor-specific header")
    fields = [
        Field("sub_type", "Sub Type", h.subtype, text=named_text(h.subtype, _AVSP_SUBTYPES)),
        Field("ver", "Version", h.version, text=hex_text(h.version)),
    ]
    timestamp = _AVSP_TIMESTAMPS.get(h.version) if h.subtype == 1 else None
    if timestamp is None:  # another subtype, or a timestamp format Wireshark does not know either
        return None, d.add_header(buf, "avsp", "Arista Vendor Specific Header", 4, fields)
    bits, fmt, clock = timestamp
    size = 4 + struct.calcsize(fmt)
    require(buf, size + 2, "avsp", "an Arista timestamp header")
    seconds, nanoseconds = struct.unpack_from(fmt, buf, 4)
    etype = int.from_bytes(buf[size : size + 2], "big")
    fields += [
        Field(f"{bits}sec", f"Seconds ({clock})", seconds),
        Field(f"{bits}ns", "Nanoseconds", nanoseconds),
        Field("etype", "Type", etype, text=ethertype_text(etype)),
    ]
    rest = d.add_header(buf, "avsp", "Arista Vendor Specific Header", size + 2, fields)
    return _after_ethertype(d, etype, rest)


def _llc_control_text(control: bytes) -> str:
    """Pcap4J's LlcControl toString(): an unnumbered (U-format, one byte), supervisory or information
    control field, the two-byte ones read in wire order."""
    first = control[0]
    if first & 0x03 == 0x03:
        modifier = (first >> 2) & 0x3B  # the modifier bits, without the P/F bit
        return (
            f"[modifier function: {named_text(modifier, _LLC_MODIFIER_NAMES)}] [P/F bit: {(first >> 4) & 1}]"
        )
    second = control[1]
    if first & 0x03 == 0x01:
        function = (first >> 2) & 0x03
        return (
            f"[receive sequence number: {second >> 1}] [P/F bit: {second & 1}] [reserved: {first >> 4}] "
            f"[supervisory function: {named_text(function, _LLC_SUPERVISORY_NAMES)}]"
        )
    return (
        f"[receive sequence number: {second >> 1}] [P/F bit: {second & 1}] "
        f"[send sequence number: {first >> 1}]"
    )


def _oui_text(oui: bytes) -> str:
    """Pcap4J's Oui: ``00-00-0c (Cisco)``."""
    return f"{oui.hex('-')} ({_OUI_NAMES.get(int.from_bytes(oui, 'big'), 'unknown')})"


_CISCO_SNAP_DECODERS = {0x010B: "stp", ETHERTYPE_CDP: "cdp", 0x0111: "udld", 0x2004: "dtp"}  # 0x010b: PVST+


def _llc(d: Decoding, buf: bytes) -> Step:
    head = unpack_header(llc.LLC, buf, "llc", "an LLC header")
    fields = [
        Field("dsap", "DSAP", head.dsap, text=named_text(head.dsap, _LLC_NAMES)),
        Field("ssap", "SSAP", head.ssap, text=named_text(head.ssap, _LLC_NAMES)),
    ]
    if head.dsap == 0xAA and head.ssap == 0xAA and head.ctl == 0x03:
        snap = unpack_header(extra.SNAP, buf[3:], "llc", "a SNAP header")
        fields.append(Field("control", "Control", head.ctl, text=_llc_control_text(buf[2:3])))
        fields.append(Field("oui", "OUI", snap.oui.hex(":"), text=_oui_text(snap.oui)))
        fields.append(Field("pid", "Protocol ID", snap.type, text=ethertype_text(snap.type)))
        layer = d.add(Layer("llc", "Logical Link Control header", 8, fields), buf)
        # Pcap4J prints the LLC header and the SNAP header after it as two headers
        layer.blocks = ((0, "Logical Link Control header", 3), (3, "Subnetwork Access Protocol header", 5))
        rest = buf[8:]
        if snap.oui == b"\x00\x00\x0c":  # Cisco's OUI: its own protocol ids, not ethertypes
            return _CISCO_SNAP_DECODERS.get(snap.type), rest
        return _after_ethertype(d, snap.type, rest) if snap.type >= 0x0600 else (None, rest)
    # I- and S-format frames have a 2-byte control field; U-format (low bits 11) has one byte
    size = 3 if head.ctl & 0x03 == 0x03 else 4
    require(buf, size, "llc", "an LLC header")
    control = head.ctl if size == 3 else int.from_bytes(buf[2:4], "little")
    fields.append(Field("control", "Control", control, text=_llc_control_text(buf[2:size])))
    rest = d.add_header(buf, "llc", "Logical Link Control header", size, fields)
    if head.dsap == 0x42 and size == 3:
        return "stp", rest
    if head.dsap == 0x06 and size == 3:
        return "ip", rest
    if head.dsap == 0xFE and size == 3:  # ISO network layer: IS-IS, ES-IS or CLNP by the NLPID
        return "osi", rest
    if head.dsap == 0xE0 and size == 3:  # Novell's SAP
        return "ipx", rest
    if head.dsap == 0x82 and size == 3:  # BACnet's SAP
        return "bacnet", rest
    if (
        head.dsap == 0x98 and size == 3
    ):  # the SAP IEEE gave ARP (RFC 1042's era); Pcap4J and Wireshark read it
        return "arp", rest
    if head.dsap == NETBIOS_SAP and rest:
        return "netbios", rest
    return None, rest


_STP_TYPES = {
    0x00: "Configuration",
    0x02: "Rapid/Multiple Spanning Tree",
    0x80: "Topology Change Notification",
}


def _stp(d: Decoding, buf: bytes) -> Step:
    require(buf, 4, "stp", "an STP BPDU")
    version, bpdu_type = buf[2], buf[3]
    fields = [
        Field("protocol", "Protocol Identifier", int.from_bytes(buf[:2], "big")),
        Field("version", "Protocol Version Identifier", version),
        Field("type", "BPDU Type", bpdu_type, text=hex_named(bpdu_type, _STP_TYPES, 2)),
    ]
    if bpdu_type == 0x80:
        return None, d.add_header(buf, "stp", "STP BPDU", 4, fields)
    bpdu = unpack_header(stp.STP, buf, "stp", "an STP configuration BPDU")
    fields += [
        Field("flags", "BPDU Flags", bpdu.flags, text=hex_text(bpdu.flags, 2)),
        Field("root.prio", "Root Bridge Priority", int.from_bytes(bpdu.root_id[:2], "big")),
        Field("root.hw", "Root Bridge System ID", mac_text(bpdu.root_id[2:])),
        Field("root.cost", "Root Path Cost", bpdu.root_path),
        Field("bridge.prio", "Bridge Priority", int.from_bytes(bpdu.bridge_id[:2], "big")),
        Field("bridge.hw", "Bridge System ID", mac_text(bpdu.bridge_id[2:])),
        Field("port", "Port Identifier", bpdu.port_id, text=hex_text(bpdu.port_id)),
        Field("msg_age", "Message Age", bpdu.age),
        Field("max_age", "Max Age", bpdu.max_age),
        Field("hello", "Hello Time", bpdu.hello),
        Field("forward", "Forward Delay", bpdu.fd),
    ]
    return None, d.add_header(buf, "stp", "STP BPDU", 35, fields)


def _sll_fields(s: sll.SLL | sll2.SLL2) -> tuple[Field, Field, Field, Field, Field]:
    """The fields both Linux cooked-mode headers have, in version 1's order: packet type, address type,
    address length, address, and protocol (an ethertype, or below 0x0600 Linux's own ``LINUX_SLL_P_*``)."""
    halen, proto = s.hlen, s.ethtype
    return (
        Field("pkttype", "Packet Type", s.type, text=named_text(s.type, SLL_PACKET_TYPE_NAMES)),
        Field("hatype", "Address Type", s.hrd, text=named_text(s.hrd, ARP_HARDWARE_NAMES)),
        Field("halen", "Address Length", halen),
        Field(
            "src.eth" if halen == 6 else "src.unknown",
            "Address",
            mac_text(s.hdr[: min(halen, 8)]),
            text=f"{mac_text(s.hdr[:halen]) if halen else 'null'} ({s.hdr.hex(' ')})",  # Pcap4J's
        ),
        Field(
            # Pcap4J's EtherType text, "Length (N bytes)" below 1501 (there Linux's own protocol numbers)
            "etype" if proto >= 0x0600 else "ltype",
            "Protocol",
            proto,
            text=ethertype_text(proto),
        ),
    )


_SLL_PROTOCOL_DECODERS = {
    0x0004: "llc",  # LINUX_SLL_P_802_2: an LLC frame follows
    0x000C: "socketcan_host",  # LINUX_SLL_P_CAN: a SocketCAN frame, its ID word in the host's order
    0x000D: "socketcan_fd_host",  # LINUX_SLL_P_CANFD
}
"""The rich decoder after a cooked-mode header whose protocol is one of Linux's own (below 0x0600)."""


def _sll_next(proto: int, rest: bytes) -> Step:
    if proto >= 0x0600:
        return ETHERTYPE_DECODERS.get(proto), rest
    return _SLL_PROTOCOL_DECODERS.get(proto), rest


def _sll(d: Decoding, buf: bytes) -> Step:
    s = unpack_header(sll.SLL, buf, "sll", "a Linux cooked-mode header")
    return _sll_next(s.ethtype, d.add_header(buf, "sll", "Linux SLL header", 16, list(_sll_fields(s))))


def _sll2(d: Decoding, buf: bytes) -> Step:
    s = unpack_header(sll2.SLL2, buf, "sll", "a Linux cooked-mode v2 header")
    pkttype, hatype, halen, address, protocol = _sll_fields(s)
    fields = [
        protocol,
        Field("reserved", "Reserved", s.mbz),
        Field("ifindex", "Interface Index", s.intindex),
        hatype,
        pkttype,
        halen,
        address,
    ]
    return _sll_next(s.ethtype, d.add_header(buf, "sll", "Linux SLL2 Header", 20, fields))


def _family(d: Decoding, buf: bytes, family: int) -> Step:
    fields = [Field("family", "Protocol Family", family, text=named_text(family, PROTOCOL_FAMILY_NAMES))]
    rest = d.add_header(buf, "null", "BSD Loopback Header", 4, fields)
    if family == 2:
        return "ip", rest
    if family in (10, 24, 28, 30):
        return "ipv6", rest
    return None, rest


def _null(d: Decoding, buf: bytes) -> Step:
    # dpkt's Loopback reads the family in this machine's byte order; DLT_NULL's is the capturing
    # host's, so read it as lean.py does: little-endian, unless that makes no sense.
    require(buf, 4, "null", "a BSD loopback header")
    family = int.from_bytes(buf[:4], "little")
    if family > 0xFFFF:
        family = int.from_bytes(buf[:4], "big")
    return _family(d, buf, family)


def _loop(d: Decoding, buf: bytes) -> Step:
    require(buf, 4, "null", "a BSD loopback header")
    return _family(d, buf, int.from_bytes(buf[:4], "big"))  # DLT_LOOP: always network byte order


_raw = by_version("ip", "an IP header", 4, IP_BY_VERSION, "not an IP packet: version")


_PPP_PROTOCOL_NAMES = NAMES["PppDllProtocol"]
_PPP_NEXT = {0x0021: "ip", 0x0057: "ipv6", 0x0281: "mpls", 0x0023: "osi", **PPP_CONTROL_DECODERS}


def _ppp_protocol(buf: bytes, offset: int, first: int) -> tuple[int, int]:
    """The PPP protocol and its size: one byte when compressed (RFC 1661 PFC: the low bit is set)."""
    if first & 0x01:
        return first, 1
    require(buf, offset + 2, "ppp", "a PPP header")
    return (first << 8) | buf[offset + 1], 2


def _ppp_layer(d: Decoding, buf: bytes, title: str, fields: list[Field], offset: int, first: int) -> Step:
    proto, size = _ppp_protocol(buf, offset, first)
    fields.append(Field("protocol", "Protocol", proto, text=hex_named(proto, _PPP_PROTOCOL_NAMES)))
    return _PPP_NEXT.get(proto), d.add_header(buf, "ppp", title, offset + size, fields)


def _ppp_addressed(d: Decoding, buf: bytes) -> Step:
    """PPP in HDLC-like framing (RFC 1662): address and control bytes, then the protocol."""
    head = unpack_header(ppp.PPP, buf, "ppp", "a PPP header")
    fields = [
        Field("address", "Address", head.addr, text=hex_text(head.addr, 2)),
        Field("control", "Control", head.cntrl, text=hex_text(head.cntrl, 2)),
    ]
    return _ppp_layer(d, buf, "HDLC-encapsulated PPP Header", fields, 2, head.p)


def _ppp_hdlc(d: Decoding, buf: bytes) -> Step:
    """PPP as DLT_PPP and GRE carry it: address and control bytes, unless compressed away."""
    return _ppp_addressed(d, buf) if buf[:2] == b"\xff\x03" else _ppp(d, buf)


def _ppp(d: Decoding, buf: bytes) -> Step:
    """PPP with the protocol field alone, as PPPoE carries it."""
    head = unpack_header(pppoe.PPP, buf, "ppp", "a PPP header")
    return _ppp_layer(d, buf, "PPP Header", [], 0, head.p)


def _ppp_serial(d: Decoding, buf: bytes) -> Step:
    """DLT_PPP_SERIAL: always address and control bytes; frames starting 0x0f or 0x8f are Cisco HDLC."""
    require(buf, 1, "ppp", "a PPP header")
    if buf[0] in (0x0F, 0x8F):
        return "chdlc", buf
    return _ppp_addressed(d, buf)


_CHDLC_ADDRESSES = {0x0F: "Unicast", 0x8F: "Multicast"}
# Cisco HDLC carries SLARP, not RARP, under 0x8035
_CHDLC_NEXT = {etype: key for etype, key in ETHERTYPE_DECODERS.items() if etype != ETHERTYPE_RARP}
_CHDLC_NEXT[ETHERTYPE_RARP] = "slarp"


def _chdlc(d: Decoding, buf: bytes) -> Step:
    h = unpack_header(extra.CHDLC, buf, "chdlc", "a Cisco HDLC header")
    fields = [
        Field("address", "Address", h.address, text=hex_named(h.address, _CHDLC_ADDRESSES, 2)),
        Field("control", "Control", h.control, text=hex_text(h.control, 2)),
        Field("protocol", "Protocol", h.type, text=ethertype_text(h.type)),
    ]
    return _CHDLC_NEXT.get(h.type), d.add_header(buf, "chdlc", "Cisco HDLC Header", 4, fields)


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


def _pppoe(d: Decoding, buf: bytes) -> Step:
    p = unpack_header(pppoe.PPPoE, buf, "pppoe", "a PPPoE header")
    end = 6 + p.len
    body = buf[6:end]
    d.claim_padding(buf[end:])
    fields = [
        Field("version", "Version", p.v),
        Field("type", "Type", p.type),
        Field("code", "Code", p.code, text=hex_named(p.code, _PPPOE_CODES, 2)),
        Field("session_id", "Session ID", p.session, text=hex_text(p.session)),
        Field("payload_length", "Length", p.len),
    ]
    if p.code == 0:
        d.add(Layer("pppoes", "PPPoE Header", 6, fields), buf)
        return "ppp", body
    tags = _pppoe_tags(body)
    fields.append(Field("tags", "Tags", tags, text=" ".join(f"[{t['name']}: {t['value']}]" for t in tags)))
    d.add(Layer("pppoed", "PPPoE Header", 6 + len(body), fields), buf)
    return None, b""


# --- other link types: ARCNET, Frame Relay, IPoIB, Solaris ipnet, PPI, PKTAP, Juniper -------------


_ARCNET_MORE = {0xDD: "ddp", 0xFA: "ipx"}
"""The rich decoder after the ARCNET protocol IDs tcpdump does not decode (ARCNET_DECODERS, which the
lean decoder shares, holds those it does)."""


def _arcnet(d: Decoding, buf: bytes) -> Step:
    """LINKTYPE_ARCNET_LINUX: station IDs, offset, protocol ID, and RFC 1201's split flag and sequence."""
    h = unpack_header(extra.ARCNETLinux, buf, "arcnet", "an ARCNET header")
    fields = [
        Field("src", "Source", h.src, text=hex_text(h.src, 2)),
        Field("dst", "Destination", h.dst, text=hex_text(h.dst, 2)),
        Field("offset", "Offset", h.offset.hex()),
        Field("protID", "Protocol ID", h.type, text=hex_named(h.type, ARCNET_PROTOCOL_NAMES, 2)),
    ]
    size, first = 5, True
    if h.type not in ARCNET_UNSPLIT:
        split = unpack_header(extra.ARCNETSplit, buf[5:], "arcnet", "an RFC 1201 ARCNET header")
        fields.append(Field("split_flag", "Split Flag", split.split_flag))
        fields.append(Field("sequence", "Sequence", split.sequence))
        size = 8
        first = split.split_flag == 0 or bool(split.split_flag & 1)  # even and not 0: a later fragment
    rest = d.add_header(buf, "arcnet", "ARCNET Header", size, fields)
    return ((ARCNET_DECODERS.get(h.type) or _ARCNET_MORE.get(h.type)) if first else None), rest


_NLPID_NAMES = {
    0x08: "Q.933", 0x80: "SNAP", 0x81: "ISO CLNP", 0x82: "ISO ES-IS", 0x83: "ISO IS-IS", 0x8E: "IPv6",
    0xB0: "Data Compression Protocol", 0xB1: "Frame Relay Fragmentation", 0xCC: "IPv4", 0xCF: "PPP",
}  # fmt: skip
_NLPID_NEXT = {0xCC: "ip", 0x8E: "ipv6", 0xCF: "ppp"}
_NLPID_IN_PDU = frozenset((0x08, 0x81, 0x82, 0x83))  # OSI protocols count the NLPID as their PDU's first byte
_XDLC_UI = 0x03
_FR_NLPIDS = _NLPID_IN_PDU | {0x80, *_NLPID_NEXT}  # the NLPIDs RFC 2427 encapsulation is recognised by
_XDLC_XID = 0xAF


def _q922_address(buf: bytes) -> tuple[list[Field], int, int]:
    """The fields, the DLCI and the size of a Q.922 address: 2 to 4 octets, the last with its EA bit set."""
    a = unpack_header(extra.Q922Address, buf, "fr", "a Frame Relay address")
    if a.ea1:
        raise Bad("fr", "bad Q.922 address: the EA bit of its first octet is set")
    dlci, size = (a.upper_dlci << 4) | a.second_dlci, 2
    fields = [
        flag_field("cr", "C/R", a.cr),
        flag_field("fecn", "FECN", a.fecn),
        flag_field("becn", "BECN", a.becn),
        flag_field("de", "DE", a.de),
    ]
    if not a.ea2:  # 3 or 4 octets: 7 more DLCI bits, then 6 more or a DL-CORE control
        require(buf, 3, "fr", "a 3-octet Frame Relay address")
        octet = buf[2]
        if not octet & 0x01:
            require(buf, 4, "fr", "a 4-octet Frame Relay address")
            dlci, size, octet = (dlci << 7) | (octet >> 1), 3, buf[3]
            if not octet & 0x01:
                raise Bad("fr", "bad Q.922 address: longer than 4 octets")
        size += 1
        if octet & 0x02:
            fields.append(Field("dlcore_control", "DL-CORE Control", octet >> 2))
        else:
            dlci = (dlci << 6) | (octet >> 2)
    return [Field("dlci", "DLCI", dlci), *fields], dlci, size


def _fr(d: Decoding, buf: bytes) -> Step:
    """LINKTYPE_FRELAY: a Q.922 address, then RFC 2427's control byte and NLPID, or Cisco's ethertype."""
    fields, dlci, size = _q922_address(buf)
    require(buf, size + 1, "fr", "a Frame Relay header")
    control = buf[size]
    width = 1  # of the control field
    if control != _XDLC_UI and dlci != 0 and control != _XDLC_XID:
        width = fr_control_width(buf, size, _CHDLC_NEXT, _FR_NLPIDS)
    if not width:
        # not an unnumbered information frame: Cisco's encapsulation, a Cisco HDLC protocol type
        require(buf, size + 2, "fr", "a Cisco Frame Relay header")
        etype = int.from_bytes(buf[size : size + 2], "big")
        fields.append(Field("chdlctype", "Type", etype, text=ethertype_text(etype)))
        return _CHDLC_NEXT.get(etype), d.add_header(buf, "fr", "Frame Relay Header", size + 2, fields)
    fields.append(Field("control", "Control Field", control, text=hex_text(control, 2)))
    pos = size + width
    if control != _XDLC_UI and width == 1:  # LAPF signalling on DLCI 0, or an XID frame
        return None, d.add_header(buf, "fr", "Frame Relay Header", pos, fields)
    require(buf, pos + 1, "fr", "a Frame Relay NLPID")
    if buf[pos] == 0:  # a padding byte, to align what follows
        pos += 1
        require(buf, pos + 1, "fr", "a Frame Relay NLPID")
    nlpid = buf[pos]
    fields.append(Field("nlpid", "NLPID", nlpid, text=hex_named(nlpid, _NLPID_NAMES, 2)))
    if nlpid in _NLPID_IN_PDU:  # Q.933 (not decoded), or an OSI protocol from its NLPID on
        return ("osi" if nlpid != 0x08 else None), d.add_header(buf, "fr", "Frame Relay Header", pos, fields)
    pos += 1
    if nlpid != 0x80:
        return _NLPID_NEXT.get(nlpid), d.add_header(buf, "fr", "Frame Relay Header", pos, fields)
    snap = unpack_header(extra.SNAP, buf[pos:], "fr", "a SNAP header")
    oui = int.from_bytes(snap.oui, "big")
    fields.append(Field("snap.oui", "Organization Code", oui, text=hex_text(oui, 6)))
    if oui == 0:
        fields.append(Field("snaptype", "Type", snap.type, text=ethertype_text(snap.type)))
        key = ETHERTYPE_DECODERS.get(snap.type)
    else:
        fields.append(Field("snap.pid", "Protocol ID", snap.type, text=hex_text(snap.type)))
        key = "eth" if (oui, snap.type) == (0x0080C2, 0x0007) else None  # bridged Ethernet, no FCS
    return key, d.add_header(buf, "fr", "Frame Relay Header", pos + 5, fields)


_IPOIB_NEXT = {
    etype: ETHERTYPE_DECODERS[etype] for etype in (ETHERTYPE_IP, ETHERTYPE_IP6, ETHERTYPE_ARP, ETHERTYPE_RARP)
}


def _ipoib(d: Decoding, buf: bytes) -> Step:
    """LINKTYPE_IPOIB as Linux writes it (and tshark and tcpdump read it): 40 bytes of a GRH or of the
    destination hardware address, then RFC 4391's 4-byte encapsulation header. A frame that starts
    with that 4-byte header itself (a known ethertype, 2 zero bytes) has no pseudo-header: neither a
    GRH (version 6 first) nor the address form (2 zero bytes first) can start that way."""
    require(buf, 4, "ipoib", "an IPoIB header")
    pseudo, fields = 40, []
    if buf[2:4] == b"\x00\x00" and int.from_bytes(buf[:2], "big") in _IPOIB_NEXT:
        pseudo = 0
    elif buf[:2] == b"\x00\x00":  # no GRH: only the destination address, in the second 20 bytes
        require(buf, 44, "ipoib", "an IPoIB pseudo-header and header")
        a = unpack_header(extra.IPoIBDestination, buf, "ipoib", "an IPoIB destination address")
        fields = [
            Field("daddr.qpn", "Destination QPN", a.qpn, text=hex_text(a.qpn, 6)),
            address_field("dgid", "Destination GID", a.dgid),
        ]
    else:
        require(buf, 44, "ipoib", "an IPoIB pseudo-header and header")
        g = unpack_header(extra.IPoIBGRH, buf, "ipoib", "an IPoIB global route header")
        fields = [
            Field("grh.ipver", "IP Version", g.version),
            Field("grh.tclass", "Traffic Class", g.tclass),
            Field("grh.flowlabel", "Flow Label", g.flowlabel),
            Field("grh.sqpn", "Source QPN", g.sqpn, text=hex_text(g.sqpn, 6)),
            address_field("grh.sgid", "Source GID", g.sgid),
            address_field("dgid", "Destination GID", g.dgid),
        ]
    h = unpack_header(extra.IPoIB, buf[pseudo:], "ipoib", "an IPoIB header")
    fields.append(Field("type", "Type", h.type, text=ethertype_text(h.type)))
    fields.append(Field("reserved", "Reserved", h.reserved, text=hex_text(h.reserved)))
    return _IPOIB_NEXT.get(h.type), d.add_header(buf, "ipoib", "IPoIB Header", pseudo + 4, fields)


_IPNET_FAMILIES = {2: "AF_INET", 26: "AF_INET6"}
_IPNET_HOOKS = {0: "Inbound", 1: "Outbound", 2: "Local"}


def _ipnet(d: Decoding, buf: bytes) -> Step:
    """LINKTYPE_IPNET: Solaris' 24-byte dl_ipnetinfo header, then an IPv4 or IPv6 packet."""
    h = unpack_header(extra.IPNET, buf, "ipnet", "a Solaris ipnet header")
    fields = [
        Field("version", "Header version", h.version),
        Field("family", "Address family", h.family, text=named_text(h.family, _IPNET_FAMILIES)),
        Field("htype", "Hook type", h.htype, text=named_text(h.htype, _IPNET_HOOKS)),
        Field("pktlen", "Data length", h.pktlen),
        Field("ifindex", "Interface index", h.ifindex),
        Field("grifindex", "Group interface index", h.grifindex),
        Field("zsrc", "Source Zone ID", h.zsrc),
        Field("zdst", "Destination Zone ID", h.zdst),
    ]
    return {2: "ip", 26: "ipv6"}.get(h.family), d.add_header(buf, "ipnet", "IPNET Header", 24, fields)


def _dlt_text(dlt: int) -> str:
    return f"{dlt} ({linktype_name(dlt)})"


def _ppi(d: Decoding, buf: bytes) -> Step:
    """LINKTYPE_PPI: a header with its length and the DLT of the frame after it, PPI fields between."""
    h = unpack_header(extra.PPI, buf, "ppi", "a PPI header")
    if h.len < 8:
        raise Bad("ppi", f"bad PPI header length {h.len}: less than the 8-byte minimum")
    require(buf, h.len, "ppi", "the PPI header")
    fields = [
        Field("version", "Version", h.version),
        Field("flags", "Flags", h.flags, text=hex_text(h.flags, 2)),
        Field("length", "Header length", h.len),
        Field("dlt", "DLT", h.dlt, text=_dlt_text(h.dlt)),
    ]
    pos, types, fcs = 8, [], False
    while pos + 4 <= h.len:
        f = unpack_header(extra.PPIField, buf[pos : h.len], "ppi", "a PPI field header")
        if pos + 4 + f.len > h.len:
            raise Bad("ppi", f"PPI field {f.type} runs past the header: {f.len} bytes at byte {pos + 4}")
        types.append(f.type)
        if f.type == 2:  # 802.11-Common
            field = buf[pos + 4 : pos + 4 + f.len]
            c = unpack_header(extra.PPI80211Common, field, "ppi", "a PPI 802.11-Common field")
            fcs = bool(c.flags & 0x0001)
            key, signal, noise = "80211-common.", c.dbm_antsignal, c.dbm_antnoise
            fields += [
                Field(key + "tsft", "TSFT", c.tsft),
                Field(key + "flags", "Flags", c.flags, text=hex_text(c.flags)),
                Field(key + "rate", "Rate", c.rate / 2, text=f"{c.rate / 2} Mb/s"),
                Field(key + "chan.freq", "Channel Frequency", c.chan_freq, text=f"{c.chan_freq} MHz"),
                Field(key + "dbm.antsignal", "Antenna Signal", signal, text=f"{signal} dBm"),
                Field(key + "dbm.antnoise", "Antenna Noise", noise, text=f"{noise} dBm"),
            ]
        pos += 4 + f.len
    fields.append(Field("field_type", "Field types", types))
    frame = d.add_header(buf, "ppi", "PPI Header", h.len, fields)
    inner = LINKTYPE_DECODERS.get(h.dlt)
    if fcs and inner == "wlan" and len(frame) >= 4:
        d.wlan_fcs, frame = frame[-4:], frame[:-4]
    return (inner if frame else None), frame


_PKTAP_MIN_LENGTH = 108  # sizeof(pktap_header_t)


def _cstring(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("utf-8", "backslashreplace")


def _pktap(d: Decoding, buf: bytes) -> Step:
    """LINKTYPE_PKTAP: Apple's header, with its length and the DLT of the frame after it."""
    h = unpack_header(extra.PKTAP, buf, "pktap", "a PKTAP header")
    if h.len < _PKTAP_MIN_LENGTH:
        raise Bad("pktap", f"bad PKTAP header length {h.len}: less than {_PKTAP_MIN_LENGTH}")
    require(buf, h.len, "pktap", "the PKTAP header")
    i = unpack_header(extra.PKTAPInfo, buf[12:], "pktap", "a PKTAP header")
    fields = [
        Field("hdrlen", "Header length", h.len),
        Field("rectype", "Record type", h.rectype),
        Field("dlt", "DLT", h.dlt, text=_dlt_text(h.dlt)),
        Field("ifname", "Interface name", _cstring(i.ifname)),
        Field("flags", "Flags", i.flags, text=hex_text(i.flags, 8)),
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
    ]
    frame = d.add_header(buf, "pktap", "PKTAP Header", h.len, fields)
    if h.rectype != 1 or not frame:  # 1: a packet; others carry no frame
        return None, frame
    return LINKTYPE_DECODERS.get(h.dlt), frame


_JUNIPER_EXTENSIONS = {
    1: ("ext.ifd", "Device Interface Index"), 3: ("ext.ifmt", "Device Media Type"),
    4: ("ext.ifl", "Logical Interface Index"), 5: ("ext.unit", "Logical Unit Number"),
    6: ("ext.ifle", "Logical Interface Encapsulation"), 7: ("ext.ttp_ifmt", "TTP derived Device Media Type"),
    8: ("ext.ttp_ifle", "TTP derived Logical Interface Encapsulation"),
}  # fmt: skip
_JUNIPER_IN, _JUNIPER_NO_L2, _JUNIPER_EXT = 0x01, 0x02, 0x80
_JUNIPER_PROTOCOLS = {2: "ip", 6: "ipv6"}


def _juniper_ether(d: Decoding, buf: bytes) -> Step:
    """DLT_JUNIPER_ETHER: magic, flags, optional extension TLVs, then an Ethernet frame."""
    h = unpack_header(extra.Juniper, buf, "juniper", "a Juniper header")
    if h.magic != b"MGC":
        raise Bad("juniper", f"no Juniper magic number: 0x{h.magic.hex()}, not 0x4d4743")
    fields = [
        Field("magic-number", "Magic Number", 0x4D4743, text="0x4d4743"),
        Field("direction", "Direction", h.flags & _JUNIPER_IN, text="In" if h.flags & _JUNIPER_IN else "Out"),
        Field("l2hdr", "L2 header presence", int(bool(h.flags & _JUNIPER_NO_L2))),
    ]
    size = 4
    if h.flags & _JUNIPER_EXT:
        require(buf, 6, "juniper", "a Juniper extension length")
        ext_len = int.from_bytes(buf[4:6], "big")
        fields.append(Field("ext_total_len", "Extension(s) Total length", ext_len))
        size = 6 + ext_len
        require(buf, size, "juniper", "the Juniper extensions")
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
        require(buf, size + 4, "juniper", "a Juniper protocol field")
        proto = int.from_bytes(buf[size : size + 4], "little")
        fields.append(Field("proto", "Protocol", proto))
        rest = d.add_header(buf, "juniper", "Juniper Ethernet Header", size + 4, fields)
        return _JUNIPER_PROTOCOLS.get(proto), rest
    return "eth", d.add_header(buf, "juniper", "Juniper Ethernet Header", size, fields)


DECODERS: DecoderTable = {
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
}
