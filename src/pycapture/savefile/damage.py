"""Find where a saved capture is damaged: the packet number, the byte offset and what is wrong there.

libpcap stops at a damaged record with a message that says what it tried ("truncated dump file; tried
to read 16 header bytes, only got 6") but not where. :func:`diagnose` walks the file's framing again in
pure Python (pcap record headers, pcapng block headers and trailers), making the checks libpcap makes
(1.9.1, the one pcapy-ng's wheels hold, and 1.10, tcpdump's), and names the first place they fail. It
is meant for the error path only: it reads a bounded window of the file at a time and never reads or
allocates by a length field, whatever the file claims.

The rules it checks by, libpcap's, are those of :mod:`pycapture.savefile.format`, which the file backend
(:mod:`pycapture.capture.backends.dpkt_file`) reads by too.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import BinaryIO

from . import format as fmt

_WINDOW = 1 << 20  # bytes read at a time while walking


@dataclass(frozen=True)
class Damage:
    """Where a capture file is damaged.

    ``offset``: the byte offset of the header, record or block that is wrong. ``packets_before``: how
    many packets precede it (all of them readable). ``in_packet``: the damage is in a packet's own
    record or block (so it is packet ``packets_before + 1``); False for the file header, a section or
    interface block. ``problem``: what is wrong, or None when only the reader's own message says it.
    """

    offset: int
    packets_before: int
    in_packet: bool
    problem: str | None
    in_file_header: bool = False

    @property
    def packet(self) -> int | None:
        """The number (1-based) of the damaged packet, or None when the damage is not in a packet."""
        return self.packets_before + 1 if self.in_packet else None

    def where(self) -> str:
        """``packet 4 at byte offset 213``, ``byte offset 0`` or ``byte offset 88, after packet 3``."""
        if self.in_file_header:
            return f"byte offset {self.offset}"
        if self.in_packet:
            return f"packet {self.packets_before + 1} at byte offset {self.offset}"
        after = f"after packet {self.packets_before}" if self.packets_before else "before the first packet"
        return f"byte offset {self.offset}, {after}"


class _Window:
    """Small reads at any offset of a file through one bounded buffer."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self._file = file
        self.size = size
        self._start = 0
        self._buf = b""

    def at(self, offset: int, n: int) -> bytes:
        """Up to ``n`` (a small constant) bytes at ``offset``; fewer at the end of the file."""
        rel = offset - self._start
        if rel < 0 or rel + n > len(self._buf):
            self._file.seek(offset)
            self._buf = self._file.read(max(n, _WINDOW))
            self._start = offset
            rel = 0
        return self._buf[rel : rel + n]


def diagnose(path: str, packets_read: int | None = None) -> Damage | None:
    """The first damage in the capture file ``path``, or None if its framing is sound (or unreadable).

    ``packets_read``: how many packets the reader delivered before it failed, when every packet was
    counted (no filter). If the walk finds no damage that agrees with that count (a check libpcap
    makes and this walk does not), the damage is placed right after that packet, with no problem text:
    the reader's message says what it is. Standard input (``"-"``) cannot be walked again: None.
    """
    if path == "-" or not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as file:
            window = _Window(file, os.fstat(file.fileno()).st_size)
            damage, boundary = _walk(window, packets_read)
    except OSError:
        return None
    if packets_read is None or (damage is not None and damage.packets_before == packets_read):
        return damage
    if boundary is None:
        return damage
    return Damage(boundary, packets_read, False, None)


def _walk(window: _Window, packets_read: int | None) -> tuple[Damage | None, int | None]:
    """(the first damage, the offset right after packet ``packets_read``) of the file in ``window``."""
    size = window.size
    if size == 0:
        return Damage(0, 0, False, "the file is empty", True), None
    head = window.at(0, 4)
    if len(head) < 4:
        return Damage(0, 0, False, f"the file is {size} bytes long, too short for a magic number", True), None
    if head in fmt.PCAP_MAGICS:
        return _walk_pcap(window, packets_read)
    if head == fmt.PCAPNG_MAGIC:
        return _walk_pcapng(window, packets_read)
    return Damage(0, 0, False, f"magic number {head.hex()} is neither pcap's nor pcapng's", True), None


