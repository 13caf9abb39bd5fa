"""Read a classic pcap file's records in place, in large buffers: the fast way through a big saved capture.

libpcap hands over one record per call, and on CPython the call alone (pcapy-ng ``next()`` with its
header object) costs about as much as tcpdump spends on a whole packet. A classic pcap file is simple
enough to walk in Python: a 24-byte file header, then records of a 16-byte header (seconds, fraction,
captured length, original length) and the captured bytes. :class:`RecordBuffers` reads the file in
buffers of several megabytes that start on a record boundary; a consumer (the summary printer) reads the
records straight from the buffer and says how far it got.

Only the regular case is read here: a file in this machine's byte order, version 2.4, with the precision
the handle asked for, and records that libpcap reads as they are (a captured length no larger than the
snapshot length). Anything else, a damaged or truncated record included, ends the walk; the caller then
lets libpcap read from that record on (:attr:`RecordBuffers.irregular`), so its checks and its messages
stay the only ones.

:func:`file_is_nanosecond` tells from a file's first bytes the precision a reader opens it with;
:func:`mixed_interfaces` whether a pcapng file has interfaces libpcap refuses to mix.
"""

from __future__ import annotations

import mmap
import os
import struct
from typing import BinaryIO

from .format import (
    BLOCK_HEADER_FIELDS,
    BT_IDB,
    BT_SHB,
    CAPLEN,
    FILE_HEADER,
    IDB_FIELDS,
    MAXIMUM_SNAPLEN,
    OPT_IF_TSRESOL,
    PACKET_BLOCKS,
    PCAP_MAGICS,
    PCAPNG_MAGIC,
    adjust_snapshot,
    linktype_to_dlt,
    parse_file_header,
    pcapng_byte_order,
    tsresol_units,
    walk_options,
)

_CAPLEN = CAPLEN.unpack_from
BUFFER_BYTES = 1 << 22  # larger than any record read here (MAXIMUM_SNAPLEN + 16 bytes)
_SNIFF_BYTES = 1 << 16  # what file_is_nanosecond reads of a file


