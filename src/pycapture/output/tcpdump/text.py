"""tcpdump-style one-line summaries, made from the lean decoder's layer tuples.

The wording follows tcpdump 4.99 with ``-n`` (``IP 10.0.0.1.5353 > 10.0.0.2.53: UDP, length 33``,
``Flags [S.]``, ``ICMP echo request, id 1, seq 2, length 64``, ``ARP, Request who-has ...``). TCP
sequence numbers are relative to each conversation's first segment with ACK when a
:class:`TcpSequences` is given (tcpdump's default), absolute without one (``tcpdump -S``).
"""

from __future__ import annotations

import socket
import struct

from ...decode.lean_layers import (
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

_ntoa = socket.inet_ntoa
_ntop = socket.inet_ntop
_AF_INET6 = socket.AF_INET6


_ICMP_SIMPLE = {
    0: "echo reply", 4: "source quench", 8: "echo request", 9: "router advertisement",
    10: "router solicitation", 12: "parameter problem", 13: "time stamp query", 14: "time stamp reply",
    15: "information request", 16: "information reply", 17: "address mask request", 18: "address mask reply",
}  # fmt: skip

_ICMP6_NAMES = {
    1: "destination unreachable", 2: "packet too big", 3: "time exceeded in-transit", 4: "parameter problem",
    128: "echo request", 129: "echo reply", 130: "multicast listener query", 131: "multicast listener report",
    132: "multicast listener done", 133: "router solicitation", 134: "router advertisement",
    135: "neighbor solicitation", 136: "neighbor advertisement", 137: "redirect",
    143: "multicast listener report v2",
}  # fmt: skip


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


def _tcp_option(kind: int, size: int, body: bytes, sack_base: int = 0) -> str:
    name = TCPDUMP_TCP_OPTION_NAMES.get(kind)
    if kind == 2 and size == 4:
        return f"{name} {int.from_bytes(body, 'big')}"
    if kind == 3 and size == 3:
        return f"{name} {body[0]}"
    if kind == 5:
        return f"{name} {len(body) // 8} {_sack_blocks(body, sack_base)}"
    if kind == 8 and size == 10:
        return f"{name} val {int.from_bytes(body[:4], 'big')} ecr {int.from_bytes(body[4:], 'big')}"
    if name is not None and kind not in (2, 3, 8):  # a named option of no value: sackOK, mptcp, tfo
        return name
    return f"unknown-{kind} 0x{body.hex()}" if body else f"unknown-{kind}"


def _cut_tcp_option(kind: int, size: int, body: bytes, sack_base: int = 0) -> str:
    """What tcpdump 4.99 prints of an option whose value the capture cuts, its " [|tcp]" included."""
    name = TCPDUMP_TCP_OPTION_NAMES.get(kind)
    if kind == 5:
        return f"{name} {(size - 2) // 8} {_sack_blocks(body, sack_base)} [|tcp]>"
    if name is None:
        return f"unknown-{kind} 0x{body.hex()} [|tcp]>"
    # the ">" (which closed option lists once) comes with the values tcpdump reads past a bounds check
    return f"{name} [|tcp]{'>' if kind in (3, 8) else ''}"


def _tcp_options(raw: bytes, cut: bool = False, sack_base: int = 0) -> str:
    """The options of a TCP header, ``mss 1460,nop,wscale 7``; SACK blocks less ``sack_base``.

    With ``cut`` (the capture ends in them), tcpdump's text from the bracket on, ``[mss 1460,TS [|tcp]>``,
    or "" when an end-of-list option comes before the cut and tcpdump reads no further.
    """
    out = []
    i, n = 0, len(raw)
    while i < n:
        kind = raw[i]
        if kind == 0:
            out.append("eol")
            break
        if kind == 1:
            out.append("nop")
            i += 1
            continue
        if cut and (i + 1 >= n or i + raw[i + 1] > n):
            done = "".join(f"{text}," for text in out)
            if i + 1 >= n:  # not even the option's length
                return f"[{done} [|tcp]"
            return f"[{done}{_cut_tcp_option(kind, raw[i + 1], raw[i + 2 :], sack_base)}"
        if i + 1 >= n or raw[i + 1] < 2 or i + raw[i + 1] > n:
            out.append("bad opt")
            break
        size = raw[i + 1]
        out.append(_tcp_option(kind, size, raw[i + 2 : i + size], sack_base))
        i += size
    if cut:
        return "" if out and out[-1] == "eol" else "[" + "".join(f"{text}," for text in out) + " [|tcp]"
    return ",".join(out)


def _tcp_text(
    t: TcpLayer, cut: bool = False, seqs: TcpSequences | None = None, src: bytes = b"", dst: bytes = b""
) -> str:
    """The TCP part of a line; with ``cut``, the capture ends in the header's options. With ``seqs``,
    sequence numbers relative to the conversation of ``src`` and ``dst``."""
    _, sport, dport, seq, ack, flags, win, plen, options = t
    sack_base = 0
    if seqs is not None:
        seq, ack, sack_base = seqs.relative(src, dst, sport, dport, flags, seq, ack)
    parts = [f"Flags [{tcp_flag_letters(flags & 0xFF)}]"]  # tcpdump 4.99 does not show the NS/AE bit (0x100)
    if plen > 0:
        parts.append(f"seq {seq}:{(seq + plen) & 0xFFFFFFFF}")
    elif flags & 0x07:  # SYN, FIN or RST: the sequence number matters even without data
        parts.append(f"seq {seq}")
    if flags & 0x10:
        parts.append(f"ack {ack}")
    parts.append(f"win {win}")
    shown = _tcp_options(options, True, sack_base) if cut else ""
    if shown:
        parts.append(f"options {shown}")
        return ", ".join(parts)
    if options:
        parts.append(f"options [{_tcp_options(options, False, sack_base)}]")
    parts.append(f"length {max(plen, 0)}")
    return ", ".join(parts)


def _icmp_text(t: IcmpLayer) -> str:
    _, itype, code, rest, length, quoted = t
    if itype in (0, 8):
        return f"ICMP {_ICMP_SIMPLE[itype]}, id {rest >> 16}, seq {rest & 0xFFFF}, length {length}"
    if itype == 3:
        inner_dst = _ntoa(quoted[16:20]) if len(quoted) >= 20 else "?"
        if code == 0:
            what = f"net {inner_dst} unreachable"
        elif code == 1:
            what = f"host {inner_dst} unreachable"
        elif code == 2:
            what = f"{inner_dst} protocol {quoted[9] if len(quoted) > 9 else '?'} unreachable"
        elif code == 3:
            ihl = (quoted[0] & 0x0F) * 4 if quoted else 20
            proto = TCPDUMP_IP_PROTOCOL_NAMES.get(quoted[9], "?") if len(quoted) > 9 else "?"
            port = int.from_bytes(quoted[ihl + 2 : ihl + 4], "big") if len(quoted) >= ihl + 4 else "?"
            what = f"{inner_dst} {proto} port {port} unreachable"
        elif code == 4:
            what = f"{inner_dst} unreachable - need to frag (mtu {rest & 0xFFFF})"
        else:
            what = f"{inner_dst} unreachable - code {code}"
        return f"ICMP {what}, length {length}"
    if itype == 11:
        return f"ICMP time exceeded {'in-transit' if code == 0 else 'ip reassembly'}, length {length}"
    if itype == 5:
        return f"ICMP redirect {_ntoa(rest.to_bytes(4, 'big'))}, length {length}"
    name = _ICMP_SIMPLE.get(itype)
    return f"ICMP {name or f'type-#{itype}'}, length {length}"


def _icmp6_text(t: Icmp6Layer) -> str:
    _, itype, _code, rest, length, target = t
    name = _ICMP6_NAMES.get(itype, f"icmp6 type-#{itype}")
    if itype in (128, 129):
        return f"ICMP6, {name}, id {rest >> 16}, seq {rest & 0xFFFF}, length {length}"
    if itype == 135 and len(target) == 16:
        return f"ICMP6, {name}, who has {_ntop(_AF_INET6, target)}, length {length}"
    if itype == 136 and len(target) == 16:
        return f"ICMP6, {name}, tgt is {_ntop(_AF_INET6, target)}, length {length}"
    if itype == 2:
        return f"ICMP6, {name}, mtu {rest}, length {length}"
    return f"ICMP6, {name}, length {length}"


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
               15: " NoChange"}  # fmt: skip


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
        rcode = flags & 0xF
        parts.append(
            f"{ident}{ops}{_DNS_RCODES.get(rcode, f' Resp{rcode}')}{'*' if flags & 0x0400 else ''}"
            f"{'' if flags & 0x0080 else '-'}{'|' if flags & 0x0200 else ''}{'$' if flags & 0x0020 else ''}"
        )
        if qd != 1:
            parts.append(f" [{qd}q]")
        if questions is None:  # cut in the questions, before tcpdump prints the counts
            return "".join(parts)
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
_SPACED_TRUNC = frozenset(("udp", "icmp", "icmp6", "pim", "ospf2", "ospf3", "gre", "eigrp"))


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


