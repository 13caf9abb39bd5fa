"""Find where a saved capture is damaged: the packet number, the byte offset and what is wrong there.

libpcap stops at a damaged record with a message that says what it tried ("truncated dump file; tried
to read 16 header bytes, only got 6") but not where. :func:`diagnose` walks the file's framing again in
pure Python (pcap record headers, pcapng block headers and trailers), making the checks libpcap makes
(1.9.1, the one pcapy-ng's wheels hold, and 1.10, tcpdump's), and names the first place they fail. It
is meant for the error path only: it reads a bounded window of the file at a time and never reads or
allocates by a length field, whatever the file claims.

The rules of libpcap's savefile readers that decide what a record holds are here too, once, for the
walk and for the file backend (:mod:`pycapture.backends.dpkt_file`) that reads without libpcap: the
snapshot length a file is read with (:func:`adjust_snapshot`), the order of a pcap record's two
lengths (:func:`lengths_order`), and a pcapng interface's time resolution and offset
(:func:`interface_options`).
"""

from __future__ import annotations

import enum
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from dpkt.pcapng import PCAPNG_OPT_ENDOFOPT, PCAPNG_OPT_IF_TSOFFSET, PCAPNG_OPT_IF_TSRESOL

from ..checks import C_INT_MAX  # libpcap keeps snapshot lengths in C ints

_WINDOW = 1 << 20  # bytes read at a time while walking
MAXIMUM_SNAPLEN = 262144  # libpcap's MAXIMUM_SNAPLEN
_MAX_SNAPLEN_FOR_DLT = {231: 128 << 20, 249: 1 << 20, 279: 8 << 20}  # DBUS, USBPCAP, EBHSCR
MAX_BLOCK = 16 << 20  # libpcap's INITIAL_MAX_BLOCKSIZE for pcapng blocks
# LINKTYPE_ values that are not the DLT_ value libpcap hands on (pcap-common.c, linktype_to_dlt)
_LINKTYPE_TO_DLT = {100: 11, 101: 12, 102: 15, 103: 16, 106: 19}
_MAX_DECIMAL_TSRESOL = 19  # 10^19 ticks a second is the most a 64-bit count holds (libpcap's limit)
_MAX_BINARY_TSRESOL = 63  # and 2^63
LINKTYPE_MASK = 0x03FFFFFF  # the high bits of a pcap header's link type carry FCS information


_DLT_TO_LINKTYPE = {dlt: linktype for linktype, dlt in _LINKTYPE_TO_DLT.items()}


def linktype_to_dlt(linktype: int) -> int:
    """The DLT_ value libpcap hands on for a file's LINKTYPE_ value."""
    return _LINKTYPE_TO_DLT.get(linktype, linktype)


def file_linktype(dlt: int) -> int:
    """The LINKTYPE_ value a pcap or pcapng file records for a handle's DLT_ value, as libpcap's dumper
    (dlt_to_linktype) writes it: ``file_linktype(12) == 101`` (raw IP); every other DLT is its own."""
    return _DLT_TO_LINKTYPE.get(dlt, dlt)


def max_snaplen_for_dlt(dlt: int) -> int:
    """The largest captured length libpcap reads for link type ``dlt`` (more is a damaged file)."""
    return _MAX_SNAPLEN_FOR_DLT.get(dlt, MAXIMUM_SNAPLEN)


def max_block_size(dlt: int | None) -> int:
    """The longest pcapng block libpcap reads once the first interface has link type ``dlt`` (None:
    before it): room for the largest packet of that link type and 128 KiB of options, at least
    :data:`MAX_BLOCK` (MAX_BLOCKSIZE_FOR_SNAPLEN)."""
    if dlt is None:
        return MAX_BLOCK
    return max(MAX_BLOCK, 8 + 20 + max_snaplen_for_dlt(dlt) + 131072 + 4)


