"""tcpdump's L2TP (print-l2tp.c, UDP port 1701): `` l2tp:[TLS](tunnel/session)Ns=..,Nr=..`` then a
control message's AVPs or, in braces, the PPP frame of a data message.

``l2tp_text(payload, length, inner)``: ``inner(n)`` gives the line of the PPP frame of ``n`` bytes the
decoder appended as layers (decode/lean_l2tp.py), None where there are none.
"""

from __future__ import annotations

from typing import Callable

from ...decode.lean import printable_text
from ...decode.lean_l2tp import l2tp_header

_MSGTYPES = {
    1: "SCCRQ", 2: "SCCRP", 3: "SCCCN", 4: "StopCCN", 6: "HELLO", 7: "OCRQ", 8: "OCRP", 9: "OCCN",
    10: "ICRQ", 11: "ICRP", 12: "ICCN", 14: "CDN", 15: "WEN", 16: "SLI",
}  # fmt: skip
_AVPS = (
    "MSGTYPE", "RESULT_CODE", "PROTO_VER", "FRAMING_CAP", "BEARER_CAP", "TIE_BREAKER", "FIRM_VER",
    "HOST_NAME", "VENDOR_NAME", "ASSND_TUN_ID", "RECV_WIN_SIZE", "CHALLENGE", "Q931_CC", "CHALLENGE_RESP",
    "ASSND_SESS_ID", "CALL_SER_NUM", "MINIMUM_BPS", "MAXIMUM_BPS", "BEARER_TYPE", "FRAMING_TYPE",
    "PACKET_PROC_DELAY", "CALLED_NUMBER", "CALLING_NUMBER", "SUB_ADDRESS", "TX_CONN_SPEED",
    "PHY_CHANNEL_ID", "INI_RECV_LCP", "LAST_SENT_LCP", "LAST_RECV_LCP", "PROXY_AUTH_TYPE",
    "PROXY_AUTH_NAME", "PROXY_AUTH_CHAL", "PROXY_AUTH_ID", "PROXY_AUTH_RESP", "CALL_ERRORS", "ACCM",
    "RANDOM_VECTOR", "PRIVATE_GRP_ID", "RX_CONN_SPEED", "SEQ_REQUIRED",
)  # fmt: skip
_PPP_DISCON_CC = 46
_AUTH_TYPES = ("Reserved", "Textual", "CHAP", "PAP", "No Auth", "MS-CHAPv1")
_DIRECTIONS = ("global error", "at peer", "at local")
_STRINGS = frozenset((7, 8, 21, 22, 23, 30, 37))  # host and vendor names, numbers, ...: text
_OCTETS = frozenset((11, 26, 27, 28, 31, 33, 36))  # challenges, LCP CONFREQs, ...: hex
_SHORTS = frozenset((6, 9, 10, 14))
_LONGS = frozenset((15, 16, 17, 24, 25, 38))
_TOO_SHORT = "AVP too short"
# the printers whose ` [|name]` for a capture cut short ends tcpdump's line at once (its GET macros'
# longjmp), and leaves the brace open; the others return, and it is closed
_GIVE_UP = frozenset(("ppp", "http", "icmp", "icmp6", "lcp", "ipcp", "ip6cp", "ccp", "bacp", "chap", "pap"))


class _Cut(Exception):
    """A read past the capture: `` [|l2tp]``."""


def _string(b: bytes) -> str:
    return printable_text(bytes(b))


def _u16(b: bytes, at: int = 0) -> int:
    return b[at] << 8 | b[at + 1]


def _u32(b: bytes, at: int = 0) -> int:
    return int.from_bytes(b[at : at + 4], "big")


def _bits(value: int, high: str, low: str) -> str:
    return (high if value & 2 else "") + (low if value & 1 else "")


def _value(kind: int, v: bytes) -> str:
    """What tcpdump prints between the parentheses of IETF attribute ``kind`` whose value is ``v``."""
    n = len(v)
    if kind == 0:
        return _MSGTYPES.get(_u16(v), f"MSGTYPE-#{_u16(v)}") if n >= 2 else _TOO_SHORT
    if kind == 1:
        if n < 2:
            return _TOO_SHORT
        text = f"{_u16(v)}"
        if n == 2:
            return text
        if n < 4:
            return text + " " + _TOO_SHORT
        text += f"/{_u16(v, 2)}"
        return text + (" " + _string(v[4:]) if n > 4 else "")
    if kind == 2:
        return f"{v[0]}.{v[1]}" if n >= 2 else _TOO_SHORT
    if kind in (3, 19):
        return _bits(_u32(v), "A", "S") if n >= 4 else _TOO_SHORT
    if kind in (4, 18):
        return _bits(_u32(v), "A", "D") if n >= 4 else _TOO_SHORT
    if kind == 5:
        return v[:8].hex() if n >= 8 else _TOO_SHORT
    if kind in _SHORTS:
        return f"{_u16(v)}" if n >= 2 else _TOO_SHORT
    if kind in _STRINGS:
        return _string(v)
    if kind in _OCTETS:
        return v.hex()
    if kind == 12:
        if n < 3:
            return _TOO_SHORT
        return f"{_u16(v)}, {v[2]:02x}" + (" " + _string(v[3:]) if n > 3 else "")
    if kind == 13:
        return v[:16].hex() if n >= 16 else _TOO_SHORT
    if kind in _LONGS:
        return f"{_u32(v)}" if n >= 4 else _TOO_SHORT
    if kind == 20:
        return "obsolete"
    if kind == 29:
        if n < 2:
            return _TOO_SHORT
        auth = _u16(v)
        return _AUTH_TYPES[auth] if auth < len(_AUTH_TYPES) else f"AuthType-#{auth}"
    if kind == 32:
        return f"{_u16(v) & 0xFF}" if n >= 2 else _TOO_SHORT
    if kind == 34:  # reserved, then six counters
        text, at = "", 2
        if n < 2:
            return _TOO_SHORT
        for name in ("CRCErr", "FrameErr", "HardOver", "BufOver", "Timeout", "AlignErr"):
            if n - at < 4:
                return text + _TOO_SHORT
            text += f"{name}={_u32(v, at)} "
            at += 4
        return text
    if kind == 35:
        text, at = "", 2
        if n < 2:
            return _TOO_SHORT
        for name in ("send", "recv"):
            if n - at < 4:
                return text + _TOO_SHORT
            text += f"{name}={_u32(v, at):08x} "
            at += 4
        return text
    if kind == _PPP_DISCON_CC:
        if n < 5:
            return _TOO_SHORT
        direction = _DIRECTIONS[v[4]] if v[4] < len(_DIRECTIONS) else f"Direction-#{v[4]}"
        return f"{_u16(v):04x}, {_u16(v, 2):04x} {direction}" + (" " + _string(v[5:]) if n > 5 else "")
    return ""


