"""tcpflow's output (issue 18): one file per direction of each TCP connection, named and filled as
Debian's tcpflow 1.6.1 names and fills them (its ``report.xml`` is not written).

The rules, tcpflow's: a direction starts with a SYN (ISN = its sequence number) or with data (ISN = the
sequence number - 1); a segment's bytes go at file offset ``seq - ISN - 1`` (the very first segment's at
0), so a gap is a hole of zeros and a retransmission overwrites: the later bytes win. Bytes before offset
0 are dropped once a SYN was seen, and otherwise inserted at the front. A one-byte segment one before the
next expected byte is a keepalive and is ignored; a SYN on a direction that has written bytes is
ignored. A RST ends the direction, and so does a FIN once every byte before it was written; after that,
data that repeats the closed file's bytes is dropped and other data starts a new file, named with ``c1``,
``c2``... after the first free name. A segment more than ``max_seek`` (16 MiB) from the next expected
byte starts a new file too. IPv4 segments run to the end of the frame, Ethernet padding included, as in
tcpflow 1.6.1. Names are ``%A.%a-%B.%b``: zero-padded dotted quads or IPv6 as ``inet_ntop`` writes it,
five-digit ports, and ``--TCI`` (the whole 802.1Q tag) for a tagged frame. Link types: Ethernet (one
802.1Q tag), NULL (Linux's address families), PPP (IPv4), RAW, Linux SLL and SLL2.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..protocols.linktypes import (
    LINKTYPE_ETHERNET,
    LINKTYPE_LINUX_SLL,
    LINKTYPE_LINUX_SLL2,
    LINKTYPE_NULL,
    LINKTYPE_RAW,
)
from ..protocols.numbers import (
    ETHERTYPE_IP,
    ETHERTYPE_IP6,
    ETHERTYPE_VLAN,
    TCP_FLAG_BITS,
    TCP_SEQ_HALF,
    TCP_SEQ_MASK,
)
from ..protocols.numbers import IPPROTO_TCP as TCP

FIN, SYN, RST, ACK = (TCP_FLAG_BITS[letter] for letter in "FSR.")
DEFAULT_MAX_SEEK = 1 << 24
"""tcpflow's ``max_seek``: a segment further than this from the next expected byte starts a new file."""
_LINK_HEADER = {12: 0, 14: 0, LINKTYPE_RAW: 0, LINKTYPE_LINUX_SLL: 16, LINKTYPE_LINUX_SLL2: 20}
"""Bytes before the IP header for link types other than Ethernet and NULL (RAW, SLL, SLL2)."""
_VLAN = ETHERTYPE_VLAN.to_bytes(2, "big")
_IP_TYPES = (ETHERTYPE_IP.to_bytes(2, "big"), ETHERTYPE_IP6.to_bytes(2, "big"))
Record = tuple[int, bytes]
"""A frame: its link type and its captured bytes."""


@dataclass
class FlowsReport:
    """What :func:`write_flows` did: the files written (names in ``outdir``), TCP segments read, and
    frames passed over (not IP, not TCP, or cut short)."""

    files: list[str] = field(default_factory=list)
    segments: int = 0
    skipped_frames: int = 0


class _Direction:
    """One direction's state, as tcpflow's ``tcpip``: file position, next sequence number, bytes seen."""

    __slots__ = ("fin_size", "isn", "name", "nsn", "pos", "seen", "syns")

    def __init__(self, isn: int) -> None:
        self.isn = isn
        self.nsn = (isn + 1) & TCP_SEQ_MASK
        self.pos = 0
        self.syns = 0
        self.fin_size = -1  # -1: no FIN yet
        self.name: str | None = None  # given when the first byte is written
        self.seen: list[tuple[int, int]] | None = []  # written ranges; None once bytes were inserted

    def seen_bytes(self) -> int:
        if not self.seen:
            return 0
        total, end = 0, -1
        for a, b in sorted(self.seen):
            if b > end:
                total += b - max(a, end)
                end = b
        return total


def _address(raw: bytes) -> str:
    if len(raw) == 4:
        return ".".join(f"{b:03d}" for b in raw)
    return str(ipaddress.IPv6Address(raw))


