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
    IP_PROTOCOL_NAMES,
    NAMES,
    TOS_NAMES,
    TOS_PRECEDENCE_NAMES,
)
from ...protocols.numbers import (
    IP6_DECODERS,
    IP_DECODERS,
)
from ..model import Field, Layer
from .core import Bad, DecoderTable, Decoding, Step, require, unpack_header
from .fields import (
    address_field,
    checksum_field,
    ethertype_text,
    hex_text,
    ip6_text,
    java4_text,
    java6_text,
    named_text,
)

_ARP_OPERATIONS = NAMES["ArpOperation"]


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
                Field("proto.type", "Protocol type", pro, text=ethertype_text(pro)),
                Field("hw.size", "Hardware address length", hln, text=f"{hln} [bytes]"),
                Field("proto.size", "Protocol address length", pln, text=f"{pln} [bytes]"),
                Field("opcode", "Operation", op, text=named_text(op, _ARP_OPERATIONS)),
                Field(f"src.{hw_key}", "Source hardware address", sha.hex(":")),
                address_field(f"src.{proto_key}", "Source protocol address", spa),
                Field(f"dst.{hw_key}", "Destination hardware address", tha.hex(":")),
                address_field(f"dst.{proto_key}", "Destination protocol address", tpa),
            ],
        ),
        buf,
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


def tos_text(tos: int) -> str:
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


_IPV4_OPTION_NAMES = NAMES["IpV4OptionType"]
_TIMESTAMP_FLAG_NAMES = NAMES["IpV4InternetTimestampOptionFlag"]
_SECURITY_NAMES = NAMES["IpV4SecurityOptionSecurity"]
_COMPARTMENTS_NAMES = NAMES["IpV4SecurityOptionCompartments"]
_RAW_DATA_ERROR = "org.pcap4j.packet.IllegalRawDataException: "
_ROUTE_OPTIONS = (
    7,
    131,
    137,
)  # IpV4RecordRouteOption, IpV4LooseSourceRouteOption, IpV4StrictSourceRouteOption


class _IllegalOption(Exception):
    """Pcap4J's IllegalRawDataException while building an option: it keeps the rest as an illegal option."""


class _OptionsEnd(Exception):
    """Any other exception in Pcap4J's option loop: the options end there, the rest is padding."""


def _raw_data_text(buf: bytes, offset: int, length: int) -> str:
    """The tail of Pcap4J's messages: ``rawData: ..., offset: N, length: N``.

    Pcap4J shows its whole frame there and the offset in it; pycapture has only the datagram.
    """
    return f"{buf.hex(' ')}, offset: {offset}, length: {length}"


def _illegal_text(raw: bytes, cause: str) -> str:
    """The tail of Pcap4J's IllegalIpV4Option and IllegalIpV6Option toString()."""
    return f"[Illegal Raw Data: 0x{raw.hex()}] [cause: {_RAW_DATA_ERROR}{cause}]"


def _too_few(buf: bytes, pos: int, rem: int, need: int) -> str:
    return f"The raw data length must be more than {need - 1}. rawData: {_raw_data_text(buf, pos, rem)}"


def _too_short(buf: bytes, pos: int, rem: int, what: str) -> str:
    return f"The raw data is too short to build this {what}. data: {_raw_data_text(buf, pos, rem)}"


def _check_option_length(buf: bytes, pos: int, rem: int, size: int, minimum: int) -> None:
    """Pcap4J's checks of a variable-length option (route, timestamp), in its order: the ``rem`` bytes
    left hold its fixed part and its ``size``, and ``size`` is at least ``minimum``."""
    if rem < minimum:
        raise _IllegalOption(_too_few(buf, pos, rem, minimum))
    if rem < size:
        raise _IllegalOption(_too_short(buf, pos, rem, f"option({size})"))
    if size < minimum:
        raise _IllegalOption(f"The length field value must be equal or more than {minimum} but it is: {size}")