def _avp(out: list[str], p: bytes, at: int, left: int) -> int:
    """l2tp_avp_print: one AVP at ``at`` with ``left`` bytes of the message after it; its length, 0
    where tcpdump gives up (`` [|l2tp]``)."""
    out.append(" ")
    if at + 2 > len(p):
        raise _Cut
    head = _u16(p, at)
    size = head & 0x03FF
    if size < 6 or size > left or at + size > len(p):
        out.append(" [|l2tp]")
        return 0
    if head & 0x8000:
        out.append("*")
    hidden = bool(head & 0x4000)
    if hidden:
        out.append("?")
    vendor, kind, value = _u16(p, at + 2), _u16(p, at + 4), p[at + 6 : at + size]
    if vendor:
        out.append(f"VENDOR{vendor:04x}:ATTR{kind:04x}({value.hex()})")
        return size
    name = _AVPS[kind] if kind < len(_AVPS) else "PPP_DISCON_CC" if kind == _PPP_DISCON_CC else f"AVP-#{kind}"
    out.append(f"{name}({'???' if hidden else _value(kind, value)})")
    return size


def l2tp_text(payload: bytes, length: int, inner: Callable[[int], str] | None) -> str:
    """l2tp_print of ``payload`` (what the capture holds of the ``length`` bytes of the UDP payload)."""
    out: list[str] = []
    p = payload
    try:
        if len(p) < 2:
            raise _Cut
        flags = _u16(p)
        version = flags & 0x000F
        if version == 1:
            return " l2f:"
        if version != 2:
            return " Unknown Version, neither L2F(1) nor L2TP(2)"
        letters = "".join(c for bit, c in ((0x8000, "T"), (0x4000, "L"), (0x0800, "S"), (0x0200, "O"),
                                            (0x0100, "P")) if flags & bit)  # fmt: skip
        out.append(f" l2tp:[{letters}]")
        at = 2
        size = 0
        if flags & 0x4000:
            if at + 2 > len(p):
                raise _Cut
            size = _u16(p, at)
            at += 2
        if at + 2 > len(p):
            raise _Cut
        out.append(f"({_u16(p, at)}/")
        if at + 4 > len(p):
            raise _Cut
        out.append(f"{_u16(p, at + 2)})")
        at += 4
        if flags & 0x0800:
            if at + 2 > len(p):
                raise _Cut
            out.append(f"Ns={_u16(p, at)},")
            if at + 4 > len(p):
                raise _Cut
            out.append(f"Nr={_u16(p, at + 2)}")
            at += 4
        if flags & 0x0200:
            if at + 2 > len(p):
                raise _Cut
            at += 2 + _u16(p, at)
            if at > len(p):
                raise _Cut
        if flags & 0x4000:
            if length < size:
                out.append(f" Length {size} larger than packet")
                return "".join(out)
            length = size
        if length < at:
            out.append(f" Length {length} smaller than header length")
            return "".join(out)
        if not flags & 0x8000:
            where = l2tp_header(payload, length)
            text = inner(where[1]) if inner is not None and where is not None else ""
            out.append(" {" + text)
            # a printer that reads past the capture gives up on the whole line (tcpdump's longjmp), so the
            # brace is left open; one that finds the frame's own length short returns, and it is closed
            cut = where is not None and len(p) < sum(where) and where[1] >= 2
            marker = text[text.rfind(" [|") + 3 : -1] if text.endswith("]") and " [|" in text else None
            if not (cut and (marker in _GIVE_UP or text == " [|ip]")):
                out.append("}")
        elif not flags & 0x4000:
            out.append(" No length")
        elif length == at:
            out.append(" ZLB")
        else:
            while length - at != 0:
                size = _avp(out, p, at, length - at)
                if size == 0:
                    break
                at += size
    except _Cut:
        out.append(" [|l2tp]")
    return "".join(out)


__all__ = ["l2tp_text"]
