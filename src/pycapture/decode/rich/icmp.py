"""ICMPv4, IGMP and ICMPv6 (with neighbor discovery options).

Pcap4J dumps an ICMP message as two headers: the common header (type, code and checksum, 4 bytes) and the
header of the message's type (an echo's identifier and sequence number, an error's unused word, a
neighbor discovery message's fields and options). Here each message is one layer, one JSON object, whose
dump :attr:`~pycapture.decode.model.Layer.blocks` splits the same way. Where Pcap4J has no class for a
type (ICMPv4 router discovery and address masks, MLD, ...) it dumps all after the common header as data;
pycapture still shows the 4 bytes after it, in a block of the same kind.
"""

from __future__ import annotations

import struct

from dpkt import igmp

from ...protocols.names import CODES, NAMES
from ..model import Field, Layer
from .core import Bad, DecoderTable, Decoding, Step, require, too_short, unpack_header
from .fields import (
    address_field,
    checksum_field,
    flag_field,
    hex_named,
    ip6_text,
    java6_text,
    mac_text,
    named_text,
)

_NO_NAMES: dict[int, str] = {}
_ICMP4_TYPE_NAMES = NAMES["IcmpV4Type"]
_ICMP4_CODE_NAMES = CODES["IcmpV4Code"]
_ICMP6_TYPE_NAMES = NAMES["IcmpV6Type"]
_ICMP6_CODE_NAMES = {t & 0xFF: codes for t, codes in CODES["IcmpV6Code"].items()}  # keyed by a signed byte
_ND_OPTION_NAMES = NAMES["IpV6NeighborDiscoveryOptionType"]

# The title of the block after the common header, by type: Pcap4J's header names are its type names
_ICMP4_TITLES = {t: f"ICMPv4 {name} Header" for t, name in _ICMP4_TYPE_NAMES.items()}
_ICMP6_TITLES = {t: f"ICMPv6 {name} Header" for t, name in _ICMP6_TYPE_NAMES.items()}
_ICMP4_COMMON = "ICMPv4 Common Header"
_ICMP6_COMMON = "ICMPv6 Common Header"
_WORD = struct.Struct("!BBHI")  # type, code, checksum and the word after them


def _java_int(value: int) -> str:
    """A 32-bit field as Pcap4J prints a Java ``int``: signed."""
    return str(value - 0x1_0000_0000 if value & 0x8000_0000 else value)


def _java_short(value: int) -> str:
    return str(value - 0x1_0000 if value & 0x8000 else value)


def _common_fields(t: int, code: int, checksum: int, types: dict[int, str], codes: dict) -> list[Field]:
    return [
        Field("type", "Type", t, text=named_text(t, types)),
        Field("code", "Code", code, text=named_text(code, codes.get(t, _NO_NAMES))),
        checksum_field("checksum", checksum),
    ]


def _add_message(
    d: Decoding, buf: bytes, name: str, common: str, title: str, length: int, fields: list[Field]
) -> bytes:
    """Add the layer of a ``length``-byte ICMP message header, dumped as its 4-byte common header (type,
    code, checksum: the first three fields) and the ``title`` block of the rest; return the bytes after."""
    d.add(Layer(name, common, length, fields, ((0, common, 4), (3, title, length - 4))), buf)
    return buf[length:]


_ICMP4_ERRORS = frozenset((3, 4, 5, 11, 12))  # these quote the invoking packet
# These begin with an identifier and a sequence number
_ICMP4_ECHO_LIKE = frozenset((0, 8, 13, 14, 15, 16, 17, 18))
_ICMP4_TIMESTAMPS = frozenset((13, 14))  # Timestamp and Timestamp Reply go on with three times
_TIMESTAMP_KEYS = ("originate_timestamp", "receive_timestamp", "transmit_timestamp")  # Wireshark's
_TIMESTAMP_LABELS = ("Originate Timestamp", "Receive Timestamp", "Transmit Timestamp")  # Pcap4J's


