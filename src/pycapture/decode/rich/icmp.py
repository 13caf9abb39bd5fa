"""ICMPv4, IGMP and ICMPv6 (with neighbor discovery options)."""

from __future__ import annotations

from typing import Any, Callable

import dpkt
from dpkt import (
    icmp,
    icmp6,
    igmp,
)

from ...protocols import headers as extra
from ..model import Field
from .core import Bad, DecoderTable, Decoding, Step, require, unpack_header
from .fields import address_field, checksum_field, flag_field, hex_named, ip6_text, mac_text, named_text

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


def _icmp(d: Decoding, buf: bytes) -> Step:
    require(buf, 8, "icmp", "an ICMPv4 header")
    h = unpack_header(icmp.ICMP, buf, "icmp", "an ICMPv4 header")
    t, code = h.type, h.code
    code_names = _ICMP4_CODES.get(t, {0: "No Code"})
    fields = [
        Field("type", "Type", t, text=named_text(t, _ICMP4_TYPES)),
        Field("code", "Code", code, text=named_text(code, code_names)),
        checksum_field("checksum", h.sum),
    ]
    rest = buf[4:]
    if t in _ICMP4_ECHO_LIKE:
        echo = unpack_header(icmp.ICMP.Echo, rest, "icmp", "an ICMPv4 echo header")
        fields += [Field("ident", "Identifier", echo.id), Field("seq", "SequenceNumber", echo.seq)]
    elif t == 3 and code == 4:
        unreach = unpack_header(icmp.ICMP.Unreach, rest, "icmp", "an ICMPv4 header")
        fields += [Field("unused", "Unused", unreach.pad), Field("mtu", "Next-Hop MTU", unreach.mtu)]
    elif t == 5:
        fields.append(address_field("redir_gw", "Gateway Internet Address", rest[:4]))
    elif t == 12:
        fields.append(Field("pointer", "Pointer", rest[0]))
    else:
        fields.append(Field("unused", "Unused", int.from_bytes(rest[:4], "big")))
    payload = d.add_header(buf, "icmp", "ICMPv4 Common Header", 8, fields)
    if t in _ICMP4_ERRORS and payload:
        d.quoted = True
        return "ip", payload
    return None, payload


_IGMP_TYPES = {
    0x11: "Membership Query",
    0x12: "Version 1 Membership Report",
    0x16: "Version 2 Membership Report",
    0x17: "Leave Group",
    0x22: "Version 3 Membership Report",
}


def _igmp(d: Decoding, buf: bytes) -> Step:
    h = igmp.IGMP(buf) if len(buf) >= 8 else unpack_header(igmp.IGMP, buf, "igmp", "an IGMP header")
    fields = [
        Field("type", "Type", h.type, text=hex_named(h.type, _IGMP_TYPES, 2)),
        Field("max_resp", "Max Response Time", h.maxresp),
        checksum_field("checksum", h.sum),
        address_field("maddr", "Group Address", h.group),
    ]
    return None, d.add_header(buf, "igmp", "IGMP Header", 8, fields)


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


def _nd_options(raw: bytes, fields: list[Field]) -> tuple[int, Bad | None]:
    """Append one field per Neighbor Discovery option; return the bytes they used, and any problem."""
    pos = 0
    while pos + 2 <= len(raw):
        opt = unpack_header(extra.NDOption, raw[pos:], "icmpv6", "an ND option")
        size = opt.len * 8
        if size == 0:
            return pos, Bad("icmpv6", f"bad ND option length 0 (option type {opt.type})", raw[pos:])
        if pos + size > len(raw):
            return pos, Bad(
                "icmpv6",
                f"ND option {opt.type} runs past the end: {size} bytes declared, {len(raw) - pos} present",
                raw[pos:],
                truncated=True,
            )
        value = raw[pos + 2 : pos + size]
        text = f"[Type: {named_text(opt.type, _ND_OPTIONS)}] [Length: {opt.len} ({size} bytes)]"
        if opt.type in (1, 2):
            addr = value[:6] if size == 8 else value
            key = "opt.src_linkaddr" if opt.type == 1 else "opt.target_linkaddr"
            fields.append(
                Field(key, "Option", mac_text(addr), text=f"{text} [Link Layer Address: {mac_text(addr)}]")
            )
        elif opt.type == 3 and size == 32:
            info = extra.NDPrefixInfo(value)
            prefix = f"{ip6_text(info.prefix)}/{info.prefix_len}"
            fields.append(Field("opt.prefix", "Option", prefix, text=f"{text} [Prefix: {prefix}]"))
        elif opt.type == 5 and size == 8:
            mtu = int.from_bytes(value[2:6], "big")
            fields.append(Field("opt.mtu", "Option", mtu, text=f"{text} [MTU: {mtu}]"))
        else:
            fields.append(Field(f"opt.type_{opt.type}", "Option", value.hex(), text=text))
        pos += size
    return pos, None