def _walk_pcap(window: _Window, packets_read: int | None) -> tuple[Damage | None, int | None]:
    size = window.size
    head = window.at(0, 24)
    if len(head) < 24:
        return Damage(0, 0, False, f"the file header is cut short: {len(head)} of 24 bytes", True), None
    header = fmt.parse_file_header(head)
    assert header is not None  # the caller found pcap's magic number
    major, minor, linktype = header.major, header.minor, header.linktype
    record_size = header.magic.record_size
    if major < 2 or not ((major == 2 and minor <= 4) or (major, minor) == (543, 0)):
        return Damage(4, 0, False, f"version {major}.{minor} is not pcap 2.0 to 2.4", True), None
    max_caplen = fmt.max_snaplen_for_dlt(fmt.linktype_to_dlt(linktype & fmt.LINKTYPE_MASK))
    lengths = fmt.lengths_order(major, minor).lengths
    record = struct.Struct(header.magic.order + "II")  # the two lengths, at byte 8 of a record header
    pos = 24
    n = 0
    boundary = 24 if packets_read == 0 else None
    while pos < size:
        raw = window.at(pos, record_size)
        if len(raw) < record_size:
            problem = f"the record header is cut short: {len(raw)} of {record_size} bytes"
            return Damage(pos, n, True, problem), boundary
        caplen, _length = lengths(*record.unpack_from(raw, 8))
        if caplen > max_caplen:
            problem = f"its capture length {caplen} is larger than libpcap's limit of {max_caplen} bytes"
            return Damage(pos, n, True, problem), boundary
        held = size - pos - record_size
        if held < caplen:
            return Damage(pos, n, True, f"the packet data is cut short: {held} of {caplen} bytes"), boundary
        pos += record_size + caplen
        n += 1
        if n == packets_read:
            boundary = pos
    return None, boundary