def flow_name(src: bytes, sport: int, dst: bytes, dport: int) -> str:
    """tcpflow's file name of one direction, from packed addresses: ``192.168.001.001.00080-...``."""
    return f"{_address(src)}.{sport:05d}-{_address(dst)}.{dport:05d}"


def _ip(data: bytes, at: int) -> tuple[bytes, bytes, int, int] | None:
    """Source, destination, TCP header offset and end of the TCP segment of an IP packet."""
    if len(data) < at + 20:
        return None
    if data[at] >> 4 == 6:
        if len(data) < at + 40 or data[at + 6] != TCP:
            return None
        length = data[at + 4] << 8 | data[at + 5]
        if not length:
            return None
        return data[at + 8 : at + 24], data[at + 24 : at + 40], at + 40, at + 40 + length
    if data[at + 9] != TCP or (data[at + 6] << 8 | data[at + 7]) & 0x1FFF:
        return None
    header = (data[at] & 0x0F) * 4
    if header > (data[at + 2] << 8 | data[at + 3]):
        return None
    # tcpflow 1.6.1 takes an IPv4 segment to the end of the frame, Ethernet padding included
    return data[at + 12 : at + 16], data[at + 16 : at + 20], at + header, len(data)


def _ip_offset(linktype: int, data: bytes) -> int | None:
    if linktype == LINKTYPE_ETHERNET:
        if len(data) < 14:
            return None
        at = 18 if data[12:14] == _VLAN else 14  # tcpflow reads one 802.1Q tag
        return at if data[at - 2 : at] in _IP_TYPES else None
    if linktype == LINKTYPE_NULL:  # the family is in host order; tcpflow takes Linux's AF_INET and AF_INET6
        return 4 if data[:4] in (b"\x02\x00\x00\x00", b"\x0a\x00\x00\x00") else None
    if linktype == 9:  # PPP: tcpflow takes IPv4 only
        return 4 if data[2:4] == b"\x00\x21" else None
    return _LINK_HEADER.get(linktype)


def _vlan(linktype: int, data: bytes) -> int | None:
    """The whole 802.1Q tag control word (priority bits too), as tcpflow names files with it."""
    return data[14] << 8 | data[15] if linktype == LINKTYPE_ETHERNET and data[12:14] == _VLAN else None