_FieldMaker = Callable[[str, str, Any], Field]  # Field, flag_field, address_field: (key, label, value)

# What each Neighbor Discovery message holds after type, code and checksum, before its options: the dpkt
# class of that fixed part, and its fields as (key, label, attribute, the maker of the Field)
_ND_MESSAGES: dict[int, tuple[type[dpkt.Packet], tuple[tuple[str, str, str, _FieldMaker], ...]]] = {
    133: (icmp6.ICMP6.Error, (("reserved", "Reserved", "pad", Field),)),  # a reserved word, like an error's
    134: (extra.NDRouterAdvert, (
        ("nd.ra.cur_hop_limit", "Cur Hop Limit", "cur_hop_limit", Field),
        ("nd.ra.flag.m", "Managed address configuration", "m", flag_field),
        ("nd.ra.flag.o", "Other configuration", "o", flag_field),
        ("nd.ra.router_lifetime", "Router Lifetime", "router_lifetime", Field),
        ("nd.ra.reachable_time", "Reachable Time", "reachable_time", Field),
        ("nd.ra.retrans_timer", "Retrans Timer", "retrans_timer", Field),
    )),
    135: (extra.NDNeighborSolicit, (("nd.target", "Target Address", "target", address_field),)),
    136: (extra.NDNeighborAdvert, (
        ("nd.na.flag.r", "R", "router", flag_field),
        ("nd.na.flag.s", "S", "solicited", flag_field),
        ("nd.na.flag.o", "O", "override", flag_field),
        ("nd.target", "Target Address", "target", address_field),
    )),
    137: (extra.NDRedirect, (
        ("nd.target", "Target Address", "target", address_field),
        ("nd.rd.dst", "Destination Address", "dst", address_field),
    )),
}  # fmt: skip


def _icmpv6(d: Decoding, buf: bytes) -> Step:
    require(buf, 8, "icmpv6", "an ICMPv6 header")
    h = unpack_header(icmp6.ICMP6, buf, "icmpv6", "an ICMPv6 header")
    t, code = h.type, h.code
    fields = [
        Field("type", "Type", t, text=named_text(t, _ICMP6_TYPES)),
        Field("code", "Code", code, text=named_text(code, _ICMP6_CODES.get(t, {0: "No Code"}))),
        checksum_field("checksum", h.sum),
    ]
    body = buf[4:]
    if t in (128, 129):
        echo = unpack_header(icmp6.ICMP6.Echo, body, "icmpv6", "an ICMPv6 echo header")
        fields += [
            Field("echo.identifier", "Identifier", echo.id),
            Field("echo.sequence_number", "Sequence", echo.seq),
        ]
    elif t == 2:
        fields.append(
            Field("mtu", "MTU", unpack_header(icmp6.ICMP6.TooBig, body, "icmpv6", "an ICMPv6 header").mtu)
        )
    elif t == 4:
        fields.append(
            Field(
                "pointer",
                "Pointer",
                unpack_header(icmp6.ICMP6.ParamProb, body, "icmpv6", "an ICMPv6 header").ptr,
            )
        )
    elif t in _ND_MESSAGES:
        return _neighbor_discovery(d, buf, t, fields)
    else:
        fields.append(Field("reserved", "Reserved", int.from_bytes(body[:4], "big")))
    payload = d.add_header(buf, "icmpv6", "ICMPv6 Common Header", 8, fields)
    if t in (1, 2, 3, 4) and payload:
        d.quoted = True
        return "ipv6", payload
    return None, payload


def _neighbor_discovery(d: Decoding, buf: bytes, t: int, fields: list[Field]) -> Step:
    body = buf[4:]
    cls, layout = _ND_MESSAGES[t]
    message = unpack_header(cls, body, "icmpv6", f"an ICMPv6 {_ICMP6_TYPES[t]} message")
    fields += [make(key, label, getattr(message, attribute)) for key, label, attribute, make in layout]
    fixed = cls.__hdr_len__
    used, problem = _nd_options(body[fixed:], fields)
    rest = d.add_header(buf, "icmpv6", "ICMPv6 Common Header", 4 + fixed + used, fields)
    if problem is not None:
        raise problem
    return None, rest


DECODERS: DecoderTable = {
    "icmp": ("icmp", "an ICMPv4 header", _icmp),
    "igmp": ("igmp", "an IGMP header", _igmp),
    "icmpv6": ("icmpv6", "an ICMPv6 message", _icmpv6),
}
