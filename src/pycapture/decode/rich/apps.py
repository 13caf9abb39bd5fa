"""Applications: DNS, DHCP, NTP, HTTP, TLS and DHCPv6 (the last with scapy, imported when needed)."""

from __future__ import annotations

import datetime
import logging
import struct
from typing import Callable, Optional

import dpkt
from dpkt import (
    dhcp,
    ntp,
    ssl,
)
from dpkt import http as dpkt_http

from ...protocols import headers as extra
from ...protocols.names import (
    ARP_HARDWARE_NAMES,
    NAMES,
)
from ...protocols.numbers import (
    NTP_MODE_NAMES,
)
from ..model import Field, Layer
from .core import DecoderTable, Decoding, Step, require, unpack_header
from .fields import address_field, flag_field, hex_named, hex_text, ip4_text, ip6_text, java6_text, named_text
from .transport import dump_lines, show_as_ethernet_pad

_DNS_OPCODE_NAMES = NAMES["DnsOpCode"]
_DNS_RCODE_NAMES = NAMES["DnsRCode"]
_DNS_TYPE_NAMES = NAMES["DnsResourceRecordType"]
_DNS_CLASS_NAMES = NAMES["DnsClass"]
_IP_NUMBER_NAMES = NAMES["IpNumber"]


def _rdata(rr: dpkt.dns.DNS.RR) -> str:
    t = rr.type
    if t == 1 and len(rr.rdata) == 4:
        return ip4_text(rr.rdata)
    if t == 28 and len(rr.rdata) == 16:
        return ip6_text(rr.rdata)
    for attr in ("cname", "nsname", "ptrname", "mxname", "srvname", "mname"):
        if hasattr(rr, attr):
            name: str = getattr(rr, attr)
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
    return str(rr.rdata.hex())


class _DnsError(Exception):
    """A part of a DNS message that Pcap4J's classes cannot build (its IllegalRawDataException)."""


_Lines = list[tuple[str, Optional[str]]]
_Render = Callable[[bytes], _Lines]  # the lines of a part, given the message for its names' pointers
_RDataParser = Callable[[bytes, int, int], _Render]  # an RDATA class: the message, its start and end


def _java_text(raw: bytes) -> str:
    """``new String(bytes)``: the JVM's default charset, UTF-8, a malformed sequence as U+FFFD."""
    return raw.decode("utf-8", "replace")


class _DnsName:
    """Pcap4J's DnsDomainName: the labels up to a null label or a compression pointer."""

    __slots__ = ("labels", "pointer", "size")

    def __init__(self, msg: bytes, start: int, end: int) -> None:
        labels: list[str] = []
        pos, pointer = start, None
        while True:
            if pos >= end:
                raise _DnsError("no null termination nor pointer")
            n = msg[pos]
            if n & 0xC0 == 0xC0:
                if end - pos < 2:
                    raise _DnsError("too short for a name's pointer")
                pointer = int.from_bytes(msg[pos : pos + 2], "big") & 0x3FFF
                pos += 2
                break
            if n & 0xC0:
                raise _DnsError("a label must start with 00 or 11")
            pos += 1
            if n == 0:
                break
            if end - pos < n:
                raise _DnsError("too short for a name's label")
            labels.append(_java_text(msg[pos : pos + n]))
            pos += n
        self.labels = labels
        self.pointer = pointer
        self.size = pos - start

    def decompressed(self, header: bytes, seen: list[int]) -> str:
        name = ".".join(self.labels)
        if self.pointer is None:
            return name
        if self.pointer in seen:
            raise _DnsError("circular reference")
        seen.append(self.pointer)
        return f"{name}.{_DnsName(header, self.pointer, len(header)).decompressed(header, seen)}"

    def text(self, header: bytes) -> str:
        """``DnsDomainName.toString(headerRawData)``."""
        if self.pointer is None:
            return ".".join(self.labels) if self.labels else "<ROOT>"
        try:
            full = self.decompressed(header, [])
        except _DnsError:
            full = "Error occurred during building complete name"
        return f"{full} (name: {'.'.join(self.labels)}, pointer: {self.pointer})"