def _ipv4_option(buf: bytes, pos: int, end: int) -> tuple[str, int]:
    """Pcap4J's IpV4Option at ``buf[pos]`` (StaticIpV4OptionFactory): its toString() and its length.

    Two faults of Pcap4J are not copied: it shows an option of no data, and an Internet Timestamp
    option with data, as padding (the first fails in its getSubArray, the second in its factory).
    """
    kind, rem = buf[pos], end - pos
    type_text = f"[option-type: {named_text(kind, _IPV4_OPTION_NAMES)}"
    if kind in (0, 1):  # IpV4EndOfOptionList, IpV4NoOperationOption
        return type_text + "]", 1
    size = buf[pos + 1] if rem > 1 else 0
    if kind in _ROUTE_OPTIONS:
        _check_option_length(buf, pos, rem, size, 3)
        if (size - 3) % 4:
            raise _IllegalOption(f"Invalid length for this option: {size}")
        route = "".join(" " + java4_text(buf[i : i + 4]) for i in range(pos + 3, pos + size, 4))
        return (
            f"{type_text}] [option-length: {size} bytes] [pointer: {buf[pos + 2]}] [route data:{route}]",
            size,
        )
    if kind == 68:  # IpV4InternetTimestampOption
        _check_option_length(buf, pos, rem, size, 4)
        if size % 4:
            raise _IllegalOption(f"Invalid length for this option: {size}")
        flag = buf[pos + 3] & 0x0F
        text = (
            f"{type_text}] [option-length: {size} bytes] [pointer: {buf[pos + 2]}] "
            f"[overflow: {buf[pos + 3] >> 4}] [flag: {named_text(flag, _TIMESTAMP_FLAG_NAMES)}]"
        )
        if size > 4:  # never shown by Pcap4J: its binder files the data's factory under another class
            text += f" [data: {_timestamp_data(flag, buf[pos + 4 : pos + size])}]"
        return text, size
    if kind == 136:  # IpV4StreamIdOption
        if rem < 4:
            raise _IllegalOption(_too_few(buf, pos, rem, 4))
        if size != 4:
            raise _IllegalOption(f"Invalid value of length field: {_signed8(size)}")
        stream = int.from_bytes(buf[pos + 2 : pos + 4], "big")
        return f"{type_text}] [option-length: 4 bytes] [streamId: {stream}]", 4
    if kind == 130:  # IpV4Rfc791SecurityOption
        if rem < 11:
            raise _IllegalOption(_too_few(buf, pos, rem, 11))
        if size != 11:
            raise _IllegalOption(f"Invalid value of length field: {_signed8(size)}")
        security, compartments, handling = struct.unpack_from("!HHH", buf, pos + 2)
        tcc = int.from_bytes(buf[pos + 8 : pos + 11], "big")
        text = (
            f"{type_text}] [option-length: 11 byte] [security: 0x{security:04x} "
            f"({_SECURITY_NAMES.get(security, 'unknown')})] [compartments: 0x{compartments:04x} "
            f"({_COMPARTMENTS_NAMES.get(compartments, 'unknown')})] [handlingRestrictions: 0x{handling:04x} "
            f"(unknown)] [tcc: 0x{tcc:08x} (unknown)]"
        )
        return text, 11
    # UnknownIpV4Option
    if rem < 2:
        raise _IllegalOption(_too_few(buf, pos, rem, 2))
    if rem < size:
        raise _IllegalOption(_too_short(buf, pos, rem, f"option ({size})"))
    if size < 2:  # ByteArrays.getSubArray of a negative length: not an IllegalRawDataException
        raise _OptionsEnd
    # (of a length of 2 Pcap4J's getSubArray refuses the empty data too, and shows the rest as padding)
    return (
        f"{type_text}] [option-length: {size} bytes] [option-data: 0x{buf[pos + 2 : pos + size].hex()}]",
        size,
    )


def _signed8(value: int) -> int:
    return value - 256 if value > 127 else value


def _timestamp_data(flag: int, data: bytes) -> str:
    """Pcap4J's IpV4InternetTimestampOptionData by its flag (its length is a multiple of 4 here)."""
    words = [int.from_bytes(data[i : i + 4], "big") for i in range(0, len(data), 4)]
    if flag == 0:  # IpV4InternetTimestampOptionTimestamps
        return "[timestamps:" + "".join(f" {w}" for w in words) + "]"
    if flag == 1:  # IpV4InternetTimestampOptionTimestampsWithAddresses
        pairs = "".join(
            f"({java4_text(data[i : i + 4])}, {words[i // 4 + 1] if i + 4 < len(data) else ''})"
            for i in range(0, len(data), 8)
        )
        return f"[(address, timestamp):{pairs}]"
    if flag == 3:  # IpV4InternetTimestampOptionAddressPrespecified
        stamps = "".join(f" {w}" for w in words[1:])
        return f"[address: {java4_text(data[:4])}] [timestamps:{stamps}]"
    return f"[data: {data.hex()}]"  # UnknownIpV4InternetTimestampOptionData


def _ipv4_option_fields(buf: bytes, hl: int) -> list[Field]:
    """Pcap4J's ``Option:`` line per option and ``Padding:`` for what follows them (dump only)."""
    fields = []
    pos = 20
    while pos < hl:
        kind = buf[pos]
        try:
            text, size = _ipv4_option(buf, pos, hl)
        except _IllegalOption as exc:
            kind_text = named_text(kind, _IPV4_OPTION_NAMES)
            text = f"[option-type: {kind_text}] {_illegal_text(buf[pos:hl], str(exc))}"
            size = hl - pos
        except _OptionsEnd:
            break
        fields.append(Field("option", "Option", None, text=text, json=False))
        pos += size
        if kind == 0:
            break
    if pos < hl:
        fields.append(Field("options_padding", "Padding", None, text="0x" + buf[pos:hl].hex(" "), json=False))
    return fields


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
        Field("dsfield", "TOS", h.tos, text=tos_text(h.tos)),
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
        fields.append(Field("options", "Options", options, dump=False))
        fields += _ipv4_option_fields(buf, min(hl, len(buf)))
    d.add(Layer("ip", "IPv4 Header", min(hl, len(buf)), fields), buf)
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
        ),
        buf,
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


