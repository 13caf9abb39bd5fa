"""What tcpdump 4.99's one-line output prints after a TCP segment's ``length N`` for the applications it
decodes by port (print-tcp.c's port tests; :mod:`pycapture.decode.lean_tcp` picks the printer).

Without -v most of them name themselves (``: BGP``, ``: OpenFlow``, ``, RPKI-RTR``) or print a first line
(SSH's version banner, the first text line of WHOIS, SMTP, FTP), PPTP its control message's fields, RESP
its items. Each reads the payload as tcpdump does: where tcpdump's read passes the end of the capture, its
`` [|proto]`` ends the line. OpenFlow's messages (tcpdump prints one a line, below) are not printed.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable

from ...decode.lean import http_first_line, printable_text
from .misc_protocols import telnet_text

_SSH_LINE = re.compile(rb"[\x20-\x7e]*")
_LDP_VERSION = 1
_LDP_HEADERS = 10 + 8  # what ldp_print wants more of before it reads a PDU: common and message headers


def _bgp(payload: bytes, length: int) -> str:
    return ": BGP"  # print-bgp.c reads on with -v only


def _openflow(payload: bytes, length: int) -> str:
    # each message follows on a line of its own ("\n\tversion 1.0, type HELLO, ..."); not printed here
    return ": OpenFlow" if payload else ": OpenFlow [|openflow]"


def _rpki_rtr(payload: bytes, length: int) -> str:
    return ", RPKI-RTR"


def _text_protocol(name: str) -> Callable[[bytes, int], str]:
    """txtproto_print without -v, for a protocol of text lines only (WHOIS, SMTP, FTP): the protocol's
    name in capitals, then the first line."""

    def printer(payload: bytes, length: int) -> str:
        line, cut = http_first_line(payload, 0, length, len(payload))
        return f": {name.upper()}" + ("" if line is None else f": {line}") + (f" [|{name}]" if cut else "")

    return printer


def _ssh(payload: bytes, length: int) -> str:
    """print-ssh.c: the version banner, ``SSH-`` and printable ASCII up to CR LF or LF, when it is one."""
    for i, c in enumerate(b"SSH-"):
        if i >= len(payload):  # tcpdump reads the first four bytes past the payload's length too
            return " [|ssh]"
        if payload[i] != c:
            return ""
    end = min(length, len(payload))
    j = _SSH_LINE.match(payload, 4, end).end()  # type: ignore[union-attr]  # matches the empty string
    if j >= length:
        return ""
    if j >= end:
        return " [|ssh]"
    if payload[j] == 10:
        return f": SSH: {payload[:j].decode('ascii')}"
    if payload[j] == 13:
        if j + 1 >= length:
            return ""
        if j + 1 >= len(payload):
            return " [|ssh]"
        if payload[j + 1] == 10:
            return f": SSH: {payload[:j].decode('ascii')}"
    return ""


def _ldp(payload: bytes, length: int) -> str:
    """print-ldp.c without -v: the first PDU's common header (print-tcp.c prints no colon before it)."""
    if length <= _LDP_HEADERS:
        return ""
    if len(payload) < 10:
        return " [|ldp]"
    version = int.from_bytes(payload[:2], "big")
    if version != _LDP_VERSION:
        return f"LDP version {version} packet not supported"
    pdu_length = int.from_bytes(payload[2:4], "big")
    if pdu_length < 6:
        return f"LDP, pdu-length: {pdu_length} (too short, < 6)"
    lsr = socket.inet_ntoa(payload[4:8])
    return f"LDP, Label-Space-ID: {lsr}:{int.from_bytes(payload[8:10], 'big')}, pdu-length: {pdu_length}"


class _Cut(Exception):
    """A read past the end of the capture: tcpdump's `` [|proto]`` ends the line."""


_PPTP_MAGIC = 0x1A2B3C4D
_PPTP_TYPES = ("NOT_DEFINED", "SCCRQ", "SCCRP", "StopCCRQ", "StopCCRP", "ECHORQ", "ECHORP", "OCRQ", "OCRP",
               "ICRQ", "ICRP", "ICCN", "CCRQ", "CDN", "WEN", "SLI")  # fmt: skip
_PPTP_BEARER_TYPES = {1: "A", 2: "D", 3: "Any"}
_PPTP_FRAMING_TYPES = {1: "A", 2: "S", 3: "E"}