def _char_string(msg: bytes, pos: int, end: int) -> tuple[str, int]:
    """A <character-string>: a length byte, then that many bytes."""
    n = msg[pos]
    if n > end - pos - 1:
        raise _DnsError("too short for a character string")
    return _java_text(msg[pos + 1 : pos + 1 + n]), pos + 1 + n


def _names_rdata(title: str, labels: tuple[str, ...]) -> _RDataParser:
    """The RDATA of a type that holds domain names only (NS, CNAME, PTR, MINFO...)."""

    def parse(msg: bytes, pos: int, end: int) -> _Render:
        names = []
        for i in range(len(labels)):
            if i and pos == end:
                raise _DnsError(f"too short for the {labels[i]} of {title}")
            name = _DnsName(msg, pos, end)
            names.append(name)
            pos += name.size
        named = list(zip(labels, names))
        return lambda header: [(title, None), *((f"  {label}", n.text(header)) for label, n in named)]

    return parse


def _rdata_a(msg: bytes, pos: int, end: int) -> _Render:
    raw = msg[pos:end]
    if len(raw) < 4:
        raise _DnsError("too short for an A RDATA")
    if len(raw) == 4:
        text = f"{ip4_text(raw)} (encoded)"
    else:  # an address written as text
        parts = _java_text(raw).split(".", 3)
        octets = []
        for part in parts:
            digits = part[1:] if part[:1] in ("+", "-") else part
            if not digits.isdecimal() or not 0 <= int(part) <= 255:
                raise _DnsError("not an IPv4 address")
            octets.append(int(part))
        if len(octets) != 4:
            raise _DnsError("not an IPv4 address")
        text = ".".join(map(str, octets)) + " (text)"
    return lambda header: [("A RDATA", None), ("  ADDRESS", text)]


def _rdata_aaaa(msg: bytes, pos: int, end: int) -> _Render:
    if end - pos < 16:
        raise _DnsError("too short for an AAAA RDATA")
    text = java6_text(msg[pos : pos + 16])[1:]
    return lambda header: [("AAAA RDATA", None), ("  ADDRESS", text)]


def _rdata_soa(msg: bytes, pos: int, end: int) -> _Render:
    mname = _DnsName(msg, pos, end)
    pos += mname.size
    if pos == end:
        raise _DnsError("too short for the RNAME of an SOA RDATA")
    rname = _DnsName(msg, pos, end)
    pos += rname.size
    if pos + 20 > end:
        raise _DnsError("too short for the numbers of an SOA RDATA")
    numbers = struct.unpack_from("!5I", msg, pos)
    labels = ("SERIAL", "REFRESH", "RETRY", "EXPIRE", "MINIMUM")
    return lambda header: [
        ("SOA RDATA", None),
        ("  MNAME", mname.text(header)),
        ("  RNAME", rname.text(header)),
        *((f"  {label}", str(n)) for label, n in zip(labels, numbers)),
    ]


def _rdata_mx(msg: bytes, pos: int, end: int) -> _Render:
    if end - pos < 3:
        raise _DnsError("too short for an MX RDATA")
    preference = struct.unpack_from("!h", msg, pos)[0]  # a Java short
    exchange = _DnsName(msg, pos + 2, end)
    return lambda header: [
        ("MX RDATA", None),
        ("  PREFERENCE", str(preference)),
        ("  EXCHANGE", exchange.text(header)),
    ]


def _rdata_txt(msg: bytes, pos: int, end: int) -> _Render:
    texts = []
    while pos < end:
        text, pos = _char_string(msg, pos, end)
        texts.append(text)
    return lambda header: [("TXT RDATA", None)] + [("  TEXT", t) for t in texts]


def _rdata_hinfo(msg: bytes, pos: int, end: int) -> _Render:
    if msg[pos] + 1 > end - pos - 1:
        raise _DnsError("too short for the CPU and OS of an HINFO RDATA")
    cpu, pos = _char_string(msg, pos, end)
    os_, pos = _char_string(msg, pos, end)
    return lambda header: [("HINFO RDATA", None), ("  CPU", cpu), ("  OS", os_)]


