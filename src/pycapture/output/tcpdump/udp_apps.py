"""tcpdump 4.99's one-line text (without -v) of the UDP applications it decodes by port.

Each printer follows its print-*.c without -v: it appends its pieces to a list, and where tcpdump's
``GET_*`` macros would find the capture cut short a ``_Cut`` ends the line with what was printed and
tcpdump's `` [|proto]``. ``udp_app_text`` is the one entry point; the layer comes from
``decode/lean_udp.py``.
"""

from __future__ import annotations

import contextlib
import re
import socket
import time
from typing import Callable

from ...decode.lean import http_first_line
from ...decode.lean_layers import UdpAppLayer
from ...protocols.numbers import TCPDUMP_ETHERTYPE_NAMES
from ..hexdump import hex_lines
from . import rpc
from .l2tp import l2tp_text
from .lwres import lwres_text
from .misc_protocols import MISC_UDP_PRINTERS
from .tcp_apps import tcp_app_text
from .text import relts


class _Cut(Exception):
    """The capture ends before a field the printer reads."""


class _Out:
    """What a printer has written so far and the name its truncation marker shows."""

    __slots__ = ("parts", "proto")

    def __init__(self, proto: str) -> None:
        self.parts: list[str] = []
        self.proto = proto

    def __call__(self, text: str) -> None:
        self.parts.append(text)


def _u8(p: bytes, o: int) -> int:
    if o >= len(p):
        raise _Cut
    return p[o]


def _uint(p: bytes, o: int, n: int) -> int:
    if o + n > len(p):
        raise _Cut
    return int.from_bytes(p[o : o + n], "big")


def _need(p: bytes, o: int, n: int) -> None:
    if o + n > len(p):
        raise _Cut


def _ipv4(p: bytes, o: int) -> str:
    _need(p, o, 4)
    return socket.inet_ntop(socket.AF_INET, p[o : o + 4])


def _ipv6(p: bytes, o: int) -> str:
    _need(p, o, 16)
    return socket.inet_ntop(socket.AF_INET6, p[o : o + 16])


def _bits(table: tuple[tuple[int, str], ...], value: int, none: str, sep: str = ", ") -> str:
    """tcpdump's bittok2str (``sep`` ", ") and bittok2str_nosep (``sep`` "")."""
    names = [name for bit, name in table if value & bit == bit and bit]
    return sep.join(names) if names else none


def _char(c: int) -> str:
    """tcpdump's fn_print_char: a byte as printable ASCII, ``M-`` for the high bit, ``^`` for control."""
    text = ""
    if c & 0x80:
        c &= 0x7F
        text = "M-"
    if not 0x20 <= c <= 0x7E:
        c ^= 0x40
        text += "^"
    return text + chr(c)


def _printztn(out: _Out, p: bytes, o: int, n: int) -> int:
    """tcpdump's nd_printztn: the NUL-terminated string at ``o`` of at most ``n`` bytes; the bytes it
    took, NUL included, or 0 where no NUL came first."""
    taken = 0
    while True:
        if n == 0 or o >= len(p):
            return 0
        c = p[o]
        o += 1
        taken += 1
        n -= 1
        if c == 0:
            return taken
        out(_char(c))


def _printjnp(out: _Out, p: bytes, o: int, n: int) -> None:
    """tcpdump's nd_printjnp: at most ``n`` bytes up to a NUL."""
    while n > 0:
        c = _u8(p, o)
        if c == 0:
            return
        out(_char(c))
        n -= 1
        o += 1


# --- HSRP (print-hsrp.c) -----------------------------------------------------------------------

_HSRP_OPS = ("hello", "coup", "resign")
_HSRP_STATES = {0: "initial", 1: "learn", 2: "listen", 4: "speak", 8: "standby", 16: "active"}