# print-pptp.c's fields of each control message, in its order: (kind, offset[, label[, size]]) from the
# end of the 12-byte header. Kinds: u16/u32 "LABEL(n)", x32 "LABEL(0x%08x)", res1/res2 a reserved field
# (printed when not zero), ver, result, err, reason, fcap/bcap (capabilities), btype/ftype (types), str
# a NUL-ended string of at most ``size`` bytes or of the length the 16-bit field at ``-size`` holds (max 64).
_PPTP_FIELDS: dict[int, tuple[tuple, ...]] = {
    1: (("ver", 0), ("res2", 2), ("fcap", 4), ("bcap", 8), ("u16", 12, "MAX_CHAN"), ("u16", 14, "FIRM_REV"),
        ("str", 16, "HOSTNAME", 64), ("str", 80, "VENDOR", 64)),
    2: (("ver", 0), ("result", 2), ("err", 3), ("fcap", 4), ("bcap", 8), ("u16", 12, "MAX_CHAN"),
        ("u16", 14, "FIRM_REV"), ("str", 16, "HOSTNAME", 64), ("str", 80, "VENDOR", 64)),
    3: (("reason", 0), ("res1", 1), ("res2", 2)),
    4: (("result", 0), ("err", 1), ("res2", 2)),
    5: (("u32", 0, "ID"),),
    6: (("u32", 0, "ID"), ("result", 4), ("err", 5), ("res2", 6)),
    7: (("u16", 0, "CALL_ID"), ("u16", 2, "CALL_SER_NUM"), ("u32", 4, "MIN_BPS"), ("u32", 8, "MAX_BPS"),
        ("btype", 12), ("ftype", 16), ("u16", 20, "RECV_WIN"), ("u16", 22, "PROC_DELAY"),
        ("u16", 24, "PHONE_NO_LEN"), ("res2", 26), ("str", 28, "PHONE_NO", -24),
        ("str", 92, "SUB_ADDR", 64)),
    8: (("u16", 0, "CALL_ID"), ("u16", 2, "PEER_CALL_ID"), ("result", 4), ("err", 5),
        ("u16", 6, "CAUSE_CODE"), ("u32", 8, "CONN_SPEED"), ("u16", 12, "RECV_WIN"),
        ("u16", 14, "PROC_DELAY"), ("u32", 16, "PHY_CHAN_ID")),
    9: (("u16", 0, "CALL_ID"), ("u16", 2, "CALL_SER_NUM"), ("btype", 4), ("u32", 8, "PHY_CHAN_ID"),
        ("u16", 12, "DIALED_NO_LEN"), ("u16", 14, "DIALING_NO_LEN"), ("str", 16, "DIALED_NO", -12),
        ("str", 80, "DIALING_NO", -14), ("str", 144, "SUB_ADDR", 64)),
    10: (("u16", 0, "CALL_ID"), ("u16", 2, "PEER_CALL_ID"), ("result", 4), ("err", 5), ("u16", 6, "RECV_WIN"),
         ("u16", 8, "PROC_DELAY"), ("res2", 10)),
    11: (("u16", 0, "PEER_CALL_ID"), ("res2", 2), ("u32", 4, "CONN_SPEED"), ("u16", 8, "RECV_WIN"),
         ("u16", 10, "PROC_DELAY"), ("ftype", 12)),
    12: (("u16", 0, "CALL_ID"), ("res2", 2)),
    13: (("u16", 0, "CALL_ID"), ("result", 2), ("err", 3), ("u16", 4, "CAUSE_CODE"), ("res2", 6),
         ("str", 8, "CALL_STATS", 128)),
    14: (("u16", 0, "PEER_CALL_ID"), ("res2", 2), ("u32", 4, "CRC_ERR"), ("u32", 8, "FRAMING_ERR"),
         ("u32", 12, "HARDWARE_OVERRUN"), ("u32", 16, "BUFFER_OVERRUN"), ("u32", 20, "TIMEOUT_ERR"),
         ("u32", 24, "ALIGN_ERR")),
    15: (("u16", 0, "PEER_CALL_ID"), ("res2", 2), ("x32", 4, "SEND_ACCM"), ("x32", 8, "RECV_ACCM")),
}  # fmt: skip


