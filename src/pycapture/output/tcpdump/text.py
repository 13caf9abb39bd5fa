"""tcpdump-style one-line summaries, made from the lean decoder's layer tuples.

The wording follows tcpdump 4.99 with ``-n`` (``IP 10.0.0.1.5353 > 10.0.0.2.53: UDP, length 33``,
``Flags [S.]``, ``ICMP echo request, id 1, seq 2, length 64``, ``ARP, Request who-has ...``). TCP
sequence numbers are relative to each conversation's first segment with ACK when a
:class:`TcpSequences` is given (tcpdump's default), absolute without one (``tcpdump -S``).
"""

from __future__ import annotations

import importlib
import socket
import struct
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from ...decode.lean_layers import (
    LINK_KINDS,
    WLAN_LAYERS,
    ArpLayer,
    BootpLayer,
    DnsLayer,
    EthLayer,
    Icmp6Layer,
    IcmpLayer,
    IgmpLayer,
    Ip6Layer,
    IpLayer,
    Layers,
    OspfLayer,
    PimLayer,
    TcpLayer,
    VrrpLayer,
)
from ...decode.lean_misc import GRE_CARRIED
from ...protocols.numbers import (
    ETHERTYPE_IP,
    IPPROTO_NONE,
    SYSLOG_FACILITIES,
    SYSLOG_SEVERITIES,
    TCPDUMP_ETHERTYPE_NAMES,
    TCPDUMP_IP_PROTOCOL_NAMES,
    TCPDUMP_NTP_MODE_NAMES,
    TCPDUMP_TCP_OPTION_NAMES,
    tcp_flag_letters,
)
from ..hexdump import hex_lines
from .linklevel import link_prefix
from .misc_protocols import LOW_ETHERTYPE_NAMES, ip_misc_text
from .said import said_text

if TYPE_CHECKING:
    from .ether_protocols import ether_protocol_line, ptp_text
    from .ip_protocols import icmp6_name, icmp6_text, icmp_text, igmp_more_text, ip_missing, ipx_line
    from .links import link_text
    from .rpc import nfs_tcp_text
    from .tcp_apps import tcp_app_text
    from .udp_apps import udp_app_text
    from .wlan import wlan_text
else:

    def _on_first_call(module: str, name: str) -> Callable[..., Any]:
        """A stand-in for ``name`` of the printers' ``module`` that imports it when first called and puts
        it in its place: those modules are most of the import time, and most captures need none."""

        def first_call(*args: Any) -> Any:
            function = getattr(importlib.import_module(f"{__package__}.{module}"), name)
            globals()[name] = function
            return function(*args)

        return first_call

    ether_protocol_line = _on_first_call("ether_protocols", "ether_protocol_line")
    ptp_text = _on_first_call("ether_protocols", "ptp_text")
    icmp6_name = _on_first_call("ip_protocols", "icmp6_name")
    icmp6_text = _on_first_call("ip_protocols", "icmp6_text")
    icmp_text = _on_first_call("ip_protocols", "icmp_text")
    igmp_more_text = _on_first_call("ip_protocols", "igmp_more_text")
    ip_missing = _on_first_call("ip_protocols", "ip_missing")
    ipx_line = _on_first_call("ip_protocols", "ipx_line")
    link_text = _on_first_call("links", "link_text")
    nfs_tcp_text = _on_first_call("rpc", "nfs_tcp_text")
    tcp_app_text = _on_first_call("tcp_apps", "tcp_app_text")
    udp_app_text = _on_first_call("udp_apps", "udp_app_text")
    wlan_text = _on_first_call("wlan", "wlan_text")

_ntoa = socket.inet_ntoa
_ntop = socket.inet_ntop
_AF_INET6 = socket.AF_INET6


def mac_text(raw: bytes) -> str:
    """``02:00:00:00:00:01`` from six bytes."""
    return raw.hex(":")


def _ip_text(raw: bytes) -> str:
    return _ntoa(raw) if len(raw) == 4 else _ntop(_AF_INET6, raw) if len(raw) == 16 else raw.hex(":")


_M32 = 0xFFFFFFFF
_PORT_PAIR = struct.Struct("!HH").pack


class TcpSequences:
    """tcpdump's relative TCP sequence numbers (print-tcp.c): the state of one capture.

    A conversation (both directions: addresses and ports in one order, the lower port first) is
    recorded at its first segment with ACK set, and again at each SYN with ACK; that segment prints
    absolute numbers, the later ones the difference from the recorded ones. Segments without ACK print
    absolute numbers and record nothing. tcpdump never forgets a conversation; this table stops
    recording new ones after :attr:`LIMIT` of them (those then print absolute numbers, as with ``-S``),
    so that a capture of a port scan cannot grow it without bound.
    """

    LIMIT = 1 << 18

    __slots__ = ("table",)

    def __init__(self) -> None:
        self.table: dict[bytes, int] = {}

    def relative(
        self, src: bytes, dst: bytes, sport: int, dport: int, flags: int, seq: int, ack: int
    ) -> tuple[int, int, int]:
        """``(seq, ack, sack_base)`` to print for a segment; SACK blocks print less ``sack_base``."""
        if not flags & 0x10:
            return seq, ack, 0
        rev = sport > dport or (sport == dport and src > dst)
        key = dst + src + _PORT_PAIR(dport, sport) if rev else src + dst + _PORT_PAIR(sport, dport)
        table = self.table
        base = table.get(key)
        if base is None or flags & 0x02:
            if rev:
                thseq, thack = (ack - 1) & _M32, seq
            else:
                thseq, thack = seq, (ack - 1) & _M32
            if base is not None or len(table) < self.LIMIT:
                table[key] = thseq << 32 | thack
            return seq, ack, thseq if rev else thack
        thseq, thack = base >> 32, base & _M32
        if rev:
            return (seq - thack) & _M32, (ack - thseq) & _M32, thseq
        return (seq - thseq) & _M32, (ack - thack) & _M32, thack


def _sack_blocks(body: bytes, base: int = 0) -> str:
    return "".join(
        f"{{{(int.from_bytes(body[j : j + 4], 'big') - base) & _M32}:"
        f"{(int.from_bytes(body[j + 4 : j + 8], 'big') - base) & _M32}}}"
        for j in range(0, len(body) - 7, 8)
    )