def adjust_snapshot(dlt: int, snaplen: int) -> int:
    """The snapshot length libpcap reads a file with (pcap_adjust_snapshot): the header's, unless that is
    0 or does not fit in an int."""
    return snaplen if 0 < snaplen <= C_INT_MAX else max_snaplen_for_dlt(dlt)


class LengthsOrder(enum.Enum):
    """How a pcap record's captured and original lengths are ordered (libpcap's ``lengths_swapped``)."""

    AS_WRITTEN = 0
    SWAPPED = 1  # before 2.3, and DG/UX's 543.0, the original length came first
    MAYBE_SWAPPED = 2  # 2.3 files were written both ways: swapped where the captured length is larger

    def lengths(self, caplen: int, length: int) -> tuple[int, int]:
        """``(captured length, original length)`` from the record's two fields, in the file's order."""
        if self is LengthsOrder.SWAPPED or (self is LengthsOrder.MAYBE_SWAPPED and caplen > length):
            return length, caplen
        return caplen, length


def lengths_order(major: int, minor: int) -> LengthsOrder:
    """The order of the lengths in the records of a pcap file of version ``major.minor``."""
    if major == 543 or (major == 2 and minor < 3):
        return LengthsOrder.SWAPPED
    if (major, minor) == (2, 3):
        return LengthsOrder.MAYBE_SWAPPED
    return LengthsOrder.AS_WRITTEN


class InterfaceOptionError(ValueError):
    """An Interface Description Block option that libpcap refuses: ``str()`` is libpcap's own message,
    :attr:`problem` says the same in the walk's words."""

    def __init__(self, message: str, problem: str) -> None:
        super().__init__(message)
        self.problem = problem


def interface_options(read: Callable[[int, int], bytes], size: int, order: str) -> tuple[int, bool, int]:
    """What libpcap takes from an Interface Description Block's options (process_idb_options):
    ``(units, binary, offset)``.

    ``units``: timestamp ticks a second (if_tsresol: 10^n, or 2^n when ``binary``; 10^6 without it);
    ``offset``: seconds added to every timestamp (if_tsoffset, an unsigned 64-bit number; 0 without it).
    ``read(pos, n)`` gives the ``n`` bytes at ``pos`` of the ``size`` bytes of options (the block's body
    after the link type and snapshot length), in byte order ``order``. Raises
    :class:`InterfaceOptionError` where libpcap refuses the block.
    """
    units, binary, offset = 10**6, False, 0
    seen: set[int] = set()
    pos = 0
    while pos < size:
        if size - pos < 4:
            raise _option_past_the_end()
        code, length = struct.unpack(order + "HH", read(pos, 4))
        value, pos = pos + 4, pos + 4 + (length + 3) // 4 * 4  # values are padded to 32 bits
        if pos > size:
            raise _option_past_the_end()
        if code == PCAPNG_OPT_ENDOFOPT:
            _check_option("opt_endofopt", "end-of-options", length, 0)
            break
        if code == PCAPNG_OPT_IF_TSRESOL:
            _check_option("if_tsresol", "if_tsresol", length, 1, repeated=code in seen)
            units, binary = _time_resolution(read(value, 1)[0])
        elif code == PCAPNG_OPT_IF_TSOFFSET:
            _check_option("if_tsoffset", "if_tsoffset", length, 8, repeated=code in seen)
            (offset,) = struct.unpack(order + "Q", read(value, 8))
        seen.add(code)
    return units, binary, offset


def _check_option(name: str, words: str, length: int, wanted: int, *, repeated: bool = False) -> None:
    """libpcap's checks of an IDB option: its length, and that an option it takes once is not ``repeated``."""
    if length != wanted:
        raise InterfaceOptionError(
            f"Interface Description Block has {name} option with length {length} != {wanted}",
            f"its {words} option is {length} bytes long, not {wanted}",
        )
    if repeated:
        raise InterfaceOptionError(
            f"Interface Description Block has more than one {name} option",
            f"it has more than one {name} option",
        )


