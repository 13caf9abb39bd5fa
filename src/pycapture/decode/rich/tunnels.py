"""Tunnels: MPLS and pseudowires, GRE, VXLAN, Geneve, ERSPAN, L2TP and GTP."""

from __future__ import annotations

import struct

from dpkt import (
    ethernet,
    gre,
)

from ...protocols import headers as extra
from ...protocols.names import (
    ETHERTYPE_NAMES,
    NAMES,
)
from ...protocols.numbers import (
    ETHERTYPE_DECODERS,
)
from ..model import Field, Layer
from .core import IP_BY_VERSION, Bad, DecoderTable, Decoding, Step, by_version, require, unpack_header
from .fields import flag_field, hex_named, hex_text, named_text


def _mpls(d: Decoding, buf: bytes) -> Step:
    label = unpack_header(ethernet.MPLSlabel, buf, "mpls", "an MPLS label")
    fields = [
        Field("label", "Label", label.val),
        Field("exp", "Traffic Class", label.exp),
        flag_field("bottom", "Bottom of Stack", label.s),
        Field("ttl", "TTL", label.ttl),
    ]
    rest = d.add_header(buf, "mpls", "MPLS Header", 4, fields)
    if not label.s:
        return "mpls", rest
    if not rest:
        return None, rest
    # MPLS does not say what it carries; look at the first nibble, as Wireshark and dpkt do
    nibble = rest[0] >> 4
    if nibble == 0 and len(rest) >= 18:  # a pseudowire control word, then an Ethernet frame
        return "pwethcw", rest
    return IP_BY_VERSION.get(nibble), rest


def _pwethcw(d: Decoding, buf: bytes) -> Step:
    require(buf, 4, "pwethcw", "a pseudowire control word")
    fields = [Field("sequence_number", "Sequence Number", int.from_bytes(buf[2:4], "big"))]
    return "eth", d.add_header(buf, "pwethcw", "PW Ethernet Control Word", 4, fields)


_GRE_KEYS = {
    "sum": ("checksum", "Checksum"),
    "off": ("offset", "Offset"),
    "key": ("key", "Key"),
    "seq": ("sequence_number", "Sequence Number"),
    "ack": ("ack_number", "Acknowledgment Number"),
    "len": ("payload_length", "Payload Length"),
    "callid": ("call_id", "Call ID"),
}


def _gre(d: Decoding, buf: bytes) -> Step:
    g = unpack_header(gre.GRE, buf, "gre", "a GRE header")
    names, formats = g.opt_fields_fmts()
    fmt = "!" + "".join(formats)
    size = 4 + struct.calcsize(fmt)
    require(buf, size, "gre", "a GRE header with its optional fields")
    fields = [
        Field("flags_and_version", "Flags and Version", g.flags, text=hex_text(g.flags)),
        Field("proto", "Protocol Type", g.p, text=hex_named(g.p, ETHERTYPE_NAMES)),
    ]
    for name, value in zip(names, struct.unpack_from(fmt, buf, 4)):
        key, label = _GRE_KEYS[name]
        fields.append(Field(key, label, value))
    if g.v == 0 and g.flags & gre.GRE_RP:  # source route entries, up to a null one
        while True:
            sre = unpack_header(gre.GRE.SRE, buf[size:], "gre", "a GRE source route entry")
            size += 4 + sre.len
            if not sre.len:
                break
        require(buf, size, "gre", "a GRE header with its source route")
    rest = d.add_header(buf, "gre", "GRE Header", size, fields)
    if g.p == 0x88BE:  # ERSPAN: type I has no header, and no GRE sequence number
        return ("erspan" if g.flags & gre.GRE_SP else "erspan1"), rest
    if g.p == 0x22EB:
        return "erspan3", rest
    if g.p in _GRE_MORE:
        return _GRE_MORE[g.p], rest
    return ETHERTYPE_DECODERS.get(g.p), rest


_GRE_MORE = {0x00FE: "osi", 0x2001: "nhrp", 0x8909: "cmd_gre"}  # cmd_gre: depth2.py
"""GRE's protocol types that are not EtherTypes: the OSI network layer (IS-IS over GRE), and NHRP."""


def _vxlan(d: Decoding, buf: bytes) -> Step:
    v = unpack_header(extra.VXLAN, buf, "vxlan", "a VXLAN header")
    fields = [Field("flags", "Flags", v.flags, text=hex_text(v.flags, 2)), Field("vni", "VNI", v.vni)]
    return "eth", d.add_header(buf, "vxlan", "VXLAN Header", 8, fields)


def _geneve(d: Decoding, buf: bytes) -> Step:
    g = unpack_header(extra.Geneve, buf, "geneve", "a Geneve header")
    size = 8 + g.opt_len * 4
    require(buf, size, "geneve", "a Geneve header with its options")
    fields = [
        Field("version", "Version", g.version),
        Field("options_len", "Options Length", g.opt_len * 4),
        flag_field("flags.oam", "OAM", g.oam),
        flag_field("flags.critical", "Critical Options", g.critical),
        Field("proto_type", "Protocol Type", g.proto, text=hex_named(g.proto, ETHERTYPE_NAMES)),
        Field("vni", "VNI", g.vni),
    ]
    return ETHERTYPE_DECODERS.get(g.proto), d.add_header(buf, "geneve", "Geneve Header", size, fields)