class _BadOption(Exception):
    """print-tcp.c's ``goto bad``: what the option printed so far, then ``[bad opt]``; the line ends."""


class _CutOption(Exception):
    """print-tcp.c's ``goto trunc``: what the option printed so far, then `` [|tcp]`` (`` [|mptcp]`` after
    an MPTCP option); the line ends."""


_CC_ECHO = 13  # T/TCP's option, which tcpdump names with an empty word


def _be(raw: bytes) -> int:
    """The big-endian unsigned integer of ``raw``."""
    return int.from_bytes(raw, "big")


_TFO_MAGIC = 0xF989  # RFC 7413's TCP Fast Open in the experimental option 254 (RFC 6994)
_MPTCP_SUBTYPES = ("capable", "join", "dss", "add-addr", "rem-addr", "prio", "fail", "fast-close", "unknown")
_MPTCP_ADDR_ECHO = {0x6: "v0-ip6", 0x4: "v0-ip4", 0x1: "v1-echo", 0x0: "v1"}  # print-mptcp.c


def _mptcp_option(opt: bytes, flags: int) -> tuple[str, bool]:
    """print-mptcp.c's text of one MPTCP option (``opt`` from its kind byte on, whole) after ``mptcp``,
    and whether tcpdump takes it (False: it prints ``[bad opt]`` after the text)."""
    size = len(opt)
    if size < 3:
        return "", False
    subtype = min(opt[2] >> 4, 8)
    text = f" {size} {_MPTCP_SUBTYPES[subtype]}"
    syn, ack = flags & 0x02, flags & 0x10
    if subtype == 0:  # capable
        if not ((size in (12, 4) and syn) or (size in (20, 22) and flags & 0x12 == 0x10)):
            return text, False
        version = opt[2] & 0xF
        if version > 1:
            return f"{text} Unknown Version ({version})", True
        text += f" v{version}" + (" csum" if opt[3] & 0x80 else "")
        if size == 12 or size >= 20:
            text += f" {{0x{_be(opt[4:12]):x}"
            if size >= 20:
                text += f",0x{_be(opt[12:20]):x}"
            text += "}"
        return text, True
    if subtype == 1:  # join
        if not ((size == 12 and syn) or (size == 16 and flags & 0x12 == 0x12) or (size == 24 and ack)):
            return text, False
        if size != 24:
            text += (" backup" if opt[2] & 0x01 else "") + f" id {opt[3]}"
        if size == 12:
            text += f" token 0x{_be(opt[4:8]):x} nonce 0x{_be(opt[8:12]):x}"
        elif size == 16:
            text += f" hmac 0x{_be(opt[4:12]):x} nonce 0x{_be(opt[12:16]):x}"
        elif size == 24:
            text += f" hmac 0x{opt[4:24].hex()}"
        return text, True
    if subtype == 2:  # dss
        return _mptcp_dss(opt, text, flags)
    if subtype == 3:  # add-addr
        if size not in (8, 10, 16, 18, 20, 22, 28, 30):
            return text, False
        text += f" {_MPTCP_ADDR_ECHO.get(opt[2] & 0xF, '[bad version/echo]')} id {opt[3]}"
        if size < 20:
            text += " " + _ntoa(opt[4:8]) + (f":{_be(opt[8:10])}" if size in (10, 18) else "")
            mac = opt[8:16] if size == 16 else opt[10:18] if size == 18 else b""
        else:
            text += " " + _ntop(_AF_INET6, opt[4:20])
            text += f":{_be(opt[20:22])}" if size in (22, 30) else ""
            mac = opt[20:28] if size == 28 else opt[22:30] if size == 30 else b""
        return text + (f" hmac 0x{_be(mac):x}" if mac else ""), True
    if subtype == 4:  # rem-addr
        if size < 4:
            return text, False
        return text + " id" + "".join(f" {b}" for b in opt[3:]), True
    if subtype == 5:  # prio
        if size not in (3, 4):
            return text, False
        text += " backup" if opt[2] & 0x01 else " non-backup"
        return text + (f" id {opt[3]}" if size == 4 else ""), True
    if subtype in (6, 7):  # fail, fast-close
        if size != 12:
            return text, False
        value = _be(opt[4:12])
        return text + (f" seq {value}" if subtype == 6 else f" key 0x{value:x}"), True
    return text, True


def _mptcp_dss(opt: bytes, text: str, flags: int) -> tuple[str, bool]:
    """print-mptcp.c's mp_dss_print: data ack, mapping and checksum as the DSS flags say."""
    if len(opt) < 4 or flags & 0x02:
        return text, False
    dss = opt[3]
    if dss & 0x10:
        text += " fin"
    at, left = 4, len(opt) - 4
    fields = []  # (label, size); tcpdump prints the labels of the ack and the sequence number unchecked
    if dss & 0x01:
        fields.append((" ack ", 8 if dss & 0x02 else 4))
    if dss & 0x04:
        fields += [(" seq ", 8 if dss & 0x08 else 4), (" subseq ", 4), (" len ", 2)]
    for label, size in fields:
        if left < size:
            return text + (label if label in (" ack ", " seq ") else ""), False
        text += f"{label}{_be(opt[at : at + size])}"
        at, left = at + size, left - size
    if dss & 0x04 and left >= 2:
        text += f" csum 0x{_be(opt[at : at + 2]):x}"
        left -= 2
    return text, left == 0


def _fastopen(body: bytes) -> str:
    """print-tcp.c's print_tcp_fastopen_option after ``tfo``: a cookie request or the cookie."""
    if not body:
        return " cookiereq"
    if len(body) % 2 or not 4 <= len(body) <= 16:
        return " (invalid)"
    return f" cookie {body.hex()}"