def _pptp_field(payload: bytes, base: int, field: tuple, out: list[str]) -> None:
    """Append one field of a PPTP control message as print-pptp.c prints it without -v."""

    def get(at: int, size: int) -> int:
        if base + at + size > len(payload):
            raise _Cut
        return int.from_bytes(payload[base + at : base + at + size], "big")

    kind, at = field[0], field[1]
    if kind == "u16" or kind == "u32":
        out.append(f" {field[2]}({get(at, 2 if kind == 'u16' else 4)})")
    elif kind == "x32":
        out.append(f" {field[2]}(0x{get(at, 4):08x})")
    elif kind == "res1" or kind == "res2":
        value = get(at, 1 if kind == "res1" else 2)
        if value:
            out.append(f" [ERROR: reserved={value} must be zero]")
    elif kind == "ver":
        value = get(at, 2)
        out.append(f" PROTO_VER({value >> 8}.{value & 0xFF})")
    elif kind == "result" or kind == "err" or kind == "reason":
        word = {"result": "RESULT_CODE", "err": "ERR_CODE", "reason": "REASON"}[kind]
        out.append(f" {word}({get(at, 1)})")
    elif kind == "fcap":
        out.append(" FRAME_CAP(")  # printed before the value is read
        value = get(at, 4)
        out[-1] += f"{'A' if value & 1 else ''}{'S' if value & 2 else ''})"
    elif kind == "bcap":
        value = get(at, 4)
        out.append(f" BEARER_CAP({'D' if value & 2 else ''}{'A' if value & 1 else ''})")
    elif kind == "btype":
        out.append(f" BEARER_TYPE({_PPTP_BEARER_TYPES.get(get(at, 4), '?')})")
    elif kind == "ftype":
        out.append(f" FRAME_TYPE({_PPTP_FRAMING_TYPES.get(get(at, 4), '?')})")
    else:  # str: nd_printjnp, which prints up to the NUL, the size or the capture's end
        size = field[3] if field[3] > 0 else min(64, get(-field[3], 2))
        out.append(f" {field[2]}(")
        start = base + at
        text = payload[start : start + size]
        nul = text.find(b"\0")
        if nul >= 0:
            text = text[:nul]
        out.append(printable_text(text))
        if nul < 0 and start + size > len(payload):
            raise _Cut
        out.append(")")


def _pptp(payload: bytes, length: int) -> str:
    """print-pptp.c without -v: ``: pptp CTRL_MSGTYPE=SCCRQ PROTO_VER(1.0) ...``."""
    out = [": pptp"]
    try:
        if len(payload) < 8:
            raise _Cut
        magic = int.from_bytes(payload[4:8], "big")
        if magic != _PPTP_MAGIC:
            out.append(f" UNEXPECTED Magic-Cookie!!({magic:08x}) Magic-Cookie={magic:08x}")
        if len(payload) < 10:
            raise _Cut
        kind = int.from_bytes(payload[8:10], "big")
        out.append(
            f" CTRL_MSGTYPE={_PPTP_TYPES[kind]}"
            if kind < len(_PPTP_TYPES)
            else f" UNKNOWN_CTRL_MSGTYPE({kind})"
        )
        _pptp_field(payload, 0, ("res2", 10), out)
        for field in _PPTP_FIELDS.get(kind, ()):
            _pptp_field(payload, 12, field, out)
    except _Cut:
        out.append(" [|pptp]")
    return "".join(out)


_INT_MAX = 0x7FFFFFFF
_RESP_LENGTH_WORDS = {-1: " null", -3: " length too large", -4: " length negative and not -1"}


