"""Protocols read here so that the rich decoder names what Wireshark names where the other modules stop.

- The messages SCTP's DATA chunks carry, by payload protocol identifier and then by port: the SIGTRAN
  adaptation layers (IUA, M2UA, M3UA, SUA, M2PA; RFC 4233, 3331, 4666, 3868, 4165: one common header of
  version, reserved byte, message class, message type and length), named inside the SCTP layer.
- Dropbox's LAN sync discovery (UDP 17500: a JSON object) and WHOIS (TCP 43: a query or its answer).
- By EtherType: Cisco MetaData (0x8909, in Ethernet and GRE: a security group tag before the EtherType
  of the rest), the Network Service Header (0x894f, RFC 8300), Connectivity Fault Management (0x8902,
  IEEE 802.1ag / ITU-T Y.1731), GeoNetworking (0x8947; Wireshark leaves the old 0x0707 as data) and
  TIPC (0x88ca).
- Telnet (TCP 23), named over the segment.
- Frame Relay's choice between Cisco's encapsulation and RFC 2427's with an I, S or U control field.
- Novell's raw 802.3 IPX (an 802.3 frame whose payload starts with IPX's 0xffff checksum, no LLC), the
  NetBIOS Frames protocol on LLC SAP 0xf0, and SMB (with the Browser protocol of its mailslots) in IPX's
  NetBIOS and mailslot sockets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Set

from ...protocols.numbers import ETHERTYPE_DECODERS
from ..model import Field, Layer
from .core import Bad, DecoderTable, Decoding, Step, too_short
from .fields import hex_text

# --- SCTP DATA chunks ---------------------------------------------------------------------------------

SCTP_DATA = 0
_DATA_HEADER = 16  # chunk type, flags, length, TSN, stream id, stream sequence, PPID

SCTP_PPIDS = {1: "iua", 2: "m2ua", 3: "m3ua", 4: "sua", 5: "m2pa"}
"""The protocol of a DATA chunk's user data by its payload protocol identifier (IANA's registry)."""

SCTP_PORTS = {9900: "iua", 2904: "m2ua", 2905: "m3ua", 14001: "sua", 3565: "m2pa"}
"""The protocol of a DATA chunk's user data by SCTP port, where the PPID is 0 (unspecified)."""

_SPARE_KEY = {"m2pa": "spare"}  # Wireshark's key for the byte after the version


def _empty(d: Decoding, buf: bytes, name: str, what: str, need: int) -> None:
    """End the walk at ``name``'s layer, added without fields, if ``buf`` is shorter than ``need``."""
    if len(buf) < need:
        d.add(Layer(name, what[0].upper() + what[1:], len(buf), []), buf)
        raise too_short(name, what, len(buf), need)


def _sigtran(d: Decoding, name: str, buf: bytes) -> None:
    """The SIGTRAN common header of a DATA chunk's message: a layer without bytes or title of its own
    (the message stays in the SCTP layer, as Pcap4J's -v dump shows it), whose fields only the JSON
    shows; a message shorter than the header is malformed there."""
    if len(buf) < 8:
        d.add(Layer(name, "", 0, []), None)
        raise too_short(name, f"an {name.upper()} common header", len(buf), 8)
    length = int.from_bytes(buf[4:8], "big")
    fields = [
        Field("version", "Version", buf[0], dump=False),
        Field(_SPARE_KEY.get(name, "reserved"), "Reserved", buf[1], dump=False),
        Field("message_class", "Message class", buf[2], dump=False),
        Field("message_type", "Message type", buf[3], dump=False),
        Field("message_length", "Message length", length, dump=False),
    ]
    d.add(Layer(name, "", 0, fields), None)


def sctp_data(d: Decoding, chunks: bytes, sport: int, dport: int, rest: bytes) -> Step:
    """After the SCTP layer (``chunks``: its chunks, whole), a layer for each DATA chunk's message whose
    protocol the PPID (or, where it is 0, a port) names. The messages stay in the SCTP layer's bytes
    (Pcap4J's SCTP packet holds its chunks whole); the data of other protocols is not named apart."""
    by_port = SCTP_PORTS.get(min(sport, dport)) or SCTP_PORTS.get(max(sport, dport))
    pos = 0
    while pos + 4 <= len(chunks):
        length = int.from_bytes(chunks[pos + 2 : pos + 4], "big")
        if length < 4:
            break
        if chunks[pos] == SCTP_DATA and length >= _DATA_HEADER:
            ppid = int.from_bytes(chunks[pos + 12 : pos + 16], "big")
            name = SCTP_PPIDS.get(ppid) if ppid else by_port  # a PPID of another protocol: not by port
            if name is not None:
                _sigtran(d, name, chunks[pos + _DATA_HEADER : pos + length])
        pos += (length + 3) & ~3
    return None, rest