def _option_value(
    kind: int, size: int, raw: bytes, at: int, left: int, flags: int, sack_base: int, md5_short: bool
) -> tuple[str, int]:
    """What print-tcp.c prints after an option's name, and how many bytes of value it steps over (its
    datalen, which is the option's length less two for some kinds only). ``at``: where the value starts
    in ``raw`` (the captured options); ``left``: the header bytes after the option's kind and length."""
    captured = len(raw)

    def check(need: int, done: str = "") -> None:  # print-tcp.c's LENCHECK
        if need > left:
            raise _BadOption(done)
        if at + need > captured:
            raise _CutOption(done)

    if kind in (0, 1, 4):
        return "", 0
    if kind == 2 or kind == 28 or kind == 20:
        check(2)
        value = _be(raw[at : at + 2])
        if kind == 2:
            return f" {value}", 2
        if kind == 20:
            return f" cap {raw[at]:02x} id {raw[at + 1]}", 2
        return f" 0x{value:x} {(value >> 1) * 60 if value & 1 else value >> 1}", 2
    if kind == 3:
        check(1)
        return f" {raw[at]}", 1
    if kind == 8:
        check(8)
        return f" val {_be(raw[at : at + 4])} ecr {_be(raw[at + 4 : at + 8])}", 8
    if kind in (6, 7, 11, 12, 13):
        check(4)
        return f" {_be(raw[at : at + 4])}", 4
    datalen = size - 2
    if kind == 5:
        if datalen % 8:
            return " invalid sack", datalen
        text = f" {datalen // 8} "
        for j in range(0, datalen, 8):
            check(j + 4, text)
            check(j + 8, text)
            text += _sack_blocks(raw[at + j : at + j + 8], sack_base)
        return text, datalen
    if kind == 19:
        check(16)
        why = "snaplen too short, " if md5_short else "shared secret not supplied with -M, "
        return f" {why}can't check - {raw[at : at + 16].hex()}", 16
    if kind == 29:
        if datalen < 2:
            return " (invalid)", datalen
        check(1)
        text = f" keyid {raw[at]}"
        check(2, text)
        text += f" rnextkeyid {raw[at + 1]}"
        if datalen > 2:
            text += " mac 0x"
            for j in range(2, datalen):
                check(j + 1, text)
                text += f"{raw[at + j]:02x}"
        return text, datalen
    if kind == 30:
        check(datalen)
        text, fine = _mptcp_option(raw[at - 2 : at + datalen], flags)
        if not fine:
            raise _BadOption(text)
        return text, datalen
    if kind == 34:
        check(datalen)
        return " " + _fastopen(raw[at : at + datalen]), datalen
    if kind == 254:
        check(datalen)
        if datalen < 2:
            raise _BadOption()
        magic = _be(raw[at : at + 2])
        if magic == _TFO_MAGIC:
            return "-tfo" + _fastopen(raw[at + 2 : at + datalen]), datalen
        return f"-{magic:04x}", datalen
    text = " 0x" if datalen else ""
    for j in range(datalen):
        check(j + 1, text)
        text += f"{raw[at + j]:02x}"
    return text, datalen


def _tcp_options(
    raw: bytes, hlen: int, flags: int = 0, sack_base: int = 0, md5_short: bool = False
) -> tuple[str, bool]:
    """print-tcp.c's option list of a header with ``hlen`` bytes of options, of which the capture holds
    ``raw``: ``[mss 1460,nop,wscale 7]``, and whether the line ends with it (a bad option, tcpdump's
    ``[bad opt]``, or one the capture cuts, `` [|tcp]``). SACK blocks print less ``sack_base``; ``md5_short``:
    the capture ends before the segment does (the MD5 signature option says so)."""
    out = ["["]
    sep, proto = "", "tcp"  # print-tcp.c's ch; a cut after an MPTCP option is named [|mptcp]
    at, left, captured = 0, hlen, len(raw)
    while left > 0:
        out.append(sep)
        if at >= captured:
            return "".join(out) + f" [|{proto}]", True
        kind = raw[at]
        at += 1
        if kind <= 1:
            size = 1
        else:
            if at >= captured:
                return "".join(out) + f" [|{proto}]", True
            size = raw[at]
            at += 1
            if size < 2 or size > left:
                return "".join(out) + "[bad opt]" + ("]" if sep else ""), True
            left -= 1
        left -= 1
        out.append(TCPDUMP_TCP_OPTION_NAMES.get(kind, "" if kind == _CC_ECHO else f"unknown-{kind}"))
        try:
            text, datalen = _option_value(kind, size, raw, at, left, flags, sack_base, md5_short)
        except _BadOption as bad:
            return "".join(out) + f"{bad.args[0] if bad.args else ''}[bad opt]" + ("]" if sep else ""), True
        except _CutOption as cut:
            return "".join(out) + f"{cut.args[0]} [|{proto}]" + (">" if sep else ""), True
        if kind == 30:
            proto = "mptcp"
        out.append(text)
        at += datalen
        left -= datalen
        if datalen + (1 if kind <= 1 else 2) != size:
            out.append(f"[len {size}]")
        sep = ","
        if kind == 0:
            break
    out.append("]")
    return "".join(out), False


def _tcp_text(
    t: TcpLayer, seqs: TcpSequences | None = None, src: bytes = b"", dst: bytes = b""
) -> tuple[str, bool]:
    """The TCP part of a line up to its ``length N``, and whether the line ends there without it (an
    option tcpdump finds bad or cut). With ``seqs``, sequence numbers relative to the conversation of
    ``src`` and ``dst``."""
    _, sport, dport, seq, ack, flags, win, plen, options, urp, hl, short = t
    if hl < 20:  # tcpdump says so before it reads the flags
        return f" tcp {plen} [bad hdr length {hl} - too short, < 20]", True
    sack_base = 0
    if seqs is not None:
        seq, ack, sack_base = seqs.relative(src, dst, sport, dport, flags, seq, ack)
    parts = [f"Flags [{tcp_flag_letters(flags & 0xFF)}]"]  # tcpdump 4.99 does not show the NS/AE bit (0x100)
    if plen < 0:  # the IP packet ends inside the header
        return f"{parts[0]} [bad hdr length {hl} - too long, > {hl + plen}]", True
    if plen > 0:
        parts.append(f"seq {seq}:{(seq + plen) & 0xFFFFFFFF}")
    elif flags & 0x07:  # SYN, FIN or RST: the sequence number matters even without data
        parts.append(f"seq {seq}")
    if flags & 0x10:
        parts.append(f"ack {ack}")
    parts.append(f"win {win}")
    if flags & 0x20:
        parts.append(f"urg {urp}")
    if hl > 20:
        shown, ended = _tcp_options(options, hl - 20, flags & 0xFF, sack_base, short)
        parts.append(f"options {shown}")
        if ended:
            return ", ".join(parts), True
    parts.append(f"length {max(plen, 0)}")
    text = ", ".join(parts)
    if plen > 0 and len(options) < hl - 20:  # an end-of-list option before the capture ends
        return f"{text} [remaining caplen({20 + len(options)}) < header length({hl})] [|tcp]", True
    return text, False