def _icmp(d: Decoding, buf: bytes) -> Step:
    require(buf, 8, "icmp", "an ICMPv4 header")
    t, code, checksum, word = _WORD.unpack_from(buf)
    fields = _common_fields(t, code, checksum, _ICMP4_TYPE_NAMES, _ICMP4_CODE_NAMES)
    if t in _ICMP4_ECHO_LIKE:
        fields += [Field("ident", "Identifier", word >> 16), Field("seq", "SequenceNumber", word & 0xFFFF)]
    elif t == 3 and code == 4:
        # Pcap4J has no Next-Hop MTU (RFC 1191): its Destination Unreachable header is one unused word
        fields += [
            Field("unused", "Unused", word >> 16, dump=False),
            Field("mtu", "Next-Hop MTU", word & 0xFFFF, dump=False),
            Field("unused.word", "Unused", word, text=_java_int(word), json=False),
        ]
    elif t == 5:
        fields.append(address_field("redir_gw", "Gateway Internet Address", buf[4:8]))
    elif t == 12:
        fields += [
            Field("pointer", "Pointer", word >> 24),
            Field("unused", "Unused", word & 0xFFFFFF, json=False),
        ]
    else:
        fields.append(Field("unused", "Unused", word, text=_java_int(word) if t in _ICMP4_ERRORS else None))
    size = 8
    if t in _ICMP4_TIMESTAMPS and len(buf) >= 20:  # RFC 792: originate, receive and transmit times
        for key, label, value in zip(_TIMESTAMP_KEYS, _TIMESTAMP_LABELS, struct.unpack_from("!III", buf, 8)):
            fields.append(Field(key, label, value, text=_java_int(value)))
        size = 20
    title = _ICMP4_TITLES.get(t, "ICMPv4 Unknown Header")
    payload = _add_message(d, buf, "icmp", _ICMP4_COMMON, title, size, fields)
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
    if buf[:1] == b"\x14":  # PIMv1, which IGMP carries: the PIM message is the whole IGMP message
        d.add(Layer("igmp", "IGMP Header", 0, []), None)
        return "pimv1", buf
    if buf[:1] == b"\x13":  # DVMRP, which IGMP carries too
        d.add(Layer("igmp", "IGMP Header", 0, []), None)
        return "dvmrp", buf
    h = igmp.IGMP(buf) if len(buf) >= 8 else unpack_header(igmp.IGMP, buf, "igmp", "an IGMP header")
    fields = [
        Field("type", "Type", h.type, text=hex_named(h.type, _IGMP_TYPES, 2)),
        Field("max_resp", "Max Response Time", h.maxresp),
        checksum_field("checksum", h.sum),
        address_field("maddr", "Group Address", h.group),
    ]
    return None, d.add_header(buf, "igmp", "IGMP Header", 8, fields)


_ICMP6_ERRORS = frozenset((1, 2, 3, 4))  # these quote the invoking packet