class _Resp:
    """print-resp.c's reading of a payload (``buf``, what the capture holds): each item it prints is
    appended to ``out``; a read past the capture or past the item's length raises :class:`_Cut`."""

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.out: list[str] = []

    def byte(self, at: int) -> int:
        if at >= len(self.buf):
            raise _Cut
        return self.buf[at]

    def segment(self, at: int, size: int) -> None:
        """RESP_PRINT_SEGMENT: `` "text"``, as far as the capture goes."""
        self.out.append(' "' + printable_text(self.buf[at : at + size]))
        if at + size > len(self.buf):
            raise _Cut
        self.out.append('"')

    def find_crlf(self, at: int, left: int) -> tuple[int, int]:
        while True:
            if left < 2 or at + 2 > len(self.buf):
                raise _Cut
            if self.buf[at] == 13 and self.buf[at + 1] == 10:
                return at, left
            at, left = at + 1, left - 1

    def consume_cr_or_lf(self, at: int, left: int) -> tuple[int, int]:
        found = False
        while True:
            if left == 0 or at >= len(self.buf):
                if found:
                    return at, left
                raise _Cut
            if self.buf[at] not in (10, 13):
                return at, left
            found = True
            at, left = at + 1, left - 1

    def length(self, at: int, left: int) -> tuple[int, int]:
        """resp_get_length: (value or -1 null, -2 cut, -3 too large, -4 negative, -5 invalid; where it
        stopped reading)."""
        if left == 0:
            return -2, at
        neg = self.byte(at) == 0x2D  # "-"
        if neg:
            at, left = at + 1, left - 1
        result, digits, too_large = 0, False, False
        while True:
            if left == 0:
                return -2, at
            c = self.byte(at)
            if not 0x30 <= c <= 0x39:
                if not digits:
                    return -5, at + 1
                break
            c -= 0x30
            if result > _INT_MAX // 10:
                too_large = True
            else:
                result *= 10
                if result == (_INT_MAX // 10) * 10 and c > _INT_MAX % 10:
                    too_large = True
                else:
                    result += c
            at, left, digits = at + 1, left - 1, True
        if self.byte(at) != 13:
            return -5, at + 1
        at, left = at + 1, left - 1
        if left == 0:
            return -2, at
        if self.byte(at) != 10:
            return -5, at + 1
        at += 1
        if neg:
            return (-4 if too_large or result != 1 else -1), at
        return (-3 if too_large else result), at

    def item(self, at: int, length: int) -> int:
        """resp_parse: print the item at ``at`` of at most ``length`` bytes; the bytes it took."""
        if length < 1:
            raise _Cut
        op = self.byte(at)
        if op in (0x2B, 0x2D, 0x3A):  # "+" simple string, "-" error, ":" integer
            end, _left = self.find_crlf(at + 1, length - 1)
            self.segment(at + 1, end - at - 1)
            return end - at + 2
        if op in (0x24, 0x2A):  # "$" bulk string, "*" array
            value, after = self.length(at + 1, length - 1)
            left = length - (after - at)
            if value == -2:
                raise _Cut
            if value > 0 and op == 0x2A:
                for _ in range(value):
                    took = self.item(after, left)
                    after, left = after + took, left - took
            elif value >= 0 and op == 0x24:
                if value == 0:
                    self.out.append(" empty")
                else:
                    if left < value or after + value > len(self.buf):
                        raise _Cut
                    self.segment(after, value)
                    after, left = after + value, left - value
                after, left = self.find_crlf(after, left)
                left -= 2
            else:
                self.out.append(" empty" if value == 0 else _RESP_LENGTH_WORDS.get(value, " invalid"))
            return length - left
        start, left = self.consume_cr_or_lf(at, length)  # inline: a line of words
        end = start
        while True:
            if left < 1:
                raise _Cut
            if self.byte(end) in (10, 13):
                break
            end, left = end + 1, left - 1
        self.segment(start, end - start)
        _end, left = self.consume_cr_or_lf(end, left)
        return length - left


def _resp(payload: bytes, length: int) -> str:
    """print-resp.c: ``: RESP`` and each item of the payload, ``"set" "k" "v"``, null, empty..."""
    reader = _Resp(payload)
    at = 0
    try:
        while length > 0:
            took = reader.item(at, length)
            at, length = at + took, length - took
    except _Cut:
        reader.out.append(" [|resp]")
    except RecursionError:  # arrays nested deeper than Python's stack: tcpdump reads on; not here
        reader.out.append(" [|resp]")
    return ": RESP" + "".join(reader.out)


_PRINTERS: dict[str, Callable[[bytes, int], str]] = {
    "bgp": _bgp,
    "openflow": _openflow,
    "rpki-rtr": _rpki_rtr,
    "whois": _text_protocol("whois"),
    "smtp": _text_protocol("smtp"),
    "ftp": _text_protocol("ftp"),
    "ssh": _ssh,
    "ldp": _ldp,
    "pptp": _pptp,
    "resp": _resp,
    "telnet": telnet_text,
}


def tcp_app_text(name: str, payload: bytes, length: int) -> str:
    """The text after ``length N`` of a payload of ``length`` bytes (``payload``: what the capture holds
    of it) for the printer ``name`` (numbers.TCPDUMP_TCP_PRINTERS' names); "" for a printer not here."""
    printer = _PRINTERS.get(name)
    return printer(payload, length) if printer is not None else ""


__all__ = ["tcp_app_text"]
