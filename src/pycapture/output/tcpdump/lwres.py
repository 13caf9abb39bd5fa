"""tcpdump's BIND 9 lightweight resolver protocol (print-lwres.c, UDP port 921) without -v:
`` lwres getaddrsbyname? IPv4 example.com``, `` lwres getnamebyaddr 1/2 ...``, `` [len: a != b]``,
``[extra]``; `` [|lwres]`` where the capture ends first."""

from __future__ import annotations

import socket

from ...decode.lean import printable_text
from .text import _DNS_TYPES, relts

_HEADER = 28
_RESPONSE = 0x0001
_NOOP, _GABN, _GNBA, _GRBN = 0, 0x00010001, 0x00010002, 0x00010003
_OPCODES = {_NOOP: "noop", _GABN: "getaddrsbyname", _GNBA: "getnamebyaddr", _GRBN: "getrdatabyname"}
_CLASSES = {1: "IN", 3: "CHAOS", 4: "HS", 255: "ANY"}
_ADDRTYPES = {1: " IPv4", 2: " IPv6", 3: " IPv4/6"}


class _Cut(Exception):
    """A read past the capture: `` [|lwres]``."""


class _Invalid(Exception):
    """An address shorter than its family's: `` (invalid)``."""


class _Lwres:
    def __init__(self, p: bytes) -> None:
        self.p = p
        self.parts: list[str] = []

    def out(self, text: str) -> None:
        self.parts.append(text)

    def uint(self, at: int, n: int) -> int:
        if at + n > len(self.p):
            raise _Cut
        return int.from_bytes(self.p[at : at + n], "big")

    def name(self, size: int, at: int) -> int:
        """lwres_printname: a name of ``size`` bytes and its NUL; the bytes it takes."""
        chunk = self.p[at : at + size]
        self.out(" " + printable_text(bytes(chunk)))
        if len(chunk) < size:
            raise _Cut
        if self.uint(at + size, 1):
            self.out(" (not NUL-terminated!)")
        return size + 1

    def namelen(self, at: int) -> int:
        return 2 + self.name(self.uint(at, 2), at + 2)

    def binlen(self, at: int) -> int:
        size = self.uint(at, 2)
        data = self.p[at + 2 : at + 2 + size]
        self.out(data.hex())
        if len(data) < size:
            raise _Cut
        return 2 + size

    def addr(self, at: int) -> int:
        """lwres_printaddr: a family, a length and the address; the bytes it takes."""
        size = self.uint(at + 4, 2)
        if at + 6 + size > len(self.p):
            raise _Cut
        family = self.uint(at, 4)
        value = self.p[at + 6 : at + 6 + size]
        if family == 1:
            if size < 4:
                raise _Invalid
            self.out(" " + socket.inet_ntoa(value[:4]))
            return 10
        if family == 2:
            if size < 16:
                raise _Invalid
            self.out(" " + socket.inet_ntop(socket.AF_INET6, value[:16]))
            return 22
        self.out(f" {family}/{value.hex()}")
        return 6 + size

    def kind(self, at: int) -> None:
        """A record type and, unless IN, class (the type's two bytes follow the class's at ``at``)."""
        rdtype, rdclass = self.uint(at + 2, 2), self.uint(at, 2)
        self.out(f" {_DNS_TYPES.get(rdtype, f'Type{rdtype}')}")
        if rdclass != 1:
            self.out(f" {_CLASSES.get(rdclass, f'Class{rdclass}')}")


def _body(m: _Lwres, length: int) -> None:
    declared = m.uint(0, 4)
    m.uint(26, 2)
    m.out(" lwres")
    version = m.uint(4, 2)
    unsupported = False
    if version:
        m.out(f" v{version}")
        end = declared
    else:
        flags, opcode = m.uint(6, 2), m.uint(12, 4)
        response = flags & _RESPONSE
        m.out(f" {_OPCODES.get(opcode, f'#0x{opcode:x}')}{'' if response else '?'}")
        if flags & ~_RESPONSE:
            m.out(f"[0x{flags:x}]")
        p = _HEADER
        end = p
        if opcode not in _OPCODES:
            unsupported = True
        elif opcode == _NOOP:
            pass
        elif not response and opcode == _GABN:
            m.uint(p + 8, 2)
            types = m.uint(p + 4, 4)
            m.out(_ADDRTYPES.get(types & 3, ""))
            if types & ~3:
                m.out(f"[0x{types:x}]")
            end = p + 10 + m.name(m.uint(p + 8, 2), p + 10)
        elif not response and opcode == _GNBA:
            m.uint(p, 4)
            end = p + 4 + m.addr(p + 4)
        elif not response:
            m.uint(p + 8, 2)
            m.kind(p + 4)
            end = p + 10 + m.name(m.uint(p + 8, 2), p + 10)
        elif opcode == _GABN:
            m.uint(p + 8, 2)
            aliases, addrs = m.uint(p + 4, 2), m.uint(p + 6, 2)
            m.out(f" {aliases}/{addrs}")
            end = p + 10 + m.name(m.uint(p + 8, 2), p + 10)
            for _alias in range(aliases):
                end += m.namelen(end)
            for _addr in range(addrs):
                end += m.addr(end)
        elif opcode == _GNBA:
            m.uint(p + 6, 2)
            aliases = m.uint(p + 4, 2)
            m.out(f" {aliases}")
            end = p + 8 + m.name(m.uint(p + 6, 2), p + 8)
            for _alias in range(aliases):
                end += m.namelen(end)
        else:
            m.uint(p + 14, 2)
            m.kind(p + 4)
            m.out(f" TTL {relts(m.uint(p + 8, 4))}")
            rdatas, sigs = m.uint(p + 12, 2), m.uint(p + 14, 2)
            m.out(f" {rdatas}/{sigs}")
            end = p + 16
            end += m.namelen(end)
            for _data in range(rdatas + sigs):
                end += m.binlen(end)
    if declared != length:
        m.out(f" [len: {declared} != {length}]")
    if not unsupported and (end & 0xFFFFFFFF) < declared:
        m.out("[extra]")


def lwres_text(payload: bytes, length: int) -> str:
    """lwres_print of ``payload`` (what the capture holds of the ``length`` bytes of the UDP payload)."""
    m = _Lwres(payload)
    try:
        _body(m, length)
    except _Cut:
        m.out(" [|lwres]")
    except _Invalid:
        m.out(" (invalid)")
    return "".join(m.parts)


__all__ = ["lwres_text"]