def _option_past_the_end() -> InterfaceOptionError:
    return InterfaceOptionError(
        f"block of type {_IDB} in pcapng dump file is too short",
        "an option of the interface description block runs past the block's end",
    )


def _time_resolution(value: int) -> tuple[int, bool]:
    """``(ticks a second, binary)`` of an if_tsresol byte: 10^-n seconds, or 2^-n with the top bit set."""
    exponent = value & 0x7F
    binary = bool(value & 0x80)
    if exponent > (_MAX_BINARY_TSRESOL if binary else _MAX_DECIMAL_TSRESOL):
        base = 2 if binary else 10
        raise InterfaceOptionError(
            f"Interface Description Block if_tsresol option resolution {base}^-{exponent} is too high",
            f"its if_tsresol option asks for ticks of {base}^-{exponent} s, more a second than libpcap "
            "counts in 64 bits",
        )
    return (1 << exponent if binary else 10**exponent), binary


_PCAP_MAGICS = {  # magic as read little-endian: (byte order of the file, record header size)
    0xA1B2C3D4: ("<", 16),
    0xA1B23C4D: ("<", 16),
    0xA1B2CD34: ("<", 24),  # Alexey Kuznetsov's modified pcap
    0xD4C3B2A1: (">", 16),
    0x4D3CB2A1: (">", 16),
    0x34CDB2A1: (">", 24),
}
_SHB, _IDB, _PB, _SPB, _EPB = 0x0A0D0D0A, 1, 2, 3, 6
_PACKET_BLOCKS = (_EPB, _SPB, _PB)
_BYTE_ORDER_MAGIC = 0x1A2B3C4D


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
    (magic,) = struct.unpack("<I", head)
    if magic in _PCAP_MAGICS:
        return _walk_pcap(window, *_PCAP_MAGICS[magic], packets_read)
    if magic == _SHB:
        return _walk_pcapng(window, packets_read)
    return Damage(0, 0, False, f"magic number {head.hex()} is neither pcap's nor pcapng's", True), None


