"""tcpdump 4.99's one-line text (without -v) of a few protocols above the link layer.

GeoNetworking and CALM FAST (print-geonet.c, print-calm-fast.c) and TIPC (print-tipc.c), carried by an
Ethernet type; LMP (print-lmp.c) and MPLS (print-mpls.c) over UDP; ICMPv6 router renumbering
(print-icmp6.c's icmp6_rrenum_print). The Ethernet printers take ether_protocols.py's bounds-checked
reader (whose reads end the line with `` [|proto]`` where the capture is cut); the others take the
captured bytes and return the text.
"""

from __future__ import annotations

import re
import socket
from typing import Callable, Protocol

from ...decode.lean import printable_text


class EtherReader(Protocol):
    """What these printers read of ether_protocols.py's reader."""

    addresses: tuple[bytes, bytes] | None
    proto: str

    def need(self, at: int, size: int) -> None: ...
    def u8(self, at: int) -> int: ...
    def be(self, at: int, size: int) -> int: ...
    def raw(self, at: int, size: int) -> bytes: ...


EtherPrinter = Callable[[EtherReader, int, list[str]], None]

LOW_ETHERTYPE_NAMES = {0x00FE: "GRE-OSI", 0x0200: "PUP", 0x0500: "Sprite"}
"""tcpdump's ethertype_values below 0x0600 (numbers.TCPDUMP_ETHERTYPE_NAMES holds those above), which
GRE's -e text names."""


def _source(r: EtherReader) -> str:
    """The Ethernet source address tcpdump's printer is handed (none without an Ethernet header)."""
    return r.addresses[0].hex(":") if r.addresses is not None else ""


# --- GeoNetworking (print-geonet.c) ----------------------------------------------------------------------

_GEONET_NEXT = {0: "Any", 1: "BTP-A", 2: "BTP-B", 3: "IPv6"}
_GEONET_TYPES = {
    (0, None): "Any", (1, None): "Beacon", (2, None): "GeoUnicast",
    (3, 0): "GeoAnycastCircle", (3, 1): "GeoAnycastRect", (3, 2): "GeoAnycastElipse",
    (4, 0): "GeoBroadcastCircle", (4, 1): "GeoBroadcastRect", (4, 2): "GeoBroadcastElipse",
    (5, 0): "TopoScopeBcast-SH", (5, 1): "TopoScopeBcast-MH",
    (6, 0): "LocService-Request", (6, 1): "LocService-Reply",
}  # fmt: skip
# the extended header's size where tcpdump knows it (and then reads the BTP header after it)
_GEONET_EXTENDED = {(0, None): 0, (1, None): 0, (5, 0): 0, (5, 1): 68 - 36}
_GEONET_COMMON = 36
_ITS_MESSAGES = {
    0: "CAM", 1: "DENM", 101: "TPEGM", 102: "TSPDM", 103: "VPM", 104: "SRM", 105: "SLAM", 106: "ecoCAM",
    107: "ITM", 150: "SA",
}  # fmt: skip


def _geonet_key(kind: int, subtype: int) -> tuple[int, int | None]:
    return (kind, None) if kind in (0, 1, 2) else (kind, subtype)