class _Pcapng:
    """What a pcapng walk knows between blocks: the byte order, the first link type, this section's
    interfaces."""

    def __init__(self, order: str, byte_order_magic: bytes, size: int) -> None:
        self.order = order
        self.byte_order_magic = byte_order_magic
        self.size = size
        self.u16 = struct.Struct(order + "H").unpack_from
        self.u32 = struct.Struct(order + "I").unpack_from
        self.idb = struct.Struct(order + fmt.IDB_FIELDS).unpack_from
        self.epb = struct.Struct(order + fmt.EPB_FIELDS).unpack_from
        self.pb = struct.Struct(order + fmt.PB_FIELDS).unpack_from
        self.linktype: int | None = None  # and snapshot length, of the file's first interface
        self.snapshot = 0
        self.interfaces = 0

    def problem(self, window: _Window, pos: int, raw: bytes, btype: int, length: int) -> str | None:
        """What is wrong with the block at ``pos`` (``raw``: its first bytes), as libpcap would find it."""
        if pos == 0 and btype != fmt.BT_SHB:
            return "the file does not begin with a section header block"
        if length < 12 or length % 4:
            return f"its block length {length} is not a multiple of 4 of at least 12"
        limit = fmt.max_block_size(None if self.linktype is None else fmt.linktype_to_dlt(self.linktype))
        if length > limit:
            return f"its block length {length} is larger than libpcap's limit of {limit} bytes"
        if self.size - pos < length:
            return f"the block is cut short: {self.size - pos} of {length} bytes"
        trailer = self.u32(window.at(pos + length - 4, 4))[0]
        if trailer != length and pos > 0:  # libpcap reads the first section header without its trailer
            return f"its block length at the end ({trailer}) differs from the one at the start ({length})"
        body = length - 12
        if btype == fmt.BT_SHB:
            if body < 16:
                return f"the section header block is too short: {length} bytes"
            if raw[8:12] != self.byte_order_magic:
                return "this section's byte order differs from the first section's"
            major, minor = self.u16(raw, 12)[0], self.u16(raw, 14)[0]
            if major != 1 or (pos == 0 and minor != 0):
                return f"pcapng version {major}.{minor} is not 1.0"
            self.interfaces = 0
        elif btype == fmt.BT_IDB:
            if body < 8:
                return f"the interface description block is too short: {length} bytes"
            linktype, _reserved, snaplen = self.idb(raw, 8)
            if self.linktype is None:
                self.linktype, self.snapshot = (
                    linktype,
                    fmt.adjust_snapshot(fmt.linktype_to_dlt(linktype), snaplen),
                )
            # libpcap compares a later interface's link type as written with the first one's DLT_ value
            elif linktype != fmt.linktype_to_dlt(self.linktype):
                if linktype == self.linktype:
                    return (
                        f"a second interface of link type {linktype}, which libpcap compares with the "
                        f"first one's DLT value {fmt.linktype_to_dlt(linktype)} and refuses"
                    )
                return f"an interface of link type {linktype}, where the first one is of {self.linktype}"
            elif fmt.adjust_snapshot(fmt.linktype_to_dlt(self.linktype), snaplen) != self.snapshot:
                return f"an interface of snapshot length {snaplen}, where the first one has {self.snapshot}"
            try:
                fmt.interface_options(lambda at, n: window.at(pos + 16 + at, n), body - 8, self.order)
            except fmt.InterfaceOptionError as exc:
                return exc.problem
            self.interfaces += 1
        elif btype in fmt.PACKET_BLOCKS:
            return self._packet_problem(raw, btype, body)
        return None

    def _packet_problem(self, raw: bytes, btype: int, body: int) -> str | None:
        fixed = 4 if btype == fmt.BT_SPB else 20
        if body < fixed:
            return f"the packet block is too short: {body + 12} bytes"
        if self.linktype is None:
            return "a packet block comes before any interface description block"
        if btype == fmt.BT_SPB:  # its captured length is the original one, up to the snapshot length
            interface, caplen = 0, min(self.u32(raw, 8)[0], self.snapshot)
        elif btype == fmt.BT_EPB:
            interface, _high, _low, caplen, _length = self.epb(raw, 8)
        else:
            interface, _drops, _high, _low, caplen, _length = self.pb(raw, 8)
        if interface >= self.interfaces:
            described = f"{self.interfaces} interface{'s' if self.interfaces != 1 else ''}"
            return f"it names interface {interface}; this section describes {described}"
        if btype != fmt.BT_SPB and caplen > self.snapshot:
            return f"its capture length {caplen} is larger than the snapshot length {self.snapshot}"
        if caplen > body - fixed:
            return f"its capture length {caplen} is larger than the {body - fixed} bytes of data it holds"
        return None


def _walk_pcapng(window: _Window, packets_read: int | None) -> tuple[Damage | None, int | None]:
    size = window.size
    head = window.at(0, 12)
    if len(head) < 12:
        cut = f"the section header block is cut short: {len(head)} of at least 28 bytes"
        return Damage(0, 0, False, cut, True), None
    magic = head[8:12]
    order = fmt.pcapng_byte_order(magic)
    if order is None:
        return Damage(8, 0, False, f"byte-order magic {magic.hex()} is not pcapng's", True), None
    state = _Pcapng(order, magic, size)
    pos = 0
    n = 0  # packets so far
    boundary = 0 if packets_read == 0 else None
    while pos < size:
        raw = window.at(pos, 28)
        if len(raw) < 8:
            return Damage(pos, n, False, f"the block header is cut short: {len(raw)} of 8 bytes"), boundary
        btype, length = struct.unpack(state.order + fmt.BLOCK_HEADER_FIELDS, raw[:8])
        problem = state.problem(window, pos, raw, btype, length)
        if problem is not None:
            return Damage(pos, n, btype in fmt.PACKET_BLOCKS, problem, pos == 0), boundary
        if btype in fmt.PACKET_BLOCKS:
            n += 1
            if n == packets_read:
                boundary = pos + length
        pos += length
    if state.linktype is None:
        return Damage(pos, n, False, "the file has no interface description block"), boundary
    return None, boundary


__all__ = ["Damage", "diagnose"]