def _walk_pcap(
    window: _Window, order: str, record_size: int, packets_read: int | None
) -> tuple[Damage | None, int | None]:
    size = window.size
    head = window.at(0, 24)
    if len(head) < 24:
        return Damage(0, 0, False, f"the file header is cut short: {len(head)} of 24 bytes", True), None
    _magic, major, minor, _zone, _sigfigs, _snaplen, linktype = struct.unpack(order + "IHHiIII", head)
    if major < 2 or not ((major == 2 and minor <= 4) or (major, minor) == (543, 0)):
        return Damage(4, 0, False, f"version {major}.{minor} is not pcap 2.0 to 2.4", True), None
    max_caplen = max_snaplen_for_dlt(linktype_to_dlt(linktype & LINKTYPE_MASK))
    lengths = lengths_order(major, minor).lengths
    record = struct.Struct(order + "II")
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
        self.linktype: int | None = None  # and snapshot length, of the file's first interface
        self.snapshot = 0
        self.interfaces = 0

    def problem(self, window: _Window, pos: int, raw: bytes, btype: int, length: int) -> str | None:
        """What is wrong with the block at ``pos`` (``raw``: its first bytes), as libpcap would find it."""
        if pos == 0 and btype != _SHB:
            return "the file does not begin with a section header block"
        if length < 12 or length % 4:
            return f"its block length {length} is not a multiple of 4 of at least 12"
        limit = max_block_size(None if self.linktype is None else linktype_to_dlt(self.linktype))
        if length > limit:
            return f"its block length {length} is larger than libpcap's limit of {limit} bytes"
        if self.size - pos < length:
            return f"the block is cut short: {self.size - pos} of {length} bytes"
        trailer = self.u32(window.at(pos + length - 4, 4))[0]
        if trailer != length and pos > 0:  # libpcap reads the first section header without its trailer
            return f"its block length at the end ({trailer}) differs from the one at the start ({length})"
        body = length - 12
        if btype == _SHB:
            if body < 16:
                return f"the section header block is too short: {length} bytes"
            if raw[8:12] != self.byte_order_magic:
                return "this section's byte order differs from the first section's"
            major, minor = self.u16(raw, 12)[0], self.u16(raw, 14)[0]
            if major != 1 or (pos == 0 and minor != 0):
                return f"pcapng version {major}.{minor} is not 1.0"
            self.interfaces = 0
        elif btype == _IDB:
            if body < 8:
                return f"the interface description block is too short: {length} bytes"
            linktype, snaplen = self.u16(raw, 8)[0], self.u32(raw, 12)[0]
            if self.linktype is None:
                self.linktype, self.snapshot = linktype, adjust_snapshot(linktype_to_dlt(linktype), snaplen)
            # libpcap compares a later interface's link type as written with the first one's DLT_ value
            elif linktype != linktype_to_dlt(self.linktype):
                if linktype == self.linktype:
                    return (
                        f"a second interface of link type {linktype}, which libpcap compares with the "
                        f"first one's DLT value {linktype_to_dlt(linktype)} and refuses"
                    )
                return f"an interface of link type {linktype}, where the first one is of {self.linktype}"
            elif adjust_snapshot(linktype_to_dlt(self.linktype), snaplen) != self.snapshot:
                return f"an interface of snapshot length {snaplen}, where the first one has {self.snapshot}"
            try:
                interface_options(lambda at, n: window.at(pos + 16 + at, n), body - 8, self.order)
            except InterfaceOptionError as exc:
                return exc.problem
            self.interfaces += 1
        elif btype in _PACKET_BLOCKS:
            return self._packet_problem(raw, btype, body)
        return None

    def _packet_problem(self, raw: bytes, btype: int, body: int) -> str | None:
        fixed = 4 if btype == _SPB else 20
        if body < fixed:
            return f"the packet block is too short: {body + 12} bytes"
        if self.linktype is None:
            return "a packet block comes before any interface description block"
        interface = 0 if btype == _SPB else self.u32(raw, 8)[0] if btype == _EPB else self.u16(raw, 8)[0]
        if interface >= self.interfaces:
            described = f"{self.interfaces} interface{'s' if self.interfaces != 1 else ''}"
            return f"it names interface {interface}; this section describes {described}"
        if btype == _SPB:  # its captured length is the original one, up to the snapshot length
            caplen = min(self.u32(raw, 8)[0], self.snapshot)
        else:
            caplen = self.u32(raw, 20)[0]
            if caplen > self.snapshot:
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
    if magic not in (struct.pack("<I", _BYTE_ORDER_MAGIC), struct.pack(">I", _BYTE_ORDER_MAGIC)):
        return Damage(8, 0, False, f"byte-order magic {magic.hex()} is not pcapng's", True), None
    state = _Pcapng("<" if magic == struct.pack("<I", _BYTE_ORDER_MAGIC) else ">", magic, size)
    pos = 0
    n = 0  # packets so far
    boundary = 0 if packets_read == 0 else None
    while pos < size:
        raw = window.at(pos, 28)
        if len(raw) < 8:
            return Damage(pos, n, False, f"the block header is cut short: {len(raw)} of 8 bytes"), boundary
        btype, length = struct.unpack(state.order + "II", raw[:8])
        problem = state.problem(window, pos, raw, btype, length)
        if problem is not None:
            return Damage(pos, n, btype in _PACKET_BLOCKS, problem, pos == 0), boundary
        if btype in _PACKET_BLOCKS:
            n += 1
            if n == packets_read:
                boundary = pos + length
        pos += length
    if state.linktype is None:
        return Damage(pos, n, False, "the file has no interface description block"), boundary
    return None, boundary


__all__ = ["Damage", "diagnose"]