def _icmp_text(t: IcmpLayer) -> str:
    """print-icmp.c's line without -v (ip_protocols.icmp_text)."""
    return icmp_text(t[5], t[4])


def _icmp6_text(t: Icmp6Layer) -> str:
    """print-icmp6.c's line without -v (ip_protocols.icmp6_text)."""
    return icmp6_text(t[5], t[4])


def _arp_text(t: ArpLayer) -> str:
    _, op, hrd, pro, sha, spa, tha, tpa, length = t
    if pro != ETHERTYPE_IP or len(spa) != 4:
        return f"ARP, hardware type {hrd}, protocol 0x{pro:04x}, op {op}, length {length}"
    if op == 1:
        known = f" ({mac_text(tha)})" if any(tha) else ""
        return f"ARP, Request who-has {_ntoa(tpa)}{known} tell {_ntoa(spa)}, length {length}"
    if op == 2:
        return f"ARP, Reply {_ntoa(spa)} is-at {mac_text(sha)}, length {length}"
    if op == 3:
        return f"RARP, Request who-is {mac_text(tha)} tell {mac_text(sha)}, length {length}"
    if op == 4:
        return f"RARP, Reply {mac_text(tha)} at {_ntoa(tpa)}, length {length}"
    return f"ARP, op {op}, length {length}"


# tcpdump 4.99's names (print-domain.c); a type it does not name prints as Type<n>, a class as (Class <n>)
_DNS_TYPES = {
    1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG", 9: "MR", 10: "NULL",
    11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO", 15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB", 19: "X25",
    20: "ISDN", 21: "RT", 22: "NSAP", 23: "NSAP_PTR", 24: "SIG", 25: "KEY", 26: "PX", 27: "GPOS",
    28: "AAAA", 29: "LOC", 30: "NXT", 31: "EID", 32: "NIMLOC", 33: "SRV", 34: "ATMA", 35: "NAPTR",
    36: "KX", 37: "CERT", 38: "A6", 39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP",
    45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 99: "SPF", 100: "UINFO", 101: "UID",
    102: "GID", 103: "UNSPEC", 104: "UNSPECA", 249: "TKEY", 250: "TSIG", 251: "IXFR", 252: "AXFR",
    253: "MAILB", 254: "MAILA", 255: "ANY", 256: "URI",
}  # fmt: skip
_DNS_CLASSES = {1: "", 3: " CHAOS", 4: " HS", 255: " ANY"}
_DNS_OPS = {0: "", 1: " inv_q", 2: " stat", 4: " notify", 5: " update", 9: " updateA", 10: " updateD",
            11: " updateDA", 12: " updateM", 13: " updateMA", 14: " zoneInit", 15: " zoneRef"}  # fmt: skip
_DNS_RCODES = {0: "", 1: " FormErr", 2: " ServFail", 3: " NXDomain", 4: " NotImp", 5: " Refused",
               6: " YXDomain", 7: " YXRRSet", 8: " NXRRSet", 9: " NotAuth", 10: " NotZone",
               15: " NoChange", 16: " BadVers", 17: "Resp17", 21: "Resp21", 23: " BadCookie"}  # fmt: skip


def _dns_class(value: int) -> str:
    """`` CHAOS``, `` (Class 7)``; nothing for IN."""
    return _DNS_CLASSES.get(value, f" (Class {value})")


def _dns_text(t: DnsLayer, cut: bool = False) -> str:
    """tcpdump's DNS summary (print-domain.c, not verbose): ``6699+ A? example.com. (29)``; with
    ``cut`` (the capture ends in the message) without the length, which tcpdump prints last."""
    _, ident, flags, (qd, an, ns, ar), questions, answers, length, mdns = t
    opcode = (flags >> 11) & 0xF
    ops = _DNS_OPS.get(opcode, f" op{opcode}")
    parts = []
    if flags & 0x8000:  # a response
        rcode = (flags & 0xF) | (flags >> 16) << 4  # with the bits an OPT record adds (lean.decode_dns)
        parts.append(
            f"{ident}{ops}{_DNS_RCODES.get(rcode, f' Resp{rcode}')}{'*' if flags & 0x0400 else ''}"
            f"{'' if flags & 0x0080 else '-'}{'|' if flags & 0x0200 else ''}{'$' if flags & 0x0020 else ''}"
        )
        if qd != 1:
            parts.append(f" [{qd}q]")
        if questions is None:  # cut in the questions, before tcpdump prints the counts
            return "".join(parts) + "," * len(answers)
        parts.append(f" {an}/{ns}/{ar}")
        shown = []
        for _name, rtype, rdata, rclass in answers:
            if rtype is None:  # an answer tcpdump could not even start to read: only its comma
                shown.append("")
                continue
            flush = mdns and rclass & 0x8000
            text = f"{_dns_class(rclass & 0x7FFF if mdns else rclass)}{' (Cache flush)' if flush else ''}"
            text += f" {_DNS_TYPES.get(rtype, f'Type{rtype}')}"
            shown.append(text + (f" {rdata}" if rdata is not None else ""))
        parts.append(",".join(shown))
    else:
        parts.append(f"{ident}{ops}{'+' if flags & 0x0100 else ''}{'%' if flags & 0x0010 else ''}")
        if flags & 0x6CF:
            parts.append(f" [b2&3=0x{flags:x}]")
        if an:
            parts.append(f" [{an}a]")
        if qd != 1:
            parts.append(f" [{qd}q]")
        if ns:
            parts.append(f" [{ns}n]")
        if ar:
            parts.append(f" [{ar}au]")
        if questions:
            name, qtype, qclass = questions[0]
            if mdns:  # the top bit asks for a unicast answer
                qclass_text = f"{_dns_class(qclass & 0x7FFF)} {'(QU)' if qclass & 0x8000 else '(QM)'}"
            else:
                qclass_text = _dns_class(qclass)
            parts.append(f" {_DNS_TYPES.get(qtype, f'Type{qtype}')}{qclass_text}? {name}")
    if not cut:
        parts.append(f" ({length})")
    return "".join(parts)