def file_is_nanosecond(path: str) -> bool:
    """Whether a saved capture records timestamps finer than microseconds.

    A pcap file says so in its magic number (``a1b23c4d``); a pcapng file in the ``if_tsresol``
    option of an interface described before the first packet, in the file's first 64 KiB. Unreadable
    files answer False and are left for libpcap to report.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError:
        return False
    magic = PCAP_MAGICS.get(head[:4])
    if magic is not None:
        return magic.nanosecond
    if head[:4] != PCAPNG_MAGIC or len(head) < 12:
        return False
    order = pcapng_byte_order(head[8:12]) or ">"
    block_header = struct.Struct(order + BLOCK_HEADER_FIELDS).unpack_from
    pos = 0
    while pos + 12 <= len(head):
        btype, length = block_header(head, pos)
        if length < 12 or length % 4 or btype in PACKET_BLOCKS:
            return False
        if btype == BT_IDB and _first_tsresol(head[pos + 16 : pos + length - 4], order) > 10**6:
            return True
        pos += length
    return False


def mixed_interfaces(path: str) -> str | None:
    """Why libpcap refuses the valid pcapng file ``path`` where tshark reads it, in a few words: interfaces
    of different link types or snapshot lengths (sf-pcapng.c: an interface whose link type, as written,
    is not the first interface's DLT, or whose snapshot length differs from the first's), wherever in the
    file they are described, or sections of different byte orders; else None (a pcap file, a pcapng file
    libpcap reads, or no file).

    Every block header is read (through ``mmap``, the packets skipped), up to the first block libpcap
    would find damaged: what comes after it libpcap never reaches.
    """
    try:
        with open(path, "rb") as f:
            if f.read(4) != PCAPNG_MAGIC:
                return None
            size = os.fstat(f.fileno()).st_size
            if size < 12:
                return None
            view = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        return _mixed(view, size)
    finally:
        view.close()


def _mixed(view: mmap.mmap, size: int) -> str | None:
    bom = view[8:12]
    order = pcapng_byte_order(bom)
    if order is None:
        return None
    header = struct.Struct(order + BLOCK_HEADER_FIELDS).unpack_from
    idb = struct.Struct(order + IDB_FIELDS).unpack_from
    kinds: dict[tuple[int, int], None] = {}
    refused = orders = False
    dlt = snapshot = 0
    pos = 0
    end = size - 12
    while pos <= end:  # the per-packet loop: one unpack and two comparisons a block
        btype, length = header(view, pos)
        if btype == BT_SHB and pos and view[pos + 8 : pos + 12] != bom:
            other = pcapng_byte_order(view[pos + 8 : pos + 12])
            if other is None:
                break
            bom, orders = view[pos + 8 : pos + 12], True
            header = struct.Struct(other + BLOCK_HEADER_FIELDS).unpack_from
            idb = struct.Struct(other + IDB_FIELDS).unpack_from
            btype, length = header(view, pos)
        elif btype == BT_IDB and length >= 20:
            linktype, _reserved, snaplen = idb(view, pos + 8)
            if not kinds:
                dlt = linktype_to_dlt(linktype)
                snapshot = adjust_snapshot(dlt, snaplen)
            elif linktype != dlt or adjust_snapshot(dlt, snaplen) != snapshot:
                refused = True
            kinds[linktype, snaplen] = None
        if length < 12 or length & 3:
            break
        pos += length
    reasons = []
    if refused:
        described = ", ".join(f"{linktype}/{snaplen}" for linktype, snaplen in kinds)
        reasons.append(f"interfaces of link type/snapshot length {described}")
    if orders:
        reasons.append("sections of different byte orders")
    return " and ".join(reasons) or None


def walk(buf: bytes | memoryview, max_caplen: int) -> tuple[int, int]:
    """``(bytes, records)`` of the whole regular records at the start of ``buf``: where a consumer that
    stops at the same record as :func:`pycapture.output.tcpdump.fastsummary.summary_records` stops."""
    end = len(buf)
    caplen_of = _CAPLEN
    p = 0
    n = 0
    while p + 16 <= end:
        caplen = caplen_of(buf, p + 8)[0]
        e = p + 16 + caplen
        if e > end or caplen > max_caplen:
            break
        p = e
        n += 1
    return p, n


def record_splits(path: str, split_bytes: int) -> list[tuple[int, int, int]] | None:
    """Where to cut the classic pcap file ``path`` into ranges of about ``split_bytes`` bytes of whole
    records: ``(start, stop, records before start)`` for each, in order; None where it cannot be cut
    safely (not a classic pcap file in native byte order, or a record libpcap must judge: a captured
    length past the snapshot length, a record cut by the end of the file).

    A classic pcap file has no index or sync marker: the boundaries come from reading every record
    header from the first one on (the packet bytes are skipped, through ``mmap``).
    """
    if split_bytes < 1:
        raise ValueError(f"split_bytes must be at least 1, not {split_bytes}")
    buffers = RecordBuffers.open(path, file_is_nanosecond(path))
    if buffers is None:
        return None
    try:
        view, size, max_caplen = buffers._view, buffers._size, buffers.max_caplen
        if view is None:
            return None
        caplen_of = _CAPLEN
        pos = first = buffers._start
        number = first_number = 0
        splits: list[tuple[int, int, int]] = []
        while pos + 16 <= size:
            caplen = caplen_of(view, pos + 8)[0]
            if caplen > max_caplen or pos + 16 + caplen > size:
                return None
            if pos - first >= split_bytes:
                splits.append((first, pos, first_number))
                first, first_number = pos, number
            pos += 16 + caplen
            number += 1
        if pos != size:
            return None  # a piece of a record header at the end: libpcap reports it
        splits.append((first, pos, first_number))
        return splits
    finally:
        buffers.close()


def _first_tsresol(options: bytes, order: str) -> int:
    """Timestamp ticks a second of the first if_tsresol option among an IDB's ``options`` (10^6 without
    one); options libpcap would refuse are read all the same, and left for libpcap to refuse."""
    for code, length, value, _end in walk_options(lambda at, n: options[at : at + n], len(options), order):
        if code == OPT_IF_TSRESOL and length >= 1 and value < len(options):
            return tsresol_units(options[value])[0]
    return 10**6


class RecordBuffers:
    """The records of a classic pcap file, as buffers that begin on a record boundary.

    Use :meth:`open`, then alternately :meth:`fill` (the unread bytes: what the last buffer left over plus
    the next read) and :meth:`keep` (how many bytes of it the consumer used). :meth:`fill` returns None
    at the end of the file, and at a record it leaves to libpcap, setting :attr:`irregular`.

    A file that can be mapped is read through ``mmap``: each buffer is then a read-only ``memoryview``
    of the mapping, with no copy (on the benchmark's capture, 0.15 s of 0.5 s); the file's size is
    taken when it is opened, and the pages read are let go as the reading moves on, so that the
    resident set stays small. Others (a pipe, a file of size 0) are read with ``read`` into ``bytes``.
    """

    def __init__(self, file: BinaryIO, max_caplen: int, stop: int | None = None) -> None:
        self._file = file
        self._start = file.tell()
        self.max_caplen = max_caplen
        self._rest = b""
        self.irregular = False
        self._map: mmap.mmap | None = None
        self._view: memoryview | None = None
        try:
            size = os.fstat(file.fileno()).st_size
            if size > self._start:
                self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
                self._view = memoryview(self._map)
                if hasattr(mmap, "MADV_SEQUENTIAL"):
                    self._map.madvise(mmap.MADV_SEQUENTIAL)
        except (OSError, ValueError):
            self._map = self._view = None
        self._pos = self._start
        self._size = len(self._map) if self._map is not None else 0
        if stop is not None:
            self._size = min(self._size, stop)
        self._window_end = 0
        self._stalled = False
        self._unmapped = 0  # pages before this offset have been let go (MADV_DONTNEED)

    @classmethod
    def open(
        cls, path: str, nanosecond: bool, start: int | None = None, stop: int | None = None
    ) -> RecordBuffers | None:
        """The records of ``path``, or None when it is not a classic pcap file (version 2.4) in native
        byte order with the given precision. ``start`` and ``stop``: the byte offsets of a range of whole
        records (:func:`record_splits`) to read instead of all (mapped files only: None otherwise)."""
        try:
            file = open(path, "rb")  # noqa: SIM115 - closed by close()
        except OSError:
            return None
        head = file.read(FILE_HEADER.size)
        header = parse_file_header(head) if len(head) == FILE_HEADER.size else None
        if (
            header is not None
            and header.native
            and header.magic.record_size == 16
            and header.magic.nanosecond == nanosecond
            and (header.major, header.minor) == (2, 4)
        ):
            # libpcap reads records up to this length as they are (a few link types allow more, which
            # are left to libpcap)
            snaplen = header.snaplen
            if start is not None:
                file.seek(start)
            buffers = cls(file, snaplen if 0 < snaplen <= MAXIMUM_SNAPLEN else MAXIMUM_SNAPLEN, stop)
            if (start is not None or stop is not None) and buffers._map is None:
                buffers.close()
                return None
            return buffers
        file.close()
        return None

    def fill(self) -> bytes | memoryview | None:
        """The next buffer; None at the end of the file or at a record left to libpcap."""
        if self._view is not None:
            return self._fill_mapped(self._view)
        rest = self._rest
        if rest and len(rest) >= 16 and _CAPLEN(rest, 8)[0] > self.max_caplen:
            self.irregular = True
            return None
        chunk = self._file.read(BUFFER_BYTES)
        if not chunk:
            self.irregular = bool(rest)  # the file ends inside a record
            return None
        return rest + chunk if rest else chunk

    def _fill_mapped(self, view: memoryview) -> memoryview | None:
        pos, size = self._pos, self._size
        if pos >= size:
            return None
        if self._stalled or (size - pos >= 16 and _CAPLEN(view, pos + 8)[0] > self.max_caplen):
            self.irregular = True  # a record cut by the end of the file, or one libpcap must judge
            return None
        self._window_end = min(size, pos + BUFFER_BYTES)
        return view[pos : self._window_end]

    def keep(self, buf: bytes | memoryview, used: int) -> None:
        """Say that the first ``used`` bytes of ``buf`` (whole records) have been read."""
        if self._view is not None:
            if used == 0 and self._window_end == self._size:
                self._stalled = True  # the consumer cannot use what is left: the end of the file cuts it
            self._pos += used
            self._let_go()
            return
        self._rest = buf[used:]  # type: ignore[assignment]  # unmapped, fill() handed out bytes

    def _let_go(self) -> None:
        """Drop the pages already read from this process's resident set: the mapped file would otherwise
        count whole in its RSS (the page cache keeps them; nothing is read twice)."""
        done = self._pos - self._pos % mmap.PAGESIZE
        if done - self._unmapped >= BUFFER_BYTES and hasattr(mmap, "MADV_DONTNEED") and self._map is not None:
            try:
                self._map.madvise(mmap.MADV_DONTNEED, self._unmapped, done - self._unmapped)
            except OSError:
                return
            self._unmapped = done

    def reopen(self) -> RecordBuffers:
        """The same records read through a new descriptor (a forked process shares the file offset of
        the old one); only before the first :meth:`fill`."""
        file = open(self._file.name, "rb")  # noqa: SIM115 - closed by close()
        file.seek(self._start)
        return RecordBuffers(file, self.max_caplen)

    def close(self) -> None:
        if self._map is not None:
            view, self._view = self._view, None
            try:
                if view is not None:
                    view.release()
                self._map.close()
            except BufferError:
                pass  # a consumer still holds a buffer: the mapping goes when that is released
            self._map = None
        self._file.close()


__all__ = ["BUFFER_BYTES", "RecordBuffers", "file_is_nanosecond", "record_splits", "walk"]