def geonet(r: EtherReader, length: int, o: list[str]) -> None:
    """print-geonet.c's geonet_print: the common header, then a BTP header's ports and ITS PDU header."""
    r.proto = "geonet"
    source = _source(r)
    o.append("GeoNet " + (f"src:{source}" if source else "") + "; ")
    if length < _GEONET_COMMON:
        o.append(f" (common header length {length} < 36) (invalid)")
        return
    first, second, payload, hops = r.u8(0), r.u8(1), r.be(4, 2), r.u8(7)
    next_header, kind, subtype = first & 0x0F, second >> 4, second & 0x0F
    key = _geonet_key(kind, subtype)
    o.append(f"v:{first >> 4} NH:{next_header}-{_GEONET_NEXT.get(next_header, 'Unknown')} ")
    o.append(f"HT:{kind}-{subtype}-{_GEONET_TYPES.get(key, 'Unknown')} HopLim:{hops} Payload:{payload} ")
    o.append(f"GN_ADDR:{r.raw(8, 8).hex(':')} ")
    o.append(f"lat:{r.be(20, 4)} ")
    o.append(f"lon:{r.be(24, 4)}")
    r.need(0, _GEONET_COMMON)
    length -= _GEONET_COMMON
    size = _GEONET_EXTENDED.get(key)
    if size is None:
        return
    if length < size:
        o.append(f" (header size {size} > {length}) (invalid)")
        return
    r.need(_GEONET_COMMON, size)
    at = _GEONET_COMMON + size
    length -= size
    if next_header in (1, 2):
        if length < 4:
            o.append(f" (BTP length {length} < 4) (invalid)")
            return
        o.append(f"; BTP Dst:{r.be(at, 2)}")
        o.append(f" Src:{r.be(at + 2, 2)}")
        if length - 4 >= 2:
            o.append(f"; ItsPduHeader v:{r.u8(at + 4)}")
            message = r.u8(at + 5)
            o.append(f" t:{message}-{_ITS_MESSAGES.get(message, f'unknown ({message})')}")


def calm_fast(r: EtherReader, length: int, o: list[str]) -> None:
    """print-calm-fast.c: the source and destination network references."""
    r.proto = "calm_fast"
    source = _source(r)
    o.append("CALM FAST" + (f" src:{source}" if source else "") + "; ")
    if length < 2:
        o.append(f" (length {length} < 2) (invalid)")
        r.need(0, length)
        return
    o.append(f"SrcNwref:{r.u8(0)}; ")
    o.append(f"DstNwref:{r.u8(1)}; ")


# --- TIPC (print-tipc.c) -------------------------------------------------------------------------------

_TIPC_USERS = {
    0: "Low Importance Data payload", 1: "Medium Importance Data payload",
    2: "High Importance Data payload", 3: "Critical Importance Data payload",
    5: "Broadcast Link Protocol internal", 6: "Message Bundler Protocol internal",
    7: "Link State Protocol internal", 8: "Connection Manager internal",
    10: "Link Changeover Protocol internal", 11: "Name Table Update Protocol internal",
    12: "Message Fragmentation Protocol internal", 13: "Neighbor Detection Protocol internal",
}  # fmt: skip
# print-tipc.c's table, whose names 1 and 3 are swapped
_TIPC_MESSAGE_TYPES = {0: "CONN_MSG", 1: "MCAST_MSG", 2: "NAMED_MSG", 3: "DIRECT_MSG"}
_TIPC_LINK_CONFIG_TYPES = {0: "Link request", 1: "Link response"}
_TIPC_PAYLOAD_USERS = frozenset((0, 1, 2, 3, 11, 8))
_TIPC_INTERNAL_USERS = frozenset((5, 6, 7, 10, 12))
_TIPC_LINK_CONFIG = 13


def _tipc_node(address: int) -> str:
    return f"{address >> 24 & 0xFF}.{address >> 12 & 0xFFF}.{address & 0xFFF}"