def _syslog_text(priority: int, length: int) -> str:
    """tcpdump's ``SYSLOG user.notice, length: 9`` (the colon is tcpdump's)."""
    facility = (priority & 0x3F8) >> 3
    name = SYSLOG_FACILITIES[facility] if facility < len(SYSLOG_FACILITIES) else f"unknown ({facility})"
    return f"SYSLOG {name}.{SYSLOG_SEVERITIES[priority & 7]}, length: {length}"


def _tail(layers: Layers, i: int) -> str:
    """Text for a trailing trunc or bad marker at position ``i``, else ''."""
    if i < len(layers):
        t = layers[i]
        if t[0] == "trunc":
            return f" [|{t[1]}]"
        if t[0] == "bad":
            return f" [malformed {t[1]}: {t[2]}]"
    return ""


# headers whose " [|layer]" tcpdump prints after the colon and its space, where it cannot read even
# their start ("IP a > b:  [|udp]"); TCP's comes with one space ("IP a > b: [|tcp]")
_SPACED_TRUNC = frozenset(("udp", "icmp", "icmp6", "pim", "ospf2", "ospf3", "gre", "eigrp", "ah"))


_BOOTP_OPS = {1: "Request", 2: "Reply"}  # print-bootp.c's bootp_op_values
_PIMV2_TYPES = (
    *("Hello", "Register", "Register Stop", "Join / Prune", "Bootstrap", "Assert", "Graft"),
    *("Graft Acknowledgement", "Candidate RP Advertisement", "Prune Refresh", "DF Election"),
    "ECMP Redirect",
)  # print-pim.c's pimv2_type_values, by type
_OSPF_TYPES = (None, "Hello", "Database Description", "LS-Request", "LS-Update", "LS-Ack")
"""print-ospf.c's and print-ospf6.c's type_values, by type (0 is none)."""
_OSPF_MD5_LENGTH = 16  # the digest after an OSPFv2 packet with cryptographic authentication


_EIGRP_VERSION = 2
_EIGRP_OPCODES = {1: "Update", 3: "Query", 4: "Reply", 5: "Hello", 6: "IPX SAP", 7: "Probe"}  # print-eigrp.c
_IGMP_LEFT = frozenset((0x13, 0x14, 0x1E, 0x1F))  # DVMRP, PIMv1, mtrace: tcpdump decodes on; not here
_RELTS_UNITS = ((31536000, "y"), (604800, "w"), (86400, "d"), (3600, "h"), (60, "m"), (1, "s"))


def relts(seconds: int) -> str:
    """tcpdump's unsigned_relts_print: ``1h2m3s``."""
    if seconds == 0:
        return "0s"
    text = ""
    for size, unit in _RELTS_UNITS:
        if seconds >= size:
            text += f"{seconds // size}{unit}"
            seconds %= size
    return text


def _ipv4_at(start: bytes, at: int) -> str | None:
    return ".".join(str(b) for b in start[at : at + 4]) if len(start) >= at + 4 else None


def _igmp_text(layer: IgmpLayer) -> str | None:
    """print-igmp.c's line without -v (None for the kinds tcpdump decodes further: DVMRP, PIMv1,
    mtrace); `` [|igmp]`` where the capture ends before a field it reads."""
    _, start, length = layer
    cut = " [|igmp]"
    if not start:
        return cut
    kind = start[0]
    if kind in _IGMP_LEFT:
        return igmp_more_text(start, length)  # DVMRP, mtrace; None for PIMv1
    if kind in (0x12, 0x16, 0x17):
        group = _ipv4_at(start, 4)
        if group is None:
            return cut
        name = {0x12: "igmp v1 report", 0x16: "igmp v2 report", 0x17: "igmp leave"}[kind]
        return f"{name} {group}" + (f" [len {length}]" if kind == 0x12 and length != 8 else "")
    if kind == 0x22:
        if length < 16 or length & 3:
            return f"igmp v3 report [invalid len {length}]"
        if len(start) < 8:
            return "igmp v3 report" + cut
        return f"igmp v3 report, {start[6] << 8 | start[7]} group record(s)"
    if kind != 0x11:
        return f"igmp-{kind}"
    text = "igmp query"
    if length >= 12:
        text += " v3"
        if length & 3:
            return f"{text} [invalid len {length}]"
        if len(start) < 2:
            return text + cut
        mrc = start[1]
        mrt = mrc if mrc < 128 else ((mrc & 0x0F) | 0x10) << (((mrc & 0x70) >> 4) + 3)
        if mrc != 100:
            text += (
                f" [max resp time {mrt * 0.1:.1f}s]" if mrt < 600 else f" [max resp time {relts(mrt // 10)}]"
            )
        group = _ipv4_at(start, 4)
        if group is None:
            return text + cut
        if group == "0.0.0.0":
            return text
        text += f" [gaddr {group}"
        if len(start) < 12:
            return text + cut
        sources = start[10] << 8 | start[11]
        if sources:
            text += " [invalid number of sources]" if length < 12 + sources * 4 else f", {sources} source(s)"
        return text + "]"
    if len(start) < 2:
        return text + cut
    text += f" v2 [max resp time {start[1]}]" if start[1] not in (0, 100) else " v2" if start[1] else " v1"
    group = _ipv4_at(start, 4)
    if group is None:
        return text + cut
    if group != "0.0.0.0":
        text += f" [gaddr {group}]"
    return text + (f" [len {length}]" if length != 8 else "")


_VRRP_AUTH = ("none", "simple", "ah")  # print-vrrp.c's auth2str, by type
_VRRP_ADVERTISEMENT = 1


def _vrrp_text(layer: VrrpLayer, ttl: int, length: int) -> str:
    """print-vrrp.c's line without -v; `` [|vrrp]`` where the capture ends before a field it prints."""
    start = layer[1]
    if not start:
        return "VRRP [|vrrp]"
    version, kind = start[0] >> 4, start[0] & 0x0F
    name = "Advertisement" if kind == _VRRP_ADVERTISEMENT else f"unknown type ({kind})"
    text = f"VRRPv{version}, {name}"
    if ttl != 255:
        text += f", (ttl {ttl})"
    if version not in (2, 3) or kind != _VRRP_ADVERTISEMENT:
        return text
    if len(start) < 3:
        return text + " [|vrrp]"
    text += f", vrid {start[1]}, prio {start[2]}"
    if len(start) < 5:
        return text + " [|vrrp]"
    if version == 2:
        auth = start[4]
        text += ", authtype " + (_VRRP_AUTH[auth] if auth < len(_VRRP_AUTH) else f"#{auth}")
        if len(start) < 6:
            return text + " [|vrrp]"
        return f"{text}, intvl {start[5]}s, length {length}"
    if len(start) < 6:
        return text + " [|vrrp]"
    return f"{text}, intvl {(start[4] & 0x0F) << 8 | start[5]}cs, length {length}"


