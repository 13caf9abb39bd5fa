"""Network layers: ARP, IPv4, IPv6 and its extension headers, AH and ESP."""

from __future__ import annotations

import struct
from typing import Callable

from dpkt import (
    ah,
    esp,
    ip,
    ip6,
)

from ...protocols.names import (
    ARP_HARDWARE_NAMES,
    ETHERTYPE_NAMES,
    IP_PROTOCOL_NAMES,
    TOS_NAMES,
    TOS_PRECEDENCE_NAMES,
)
from ...protocols.numbers import (
    IP6_DECODERS,
    IP_DECODERS,
)
from ..model import Field, Layer
from .core import Bad, DecoderTable, Decoding, Step, require, unpack_header
from .fields import address_field, checksum_field, hex_named, hex_text, ip6_text, named_text

_ARP_OPERATIONS = {
    1: "REQUEST",
    2: "REPLY",
    3: "request Reverse",
    4: "reply Reverse",
    8: "InARP-Request",
    9: "InARP-Reply",
    10: "ARP-NAK",
}


def _arp(d: Decoding, buf: bytes) -> Step:
    require(buf, 8, "arp", "an ARP header")
    hrd, pro, hln, pln, op = struct.unpack_from("!HHBBH", buf)
    end = 8 + 2 * (hln + pln)
    require(buf, end, "arp", f"an ARP packet with {hln}-byte hardware and {pln}-byte protocol addresses")
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
                Field("hw.type", "Hardware type", hrd, text=named_text(hrd, ARP_HARDWARE_NAMES)),
                Field("proto.type", "Protocol type", pro, text=hex_named(pro, ETHERTYPE_NAMES)),
                Field("hw.size", "Hardware address length", hln, text=f"{hln} [bytes]"),
                Field("proto.size", "Protocol address length", pln, text=f"{pln} [bytes]"),
                Field("opcode", "Operation", op, text=named_text(op, _ARP_OPERATIONS)),
                Field(f"src.{hw_key}", "Source hardware address", sha.hex(":")),
                address_field(f"src.{proto_key}", "Source protocol address", spa),
                Field(f"dst.{hw_key}", "Destination hardware address", tha.hex(":")),
                address_field(f"dst.{proto_key}", "Destination protocol address", tpa),
            ],
        )
    )
    d.claim_padding(buf[end:])
    return None, b""


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
    precedence, kind = named_text(prec, TOS_PRECEDENCE_NAMES), named_text(bits, TOS_NAMES)
    return f"[precedence: {precedence}] [tos: {kind}] [mbz: {tos & 1}]"


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


def _ip(d: Decoding, buf: bytes) -> Step:
    h = unpack_header(ip.IP, buf, "ip", "an IPv4 header")
    if h.v != 4:
        raise Bad("ip", f"not an IPv4 header: version {h.v}")
    hl = h.hl * 4
    if hl < 20:
        raise Bad("ip", f"bad IPv4 header length: {hl} bytes (IHL {h.hl}), less than 20")
    total = h.len
    if total and total < hl:
        raise Bad("ip", f"bad IPv4 total length: {total} bytes, less than its {hl}-byte header")
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
        Field("proto", "Protocol", h.p, text=named_text(h.p, IP_PROTOCOL_NAMES)),
        checksum_field("checksum", h.sum, label="Header checksum"),
        address_field("src", "Source address", h.src),
        address_field("dst", "Destination address", h.dst),
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
        raise Bad(
            "ip", f"too short for the IPv4 options: {len(buf)} of {hl} header bytes", b"", truncated=True
        )
    end = total or len(buf)  # a total length of 0: TCP segmentation offload, the datagram is the rest
    d.claim_padding(buf[end:])
    payload = buf[hl:end]
    if offset:  # not the first fragment: no transport header here
        return None, payload
    return IP_DECODERS.get(h.p), payload


def _tf(bit: int) -> str:
    return "true" if bit else "false"