def tipc(r: EtherReader, length: int, o: list[str]) -> None:
    """print-tipc.c's tipc_print: a data, internal or neighbour-detection message's header."""
    r.proto = "tipc"
    w0 = r.be(0, 4)
    user = w0 >> 25 & 0x0F
    if user not in _TIPC_USERS:
        return
    version, hsize, msize = w0 >> 29, (w0 >> 21 & 0x0F) * 4, w0 & 0x1FFFF
    w1 = r.be(4, 4)
    mtype = w1 >> 29
    sizes = f", headerlength {hsize} bytes, MessageSize {msize} bytes, {_TIPC_USERS[user]}, messageType "
    if user in _TIPC_PAYLOAD_USERS:
        prev_node, orig_port, dest_port = r.be(12, 4), r.be(16, 4), r.be(20, 4)
        kind = _TIPC_MESSAGE_TYPES.get(mtype, "Unknown")
        if hsize <= 24:
            o.append(f"TIPC v{version}.0 {_tipc_node(prev_node)}:{orig_port} > {dest_port}{sizes}{kind}")
        else:
            orig_node, dest_node = r.be(24, 4), r.be(28, 4)
            ends = f"{_tipc_node(orig_node)}:{orig_port} > {_tipc_node(dest_node)}:{dest_port}"
            o.append(f"TIPC v{version}.0 {ends}{sizes}{kind}")
    elif user == _TIPC_LINK_CONFIG:
        dest_domain, prev_node = r.be(8, 4), r.be(12, 4)
        kind = _TIPC_LINK_CONFIG_TYPES.get(mtype, "Unknown")
        o.append(f"TIPC v{version}.0 {_tipc_node(prev_node)} > {_tipc_node(dest_domain)}{sizes}{kind}")
    else:
        orig_node, dest_node = r.be(24, 4), r.be(28, 4)
        kind = _TIPC_MESSAGE_TYPES.get(mtype, "Unknown")
        ends = f"{_tipc_node(orig_node)} > {_tipc_node(dest_node)}"
        o.append(f"TIPC v{version}.0 {ends}{sizes}{kind} (0x{w1:08x})")


MISC_ETHER_PRINTERS: dict[str, EtherPrinter] = {"geonet": geonet, "calm-fast": calm_fast, "tipc": tipc}
"""ether_protocols.py's printers of the layers decode/lean_misc.py names."""


# --- LMP (print-lmp.c) and MPLS over UDP ---------------------------------------------------------------

_LMP_MESSAGES = {
    1: "Config", 2: "Config ACK", 3: "Config NACK", 4: "Hello", 5: "Begin Verify", 6: "Begin Verify ACK",
    7: "Begin Verify NACK", 8: "End Verify", 9: "End Verify ACK", 10: "Test", 11: "Test Status Success",
    12: "Test Status Failure", 13: "Test Status ACK", 14: "Link Summary", 15: "Link Summary ACK",
    16: "Link Summary NACK", 17: "Channel Status", 18: "Channel Status ACK", 19: "Channel Status Request",
    20: "Channel Status Response", 50: "Service Config", 51: "Service Config ACK",
    52: "Service Config NACK",
}  # fmt: skip
_LMP_HEADER = 8


def lmp_text(payload: bytes, length: int, _inner: Callable[[int], str] | None) -> str:
    """print-lmp.c without -v: the version and the message type."""
    if len(payload) < _LMP_HEADER:
        return " [|lmp]"
    version = payload[0] >> 4
    if version != 1:
        return f"LMP version {version} packet not supported"
    kind = payload[3]
    return f"LMPv{version} {_LMP_MESSAGES.get(kind, f'unknown ({kind})')} Message, length: {length}"


def mpls_udp_text(_payload: bytes, length: int, inner: Callable[[int], str] | None) -> str:
    """print-udp.c's mpls_print of the payload of port 6635: the label stack's line (lean_misc decoded
    its layers; ``inner`` writes them)."""
    return inner(length) if inner is not None else ""


MISC_UDP_PRINTERS: dict[str, Callable[[bytes, int, Callable[[int], str] | None], str]] = {
    "lmp": lmp_text,
    "mpls": mpls_udp_text,
}
"""udp_apps.py's printers of these UDP applications: (payload, UDP length, the carried layers' line)."""


# --- ICMPv6 router renumbering (print-icmp6.c's icmp6_rrenum_print) ----------------------------------

_RR_CODES = {0: "command", 1: "result", 255: "sequence number reset"}
_RR_MATCH_CODES = {1: "add", 2: "change", 3: "setglobal"}
_RR_HEADER, _RR_MATCH, _RR_USE = 16, 24, 32


def _ip6(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET6, raw)