def _pim_text(layer: PimLayer, length: int) -> str:
    """print-pim.c's line without -v: ``PIMv2, Hello, length 34``."""
    _, version, kind = layer
    if version != 2:
        return f"PIMv{version}, length {length}"
    name = _PIMV2_TYPES[kind] if kind < len(_PIMV2_TYPES) else "Unknown Type"
    return f"PIMv2, {name}, length {length}"


def _ospf_text(layer: OspfLayer, length: int) -> str:
    """print-ospf.c's (over IPv4) or print-ospf6.c's (over IPv6) line without -v."""
    _, version, kind, md5, over_ipv6 = layer
    name = _OSPF_TYPES[kind] if kind < len(_OSPF_TYPES) else None
    if name is None:
        name = f"unknown packet type ({kind})" if over_ipv6 else f"unknown LS-type {kind}"
    if md5 and not over_ipv6:
        length -= _OSPF_MD5_LENGTH
    return f"OSPFv{version}, {name}, length {length}"


def _bootp_text(app: BootpLayer, length: int) -> str:
    """print-bootp.c's line without -v: ``BOOTP/DHCP, Request from MAC, length N``."""
    _, op, chaddr, cut = app
    text = "BOOTP/DHCP, " + _BOOTP_OPS.get(op, f"unknown (0x{op:02x})")
    if cut:
        return text + " [|bootp]"
    if chaddr is not None:
        text += " from " + ":".join(f"{b:02x}" for b in chaddr)
    return f"{text}, length {length}"


def _ports_head(label: str, src: str, dst: str, sport: int, dport: int, prefix: str | None) -> str:
    """How TCP and UDP start their text: with the addresses right after the IP header, else (after
    ``prefix``, the headers between) the ports alone."""
    if prefix is None:
        return f"{label}{src}.{sport} > {dst}.{dport}: "
    return f"{label}{src} > {dst}: {prefix}{sport} > {dport}: "


