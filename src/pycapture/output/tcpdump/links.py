"""tcpdump 4.99's one-line text for Cisco HDLC, PPP, MPLS, OSI NLPIDs, SLIP, PKTAP, 802.15.4, switch tags.

Made from the layers of :mod:`pycapture.decode.lean_links`: ``SLARP (length: 20), keepalive: ...``,
``LCP, Conf-Request (0x01), id 1, length 14``, ``MPLS (label 100, tc 0, [S], ttl 64) IP ...``,
``unknown CHDLC protocol (0x3030)``. What these headers carry (IPv4, IPv6...) the caller's summary
printer writes, through the ``rest`` callback.
"""

from __future__ import annotations

import socket
from typing import Callable

from ...decode.lean import printable_text
from ...decode.lean_layers import LINK_KINDS, Layer, Layers, MplsLayer, PppMessageLayer, SlarpLayer
from ...decode.lean_links import (
    CHDLC_ISO,
    CHDLC_SLARP,
    NLPID_IP,
    NLPID_IP6,
    NLPID_PPP,
    PKTAP_HDRLEN,
    PPP_BAP,
    PPP_CHAP,
    PPP_COMP,
    PPP_CONTROL_PROTOCOLS,
    PPP_ML,
    PPP_PAP,
)
from ...protocols.linktypes import linktype_name
from ...protocols.numbers import (
    ETHERTYPE_IP,
    ETHERTYPE_IP6,
    ETHERTYPE_MPLS,
    ETHERTYPE_MPLS_MULTICAST,
    TCPDUMP_ETHERTYPE_NAMES,
)
from ..hexdump import hex_lines
from .ether_protocols import osi_text

_CHDLC_PROTOCOLS = frozenset(
    (ETHERTYPE_IP, ETHERTYPE_IP6, CHDLC_SLARP, ETHERTYPE_MPLS, ETHERTYPE_MPLS_MULTICAST, CHDLC_ISO)
)

# print-ppp.c's ppptype2str
PPP_NAMES = {
    0x0021: "IP", 0x0023: "OSI", 0x0025: "NS", 0x0027: "DECNET", 0x0029: "APPLE", 0x002B: "IPX",
    0x002D: "VJC IP", 0x002F: "VJNC IP", 0x0031: "BRPDU", 0x0033: "STII", 0x0035: "VINES",
    0x0281: "MPLS", 0x0283: "MPLS", 0x00FD: "Compressed", 0x003D: "MLPPP", 0x0057: "IP6",
    0x0201: "HELLO", 0x0231: "LUXCOM", 0x0233: "SNS", 0x8021: "IPCP", 0x8023: "OSICP", 0x8025: "NSCP",
    0x8027: "DECNETCP", 0x8029: "APPLECP", 0x802B: "IPXCP", 0x8033: "STIICP", 0x8035: "VINESCP",
    0x8057: "IP6CP", 0x8281: "MPLSCP", 0xC021: "LCP", 0xC023: "PAP", 0xC025: "LQM", 0xC223: "CHAP",
    0xC227: "EAP", 0xC027: "SPAP", 0xC123: "Old-SPAP", 0xC02B: "BACP", 0xC02D: "BAP", 0xC03D: "MLPPP-CP",
    0x80FD: "CCP",
}  # fmt: skip
"""tcpdump's names of PPP protocols (print-ppp.c's ppptype2str)."""

# print-ppp.c's cpcodes: RFC 1661's codes, RFC 2153's, RFC 1570's and RFC 1962's
_CP_CODES = (
    "Vendor-Extension", "Conf-Request", "Conf-Ack", "Conf-Nack", "Conf-Reject", "Term-Request", "Term-Ack",
    "Code-Reject", "Prot-Reject", "Echo-Request", "Echo-Reply", "Disc-Req", "Ident", "Time-Rem",
    "Reset-Req", "Reset-Ack",
)  # fmt: skip
_CHAP_CODES = {1: "Challenge", 2: "Response", 3: "Success", 4: "Fail"}
_PAP_CODES = {1: "Auth-Req", 2: "Auth-ACK", 3: "Auth-NACK"}
_SLARP_MIN, _SLARP_MAX = 14, 18


class _Cut(Exception):
    """The capture ends where tcpdump reads on (its GET_ macros' longjmp)."""