class TcpflowWriter:
    """Takes frames one at a time (:meth:`add`), holds the files in memory, and writes them into
    ``outdir`` (:meth:`write`). Names already in ``outdir`` are not reused: the next free one of
    ``NAME``, ``NAMEc1``, ``NAMEc2``... is taken, as tcpflow opens its files with O_EXCL."""

    def __init__(self, outdir: str | os.PathLike[str], max_seek: int = DEFAULT_MAX_SEEK) -> None:
        self.outdir = Path(outdir)
        self.max_seek = max_seek
        self.live: dict[str, _Direction] = {}
        self.saved: dict[str, tuple[int, str]] = {}  # a closed direction's ISN and file name
        self.files: dict[str, bytearray] = {}
        self.report = FlowsReport()

    def add(self, linktype: int, data: bytes) -> None:
        """One captured frame."""
        at = _ip_offset(linktype, data)
        ip = None if at is None else _ip(data, at)
        if ip is None or len(data) < ip[2] + 20:
            self.report.skipped_frames += 1
            return
        src, dst, t, end = ip
        sport, dport = data[t] << 8 | data[t + 1], data[t + 2] << 8 | data[t + 3]
        seq = int.from_bytes(data[t + 4 : t + 8], "big")
        header = (data[t + 12] >> 4) * 4
        payload = data[t + header : end]
        self.report.segments += 1
        vlan = _vlan(linktype, data)
        name = flow_name(src, sport, dst, dport) + ("" if vlan is None else f"--{vlan}")
        self._segment(name, seq, data[t + 13], payload)

    def _segment(self, key: str, seq: int, flags: int, payload: bytes) -> None:
        syn, fin, rst, ack = flags & SYN, flags & FIN, flags & RST, flags & ACK
        d = self.live.get(key)
        if d is not None and syn and d.syns and d.pos:
            return
        delta = 0
        if d is None:
            if not payload:
                if fin or rst or not (syn or ack):
                    return
            elif key in self.saved:
                isn, name = self.saved[key]
                offset = (seq - isn - 1) & TCP_SEQ_MASK
                if self.files[name][offset : offset + len(payload)] == payload:
                    return  # a retransmission of a closed flow's bytes
        else:
            delta = (seq - d.nsn) & TCP_SEQ_MASK
            if delta >= TCP_SEQ_HALF:
                delta -= TCP_SEQ_MASK + 1
            if abs(delta) > self.max_seek:
                self._close(key, d)
                d, delta = None, 0
        if d is None:
            if not syn and not payload:
                return
            d = self.live[key] = _Direction(seq if syn else (seq - 1) & TCP_SEQ_MASK)
        if syn:
            d.syns += 1
        if payload:
            self._store(key, d, payload, delta)
        if rst:
            self._close(key, d)
            return
        if fin and d.fin_size < 0:
            d.fin_size = (seq + len(payload) - d.isn - 1) & TCP_SEQ_MASK
        if d.fin_size >= 0 and d.seen_bytes() == d.fin_size:
            self._close(key, d)

    def _store(self, key: str, d: _Direction, payload: bytes, delta: int) -> None:
        offset = d.pos + delta
        insert = 0
        if offset < 0:
            if d.syns:
                return
            insert, offset = -offset, 0
        if d.name is None:
            d.name = self._new_name(key)
        buffer = self.files[d.name]
        if insert:
            buffer[0:0] = bytes(insert)
            d.isn = (d.isn - insert) & TCP_SEQ_MASK
            d.pos, d.nsn, d.seen = 0, (d.isn + 1) & TCP_SEQ_MASK, None
        if offset != d.pos:
            if delta == -1 and len(payload) == 1:  # an RFC 1122 keepalive
                return
            d.pos += delta
            d.nsn = (d.nsn + delta) & TCP_SEQ_MASK
        if len(buffer) < offset:
            buffer.extend(bytes(offset - len(buffer)))
        buffer[offset : offset + len(payload)] = payload
        if d.seen is not None:
            d.seen.append((d.pos, d.pos + len(payload)))
        d.pos += len(payload)
        d.nsn = (d.nsn + len(payload)) & TCP_SEQ_MASK

    def _new_name(self, key: str) -> str:
        name, n = key, 0
        while name in self.files or (self.outdir / name).exists():
            n += 1
            name = f"{key}c{n}"
        self.files[name] = bytearray()
        return name

    def _close(self, key: str, d: _Direction) -> None:
        del self.live[key]
        if d.name is not None:
            self.saved[key] = (d.isn, d.name)

    def add_file(self, path: str | os.PathLike[str], bpf: str = "") -> None:
        """Every frame of a capture file (``bpf``: only those the filter takes); flows go on across
        files, as with tcpflow's repeated ``-r``."""
        from .. import open_offline

        with open_offline(os.fspath(path)) as handle:
            if bpf:
                handle.set_filter(bpf)
            linktype = handle.datalink
            add = self.add
            for _sec, _frac, _length, data in handle.records():
                add(linktype, data)

    def write(self) -> FlowsReport:
        """Write the files into ``outdir`` (made if missing) and say what was written."""
        self.outdir.mkdir(parents=True, exist_ok=True)
        for name, content in self.files.items():
            (self.outdir / name).write_bytes(content)
        self.report.files = sorted(self.files)
        return self.report


def write_flows(
    source: str | os.PathLike[str] | Iterable[Record], outdir: str | os.PathLike[str], bpf: str = ""
) -> FlowsReport:
    """Write tcpflow's files for a capture file (``bpf``: a filter on its packets) or for
    ``(linktype, frame)`` records into ``outdir``."""
    writer = TcpflowWriter(outdir)
    if isinstance(source, (str, os.PathLike)):
        writer.add_file(source, bpf)
    else:
        for linktype, data in source:
            writer.add(linktype, data)
    return writer.write()