def _relts(seconds: int) -> str:
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
        return None
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
                f" [max resp time {mrt * 0.1:.1f}s]" if mrt < 600 else f" [max resp time {_relts(mrt // 10)}]"
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


def _ip_line(
    net: IpLayer | Ip6Layer,
    layers: Layers,
    i: int,
    link_level: bool = False,
    seqs: TcpSequences | None = None,
) -> str:
    """The line of the IP header ``net``, which is ``layers[i]``, and of what follows it."""
    label = "" if link_level else "IP6 " if net[0] == "ip6" else "IP "
    src, dst = _ip_text(net[1]), _ip_text(net[2])
    proto, plen = net[3], net[4]
    if i + 1 >= len(layers):
        if net[0] == "ip6" and proto == IPPROTO_NONE:
            return f"{label}{src} > {dst}: no next header"
        return f"{label}{src} > {dst}: ip-proto-{proto} {plen}"
    nxt = layers[i + 1]
    if nxt[0] == "trunc" and len(nxt) == 4:  # a TCP or UDP header cut after its ports
        return f"{label}{src}.{nxt[2]} > {dst}.{nxt[3]}:  [|{nxt[1]}]"
    if nxt[0] == "tcp" or nxt[0] == "udp":
        head = f"{label}{src}.{nxt[1]} > {dst}.{nxt[2]}: "
        app = layers[i + 2] if i + 2 < len(layers) else None
        if nxt[0] == "udp":
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
            return head + f"UDP, length {nxt[3]}" + _tail(layers, i + 2)
        if app is not None and app[0] == "trunc" and app[1] == "tcp":  # cut in the options
            return head + _tcp_text(nxt, True, seqs, net[1], net[2])
        body = _tcp_text(nxt, False, seqs, net[1], net[2])
        # DNS over TCP follows the length with a space, not a colon, in tcpdump 4.99
        if app is not None and app[0] == "dns":
            cut = i + 3 < len(layers) and layers[i + 3][0] == "trunc"
            return f"{head}{body} {_dns_text(app, cut)}{_tail(layers, i + 3)}"
        if app is not None and app[0] == "trunc" and app[1] == "domain":
            return f"{head}{body}{'' if app[2:] else ' '} [|domain]"  # the space comes after the prefix
        if app is not None and app[0] == "http":
            return f"{head}{body}: HTTP" + (f": {app[1]}" if app[1] else "") + _tail(layers, i + 3)
        return head + body + _tail(layers, i + 2)
    head = f"{label}{src} > {dst}: "
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
    if nxt[0] == "gre":
        gre = f"GREv{nxt[1]}{nxt[2]}"
        if nxt[5]:
            return f"{head}{gre} [|gre]"
        gre += f", length {plen}"
        if nxt[1] == 1 and nxt[2].endswith("no-payload"):
            return head + gre
        if nxt[4] and i + 2 < len(layers) and layers[i + 2][0] in ("ip", "ip6"):
            inner = layers[i + 2]
            assert inner[0] == "ip" or inner[0] == "ip6"
            return f"{head}{gre}: " + _ip_line(inner, layers, i + 2, False, seqs)
        carried = layers[i + 2] if nxt[4] and i + 2 < len(layers) else None
        if carried is not None and carried[0] == "trunc" and carried[1] == "ip":  # cut in its header
            return f"{head}{gre}: " + ("IP  [|ip]" if len(carried) > 2 else " [|ip]")
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
    if nxt[0] == "other":
        name = TCPDUMP_IP_PROTOCOL_NAMES.get(proto)
        return head + (f"{name.upper()}, length {plen}" if name else f"ip-proto-{proto} {plen}")
    if nxt[0] == "trunc" and nxt[1] == "icmp6" and len(nxt) == 3 and isinstance(itype := nxt[2], int):
        return f"{head}ICMP6, {_ICMP6_NAMES.get(itype, f'icmp6 type-#{itype}')} [|icmp6]"
    if nxt[0] == "trunc" and nxt[1] in _SPACED_TRUNC:
        return head + _tail(layers, i + 1)
    if nxt[0] in ("trunc", "bad"):
        return head + _tail(layers, i + 1).lstrip()
    return head + f"ip-proto-{proto} {plen}"