def _rdata_wks(msg: bytes, pos: int, end: int) -> _Render:
    if end - pos < 5 or end - pos - 5 > 8192:
        raise _DnsError("not a WKS RDATA")
    bitmap = msg[pos + 5 : end]
    ports = ", ".join(str(i * 8 + b) for i, bits in enumerate(bitmap) for b in range(8) if bits & (0x80 >> b))
    lines: _Lines = [
        ("WKS RDATA", None),
        ("  ADDRESS", ip4_text(msg[pos : pos + 4])),
        ("  PROTOCOL", named_text(msg[pos + 4], _IP_NUMBER_NAMES)),
        ("  BIT MAP", f"0x{bitmap.hex()}"),
        ("  PORTS", ports),
    ]
    return lambda header: lines


def _rdata_caa(msg: bytes, pos: int, end: int) -> _Render:
    if end - pos < 2 or end - pos - 2 < msg[pos + 1]:
        raise _DnsError("too short for a CAA RDATA")
    flags, tag_end = msg[pos], pos + 2 + msg[pos + 1]
    lines: _Lines = [
        ("CAA RDATA", None),
        ("  Issuer Critical", "true" if flags & 0x80 else "false"),
        ("  Reserved Flags", f"0x{flags & 0x7F:02x}"),
        ("  Tag", _java_text(msg[pos + 2 : tag_end])),
        ("  Value", _java_text(msg[tag_end:end])),
    ]
    return lambda header: lines


def _rdata_raw(title: str) -> _RDataParser:
    def parse(msg: bytes, pos: int, end: int) -> _Render:
        lines: _Lines = [(title, None), ("  data", msg[pos:end].hex())]
        return lambda header: lines

    return parse


# Pcap4J's DnsRData class of each record type (StaticDnsRDataFactory); any other is UnknownDnsRData
_RDATA_PARSERS = {
    1: _rdata_a,
    2: _names_rdata("NS RDATA", ("NSDNAME",)),
    3: _names_rdata("MD RDATA", ("MADNAME",)),
    4: _names_rdata("MF RDATA", ("MADNAME",)),
    5: _names_rdata("CNAME RDATA", ("CNAME",)),
    6: _rdata_soa,
    7: _names_rdata("MB RDATA", ("MADNAME",)),
    8: _names_rdata("MG RDATA", ("MGMNAME",)),
    9: _names_rdata("MR RDATA", ("NEWNAME",)),
    10: _rdata_raw("NULL RDATA"),
    11: _rdata_wks,
    12: _names_rdata("PTR RDATA", ("PTRDNAME",)),
    13: _rdata_hinfo,
    14: _names_rdata("MINFO RDATA", ("RMAILBX", "EMAILBX")),
    15: _rdata_mx,
    16: _rdata_txt,
    28: _rdata_aaaa,
    257: _rdata_caa,
}
_UNKNOWN_RDATA = _rdata_raw("Unknown Data")
_ILLEGAL_RDATA = _rdata_raw("Illegal Data")
_DNS_SECTIONS = ("Question", "Answer", "Authority", "Additional")


def _dns_lines(msg: bytes, counts: tuple[int, ...]) -> tuple[_Lines, int]:
    """Pcap4J's lines for a DNS message's questions and resource records (DnsQuestion,
    DnsResourceRecord and the DnsRData classes), and the length of the message they span.

    The sections stop at the first entry Pcap4J cannot build (it would not decode the message at all).
    Names print decompressed against the message up to there, as Pcap4J's ``headerRawData``.
    """
    pos = 12
    entries: list[tuple[str, _Render]] = []
    try:
        for section, count in zip(_DNS_SECTIONS, counts):
            for _ in range(count):
                if pos >= len(msg):
                    raise _DnsError(f"too short for a {section.lower()}")
                name = _DnsName(msg, pos, len(msg))
                pos += name.size
                if section == "Question":
                    if len(msg) - pos < 4:
                        raise _DnsError("too short for QTYPE and QCLASS")
                    qtype, qclass = struct.unpack_from("!HH", msg, pos)
                    pos += 4
                    entries.append((section, _question_lines(name, qtype, qclass)))
                    continue
                if len(msg) - pos < 10:
                    raise _DnsError("too short for TYPE, CLASS, TTL and RDLENGTH")
                rtype, rclass, ttl, rdlength = struct.unpack_from("!HHIH", msg, pos)
                pos += 10
                if len(msg) - pos < rdlength:
                    raise _DnsError("too short for RDATA")
                rdata = None
                if rdlength:
                    parse = _RDATA_PARSERS.get(rtype, _UNKNOWN_RDATA)
                    try:
                        rdata = parse(msg, pos, pos + rdlength)
                    except _DnsError:
                        rdata = _ILLEGAL_RDATA(msg, pos, pos + rdlength)
                pos += rdlength
                entries.append((section, _record_lines(name, rtype, rclass, ttl, rdlength, rdata)))
    except _DnsError:
        pass
    header = msg[:pos]
    lines: _Lines = []
    for section, render in entries:
        lines.append((section, None))
        lines += render(header)
    return lines, pos