def _icmpv6(d: Decoding, buf: bytes) -> Step:
    require(buf, 8, "icmpv6", "an ICMPv6 header")
    t, code, checksum, word = _WORD.unpack_from(buf)
    fields = _common_fields(t, code, checksum, _ICMP6_TYPE_NAMES, _ICMP6_CODE_NAMES)
    size = 8
    if t in (128, 129):
        fields += [
            Field("echo.identifier", "Identifier", word >> 16),
            Field("echo.sequence_number", "SequenceNumber", word & 0xFFFF),
        ]
    elif t == 2:
        fields.append(Field("mtu", "MTU", word, text=_java_int(word)))
    elif t == 4:
        fields.append(Field("pointer", "Pointer", word, text=_java_int(word)))
    elif t in _ND_WHAT:
        return _neighbor_discovery(d, buf, t, fields)
    elif t in (144, 145, 146, 147):  # Mobile IPv6 (RFC 6275): an identifier, then flags or reserved bits
        fields += [
            Field("reserved", "Reserved", word, dump=False),
            Field("identifier", "Identifier", word >> 16, json=False),
        ]
        if t == 147:
            fields += [
                Field("flag.m", "ManagedAddressConfigurationFlag", bool(word & 0x8000), json=False),
                Field("flag.o", "OtherStatefulConfigurationFlag", bool(word & 0x4000), json=False),
                Field("reserved.bits", "Reserved", word & 0x3FFF, json=False),
            ]
        else:
            reserved = word & 0xFFFF
            fields.append(
                Field("reserved.short", "Reserved", reserved, text=_java_short(reserved), json=False)
            )
        if t == 145:  # a Home Agent Address Discovery Reply lists the home agents (RFC 6275 6.6)
            count = (len(buf) - 8) // 16
            agents = [buf[8 + 16 * i : 24 + 16 * i] for i in range(count)]
            fields.append(
                Field(
                    "mip6.home_agent_addresses",
                    "Home Agent Addresses",
                    [ip6_text(a) for a in agents],
                    dump=False,
                )
            )
            fields += [
                Field("mip6.home_agent_address", "HomeAgentAddress", None, text=java6_text(a), json=False)
                for a in agents
            ]
            size = 8 + 16 * count
    else:
        unused = t in (1, 3)  # Pcap4J's Destination Unreachable and Time Exceeded headers
        fields.append(
            Field(
                "reserved", "Unused" if unused else "Reserved", word, text=_java_int(word) if unused else None
            )
        )
    title = _ICMP6_TITLES.get(t, "ICMPv6 Unknown Header")
    payload = _add_message(d, buf, "icmpv6", _ICMP6_COMMON, title, size, fields)
    if t in _ICMP6_ERRORS and payload:
        d.quoted = True
        return "ipv6", payload
    return None, payload


# The Neighbor Discovery messages (RFC 4861): what each is called in a cause, and the bytes of its fixed
# part after type, code and checksum, before its options
_ND_WHAT = {
    133: "Router Solicitation",
    134: "Router Advertisement",
    135: "Neighbor Solicitation",
    136: "Neighbor Advertisement",
    137: "Redirect Message",
}
_ND_FIXED = {133: 4, 134: 12, 135: 20, 136: 20, 137: 36}
_RA = struct.Struct("!BBHII")


def _neighbor_discovery(d: Decoding, buf: bytes, t: int, fields: list[Field]) -> Step:
    body = buf[4:]
    fixed = _ND_FIXED[t]
    if len(body) < fixed:
        raise too_short("icmpv6", f"an ICMPv6 {_ND_WHAT[t]} message", len(body), fixed)
    word = int.from_bytes(body[:4], "big")
    if t == 133:
        fields.append(Field("reserved", "Reserved", word, text=_java_int(word)))
    elif t == 134:
        hop_limit, flags, lifetime, reachable, retrans = _RA.unpack_from(body)
        fields += [
            Field("nd.ra.cur_hop_limit", "Cur Hop Limit", hop_limit),
            flag_field("nd.ra.flag.m", "Managed address configuration flag", flags & 0x80),
            flag_field("nd.ra.flag.o", "Other configuration flag", flags & 0x40),
            Field("nd.ra.reserved", "Reserved", flags & 0x3F, json=False),
            Field("nd.ra.router_lifetime", "Router Lifetime", lifetime),
            Field("nd.ra.reachable_time", "Reachable Time", reachable),
            Field("nd.ra.retrans_timer", "Retrans Timer", retrans),
        ]
    else:
        if t == 136:
            fields += [
                flag_field("nd.na.flag.r", "Router flag", word & 0x8000_0000),
                flag_field("nd.na.flag.s", "Solicited flag", word & 0x4000_0000),
                flag_field("nd.na.flag.o", "Override flag", word & 0x2000_0000),
                Field("nd.na.reserved", "Reserved", word & 0x1FFF_FFFF, json=False),
            ]
        else:
            fields.append(Field("nd.reserved", "Reserved", word, text=_java_int(word), json=False))
        fields.append(address_field("nd.target", "Target Address", body[4:20]))
        if t == 137:
            fields.append(address_field("nd.rd.dst", "Destination Address", body[20:36]))
    used, problem = _nd_options(body[fixed:], fields)
    rest = _add_message(d, buf, "icmpv6", _ICMP6_COMMON, _ICMP6_TITLES[t], 4 + fixed + used, fields)
    if problem is not None:
        raise problem
    return None, rest