def summary_line(
    layers: Layers, length: int, link_level: bool = False, seqs: TcpSequences | None = None
) -> str:
    """The tcpdump-style text of one frame (without the timestamp); ``length`` is its wire length.

    With ``link_level`` (tcpdump's -e) the caller prints the link header before this text, so a frame
    of an unknown ethertype is not introduced by its addresses again. ``seqs``: the capture's TCP
    conversations, for relative sequence numbers (None: absolute, as ``tcpdump -S``).
    """
    eth: EthLayer | None = None
    for i, t in enumerate(layers):
        # each test reads t[0] again, where a local would do, so that the type checker narrows t
        if t[0] == "eth":
            eth = t
        elif t[0] == "ip" or t[0] == "ip6":
            return _ip_line(t, layers, i, link_level, seqs)
        elif t[0] == "arp":
            text = _arp_text(t)
            # with -e the ethertype already says ARP, and tcpdump drops the word
            return text[5:] if link_level and text.startswith("ARP, ") else text
        elif t[0] == "llc":
            _, dsap, ssap, ctrl, _len = t
            if dsap == 0x42 and ssap == 0x42:
                return f"STP 802.1d, length {length}"
            return f"LLC, dsap 0x{dsap:02x}, ssap 0x{ssap:02x}, ctrl 0x{ctrl:02x}, length {length}"
        elif t[0] == "other":
            kind, value, plen = t[1], t[2], t[3]
            if kind == "ethertype":
                name = TCPDUMP_ETHERTYPE_NAMES.get(value)
                if name is not None:
                    return f"{name}, length {plen}"
                if link_level:
                    return ""
                macs = f"{mac_text(eth[2])} > {mac_text(eth[1])}, " if eth else ""
                return f"{macs}ethertype Unknown (0x{value:04x}), length {length}"
            if kind == "linktype":
                return f"link-type {value}, length {length}"
            return f"{kind} {value}, length {plen}"
        elif t[0] == "unsupported":  # tcpdump's unsupported_if_print
            dump = hex_lines(t[3], True)
            return f"UNSUPPORTED\n{dump}" if dump else "UNSUPPORTED"
        elif t[0] == "trunc":
            # tcpdump names IPv4 once it has the version, then its " [|ip]" as everywhere
            label = "IP " if t[1] == "ip" and t[2:] == (4,) and not link_level else ""
            return f"{label} [|{t[1]}]"
        elif t[0] == "bad":
            return f"[malformed {t[1]}: {t[2]}]"
    return f"length {length}"


__all__ = ["TcpSequences", "mac_text", "summary_line"]