def _ip_line(
    net: IpLayer | Ip6Layer,
    layers: Layers,
    i: int,
    link_level: bool = False,
    seqs: TcpSequences | None = None,
    prefix: str | None = None,
    handed: tuple[int, int] | None = None,
) -> str:
    """The line of the IP header ``net``, which is ``layers[i]``, and of what follows it; with
    ``prefix``, ``layers[i]`` is the last header tcpdump printed as that prefix (AH, IPv6 extension
    headers: ip_protocols.py), which hands on ``handed`` (protocol, length)."""
    label = ("" if link_level else "IP6 " if net[0] == "ip6" else "IP ") + ip_missing(layers, i, net)
    src, dst = _ip_text(net[1]), _ip_text(net[2])
    proto, plen = handed or (net[3], net[4])
    if prefix is None and i + 1 < len(layers) and layers[i + 1][0] == "ipx":
        return ipx_line(
            layers, i, label, src, dst, proto, plen,
            lambda j, text, p, n: _ip_line(net, layers, j, link_level, seqs, text, (p, n)),
        )  # fmt: skip
    if i + 1 >= len(layers):
        if net[0] == "ip6" and proto == IPPROTO_NONE:
            return f"{label}{src} > {dst}: no next header"
        return f"{label}{src} > {dst}: ip-proto-{proto} {plen}"
    nxt = layers[i + 1]
    if nxt[0] == "trunc" and len(nxt) == 4:  # a TCP or UDP header cut after its ports
        return _ports_head(label, src, dst, nxt[2], nxt[3], prefix) + f" [|{nxt[1]}]"
    if nxt[0] == "tcp" or nxt[0] == "udp":
        head = _ports_head(label, src, dst, nxt[1], nxt[2], prefix)
        app = layers[i + 2] if i + 2 < len(layers) else None
        if nxt[0] == "udp":
            if app is not None and app[0] == "udp-app" and app[1] == "ptp":  # print-ptp.c, as over Ethernet
                return head + ptp_text(app[2], app[3])
            if app is not None and app[0] == "udp-app":

                def tunnel(n: int, inner: Layers = layers[i + 3 :]) -> str:  # a carried frame's line
                    mac = link_prefix(inner, n) if link_level and inner[0][0] in ("eth", "ppp") else ""
                    return mac + summary_line(inner, n, link_level, seqs)

                framed = tunnel if i + 3 < len(layers) else None
                return head + udp_app_text(app, nxt[1], nxt[2], net[1], net[2], framed, link_level)
            if app is not None and app[0] == "dns":
                cut = i + 3 < len(layers) and layers[i + 3][0] == "trunc"
                return head + _dns_text(app, cut) + _tail(layers, i + 3)
            if app is not None and app[0] == "dns-short":
                return f"{head}domain [length {app[1]} < 12] (invalid)"
            if app is not None and app[0] == "trunc" and app[1] in ("domain", "bootp", "ntp", "syslog"):
                return f"{head} [|{app[1]}]"
            if app is not None and app[0] == "bootp":
                return head + _bootp_text(app, nxt[3])
            if app is not None and app[0] == "ntp":
                return f"{head}NTPv{app[1]}, {TCPDUMP_NTP_MODE_NAMES[app[2]]}, length {nxt[3]}"
            if app is not None and app[0] == "syslog":
                priority = app[1]
                return head + (_syslog_text(priority, nxt[3]) if priority is not None else " (invalid)")
            if app is not None and app[0] == "bad" and app[1] == "udp":  # print-udp.c's length complaints
                return head + (f"UDP, {app[2]}" if app[2].startswith("bad length") else app[2])
            return head + f"UDP, length {nxt[3]}" + _tail(layers, i + 2)
        body, ended = _tcp_text(nxt, seqs, net[1], net[2])
        if ended or (app is not None and app[0] == "trunc" and app[1] == "tcp"):  # bad or cut options
            return head + body
        if app is not None and app[0] == "tcp-app" and app[1] == "nfs":  # print-tcp.c: by ports, addresses
            return head + body + nfs_tcp_text(app[2], app[3], nxt[1], nxt[2], net[1], net[2])
        if app is not None and app[0] == "tcp-app":
            return head + body + tcp_app_text(app[1], app[2], app[3])
        # DNS over TCP follows the length with a space, not a colon, in tcpdump 4.99
        if app is not None and app[0] == "dns":
            cut = i + 3 < len(layers) and layers[i + 3][0] == "trunc"
            return f"{head}{body} {_dns_text(app, cut)}{_tail(layers, i + 3)}"
        if app is not None and app[0] == "trunc" and app[1] == "domain":
            return f"{head}{body}{'' if app[2:] else ' '} [|domain]"  # the space comes after the prefix
        if app is not None and app[0] == "http":
            return f"{head}{body}: HTTP" + (f": {app[1]}" if app[1] else "") + _tail(layers, i + 3)
        return head + body + _tail(layers, i + 2)
    head = f"{label}{src} > {dst}: {prefix or ''}"
    if (nxt[0] == "icmp") == (net[0] == "ip6") and nxt[0] in ("icmp", "icmp6"):  # print-ip-demux.c
        return f"{head}[{'ICMP requires IPv4' if net[0] == 'ip6' else 'ICMPv6 requires IPv6'}] (invalid)"
    if nxt[0] == "icmp":
        return head + _icmp_text(nxt) + _tail(layers, i + 2)
    if nxt[0] == "icmp6":
        return head + _icmp6_text(nxt) + _tail(layers, i + 2)
    if nxt[0] == "pim":
        return head + _pim_text(nxt, plen)
    if nxt[0] == "ospf":
        return head + _ospf_text(nxt, plen)
    if nxt[0] == "vrrp":
        return head + _vrrp_text(nxt, net[5], plen)
    if nxt[0] == "eigrp":
        if nxt[1] != _EIGRP_VERSION:
            return f"{head}EIGRP version {nxt[1]} packet not supported"
        return f"{head}EIGRP {_EIGRP_OPCODES.get(nxt[2], f'unknown ({nxt[2]})')}, length: {plen}"
    if nxt[0] == "ip-misc":
        return head + ip_misc_text(nxt[1], nxt[2], nxt[3])
    if nxt[0] == "gre":
        if nxt[1] > 1:
            return f"{head}GREv{nxt[1]} ERROR: unknown-version"
        gre = f"GREv{nxt[1]}{nxt[2]}"
        if nxt[5]:
            return f"{head}{gre} [|gre]"
        if link_level:  # -e: the protocol GRE carries
            carries = TCPDUMP_ETHERTYPE_NAMES.get(nxt[3]) or LOW_ETHERTYPE_NAMES.get(nxt[3], "unknown")
            gre += f", proto {carries} (0x{nxt[3]:04x})"
        gre += f", length {plen}"
        if nxt[1] == 1 and nxt[2].endswith("no-payload"):
            return head + gre
        if nxt[4] and i + 2 < len(layers) and layers[i + 2][0] in ("ip", "ip6"):
            inner = layers[i + 2]
            assert inner[0] == "ip" or inner[0] == "ip6"
            return f"{head}{gre}: " + _ip_line(inner, layers, i + 2, link_level, seqs)
        carried = layers[i + 2] if nxt[4] and i + 2 < len(layers) else None
        if carried is not None and (nxt[1], nxt[3]) in GRE_CARRIED:  # MPLS, OSI, Ethernet, PPP
            size = plen - 4 - 4 * nxt[2].count(", ")  # each field GRE's text shows is a 4-byte word
            mac = link_prefix(layers[i + 2 :], size) if link_level else ""
            return f"{head}{gre}: {mac}" + summary_line(layers[i + 2 :], size, link_level, seqs)
        if carried is not None and carried[0] == "trunc" and carried[1] == "ip":  # cut in its header
            return f"{head}{gre}: " + ("IP  [|ip]" if len(carried) > 2 and not link_level else " [|ip]")
        if nxt[4]:  # the IP packet inside is otherwise damaged: what its printer says
            return f"{head}{gre}: " + _tail(layers, i + 2).lstrip()
        return f"{head}{gre}: gre-proto-0x{nxt[3]:x}"
    if nxt[0] == "igmp":
        igmp = _igmp_text(nxt)
        if igmp is not None:
            return head + igmp
    if nxt[0] == "other" and nxt[1] == "fragment":
        if net[0] == "ip6":
            fragment = net[6]
            return head + f"frag ({fragment[0] if fragment else 0}|{plen})"
        return head + f"ip-proto-{proto}"
    if nxt[0] == "ip" or nxt[0] == "ip6":  # IP in IP (or after AH, a routing header...); -e drops "IP" too
        return head + _ip_line(nxt, layers, i + 1, link_level, seqs)
    if nxt[0] == "eth":  # Ethernet in IPv6 (SRv6): tcpdump prints what the frame carries (-e: its header)
        frame = layers[i + 1 :]
        mac = link_prefix(frame, plen) if link_level else ""
        return head + mac + summary_line(frame, plen, link_level, seqs)
    if nxt[0] == "other":
        name = TCPDUMP_IP_PROTOCOL_NAMES.get(proto)
        # print-ip-demux.c's default case starts with a space of its own
        return head + (f"{name.upper()}, length {plen}" if name else f" ip-proto-{proto} {plen}")
    if nxt[0] == "trunc" and nxt[1] == "icmp6" and len(nxt) == 3 and isinstance(itype := nxt[2], int):
        return f"{head}ICMP6, {icmp6_name(itype)} [|icmp6]"
    if nxt[0] == "trunc" and nxt[1] in _SPACED_TRUNC:
        return head + _tail(layers, i + 1)
    if nxt[0] in ("trunc", "bad"):
        return head + _tail(layers, i + 1).lstrip()
    return head + f"ip-proto-{proto} {plen}"


MAXIMUM_SNAPLEN = 262144
"""tcpdump's (netdissect.h): the largest captured or wire length it prints a packet of."""