def _nd_options(raw: bytes, fields: list[Field]) -> tuple[int, Bad | None]:
    """Append one field per Neighbor Discovery option; return the bytes they used, and any problem.

    Their texts are Pcap4J's IpV6NeighborDiscovery*Option.toString(). To Pcap4J a Prefix Information or
    MTU option of another length than its own is illegal, and takes every byte left: the options after
    it are left out of the dump (not of the JSON).
    """
    pos = 0
    dump = True
    while pos + 2 <= len(raw):
        kind, units = raw[pos], raw[pos + 1]
        size = units * 8
        if size == 0:
            return pos, Bad("icmpv6", f"bad ND option length 0 (option type {kind})", raw[pos:])
        if pos + size > len(raw):
            return pos, Bad(
                "icmpv6",
                f"ND option {kind} runs past the end: {size} bytes declared, {len(raw) - pos} present",
                raw[pos:],
                truncated=True,
            )
        value = raw[pos + 2 : pos + size]
        head = f"[Type: {named_text(kind, _ND_OPTION_NAMES)}]"
        sized = f"{head} [Length: {units} ({size} bytes)]"
        if kind in (1, 2):
            addr = mac_text(value[:6] if size == 8 else value)
            key = "opt.src_linkaddr" if kind == 1 else "opt.target_linkaddr"
            field = Field(
                key, "Option", addr, text=f"{sized} [linkLayerAddress: {value.hex(' ')}]", dump=dump
            )
        elif kind == 3 and size == 32:
            prefix_len, flags, valid, preferred, reserved2 = _PREFIX.unpack_from(value)
            raw_prefix = value[14:30]
            text = (
                f"{sized} [Prefix Length: {prefix_len}] [on-link flag: {_java_bool(flags & 0x80)}]"
                f" [address-configuration flag: {_java_bool(flags & 0x40)}] [Reserved1: {flags & 0x3F}]"
                f" [Valid Lifetime: {valid}] [Preferred Lifetime: {preferred}] [Reserved2: {reserved2}]"
                f" [Prefix: {java6_text(raw_prefix)}]"
            )
            field = Field(
                "opt.prefix", "Option", f"{ip6_text(raw_prefix)}/{prefix_len}", text=text, dump=dump
            )
        elif kind == 5 and size == 8:
            reserved, mtu = _MTU.unpack_from(value)
            text = f"{sized} [Reserved: {reserved}] [MTU: {mtu}]"
            field = Field("opt.mtu", "Option", mtu, text=text, dump=dump)
        else:
            text = f"{head} [Length: {units} bytes] [Data: 0x{value.hex()}]"
            cause = _ND_ILLEGAL_LENGTH.get(kind)
            if cause is not None and dump:
                text = f"{head} [Illegal Raw Data: 0x{raw[pos:].hex()}] [cause: {cause}{units}]"
            field = Field(f"opt.type_{kind}", "Option", value.hex(), text=text, dump=dump)
            dump = dump and cause is None
        fields.append(field)
        pos += size
    return pos, None


_PREFIX = struct.Struct("!BBIIi")  # prefix length, flags, valid and preferred lifetimes, reserved
_MTU = struct.Struct("!hI")
_ND_ILLEGAL_LENGTH = {  # Pcap4J's exception for a Prefix Information or MTU option of a wrong length
    3: "org.pcap4j.packet.IllegalRawDataException: Invalid value of length field: ",
    5: "org.pcap4j.packet.IllegalRawDataException: Illegal value in the length field: ",
}


def _java_bool(on: int) -> str:
    return "true" if on else "false"


DECODERS: DecoderTable = {
    "icmp": ("icmp", "an ICMPv4 header", _icmp),
    "igmp": ("igmp", "an IGMP header", _igmp),
    "icmpv6": ("icmpv6", "an ICMPv6 message", _icmpv6),
}