def _question_lines(name: _DnsName, qtype: int, qclass: int) -> _Render:
    return lambda header: [
        ("  QNAME", name.text(header)),
        ("  QTYPE", named_text(qtype, _DNS_TYPE_NAMES)),
        ("  QCLASS", named_text(qclass, _DNS_CLASS_NAMES)),
    ]


def _record_lines(
    name: _DnsName, rtype: int, rclass: int, ttl: int, rdlength: int, rdata: _Render | None
) -> _Render:
    def render(header: bytes) -> _Lines:
        lines: _Lines = [
            ("  NAME", name.text(header)),
            ("  TYPE", named_text(rtype, _DNS_TYPE_NAMES)),
            ("  CLASS", named_text(rclass, _DNS_CLASS_NAMES)),
            ("  TTL", str(ttl)),
            ("  RDLENGTH", str(rdlength)),
        ]
        if rdata is not None:
            lines.append(("  RDATA", None))
            lines += [(f"    {label}", text) for label, text in rdata(header)]
        return lines

    return render


def _dns_layer(d: Decoding, buf: bytes, message: bytes, prefix: list[Field], size: int) -> None:
    """Add the DNS layer of ``message``, which is ``buf`` or follows a length ``prefix`` in it."""
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
    counts = struct.unpack_from("!4H", message, 4)
    lines, end = _dns_lines(message, counts) if d.dump else ([], len(message))
    fields = [
        *prefix,
        Field("id", "ID", m.id, text=hex_text(m.id)),
        Field("flags", "Flags", op, text=hex_text(op), dump=False),
        Field("qr", "QR", bool(m.qr), text="response" if m.qr else "query"),
        Field("opcode", "OPCODE", m.opcode, text=named_text(m.opcode, _DNS_OPCODE_NAMES)),
        flag_field("aa", "Authoritative Answer", m.aa),
        flag_field("tc", "Truncated", op & 0x0200),
        flag_field("rd", "Recursion Desired", m.rd),
        flag_field("ra", "Recursion Available", m.ra),
        Field("z", "Reserved Bit", (op >> 6) & 1),
        flag_field("ad", "Authentic Data", op & 0x0020),
        flag_field("cd", "Checking Disabled", op & 0x0010),
        Field("rcode", "RCODE", m.rcode, text=named_text(m.rcode, _DNS_RCODE_NAMES)),
        # Pcap4J prints the header's counts; the values are the entries decoded
        Field("count.queries", "QDCOUNT", len(questions), text=str(counts[0])),
        Field("count.answers", "ANCOUNT", len(records["an"]), text=str(counts[1])),
        Field("count.auth_rr", "NSCOUNT", len(records["ns"]), text=str(counts[2])),
        Field("count.add_rr", "ARCOUNT", len(records["ar"]), text=str(counts[3])),
        Field("queries", "Question", questions, dump=False),
        Field("answers", "Answer", records["an"], dump=False),
        Field("authorities", "Authority", records["ns"], dump=False),
        Field("additionals", "Additional", records["ar"], dump=False),
        *dump_lines("entry", lines),
    ]
    # Pcap4J's DNS header ends with its last record: over UDP it shows the bytes after it as the
    # Ethernet frame's padding (over TCP, where it reads no length prefix, it shows no such message)
    d.add(Layer("dns", "DNS Header", size - len(message) + end, fields), buf)
    if not prefix and d.dump:
        show_as_ethernet_pad(d, message[end:])


def _dns(d: Decoding, buf: bytes) -> Step:
    require(buf, 12, "dns", "a DNS header")
    _dns_layer(d, buf, buf, [], len(buf))
    return None, b""