def link_text(
    layers: Layers,
    i: int,
    length: int,
    rest: Callable[[Layers, int], str],
    default_print: bool = True,
    link_level: bool = False,
) -> str:
    """The text of ``layers[i]`` (one of :data:`LINK_KINDS`) and what follows it, in a frame of wire
    length ``length``; ``rest(layers, length)`` writes the text of layers this module does not know (an
    IP packet, an Ethernet frame, a truncation marker) in a frame of that length. ``default_print``:
    an MPLS payload of unknown type is dumped in hex and ASCII below (not when -x or -X dump the frame).
    ``link_level`` (-e): the first layer's header is in :func:`link_level_prefix`'s text, the headers of
    the layers after it are printed here, and the texts tcpdump leaves out with -e are left out."""
    parts: list[str] = []
    n = len(layers)
    # the layers whose -e header link_level_prefix printed: the first, and the frame's inside a PKTAP header
    printed = 2 if layers[0][:2] == ("link", "pktap") else 1
    while i < n:
        t = layers[i]
        if link_level and i >= printed:
            parts.append(_header(t, length))
        if t[0] == "chdlc":
            if t[2] not in _CHDLC_PROTOCOLS:
                if not link_level:
                    parts.append(f"unknown CHDLC protocol (0x{t[2]:04x})")
                break
        elif t[0] == "slarp":
            parts.append(_slarp_text(t))
            break
        elif t[0] == "ppp":
            framing, proto = t[1], t[2]
            if framing == "serial":
                parts.append(f"{PPP_NAMES.get(proto, f'unknown PPP protocol (0x{proto:04x})')}: ")
            elif framing == "ether":
                parts.append(": ")
            elif framing == "invalid":
                parts.append(f"(protocol 0x{proto:04x} invalid)")
                break
            elif framing == "unknown-addr":
                parts.append(f"unknown addr {proto >> 8:02x}; ctrl {proto & 0xFF:02x}")
                break
            elif framing == "empty":
                break
            elif link_level and framing != "hdlc" and proto not in PPP_NAMES:
                break  # ppp_print with -e names the protocol "unknown" and prints no more
        elif t[0] == "pppmsg":
            parts.append(ppp_message_text(t, link_level))
            break
        elif t[0] == "mpls":
            parts.append(_mpls_text(t, default_print))
            if t[2]:
                break
            parts.append(" ")
        elif t[0] == "osi":
            if t[3]:  # a PDU isoclns_print reads itself
                parts.append(osi_text(t[3], t[2], link_level))
                break
        elif t[0] == "slip":
            if link_level and _utcp_cut(t[2], t[3]):
                parts.append(" [|slip]")
                break
            if t[1] not in (-1, 4, 6):
                parts.append(f"ip v{t[1]}")
                break
        elif t[0] == "atm":
            parts.append(atm_text(t[1], t[2], t[3]))
            break
        elif t[0] == "wpan":
            text = wpan_text(t[1], default_print)
            parts.append(f"link-type 195, length {length}" if text is None else text)
            break
        elif t[0] == "pktap":
            parts.append(_pktap_text(t[1], t[2], t[3], length, link_level))
            if t[1] != "dlt":
                break
        elif t[0] == "linkdata":
            # print-arcnet.c dumps a payload of an unknown type even with -x (no suppress_default_print)
            if (default_print or layers[0][:2] == ("link", "arcnet")) and t[1]:
                parts.append("\n" + hex_lines(t[1], True))
            break
        elif t[0] == "swtag":
            if not link_level:
                parts.append(switch_tag_text(t[1], t[2]))
            if t[1] == "brcm-tag-prepend":  # tcpdump prints the Ethernet frame after it as a frame
                length -= len(t[2])
        else:
            parts.append(rest(layers[i:], length))
            break
        i += 1
    return "".join(parts)


_CHDLC_CASTS = {0x0F: "unicast", 0x8F: "bcast"}
_NLPID_NAMES = {NLPID_IP: "IPv4", NLPID_IP6: "IPv6", NLPID_PPP: "PPP"}  # the NLPIDs an osi layer hands on
_SLIP_TYPES = {0x40: "ip", 0x70: "utcp"}  # print-sl.c: TYPE_IP, TYPE_UNCOMPRESSED_TCP