def _hsrp(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    version = _u8(p, 0)
    out(f"HSRPv{version}")
    if version != 0:
        return
    out("-")
    op = _u8(p, 1)
    out(f"{_HSRP_OPS[op] if op < len(_HSRP_OPS) else f'unknown ({op})'} {length}: ")
    state = _u8(p, 2)
    out(f"state={_HSRP_STATES.get(state, f'Unknown ({state})')} ")
    out(f"group={_u8(p, 6)} ")
    if reserved := _u8(p, 7):
        out(f"[reserved={reserved}!] ")
    out(f"addr={_ipv4(p, 16)}")


# --- BFD (print-bfd.c) and BCM-LI (print-bcm-li.c) ---------------------------------------------

_BFD_PORTS = {3784: "Control", 4784: "Multihop", 6784: "Lag"}
_BFD_STATES = ("AdminDown", "Down", "Init", "Up")
_BFD_V0_FLAGS = (
    (0x80, "I Hear You"),
    (0x40, "Demand"),
    (0x20, "Poll"),
    (0x10, "Final"),
    (0x08, "Control Plane Independent"),
    (0x04, "Authentication Present"),
    (0x02, "Reserved"),
    (0x01, "Reserved"),
)
_BFD_V1_FLAGS = (
    (0x20, "Poll"),
    (0x10, "Final"),
    (0x08, "Control Plane Independent"),
    (0x04, "Authentication Present"),
    (0x02, "Demand"),
    (0x01, "Multipoint"),
)


def _bfd(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    _need(p, 0, 24)
    version, flags = p[0] >> 5, p[1]
    if version == 0:
        out(f"BFDv0, Control, Flags: [{_bits(_BFD_V0_FLAGS, flags, 'none')}], length: {length}")
    elif version == 1:
        out(
            f"BFDv1, {_BFD_PORTS.get(dport, f'unknown ({dport})')}, State {_BFD_STATES[flags >> 6]}, "
            f"Flags: [{_bits(_BFD_V1_FLAGS, flags & 0x3F, 'none')}], length: {length}"
        )
    else:
        out(f"BFDv{version}, Control, length: {length}")


def _bfd_echo(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    out(f"BFD, Echo, length: {length}")


_BCM_LI_DIRECTIONS = {1: "unused", 2: "egress", 3: "ingress"}
_BCM_LI_TYPES = {4: "undecided", 5: "ipv4", 6: "ipv6", 7: "ethernet"}
_BCM_LI_SUBTYPES = {1: "single VLAN tag", 2: "double VLAN tag", 3: "untagged"}


def _bcm_li(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    if length < 4:
        out(f" (length {length} < 4) (invalid)")
        return
    shim = _uint(p, 0, 4)
    out(
        f"BCM-LI-SHIM: direction {_BCM_LI_DIRECTIONS.get(shim >> 29 & 7, 'unknown')}, "
        f"pkt-type {_BCM_LI_TYPES.get(shim >> 25 & 0xF, 'unknown')}, "
        f"pkt-subtype {_BCM_LI_SUBTYPES.get(shim >> 22 & 7, 'unknown')}, li-id {shim & 0x3FFFFF}"
    )
    _need(p, 4, length - 4)


# --- ISAKMP / IKE (print-isakmp.c) and ESP (print-esp.c) ---------------------------------------

_ISAKMP_EXCHANGES = {
    0: "none",
    1: "base",
    2: "ident",
    3: "auth",
    4: "agg",
    5: "inf",
    32: "oakley-quick",
    33: "oakley-newgroup",
    34: "ikev2_init",
    35: "ikev2_auth",
    36: "child_sa",
    37: "inf2",
}
_ISAKMP_HEADER = 28
_COOKIES = 20  # tcpdump's MAXINITIATORS

# tcpdump remembers the initiator cookies of the IKEv1 exchanges it saw (a ring of 20, zero at first)
# to say whether a packet comes from the initiator or the responder: (cookie, initiator, responder)
_cookie_cache: list[tuple[bytes, bytes, bytes]] = [(bytes(8), b"", b"")] * _COOKIES
_cookie_next = 0


def reset_isakmp_cookies() -> None:
    """Forget the IKEv1 initiators seen (tcpdump starts each run with none)."""
    global _cookie_next
    _cookie_cache[:] = [(bytes(8), b"", b"")] * _COOKIES
    _cookie_next = 0


def _cookie_find(cookie: bytes) -> int:
    return next((i for i, entry in enumerate(_cookie_cache) if entry[0] == cookie), -1)


def _cookie_record(cookie: bytes, src: bytes, dst: bytes) -> None:
    global _cookie_next
    i = _cookie_find(cookie)
    if i >= 0:
        _cookie_next = (i + 1) % _COOKIES
        return
    _cookie_cache[_cookie_next] = (cookie, src, dst)
    _cookie_next = (_cookie_next + 1) % _COOKIES


def _isakmp(out: _Out, p: bytes, length: int, src: bytes, dst: bytes) -> None:
    out.proto = "isakmp"
    if len(p) < _ISAKMP_HEADER:
        raise _Cut
    out("isakmp:")
    major = p[17] >> 4
    etype, flags = p[18], p[19]
    phase1 = p[20:24] == bytes(4)
    exchange = _ISAKMP_EXCHANGES.get(etype, f"#{etype}")
    if major == 1:
        out(" phase 1" if phase1 else " phase 2/others")
        cookie = p[0:8]
        i = _cookie_find(cookie)
        if i < 0:
            if p[8:16] == bytes(8):  # the exchange's first packet
                out(" I")
                _cookie_record(cookie, src, dst)
            else:
                out(" ?")
        elif _cookie_cache[i][1] == src:
            out(" I")
        elif _cookie_cache[i][2] == src:
            out(" R")
        else:
            out(" ?")
        out(f" {exchange}")
        if flags:
            out(f"[{'E' if flags & 1 else ''}{'C' if flags & 2 else ''}]")
    elif major == 2:
        out(" parent_sa" if phase1 else " child_sa ")
        out(f" {exchange}")
        if flags:
            out(f"[{'I' if flags & 8 else ''}{'V' if flags & 0x10 else ''}{'R' if flags & 0x20 else ''}]")


def _isakmp_app(out: _Out, p: bytes, length: int, src: bytes, dst: bytes) -> None:
    _isakmp(out, p, length, src, dst)


def _isakmp_natt(out: _Out, p: bytes, length: int, src: bytes, dst: bytes) -> None:
    """isakmp_rfc3948_print: a NAT keepalive, IKE after four zero bytes, or ESP in UDP."""
    if length == 1 and _u8(p, 0) == 0xFF:
        out("isakmp-nat-keep-alive")
        return
    if length < 4:
        raise _Cut
    if _uint(p, 0, 4) == 0:
        out("NONESP-encap: ")
        _isakmp(out, p[4:], length - 4, src, dst)
        return
    out("UDP-encap: ")
    out.proto = "esp"
    if len(p) <= 8:
        raise _Cut
    out(f"ESP(spi=0x{_uint(p, 0, 4):08x},seq=0x{_uint(p, 4, 4):x}), length {length}")


# --- DHCPv6 (print-dhcp6.c) --------------------------------------------------------------------

_DHCP6_TYPES = {
    1: "solicit",
    2: "advertise",
    3: "request",
    4: "confirm",
    5: "renew",
    6: "rebind",
    7: "reply",
    8: "release",
    9: "decline",
    10: "reconfigure",
    11: "inf-req",
    12: "relay-fwd",
    13: "relay-reply",
    14: "leasequery",
    15: "leasequery-reply",
}


def _dhcp6(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    out("dhcp6")
    _need(p, 0, 4)
    out(" " + _DHCP6_TYPES.get(p[0], f"msgtype-{p[0]}"))


# --- RADIUS (print-radius.c) -------------------------------------------------------------------

_RADIUS_CODES = {
    1: "Access-Request",
    2: "Access-Accept",
    3: "Access-Reject",
    4: "Accounting-Request",
    5: "Accounting-Response",
    11: "Access-Challenge",
    12: "Status-Server",
    13: "Status-Client",
    40: "Disconnect-Request",
    41: "Disconnect-ACK",
    42: "Disconnect-NAK",
    43: "CoA-Request",
    44: "CoA-ACK",
    45: "CoA-NAK",
    255: "Reserved",
}


def _radius(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    _need(p, 0, 20)
    size = _uint(p, 2, 2)
    if size < 20:
        raise _Cut
    size = min(size, length)
    code = p[0]
    out(f"RADIUS, {_RADIUS_CODES.get(code, 'Unknown Command')} ({code}), id: 0x{p[1]:02x} length: {size}")


# --- sFlow (print-sflow.c) ---------------------------------------------------------------------


def _sflow(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    ip_version = _uint(p, 4, 4)
    if (length < 28 and ip_version == 1) or (length < 40 and ip_version == 2):
        out(f"sFlowv{_uint(p, 0, 4)} [length {length} < 28] (invalid)")
        return
    _need(p, 0, 28)
    version = _uint(p, 0, 4)
    if version != 5:
        out(f"sFlow version {version} packet not supported")
        return
    if ip_version == 1:
        agent, agent_id = _ipv4(p, 8), _uint(p, 12, 4)
    else:
        agent, agent_id = _ipv6(p, 8), _uint(p, 24, 4)
    family = "IPv4" if ip_version == 1 else "IPv6"
    out(f"sFlowv{version}, {family} agent {agent}, agent-id {agent_id}, length {length}")


# --- VXLAN (print-vxlan.c) and Geneve (print-geneve.c) -----------------------------------------

_GENEVE_FLAGS = ((0x80, "O"), (0x40, "C"), *((1 << (5 - i), f"R{i + 1}") for i in range(6)))
_ETHERTYPE_TEB = 0x6558


def _vxlan(out: _Out, p: bytes, length: int, inner: Callable[[int], str] | None) -> None:
    out("VXLAN")
    if length < 8:
        out(" (invalid)")
        return
    flags = _u8(p, 0)
    out(f", flags [{_bits(((0x08, 'I'),), flags, 'invalid', '')}] (0x{flags:02x}), ")
    out(f"vni {_uint(p, 4, 3)}\n")
    _u8(p, 7)
    if inner is not None:
        out(inner(length - 8))


def _otv(out: _Out, p: bytes, length: int, inner: Callable[[int], str] | None) -> None:
    out("OTV, ")
    if length < 8:
        out(f"[length {length} < 8] (invalid)")
        _need(p, 0, length)
        return
    flags = _u8(p, 0)
    out(f"flags [{'I' if flags & 0x08 else '.'}] (0x{flags:02x}), ")
    out(f"overlay {_uint(p, 1, 3)}, ")
    out(f"instance {_uint(p, 4, 3)}\n")
    _u8(p, 7)
    if inner is not None:
        out(inner(length - 8))


_GPE_FLAGS = ((0x08, "I"), (0x04, "P"), (0x02, "B"), (0x01, "O"))


def _vxlan_gpe(out: _Out, p: bytes, length: int, inner: Callable[[int], str] | None) -> None:
    out("VXLAN-GPE, ")
    if length < 8:
        out(f" (len {length} < 8) (invalid)")
        return
    out(f"flags [{_bits(_GPE_FLAGS, _u8(p, 0), 'none', '')}], ")
    following, vni = _u8(p, 3), _uint(p, 4, 3)
    _u8(p, 7)
    out(f"vni {vni}: ")
    if following not in _GPE_NEXT:
        out("ERROR: unknown-next-protocol (invalid)")
    elif inner is not None:
        out(inner(length - 8))


_GPE_NEXT = frozenset((1, 2, 3, 4))  # IPv4, IPv6, Ethernet, NSH


def _geneve(out: _Out, p: bytes, length: int, inner: Callable[[int], str] | None, link_level: bool) -> None:
    out("Geneve")
    if length < 8:
        out(f" [length {length} < 8] (invalid)")
        return
    _need(p, 0, 8)
    if p[0] >> 6:
        out(f" ERROR: unknown-version {p[0] >> 6}")
        return
    proto, vni, reserved = _uint(p, 2, 2), _uint(p, 4, 3), p[7]
    out(f", Flags [{_bits(_GENEVE_FLAGS, p[1], 'none', '')}], vni 0x{vni:x}")
    if reserved:
        out(f", rsvd 0x{reserved:x}")
    if link_level:
        out(f", proto {TCPDUMP_ETHERTYPE_NAMES.get(proto, 'unknown')} (0x{proto:04x})")
    options = (p[0] & 0x3F) * 4
    if length - 8 < options:
        out(f" truncated-geneve - {options - (length - 8)} bytes missing")
        return
    _need(p, 8, options)
    if options:
        out(f", options [{options} bytes]")
    out(": ")
    if inner is not None:
        out(inner(length - 8 - options))
    else:
        out(f"geneve-proto-0x{proto:x}")


# --- Babel (print-babel.c) ---------------------------------------------------------------------

_BABEL_TLVS = {
    1: " padN",
    2: " ack-req",
    3: " ack",
    4: " hello",
    5: " ihu",
    6: " router-id",
    7: " nh",
    9: " route-request",
    10: " seqno-request",
    11: " tspc",
    12: " hmac",
    13: " ss-update",
    14: " ss-request",
    15: " ss-mh-request",
    16: " mac",
    17: " pc",
    18: " challenge_request",
    19: " challenge_reply",
}


class _Invalid(Exception):
    """tcpdump's ``goto invalid``: the printer ends with `` (invalid)``."""


def _babel_tlvs(out: _Out, p: bytes, start: int, size: int, remaining: int) -> None:
    i = 0
    while i < size:
        at = start + i
        if i + 1 > size or i + 1 > remaining:
            raise _Invalid
        kind = _u8(p, at)
        if kind == 0:
            out(" pad1")
            i += 1
            continue
        if i + 2 > size or i + 2 > remaining:
            raise _Invalid
        _need(p, at, 2)
        tlv_len = p[at + 1]
        if i + 2 + tlv_len > size or i + 2 + tlv_len > remaining:
            raise _Invalid
        _need(p, at, 2 + tlv_len)
        if kind == 8:
            out(" update")
            if tlv_len < 10:
                raise _Invalid
            flags = _u8(p, at + 3)
            out(("/prefix" if flags & 0x80 else "") + ("/id" if flags & 0x40 else ""))
            out("/unknown" if flags & 0x3F else "")
        else:
            out(_BABEL_TLVS.get(kind, " unknown"))
        i += tlv_len + 2


def _babel(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    out("babel")
    _need(p, 0, 4)
    if p[0] != 42:
        out(" invalid header")
        return
    out(f" {p[1]}")
    if p[1] != 2:
        out(" unknown version")
        return
    try:
        if length < 4:
            raise _Invalid
        body = _uint(p, 2, 2)
        out(f" ({body})")
        length -= 4
        if length < body:
            raise _Invalid
        _babel_tlvs(out, p, 4, body, length)
        length -= body
        if length:
            out(" |")
            _babel_tlvs(out, p, 4 + body, length, length)
    except _Invalid:
        out(" (invalid)")


# --- LWAPP (print-lwapp.c) ---------------------------------------------------------------------

_LWAPP_FLAGS = ((0x01, "Last Fragment Bit"), (0x02, "Fragment Bit"), (0x04, "Control Bit"))


def _lwapp(out: _Out, p: bytes, length: int, at: int) -> None:
    _need(p, 0, 6)
    _need(p, at, 6)
    version = p[at]
    if version >> 6:
        out(f"LWAPP version {version >> 6} packet not supported")
        return
    kind = "Control" if version & 0x04 else "Data"
    flags = _bits(_LWAPP_FLAGS, version & 7, "none")
    out(f"LWAPPv{version >> 6}, {kind} frame, Flags [{flags}], length {length}")


def _lwapp_data(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    out.proto = "lwapp_data"
    _lwapp(out, p, length, 0)


def _lwapp_control_ap(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    out.proto = "lwapp_control"
    _lwapp(out, p, length, 6)


def _lwapp_control(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    out.proto = "lwapp_control"
    _lwapp(out, p, length, 0)


# --- AHCP (print-ahcp.c) -----------------------------------------------------------------------


def _ahcp(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    out("AHCP")
    at, left = 0, length
    try:
        if left < 2 or _u8(p, 0) != 43:
            raise _Invalid
        version = _u8(p, 1)
        at, left = 2, left - 2
        if version != 1:
            out(f" Version {version} (unknown)")
            _need(p, at, left)
            return
        out(" Version 1")
        if left < 22:
            raise _Invalid
        _need(p, at, 22)
        at, left = at + 22, left - 22
        if left < 4:
            raise _Invalid
        _need(p, at, 4)
        body = _uint(p, at + 2, 2)
        at, left = at + 4, left - 4
        if body > left:
            raise _Invalid
        _need(p, at, body)
    except _Invalid:
        out(" (invalid)")
        _need(p, at, left)


# --- SOME/IP (print-someip.c) ------------------------------------------------------------------

_SOMEIP_TYPES = {
    0x00: "REQUEST",
    0x01: "REQUEST_NO_RETURN",
    0x02: "NOTIFICATION",
    0x80: "RESPONSE",
    0x81: "ERROR",
    0x20: "TP_REQUEST",
    0x21: "TP_REQUEST_NO_RETURN",
    0x22: "TP_NOTIFICATION",
    0xA0: "TP_RESPONSE",
    0xA1: "TP_ERROR",
}
_SOMEIP_CODES = (
    "E_OK",
    "E_NOT_OK",
    "E_UNKNOWN_SERVICE",
    "E_UNKNOWN_METHOD",
    "E_NOT_READY",
    "E_NOT_REACHABLE",
    "E_TIMEOUT",
    "E_WRONG_PROTOCOL_VERSION",
    "E_WRONG_INTERFACE_VERSION",
    "E_MALFORMED_MESSAGE",
    "E_WRONG_MESSAGE_TYPE",
    "E_E2E_REPEATED",
    "E_E2E_WRONG_SEQUENCE",
    "E_E2E",
    "E_E2E_NOT_AVAILABLE",
    "E_E2E_NO_NEW_DATA",
)


def _someip(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    out("SOMEIP")
    if length < 16:
        out(" (invalid)")
        return
    message = _uint(p, 0, 4)
    kind = "event" if message & 0x8000 else "method"
    out(f", service {message >> 16}, {kind} {message & 0x7FFF}")
    out(f", len {_uint(p, 4, 4)}")
    request = _uint(p, 8, 4)
    out(f", client {request >> 16}, session {request & 0xFFFF}")
    out(f", pver {_u8(p, 12)}")
    out(f", iver {_u8(p, 13)}")
    out(f", msgtype {_SOMEIP_TYPES.get(_u8(p, 14), 'Unknown')}")
    code = _u8(p, 15)
    out(f", retcode {_SOMEIP_CODES[code] if code < len(_SOMEIP_CODES) else 'Unknown'}\n")


# --- TFTP (print-tftp.c) -----------------------------------------------------------------------

_TFTP_OPS = {1: "RRQ", 2: "WRQ", 3: "DATA", 4: "ACK", 5: "ERROR", 6: "OACK"}
_TFTP_ERRORS = ("EUNDEF", "ENOTFOUND", "EACCESS", "ENOSPACE", "EBADOP", "EBADID", "EEXISTS", "ENOUSER")


def _tftp(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    out(f"TFTP, length {length}")
    if length < 2:
        raise _Cut
    opcode = _uint(p, 0, 2)
    name = _TFTP_OPS.get(opcode)
    if name is None:
        out(f", tftp-#{opcode}")
        return
    out(f", {name}")
    at, left = 2, length - 2
    if opcode in (1, 2):
        if left == 0:
            raise _Cut
        out(' "')
        taken = _printztn(out, p, at, left)
        out('"')
        if taken == 0:
            raise _Cut
        at, left = at + taken, left - taken
        if left == 0:
            raise _Cut
        out(" ")
        taken = _printztn(out, p, at, left)
        if taken == 0:
            raise _Cut
        at, left = at + taken, left - taken
    if opcode in (1, 2, 6):
        while left:
            if _u8(p, at):
                out(" ")
            taken = _printztn(out, p, at, left)
            if taken == 0:
                raise _Cut
            at, left = at + taken, left - taken
    elif opcode in (3, 4):
        if left < 2:
            raise _Cut
        out(f" block {_uint(p, at, 2)}")
    elif opcode == 5:
        if left < 2:
            raise _Cut
        code = _uint(p, at, 2)
        out(" " + (_TFTP_ERRORS[code] if code < len(_TFTP_ERRORS) else f'tftp-err-#{code} "'))
        at, left = at + 2, left - 2
        if left == 0:
            raise _Cut
        out(' "')
        taken = _printztn(out, p, at, left)
        out('"')
        if taken == 0:
            raise _Cut


# --- timed (print-timed.c) ---------------------------------------------------------------------

_TSP_TYPES = (
    "TSP_ANY",
    "TSP_ADJTIME",
    "TSP_ACK",
    "TSP_MASTERREQ",
    "TSP_MASTERACK",
    "TSP_SETTIME",
    "TSP_MASTERUP",
    "TSP_SLAVEUP",
    "TSP_ELECTION",
    "TSP_ACCEPT",
    "TSP_REFUSE",
    "TSP_CONFLICT",
    "TSP_RESOLVE",
    "TSP_QUIT",
    "TSP_DATE",
    "TSP_DATEREQ",
    "TSP_DATEACK",
    "TSP_TRACEON",
    "TSP_TRACEOFF",
    "TSP_MSITE",
    "TSP_MSITEREQ",
    "TSP_TEST",
    "TSP_SETDATE",
    "TSP_SETDATEREQ",
    "TSP_LOOP",
)
_TSP_TIMED = frozenset((1, 5, 22, 23))  # the types that carry a time


def _timed(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    kind = _u8(p, 0)
    out(_TSP_TYPES[kind] if kind < len(_TSP_TYPES) else f"(tsp_type {kind:#x})")
    out(f" vers {_u8(p, 1)}")
    out(f" seq {_uint(p, 2, 2)}")
    if kind == 24:
        out(f" hopcnt {_u8(p, 4)}")
    elif kind in _TSP_TIMED:
        sec = int.from_bytes(p[4:8], "big", signed=True) if len(p) >= 8 else _uint(p, 4, 4)
        usec = int.from_bytes(p[8:12], "big", signed=True) if len(p) >= 12 else _uint(p, 8, 4)
        if usec < 0:
            return
        out(" time ")
        if sec < 0 and usec != 0:
            sec += 1
            if sec == 0:
                out("-")
            usec = 1000000 - usec
        out(f"{sec}.{usec:06d}")
    out(" name ")
    _printjnp(out, p, 12, 256)


# --- RIP (print-rip.c) -------------------------------------------------------------------------

_RIP_COMMANDS = {1: "Request", 2: "Response", 3: "Trace on", 4: "Trace off", 5: "Poll", 6: "Poll Entry"}


def _rip(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    if min(len(p), length) < 4:
        raise _Cut
    command, version = p[0], p[1]
    out(f"RIPv{version}")
    if version == 0:  # RFC 1058 says to ignore it: tcpdump dumps it in hex
        dump = hex_lines(p[: min(length, len(p))], False)
        out("\n" + dump if dump else "")
        return
    out(f", {_RIP_COMMANDS.get(command, f'unknown command ({command})')}, length: {length}")


# --- Kerberos (print-krb.c) --------------------------------------------------------------------

_KRB_TYPES = {
    2: "KDC_REQUEST",
    4: "KDC_REPLY",
    6: "APPL_REQUEST",
    8: "APPL_REQUEST_MUTUAL",
    10: "ERR_REPLY",
    12: "PRIVATE",
    14: "SAFE",
    16: "APPL_ERR",
    126: "DIE",
}
_KRB_ERRORS = (
    "OK",
    "NAME_EXP",
    "SERVICE_EXP",
    "AUTH_EXP",
    "PKT_VER",
    "NAME_MAST_KEY_VER",
    "SERV_MAST_KEY_VER",
    "BYTE_ORDER",
    "PRINCIPAL_UNKNOWN",
    "PRINCIPAL_NOT_UNIQUE",
    "NULL_KEY",
)


def _cstr(out: _Out, p: bytes, o: int) -> int:
    """print-krb.c's c_print: the NUL-terminated string at ``o``; where it ends, or a cut."""
    while o < len(p):
        c = p[o]
        o += 1
        if c == 0:
            return o
        out(_char(c))
    raise _Cut


def _krb(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    version = _u8(p, 0)
    if version in (1, 2, 3):
        out(f" v{version}")
    elif version in (106, 107):
        out(" v5")
    if version != 4:
        return
    out(" v4")
    little = _u8(p, 1) & 1
    kind = p[1] & 0xFE
    out(f" {'le' if little else 'be'} {_KRB_TYPES.get(kind, f'#{kind}')}: ")

    def short(o: int) -> int:
        _need(p, o, 2)
        return int.from_bytes(p[o : o + 2], "little" if little else "big")

    def header() -> int:
        at = _cstr(out, p, 2)
        out(".")
        at = _cstr(out, p, at)
        out("@")
        return _cstr(out, p, at)

    if kind == 2:
        at = header() + 4
        out(f" {_u8(p, at) * 5}min ")
        at = _cstr(out, p, at + 1)
        out(".")
        _cstr(out, p, at)
    elif kind == 6:
        out(f"v{_u8(p, 2)} ")
        at = _cstr(out, p, 3)
        out(f" ({_u8(p, at)})")
        out(f" ({_u8(p, at + 1)})")
    elif kind == 4:
        at = header() + 10
        out(f" ({short(at)})")
    elif kind == 10:
        at = header() + 4
        code = short(at)
        out(f" {_KRB_ERRORS[code] if code < len(_KRB_ERRORS) else f'#{code}'} ")
        _cstr(out, p, at + 4)
    else:
        out("(unknown)")


# --- SIP (print-sip.c) and LDP (print-ldp.c) -----------------------------------------------

_SIP_METHODS = frozenset(
    (
        "ACK",
        "BYE",
        "CANCEL",
        "DO",
        "INFO",
        "INVITE",
        "MESSAGE",
        "NOTIFY",
        "OPTIONS",
        "PRACK",
        "QAUTH",
        "REFER",
        "REGISTER",
        "SPRACK",
        "SUBSCRIBE",
        "UPDATE",
        "PUBLISH",
    )
)
_MAX_TOKEN = 128


def _fetch_token(p: bytes, at: int, length: int) -> tuple[int, bytes]:
    """util-print.c's fetch_token: the printable word at ``at`` and where the blanks after it end; 0
    where there is none."""
    start = at
    while at < length:
        if at >= len(p) or p[at] >= 0x80:
            return 0, b""
        c = p[at]
        if c in b" \t\r\n":
            break
        if not 0x20 <= c <= 0x7E or at - start + 2 > _MAX_TOKEN + 1:
            return 0, b""
        at += 1
    token = p[start:at]
    if not token:
        return 0, b""
    while at < length and at < len(p) and p[at] == 0x20:
        at += 1
    return at, token


def _sip(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    """txtproto_print without -v: "SIP", then the first line of a request or a response."""
    out("SIP")
    at, token = _fetch_token(p, 0, length)
    wanted = False
    if at:
        wanted = token.decode("ascii").upper() in _SIP_METHODS
        at, token = _fetch_token(p, at, length)  # a response's status code
        if at and len(token) == 3 and token.isdigit():
            wanted = True
    if not wanted:
        return
    line, cut = http_first_line(p, 0, length, len(p))
    if line is not None:
        out(f": {line}")
    if cut:
        raise _Cut


def _ldp(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    out(tcp_app_text("ldp", p, length))


# --- OLSR (print-olsr.c), LSP-ping (print-lspping.c), VQP (print-vqp.c) ------------------------


def _olsr(out: _Out, p: bytes, length: int, src: bytes, dst: bytes) -> None:
    out(f"OLSRv{6 if len(src) == 16 else 4}")
    if length < 4:
        raise _Cut
    _need(p, 0, 4)
    out(f", seq 0x{_uint(p, 2, 2):04x}, length {min(length, _uint(p, 0, 2))}")


_LSPPING_TYPES = {1: "MPLS Echo Request", 2: "MPLS Echo Reply"}


def _lspping(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    if length < 32:
        out("\n\t\t packet is too short")
        return
    _need(p, 0, 32)
    version = _uint(p, 0, 2)
    if version != 1:
        out(f"LSP-PING version {version} packet not supported")
        return
    kind = _LSPPING_TYPES.get(p[4], f"unknown ({p[4]})")
    out(f"LSP-PINGv{version}, {kind}, seq {_uint(p, 12, 4)}, length: {length}")


_VQP_TYPES = {1: "Request, Join Port", 2: "Response, VLAN", 3: "Request, Reconfirm", 4: "Response, Reconfirm"}
_VQP_ERRORS = {0: "No error", 3: "Access denied", 4: "Shutdown port", 5: "Wrong VTP domain"}


def _vqp(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    _need(p, 0, 8)
    if length < 8:
        out(" (invalid)")
        return
    if p[0] != 1:
        out(f"VQP version {p[0]} packet not supported")
        return
    kind = _VQP_TYPES.get(p[1], f"unknown ({p[1]})")
    out(f"VQPv1 {kind} Message, error-code {_VQP_ERRORS.get(p[2], 'unknown')} ({p[2]}), length {length}")


# --- AODV (print-aodv.c) -----------------------------------------------------------------------


_RREQ_FLAGS = ((0x80, "[J]"), (0x40, "[R]"), (0x20, "[G]"), (0x10, "[D]"))


def _aodv_extension(out: _Out, p: bytes, at: int, left: int) -> None:
    _need(p, at, 2)
    if p[at] == 1:  # hello
        _need(p, at, 6)
        if left < 6:
            raise _Cut
        if p[at + 1] < 4:
            out(f"\n\text HELLO - bad length {p[at + 1]}")
        else:
            out(f"\n\text HELLO {_uint(p, at + 2, 4)} ms")
    else:
        out(f"\n\text {p[at]} {p[at + 1]}")


def _aodv(out: _Out, p: bytes, length: int, src: bytes, dst: bytes) -> None:
    """print-aodv.c: RFC 3561 messages, their IPv6 forms, and draft-01's IPv6 messages (16-19). The
    flags it shows it reads from the type byte, as tcpdump does."""
    kind = _u8(p, 0)
    out(" aodv")
    v6 = len(src) == 16
    address, size = (_ipv6, 16) if v6 or kind in (16, 17, 18) else (_ipv4, 4)
    if kind in (1, 16):
        whole = 8 + 2 * (size + 4)
        _need(p, 0, whole)
        if length < whole:
            raise _Cut
        flags = "".join(
            text for bit, text in ((0x80, "[J]"), (0x40, "[R]"), (0x20, "[G]"), (0x10, "[D]")) if kind & bit
        )
        flags += "[U] " if kind & 0x08 else " "
        if kind == 1:
            dst_at, dseq_at, src_at, sseq_at = 8, 8 + size, 12 + size, 12 + 2 * size
        else:
            dst_at, dseq_at, src_at, sseq_at = 16, 8, 16 + size, 12
        label = "v6 rreq" if kind == 1 and v6 else "rreq"
        out(f" {label} {length} {flags}hops {p[3]} id 0x{_uint(p, 4, 4):08x}\n")
        out(f"\tdst {address(p, dst_at)} seq {_uint(p, dseq_at, 4)} ")
        out(f"src {address(p, src_at)} seq {_uint(p, sseq_at, 4)}")
    elif kind in (2, 17):
        whole = 8 + 2 * (size + 4) - 4
        _need(p, 0, whole)
        if length < whole:
            raise _Cut
        flags = ("[R]" if kind & 0x80 else "") + ("[A] " if kind & 0x40 else " ")
        if kind == 2:
            dst_at, dseq_at, src_at = 4, 4 + size, 8 + size
        else:
            dst_at, dseq_at, src_at = 8, 4, 8 + size
        out(f" rrep {length} {flags}prefix {p[2] & 0x1F} hops {p[3]}\n")
        out(f"\tdst {address(p, dst_at)} dseq {_uint(p, dseq_at, 4)} ")
        out(f"src {address(p, src_at)} {_uint(p, whole - 4, 4)} ms")
    elif kind in (3, 18):
        _need(p, 0, 4)
        if length < 4:
            raise _Cut
        out(f" rerr {'[D]' if p[1] & 0x80 else ''} [items {p[3]}] [{length}]:")
        at, left = 4, length - 4
        for _ in range(p[3]):
            _need(p, at, size + 4)
            if left < size + 4:
                raise _Cut
            out(f" {{{address(p, at)}}}({_uint(p, at + size, 4)})")
            at, left = at + size + 4, left - size - 4
        return
    elif kind in (4, 19):
        out(f" rrep-ack {length}")
        return
    else:
        out(f" type {kind} {length}")
        return
    if length - whole >= 2:
        _aodv_extension(out, p, whole, length - whole)


# --- Cisco Auto-RP (print-pim.c) ---------------------------------------------------------------

_AUTORP_PIM = (" PIMv?", " PIMv1", " PIMv2", " PIMv1+2")


def _autorp(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    if length < 8:
        raise _Cut
    out(" auto-rp ")
    kind = _u8(p, 0)
    out({0x11: "candidate-advert", 0x12: "mapping"}.get(kind, f"type-0x{kind:02x}"))
    rps = _u8(p, 1)
    out(" Hold ")
    hold = _uint(p, 2, 2)
    out(relts(hold) if hold else "FOREVER")
    at, left = 8, length - 8
    for _ in range(rps):
        if left < 4:
            raise _Cut
        out(f" RP {_ipv4(p, at)}")
        at, left = at + 4, left - 4
        if left < 1:
            raise _Cut
        version = _u8(p, at)
        out(_AUTORP_PIM[version & 3])
        if version & 0xFC:
            out(f" [rsvd=0x{version & 0xFC:02x}]")
        at, left = at + 1, left - 1
        if left < 1:
            raise _Cut
        entries = _u8(p, at)
        at, left = at + 1, left - 1
        separator = " "
        for _ in range(entries):
            if left < 6:
                raise _Cut
            flags = _u8(p, at)
            out(f"{separator}{'!' if flags & 1 else ''}{_ipv4(p, at + 2)}/{_u8(p, at + 1)}")
            if flags & 2:
                out(" bidir")
            if flags & 0xFC:
                out(f"[rsvd=0x{flags & 0xFC:02x}]")
            separator = ","
            at, left = at + 6, left - 6


# --- HNCP (print-hncp.c) -----------------------------------------------------------------------

_HNCP_TYPES = {
    1: "Request network state",
    2: "Request node state",
    3: "Node endpoint",
    4: "Network state",
    5: "Node state",
    8: "Peer",
    9: "Keep-alive interval",
    10: "Trust-Verdict",
    32: "HNCP-Version",
    33: "External-Connection",
    34: "Delegated-Prefix",
    43: "Prefix-Policy",
    37: "DHCPv4-Data",
    38: "DHCPv6-Data",
    35: "Assigned-Prefix",
    36: "Node-Address",
    39: "DNS-Delegated-Zone",
    40: "Domain-Name",
    41: "Node-Name",
    42: "Managed-PSK",
}


def _hncp_range(kind: int) -> str:
    if kind in _HNCP_TYPES:
        return _HNCP_TYPES[kind]
    if kind == 0:
        return "Reserved"
    if 44 <= kind <= 511:
        return "Unassigned"
    if 768 <= kind <= 1023:
        return "Private use"
    return "Future use"


def _hncp(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    """Without -v tcpdump names the top-level TLVs, a run of one kind counted (x2); it prints a run
    when the next kind differs, so a cut or invalid TLV drops the run before it."""
    out(f"hncp ({length})")
    last, count, first = "", 0, True

    def run() -> None:
        nonlocal first
        if count > 0:
            out(" " if first else ", ")
            first = False
            out(last + (f" (x{count})" if count > 1 else ""))

    i = 0
    while i < length:
        _need(p, i, 4)
        if i + 4 > length:
            out(" (invalid)")
            return
        kind, size = _uint(p, i, 2), _uint(p, i + 2, 2)
        _need(p, i + 4, size)
        if i + size + 4 > length:
            out(" (invalid)")
            return
        name = _hncp_range(kind)
        if name == last:
            count += 1
        else:
            run()
            last, count = name, 1
        i += 4 + (size + 3) // 4 * 4
    run()


# --- AFS / Rx (print-rx.c) ---------------------------------------------------------------------

_RX_RX_TYPES = {
    1: "data",
    2: "ack",
    3: "busy",
    4: "abort",
    5: "ackall",
    6: "challenge",
    7: "response",
    8: "debug",
    9: "params",
    13: "version",
}
_RX_FS_REQ = {
    130: "fetch-data",
    131: "fetch-acl",
    132: "fetch-status",
    133: "store-data",
    134: "store-acl",
    135: "store-status",
    136: "remove-file",
    137: "create-file",
    138: "rename",
    139: "symlink",
    140: "link",
    141: "makedir",
    142: "rmdir",
    143: "oldsetlock",
    144: "oldextlock",
    145: "oldrellock",
    146: "get-stats",
    147: "give-cbs",
    148: "get-vlinfo",
    149: "get-vlstats",
    150: "set-vlstats",
    151: "get-rootvl",
    152: "check-token",
    153: "get-time",
    154: "nget-vlinfo",
    155: "bulk-stat",
    156: "setlock",
    157: "extlock",
    158: "rellock",
    159: "xstat-ver",
    160: "get-xstat",
    161: "dfs-lookup",
    162: "dfs-flushcps",
    163: "dfs-symlink",
    220: "residency",
    65536: "inline-bulk-status",
    65537: "fetch-data-64",
    65538: "store-data-64",
    65539: "give-up-all-cbs",
    65540: "get-caps",
    65541: "cb-rx-conn-addr",
}
_RX_CB_REQ = {
    204: "callback",
    205: "initcb",
    206: "probe",
    207: "getlock",
    208: "getce",
    209: "xstatver",
    210: "getxstat",
    211: "initcb2",
    212: "whoareyou",
    213: "initcb3",
    214: "probeuuid",
    215: "getsrvprefs",
    216: "getcellservdb",
    217: "getlocalcell",
    218: "getcacheconf",
    65536: "getce64",
    65537: "getcellbynum",
    65538: "tellmeaboutyourself",
}
_RX_PT_REQ = {
    500: "new-user",
    501: "where-is-it",
    502: "dump-entry",
    503: "add-to-group",
    504: "name-to-id",
    505: "id-to-name",
    506: "delete",
    507: "remove-from-group",
    508: "get-cps",
    509: "new-entry",
    510: "list-max",
    511: "set-max",
    512: "list-entry",
    513: "change-entry",
    514: "list-elements",
    515: "same-mbr-of",
    516: "set-fld-sentry",
    517: "list-owned",
    518: "get-cps2",
    519: "get-host-cps",
    520: "update-entry",
    521: "list-entries",
    530: "list-super-groups",
}
_RX_VLDB_REQ = {
    501: "create-entry",
    502: "delete-entry",
    503: "get-entry-by-id",
    504: "get-entry-by-name",
    505: "get-new-volume-id",
    506: "replace-entry",
    507: "update-entry",
    508: "setlock",
    509: "releaselock",
    510: "list-entry",
    511: "list-attrib",
    512: "linked-list",
    513: "get-stats",
    514: "probe",
    515: "get-addrs",
    516: "change-addr",
    517: "create-entry-n",
    518: "get-entry-by-id-n",
    519: "get-entry-by-name-n",
    520: "replace-entry-n",
    521: "list-entry-n",
    522: "list-attrib-n",
    523: "linked-list-n",
    524: "update-entry-by-name",
    525: "create-entry-u",
    526: "get-entry-by-id-u",
    527: "get-entry-by-name-u",
    528: "replace-entry-u",
    529: "list-entry-u",
    530: "list-attrib-u",
    531: "linked-list-u",
    532: "regaddr",
    533: "get-addrs-u",
    534: "list-attrib-n2",
}
_RX_KAUTH_REQ = {
    1: "auth-old",
    21: "authenticate",
    22: "authenticate-v2",
    2: "change-pw",
    3: "get-ticket-old",
    23: "get-ticket",
    4: "set-pw",
    5: "set-fields",
    6: "create-user",
    7: "delete-user",
    8: "get-entry",
    9: "list-entry",
    10: "get-stats",
    11: "debug",
    12: "get-pw",
    13: "get-random-key",
    14: "unlock",
    15: "lock-status",
}
_RX_VOL_REQ = {
    100: "create-volume",
    101: "delete-volume",
    102: "restore",
    103: "forward",
    104: "end-trans",
    105: "clone",
    106: "set-flags",
    107: "get-flags",
    108: "trans-create",
    109: "dump",
    110: "get-nth-volume",
    111: "set-forwarding",
    112: "get-name",
    113: "get-status",
    114: "sig-restore",
    115: "list-partitions",
    116: "list-volumes",
    117: "set-id-types",
    118: "monitor",
    119: "partition-info",
    120: "reclone",
    121: "list-one-volume",
    122: "nuke",
    123: "set-date",
    124: "x-list-volumes",
    125: "x-list-one-volume",
    126: "set-info",
    127: "x-list-partitions",
    128: "forward-multiple",
    65536: "convert-ro",
    65537: "get-size",
    65538: "dump-v2",
}
_RX_BOS_REQ = {
    80: "create-bnode",
    81: "delete-bnode",
    82: "set-status",
    83: "get-status",
    84: "enumerate-instance",
    85: "get-instance-info",
    86: "get-instance-parm",
    87: "add-superuser",
    88: "delete-superuser",
    89: "list-superusers",
    90: "list-keys",
    91: "add-key",
    92: "delete-key",
    93: "set-cell-name",
    94: "get-cell-name",
    95: "get-cell-host",
    96: "add-cell-host",
    97: "delete-cell-host",
    98: "set-t-status",
    99: "shutdown-all",
    100: "restart-all",
    101: "startup-all",
    102: "set-noauth-flag",
    103: "re-bozo",
    104: "restart",
    105: "start-bozo-install",
    106: "uninstall",
    107: "get-dates",
    108: "exec",
    109: "prune",
    110: "set-restart-time",
    111: "get-restart-time",
    112: "start-bozo-log",
    113: "wait-all",
    114: "get-instance-strings",
    115: "get-restricted",
    116: "set-restricted",
}
_RX_UBIK_REQ = {
    10000: "vote-beacon",
    10001: "vote-debug-old",
    10002: "vote-sdebug-old",
    10003: "vote-getsyncsite",
    10004: "vote-debug",
    10005: "vote-sdebug",
    10006: "vote-xdebug",
    10007: "vote-xsdebug",
    20000: "disk-begin",
    20001: "disk-commit",
    20002: "disk-lock",
    20003: "disk-write",
    20004: "disk-getversion",
    20005: "disk-getfile",
    20006: "disk-sendfile",
    20007: "disk-abort",
    20008: "disk-releaselocks",
    20009: "disk-truncate",
    20010: "disk-probe",
    20011: "disk-writev",
    20012: "disk-interfaceaddr",
    20013: "disk-setversion",
}
_RX_AFS_FS_ERRORS = {
    101: "salvage volume",
    102: "no such vnode",
    103: "no such volume",
    104: "volume exist",
    105: "no service",
    106: "volume offline",
    107: "voline online",
    108: "diskfull",
    109: "diskquota exceeded",
    110: "volume busy",
    111: "volume moved",
    112: "AFS IO error",
    4294967196: "restarting fileserver",
}
_RX_RX_ACK_REASONS = {
    1: "ack requested",
    2: "duplicate packet",
    3: "out of sequence",
    4: "exceeds window",
    5: "no buffer space",
    6: "ping",
    7: "ping response",
    8: "delay",
    9: "idle",
}
_RX_HEADER = 28
_RX_DATA, _RX_ACK, _RX_ABORT = 1, 2, 4
_RX_CLIENT_INITIATED = 1
_RX_CACHE_SIZE = 64
_VOL_TYPES = ("read-write", "read-only", "backup")
_AFSNAME, _PRNAME, _VLNAME, _KANAME, _BOSNAME = 256, 64, 65, 64, 256


class _RxTrunc(Exception):
    """An AFS printer's ``goto trunc``: `` [|fs]`` and the like, then rx_print's `` (length)``."""


class _RxCursor:
    """A read position in an Rx packet with print-rx.c's output macros."""

    __slots__ = ("at", "out", "p")

    def __init__(self, out: _Out, p: bytes, at: int) -> None:
        self.out, self.p, self.at = out, p, at

    def check(self, n: int) -> None:
        if self.at + n > len(self.p):
            raise _RxTrunc

    def u32(self) -> int:
        value = _uint(self.p, self.at, 4)
        self.at += 4
        return value

    def s32(self) -> int:
        value = self.u32()
        return value - (1 << 32) if value & 0x80000000 else value

    def run(self, spec: tuple[str, ...]) -> None:
        """Print ``spec``: literal text (starting with a space) and print-rx.c's output macros."""
        out = self.out
        for op in spec:
            if op.startswith(" "):
                out(op)
            elif op == "fid":
                self.check(12)
                out(f" fid {self.u32()}/{self.u32()}/{self.u32()}")
            elif op == "u":
                out(f" {self.u32()}")
            elif op == "i":
                out(f" {self.s32()}")
            elif op == "u64":
                value = _uint(self.p, self.at, 8)
                self.at += 8
                out(f" {value}")
            elif op == "date":
                out(" " + time.strftime("%Y/%m/%d %H:%M:%S", time.localtime(self.s32())))
            elif op == "store":
                self._store()
            elif op == "ubik":
                self.check(8)
                out(f" {self.u32()}.{self.u32()}")
            elif op == "uuid":
                self.check(44)
                out(f" {self.u32():08x}{self.u32():04x}{self.u32():04x}")
                out("".join(f"{self.u32() & 0xFF:02x}" for _ in range(8)))
            elif op == "dest":
                self.check(12)
                out(f" server {self.u32()}:{self.u32()}:{self.u32()}")
            elif op.startswith("str:"):
                self._string(int(op[4:]))
            elif op.startswith("vec:"):
                self._vector(int(op[4:]))
            elif op == "voltype":
                kind = self.u32()
                if kind <= 2:
                    out(f" type {_VOL_TYPES[kind]}")
            elif op == "skip":
                self.u32()
            elif op == "opaque":
                size = self.u32()
                self.check(size)
                self.at += size
            elif op == "acl":
                self._acl()
            elif op in _RX_LISTS:
                each, separated = _RX_LISTS[op]
                count = self.u32()
                for k in range(count):
                    self.run(each)
                    if separated and k != count - 1:
                        out(",")
                if count == 0:
                    out(" <none!>")
            else:
                _RX_SPECIAL[op](self)

    def _store(self) -> None:
        self.check(24)
        mask = self.u32()
        if mask:
            self.out(" StoreStatus")
        if mask & 1:
            self.run((" date", "date"))
        else:
            self.at += 4
        for bit, text in ((2, " owner {}"), (4, " group {}"), (8, " mode {:o}"), (16, " segsize {}")):
            value = self.u32()
            if mask & bit:
                self.out(text.format(value & 0o7777 if bit == 8 else value))
        if mask & 1024:
            self.out(" fsync")

    def _string(self, most: int) -> None:
        size = self.u32()
        if size > most:
            raise _RxTrunc
        self.out(' "')
        end = min(self.at + size, len(self.p))
        self.out("".join(_char(c) for c in self.p[self.at : end]))
        if end < self.at + size:
            raise _RxTrunc
        self.out('"')
        self.at += (size + 3) // 4 * 4

    def _vector(self, most: int) -> None:
        self.check(most * 4)
        chars = bytes(self.u32() & 0xFF for _ in range(most))
        self.out(' "' + "".join(_char(c) for c in chars.split(b"\0", 1)[0]) + '"')

    def _acl(self) -> None:
        size = self.u32()
        self.check(size)
        text = self.p[self.at : self.at + min(size, 1024)].split(b"\0", 1)[0].decode("latin-1")
        self.at += size
        head = re.match(r"\s*([+-]?\d+)\s*([+-]?\d+)\s*", text)
        if head is None:
            return
        rest = text[head.end() :]
        for sign, count in (("+", int(head.group(1))), ("-", int(head.group(2)))):
            for _ in range(count):
                entry = re.match(r"\s*(\S{1,1024})\s*([+-]?\d+)\s*", rest)
                if entry is None:
                    return
                rest = rest[entry.end() :]
                acl = int(entry.group(2))
                rights = "".join(c for bit, c in _ACL_RIGHTS if acl & bit)
                name = "".join(_char(c) for c in entry.group(1).encode("latin-1"))
                self.out(f" {sign}{{{name} {rights}}}")


_ACL_RIGHTS = ((1, "r"), (8, "l"), (4, "i"), (16, "d"), (2, "w"), (32, "k"), (64, "a"))


def _rx_servers(cursor: _RxCursor, slots: int, uuids: bool) -> None:
    """A VLDB entry after its name: the servers, their partitions and the volume ids."""
    out = cursor.out
    out(" numservers")
    servers = cursor.u32()
    out(f" {servers} servers")
    for k in range(slots):
        if uuids:
            if k < servers:
                cursor.run((" afsuuid", "uuid"))
            else:
                cursor.check(44)
                cursor.at += 44
        else:
            cursor.check(4)
            if k < servers:
                out(" " + socket.inet_ntoa(cursor.p[cursor.at : cursor.at + 4]))
            cursor.at += 4
    if uuids:
        cursor.check(4 * 13)
        cursor.at += 4 * 13
    out(" partitions")
    for k in range(slots):
        part = cursor.u32()
        if k < servers:
            out(f" {chr(ord('a') + part)}" if part <= 26 else f" {part}")
    cursor.check(slots * 4)
    cursor.at += slots * 4
    cursor.run((" rwvol", "u", " rovol", "u", " backup", "u"))


def _rx_vldb_entry(cursor: _RxCursor) -> None:
    cursor.run(("vec:65",))
    cursor.check(4)
    cursor.at += 4
    _rx_servers(cursor, 8, False)


def _rx_callbacks(cursor: _RxCursor) -> None:
    cursor.run(("fids",))
    count = cursor.u32()
    if count:
        cursor.out(";")
    for _ in range(count):
        cursor.run((" ver", "i", " expires", "date", "skip"))


def _rx_volumes(cursor: _RxCursor) -> None:
    count = cursor.u32()
    for k in range(count):
        cursor.run((" name", "vec:32", " volid", "u", " type"))
        cursor.at += 4 * 21
        if k != count - 1:
            cursor.out(",")
    if count == 0:
        cursor.out(" <none!>")


_RX_LISTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "fids": (("fid",), True),
    "ints": (("i",), False),
    "names": (("vec:64",), False),
    "dests": (("dest",), True),
}
_RX_SPECIAL: dict[str, Callable[[_RxCursor], None]] = {
    "vldbentry": _rx_vldb_entry,
    "vldbentryN": lambda c: _rx_servers(c, 13, False),
    "vldbentryU": lambda c: _rx_servers(c, 13, True),
    "callbacks": _rx_callbacks,
    "volumes": _rx_volumes,
}


def _ops(table: dict[tuple[int, ...], tuple[str, ...]]) -> dict[int, tuple[str, ...]]:
    return {op: spec for ops, spec in table.items() for op in ops}


_FS_CALLS = _ops({
    (130,): ("fid", " offset", "u", " length", "u"),
    (131, 132, 143, 144, 145, 156, 157, 158): ("fid",),
    (135,): ("fid", "store"),
    (133,): ("fid", "store", " offset", "u", " length", "u", " flen", "u"),
    (134,): ("fid", "acl"),
    (137, 141): ("fid", "str:256", "store"),
    (136, 142): ("fid", "str:256"),
    (138,): (" old", "fid", "str:256", " new", "fid", "str:256"),
    (139,): ("fid", "str:256", " link to", "str:256"),
    (140,): ("fid", "str:256", " link to", "fid"),
    (148,): ("str:256",),
    (149, 150): (" volid", "u"),
    (154,): (" volname", "str:256"),
    (155, 65536): ("fids",),
    (65537,): ("fid", " offset", "u64", " length", "u64"),
    (65538,): ("fid", "store", " offset", "u64", " length", "u64", " flen", "u64"),
    (65541,): (" addr", "u"),
})  # fmt: skip
_FS_REPLIES = _ops({
    (131,): ("acl",), (137, 141): (" new", "fid"), (151,): (" root volume", "str:256"), (153,): ("date",),
})  # fmt: skip
_CB_CALLS = _ops({(204,): ("callbacks",), (214,): (" afsuuid", "uuid")})
_CB_REPLIES = _ops({(213,): ("uuid",)})
_PT_CALLS = _ops({
    (500,): ("str:64", " id", "i", " oldid", "i"),
    (501, 506, 508, 512, 514, 517, 518, 519, 530): (" id", "i"),
    (502,): (" pos", "i"),
    (503, 507, 515): (" uid", "i", " gid", "i"),
    (504,): ("names",),
    (505,): (" ids:", "ints"),
    (509,): ("str:64", " flag", "i", " oid", "i"),
    (511,): (" id", "i", " gflag", "i"),
    (513,): (" id", "i", "str:64", " oldid", "i", " newid", "i"),
    (520,): (" id", "i", "str:64"),
})  # fmt: skip
_PT_REPLIES = _ops({
    (504,): (" ids:", "ints"),
    (505,): ("names",),
    (508, 514, 517, 518, 519): ("ints",),
    (510,): (" maxuid", "i", " maxgid", "i"),
})  # fmt: skip
_VLDB_CALLS = _ops({
    (501, 517): ("vec:65",),
    (502, 503, 507, 508, 509, 518): (" volid", "i", "voltype"),
    (504, 519, 524, 527): ("str:65",),
    (505,): (" bump", "i"),
    (506, 520): (" volid", "i", "voltype", "vec:65"),
    (510, 521): (" index", "i"),
})  # fmt: skip
_VLDB_REPLIES = _ops({
    (510,): (" count", "i", " nextindex", "i", "vldbentry"),
    (503, 504): ("vldbentry",),
    (505,): (" newvol", "u"),
    (521, 529): (" count", "i", " nextindex", "i", "vec:65", "vldbentryN"),
    (518, 519): ("vec:65", "vldbentryN"),
    (526, 527): ("vec:65", "vldbentryU"),
})  # fmt: skip
_KAUTH_CALLS = _ops({
    (1, 21, 22, 2, 5, 6, 7, 8, 14, 15): (" principal", "str:64", "str:64"),
    (3, 23): (" kvno", "i", " domain", "str:64", "opaque", " principal", "str:64", "str:64"),
    (4,): (" principal", "str:64", "str:64", " kvno", "i"),
    (12,): (" name", "str:64"),
})  # fmt: skip
_VOL_CALLS = _ops({
    (100,): (" partition", "u", " name", "str:256", " type", "u", " parent", "u"),
    (101, 107, 104): (" trans", "u"),
    (102,): (" totrans", "u", " flags", "u"),
    (103,): (" fromtrans", "u", " fromdate", "date", "dest", " desttrans", "i"),
    (105,): (" trans", "u", " purgevol", "u", " newtype", "u", " newname", "str:256"),
    (106,): (" trans", "u", " flags", "u"),
    (108,): (" vol", "u", " partition", "u", " flags", "u"),
    (109, 655537): (" fromtrans", "u", " fromdate", "date"),
    (110,): (" index", "u"),
    (111,): (" tid", "u", " newsite", "u"),
    (112, 113): (" tid",),
    (114,): (" name", "str:256", " type", "u", " pid", "u", " cloneid", "u"),
    (116,): (" partition", "u", " flags", "u"),
    (117,): (" tid", "u", " name", "str:256", " type", "u", " pid", "u", " clone", "u", " backup", "u"),
    (119,): (" name", "str:256"),
    (120, 126): (" tid", "u"),
    (121, 122, 124, 125, 65536): (" partid", "u", " volid", "u"),
    (123,): (" tid", "u", " date", "date"),
    (128,): (" fromtrans", "u", " fromdate", "date", "dests"),
    (65538,): (" fromtrans", "u", " fromdate", "date", " flags", "u"),
})  # fmt: skip
_VOL_REPLIES = _ops({
    (100,): (" volid", "u", " trans", "u"),
    (104, 107): ("u",),
    (105,): (" newvol", "u"),
    (108,): (" trans", "u"),
    (110,): (" volume", "u", " partition", "u"),
    (112,): ("str:256",),
    (113,): (
        " volid", "u", " nextuniq", "u", " type", "u", " parentid", "u", " clone", "u", " backup", "u",
        " restore", "u", " maxquota", "u", " minquota", "u", " owner", "u", " create", "date",
        " access", "date", " update", "date", " expire", "date", " backup", "date", " copy", "date",
    ),
    (116, 121): ("volumes",),
})  # fmt: skip
_BOS_CALLS = _ops({
    (80,): (" type", "str:256", " instance", "str:256"),
    (81, 83, 85, 87, 88, 93, 96, 97, 104, 106, 108, 112, 114): ("str:256",),
    (82, 98): ("str:256", " status", "i"),
    (86,): ("str:256", " num", "i"),
    (84, 89, 90, 91, 92, 95): ("i",),
    (105,): ("str:256", " size", "i", " flags", "i", " date", "i"),
})  # fmt: skip
_UBIK_CALLS = _ops({
    (10000,): ("syncsite", " votestart", "date", " dbversion", "ubik", " tid", "ubik"),
    (10003,): (" site", "u"),
    (20000, 20001, 20007, 20008, 20010): (" tid", "ubik"),
    (20002,): (" tid", "ubik", " file", "i", " pos", "i", " length", "i", "skip"),
    (20003,): (" tid", "ubik", " file", "i", " pos", "i"),
    (20005,): (" file", "i"),
    (20006,): (" file", "i", " length", "i", " dbversion", "ubik"),
    (20009,): (" tid", "ubik", " file", "i", " length", "i"),
    (20012,): (" tid", "ubik", " oldversion", "ubik", " newversion", "ubik"),
})  # fmt: skip
_RX_SPECIAL["syncsite"] = lambda c: c.out(f" syncsite {'yes' if c.u32() else 'no'}")

# port: (name, request names, calls, replies, whether ubik opcodes go to the ubik printer, what a
# non-data reply prints: "errcode" or "error")
_RxService = tuple[str, dict[int, str], dict[int, tuple[str, ...]], dict[int, tuple[str, ...]], bool, str]
_RX_SERVICES: dict[int, _RxService] = {
    7000: ("fs", _RX_FS_REQ, _FS_CALLS, _FS_REPLIES, False, "error"),
    7001: ("cb", _RX_CB_REQ, _CB_CALLS, _CB_REPLIES, False, "errcode"),
    7002: ("pt", _RX_PT_REQ, _PT_CALLS, _PT_REPLIES, True, "errcode"),
    7003: ("vldb", _RX_VLDB_REQ, _VLDB_CALLS, _VLDB_REPLIES, True, "errcode"),
    7004: ("kauth", _RX_KAUTH_REQ, _KAUTH_CALLS, {}, True, "errcode"),
    7005: ("vol", _RX_VOL_REQ, _VOL_CALLS, _VOL_REPLIES, False, "errcode"),
    7007: ("bos", _RX_BOS_REQ, _BOS_CALLS, {}, False, "errcode"),
}

# the calls tcpdump saw, to name the operation a reply answers: (call, client, server, port,
# service, opcode), a ring of 64 that starts zeroed, searched from where the last match was
_rx_cache: list[tuple[int, bytes, bytes, int, int, int]] = [(0, bytes(4), bytes(4), 0, 0, 0)] * _RX_CACHE_SIZE
_rx_next = 0
_rx_hint = 0


def reset_rx_calls() -> None:
    """Forget the Rx calls seen (tcpdump starts each run with none)."""
    global _rx_next, _rx_hint
    _rx_cache[:] = [(0, bytes(4), bytes(4), 0, 0, 0)] * _RX_CACHE_SIZE
    _rx_next = _rx_hint = 0


def _ip_pair(src: bytes, dst: bytes) -> tuple[bytes, bytes]:
    """What print-rx.c reads as the IPv4 source and destination (of an IPv6 header too, as it does)."""
    return (src, dst) if len(src) == 4 else (src[4:8], src[8:12])


def _is_ubik(op: int) -> bool:
    return 10000 <= op <= 10007 or 20000 <= op <= 20013


def _rx_call(out: _Out, p: bytes, length: int, port: int) -> None:
    service = _RX_SERVICES.get(port)
    if service is None or length <= _RX_HEADER:
        return
    name, names, calls, _replies, ubik, _error = service
    op = _uint(p, _RX_HEADER, 4)
    out(f" {name}")
    label = name
    if ubik and _is_ubik(op):
        out(f" ubik call {_RX_UBIK_REQ.get(op, f'op#{op}')}")
        spec, label = _UBIK_CALLS.get(op, ()), "ubik"
    else:
        out(f" call {names.get(op, f'op#{op}')}")
        spec = calls.get(op, ())
    try:
        _RxCursor(out, p, _RX_HEADER + 4).run(spec)
    except _RxTrunc:
        out(f" [|{label}]")


def _rx_reply(out: _Out, p: bytes, length: int, port: int, op: int) -> None:
    service = _RX_SERVICES.get(port)
    if service is None:
        return
    name, names, _calls, replies, ubik, error = service
    if length < _RX_HEADER or (length == _RX_HEADER and name not in ("pt", "vldb")):
        return
    kind = p[20]
    cursor = _RxCursor(out, p, _RX_HEADER)
    out(f" {name}")
    try:
        if ubik and _is_ubik(op):
            out(f" ubik reply {_RX_UBIK_REQ.get(op, f'op#{op}')}")
            try:
                if kind == _RX_DATA:
                    cursor.run({10000: (" vote no",), 20004: (" dbversion", "ubik")}.get(op, ()))
                else:
                    cursor.run((" vote yes until", "date") if op == 10000 else (" errcode", "i"))
            except _RxTrunc:
                out(" [|ubik]")
            return
        out(f" reply {names.get(op, f'op#{op}')}")
        if kind == _RX_DATA:
            cursor.run(replies.get(op, ()))
        elif error == "error" and kind == _RX_ABORT:
            code = cursor.s32()
            out(f" error {_RX_AFS_FS_ERRORS.get(code & 0xFFFFFFFF, f'#{code}')}")
        elif error == "error":
            out(f" strange fs reply of type {kind}")
        else:
            cursor.run((" errcode", "i"))
    except _RxTrunc:
        out(f" [|{name}]")


def _rx_ack(out: _Out, p: bytes, length: int) -> None:
    if length < _RX_HEADER:
        return
    at = _RX_HEADER
    if at + 18 > len(p):
        raise _RxTrunc
    first = _uint(p, at + 4, 4)
    reason = p[at + 16]
    out(f" first {first} serial {_uint(p, at + 12, 4)} reason {_RX_RX_ACK_REASONS.get(reason, f'#{reason}')}")
    count = p[at + 17]
    if not count:
        return
    acks = p[at + 18 : at + 18 + count]
    if len(acks) < count:
        raise _RxTrunc
    for wanted, word in ((1, " acked"), (0, " nacked")):
        start = last = -2
        i = 0
        for i in range(count):
            if acks[i] == wanted:
                if last == -2:
                    out(f"{word} {first + i}")
                    start = i
                elif last != i - 1:
                    out(f",{first + i}")
                    start = i
                last = i
            elif last == i - 1 and start != last:
                out(f"-{first + i - 1}")
        i = count
        if last == i - 1 and start != last:
            out(f"-{first + i - 1}")


def _rx(out: _Out, p: bytes, length: int, sport: int, dport: int, src: bytes, dst: bytes) -> None:
    global _rx_next, _rx_hint
    if len(p) < _RX_HEADER:
        out(f" [|rx] ({length})")
        return
    kind, flags = p[20], p[21]
    out(f" rx {_RX_RX_TYPES.get(kind, f'type {kind}')}")
    call, seq, service = _uint(p, 8, 4), _uint(p, 12, 4), _uint(p, 26, 2)
    client, server = _ip_pair(src, dst)
    if kind == _RX_DATA and seq == 1 and flags & _RX_CLIENT_INITIATED:
        if len(p) >= _RX_HEADER + 4:
            _rx_cache[_rx_next] = (call, client, server, dport, service, _uint(p, _RX_HEADER, 4))
            _rx_next = (_rx_next + 1) % _RX_CACHE_SIZE
        _rx_call(out, p, length, dport)
    elif ((kind == _RX_DATA and seq == 1) or kind == _RX_ABORT) and not flags & _RX_CLIENT_INITIATED:
        i = _rx_hint
        while True:
            entry = _rx_cache[i]
            if entry[:5] == (call, server, client, sport, service):
                _rx_hint = i
                _rx_reply(out, p, length, sport, entry[5])
                break
            i = (i + 1) % _RX_CACHE_SIZE
            if i == _rx_hint:
                break
    elif kind == _RX_ACK:
        try:
            _rx_ack(out, p, length)
        except _RxTrunc:
            out(" [|ack]")
    out(f" ({length})")


# --- RIPng (print-ripng.c) ---------------------------------------------------------------------


def _ripng(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    version = _u8(p, 1)
    if version != 1:
        out(f" [vers {version}] (invalid)")
        return
    command = _u8(p, 0)
    if command not in (1, 2):
        out(f" ripng-{command} ?? {length} (invalid)")
        return
    if length < 4:
        out(" (invalid)")
        return
    left = length - 4
    count = left // 20
    word = "req" if command == 1 else "resp"
    if command == 1 and count == 1 and _u8(p, 23) == 16 and p[4:20] == bytes(16):
        out(" ripng-req dump")
        return
    out(f" ripng-{word} {count}[{length}]:" if count * 20 != left else f" ripng-{word} {count}:")
    at = 4
    while left >= 20:
        out(" ")
        out(f"{_ipv6(p, at)}/{_u8(p, at + 18)}")
        if tag := _uint(p, at + 16, 2):
            out(f" [{tag}]")
        metric = _u8(p, at + 19)
        if metric and command == 2:
            out(f" ({metric})")
        at += 20
        left -= 20
    if left:
        out(" (invalid)")


# --- LISP (print-lisp.c) -----------------------------------------------------------------------

_LISP_TYPES = {
    0: "LISP-Reserved",
    1: "LISP-Map-Request",
    2: "LISP-Map-Reply",
    3: "LISP-Map-Register",
    4: "LISP-Map-Notify",
    8: "LISP-Encapsulated-Contol-Message",
}


def _hex_print(out: _Out, label: str, p: bytes, at: int, length: int) -> None:
    """tcpdump's hex_print: ``label`` and the offset before each 16 bytes, the bytes in pairs."""
    available = max(len(p) - at, 0)
    shown = p[at : at + min(length, available)]
    for offset in range(0, len(shown), 16):
        out(
            f"{label}0x{offset:04x}: "
            + "".join(f" {shown[i : i + 2].hex()}" for i in range(offset, min(offset + 16, len(shown)), 2))
        )
    if length > available:
        raise _Cut


def _lisp(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    _need(p, 0, 16)
    kind = p[0] >> 4
    out(_LISP_TYPES.get(kind, f"unknown-type-{kind}") + ",")
    if kind not in (3, 4):
        return
    xtr = p[0] & (2 if kind == 3 else 8)
    records = p[3]
    out(f" {records} record(s),")
    at = 16 + _uint(p, 14, 2)
    if records == 0:
        out(" (invalid)")
        return
    while length > at and records:
        records -= 1
        _need(p, at, 12)
        out("\n")
        mask, afi, locators = p[at + 5], _uint(p, at + 10, 2), p[at + 4]
        at += 12
        if afi == 1:
            out(f" EID {_ipv4(p, at)}/{mask},")
            at += 4
        elif afi == 2:
            out(f" EID {_ipv6(p, at)}/{mask},")
            at += 16
        else:
            return
        out(f" {locators} locator(s)")
        for _ in range(locators):
            _need(p, at, 8)
            afi = _uint(p, at + 6, 2)
            at += 8
            if afi == 1:
                _need(p, at, 4)
                out(f" LOC {_ipv4(p, at)}")
                at += 4
            elif afi == 2:
                _need(p, at, 16)
                out(f" LOC {_ipv6(p, at)}")
                at += 16
    if xtr:
        if at + 24 > len(p):
            out(" (invalid)")
            return
        _hex_print(out, "\n    xTR-ID: ", p, at, 16)
        out(f"\n    SITE-ID: {_uint(p, at + 16, 8)}")
    elif at < len(p):
        _hex_print(out, "\n    Data: ", p, at, len(p) - at)


# --- SNMP (print-snmp.c, as with -n: object identifiers in numbers) ----------------------------

_ASN_UNIVERSAL = (
    "U-0", "Boolean", "Integer", "Bitstring", "String", "Null", "ObjID", "ObjectDes", "U-8", "U-9", "U-10",
    "U-11", "U-12", "U-13", "U-14", "U-15", "Sequence", "Set",
)  # fmt: skip
_ASN_APPLICATION = ("IpAddress", "Counter", "Gauge", "TimeTicks", "Opaque", "C-5", "Counter64")
_ASN_CONTEXT = (
    "GetRequest", "GetNextRequest", "GetResponse", "SetRequest", "Trap", "GetBulk", "Inform", "V2Trap",
    "Report",
)  # fmt: skip
_ASN_EXCEPTIONS = ("noSuchObject", "noSuchInstance", "endOfMibView")
_ASN_CLASSES = (_ASN_UNIVERSAL, _ASN_APPLICATION, _ASN_CONTEXT, ("P-0",), _ASN_EXCEPTIONS)
_SNMP_ERRORS = (
    "noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr", "noAccess", "wrongType",
    "wrongLength", "wrongEncoding", "wrongValue", "noCreation", "inconsistentValue", "resourceUnavailable",
    "commitFailed", "undoFailed", "authorizationError", "notWritable", "inconsistentName",
)  # fmt: skip
_SNMP_TRAPS = (
    "coldStart", "warmStart", "linkDown", "linkUp", "authenticationFailure", "egpNeighborLoss",
    "enterpriseSpecific",
)  # fmt: skip
_GETREQ, _GETNEXTREQ, _GETRESP, _SETREQ, _TRAP, _GETBULKREQ, _INFORMREQ, _V2TRAP, _REPORT = range(9)
_SNMP_QUIET = frozenset((_GETREQ, _GETNEXTREQ, _SETREQ, _INFORMREQ, _V2TRAP, _REPORT))
(_BE_ANY, _BE_NULL, _BE_OCTET, _BE_OID, _BE_INT, _BE_UNS, _BE_STR, _BE_SEQ, _BE_INETADDR, _BE_PDU,
 _BE_UNS64, _BE_EXCEPTION) = range(12)  # fmt: skip


class _Stop(Exception):
    """print-snmp.c gives up on the message after what it printed (``return`` all the way up)."""


class _Be:
    """One BER element as print-snmp.c's asn1_parse leaves it."""

    __slots__ = ("asnlen", "id", "kind", "start", "value")

    def __init__(self, kind: int, asnlen: int, ident: int, start: int, value: int = 0) -> None:
        self.kind, self.asnlen, self.id, self.start, self.value = kind, asnlen, ident, start, value


def _asn1_parse(out: _Out, p: bytes, at: int, length: int) -> tuple[_Be, int]:
    """The element at ``at`` and the bytes it takes; what tcpdump prints of a bad one, then _Stop."""
    if length < 1:
        out("[nothing to parse]")
        raise _Stop
    first = _u8(p, at)
    ident, form, cls = first & 0x1F, first >> 5 & 1, first >> 6
    at, length, header = at + 1, length - 1, 1
    if ident == 0x1F:
        ident = 0
        while _u8(p, at) & 0x80:
            if length < 1:
                out("[Xtagfield?]")
                raise _Stop
            ident = (ident << 7 | p[at] & 0x7F) & 0xFF
            at, length, header = at + 1, length - 1, header + 1
        if length < 1:
            out("[Xtagfield?]")
            raise _Stop
        ident = (ident << 7 | _u8(p, at)) & 0xFF
        at, length, header = at + 1, length - 1, header + 1
    if length < 1:
        out("[no asnlen]")
        raise _Stop
    asnlen = _u8(p, at)
    at, length, header = at + 1, length - 1, header + 1
    if asnlen & 0x80:
        octets = asnlen % 0x80
        asnlen = 0
        if length < octets:
            out(f"[asnlen? {length}<{octets}]")
            raise _Stop
        _need(p, at, octets)
        for _ in range(octets):
            asnlen = (asnlen << 8 | p[at]) & 0xFFFFFFFF
            at, length, header = at + 1, length - 1, header + 1
    if length < asnlen:
        out(f"[len{length}<asnlen{asnlen}]")
        raise _Stop
    names = _ASN_CLASSES[cls]
    if ident >= len(names):
        out(f"[id?{'PC'[form]}/x/{ident}]")
        raise _Stop
    _need(p, at, asnlen)
    body = p[at : at + asnlen]
    kind, value = _BE_ANY, 0
    if form == 0:
        if cls == 0 and ident == 4:
            kind = _BE_STR
        elif cls == 0 and ident == 2:
            if asnlen == 0:
                out("[asnlen=0]")
                raise _Stop
            kind, value = _BE_INT, int.from_bytes(body, "big", signed=True)
            value = (value + (1 << 31)) % (1 << 32) - (1 << 31)
        elif cls == 0 and ident == 6:
            kind = _BE_OID
        elif cls == 0 and ident == 5:
            kind = _BE_NULL
        elif cls == 0:
            kind = _BE_OCTET
            out(f"[P/U/{names[ident]}]")
        elif cls == 1 and ident == 0:
            kind = _BE_INETADDR
        elif cls == 1 and ident in (1, 2, 3):
            kind, value = _BE_UNS, int.from_bytes(body, "big") & 0xFFFFFFFF
        elif cls == 1 and ident == 6:
            kind, value = _BE_UNS64, int.from_bytes(body, "big") & 0xFFFFFFFFFFFFFFFF
        elif cls == 1:
            kind = _BE_OCTET
            out(f"[P/A/{names[ident]}]")
        elif cls == 2:
            kind = _BE_EXCEPTION if ident <= 2 else _BE_ANY
        else:
            kind = _BE_OCTET
            out(f"[P/x/{names[ident]}]")
    elif cls == 0 and ident == 16:
        kind = _BE_SEQ
    elif cls == 0:
        kind = _BE_OCTET
        out(f"C/U/{names[ident]}")
    elif cls == 2:
        kind = _BE_PDU
    else:
        kind = _BE_OCTET
        out(f"C/x/{names[ident]}")
    return _Be(kind, asnlen, ident, at, value), asnlen + header


def _asn1_string(out: _Out, p: bytes, be: _Be) -> None:
    _need(p, be.start, be.asnlen)
    raw = p[be.start : be.start + be.asnlen]
    if all(0x20 <= c <= 0x7E for c in raw):
        out(f'"{raw.decode("ascii")}"')
    else:
        out("_".join(f"{c:02x}" for c in raw))


def _asn1_print(out: _Out, p: bytes, be: _Be) -> None:
    kind = be.kind
    if kind == _BE_OCTET:
        _need(p, be.start, be.asnlen)
        out("".join(f"_{c:02x}" for c in p[be.start : be.start + be.asnlen]))
    elif kind == _BE_OID:
        value, first = 0, -1
        for at in range(be.start, be.start + be.asnlen):
            c = _u8(p, at)
            value = (value << 7) + (c & 0x7F) & 0xFFFFFFFF
            if c & 0x80:
                continue
            if first < 0:
                first = 0
                high = min(value // 40, 2)
                out(f".{high}")
                value -= high * 40
            out(f".{value}")
            first = max(first - 1, 0)
            value = 0
    elif kind in (_BE_INT, _BE_UNS, _BE_UNS64):
        out(str(be.value))
    elif kind == _BE_STR:
        _asn1_string(out, p, be)
    elif kind == _BE_SEQ:
        out(f"Seq({be.asnlen})")
    elif kind == _BE_INETADDR:
        if be.asnlen != 4:
            out("[inetaddr len!=4]")
        _need(p, be.start, be.asnlen)
        out(".".join(str(c) for c in p[be.start : be.start + be.asnlen]))
    elif kind == _BE_EXCEPTION:
        out(f"[{_ASN_EXCEPTIONS[be.id]}]")
    elif kind == _BE_PDU:
        out(f"{_ASN_CONTEXT[be.id]}({be.asnlen})")
    elif kind == _BE_ANY:
        out("[BE_ANY!?]")


def _snmp_expect(out: _Out, p: bytes, at: int, length: int, kind: int, complaint: str) -> tuple[_Be, int]:
    """The next element, which must be of ``kind``: else tcpdump names what it wanted, prints what it
    found and gives up."""
    be, count = _asn1_parse(out, p, at, length)
    if be.kind != kind:
        out(complaint)
        _asn1_print(out, p, be)
        raise _Stop
    return be, count


def _varbinds(out: _Out, p: bytes, at: int, length: int, pdu: int) -> None:
    be, count = _snmp_expect(out, p, at, length, _BE_SEQ, "[!SEQ of varbind]")
    if count < length:
        out(f"[{length - count} extra after SEQ of varbind]")
    at, length = be.start, be.asnlen
    requests = pdu in (_GETREQ, _GETNEXTREQ, _GETBULKREQ)
    while length:
        out(" ")
        be, count = _snmp_expect(out, p, at, length, _BE_SEQ, "[!varbind]")
        after, rest = at + count, length - count
        at, length = be.start, be.asnlen
        be, count = _snmp_expect(out, p, at, length, _BE_OID, "[objName!=OID]")
        _asn1_print(out, p, be)
        at, length = at + count, length - count
        if not requests:
            out("=")
        be, count = _asn1_parse(out, p, at, length)
        if requests and be.kind != _BE_NULL:
            out("[objVal!=NULL]")
        if be.kind != _BE_NULL:
            _asn1_print(out, p, be)
        at, length = after, rest


def _snmp_pdu(out: _Out, p: bytes, at: int, length: int, pdu: int) -> None:
    _be, count = _snmp_expect(out, p, at, length, _BE_INT, "[reqId!=INT]")
    at, length = at + count, length - count
    be, count = _snmp_expect(out, p, at, length, _BE_INT, "[errorStatus!=INT]")
    status = 0
    error = f"err={be.value & 0xFFFFFFFF}"
    if 0 <= be.value < len(_SNMP_ERRORS):
        error = _SNMP_ERRORS[be.value]
    if pdu in _SNMP_QUIET and be.value:
        out(f"[errorStatus({error})!=0]")
    elif pdu == _GETBULKREQ:
        out(f" N={be.value}")
    elif be.value:
        out(f" {error}")
        status = be.value
    at, length = at + count, length - count
    be, count = _snmp_expect(out, p, at, length, _BE_INT, "[errorIndex!=INT]")
    if pdu in _SNMP_QUIET and be.value:
        out(f"[errorIndex({be.value})!=0]")
    elif pdu == _GETBULKREQ:
        out(f" M={be.value}")
    elif be.value:
        out(f"@{be.value}" if status else f"[errorIndex({be.value}) w/o errorStatus]")
    elif status:
        out("[errorIndex==0]")
    _varbinds(out, p, at + count, length - count, pdu)


def _snmp_trap(out: _Out, p: bytes, at: int, length: int) -> None:
    out(" ")
    be, count = _snmp_expect(out, p, at, length, _BE_OID, "[enterprise!=OID]")
    _asn1_print(out, p, be)
    at, length = at + count, length - count
    out(" ")
    be, count = _snmp_expect(out, p, at, length, _BE_INETADDR, "[agent-addr!=INETADDR]")
    _asn1_print(out, p, be)
    at, length = at + count, length - count
    be, count = _snmp_expect(out, p, at, length, _BE_INT, "[generic-trap!=INT]")
    generic = be.value
    out(" " + (_SNMP_TRAPS[generic] if 0 <= generic < len(_SNMP_TRAPS) else f"gt={generic}"))
    at, length = at + count, length - count
    be, count = _snmp_expect(out, p, at, length, _BE_INT, "[specific-trap!=INT]")
    if generic != 6:
        if be.value:
            out(f"[specific-trap({be.value})!=0]")
    else:
        out(f" s={be.value}")
    at, length = at + count, length - count
    out(" ")
    be, count = _snmp_expect(out, p, at, length, _BE_UNS, "[time-stamp!=TIMETICKS]")
    _asn1_print(out, p, be)
    _varbinds(out, p, at + count, length - count, _TRAP)


def _snmp_any_pdu(out: _Out, p: bytes, at: int, length: int, version: int) -> None:
    be, count = _asn1_parse(out, p, at, length)
    if be.kind != _BE_PDU:
        out("[no PDU]")
        return
    if count < length:
        out(f"[{length - count} extra after PDU]")
    _asn1_print(out, p, be)
    out(" ")
    if version == 0 and be.id in (_GETBULKREQ, _INFORMREQ, _V2TRAP, _REPORT):
        out("[v2 PDU in v1 message]")
    elif version == 1 and be.id == _TRAP:
        out("[v1 PDU in v2 message]")
    elif be.id == _TRAP:
        _snmp_trap(out, p, be.start, be.asnlen)
    else:
        _snmp_pdu(out, p, be.start, be.asnlen, be.id)


def _snmp_usm(out: _Out, p: bytes, at: int, length: int) -> None:
    be, count = _snmp_expect(out, p, at, length, _BE_SEQ, "[!usm]")
    at, length = be.start, be.asnlen
    for kind, complaint in (
        (_BE_STR, "[msgAuthoritativeEngineID!=STR]"),
        (_BE_INT, "[msgAuthoritativeEngineBoots!=INT]"),
        (_BE_INT, "[msgAuthoritativeEngineTime!=INT]"),
    ):
        _be, count = _snmp_expect(out, p, at, length, kind, complaint)
        at, length = at + count, length - count
    be, count = _snmp_expect(out, p, at, length, _BE_STR, "[msgUserName!=STR]")
    at, length = at + count, length - count
    out("U=")
    _asn1_string(out, p, be)
    out(" ")
    for complaint in ("[msgAuthenticationParameters!=STR]", "[msgPrivacyParameters!=STR]"):
        _be, count = _snmp_expect(out, p, at, length, _BE_STR, complaint)
        at, length = at + count, length - count
    if count < length:
        out(f"[{length - count} extra after usm SEQ]")


def _snmp_v3(out: _Out, p: bytes, at: int, length: int) -> None:
    start, whole = at, length
    be, count = _snmp_expect(out, p, at, length, _BE_SEQ, "[!message]")
    at, length = be.start, be.asnlen
    for kind, complaint in ((_BE_INT, "[msgID!=INT]"), (_BE_INT, "[msgMaxSize!=INT]")):
        _be, count = _snmp_expect(out, p, at, length, kind, complaint)
        at, length = at + count, length - count
    be, count = _snmp_expect(out, p, at, length, _BE_STR, "[msgFlags!=STR]")
    if be.asnlen != 1:
        out(f"[msgFlags size {be.asnlen}]")
        return
    flags = _u8(p, be.start)
    if flags not in (0, 1, 3, 4, 5, 7):
        out(f"[msgFlags=0x{flags:02X}]")
        return
    at, length = at + count, length - count
    out(f"F={'a' if flags & 1 else ''}{'p' if flags & 2 else ''}{'r' if flags & 4 else ''} ")
    be, count = _snmp_expect(out, p, at, length, _BE_INT, "[msgSecurityModel!=INT]")
    model = be.value
    at, length = at + count, length - count
    if count < length:
        out(f"[{length - count} extra after message SEQ]")
    if model != 3:
        out(f"[security model {model}]")
        return
    length = whole - (at - start)
    be, count = _snmp_expect(out, p, at, length, _BE_STR, "[msgSecurityParameters!=STR]")
    at, length = at + count, length - count
    with contextlib.suppress(_Stop):  # usm_print gives up on itself only
        _snmp_usm(out, p, be.start, be.asnlen)
    be, count = _snmp_expect(out, p, at, length, _BE_SEQ, "[!scoped PDU]")
    at, length = be.start, be.asnlen
    be, count = _snmp_expect(out, p, at, length, _BE_STR, "[contextEngineID!=STR]")
    at, length = at + count, length - count
    out("E=")
    _need(p, be.start, be.asnlen)
    out("".join(f"_{c:02x}" for c in p[be.start : be.start + be.asnlen]))
    out(" ")
    be, count = _snmp_expect(out, p, at, length, _BE_STR, "[contextName!=STR]")
    at, length = at + count, length - count
    out("C=")
    _asn1_string(out, p, be)
    out(" ")
    _snmp_any_pdu(out, p, at, length, 3)


def _snmp(out: _Out, p: bytes, length: int, sport: int, dport: int) -> None:
    out(" ")
    try:
        be, count = _snmp_expect(out, p, 0, length, _BE_SEQ, "[!init SEQ]")
        if count < length:
            out(f"[{length - count} extra after iSEQ]")
        at, length = be.start, be.asnlen
        be, count = _snmp_expect(out, p, at, length, _BE_INT, "[version!=INT]")
        version = be.value
        if version not in (0, 1, 3):
            out(f"SNMP [version = {version}]")
            return
        at, length = at + count, length - count
        if version == 3:
            _snmp_v3(out, p, at, length)
            return
        be, count = _snmp_expect(out, p, at, length, _BE_STR, "[comm!=STR]")
        if p[be.start : be.start + be.asnlen] != b"public":
            out("C=")
            _asn1_string(out, p, be)
            out(" ")
        _snmp_any_pdu(out, p, at + count, length - count, version)
    except _Stop:
        return


# --- dispatch ----------------------------------------------------------------------------------

_Printer = Callable[[_Out, bytes, int, int, int], None]
_PRINTERS: dict[str, tuple[str, _Printer]] = {
    "hsrp": ("hsrp", _hsrp),
    "bfd": ("bfd", _bfd),
    "bfd-echo": ("bfd", _bfd_echo),
    "bcm-li": ("bcm_li", _bcm_li),
    "dhcp6": ("dhcp6", _dhcp6),
    "radius": ("radius", _radius),
    "sflow": ("sflow", _sflow),
    "babel": ("babel", _babel),
    "lwapp-data": ("lwapp_data", _lwapp_data),
    "lwapp-control-ap": ("lwapp_control", _lwapp_control_ap),
    "lwapp-control": ("lwapp_control", _lwapp_control),
    "ahcp": ("ahcp", _ahcp),
    "someip": ("someip", _someip),
    "tftp": ("tftp", _tftp),
    "timed": ("timed", _timed),
    "rip": ("rip", _rip),
    "krb": ("krb", _krb),
    "hncp": ("hncp", _hncp),
    "sip": ("sip", _sip),
    "ldp": ("ldp", _ldp),
    "lspping": ("lspping", _lspping),
    "vqp": ("vqp", _vqp),
    "ripng": ("ripng", _ripng),
    "snmp": ("snmp", _snmp),
    "lisp": ("lisp", _lisp),
    "autorp": ("cisco_autorp", _autorp),
}
_ADDRESSED = {
    "isakmp": ("isakmp", _isakmp_app),
    "isakmp-natt": ("isakmp_rfc3948", _isakmp_natt),
    "olsr": ("olsr", _olsr),
    "aodv": ("aodv", _aodv),
}
_TUNNELS = {
    "vxlan": ("vxlan", _vxlan),
    "otv": ("otv", _otv),
    "vxlan-gpe": ("vxlan_gpe", _vxlan_gpe),
}


def udp_app_text(
    app: UdpAppLayer,
    sport: int,
    dport: int,
    src: bytes,
    dst: bytes,
    inner: Callable[[int], str] | None,
    link_level: bool = False,
) -> str:
    """The text tcpdump prints after ``IP a.sport > b.dport: `` for the UDP application ``app``; ``src``
    and ``dst`` are the IP addresses (IKEv1 tells initiator from responder by them), ``inner`` gives
    the line of a tunnel's inner frame of the given length (None where its layers are missing);
    ``link_level``: tcpdump's -e, under which Geneve names the protocol it carries."""
    name, payload, length = app[1], app[2], app[3]
    if name in ("nfs-request", "nfs-reply"):
        return rpc.nfs_text(payload, length, name == "nfs-request", src, dst)
    if name == "l2tp":
        return l2tp_text(payload, length, inner)
    if name == "lwres":
        return lwres_text(payload, length)
    if name in MISC_UDP_PRINTERS:
        return MISC_UDP_PRINTERS[name](payload, length, inner)
    out = _Out(name)
    try:
        if name == "geneve":
            _geneve(out, payload, length, inner, link_level)
        elif name in _TUNNELS:
            out.proto, tunnel = _TUNNELS[name]
            tunnel(out, payload, length, inner)
        elif name == "rx":
            _rx(out, payload, length, sport, dport, src, dst)
        elif name in _ADDRESSED:
            out.proto, addressed = _ADDRESSED[name]
            addressed(out, payload, length, src, dst)
        elif name in _PRINTERS:
            out.proto, printer = _PRINTERS[name]
            printer(out, payload, length, sport, dport)
        else:
            return f"UDP, length {length}"
    except _Cut:
        out(f" [|{out.proto}]")
    except (IndexError, ValueError, KeyError, OverflowError, OSError):  # a check missed: never crash a read
        out(f" [|{out.proto}]")
    return "".join(out.parts)


__all__ = ["reset_isakmp_cookies", "reset_rx_calls", "udp_app_text"]
