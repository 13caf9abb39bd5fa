"""tcpdump 4.99's one-line text (no -v) for the ``ipx`` layers of ``decode/lean_ip.py``: IPsec (print-ah.c,
print-esp.c, print-ipcomp.c), SCTP (print-sctp.c, with print-forces.c's message type), DCCP
(print-dccp.c), PGM, RSVP, IGRP, IPv6's extension headers (print-ip6.c, print-ip6opts.c, print-rt6.c,
print-frag6.c, print-mobility.c) and IPv4's "truncated-ip"; and for ICMP (print-icmp.c), ICMPv6
(print-icmp6.c, node information and RPL included) and IGMP's DVMRP, PIMv1 and mtrace (print-igmp.c,
print-dvmrp.c, print-pim.c).

A header tcpdump prints between IP and what it carries (AH, hop-by-hop options...) becomes a prefix of
the line; what follows prints as after the IP header, but TCP and UDP give their ports without the
addresses (tcpdump prints them with the addresses only right after the IP header).
"""

from __future__ import annotations

import socket
from typing import Callable, Optional

from ...decode.lean import printable_text
from ...decode.lean_layers import IpxLayer, Layers
from ..hexdump import hex_lines
from .misc_protocols import icmp6_rrenum_text
from .text import relts

Rest = Callable[[int, Optional[str], int, int], str]
"""text.py's ``_ip_line`` from ``layers[i + 1]`` on, with a prefix and the protocol and length handed on."""

_NO_NEXT_HEADER = 59


def _ip6(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET6, raw)


def _u16(raw: bytes, at: int) -> int:
    return raw[at] << 8 | raw[at + 1]


def _u32(raw: bytes, at: int) -> int:
    return int.from_bytes(raw[at : at + 4], "big")


def ip_missing(layers: Layers, i: int, net: object) -> str:
    """print-ip.c's ``truncated-ip - N bytes missing! `` (after ``IP ``) where the IPv4 header ``net``, at
    ``layers[i]`` or before it, says more than the frame holds (print-ip6.c's ``truncated-ip6 - ...`` for
    IPv6); else ''."""
    while i > 0 and layers[i] is not net:
        i -= 1
    after = layers[i + 1] if i + 1 < len(layers) else None
    if after is not None and after[0] == "ipx" and after[1] == "ip-missing":
        return f"truncated-ip - {after[4]} bytes missing! "
    if after is not None and after[0] == "ipx" and after[1] == "ip6-missing":  # print-ip6.c: no space
        return f"truncated-ip6 - {after[4]} bytes missing!"
    return ""


def ipx_line(
    layers: Layers, i: int, label: str, src: str, dst: str, proto: int, plen: int, rest: Rest
) -> str:
    """The line of the IP header ``layers[i]`` (printed as ``label``, ``src``, ``dst``) when
    ``layers[i + 1]`` is an ``ipx`` layer."""
    prefix = ""
    j = i + 1
    printed = False  # a header printed after the addresses: TCP and UDP then print no addresses
    while j < len(layers):
        t = layers[j]
        if t[0] != "ipx":
            break
        kind = t[1]
        if kind in ("ip-missing", "ip6-missing"):  # printed before the addresses (ip_missing)
            j += 1
            continue
        if kind in ("sctp", "dccp"):
            body, sport, dport = _sctp_text(t) if kind == "sctp" else _dccp_text(t)
            if sport is None:
                return f"{label}{src} > {dst}: {prefix}{body}" if prefix else f"{label}{body}"
            ports = f"{src}.{sport} > {dst}.{dport}: {body}"
            return f"{label}{src} > {dst}: {prefix}{ports}" if prefix else f"{label}{ports}"
        if kind == "pgm":
            return f"{label}{src} > {dst}: {prefix}" + _pgm_text(t[2], src, dst, bool(prefix))
        prefix += _prefix_text(t)
        printed = True
        if t[3] < 0:
            return f"{label}{src} > {dst}: {prefix}"
        if kind == "ah":
            proto, plen = t[3], t[4]
        j += 1
    if not printed:
        return rest(j - 1, None, proto, plen)
    if j >= len(layers):
        if proto == _NO_NEXT_HEADER:
            return f"{label}{src} > {dst}: {prefix}no next header"
        return f"{label}{src} > {dst}: {prefix} ip-proto-{proto} {plen}"
    nxt = layers[j]
    if nxt[0] == "trunc" and nxt[1] in ("ip6", "ah"):
        return f"{label}{src} > {dst}: {prefix} [|{nxt[1]}]"
    if nxt[0] == "other" and nxt[1] == "ip-proto":
        return f"{label}{src} > {dst}: {prefix} ip-proto-{nxt[2]} {nxt[3]}"
    return rest(j - 1, prefix, proto, plen)


def _prefix_text(t: IpxLayer) -> str:
    """The text of one header tcpdump prints before what it carries (or last, where ``t[3]`` is -1)."""
    _, kind, raw, _nxt, length, note = t
    if kind == "ah":
        return _ah_text(raw)
    if kind == "esp":
        if len(raw) <= 8:  # print-esp.c wants more than the SPI and sequence number
            return " [|esp]"
        return f"ESP(spi=0x{_u32(raw, 0):08x},seq=0x{_u32(raw, 4):x}), length {length}"
    if kind == "ipcomp":
        return " [|ipcomp]" if len(raw) < 4 else f"IPComp(cpi=0x{_u16(raw, 2):04x})"
    if kind == "hbh":
        return " [|hbhopt]" if note == "cut" else f"HBH {note}"
    if kind == "hbh-misplaced":
        return f"[The Hop-by-Hop Options header {note}] (invalid)"
    if kind == "no-jumbo":
        return "[No valid Jumbo Payload Hop-by-Hop option found] (invalid)"
    if kind == "dstopt":
        return " [|dstopt]" if note == "cut" else "DSTOPT "
    if kind == "frag":
        if note == "cut":
            return " [|frag6]"
        offset = _u16(raw, 2) & 0xFFF8
        return f"frag ({offset}|{length})" + ("" if offset else " ")
    if kind == "rt6":
        return _rt6_text(raw)
    if kind == "mobility":
        return _mobility_text(raw)
    if kind == "rsvp":
        return _rsvp_text(raw, length)
    if kind == "igrp":
        return _igrp_text(raw, length)
    if kind == "ether-needs-ipv6":
        return "[Ethernet requires IPv6] (invalid)"
    if kind == "jumbo-missing":
        return f"truncated-ip6 - {length} bytes missing!"
    return ""