def _pktap_text(status: str, a: int, b: int, length: int, link_level: bool = False) -> str:
    """print-pktap.c's text where it does not print the frame inside."""
    if status == "short":
        return f" (packet too short, {a} < {PKTAP_HDRLEN}) (invalid)"
    if status == "small":
        return f" (pkt_len too small, {a} < {PKTAP_HDRLEN}) (invalid)"
    if status == "big":
        return f" (pkt_len too big, {a} > {b}) (invalid)"
    if status == "no-data":
        return "no data"
    if status != "dlt" or link_level:  # -e printed the header before
        return ""
    return f"DLT {_dlt_name(a)} ({a}) len {b}, length {length}: "


def _dlt_name(dlt: int) -> str:
    """libpcap's name of a link type, as pcap_datalink_val_to_name gives it, or ``UNKNOWN``."""
    name = linktype_name(dlt)
    return "UNKNOWN" if name.startswith(("DLT_", "USER")) else name  # libpcap names no user types


def _header(t: Layer, length: int) -> str:
    """The text tcpdump's -e puts before the rest of layer ``t`` (in a frame of ``length`` bytes)."""
    if t[0] == "chdlc":
        _, address, proto, size = t
        cast = _CHDLC_CASTS.get(address, f"0x{address:02x}")
        etype = TCPDUMP_ETHERTYPE_NAMES.get(proto, "Unknown")
        return f"{cast}, ethertype {etype} (0x{proto:04x}), length {size}: "
    if t[0] == "ppp":
        _, framing, proto, size, header = t
        if framing in ("serial", "unknown-addr"):
            return f"{header >> 8:02x} {header & 0xFF:02x} {size} "
        if framing in ("ppp", "ppp-in", "ppp-out"):
            name = PPP_NAMES.get(proto)
            direction = {"ppp-in": "In  ", "ppp-out": "Out "}.get(framing, "")
            return f"{direction}{name or 'unknown'} (0x{proto:04x}), length {size}" + (": " if name else "")
        return ""
    if t[0] == "osi" and not t[3]:
        return f"OSI NLPID {_NLPID_NAMES[t[1]]} (0x{t[1]:02x}): "
    return ""


def link_level_prefix(layers: Layers, length: int, ethernet_prefix: Callable[[Layers, int], str]) -> str:
    """tcpdump's -e text before the rest of a frame whose first layer is one of :data:`LINK_KINDS`
    (``ethernet_prefix`` writes an Ethernet header's, for a switch tag's frame); "" where there is none."""
    first = layers[0]
    if first[0] == "link" and first[1] == "pktap" and first[3] is not None:  # pktap_header_print
        size, dlt = first[2], first[3]
        inner = ethernet_prefix(layers[1:], length - size) if len(layers) > 1 else ""
        return f"DLT {_dlt_name(dlt)} ({dlt}) len {size}, length {length}: {inner}"
    if first[0] == "swtag":
        kind, tag = first[1], first[2]
        if kind == "brcm-tag-prepend":
            return switch_tag_text(kind, tag, True) + ethernet_prefix(layers[1:], length - len(tag))
        frame = ethernet_prefix(layers[1:], length)
        macs = frame.find(", ") + 2  # the tag comes between the addresses and the type
        return frame[:macs] + switch_tag_text(kind, tag, True) + frame[macs:] if macs > 1 else ""
    if first[0] == "slip":
        return _slip_header(first[2], length)
    return _header(first, length)


def _utcp_cut(header: bytes, tcp_cut: bool) -> bool:
    """Whether -e's sliplink_print stops at an uncompressed TCP packet (of a valid direction) whose IP
    and TCP headers the capture cuts: it reads them to learn their length."""
    return tcp_cut and header[0] <= 1 and _SLIP_TYPES.get(header[1] & 0xF0) == "utcp"


def _slip_header(header: bytes, length: int) -> str:
    """print-sl.c's sliplink_print, the -e text of BPF's SLIP pseudo-header: the direction, then the
    type of the compressed TCP/IP header ("" for a compressed one, whose text needs the state of the
    whole capture)."""
    direction, kind = header[0], header[1]
    text = {0: "I ", 1: "O "}.get(direction, f"Invalid direction {direction} ")
    name = _SLIP_TYPES.get(kind & 0xF0)
    if name == "ip":
        return f"{text}ip {length}: "
    if name == "utcp":
        return f"{text}utcp {header[10]}: "  # the connection id, in the IP header's protocol field
    if direction > 1:
        return text
    return "" if kind & 0x80 else f"{text}slip-{kind}!: "