# --- Dropbox LAN sync discovery, WHOIS ----------------------------------------------------------------


def _db_lsp_disc(d: Decoding, buf: bytes) -> Step:
    """Dropbox LAN sync discovery (UDP 17500): a JSON object announcing a host; its keys are fields."""
    fields: list[Field] = []
    try:
        value = json.loads(buf.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        value = None
    if isinstance(value, dict):
        fields += [
            Field(key, key, value[key])
            for key in ("host_int", "version", "displayname", "port")
            if isinstance(value.get(key), (int, str))
        ]
        if isinstance(value.get("namespaces"), list):
            fields.append(Field("namespaces", "namespaces", len(value["namespaces"])))
    d.add_header(buf, "db-lsp-disc", "Dropbox LAN sync Discovery Protocol", 0, fields)
    if value is None:
        return None, buf
    d.add_header(buf, "json", "JavaScript Object Notation", len(buf), [])
    return None, b""


def _whois(d: Decoding, buf: bytes) -> Step:
    """WHOIS (RFC 3912, TCP 43): a query line, or the server's text; the first line is kept."""
    line = buf.split(b"\n", 1)[0].rstrip(b"\r")
    return None, d.add_header(buf, "whois", "WHOIS", len(buf), [
        Field("query" if buf.endswith(b"\r\n") and b"\n" not in buf[:-1] else "answer", "Text",
              line[:200].decode("latin-1")),
    ])  # fmt: skip


# --- By EtherType: Cisco MetaData, NSH, CFM -----------------------------------------------------------


def _u16(buf: bytes, pos: int) -> int:
    return int.from_bytes(buf[pos : pos + 2], "big")


def _cmd(d: Decoding, buf: bytes) -> Step:
    """Cisco MetaData: version, length, option type, security group tag, then the EtherType of the rest."""
    _empty(d, buf, "cmd", "a Cisco MetaData header", 8)
    etype = _u16(buf, 6)
    fields = [
        Field("version", "Version", buf[0]),
        Field("length", "Length", buf[1]),
        Field("options", "Options", _u16(buf, 2), text=hex_text(_u16(buf, 2))),
        Field("sgt", "SGT", _u16(buf, 4)),
        Field("type", "Type", etype, text=hex_text(etype)),
    ]
    return ETHERTYPE_DECODERS.get(etype), d.add_header(buf, "cmd", "Cisco MetaData", 8, fields)


def _cmd_gre(d: Decoding, buf: bytes) -> Step:
    """Cisco MetaData in GRE: the EtherType of the rest first, then the header as in Ethernet."""
    _empty(d, buf, "cmd", "a Cisco MetaData header", 8)
    etype = _u16(buf, 0)
    fields = [
        Field("type", "Type", etype, text=hex_text(etype)),
        Field("version", "Version", buf[2]),
        Field("length", "Length", buf[3]),
        Field("options", "Options", _u16(buf, 4), text=hex_text(_u16(buf, 4))),
        Field("sgt", "SGT", _u16(buf, 6)),
    ]
    return ETHERTYPE_DECODERS.get(etype), d.add_header(buf, "cmd", "Cisco MetaData", 8, fields)


NSH_NEXT = {1: "ip", 2: "ipv6", 3: "eth", 4: "nsh", 5: "mpls"}
"""The layer after a Network Service Header by its next-protocol byte (RFC 8300 section 11.6)."""


def _nsh(d: Decoding, buf: bytes) -> Step:
    """The Network Service Header (RFC 8300): base header (version, O bit, TTL, length in 4-byte words,
    MD type, next protocol), service path header (SPI, SI), then the context headers the length counts."""
    _empty(d, buf, "nsh", "a Network Service Header", 8)
    length = (buf[1] & 0x3F) * 4
    fields = [
        Field("version", "Version", buf[0] >> 6),
        Field("Obit", "O bit", (buf[0] >> 5) & 1),
        Field("ttl", "Time to live", ((buf[0] & 0x0F) << 2) | (buf[1] >> 6)),
        Field("length", "Length", buf[1] & 0x3F),
        Field("mdtype", "MD Type", buf[2] & 0x0F),
        Field("nextproto", "Next Protocol", buf[3]),
        Field("spi", "Service Path Identifier", int.from_bytes(buf[4:7], "big")),
        Field("si", "Service Index", buf[7]),
    ]
    if length < 8:
        d.add_header(buf, "nsh", "Network Service Header", 8, fields)
        raise Bad("nsh", f"bad NSH length {length}: less than the 8-byte base and service path headers")
    if len(buf) < length:
        d.add_header(buf, "nsh", "Network Service Header", len(buf), fields)
        raise too_short("nsh", "the NSH context headers", len(buf), length)
    return NSH_NEXT.get(buf[3]), d.add_header(buf, "nsh", "Network Service Header", length, fields)


def _cfm(d: Decoding, buf: bytes) -> Step:
    """Connectivity Fault Management (IEEE 802.1ag, ITU-T Y.1731): the common header (MD level,
    version, opcode, flags, first TLV offset); the PDU after it stays in the layer."""
    _empty(d, buf, "cfm", "a CFM common header", 4)
    return None, d.add_header(buf, "cfm", "CFM EOAM 802.1ag/ITU Protocol", len(buf), [
        Field("md.level", "CFM MD Level", buf[0] >> 5),
        Field("version", "CFM Version", buf[0] & 0x1F),
        Field("opcode", "CFM OpCode", buf[1]),
        Field("flags", "Flags", buf[2], text=hex_text(buf[2], 2)),
        Field("first.tlv.offset", "First TLV Offset", buf[3]),
    ])  # fmt: skip


def _gnw(d: Decoding, buf: bytes) -> Step:
    """ETSI GeoNetworking (EN 302 636-4-1): the basic header (version, next header, lifetime, remaining
    hop limit); the common and extended headers and the payload after it stay in the layer."""
    _empty(d, buf, "gnw", "a GeoNetworking basic header", 4)
    return None, d.add_header(buf, "gnw", "GeoNetworking", len(buf), [
        Field("bh.version", "Version", buf[0] >> 4),
        Field("bh.nh", "Next Header", buf[0] & 0x0F),
        Field("bh.reserved", "Reserved", buf[1]),
        Field("bh.lt", "Life Time", buf[2], text=hex_text(buf[2], 2)),
        Field("bh.rhl", "Router Hop Limit", buf[3]),
    ])  # fmt: skip


def _tipc(d: Decoding, buf: bytes) -> Step:
    """TIPC (0x88ca): the first header word (version, user, header size in words, message size); the
    rest of the header is the layer's, the user data after it payload."""
    _empty(d, buf, "tipc", "a TIPC header", 4)
    word = int.from_bytes(buf[:4], "big")
    size = ((word >> 21) & 0x0F) * 4
    fields = [
        Field("ver", "Version", word >> 29),
        Field("usr", "User", (word >> 25) & 0x0F),
        Field("hdr_size", "Header size", (word >> 21) & 0x0F),
        Field("msg_size", "Message size", word & 0x1FFFF),
    ]
    return None, d.add_header(buf, "tipc", "Transparent Inter Process Communication(TIPC)",
                              min(max(size, 4), len(buf)), fields)  # fmt: skip


def _telnet(d: Decoding, buf: bytes) -> Step:
    """Telnet (TCP 23): commands (IAC sequences) and data; the layer holds the segment, with the count of
    IAC bytes."""
    return None, d.add_header(
        buf, "telnet", "Telnet", len(buf), [Field("iac_count", "IAC bytes", buf.count(0xFF))]
    )


# --- Novell raw 802.3, NetBIOS Frames, SMB in IPX -----------------------------------------------------

NOVELL_RAW = b"\xff\xff"
"""The first bytes of an 802.3 frame's payload that mark IPX without LLC (its checksum field, unused)."""

NETBIOS_SAP = 0xF0
_IPX_SMB_SOCKETS = frozenset((0x0455, 0x0553))  # NetBIOS over IPX, and NWLink's SMB mailslot socket


def _netbios(d: Decoding, buf: bytes) -> Step:
    """The NetBIOS Frames protocol (LLC SAP 0xf0): a little-endian header length, the 0xefff delimiter,
    the command and its data and correlators; a session's data after it may be SMB."""
    _empty(d, buf, "netbios", "a NetBIOS header", 6)
    length = int.from_bytes(buf[:2], "little")
    delimiter = int.from_bytes(buf[2:4], "little")
    fields = [
        Field("hdr_len", "Length", length),
        Field("delimiter", "Delimiter", delimiter, text=hex_text(delimiter)),
        Field("command", "Command", buf[4], text=hex_text(buf[4], 2)),
    ]
    if length < 6 or length > len(buf):
        return None, d.add_header(buf, "netbios", "NetBIOS", len(buf), fields)
    rest = d.add_header(buf, "netbios", "NetBIOS", length, fields)
    if rest[:4] == b"\xffSMB":
        return smb(d, rest)
    return None, rest


def ipx_next(d: Decoding, socket: int, rest: bytes) -> Step:
    """After an IPX header: SMB where the NetBIOS or mailslot socket's payload holds an SMB header (after
    the NetBIOS over IPX names), else the payload as it is."""
    if socket in _IPX_SMB_SOCKETS:
        at = rest.find(b"\xffSMB", 0, 128)
        if at >= 0:
            return smb(d, rest[at:])
    return None, rest


def smb(d: Decoding, buf: bytes) -> Step:
    """An SMB header (32 bytes), over the whole message, and the Browser protocol after it when it is a
    transaction to a browse mailslot."""
    _empty(d, buf, "smb", "an SMB header", 32)
    fields = [
        Field("cmd", "SMB Command", buf[4], text=hex_text(buf[4], 2)),
        Field("flags", "Flags", buf[9], text=hex_text(buf[9], 2)),
        Field("flags2", "Flags2", int.from_bytes(buf[10:12], "little")),
        Field("pid", "Process ID", int.from_bytes(buf[26:28], "little")),
        Field("mid", "Multiplex ID", int.from_bytes(buf[30:32], "little")),
    ]
    if b"\\MAILSLOT\\BROWSE" in buf or b"\\MAILSLOT\\LANMAN" in buf:
        rest = d.add_header(buf, "smb", "SMB (Server Message Block Protocol)", 32, fields)
        return None, d.add_header(rest, "browser", "Microsoft Windows Browser Protocol", len(rest), [])
    return None, d.add_header(buf, "smb", "SMB (Server Message Block Protocol)", len(buf), fields)


# --- Frame Relay ------------------------------------------------------------------------------------------


def fr_control_width(buf: bytes, at: int, cisco: Mapping[int, str], nlpids: Set[int]) -> int:
    """For a Frame Relay frame on a DLCI other than 0 whose control byte (at ``at``) is neither UI nor XID,
    as Wireshark chooses: 0 for Cisco's encapsulation (the two bytes are a Cisco HDLC type ``cisco``
    decodes, or no NLPID follows), else the width of the RFC 2427 control field before a known NLPID
    (two bytes for an I or S frame, in extended mode; one for a U frame)."""
    if len(buf) < at + 2 or int.from_bytes(buf[at : at + 2], "big") in cisco:
        return 0
    pos = at + (buf[at] == 0)  # a padding byte before the control field
    width = 1 if buf[pos] & 0x03 == 0x03 else 2
    nlpid_at = pos + width
    if nlpid_at < len(buf) and buf[nlpid_at] in nlpids:
        return nlpid_at - at
    return 0


DECODERS: DecoderTable = {
    "cmd": ("cmd", "a Cisco MetaData header", _cmd),
    "cmd_gre": ("cmd", "a Cisco MetaData header", _cmd_gre),
    "nsh": ("nsh", "a Network Service Header", _nsh),
    "cfm": ("cfm", "a CFM PDU", _cfm),
    "gnw": ("gnw", "a GeoNetworking packet", _gnw),
    "tipc": ("tipc", "a TIPC message", _tipc),
    "telnet": ("telnet", "a Telnet segment", _telnet),
    "netbios": ("netbios", "a NetBIOS frame", _netbios),
    "db-lsp-disc": ("db-lsp-disc", "a Dropbox LAN sync discovery message", _db_lsp_disc),
    "whois": ("whois", "a WHOIS message", _whois),
}

__all__ = [
    "DECODERS",
    "NETBIOS_SAP",
    "NOVELL_RAW",
    "NSH_NEXT",
    "SCTP_PORTS",
    "SCTP_PPIDS",
    "ipx_next",
    "sctp_data",
    "smb",
]