# ERSPAN behind GRE protocol 0x88be with a sequence number: type II (version 1) or III (version 2)
_erspan = by_version("erspan", "an ERSPAN header", 4, {1: "erspan2", 2: "erspan3"}, "unknown ERSPAN version")


def _erspan_word(h: extra.ERSPAN2 | extra.ERSPAN3, kind: str, bits: Field) -> list[Field]:
    """The fields of the first 32 bits: the same in ERSPAN types II and III, but for the 2 ``bits`` after
    COS (type II's Encap, type III's Bad/Short/Oversized)."""
    return [
        Field("version", "Version", h.version, text=f"{h.version} ({kind})"),
        Field("vlan", "Vlan", h.vlan),
        Field("cos", "COS", h.cos),
        bits,
        flag_field("truncated", "Truncated", h.truncated),
        Field("spanid", "SpanID", h.spanid),
    ]


def _erspan2(d: Decoding, buf: bytes) -> Step:
    """ERSPAN type II: version 1 behind GRE protocol 0x88be with a sequence number."""
    h = unpack_header(extra.ERSPAN2, buf, "erspan", "an ERSPAN type II header")
    fields = [*_erspan_word(h, "Type II", Field("encap", "Encap", h.encap)), Field("index", "Index", h.index)]
    return "eth", d.add_header(buf, "erspan", "ERSPAN Type II Header", 8, fields)


def _erspan1(d: Decoding, buf: bytes) -> Step:
    """ERSPAN type I: GRE protocol 0x88be without a sequence number, and no header of its own."""
    d.add(
        Layer("erspan", "ERSPAN Type I Header", 0, [Field("version", "Version", 0, text="0 (Type I)")]), buf
    )
    return "eth", buf


_ERSPAN3_FRAME_TYPES = {0: "eth", 2: "raw"}  # Ethernet, IP


def _erspan3(d: Decoding, buf: bytes) -> Step:
    """ERSPAN type III (GRE protocol 0x22eb): 12 bytes, and an 8-byte platform subheader when ``o`` is set."""
    h = unpack_header(extra.ERSPAN3, buf, "erspan", "an ERSPAN type III header")
    size = 20 if h.o else 12
    require(buf, size, "erspan", "an ERSPAN type III header with its platform subheader")
    fields = [
        *_erspan_word(h, "Type III", Field("bso", "Bad/Short/Oversized", h.bso)),
        Field("timestamp", "Timestamp", h.timestamp),
        Field("sgt", "Security Group Tag", h.sgt),
        flag_field("p", "Has Ethernet PDU", h.p),
        Field("ft", "Frame Type", h.ft),
        Field("hw", "Hardware ID", h.hw),
        flag_field("direction", "Direction", h.direction),
        Field("gra", "Timestamp granularity", h.gra),
        flag_field("o", "Optional Sub headers", h.o),
    ]
    return _ERSPAN3_FRAME_TYPES.get(h.ft), d.add_header(buf, "erspan", "ERSPAN Type III Header", size, fields)


def _l2tp(d: Decoding, buf: bytes) -> Step:
    """L2TP (UDP port 1701): version 2's flags word, its optional fields, then PPP in a data message."""
    h = unpack_header(extra.L2TPv2, buf, "l2tp", "an L2TP header")
    fields = [
        Field("flags", "Flags", h._flags, text=hex_text(h._flags)),
        Field("type", "Type", h.t, text="Control Message" if h.t else "Data Message"),
        flag_field("length_bit", "Length Bit", h.l),
        flag_field("seq_bit", "Sequence Bit", h.s),
        flag_field("offset_bit", "Offset bit", h.o),
        flag_field("priority", "Priority", h.p),
        Field("version", "Version", h.version),
    ]
    if h.version != 2:  # L2TPv3 over UDP, or not L2TP
        return None, d.add_header(buf, "l2tp", "L2TP Header", 2, fields)
    names = (["length"] if h.l else []) + ["tunnel", "session"] + (["Ns", "Nr"] if h.s else [])
    names += ["offset"] if h.o else []
    size = 2 + 2 * len(names)
    require(buf, size, "l2tp", "an L2TPv2 header")
    labels = {"length": "Length", "tunnel": "Tunnel ID", "session": "Session ID", "Ns": "Ns", "Nr": "Nr",
              "offset": "Offset"}  # fmt: skip
    values = dict(zip(names, struct.unpack_from(f"!{len(names)}H", buf, 2)))
    fields += [Field(name, labels[name], value) for name, value in values.items()]
    size += values.get("offset", 0)  # the offset padding
    require(buf, size, "l2tp", "an L2TPv2 header with its offset padding")
    end = values.get("length", len(buf))
    if end < size:
        raise Bad("l2tp", f"bad L2TP length {end}: less than its {size}-byte header", buf[size:])
    d.add(Layer("l2tp", "L2TPv2 Header", size, fields), buf)
    rest = buf[size:end]
    return (None if h.t or not rest else "ppp_hdlc"), rest