_BRCM_TE = ("None", "Untag", "Header", "Reserved")
_BRCM_RC = {1: "mirror", 2: "MAC learning", 4: "switching", 8: "prot term", 16: "prot snoop", 32: "exception"}


def switch_tag_text(kind: str, tag: bytes, link_level: bool = False) -> str:
    """print-brcmtag.c's and print-dsa.c's text of a switch tag, its trailing comma included; with
    ``link_level`` as -e prints it (a prepended Broadcom tag shows only with -e)."""
    if kind == "brcm-tag" or (kind == "brcm-tag-prepend" and link_level):
        text = f"BRCM tag OP: {'IG' if tag[0] else 'EG'}"
        if tag[0] & 0x20:  # ingress
            text += f", TC: {(tag[1] >> 2) & 7}, TE: {_BRCM_TE[tag[1] & 3]}, TS: {tag[1] >> 7}"
            text += f", DST map: 0x{(tag[2] << 8 | tag[3]) & 0x1FF:04x}"
        else:
            text += f", CID: {tag[1]}, RC: {_BRCM_RC.get(tag[2], 'reserved')}, TC: {(tag[3] >> 5) & 7}"
            text += f", port: {tag[3] & 0x1F}"
        return text + ", "
    if kind == "dsa":
        return ("Marvell DSA " + _dsa_fields(tag)) if link_level else "DSA " + _dsa_common(tag)
    if kind == "edsa":
        etype = tag[0] << 8 | tag[1]
        if link_level:
            name = TCPDUMP_ETHERTYPE_NAMES.get(etype, "Unknown")
            return f"Marvell EDSA ethertype 0x{etype:04x} ({name}), rsvd {tag[2]} {tag[3]}, " + _dsa_fields(
                tag[4:]
            )
        return f"EDSA 0x{etype:04x}, " + _dsa_common(tag[4:])
    return ""


_DSA_MODES = ("To CPU", "From CPU", "To Sniffer", "Forward")
_DSA_CODES = ("BPDU (MGMT) Trap", "Frame2Reg", "IGMP/MLD Trap", "Policy Trap", "ARP Mirror", "Policy Mirror")


def _dsa_fields(tag: bytes) -> str:
    """print-dsa.c's tag_common_print with -e."""
    mode, dev, port = tag[0] >> 6, tag[0] & 0x1F, tag[1] >> 3
    text = f"mode {_DSA_MODES[mode]}, "
    if mode == 3:
        text += f"dev {dev}, {'trunk' if tag[1] & 4 else 'port'} {port}, "
    elif mode == 1:
        text += f"target dev {dev}, port {port}, "
    elif mode == 0:
        code = (tag[1] & 0x06) | (tag[2] & 0x10) >> 4
        reason = _DSA_CODES[code] if code < len(_DSA_CODES) else "reserved"
        text += f"source dev {dev}, port {port}, code {reason}, "
    else:
        text += f"source dev {dev}, port {port}, {'ingress' if tag[1] & 4 else 'egress'} sniff, "
    text += f"{'tagged' if tag[0] & 0x20 else 'untagged'}, {'CFI, ' if tag[1] & 1 else ''}"
    return text + f"VID {(tag[2] & 0x0F) << 8 | tag[3]}, FPri {tag[2] >> 5}, "


def _dsa_common(tag: bytes) -> str:
    """print-dsa.c's tag_common_print without -e."""
    mode, dev, port = tag[0] >> 6, tag[0] & 0x1F, tag[1] >> 3
    if mode == 3:
        text = f"Forward {'trunk' if tag[1] & 4 else 'port'} {dev}.{port}, "
    elif mode == 1:
        text = f"CPU > port {dev}.{port}, "
    elif mode == 0:
        text = f"port {dev}.{port} > CPU, "
    else:
        text = f"port {dev}.{port} > {'Rx' if tag[1] & 4 else 'Tx'} Sniffer, "
    return f"{text}VLAN {(tag[2] & 0x0F) << 8 | tag[3]}{'t' if tag[0] & 0x20 else 'u'}, "


def _ipv4(raw: bytes) -> str:
    return socket.inet_ntoa(raw)