def _ipv6(d: Decoding, buf: bytes) -> Step:
    h = unpack_header(ip6.IP6, buf, "ipv6", "an IPv6 header")
    if h.v != 6:
        raise Bad("ipv6", f"not an IPv6 header: version {h.v}")
    plen = h.plen
    d.add(
        Layer(
            "ipv6",
            "IPv6 Header",
            40,
            [
                Field("version", "Version", 6, text="6 (IPv6)"),
                Field("tclass", "Traffic Class", h.fc, text=hex_text(h.fc, 2)),
                Field("flow", "Flow Label", h.flow, text=hex_text(h.flow, 5)),
                Field("plen", "Payload length", plen, text=f"{plen} [bytes]"),
                Field("nxt", "Next Header", h.nxt, text=named_text(h.nxt, IP_PROTOCOL_NAMES)),
                Field("hlim", "Hop Limit", h.hlim),
                address_field("src", "Source address", h.src),
                address_field("dst", "Destination address", h.dst),
            ],
        )
    )
    if plen:
        d.claim_padding(buf[40 + plen :])
        payload = buf[40 : 40 + plen]
    else:  # a jumbogram or segmentation offload: the payload is the rest
        payload = buf[40:]
    return IP6_DECODERS.get(h.nxt), payload


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


def _ipv6_extension(key: str) -> Callable[[Decoding, bytes], Step]:
    cls, title, what = _IP6_EXTENSIONS[key]

    def decode_extension(d: Decoding, buf: bytes) -> Step:
        require(buf, 8, key, what)
        size = 8 if key == "ipv6.fraghdr" else (buf[1] + 1) * 8
        require(buf, size, key, what)
        ext = cls(buf[:size])
        nxt = ext.nxt
        fields = [Field("nxt", "Next Header", nxt, text=named_text(nxt, IP_PROTOCOL_NAMES))]
        if key == "ipv6.fraghdr":
            fields += [
                Field("offset", "Fragment Offset", ext.frag_off),
                Field("more", "M", bool(ext.m_flag)),
                Field("ident", "Identification", ext.id, text=hex_text(ext.id, 8)),
            ]
            rest = d.add_header(buf, key, title, 8, fields)
            if ext.frag_off:  # not the first fragment: no transport header here
                return None, rest
            return IP6_DECODERS.get(nxt), rest
        fields.append(Field("len", "Hdr Ext Len", buf[1], text=f"{buf[1]} ({size} [bytes])"))
        if key == "ipv6.routing":
            fields += [
                Field("type", "Routing Type", ext.type),
                Field("segleft", "Segments Left", ext.segs_left),
                Field("addresses", "Addresses", [ip6_text(a) for a in ext.addresses if len(a) == 16]),
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
        return IP6_DECODERS.get(nxt), d.add_header(buf, key, title, size, fields)

    return decode_extension


def _ah(d: Decoding, buf: bytes) -> Step:
    h = unpack_header(ah.AH, buf, "ah", "an AH header")
    size = (h.len + 2) * 4
    if size < 12:
        raise Bad("ah", f"bad AH length: {size} bytes, less than 12")
    require(buf, size, "ah", "an AH header with its ICV")
    fields = [
        Field("nxt", "Next Header", h.nxt, text=named_text(h.nxt, IP_PROTOCOL_NAMES)),
        Field("length", "Payload Length", h.len),
        Field("spi", "SPI", h.spi, text=hex_text(h.spi, 8)),
        Field("sequence", "Sequence Number", h.seq),
        Field("icv", "ICV", buf[12:size].hex()),
    ]
    return IP6_DECODERS.get(h.nxt), d.add_header(buf, "ah", "Authentication Header", size, fields)


def _esp(d: Decoding, buf: bytes) -> Step:
    h = unpack_header(esp.ESP, buf, "esp", "an ESP header")
    fields = [
        Field("spi", "SPI", h.spi, text=hex_text(h.spi, 8)),
        Field("sequence", "Sequence Number", h.seq),
    ]
    return None, d.add_header(buf, "esp", "ESP Header", 8, fields)  # the rest is encrypted


DECODERS: DecoderTable = {
    "arp": ("arp", "an ARP packet", _arp),
    "ip": ("ip", "an IPv4 header", _ip),
    "ipv6": ("ipv6", "an IPv6 header", _ipv6),
    **{key: (key, _IP6_EXTENSIONS[key][2], _ipv6_extension(key)) for key in _IP6_EXTENSIONS},
    "ah": ("ah", "an AH header", _ah),
    "esp": ("esp", "an ESP header", _esp),
}