_GTP_MESSAGE_NAMES = NAMES["GtpV1MessageType"]
_GTP_EXTENSION_NAMES = NAMES["GtpV1ExtensionHeaderType"]
_GTPV2_MESSAGE_NAMES = NAMES["GtpV2MessageType"]

_gtp = by_version("gtp", "a GTP header", 5, {1: "gtpv1", 2: "gtpv2"}, "unsupported GTP version")


def _gtpv1(d: Decoding, buf: bytes) -> Step:
    g = unpack_header(extra.GTPv1, buf, "gtp", "a GTPv1 header")
    fields = [
        Field("flags.version", "Version", 1, text="V1"),  # Pcap4J's GtpVersion
        Field("flags.payload", "Protocol Type", g.pt, text="GTP" if g.pt else "GTP'"),
        Field("flags.reserved", "Reserved Flag", bool(buf[0] & 0x08), json=False),
        flag_field("flags.e", "Extension Flag", g.e),
        flag_field("flags.s", "Sequence Flag", g.s),
        flag_field("flags.pn", "NPDU Flag", g.pn),
        Field("message", "Message Type", g.type, text=named_text(g.type, _GTP_MESSAGE_NAMES)),
        Field("length", "Length", g.length, text=f"{g.length} [bytes]"),
        Field("teid", "Tunnel ID", g.teid, text=str(g.teid)),
    ]
    size = 8
    if g.e or g.s or g.pn:
        opt = unpack_header(extra.GTPv1Optional, buf[8:], "gtp", "a GTPv1 header with its optional fields")
        fields += [
            Field("seq_number", "Sequence Number", opt.seq),
            Field("npdu_number", "NPDU Number", opt.npdu),
            Field(
                "next",
                "Next Extension Header",
                opt.next_ext,
                text=hex_named(opt.next_ext, _GTP_EXTENSION_NAMES, 2),
            ),
        ]
        size = 12
        next_ext, extensions = (opt.next_ext if g.e else 0), []
        while next_ext:
            require(buf, size + 1, "gtp", "a GTPv1 extension header")
            ext_len = buf[size] * 4
            if ext_len == 0:
                raise Bad("gtp", f"bad GTPv1 extension header length 0 (type {next_ext:#04x})")
            require(buf, size + ext_len, "gtp", "a GTPv1 extension header")
            extensions.append(next_ext)
            next_ext = buf[size + ext_len - 1]
            size += ext_len
        if extensions:
            fields.append(Field("ext_hdr", "Extension Headers", extensions))
    d.add(Layer("gtp", "GTPv1 Header", size, fields), buf)
    payload = buf[size : 8 + g.length]
    if g.type == 255 and g.pt and payload:  # a T-PDU carries the user's IP packet
        return IP_BY_VERSION.get(payload[0] >> 4), payload
    return None, payload


def _gtpv2(d: Decoding, buf: bytes) -> Step:
    g = unpack_header(extra.GTPv2, buf, "gtpv2", "a GTPv2 header")
    fields = [
        Field("flags.version", "Version", 2),
        flag_field("flags.p", "Piggybacking Flag", g.p),
        flag_field("flags.t", "TEID Flag", g.t),
        Field("message_type", "Message Type", g.type, text=named_text(g.type, _GTPV2_MESSAGE_NAMES)),
        Field("msg_length", "Message Length", g.length),
    ]
    size = 4
    if g.t:
        require(buf, 8, "gtpv2", "a GTPv2 header")
        teid = int.from_bytes(buf[4:8], "big")
        fields.append(Field("teid", "Tunnel Endpoint Identifier", teid, text=hex_text(teid, 8)))
        size = 8
    seq = unpack_header(extra.GTPv2Sequence, buf[size:], "gtpv2", "a GTPv2 header")
    fields.append(Field("seq", "Sequence Number", seq.seq))
    size += 4
    d.add(Layer("gtpv2", "GTPv2 Header", size, fields), buf)
    return None, buf[size : 4 + g.length]


DECODERS: DecoderTable = {
    "mpls": ("mpls", "an MPLS label", _mpls),
    "pwethcw": ("pwethcw", "a pseudowire control word", _pwethcw),
    "gre": ("gre", "a GRE header", _gre),
    "erspan": ("erspan", "an ERSPAN header", _erspan),
    "erspan1": ("erspan", "an ERSPAN type I frame", _erspan1),
    "erspan2": ("erspan", "an ERSPAN type II header", _erspan2),
    "erspan3": ("erspan", "an ERSPAN type III header", _erspan3),
    "l2tp": ("l2tp", "an L2TP header", _l2tp),
    "vxlan": ("vxlan", "a VXLAN header", _vxlan),
    "geneve": ("geneve", "a Geneve header", _geneve),
    "gtp": ("gtp", "a GTP header", _gtp),
    "gtpv1": ("gtp", "a GTPv1 header", _gtpv1),
    "gtpv2": ("gtpv2", "a GTPv2 header", _gtpv2),
}