def _slarp_text(t: SlarpLayer) -> str:
    """print-chdlc.c's chdlc_slarp_print without -v."""
    _, raw, length = t
    text = f"SLARP (length: {length}), "
    if length < _SLARP_MIN or len(raw) < _SLARP_MIN:
        return text + " [|chdlc_slarp]"
    code = int.from_bytes(raw[:4], "big")
    if code == 0:
        return text + "request"
    if code == 1:
        return f"{text}reply {_ipv4(raw[4:8])}/{_ipv4(raw[8:12])}"
    if code == 2:
        text += (
            f"keepalive: mineseen=0x{int.from_bytes(raw[4:8], 'big'):08x}, "
            f"yourseen=0x{int.from_bytes(raw[8:12], 'big'):08x}, reliability=0x{raw[12] << 8 | raw[13]:04x}"
        )
        if length >= _SLARP_MAX:  # the uptime stamp is optional
            if len(raw) < _SLARP_MAX:
                return text + " [|chdlc_slarp]"
            sec = int.from_bytes(raw[14:18], "big") // 1000
            mins, sec = divmod(sec, 60)
            hrs, mins = divmod(mins, 60)
            days, hrs = divmod(hrs, 24)
            text += f", link uptime={days}d{hrs}h{mins}m{sec}s"
        return text
    dump = hex_lines(raw[4:length], False)
    return f"{text}0x{code:02x} unknown" + (f"\n{dump}" if dump else "")


def _mpls_text(t: MplsLayer, default_print: bool) -> str:
    """print-mpls.c's label stack without -v, and how it ends when no payload layers follow."""
    _, stack, end, rest = t
    entries = (int.from_bytes(stack[at : at + 4], "big") for at in range(0, len(stack), 4))
    text = "MPLS" + "".join(
        f" (label {e >> 12}, tc {(e >> 9) & 7}{', [S]' if e & 0x100 else ''}, ttl {e & 0xFF})"
        for e in entries
    )
    if end == "cut":
        return text + " [|mpls]"
    if end == "invalid":
        return text + " (invalid)"
    if end == "invalid-cut":
        return text + " (invalid) [|mpls]"
    if end == "unknown" and default_print and rest:
        return f"{text}\n{hex_lines(rest, True)}"
    return text


def ppp_message_text(t: PppMessageLayer, link_level: bool = False) -> str:
    """What print-ppp.c's handle_ppp prints of a payload that is not a network-layer packet (with
    ``link_level``, as with -e)."""
    _, proto, msg, length, cut_name = t
    out: list[str] = []
    try:
        if proto in PPP_CONTROL_PROTOCOLS:
            _control(out, proto, msg, length)
        elif proto == PPP_ML:
            if not link_level:
                out.append("MLPPP, ")
            if length < 2 or len(msg) < 2:
                out.append("[|mlppp]")
            else:
                flags = ", ".join(name for bit, name in ((0x80, "begin"), (0x40, "end")) if msg[0] & bit)
                out.append(
                    f"seq 0x{(msg[0] << 8 | msg[1]) & 0xFFF:03x}, Flags [{flags or 'none'}], length {length}"
                )
        elif proto == PPP_CHAP:
            _chap(out, msg, length)
        elif proto == PPP_PAP:
            _pap(out, msg, length)
        elif proto == PPP_BAP:
            pass  # tcpdump prints nothing of BAP
        elif proto == PPP_COMP:
            out.append("compressed PPP data")
        else:
            out.append(f"{PPP_NAMES.get(proto, f'unknown PPP protocol (0x{proto:04x})')} ")
            if msg:
                out.append("\n" + hex_lines(msg, False))
    except _Cut:
        out.append(f" [|{cut_name}]")
    return "".join(out)


def _byte(msg: bytes, at: int) -> int:
    if at >= len(msg):
        raise _Cut
    return msg[at]


def _chars(out: list[str], msg: bytes, at: int, count: int) -> None:
    """``count`` bytes as tcpdump's fn_print_char prints them (a negative count: as many as it can,
    as tcpdump's unsigned count that wrapped around); _Cut where the capture ends first."""
    chunk = msg[at : at + count] if count >= 0 else msg[at:]
    out.append(printable_text(chunk))
    if count < 0 or len(chunk) < count:
        raise _Cut