def icmp6_rrenum_text(raw: bytes, length: int) -> str:
    """What follows ``ICMP6, router renumbering`` for the message whose captured bytes (to the IP length)
    are ``raw``: its code, sequence number, and a command's match and use prefixes, then the length."""
    tail = f", length {length}"
    if len(raw) < _RR_HEADER:
        return " [|icmp6]" + tail
    code = raw[1]
    text = f", {_RR_CODES.get(code, f'code-#{code}')}, seq={int.from_bytes(raw[4:8], 'big')}"
    if code != 0:
        return text + tail
    at = _RR_HEADER
    if len(raw) < at + _RR_MATCH:
        return text + " [|icmp6]" + tail
    match = raw[at : at + _RR_MATCH]
    text += f" match({_RR_MATCH_CODES.get(match[0], f'#{match[0]}')},{_ip6(match[8:24])}/{match[3]})"
    words = match[1] - 3
    if words < 0 or words % 4:
        return text + " [|icmp6]" + tail
    at += _RR_MATCH
    for _ in range(words // 4):
        if len(raw) < at + _RR_USE:
            return text + " [|icmp6]" + tail
        use = raw[at : at + _RR_USE]
        flags = use[12]
        marks = ("V" if flags & 0x80 else "") + ("P" if flags & 0x40 else "") + "," if flags else ""
        text += f" use({marks}{_ip6(use[16:32])}/{use[0]}/{use[1]})"
        at += _RR_USE
    return text + tail


# --- Telnet (print-telnet.c) ---------------------------------------------------------------------------

_IAC, _SB, _SE = 255, 250, 240
_TEL_FIRST = 236  # xEOF, the first command telcmds names
_TEL_COMMANDS = (
    "EOF", "SUSP", "ABORT", "EOR", "SE", "NOP", "DMARK", "BRK", "IP", "AO", "AYT", "EC", "EL", "GA", "SB",
    "WILL", "WONT", "DO", "DONT", "IAC",
)  # fmt: skip
_TEL_OPTIONS = (
    "BINARY", "ECHO", "RCP", "SUPPRESS GO AHEAD", "NAME", "STATUS", "TIMING MARK", "RCTE", "NAOL", "NAOP",
    "NAOCRD", "NAOHTS", "NAOHTD", "NAOFFD", "NAOVTS", "NAOVTD", "NAOLFD", "EXTEND ASCII", "LOGOUT",
    "BYTE MACRO", "DATA ENTRY TERMINAL", "SUPDUP", "SUPDUP OUTPUT", "SEND LOCATION", "TERMINAL TYPE",
    "END OF RECORD", "TACACS UID", "OUTPUT MARKING", "TTYLOC", "3270 REGIME", "X.3 PAD", "NAWS", "TSPEED",
    "LFLOW", "LINEMODE", "XDISPLOC", "OLD-ENVIRON", "AUTHENTICATION", "ENCRYPT", "NEW-ENVIRON",
)  # fmt: skip
_TEL_AUTHENTICATION, _TEL_ENCRYPT = 37, 38
_TEL_QUALIFIERS = ("IS", "SEND", "INFO")
_TEL_AUTH_COMMANDS = ("IS", "SEND", "REPLY", "NAME")
_TEL_AUTH_TYPES = (
    "NULL", "KERBEROS_V4", "KERBEROS_V5", "SPX", "MINK", "SRP", "RSA", "SSL", None, None, "LOKI", "SSA",
    "KEA_SJ", "KEA_SJ_INTEG", "DSS", "NTLM",
)  # fmt: skip
_TEL_ENCRYPT_COMMANDS = (
    "IS", "SUPPORT", "REPLY", "START", "END", "REQUEST-START", "REQUEST-END", "END_KEYID", "DEC_KEYID",
)  # fmt: skip
_TEL_ENCRYPT_TYPES = (
    "NULL", "DES_CFB64", "DES_OFB64", "DES3_CFB64", "DES3_OFB64", None, "CAST5_40_CFB64", "CAST5_40_OFB64",
    "CAST128_CFB64", "CAST128_OFB64",
)  # fmt: skip
_U32 = 1 << 32


class _Cut(Exception):
    """The capture ends before a byte the printer reads (tcpdump's `` [|proto]``)."""


def _hex(value: int) -> str:
    """C's ``%#x``: no prefix for zero."""
    return f"{value:#x}" if value else "0"


def _name(value: int, table: tuple[str | None, ...]) -> str:
    """print-telnet.c's STR_OR_ID."""
    name = table[value] if value < len(table) else None
    return name if name is not None else _hex(value)


def _telnet_command(data: bytes, at: int, length: int, out: list[str] | None) -> int:
    """print-telnet.c's telnet_parse of the command at ``at`` (``length`` bytes left of the payload):
    its size, or -1 where it is not one; its text goes to ``out`` when given."""

    def get(pos: int) -> int:
        if pos >= len(data):
            raise _Cut
        return data[pos]

    start, left = at, length

    def fetch() -> int | None:
        nonlocal at, left
        if left < 1:
            return None
        value = get(at)
        at, left = at + 1, left - 1
        return value

    if fetch() != _IAC:
        return -1
    command = fetch()
    if command is None:
        return -1
    if command == _IAC:
        if out is not None:
            out.append("IAC IAC")
        return at - start
    if command < _TEL_FIRST:
        return -1
    name = _TEL_COMMANDS[command - _TEL_FIRST]
    if command not in (254, 253, 252, 251, _SB):
        if out is not None:
            out.append(name)
        return at - start
    option = fetch()
    if option is None:
        return -1
    if out is not None:
        out.append(
            f"{name} {_TEL_OPTIONS[option]}" if option < len(_TEL_OPTIONS) else f"{name} {_hex(option)}"
        )
    if command != _SB:
        return at - start
    end = at  # the IAC SE that ends the subnegotiation, or where the payload runs out
    while left > end + 1 - at:
        if get(end) == _IAC and get(end + 1) == _SE:
            break
        end += 1
    if get(end) != _IAC:
        return -1
    tables: tuple[tuple[str | None, ...], ...] = (_TEL_QUALIFIERS,)
    if option == _TEL_AUTHENTICATION:
        tables = (_TEL_AUTH_COMMANDS, _TEL_AUTH_TYPES)
    elif option == _TEL_ENCRYPT:
        tables = (_TEL_ENCRYPT_COMMANDS, _TEL_ENCRYPT_TYPES)
    for table in tables:
        if end <= at:
            break
        value = fetch()
        if value is None:
            return -1
        if out is not None:
            out.append(f" {_name(value, table)}")
    while end > at:
        value = fetch()
        if value is None:
            return -1
        if out is not None:
            out.append(f" {_hex(value)}")
    if out is not None:
        out.append(" SE")
    return at + 2 - start


def telnet_text(payload: bytes, length: int) -> str:
    """print-telnet.c without -v: the commands that lead the segment's payload, `` [telnet ...]``."""
    out: list[str] = []
    at, first = 0, True
    try:
        while length > 0:
            if at >= len(payload):
                raise _Cut
            if payload[at] != _IAC:
                break
            size = _telnet_command(payload, at, length, None)
            if size < 0:
                break
            out.append(" [telnet " if first else ", ")
            _telnet_command(payload, at, length, out)
            first = False
            at, length = at + size, (length - size) % _U32
    except _Cut:
        return "".join(out) + " [|telnet]"
    return "".join(out) + ("" if first else "]")


# --- White Board (print-wb.c) --------------------------------------------------------------------------


def _wb_u32(data: bytes, at: int) -> int:
    if at + 4 > len(data):
        raise _Cut
    return int.from_bytes(data[at : at + 4], "big")


def _wb_ip(data: bytes, at: int) -> str:
    if at + 4 > len(data):
        raise _Cut
    return socket.inet_ntoa(data[at : at + 4])


def _wb_body(data: bytes, kind: int, at: int, length: int, out: list[str]) -> bool:
    """The text of a white board message of type ``kind`` whose body starts at ``at`` (``length`` bytes
    on the wire); False where tcpdump calls it invalid."""
    u32, ip = _wb_u32, _wb_ip
    if kind == 1:  # PT_ID: the page states, the sites' offsets, the site's name
        out.append(" wb-id:")
        if length < 28:
            return False
        out.append(
            f" {u32(data, at + 12)}/{ip(data, at + 16)}:{u32(data, at + 20)}"
            f" (max {u32(data, at)}/{ip(data, at + 4)}:{u32(data, at + 8)}) "
        )
        if at + 28 > len(data):
            raise _Cut
        ids = int.from_bytes(data[at + 24 : at + 26], "big")
        left = length - 28
        if left < 8 * ids:
            return False
        left -= 8 * ids
        mark, pos = "<", at + 28
        for _ in range(ids):
            out.append(f"{mark}{ip(data, pos)}:{u32(data, pos + 4)}")
            mark, pos = ",", pos + 8
        out.append('> "')
        name = data[pos : pos + left].split(b"\0", 1)[0]  # nd_printjnp: to a NUL or the length
        out.append(printable_text(name))
        if b"\0" not in data[pos : pos + left] and pos + left > len(data):
            raise _Cut
        out.append('"')
    elif kind == 2:  # PT_RREQ
        out.append(" wb-rreq:")
        if length < 20:
            return False
        out.append(
            f" please repair {ip(data, at)} {ip(data, at + 4)}:{u32(data, at + 8)}"
            f"<{u32(data, at + 12)}:{u32(data, at + 16)}>"
        )
    elif kind == 3:  # PT_RREP
        out.append(" wb-rrep:")
        if length < 20:
            return False
        page = f"{ip(data, at + 4)}:{u32(data, at + 8)}<{u32(data, at + 12)}:{u32(data, at + 16)}>"
        out.append(f" for {ip(data, at)} {page}")
    elif kind == 0:  # PT_DRAWOP
        out.append(" wb-dop:")
        if length < 16:
            return False
        out.append(f" {ip(data, at)}:{u32(data, at + 4)}<{u32(data, at + 8)}:{u32(data, at + 12)}>")
    elif kind == 5:  # PT_PREQ
        out.append(" wb-preq:")
        if length < 16:
            return False
        out.append(f" need {u32(data, at + 8)}/{ip(data, at)}:{u32(data, at + 4)}")
        if at + 16 > len(data):
            raise _Cut
    elif kind == 7:  # PT_PREP: page states until the count or the capture runs out
        out.append(" wb-prep:")
        if length < 4:
            return False
        count, pos = u32(data, at), at + 4
        while count:
            out.append(f" {u32(data, pos)}/{ip(data, pos + 4)}:{u32(data, pos + 8)}")
            if pos + 16 > len(data):
                raise _Cut
            mark, ids, pos = "<", data[pos + 12], pos + 16
            for _ in range(ids):
                out.append(f"{mark}{ip(data, pos)}:{u32(data, pos + 4)}")
                mark, pos = ",", pos + 8
            out.append(">")
            count -= 1
    else:
        out.append(f" wb-{kind}!")
        return False
    return True


def wb_text(payload: bytes, length: int, _inner: Callable[[int], str] | None) -> str:
    """print-wb.c: a white board message (UDP destination port 4567) without -v."""
    if length < 12:
        return " (invalid)"
    if len(payload) < 12:
        return " [|wb]"
    out: list[str] = ["*"] if payload[11] else []
    kind = payload[10]
    if kind == 4:  # PT_KILL
        return "".join(out) + " wb-kill"
    try:
        valid = _wb_body(payload, kind, 12, length - 12, out)
    except _Cut:
        return "".join(out) + " [|wb]"
    return "".join(out) + ("" if valid else " (invalid)")


MISC_UDP_PRINTERS["wb"] = wb_text


# --- Zephyr (print-zephyr.c) ---------------------------------------------------------------------------

_Z_TYPES = ("unsafe", "unacked", "acked", "hm-ack", "hm-ctl", "serv-ack", "serv-nak", "client-ack", "stat")
_Z_SERVACK = 5
_Z_FIELDS = (
    "numfields", "kind", "uid", "port", "auth", "authlen", "authdata", "class", "inst", "opcode", "sender",
    "recipient", "format", "cksum", "multi", "multi_uid",
)  # fmt: skip
_Z_BUFFER = 255  # print-zephyr.c's z_buf holds 255 characters and a NUL
_Z_SUBSCRIPTIONS = (b"SUBSCRIBE", b"SUBSCRIBE_NODEFS", b"UNSUBSCRIBE")
_Z_EXPOSURES = (b"NONE", b"OPSTAFF", b"REALM-VISIBLE", b"REALM-ANNOUNCED", b"NET-VISIBLE", b"NET-ANNOUNCED")
_Z_REALM = {
    b"ADD_SUBSCRIBE": " realm add-subs", b"REQ_SUBSCRIBE": " realm req-subs",
    b"RLM_SUBSCRIBE": " realm rlm-sub", b"RLM_UNSUBSCRIBE": " realm rlm-unsub",
}  # fmt: skip


class _ZephyrFields:
    """print-zephyr.c's parse_field over a message: NUL-terminated fields, in turn."""

    def __init__(self, data: bytes, length: int) -> None:
        self.data, self.at, self.left = data, 0, length

    def next(self) -> bytes | None:
        """The next field, or None where the message ends before its NUL."""
        start = self.at
        while True:
            if self.left <= 0:
                return None
            if self.at >= len(self.data):
                raise _Cut
            if not self.data[self.at]:
                break
            self.at, self.left = self.at + 1, self.left - 1
        self.at, self.left = self.at + 1, self.left - 1
        return self.data[start : self.at - 1]


def _strtol16(text: bytes) -> int:
    """C's ``(int) strtol(text, 0, 16)``."""
    match = re.match(rb"[ \t\n\v\f\r]*([+-]?)(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]*)", text)
    assert match is not None  # every part of the pattern may be empty
    value = int(match.group(2) or b"0", 16)
    value = -value if match.group(1) == b"-" else value
    value = max(-(1 << 63), min(value, (1 << 63) - 1))
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _lower(text: bytes) -> bytes:
    """str_to_lower: the first 255 characters, A-Z lowered."""
    return text[:_Z_BUFFER].lower()


def _triple(klass: bytes, inst: bytes, recipient: bytes) -> bytes:
    return (b"<" + klass + b"," + inst + b"," + (recipient or b"*") + b">")[:_Z_BUFFER]


def _zephyr(fields: _ZephyrFields, out: list[str]) -> None:
    def put(prefix: str, text: bytes) -> None:  # ZEPHYR_PRINT: fn_print_str stops at a NUL
        out.append(prefix + printable_text(text.split(b"\0", 1)[0]))

    version = fields.next()
    if version is None:
        out.append(" (invalid)")
        return
    if version[:4] != b"ZEPH":
        return
    z = {name: fields.next() for name in _Z_FIELDS}
    if any(value is None for value in z.values()):
        out.append(" (invalid)")
        return
    f = {name: value or b"" for name, value in z.items()}
    kind, klass, inst, opcode = _strtol16(f["kind"]), f["class"], f["inst"], f["opcode"]
    out.append(" zephyr")
    if version[4:7] != b"0.2":
        put(" v", version[4:])
        return
    out.append(f" {_Z_TYPES[kind]}" if 0 <= kind < len(_Z_TYPES) else f" type {kind}")
    if kind == _Z_SERVACK:
        ackdata = fields.next()
        if ackdata is not None and ackdata != b"SENT":
            put("/", _lower(ackdata))
    if f["sender"]:
        put(" ", f["sender"])
    if klass == b"USER_LOCATE":
        if opcode in (b"USER_HIDE", b"USER_UNHIDE"):
            out.append(" hide" if opcode == b"USER_HIDE" else " unhide")
        else:
            put(" locate ", inst)
        return
    if klass == b"ZEPHYR_ADMIN":
        put(" zephyr-admin ", _lower(opcode))
        return
    if klass == b"ZEPHYR_CTL":
        if inst == b"CLIENT":
            if opcode in _Z_SUBSCRIPTIONS:
                nodefs = "-nodefs" if opcode == b"SUBSCRIBE_NODEFS" else ""
                out.append(f" {'' if opcode == b'SUBSCRIBE' else 'un'}sub{nodefs}")
                if kind != _Z_SERVACK:
                    triple = [fields.next(), fields.next(), fields.next()]
                    if all(part is not None for part in triple):
                        put(" ", _triple(*(part or b"" for part in triple)))
                return
            named = {b"GIMME": " ret", b"GIMMEDEFS": " gimme-defs", b"CLEARSUB": " clear-subs"}.get(opcode)
            if named is not None:
                out.append(named)
            else:
                put(" ", _lower(opcode))
            return
        if inst == b"HM":
            put(" ", _lower(opcode))
            return
        if inst == b"REALM":
            out.append(_Z_REALM.get(opcode, ""))
            return
    if klass in (b"HM_CTL", b"WG_CTL"):
        put(" hm_ctl " if klass == b"HM_CTL" else " wg_ctl ", _lower(inst))
        put(" ", _lower(opcode))
        return
    if klass == b"HM_STAT" and inst == b"HMST_CLIENT" and opcode == b"GIMMESTATS":
        out.append(" get-client-stats")
        return
    if klass == b"LOGIN":
        if opcode == b"USER_FLUSH":
            out.append(" flush_locs")
            return
        if opcode in _Z_EXPOSURES:
            put(" set-exposure ", _lower(opcode))
            return
    put(" to ", _triple(klass, inst, f["recipient"]))
    if opcode:
        put(" op ", opcode)


def zephyr_text(payload: bytes, length: int, _inner: Callable[[int], str] | None) -> str:
    """print-zephyr.c without -v: a Zephyr notice (UDP port 2103 or 2104) by its class and opcode."""
    out: list[str] = []
    try:
        _zephyr(_ZephyrFields(payload, length), out)
    except _Cut:
        out.append(" [|zephyr]")
    return "".join(out)


MISC_UDP_PRINTERS["zephyr"] = zephyr_text


# --- EGP, Mobile IP, Sun ND, no next header (print-ip-demux.c, print-egp.c, print-mobile.c) ------------

_EGP_HEADER, _MOBILE_SIZE, _MOBILE_HEADER, _MOBILE_OSRC = 16, 8, 12, 0x0080


def _ones_complement(raw: bytes) -> int:
    """in_cksum over ``raw`` (an even number of bytes): 0 where the checksum in it is right."""
    total = sum(int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ip_misc_text(proto: int, raw: bytes, length: int) -> str:
    """The text after ``IP a > b: `` of an ``ip-misc`` layer (decode/lean_misc.py)."""
    if proto == 8:  # print-egp.c without -v
        if length < _EGP_HEADER or len(raw) < _EGP_HEADER:
            return " [|egp]"
        as_number, sequence = int.from_bytes(raw[6:8], "big"), int.from_bytes(raw[8:10], "big")
        return f"EGPv{raw[0]}, AS {as_number}, seq {sequence}, length {length}"
    if proto == 55:  # print-mobile.c without -v
        if length < _MOBILE_SIZE or len(raw) < _MOBILE_HEADER:
            return " [|mobile]"
        source = raw[1] & _MOBILE_OSRC
        text = "mobile: " + ("[S] " if source else "[] ")
        if _ones_complement(raw[: 12 if source else 8]):
            text += f" (bad checksum {int.from_bytes(raw[2:4], 'big')})"
        return text
    if proto == 59:
        return "no next header"
    if proto in (1, 2):  # over IPv6
        return f"[{'ICMP' if proto == 1 else 'IGMP'} requires IPv4] (invalid)"
    return f" nd {length}"


__all__ = [
    "LOW_ETHERTYPE_NAMES",
    "MISC_ETHER_PRINTERS",
    "MISC_UDP_PRINTERS",
    "icmp6_rrenum_text",
    "ip_misc_text",
    "telnet_text",
    "wb_text",
    "zephyr_text",
]