def invalid_header(caplen: int, length: int) -> str | None:
    """What tcpdump prints instead of a packet whose record's lengths cannot be (print.c's sanity checks:
    a length of 0, a wire length below the captured one, either above :data:`MAXIMUM_SNAPLEN`), with no
    timestamp: ``[Invalid header: caplen==0, len==0]``; None for a sound record."""
    problems = []
    if caplen == 0:
        problems.append(" caplen==0")
    if length == 0:
        problems.append(" len==0")
    elif length < caplen:
        problems.append(f" len({length}) < caplen({caplen})")
    if caplen > MAXIMUM_SNAPLEN:
        problems.append(f" caplen({caplen}) > {MAXIMUM_SNAPLEN}")
    if length > MAXIMUM_SNAPLEN:
        problems.append(f" len({length}) > {MAXIMUM_SNAPLEN}")
    return f"[Invalid header:{','.join(problems)}]" if problems else None


def _default_print(layers: Layers, i: int, default_print: bool) -> str:
    """tcpdump's default printer after a link header it decodes no further: the payload
    (``layers[i]``, a ``data`` layer) in hex and ASCII on the lines below, unless -x/-X dump it."""
    t = layers[i] if i < len(layers) else None
    if not default_print or t is None or t[0] != "data":
        return ""
    dump = hex_lines(t[1], True)
    return f"\n{dump}" if dump else ""


def summary_line(
    layers: Layers,
    length: int,
    link_level: bool = False,
    seqs: TcpSequences | None = None,
    default_print: bool = True,
) -> str:
    """The tcpdump-style text of one frame (without the timestamp); ``length`` is its wire length.

    With ``link_level`` (tcpdump's -e) the caller prints the link header before this text, so a frame
    of an unknown ethertype is not introduced by its addresses again. ``seqs``: the capture's TCP
    conversations, for relative sequence numbers (None: absolute, as ``tcpdump -S``). ``default_print``:
    a payload tcpdump does not decode is dumped in hex and ASCII on the lines below, as tcpdump does
    unless -x or -X dump the frame (False: the first line alone).
    """
    eth: EthLayer | None = None
    for i, t in enumerate(layers):
        # each test reads t[0] again, where a local would do, so that the type checker narrows t
        if t[0] == "eth":
            eth = t
        elif t[0] == "ip" or t[0] == "ip6":
            return _ip_line(t, layers, i, link_level, seqs)
        elif t[0] in LINK_KINDS:  # Cisco HDLC, PPP, MPLS, SLIP, switch tags...: links.py

            def rest(more: Layers, size: int) -> str:
                return summary_line(more, size, link_level, seqs, default_print)

            return link_text(layers, i, length, rest, default_print, link_level)
        elif t[0] == "arp":
            text = _arp_text(t)
            # with -e the ethertype already says ARP, and tcpdump drops the word
            return text[5:] if link_level and text.startswith("ARP, ") else text
        elif t[0] == "llc":
            if i + 1 < len(layers) and layers[i + 1][0] == "ethproto":
                continue  # tcpdump's llc_print reads the frame whole: ether_protocols prints it
            _, dsap, ssap, ctrl, _len = t
            return f"LLC, dsap 0x{dsap:02x}, ssap 0x{ssap:02x}, ctrl 0x{ctrl:02x}, length {length}"
        elif t[0] == "ethproto":
            after = layers[i + 1 :]  # what a PPPoE session, Arista's or MACsec's header or NSH carries

            def carried(after: Layers = after, inside: int = t[3] - len(t[2])) -> str:
                ppp = link_level and bool(after) and after[0][0] in LINK_KINDS  # -e prints PPP's header too
                head = link_prefix(after, length) if ppp else ""
                if link_level and after and after[0][0] == "eth":  # and the header of a frame NSH carries
                    head = link_prefix(after, inside)
                return head + summary_line(after, length, link_level, seqs, default_print)

            return ether_protocol_line(t, eth, link_level, default_print, carried)
        elif t[0] == "other":
            kind, value, plen = t[1], t[2], t[3]
            if kind == "ethertype":
                name = TCPDUMP_ETHERTYPE_NAMES.get(value)
                if name is not None:
                    return f"{name}, length {plen}"
                dump = _default_print(layers, i + 1, default_print)
                if link_level:
                    return dump
                if eth is None:  # Linux cooked capture: its header, as -e prints it
                    return link_prefix(layers, length) + dump
                macs = f"{mac_text(eth[2])} > {mac_text(eth[1])}"
                return f"{macs}, ethertype Unknown (0x{value:04x}), length {length}: {dump}"
            if kind == "linktype":
                return f"link-type {value}, length {length}"
            if kind == "family":  # the link header (as -e prints it), then the payload
                dump = _default_print(layers, i + 1, default_print)
                return dump if link_level else link_prefix(layers, length) + dump
            if kind == "sll-protocol":  # tcpdump 4.99 prints no header here without -e
                return _default_print(layers, i + 1, default_print)
            return f"{kind} {value}, length {plen}"
        elif t[0] in WLAN_LAYERS:
            after_llc = partial(
                summary_line, length=length, link_level=link_level, seqs=seqs, default_print=default_print
            )
            return wlan_text(layers, i, after_llc, default_print)
        elif t[0] == "unsupported":  # tcpdump's unsupported_if_print
            dump = hex_lines(t[3], True)
            return f"UNSUPPORTED\n{dump}" if dump else "UNSUPPORTED"
        elif t[0] == "said":  # lean_links2's headers: said.py
            rest = partial(summary_line, link_level=link_level, seqs=seqs, default_print=default_print)
            return said_text(layers, i, link_level, rest, _default_print(layers, i + 1, default_print))
        elif t[0] == "trunc":
            # tcpdump names IPv4 once it has the version, then its " [|ip]" as everywhere
            label = "IP " if t[1] == "ip" and t[2:] == (4,) and not link_level else ""
            return f"{label} [|{t[1]}]"
        elif t[0] == "bad":
            if t[1] == "ip" and t[2].startswith(("bad-hlen ", "bad-len ")):  # print-ip.c's checks
                return ("" if link_level else "IP ") + t[2]
            if t[1] == "ip" and t[2].startswith("unknown ip "):
                return t[2]
            return f"[malformed {t[1]}: {t[2]}]"
    return f"length {length}"


__all__ = ["MAXIMUM_SNAPLEN", "TcpSequences", "invalid_header", "mac_text", "relts", "summary_line"]