def _control(out: list[str], proto: int, msg: bytes, length: int) -> None:
    """handle_ctrl_proto without -v: LCP, IPCP, CCP and the other RFC 1661 control protocols."""
    name = PPP_NAMES.get(proto, f"unknown ctrl-proto (0x{proto:04x})")
    out.append(f"{name}, ")
    if length < 4 or len(msg) < 2:
        out.append(f"[|{name}]")
        return
    code = msg[0]
    code_name = _CP_CODES[code] if code < len(_CP_CODES) else "Unknown Opcode"
    out.append(f"{code_name} (0x{code:02x}), id {msg[1]}, length {length + 2}")


def _chap(out: list[str], msg: bytes, length: int) -> None:
    """handle_chap: RFC 1994's messages, the fields all CHAP flavours share."""
    if length < 1:
        out.append("[|chap]")
        return
    if length < 4:
        out.append(f"[|chap 0x{_byte(msg, 0):02x}]")
        return
    code = _byte(msg, 0)
    out.append(f"CHAP, {_CHAP_CODES.get(code, 'unknown')} (0x{code:02x})")
    out.append(f", id {_byte(msg, 1)}")
    size = _byte(msg, 2) << 8 | _byte(msg, 3)
    at = 4
    if code in (1, 2):
        if length - at < 1:
            return
        value_size = _byte(msg, at)
        at += 1
        if length - at < value_size:
            return
        value = msg[at : at + value_size]
        out.append(", Value " + value.hex())
        if len(value) < value_size:
            raise _Cut
        at += value_size
        out.append(", Name ")
        _chars(out, msg, at, size - at)
    elif code in (3, 4):
        out.append(", Msg ")
        _chars(out, msg, at, size - at)


def _pap(out: list[str], msg: bytes, length: int) -> None:
    """handle_pap: RFC 1334's messages."""
    if length < 1:
        out.append("[|pap]")
        return
    if length < 4:
        out.append(f"[|pap 0x{_byte(msg, 0):02x}]")
        return
    code = _byte(msg, 0)
    out.append(f"PAP, {_PAP_CODES.get(code, 'unknown')} (0x{code:02x})")
    out.append(f", id {_byte(msg, 1)}")
    size = _byte(msg, 2) << 8 | _byte(msg, 3)
    if size > length:
        out.append(f", length {size} > packet size")
        return
    length = size
    if length < 4:
        out.append(f", length {length} < PAP header length")
        return
    if code == 1:
        if size < 6:
            out.append("[|pap]")
            return
        fields: tuple[str, ...] = (", Peer ", ", Name ")
    elif code in (2, 3):
        if size < 5:
            out.append("[|pap]")
            return
        fields = (", Msg ",)
    else:
        return
    at = 4
    for label in fields:
        if length - at < 1:
            return
        count = _byte(msg, at)
        at += 1
        if length - at < count:
            return
        out.append(label)
        _chars(out, msg, at, count)
        at += count


# --- ATM: print-atm.c -----------------------------------------------------------------------------------

_Q2931 = 0x09  # the protocol discriminator of UNI 3.1 signalling
_Q2931_MESSAGES = {
    0x02: "Call_proceeding", 0x07: "Connect", 0x0F: "Connect_ack", 0x05: "Setup", 0x4D: "Release",
    0x5A: "Release_complete", 0x46: "Restart", 0x4E: "Restart_ack", 0x7D: "Status", 0x75: "Status_enquiry",
    0x80: "Add_party", 0x81: "Add_party_ack", 0x82: "Add_party_reject", 0x83: "Drop_party",
    0x84: "Drop_party_ack",
}  # fmt: skip
_ATM_PAYLOAD_TYPES = (
    "user data, uncongested, SDU 0", "user data, uncongested, SDU 1", "user data, congested, SDU 0",
    "user data, congested, SDU 1", "VCC OAM F5 flow segment", "VCC OAM F5 flow end-to-end",
    "Traffic Control and resource Mgmt",
)  # fmt: skip
_OAM_FLOWS = {3: "OAM F4 (segment)", 4: "OAM F4 (end)"}