def _ah_text(raw: bytes) -> str:
    """print-ah.c: ``AH(spi=0x...,seq=0x...,icv=0x...): ``."""
    if len(raw) < 2:
        return "AH [|ah]"
    text = "AH("
    if len(raw) < 4:
        return text + " [|ah]"
    reserved = _u16(raw, 2)
    if reserved:
        text += f"reserved=0x{reserved:x}[MustBeZero],"
    if len(raw) < 8:
        return text + " [|ah]"
    text += f"spi=0x{_u32(raw, 4):08x},"
    if len(raw) < 12:
        return text + " [|ah]"
    text += f"seq=0x{_u32(raw, 8):x},icv=0x{raw[12:].hex()}"
    size = (raw[1] + 2) * 4
    return text + (" [|ah]" if len(raw) < size else "): ")


def _rt6_text(raw: bytes) -> str:
    """print-rt6.c without -v: ``RT6 (len=2, type=4, segleft=0, last-entry=0, tag=0, [0]c::2) ``."""
    cut = " [|rt6]"
    text = "RT6"
    if len(raw) < 2:
        return text + cut
    size = raw[1]
    text += f" (len={size}"
    if len(raw) < 3:
        return text + cut
    kind = raw[2]
    text += f", type={kind}" + (" [Deprecated]" if kind == 0 else "")
    if len(raw) < 4:
        return text + cut
    text += f", segleft={raw[3]}"
    if kind in (0, 2):
        if len(raw) < 8:
            return text + cut
        if _u32(raw, 4):
            text += f", rsv=0x{_u32(raw, 4):x}"
    elif kind == 4:
        if len(raw) < 5:
            return text + cut
        text += f", last-entry={raw[4]}"
        if len(raw) < 6:
            return text + cut
        if raw[5]:
            text += f", flags=0x{raw[5]:x}"
        if len(raw) < 8:
            return text + cut
        text += f", tag={_u16(raw, 6):x}"
    else:
        return text + " (unknown type) (invalid)"
    if size % 2:
        return text + f" (invalid length {size}) (invalid)"
    for n in range(size // 2):
        at = 8 + 16 * n
        if len(raw) < at + 16:
            return text + cut
        text += f", [{n}]{_ip6(raw[at : at + 16])}"
    return text + ") "


_MOBILITY_TYPES = ("BRR", "HoTI", "CoTI", "HoT", "CoT", "BU", "BA", "BE")  # print-mobility.c's ip6m_str
_MOBILITY_MIN_LENGTHS = (8, 16, 16, 24, 24, 12, 12, 24)  # its ip6m_hdrlen
_BU_BITS = ((0x08, "A"), (0x04, "H"), (0x02, "L"), (0x01, "K"))


def _mobility_text(raw: bytes) -> str:
    """print-mobility.c without -v: ``mobility: BU seq#=116 A lifetime=15872``; the line ends there."""
    cut = " [|mobility]"
    if len(raw) < 2:
        return cut
    size = (raw[1] + 1) * 8
    if len(raw) < 3:
        return cut
    kind = raw[2]
    if kind < len(_MOBILITY_TYPES) and size < _MOBILITY_MIN_LENGTHS[kind]:
        return f"(header length {size} is too small for type {kind}){cut}"
    text = f"mobility: {_MOBILITY_TYPES[kind] if kind < len(_MOBILITY_TYPES) else f'type-#{kind}'}"
    # the message data start after the 6-byte header; hlen (print-mobility.c) counts from 8
    if kind in (3, 4):  # HoT, CoT
        return text + (cut if len(raw) < 8 else f" nonce id=0x{_u16(raw, 6):x}")
    if kind == 5:  # BU
        if len(raw) < 8:
            return text + cut
        text += f" seq#={_u16(raw, 6)}"
        if len(raw) < 10:
            return text + cut
        bits = raw[8] >> 4
        if bits:
            text += " " + "".join(name for bit, name in _BU_BITS if bits & bit)
        return text + (cut if len(raw) < 12 else f" lifetime={_u16(raw, 10) << 2}")
    if kind == 6:  # BA
        if len(raw) < 7:
            return text + cut
        text += f" status={raw[6]}"
        if len(raw) < 8:
            return text + cut
        if raw[7] & 0x80:
            text += " K"
        if len(raw) < 10:
            return text + cut
        text += f" seq#={_u16(raw, 8)}"
        return text + (cut if len(raw) < 12 else f" lifetime={_u16(raw, 10) << 2}")
    if kind == 7:  # BE
        if len(raw) < 7:
            return text + cut
        text += f" status={raw[6]}"
        return text + (cut if len(raw) < 24 else f" homeaddr {_ip6(raw[8:24])}")
    if kind > 7:
        return text + f" len={raw[1]}"
    return text


_IGRP_OPS = {1: "update", 2: "request"}


def _igrp_text(raw: bytes, length: int) -> str:
    """print-igrp.c without -v: the header, then each route (``*.net`` interior, ``net.0`` system,
    ``Xnet.0`` exterior) with its metrics."""
    text = "igrp:"
    if len(raw) < 12:
        return text + " [|igrp]"
    op = raw[0] & 0x0F
    counts = [_u16(raw, 4), _u16(raw, 6), _u16(raw, 8)]
    text += f" {_IGRP_OPS.get(op, f'op-#{op}')} V{raw[0] >> 4} edit={raw[1]} AS={_u16(raw, 2)}"
    text += f" ({counts[0]}/{counts[1]}/{counts[2]})"
    left, at = (length - 12) & _M32, 12
    while left >= 14:
        if len(raw) < at + 3:
            return text + " [|igrp]"
        net = ".".join(str(b) for b in raw[at : at + 3])
        kind = next((n for n in range(3) if counts[n]), None)
        if kind is None:
            text += f" [extra bytes {left}]"
            break
        counts[kind] -= 1
        text += (f" *.{net}", f" {net}.0", f" X{net}.0")[kind]
        if len(raw) < at + 14:
            return text + " [|igrp]"
        delay, bandwidth = (
            int.from_bytes(raw[at + 3 : at + 6], "big"),
            int.from_bytes(raw[at + 6 : at + 9], "big"),
        )
        text += (
            f" d={10 * delay} b={10000000 // bandwidth if bandwidth else 0} r={raw[at + 11]} l={raw[at + 12]}"
            f" M={min(bandwidth + delay, 0xFFFFFF)} mtu={_u16(raw, at + 9)} in {raw[at + 13]} hops"
        )
        at, left = at + 14, left - 14
    return text + (" (invalid)" if any(counts) or left else "")


_RSVP_TYPES = {
    1: "Path", 2: "Resv", 3: "PathErr", 4: "ResvErr", 5: "PathTear", 6: "ResvTear", 7: "ResvConf",
    12: "Bundle", 13: "Acknowledgement", 14: "Hello (Old)", 15: "Refresh", 20: "Hello",
}  # fmt: skip


def _rsvp_text(raw: bytes, length: int) -> str:
    """print-rsvp.c without -v: ``RSVPv1 Path Message, length: 164``."""
    if len(raw) < 8:
        return " [|rsvp]"
    version, kind = raw[0] >> 4, raw[1]
    if version != 1:
        return f"ERROR: RSVP version {version} packet not supported"
    return f"RSVPv{version} {_RSVP_TYPES.get(kind, f'unknown ({kind})')} Message, length: {length}"


def _pgm_text(raw: bytes, src: str, dst: str, after_header: bool) -> str:
    """print-pgm.c without -v: its own ``src.sport > dst.dport: `` (the ports alone after another
    header), then ``PGM, length N`` from the header's length field."""
    if len(raw) < 4:
        return f"{src} > {dst}: [|pgm]"
    sport, dport = _u16(raw, 0), _u16(raw, 2)
    text = f"{sport} > {dport}: " if after_header else f"{src}.{sport} > {dst}.{dport}: "
    if len(raw) < 16:
        return text + " [|pgm]"
    return text + f"PGM, length {_u16(raw, 14)}"


# --- SCTP -----------------------------------------------------------------------------------------

_SCTP_CHUNKS = {
    0x00: "DATA", 0x01: "INIT", 0x02: "INIT ACK", 0x03: "SACK", 0x04: "HB REQ", 0x05: "HB ACK",
    0x06: "ABORT", 0x07: "SHUTDOWN", 0x08: "SHUTDOWN ACK", 0x09: "OP ERR", 0x0A: "COOKIE ECHO",
    0x0B: "COOKIE ACK", 0x0C: "ECN ECHO", 0x0D: "ECN CWR", 0x0E: "SHUTDOWN COMPLETE",
    0xC0: "FOR CUM TSN", 0xC1: "REL CTRL", 0xC2: "REL CTRL ACK",
}  # fmt: skip
_SCTP_PPIDS = {
    1: "ISDN Q.921", 2: "M2UA", 3: "M3UA", 4: "SUA", 5: "M2PA", 6: "V5.2", 7: "H.248", 8: "BICC", 9: "TALI",
    10: "DUA", 11: "ASAP", 12: "ENRP", 13: "H.323", 14: "Q.IPC", 15: "SIMCO", 16: "DDPSC", 17: "DDPSSC",
    18: "S1AP", 19: "RUA", 20: "HNBAP", 21: "ForCES HP", 22: "ForCES MP", 23: "ForCES LP", 24: "SBc-AP",
    25: "NBAP", 27: "X2AP",
}  # fmt: skip
_FORCES_PORTS = {6704: "ForCES HP", 6705: "ForCES MP", 6706: "ForCES LP"}
_FORCES_PPIDS = frozenset((21, 22, 23))
_FORCES_TYPES = {
    0x01: "Association Setup", 0x02: "Association TearDown", 0x03: "Config", 0x04: "Query",
    0x05: "Event Notification", 0x06: "Packet Redirect", 0x0F: "HeartBeat", 0x11: "Association Response",
    0x13: "Config Response", 0x14: "Query Response",
}  # fmt: skip
_FORCES_HEADER = 24
_M32 = 0xFFFFFFFF


def _forces_text(raw: bytes, at: int, size: int) -> str:
    """print-forces.c's text without -v: the message type on a line of its own, or what is wrong with the
    header and the message in hex."""
    if len(raw) < at + _FORCES_HEADER:
        return " [|forces]"
    tom = raw[at + 1]
    name = _FORCES_TYPES.get(tom)
    if not 0 < tom <= 0x14 or 7 <= tom <= 14 or tom == 16:
        text = f"Invalid ForCES message type {tom}\n"
    elif name is None:
        text = f"\n\tUnknown ForCES message type=0x{tom:x}"
    else:
        text = f"\n\tForCES {name} "
        advertised = _u16(raw, at + 2) << 2
        if size >= _FORCES_HEADER and advertised >= _FORCES_HEADER and size >= advertised:
            return text
        text += f"Illegal ForCES pkt len - min {_FORCES_HEADER}, total recvd {size}, advertised {advertised} "
    message = raw[at : at + size]
    for n in range(0, len(message), 16):
        text += f"\n\t[0x{n:04x}: " + "".join(
            f" {message[j : j + 2].hex()}" for j in range(n, min(n + 16, len(message)), 2)
        )
    return text + "\n\t]"


def _sctp_text(t: IpxLayer) -> tuple[str, int | None, int | None]:
    """print-sctp.c without -v: (the text after the ports, source port, destination port); ports None
    where tcpdump prints no addresses."""
    _, _kind, raw, _nxt, length, _note = t
    if length < 12:
        return f"truncated-sctp - {12 - length} bytes missing!", None, None
    if len(raw) < 12:
        return " [|sctp]", None, None
    sport, dport = _u16(raw, 0), _u16(raw, 2)
    text = "sctp"
    forces = False
    for port in (sport, dport):
        if port in _FORCES_PORTS:
            text += f"[{_FORCES_PORTS[port]}]"
            forces = True
    try:
        text += _sctp_chunks(raw, length, forces)
    except _CutWith as cut:
        text += cut.shown + " [|sctp]"
    return text, sport, dport


def _sctp_chunks(raw: bytes, length: int, forces: bool) -> str:
    parts: list[str] = []
    at, remaining, count, sep = 12, (length - 12) & _M32, 0, " ("

    def need(size: int) -> None:
        if at + size > len(raw):
            raise _CutWith("".join(parts))

    while remaining:
        count += 1
        if remaining < 4:
            parts.append(f"{sep}{count}) [chunk descriptor cut off at end of packet]")
            break
        need(4)
        chunk_length = _u16(raw, at + 2)
        if chunk_length < 4:
            parts.append(f"{sep}{count}) [Bad chunk length {chunk_length}, < size of chunk descriptor]")
            break
        align = -chunk_length % 4
        if remaining < align:
            parts.append(f"{sep}{count}) [Bad chunk length {chunk_length}, > remaining data in packet]")
            break
        need(chunk_length)
        kind, flags = raw[at], raw[at + 1]
        at += 4
        remaining = (remaining - 4) & _M32
        left = chunk_length - 4
        parts.append(f"{sep}{count}) [{_SCTP_CHUNKS.get(kind, f'Unknown chunk type: 0x{kind:x}')}] ")
        if kind == 0x00:
            marks = "".join(mark for bit, mark in ((4, "(U)"), (2, "(B)"), (1, "(E)")) if flags & bit)
            parts.append(marks + (" " if marks else ""))
            if left < 12:
                parts.append(f"bogus chunk length {chunk_length}]")
                return "".join(parts)
            ppid = _u32(raw, at + 8)
            parts.append(
                f"[TSN: {_u32(raw, at)}] [SID: {_u16(raw, at + 4)}] [SSEQ {_u16(raw, at + 6)}] "
                f"[PPID {_SCTP_PPIDS.get(ppid, f'0x{ppid:x}')}] "
            )
            forces = forces or ppid in _FORCES_PPIDS
            at += 12
            remaining = (remaining - 12) & _M32
            left -= 12
            if left == 0:
                parts.append(f"bogus chunk length {chunk_length}]")
                return "".join(parts)
            if forces:
                parts.append(_forces_text(raw, at, left))
            at += left
            remaining = (remaining - left) & _M32
            left = 0
        elif kind in (0x01, 0x02):
            if left < 16:
                parts.append(f"bogus chunk length {chunk_length}]")
                return "".join(parts)
            parts.append(
                f"[init tag: {_u32(raw, at)}] [rwnd: {_u32(raw, at + 4)}] [OS: {_u16(raw, at + 8)}] "
                f"[MIS: {_u16(raw, at + 10)}] [init TSN: {_u32(raw, at + 12)}] "
            )
        elif kind == 0x03:
            if left < 12:
                parts.append(f"bogus chunk length {chunk_length}]")
                return "".join(parts)
            cum, gaps, dups = _u32(raw, at), _u16(raw, at + 8), _u16(raw, at + 10)
            parts.append(
                f"[cum ack {cum}] [a_rwnd {_u32(raw, at + 4)}] [#gap acks {gaps}] [#dup tsns {dups}] "
            )
            at += 12
            remaining = (remaining - 12) & _M32
            left -= 12
            for n in range(gaps):
                if not left:
                    break
                if left < 4:
                    parts.append(f"bogus chunk length {chunk_length}]")
                    return "".join(parts)
                start, end = (cum + _u16(raw, at)) & _M32, (cum + _u16(raw, at + 2)) & _M32
                parts.append(f"\n\t\t[gap ack block #{n + 1}: start = {start}, end = {end}] ")
                at, remaining, left = at + 4, (remaining - 4) & _M32, left - 4
            for n in range(dups):
                if not left:
                    break
                if left < 4:
                    parts.append(f"bogus chunk length {chunk_length}]")
                    return "".join(parts)
                parts.append(f"\n\t\t[dup TSN #{n + 1}: {_u32(raw, at)}] ")
                at, remaining, left = at + 4, (remaining - 4) & _M32, left - 4
        at += left
        remaining = (remaining - left) & _M32
        sep = ", ("
        if align:
            need(align)
            at += align
            remaining = (remaining - align) & _M32
    return "".join(parts)


class _CutWith(Exception):
    """The capture ends before a field the printer reads (tcpdump's `` [|proto]``) after ``shown``."""

    def __init__(self, shown: str) -> None:
        super().__init__("cut")
        self.shown = shown


# --- DCCP -----------------------------------------------------------------------------------------

_DCCP_TYPES = (
    *("DCCP-Request", "DCCP-Response", "DCCP-Data", "DCCP-Ack", "DCCP-DataAck", "DCCP-CloseReq"),
    *("DCCP-Close", "DCCP-Reset", "DCCP-Sync", "DCCP-SyncAck"),
)
_DCCP_RESETS = (
    *("unspecified", "closed", "aborted", "no_connection", "packet_error", "option_error"),
    *("mandatory_error", "connection_refused", "bad_service_code", "too_busy", "bad_init_cookie"),
    "aggression_penalty",
)
# the bytes each type adds to the generic header (print-dccp.c)
_DCCP_EXTRA = {0: 4, 1: 12, 3: 8, 4: 8, 5: 8, 6: 8, 7: 12, 8: 8, 9: 8}


def _dccp_text(t: IpxLayer) -> tuple[str, int | None, int | None]:
    """print-dccp.c without -v: ``DCCP-Request (service=0) ``, ``DCCP-Ack (ack=1) ``."""
    _, _kind, raw, _nxt, length, _note = t
    if len(raw) < 12:
        return " [|dccp]", None, None
    if length < 12:
        return f"truncated-dccp - {12 - length} bytes missing!", None, None
    extended = raw[8] & 1
    fixed = 16 if extended else 12
    if length < fixed:
        return f"truncated-dccp - {fixed - length} bytes missing!", None, None
    if len(raw) < fixed:
        return " [|dccp]", None, None
    sport, dport = _u16(raw, 0), _u16(raw, 2)
    kind = (raw[8] >> 1) & 0x0F
    name = _DCCP_TYPES[kind] if kind < len(_DCCP_TYPES) else f"unknown-type-{kind}"
    text = "DCCP "
    extra = _DCCP_EXTRA.get(kind)
    if extra is not None and length < fixed + extra:
        return text + f"truncated-{name} - {fixed + extra - length} bytes missing!", sport, dport
    if kind in (0, 1, 7) and len(raw) < fixed + (extra or 0):
        return text + " [|dccp]", sport, dport
    if kind == 0:
        text += f"{name} (service={_u32(raw, fixed)}) "
    elif kind == 1:
        text += f"{name} (service={_u32(raw, fixed + 8)}) "
    elif kind == 7:
        code = raw[fixed + 8]
        text += f"{name} (code={_DCCP_RESETS[code] if code < len(_DCCP_RESETS) else 'invalid'}) "
    else:
        text += f"{name} "
    if kind not in (0, 2):
        if extended:
            if len(raw) < fixed + 8:
                return text + " [|dccp]", sport, dport
            ack = int.from_bytes(raw[fixed + 2 : fixed + 8], "big")
        else:
            if len(raw) < fixed + 4:
                return text + " [|dccp]", sport, dport
            ack = int.from_bytes(raw[fixed + 1 : fixed + 4], "big")
        text += f"(ack={ack}) "
    return text, sport, dport


# --- ICMP and ICMPv6 ------------------------------------------------------------------------------

_ICMP_NAMES = {
    0: "echo reply", 4: "source quench", 8: "echo request", 10: "router solicitation",
    13: "time stamp request", 14: "time stamp reply", 15: "information request", 16: "information reply",
    17: "address mask request",
}  # fmt: skip
_ICMP_UNREACH = {
    0: "net {} unreachable", 1: "host {} unreachable", 5: "{} unreachable - source route failed",
    6: "net {} unreachable - unknown", 7: "host {} unreachable - unknown",
    8: "{} unreachable - source host isolated", 9: "net {} unreachable - admin prohibited",
    10: "host {} unreachable - admin prohibited", 11: "net {} unreachable - tos prohibited",
    12: "host {} unreachable - tos prohibited", 13: "host {} unreachable - admin prohibited filter",
    14: "host {} unreachable - host precedence violation", 15: "host {} unreachable - precedence cutoff",
}  # fmt: skip
_ICMP_REDIRECT = ("redirect {} to net {}", "redirect {} to host {}", "redirect-tos {} to net {}",
                  "redirect-tos {} to host {}")  # fmt: skip


def _ipv4_text(raw: bytes) -> str:
    return ".".join(str(b) for b in raw)


def _timestamp(ms: int) -> str:
    """print-icmp.c's icmp_tstamp_print: milliseconds since midnight as ``00:00:03.000``."""
    sec, msec = divmod(ms, 1000)
    minutes, sec = divmod(sec, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{sec:02d}.{msec:03d}"


def icmp_text(raw: bytes, length: int) -> str:
    """print-icmp.c's line without -v for the ICMP message whose captured bytes (up to the IP length) are
    ``raw``; `` [|icmp]`` where the capture ends before a field tcpdump reads (it prints nothing then)."""
    kind, code = raw[0], raw[1]
    cut = " [|icmp]"
    quoted = raw[8:]  # the invoking packet of an error

    def dst() -> str | None:
        return _ipv4_text(quoted[16:20]) if len(quoted) >= 20 else None

    if kind in (0, 8):
        if len(raw) < 8:
            return cut
        text = f"echo {'request' if kind == 8 else 'reply'}, id {_u16(raw, 4)}, seq {_u16(raw, 6)}"
    elif kind == 3:
        if code == 3:
            if len(quoted) < 10:
                return cut
            hlen = (quoted[0] & 0x0F) * 4
            if len(quoted) < hlen + 4 or dst() is None:
                return cut
            port, proto = _u16(quoted, hlen + 2), quoted[9]
            if proto in (6, 17):
                text = f"{dst()} {'tcp' if proto == 6 else 'udp'} port {port} unreachable"
            else:
                text = f"{dst()} protocol {proto} port {port} unreachable"
        else:
            where = dst()
            if where is None or len(raw) < 8:
                return cut
            if code == 2:
                text = f"{where} protocol {quoted[9]} unreachable"
            elif code == 4:
                mtu = _u16(raw, 6)
                text = f"{where} unreachable - need to frag" + (f" (mtu {mtu})" if mtu else "")
            elif code in _ICMP_UNREACH:
                text = _ICMP_UNREACH[code].format(where)
            else:
                text = f"{where} unreachable - #{code}"
    elif kind == 5:
        where = dst()
        if where is None:
            return cut
        gateway = _ipv4_text(raw[4:8])
        text = (
            _ICMP_REDIRECT[code].format(where, gateway)
            if code < len(_ICMP_REDIRECT)
            else f"redirect-#{code} {where} to {gateway}"
        )
    elif kind == 9:
        if len(raw) < 8:
            return cut
        num, size, lifetime = raw[4], raw[5], _u16(raw, 6)
        if lifetime < 60:
            life = f"{lifetime}"
        elif lifetime < 3600:
            life = f"{lifetime // 60}:{lifetime % 60:02d}"
        else:
            life = f"{lifetime // 3600}:{lifetime % 3600 // 60:02d}:{lifetime % 60:02d}"
        text = f"router advertisement lifetime {life} {num}:"
        if size != 2:
            text += f" [size {size}]"
        else:
            for n in range(num):
                entry = quoted[8 * n : 8 * n + 8]
                if len(entry) < 8:
                    return cut
                text += f" {{{_ipv4_text(entry[:4])} {_u32(entry, 4)}}}"
    elif kind == 11:
        if dst() is None:
            return cut
        text = {0: "time exceeded in-transit", 1: "ip reassembly time exceeded"}.get(
            code, f"time exceeded-#{code}"
        )
    elif kind == 12:
        if code:
            text = f"parameter problem - code {code}"
        elif len(raw) < 5:
            return cut
        else:
            text = f"parameter problem - octet {raw[4]}"
    elif kind == 18:
        if len(raw) < 12:
            return cut
        text = f"address mask is 0x{_u32(raw, 8):08x}"
    elif kind == 13:
        if len(raw) < 8:
            return cut
        text = f"time stamp query id {_u16(raw, 4)} seq {_u16(raw, 6)}"
    elif kind == 14:
        if len(raw) < 20:
            return cut
        text = (
            f"time stamp reply id {_u16(raw, 4)} seq {_u16(raw, 6)}: org {_timestamp(_u32(raw, 8))}, "
            f"recv {_timestamp(_u32(raw, 12))}, xmit {_timestamp(_u32(raw, 16))}"
        )
    else:
        text = _ICMP_NAMES.get(kind, f"type-#{kind}")
    return f"ICMP {text}, length {length}"


_ICMP6_NAMES = {
    1: "destination unreachable", 2: "packet too big", 3: "time exceeded in-transit", 4: "parameter problem",
    128: "echo request", 129: "echo reply", 130: "multicast listener query", 131: "multicast listener report",
    132: "multicast listener done", 133: "router solicitation", 134: "router advertisement",
    135: "neighbor solicitation", 136: "neighbor advertisement", 137: "redirect", 138: "router renumbering",
    139: "who-are-you request", 140: "who-are-you reply", 141: "inverse neighbor solicitation",
    142: "inverse neighbor advertisement", 143: "multicast listener report v2", 144: "ha discovery request",
    145: "ha discovery reply", 146: "mobile router solicitation", 147: "mobile router advertisement",
    155: "RPL", 200: "mtrace response", 201: "mtrace message",
}  # fmt: skip
"""print-icmp6.c's icmp6_type_values (139 and 140 by their first names there)."""
_ICMP6_UNREACH = {
    0: "unreachable route", 1: " unreachable prohibited", 2: "beyond scope", 3: "unreachable address",
    4: "unreachable port",
}  # fmt: skip
_ICMP6_PARAMPROB = {0: "erroneous", 1: "next header", 2: "option", 3: "incomplete header chain"}
_RPL_CODES = {0: "DODAG Information Solicitation", 1: "DODAG Information Object",
              2: "Destination Advertisement Object", 3: "Destination Advertisement Object Ack"}  # fmt: skip


def icmp6_name(kind: int) -> str:
    """The name tcpdump gives an ICMPv6 type."""
    return _ICMP6_NAMES.get(kind, f"unknown icmp6 type ({kind})")


def _upper_layer(quoted: bytes) -> tuple[int, int] | None:
    """print-icmp6.c's get_upperlayer over the invoking packet: (protocol, destination port), or None."""
    if len(quoted) < 7:
        return None
    nh, at, size = quoted[6], 0, 40
    while at < len(quoted):
        at += size
        if nh in (6, 17):
            return (nh, _u16(quoted, at + 2)) if at + 4 <= len(quoted) else None
        if nh in (0, 43, 60, 44, 51):
            if at + 2 > len(quoted) or (nh == 44 and at + 4 > len(quoted)):
                return None
            if nh == 44 and _u16(quoted, at + 2) & 0xFFF8:
                return None
            size = 8 if nh == 44 else (quoted[at + 1] + 2) * 4 if nh == 51 else (quoted[at + 1] + 1) * 8
            nh = quoted[at]
            continue
        return None
    return None


def icmp6_text(raw: bytes, length: int) -> str:
    """print-icmp6.c's line without -v for the message whose captured bytes (up to the IP length) are
    ``raw``; after an unknown type, tcpdump's hex dump of it on the lines that follow."""
    if length == 0:
        return "ICMP6, length 0 (invalid)"
    kind = raw[0]
    text = f"ICMP6, {icmp6_name(kind)}"
    cut = text + " [|icmp6]"
    if len(raw) < 2:
        return cut
    code = raw[1]
    quoted = raw[8:]
    if kind == 1:
        text += f", {_ICMP6_UNREACH.get(code, f'unknown unreach code ({code})')}"
        if code in (0, 1, 3):
            if len(quoted) < 40:
                return text + " [|icmp6]"
            text += f" {_ip6(quoted[24:40])}"
        elif code == 2:
            if len(quoted) < 40:
                return text + " [|icmp6]"
            text += f" {_ip6(quoted[24:40])}, source address {_ip6(quoted[8:24])}"
        elif code == 4:
            upper = _upper_layer(quoted)
            if upper is None or len(quoted) < 40:
                return text + " [|icmp6]"
            proto, port = upper
            where = _ip6(quoted[24:40])
            name = {6: "tcp", 17: "udp"}.get(proto)
            text += (
                f", {where} {name} port {port}"
                if name
                else f", {where} protocol {proto} port {port} unreachable"
            )
        else:
            return text + _unknown_dump(raw, length)
    elif kind == 2:
        if len(raw) < 8:
            return cut
        text += f", mtu {_u32(raw, 4)}"
    elif kind == 3:
        if code == 0:
            if len(quoted) < 40:
                return text + " [|icmp6]"
            text += f" for {_ip6(quoted[24:40])}"
        else:
            text += " (reassembly)" if code == 1 else f", unknown code ({code})"
    elif kind == 4:
        if len(quoted) < 40:
            return text + " [|icmp6]"
        text += (
            f", {_ICMP6_PARAMPROB[code]} - octet {_u32(raw, 4)}"
            if code in _ICMP6_PARAMPROB
            else f", code-#{code}"
        )
    elif kind in (128, 129):
        if len(raw) < 8:
            return cut
        text += f", id {_u16(raw, 4)}, seq {_u16(raw, 6)}"
    elif kind in (130, 131, 132):
        if kind == 130 and length != 24:
            if length >= 28:
                text += " v2"
                if len(raw) < 28:
                    return text + " [|icmp6]"
                text += f" [gaddr {_ip6(raw[8:24])}"
                sources = _u16(raw, 26)
                if sources:
                    text += (
                        " [invalid number of sources]"
                        if length < 28 + 16 * sources
                        else f", {sources} source(s)"
                    )
                text += "]"
            else:
                text += f" unknown-version (len {length}) "
        elif len(raw) >= 24:
            text += f"max resp delay: {_u16(raw, 4)} addr: {_ip6(raw[8:24])}"
    elif kind in (135, 136):
        if len(raw) < 24:
            return cut
        text += f", {'who has' if kind == 135 else 'tgt is'} {_ip6(raw[8:24])}"
    elif kind == 137:
        if len(raw) < 24:
            return cut
        if len(raw) < 40:
            return cut
        text += f", {_ip6(raw[24:40])} to {_ip6(raw[8:24])}"  # the destination, then the target
    elif kind == 138:
        return text + icmp6_rrenum_text(raw, length)
    elif kind == 143:
        if length < 8:
            text += f" [invalid len {length}]"
        elif len(raw) < 8:
            return cut
        else:
            text += f", {_u16(raw, 6)} group record(s)"
    elif kind in (144, 146):
        if len(raw) < 6:
            return cut
        text += f", id 0x{_u16(raw, 4):04x}"
    elif kind == 155:
        if code & 0x80:
            return text + f", (SEC) [worktodo], length {length}"
        name = _RPL_CODES.get(code & 0x7F)
        text += f", (CLR){name}" if name else f", (CLR)RPL message, unknown code {code}"
    elif kind in (139, 140):
        try:
            text += _nodeinfo_text(raw, length)
        except _LineEnds as ended:
            return text + ended.text
    elif kind not in (133, 134, 141, 142, 145, 147):
        return f"{text}, length {length}{_unknown_dump(raw, length)}"
    return f"{text}, length {length}"


def _unknown_dump(raw: bytes, length: int) -> str:
    """tcpdump's hex dump of an ICMPv6 message it does not know, on the lines after its line."""
    return "\n" + hex_lines(raw[:length], False) if raw[:length] else ""


_NI_FLAGS = ((0x40, "a"), (0x20, "G"), (0x10, "S"), (0x08, "L"), (0x04, "C"), (0x02, "A"))
_NI_QTYPES = {0: "noop", 1: "supported qtypes", 2: "DNS name", 3: "node addresses"}


def _ni_name(raw: bytes, at: int) -> str:
    """print-icmp6.c's dnsname_print: the labels of a name (no compression), quoted."""
    text, end = ', "', len(raw)
    while at < end:
        size = raw[at]
        at += 1
        if size:
            if size > end - at:
                text += "???"
                break
            text += printable_text(raw[at : at + size])
            at += size
            if at + 1 < end and raw[at]:
                text += "."
        else:
            if at == end:
                text += "."
            elif not (at + 1 == end and raw[at] == 0):
                text += "???"
            break
    return text + '"'


def _ni_subject_name(raw: bytes, at: int) -> str:
    """A name that is either a Pascal string (icmp-name-lookup-03) or DNS labels."""
    if at < len(raw) and raw[at] == len(raw) - at - 1:
        return f', "{printable_text(raw[at + 1 :])}"'
    return _ni_name(raw, at)


class _LineEnds(Exception):
    """A read past the capture in a printer tcpdump leaves by its longjmp: the line ends with ``text``."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _nodeinfo_text(raw: bytes, length: int) -> str:
    """print-icmp6.c's icmp6_nodeinfo_print without -v (what follows the type's name)."""
    size = len(raw)
    if raw[0] == 139:
        if size == 12:  # KAME's who-are-you
            return " who-are-you request"
        text = " node information query"
        if size < 16:
            return text + " [|icmp6]"
        qtype, flags = _u16(raw, 4), _u16(raw, 6)
        text += f" ({_NI_QTYPES.get(qtype, 'unknown')}"
        if qtype == 1 and flags:
            text += f" [{'C' if flags & 1 else ''}]"
        elif qtype == 3 and flags:
            text += " [" + "".join(name for bit, name in _NI_FLAGS if flags & bit) + "]"
        if qtype in (0, 1):
            return text + ")"
        if size == 16:
            return text + ", 03 draft)"
        code = raw[1]
        if code == 0:
            if size == 32:
                text += f", subject={_ip6(raw[16:32])}"
        elif code == 1:
            text += ", subject=DNS name" + _ni_subject_name(raw, 16)
        elif code == 2:
            if size == 20:
                text += f", subject={_ipv4_text(raw[16:20])}"
        else:
            text += ", unknown subject"
        return text + ")"
    if length > size or size < 16:
        return " [|icmp6]"
    text = " node information reply ("
    code = raw[1]
    if code in (1, 2):
        return text + ("refused" if code == 1 else "unknown") + ")"
    if code != 0:
        return text + ")"
    qtype, flags = _u16(raw, 4), _u16(raw, 6)
    if qtype == 1:
        text += "supported qtypes" + (f" [{'C' if flags & 1 else ''}]" if flags else "")
    elif qtype == 2:
        if size <= 20:  # a failed read there ends tcpdump's line
            raise _LineEnds(text + "DNS name [|icmp6]")
        text += "DNS name" + _ni_subject_name(raw, 20)
        if flags & 1:
            text += f" [TTL={_u32(raw, 16)}]"
    elif qtype == 3:
        text += "node addresses"
        at = 16
        while at + 20 <= size:
            text += f" {_ip6(raw[at + 4 : at + 20])}({_u32(raw, at)})"
            at += 20
        if flags:
            text += " [" + "".join(name for bit, name in (*_NI_FLAGS, (0x01, "T")) if flags & bit) + "]"
    else:
        text += _NI_QTYPES.get(qtype, "unknown")
    return text + ")"


# --- IGMP's DVMRP and mtrace (print-igmp.c, print-dvmrp.c) ----------------------------------------

_DVMRP_TYPES = {
    1: "Probe", 2: "Report", 3: "Ask-neighbors(old)", 4: "Neighbors(old)", 5: "Ask-neighbors2",
    6: "Neighbors2", 7: "Prune", 8: "Graft", 9: "Graft-ACK",
}  # fmt: skip
_DVMRP_FLAGS = ((0x01, "/tunnel"), (0x02, "/srcrt"), (0x40, "/querier"), (0x20, "/disabled"), (0x10, "/down"))


class _Short(Exception):
    """The capture ends before a field the printer reads."""


def _dvmrp_neighbors(raw: bytes, at: int, left: int, version2: bool) -> str:
    """print-dvmrp.c's print_neighbors (old) and print_neighbors2."""

    def byte(n: int) -> int:
        if n >= len(raw):
            raise _Short
        return raw[n]

    def address(n: int) -> str:
        if n + 4 > len(raw):
            raise _Short
        return _ipv4_text(raw[n : n + 4])

    text = ""
    fixed = 8 if version2 else 7
    while left > 0:
        if left < fixed:
            return text + f" [length {left} < {fixed}] (invalid)"
        local = at
        metric, thresh = byte(at + 4), byte(at + 5)
        flags = byte(at + 6) if version2 else 0
        count = byte(at + fixed - 1)
        at, left = at + fixed, left - fixed
        while count > 0 and (left > 0 or not version2):
            count -= 1
            if left < 4:
                return text + f" [length {left} < 4] (invalid)"
            if version2:
                text += f" [{address(local)} -> {address(at)} ({metric}/{thresh}"
                text += "".join(name for bit, name in _DVMRP_FLAGS if flags & bit) + ")]"
            else:
                text += f" [{address(local)} -> {address(at)}, ({metric}/{thresh})]"
            at, left = at + 4, left - 4
        if version2 and count:
            return text + " [invalid ncount] (invalid)"
    return text


_PIMV1_TYPES = (
    "Query",
    "Register",
    "Register-Stop",
    "Join/Prune",
    "RP-reachable",
    "Assert",
    "Graft",
    "Graft-ACK",
)
_PIMV1_MODES = ("Dense-mode", "Sparse-mode", "Sparse-Dense-mode")


def _pimv1_text(raw: bytes) -> str:
    """print-pim.c's pimv1_print without -v, after ``igmp pimv1``."""
    text = "igmp pimv1"
    if len(raw) < 2:
        return text + " [|pimv1]"
    kind = raw[1]
    text += f" {_PIMV1_TYPES[kind] if kind < len(_PIMV1_TYPES) else f'[type {kind}]'}"

    def address(at: int) -> str:
        if len(raw) < at + 4:
            raise _Short
        return _ipv4_text(raw[at : at + 4])

    try:
        if kind == 0 and len(raw) > 8:
            mode = raw[8] >> 4
            text += f" {_PIMV1_MODES[mode] if mode < len(_PIMV1_MODES) else f'mode-{mode}'}"
        elif kind == 1:
            if len(raw) < 28:
                raise _Short
            text += f" for {address(20)} > {address(24)}"
        elif kind == 2:
            text += f" for {address(8)} > {address(12)}"
        elif kind == 5:
            text += f" for {address(16)} > {address(8)}"
            if address(12) != "255.255.255.255":
                text += f"/{address(12)}"
            if len(raw) < 28:
                raise _Short
            tree = "RP-tree" if raw[20] & 0x80 else "SPT"
            text += f" {tree} pref {_u32(raw, 20) & 0x7FFFFFFF} metric {_u32(raw, 24)}"
        if len(raw) < 5:
            raise _Short
    except _Short:
        return text + " [|pimv1]"
    return text + (f" [v{raw[4] >> 4}]" if raw[4] >> 4 != 1 else "")


def igmp_more_text(raw: bytes, length: int) -> str | None:
    """print-igmp.c's line for DVMRP (``igmp dvmrp Prune src ... timer 1h``), PIMv1 and mtrace/mresp, from
    the message's captured bytes ``raw``; None for the other IGMP types."""
    kind = raw[0]
    if kind in (0x1E, 0x1F):
        if length < 24:
            return f" [invalid len {length}]"
        if len(raw) < 24:
            return " [|igmp]"
        name = "mtrace" if kind == 0x1F else "mresp"
        query = int.from_bytes(raw[21:24], "big")
        src, dst, reply = (_ipv4_text(raw[n : n + 4]) for n in (8, 12, 16))
        text = f"{name} {query}: {src} to {dst} reply-to {reply}"
        return text + (f" with-ttl {raw[20]}" if 224 <= raw[16] <= 239 else "")
    if kind == 0x14:
        return _pimv1_text(raw)
    if kind != 0x13:
        return None
    text = "igmp dvmrp"
    if length < 8:
        return text + f" [len {length}]"
    if len(raw) < 2:
        return text + " [|dvmrp]"
    dvmrp = raw[1]
    text += f" {_DVMRP_TYPES.get(dvmrp, f'[type {dvmrp}]')}"
    try:
        if dvmrp in (7, 8, 9):
            if len(raw) < 16:
                raise _Short
            text += f" src {_ipv4_text(raw[8:12])} grp {_ipv4_text(raw[12:16])}"
            if dvmrp == 7:
                if len(raw) < 20:
                    text += " timer "
                    raise _Short
                text += f" timer {relts(_u32(raw, 16))}"
        elif dvmrp == 4:
            text += _dvmrp_neighbors(raw, 8, length - 8, False)
        elif dvmrp == 6:
            if len(raw) < 8:
                raise _Short
            text += f" (v {raw[7]}.{raw[6]}):"
            text += _dvmrp_neighbors(raw, 8, length - 8, True)
    except _Short:
        return text + " [|dvmrp]"
    return text


__all__ = ["icmp6_name", "icmp6_text", "icmp_text", "igmp_more_text", "ip_missing", "ipx_line"]