_IPV6_OPTION_NAMES = NAMES["IpV6OptionType"]
_ROUTING_TYPE_NAMES = NAMES["IpV6RoutingType"]


def _ipv6_option_fields(buf: bytes, size: int) -> list[Field]:
    """A line per option of a hop-by-hop or destination options header, as Pcap4J's IpV6Option
    toString() writes them under ``Options:``, indented by four spaces.

    Where Pcap4J stops reading the options, pycapture goes on: at a PadN or unknown option of no
    data (Pcap4J's getSubArray refuses zero bytes) or of 128 data bytes and more (it reads the
    length as a signed byte).
    """
    fields = []
    pos = 2
    while pos < size:
        kind, rem = buf[pos], size - pos
        type_text = f"0x{kind:02x} ({_IPV6_OPTION_NAMES.get(kind, 'unknown')})]"
        if kind == 0:  # IpV6Pad1Option
            text, length = type_text, 1
        else:  # IpV6PadNOption, UnknownIpV6Option
            data_len = buf[pos + 1] if rem > 1 else 0
            cause = ""
            if rem < 2:
                cause = _too_few(buf, pos, rem, 2)
            elif data_len > rem - 2 and kind == 1:
                cause = f"rawData is too short. dataLen field: {data_len}, rawData: " + _raw_data_text(
                    buf, pos, rem
                )
            elif data_len > rem - 2:
                cause = _too_short(buf, pos, rem, f"option({data_len + 2})")
            if cause:  # IllegalIpV6Option: the rest of the header
                text = f"{type_text} {_illegal_text(buf[pos:size], cause)}"
                length = rem
            else:
                data = buf[pos + 2 : pos + 2 + data_len].hex()
                text = f"{type_text} [Option Data Len: {data_len} bytes] [Option Data: 0x{data}]"
                length = data_len + 2
        # "  " + label + ": " + text: Pcap4J's four-space indent and its "[Option Type: " opening
        fields.append(Field("option", "  [Option Type", None, text=text, json=False))
        pos += length
    return fields


def _routing_data_text(kind: int, data: bytes) -> str:
    """Pcap4J's IpV6RoutingData toString(): the source route (type 0) data, or the bytes of any other."""
    if kind != 0:  # UnknownIpV6RoutingData: its length is 4 more than a multiple of 8 here
        return f"[data: {data.hex(' ')}]"
    if (len(data) - 4) % 16:
        cause = f"(length -4 ) % 16 must be 0. rawData: {_raw_data_text(data, 0, len(data))}"
        return f"[illegal data: {data.hex()}] [cause: {_RAW_DATA_ERROR}{cause}]"
    reserved = struct.unpack_from("!i", data)[0]
    addresses = "".join(" " + java6_text(data[i : i + 16]) for i in range(4, len(data), 16))
    return f"[reserved: {reserved}] [addresses:{addresses}]"


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
                Field("reserved", "Reserved", None, text=f"{buf[1]:02x}", json=False),
                Field("offset", "Fragment Offset", ext.frag_off),
                Field("res", "Res", None, text=f"{(buf[3] >> 1) & 3:02x}", json=False),
                Field("more", "M", bool(ext.m_flag)),
                Field("ident", "Identification", ext.id, text=str(ext.id - ((ext.id & 0x80000000) << 1))),
            ]
            rest = d.add_header(buf, key, title, 8, fields)
            if ext.frag_off:  # not the first fragment: no transport header here
                return None, rest
            return IP6_DECODERS.get(nxt), rest
        fields.append(Field("len", "Hdr Ext Len", buf[1], text=f"{buf[1]} ({size} [bytes])"))
        if key == "ipv6.routing":
            fields += [
                Field("type", "Routing Type", ext.type, text=named_text(ext.type, _ROUTING_TYPE_NAMES)),
                Field("segleft", "Segments Left", ext.segs_left),
                Field(
                    "addresses",
                    "Addresses",
                    [ip6_text(a) for a in ext.addresses if len(a) == 16],
                    dump=False,
                ),
                Field(
                    "data",
                    "type-specific data",
                    None,
                    text=_routing_data_text(ext.type, buf[4:size]),
                    json=False,
                ),
            ]
        else:
            options = [
                {"type": o["type"], "length": o["opt_length"], "data": o["data"].hex()} for o in ext.options
            ]
            fields.append(Field("options", "Options", options, text=""))
            fields += _ipv6_option_fields(buf, size)
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