def atm_text(vci: int, start: bytes, length: int) -> str:
    """atm_print's text for VPI 0's signalling and OAM VCIs (print-atm.c, no -v)."""
    if vci == 2:
        return "broadcast sig: "
    if vci == 1:
        return "meta: "
    if vci == 5:  # sig_print
        if not start:
            return " [|atm]"
        if start[0] != _Q2931:
            return f"SSCOP, proto {start[0]} "
        if len(start) < 6:
            return "Q.2931 [|atm]"
        text = f"Q.2931:{_Q2931_MESSAGES.get(start[5], f'msgtype#{start[5]}')} "
        return text + f"CALL_REF:0x{int.from_bytes(start[2:5], 'big'):06x}"
    if len(start) < 6:  # oam_print reads the cell header after the HEC byte, then the cell type
        return " [|oam]"
    header = int.from_bytes(start[1:5], "big")
    cell_vci, payload = (header >> 4) & 0xFFFF, (header >> 1) & 7
    name = _ATM_PAYLOAD_TYPES[payload] if payload < len(_ATM_PAYLOAD_TYPES) else "Unknown"
    return (
        f"{_OAM_FLOWS.get(cell_vci, 'OAM F5')}, vpi {(header >> 20) & 0xFF}, vci {cell_vci}, "
        f"payload [ {name} ], clp {header & 1}, length {length}"
    )


# --- IEEE 802.15.4: print-802_15_4.c --------------------------------------------------------------------

_WPAN_TYPES = ("Beacon", "Data", "ACK", "Command", "Reserved", "Multipurpose", "Fragment", "Extended")
_WPAN_ADDRESS_LENGTHS = (0, -1, 2, 8)  # by addressing mode: none, reserved, short, extended
_WPAN_COMMANDS_WITHOUT_DATA = frozenset((0x04, 0x05, 0x06, 0x07))  # data request ... beacon request
_WPAN_COMMANDS = {
    0x01: "Association Request", 0x02: "Association Response", 0x03: "Disassociation Notification",
    0x04: "Data Request", 0x05: "PAN ID Conflict Notification", 0x06: "Orphan Notification",
    0x07: "Beacon Request", 0x08: "Coordinator realignment", 0x09: "GTS request",
    0x0A: "TRLE Management Request", 0x0B: "TRLE Management Response", 0x13: "DSME Association Request",
    0x14: "DSME Association Response", 0x15: "DSME GTS Request", 0x16: "DSME GTS Response",
    0x17: "DSME GTS Notify", 0x18: "DSME Information Request", 0x19: "DSME Information Response",
    0x1A: "DSME Beacon Allocation Notification", 0x1B: "DSME Beacon Collision Notification",
    0x1C: "DSME Link Report", 0x20: "RIT Data Request", 0x21: "DBS Request", 0x22: "DBS Response",
    0x23: "RIT Data Response", 0x24: "Vendor Specific",
}  # fmt: skip
"""print-802_15_4.c's mac_c_names (each with `` command`` after it; the others are ``Reserved 0x..``)."""


def _reverse8(y: int) -> int:
    return int(f"{y:08b}"[::-1], 2)


def _wpan_crc16(data: bytes) -> int:
    """print-802_15_4.c's CRC-16 (CCITT, initial value 0, bits reversed in and out)."""
    crc = 0
    for byte in data:
        x = ((crc >> 8) ^ _reverse8(byte)) & 0xFF
        x ^= x >> 4
        crc = ((crc << 8) ^ (x << 12) ^ (x << 5) ^ x) & 0xFFFF
    return int(f"{crc:016b}"[::-1], 2)


def _wpan_crc32(data: bytes) -> int:
    """print-802_15_4.c's CRC-32 (polynomial 0x04C11DB7, initial value 0, bits reversed in and out)."""
    crc = 0
    for byte in data:
        byte = _reverse8(byte) << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if (crc ^ byte) & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
            byte = (byte << 1) & 0xFFFFFFFF
    return int(f"{crc:032b}"[::-1], 2)


def _wpan_address(raw: bytes) -> str:
    if len(raw) == 2:
        return f"{raw[1] << 8 | raw[0]:04x}"
    if len(raw) == 8:
        return raw[::-1].hex(":")
    return "none"