def _dns_tcp(d: Decoding, buf: bytes) -> Step:
    """DNS over TCP: a 2-byte length, then the message; decoded only when the segment holds it whole."""
    if len(buf) < 14:
        return None, buf
    size = int.from_bytes(buf[:2], "big")
    if size < 12 or len(buf) < 2 + size:
        return None, buf  # a message split across segments, or not the start of one
    _dns_layer(d, buf, buf[2 : 2 + size], [Field("length", "Length", size)], 2 + size)
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


def _dhcp(d: Decoding, buf: bytes) -> Step:
    h = unpack_header(dhcp.DHCP, buf, "dhcp", "a BOOTP/DHCP message")
    is_dhcp = h.magic == dhcp.DHCP_MAGIC
    options: list[tuple[int, bytes]] = list(dhcp.DHCP(buf).opts) if is_dhcp else []
    chaddr = h.chaddr[: min(h.hln, 16)]
    fields = [
        Field("type", "Message type", h.op, text=named_text(h.op, {1: "Boot Request", 2: "Boot Reply"})),
        Field("hw.type", "Hardware type", h.hrd, text=named_text(h.hrd, ARP_HARDWARE_NAMES)),
        Field("hw.len", "Hardware address length", h.hln),
        Field("hops", "Hops", h.hops),
        Field("id", "Transaction ID", h.xid, text=hex_text(h.xid, 8)),
        Field("secs", "Seconds elapsed", h.secs),
        Field("flags", "Bootp flags", h.flags, text=hex_text(h.flags)),
        address_field("ip.client", "Client IP address", struct.pack("!I", h.ciaddr)),
        address_field("ip.your", "Your (client) IP address", struct.pack("!I", h.yiaddr)),
        address_field("ip.server", "Next server IP address", struct.pack("!I", h.siaddr)),
        address_field("ip.relay", "Relay agent IP address", struct.pack("!I", h.giaddr)),
        Field("hw.mac_addr" if h.hln == 6 else "hw.addr", "Client hardware address", chaddr.hex(":")),
        Field("server", "Server host name", h.sname.split(b"\x00", 1)[0].decode("latin-1")),
        Field("file", "Boot file name", h.file.split(b"\x00", 1)[0].decode("latin-1")),
        Field("cookie", "Magic cookie", h.magic, text="DHCP" if is_dhcp else hex_text(h.magic, 8)),
    ]
    for code, value in options:
        if code == 53 and len(value) == 1:
            fields.append(
                Field(
                    "option.dhcp",
                    "DHCP Message Type",
                    value[0],
                    text=named_text(value[0], _DHCP_MESSAGE_TYPES),
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
    d.add(Layer("dhcp", "DHCP Header", len(buf), fields), buf)
    return None, b""


_NTP_EPOCH = datetime.datetime(1900, 1, 1, tzinfo=datetime.timezone.utc)


def _ntp_time(raw: bytes) -> str:
    seconds, fraction = struct.unpack("!II", raw)
    if not seconds and not fraction:
        return "NULL"
    when = _NTP_EPOCH + datetime.timedelta(seconds=seconds + fraction / 2**32)
    return when.isoformat().replace("+00:00", "Z")


def _ntp(d: Decoding, buf: bytes) -> Step:
    require(buf, 1, "ntp", "an NTP header")
    li, vn, mode = buf[0] >> 6, (buf[0] >> 3) & 7, buf[0] & 7
    fields = [
        Field("flags", "Flags", buf[0], text=hex_text(buf[0], 2)),
        Field("flags.li", "Leap Indicator", li),
        Field("flags.vn", "Version number", vn),
        Field("flags.mode", "Mode", mode, text=named_text(mode, NTP_MODE_NAMES)),
    ]
    if mode in (6, 7):  # control and private messages have a header of their own, not decoded here
        return None, d.add_header(buf, "ntp", "NTP Header", 1, fields)
    n = ntp.NTP(buf) if len(buf) >= 48 else unpack_header(ntp.NTP, buf, "ntp", "an NTP header")
    precision = n.precision - 256 if n.precision > 127 else n.precision
    refid = ip4_text(n.id) if n.stratum > 1 else n.id.rstrip(b"\x00").decode("ascii", "backslashreplace")
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
    return None, d.add_header(buf, "ntp", "NTP Header", 48, fields)


def _http(d: Decoding, buf: bytes) -> Step:
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
    return None, d.add_header(buf, "http", title, len(line), fields)


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
            return str(name.decode("ascii", "backslashreplace"))
        pos += 1 + used
    return None


# the content types Wireshark's ssl_is_valid_content_type takes for a record after a segment's first
# (25: TLS 1.2's record with a connection ID)
_TLS_RECORD_TYPES = frozenset((*_TLS_CONTENT_TYPES, 25))


def _tls(d: Decoding, buf: bytes) -> Step:
    """One ``tls`` layer for the records a segment starts: its first (cut by the segment if need be), then
    each whole record after it whose content type is one, as Wireshark dissects them without reassembly;
    a key the records repeat lists every record's value, as tshark's ``-T json`` does. A handshake after a
    Change Cipher Spec in the segment is encrypted: only its record header is read."""
    rec = unpack_header(ssl.TLSRecord, buf, "tls", "a TLS record header")
    body = buf[5 : 5 + rec.length]
    fields = _tls_record(rec.type, rec.version, rec.length, body, True)
    end = 5 + len(body)
    encrypted = rec.type == 20
    while len(buf) - end >= 5 and buf[end] in _TLS_RECORD_TYPES:
        kind, version, length = struct.unpack_from("!BHH", buf, end)
        if end + 5 + length > len(buf):
            break
        fields += _tls_record(kind, version, length, buf[end + 5 : end + 5 + length], not encrypted)
        encrypted = encrypted or kind == 20
        end += 5 + length
    return None, d.add_header(buf, "tls", "TLS Record Header", end, fields)


def _tls_record(kind: int, version: int, length: int, body: bytes, clear: bool) -> list[Field]:
    """A record's fields: its header, then (for a handshake in the clear) the handshake's type and length,
    a hello's version, and a Client Hello's cipher suites length and server name."""
    fields = [
        Field("record.content_type", "Content Type", kind, text=named_text(kind, _TLS_CONTENT_TYPES)),
        Field("record.version", "Version", version, text=hex_named(version, _TLS_VERSIONS)),
        Field("record.length", "Length", length),
    ]
    if kind != 22 or not clear or len(body) < 4:
        return fields
    hs = unpack_header(ssl.TLSHandshake, body, "tls", "a TLS handshake header")
    fields += [
        Field("handshake.type", "Handshake Type", hs.type, text=named_text(hs.type, _TLS_HANDSHAKES)),
        Field("handshake.length", "Handshake Length", hs.length),
    ]
    hello = body[4 : 4 + hs.length]
    if hs.type in (1, 2) and len(hello) >= 34:
        h = unpack_header(ssl.TLSClientHello, hello, "tls", "a TLS hello")  # version and random
        fields.append(
            Field("handshake.version", "Version", h.version, text=hex_named(h.version, _TLS_VERSIONS))
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
    return fields


def _dhcpv6(d: Decoding, buf: bytes) -> Step:
    """DHCPv6, which dpkt lacks: scapy's classes, imported now rather than with this module."""
    from scapy.layers import dhcp6  # ~0.25 s the first time; only DHCPv6 packets pay it

    require(buf, 4, "dhcpv6", "a DHCPv6 message")
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
        fields.append(Field("xid", "Transaction ID", message.trid, text=hex_text(message.trid, 6)))
    options = []
    layer = message.payload
    while layer and layer.name != "Raw" and getattr(layer, "optcode", None) is not None:
        options.append({"code": layer.optcode, "name": layer.name})
        layer = layer.payload
    fields.append(Field("options", "Options", options, text=" ".join(f"[{o['name']}]" for o in options)))
    d.add(Layer("dhcpv6", "DHCPv6 Header", len(buf), fields), buf)
    return None, b""


DECODERS: DecoderTable = {
    "dns": ("dns", "a DNS message", _dns),
    "dns_tcp": ("dns", "a DNS message", _dns_tcp),
    "dhcp": ("dhcp", "a DHCP message", _dhcp),
    "dhcpv6": ("dhcpv6", "a DHCPv6 message", _dhcpv6),
    "ntp": ("ntp", "an NTP message", _ntp),
    "http": ("http", "an HTTP message", _http),
    "tls": ("tls", "a TLS record", _tls),
}