def wpan_text(frame: bytes, default_print: bool = True) -> str | None:
    """tcpdump's line for an IEEE 802.15.4 frame without -v: its type and version, the PANs and addresses
    (``dst < src``), the fields of a beacon or command it reads, then the payload dumped below (unless
    ``default_print`` is False); None for what this printer does not read yet (multipurpose frames,
    security headers, information elements, command payloads)."""
    fc = frame[0] | frame[1] << 8
    kind = fc & 7
    out = f"IEEE 802.15.4 {_WPAN_TYPES[kind]} packet "
    if kind in (4, 6, 7):
        return out
    if kind == 5:
        return None
    size = len(frame)
    if size >= 4:  # an FCS of 4 bytes, or of 2, when it checks; else none
        if _wpan_crc32(frame[: size - 4]) == int.from_bytes(frame[size - 4 :], "little"):
            size -= 4
        elif _wpan_crc16(frame[: size - 2]) == int.from_bytes(frame[size - 2 : size], "little"):
            size -= 2
    version = (fc >> 12) & 3
    out += f"v{version} "
    if fc & 0x100:  # sequence number suppressed
        if version < 2:
            out += "[ERROR: Sequence number suppressed on frames where version < 2]"
        if size < 2:
            return out + " [|802.15.4]"
        at = 2
    else:
        if len(frame) < 3 or size < 3:
            return out + " [|802.15.4]"
        at = 3
    dst_len = _WPAN_ADDRESS_LENGTHS[(fc >> 10) & 3]
    src_len = _WPAN_ADDRESS_LENGTHS[(fc >> 14) & 3]
    if src_len < 0:
        return out + "[ERROR: Invalid src address mode]"
    if dst_len < 0:
        return out + "[ERROR: Invalid dst address mode]"
    compressed = bool(fc & 0x40)
    dst_pan, src_pan = True, not compressed
    if version < 2 and compressed and (dst_len <= 0 or src_len <= 0):
        out += "[ERROR: PAN ID Compression != 0, and only one address with frame version < 2]"
    if dst_len <= 0:
        dst_pan = False
    if src_len <= 0:
        src_pan = False
    if version >= 2:
        if compressed:
            if src_len == 0 and dst_len == 0:
                dst_pan = True
            elif (src_len == 0) != (dst_len == 0) or (src_len == 8 and dst_len == 8):
                dst_pan = src_pan = False
        elif src_len == 8 and dst_len == 8:
            dst_pan, src_pan = True, False
        elif src_len == 8 and dst_len == 2:  # tcpdump's BROKEN_6TISCH_PAN_ID_COMPRESSION, which it defines
            src_pan = False
    for pan, address_len, last in ((dst_pan, dst_len, False), (src_pan, src_len, True)):
        if pan:
            if size - at < 2:
                return out + "[ERROR: Truncated before dst_pan]"
            out += f"{frame[at + 1] << 8 | frame[at]:04x}:"
            at += 2
        else:
            out += "-:"
        if size - at < address_len:
            return out + "[ERROR: Truncated before dst_addr]"
        out += _wpan_address(frame[at : at + address_len]) + (" " if last else " < ")
        at += address_len
    if fc & 0x208:  # a security header or information elements: not read here
        return None
    if kind == 0 and version < 2:  # a beacon: superframe, GTS and pending addresses (shown with -v)
        if size - at < 2:
            return out + "[ERROR: Truncated before beacon information]"
        at += 2
        if size - at < 1:
            return out + "[ERROR: Truncated before GTS info]"
        count = frame[at] & 7
        skip = 2 + count * 3 if count else 1
        if size - at < skip:
            return out + " [ERROR: Truncated GTS Info List]"
        at += skip
        if size - at < 1:
            return out + "[ERROR: Truncated before pending addresses]"
        skip = 1 + (frame[at] & 7) * 2 + ((frame[at] >> 4) & 7) * 8
        if size - at < skip:
            return out + " [ERROR: Pending address list truncated]"
        at += skip
    elif kind == 3:
        if size - at < 1:
            out += "[ERROR: Truncated before Command ID]"
        else:
            command = frame[at]
            if command >= 0x30:
                out += f"Command ID = Reserved 0x{command:02x} "
            else:
                name = _WPAN_COMMANDS.get(command)
                out += f"Command ID = {name} command " if name else f"Command ID = Reserved 0x{command:02x} "
            at += 1
            if size - at and command not in _WPAN_COMMANDS_WITHOUT_DATA:
                return None
    dump = hex_lines(frame[at:size], True) if default_print else ""
    return out + (f"\n{dump}" if dump else "")


__all__ = [
    "LINK_KINDS",
    "PPP_NAMES",
    "atm_text",
    "link_level_prefix",
    "link_text",
    "ppp_message_text",
    "switch_tag_text",
]
