"""The file backend: pcap and pcapng files read without libpcap, for machines where no libpcap loads.

Each record comes out as libpcap hands it on, ``(sec, frac, original_length, data)``, by the rules of
libpcap's savefile readers (sf-pcap.c and sf-pcapng.c, 1.10), so that this backend prints what the
others print and refuses what they refuse, with libpcap's messages:

- pcap: the file header is read by :func:`pycapture.savefile.format.parse_file_header` (either byte
  order, micro- or nanosecond, Kuznetsov's variant), and the records as libpcap reads them
  (:func:`pycapture.savefile.format.record_header`: signed times in a file of this machine's byte order,
  unsigned in the other), the fraction scaled between micro- and nanoseconds by C's integer division;
  files before version 2.3 and DG/UX's 543.0 have the captured and original lengths the other way round,
  and 2.3 files either way (:func:`pycapture.savefile.format.lengths_order`); a captured length past the
  snapshot length is cut to it.
- pcapng: blocks are read and checked as libpcap reads them (lengths, trailers, a packet before any
  interface, interfaces of another link type or snapshot length, a packet too long); each interface's
  if_tsresol and if_tsoffset are taken as libpcap takes them
  (:func:`pycapture.savefile.format.interface_options`: a resolution finer than 10^-19 or 2^-63 is
  refused), and a timestamp becomes seconds and a fraction in 64-bit unsigned arithmetic, the seconds
  then a signed ``time_t`` (so 2^63 becomes -2^63).

Filter expressions are compiled by whatever libpcap loads (any version, WinPcap's 1.0 too) and run on each
record; where none loads, this backend cannot apply them.

The tshark mode (``tshark=True``; :func:`pycapture.capture.backends.open_offline` takes it with ``auto``
for a file :func:`pycapture.savefile.reader.mixed_interfaces` finds libpcap refuses) reads what libpcap
refuses in a valid pcapng file and tshark reads: interfaces of different link types or snapshot lengths,
anywhere in the file, and sections of either byte order. The handle's link type and snapshot length are
the first interface's (tcpdump's banner names them: ``reading from file F, link-type EN10MB``; tshark
prints no banner), and each record's data is a :class:`~pycapture.packet.Frame` with its own interface's
link type, snapshot length, number and comments, which the printers decode it with and the pcapng writer
writes back. Timestamps keep libpcap's arithmetic with each interface's own if_tsresol and if_tsoffset (the
same instants tshark shows); a packet is bounded by its link type's largest frame. In both modes custom
blocks (0x00000BAD, 0x40000BAD) and other unknown blocks are skipped, Simple and obsolete Packet Blocks
read, and a packet's opt_comment options come with it (a ``Frame`` then, whatever the mode).
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterator
from typing import BinaryIO

from ...checks import C_INT_MAX, c_divide
from ...errors import BackendUnavailableError, CaptureFileError, FilterError, NotOpenError
from ...packet import Frame, Record
from ...savefile.format import (
    BLOCK_HEADER_FIELDS,
    BT_EPB,
    BT_IDB,
    BT_PB,
    BT_SHB,
    BT_SPB,
    EPB_FIELDS,
    FILE_HEADER,
    IDB_FIELDS,
    LINKTYPE_MASK,
    OPT_COMMENT,
    PACKET_BLOCKS,
    PB_FIELDS,
    PCAP_MAGICS,
    PCAPNG_MAGIC,
    InterfaceOptionError,
    LengthsOrder,
    adjust_snapshot,
    interface_options,
    lengths_order,
    linktype_to_dlt,
    max_block_size,
    max_snaplen_for_dlt,
    parse_file_header,
    pcapng_byte_order,
    record_header,
    walk_options,
)
from ...savefile.reader import file_is_nanosecond
from .. import libpcap
from ..handle import DEFAULT_NETMASK, PcapStat
from ..source import BaseHandle

_MICRO, _NANO = 10**6, 10**9
_UINT64 = 1 << 64
_DLT_EN10MB = 1
_READ_CHUNK = 1 << 20  # a length field asks for more: read it in chunks, so only what the file holds is held
_SHB_MIN, _SHB_MAX = 28, 1 << 20  # libpcap's bounds for the first section header block (BT_SHB_INSANE_MAX)
_PCAPNG_VERSIONS = ((1, 0), (1, 2))  # of the first section; later sections need major version 1 only


def _signed(value: int, bits: int) -> int:
    """``value`` as C reads those bits into a signed integer."""
    return value - (1 << bits) if value >> (bits - 1) else value


class _Prefixed:
    """A stream whose first bytes were already read to sniff the format: give them back first."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream
        self.name = getattr(stream, "name", "<stdin>")

    def read(self, n: int = -1) -> bytes:
        head, self._head = self._head, b""
        if n < 0:
            return head + self._stream.read()
        if len(head) >= n:
            self._head = head[n:]
            return head[:n]
        n -= len(head)
        if n <= _READ_CHUNK:
            return head + self._stream.read(n)
        # a damaged length field may ask for gigabytes: never allocate more than the file gives
        parts = [head]
        while n > 0:
            part = self._stream.read(min(n, _READ_CHUNK))
            if not part:
                break
            parts.append(part)
            n -= len(part)
        return b"".join(parts)

    def fileno(self) -> int:
        return self._stream.fileno()


class PcapRecordReader:
    """A classic pcap file read as libpcap's sf-pcap.c reads it, yielding
    ``(sec, frac, original_length, data)``."""

    def __init__(self, fileobj: _Prefixed) -> None:
        head = fileobj.read(FILE_HEADER.size)
        if len(head) < FILE_HEADER.size:  # libpcap counts the bytes after the magic number
            raise CaptureFileError(
                f"truncated dump file; tried to read {FILE_HEADER.size} file header bytes, "
                f"only got {max(len(head) - 4, 0)}"
            )
        header = parse_file_header(head)
        if header is None:
            raise ValueError("invalid tcpdump header")
        self._file = fileobj
        self._magic = header.magic
        major, minor = header.major, header.minor
        if major < 2:
            raise ValueError("archaic pcap savefile format")
        if not (major == 2 and minor <= 4) and (major, minor) != (543, 0):
            raise ValueError(f"unsupported pcap savefile version {major}.{minor}")
        self._lengths = lengths_order(major, minor)
        self._dlt = linktype_to_dlt(header.linktype & LINKTYPE_MASK)
        snapshot = adjust_snapshot(self._dlt, header.snaplen)
        if header.magic.record_size == 24 and self._dlt == _DLT_EN10MB:
            # libpcap allows for the Ethernet header faked on a cooked capture by this patched libpcap
            snapshot = min(snapshot + 14, C_INT_MAX)
        self.snapshot = snapshot
        self.file_nano = header.magic.nanosecond  # the file's fractions are nanoseconds

    def datalink(self) -> int:
        return self._dlt

    def records(self, nanosecond: bool) -> Iterator[Record]:
        f = self._file
        size = self._magic.record_size
        scale_up = nanosecond and not self.file_nano
        scale_down = self.file_nano and not nanosecond
        lengths = None if self._lengths is LengthsOrder.AS_WRITTEN else self._lengths.lengths
        snapshot = self.snapshot
        limit = max_snaplen_for_dlt(self._dlt)
        unpack = record_header(self._magic.order).unpack_from
        while True:
            raw = f.read(size)
            if not raw:
                return
            if len(raw) < size:
                raise CaptureFileError(
                    f"truncated dump file; tried to read {size} header bytes, only got {len(raw)}"
                )
            sec, frac, caplen, length = unpack(raw)
            if scale_up:
                frac *= 1000
            elif scale_down:
                frac = c_divide(frac, 1000)
            if lengths is not None:
                caplen, length = lengths(caplen, length)
            if caplen > limit:
                bound = f"snaplen of {snapshot}" if caplen > snapshot else f"maximum of {limit}"
                raise CaptureFileError(f"invalid packet capture length {caplen}, bigger than {bound}")
            if caplen <= snapshot:
                yield sec, frac, length, self._captured(f, caplen, caplen)
                continue
            # more than the snapshot length (a damaged or odd file): libpcap keeps that much of it
            data = self._captured(f, snapshot, snapshot)
            rest = len(f.read(caplen - snapshot))
            if rest < caplen - snapshot:
                got = snapshot + rest
                raise CaptureFileError(
                    f"truncated dump file; tried to read {caplen} captured bytes, only got {got}"
                )
            yield sec, frac, length, data

    @staticmethod
    def _captured(f: _Prefixed, n: int, told: int) -> bytes:
        data = f.read(n)
        if len(data) < n:
            raise CaptureFileError(
                f"truncated dump file; tried to read {told} captured bytes, only got {len(data)}"
            )
        return data


class _Interface:
    """What libpcap keeps of an Interface Description Block: link type, snapshot length, time units;
    and, for the tshark mode, the interface's own DLT and snapshot length."""

    __slots__ = ("binary", "dlt", "linktype", "offset", "snaplen", "snapshot", "units")

    def __init__(self, body: bytes, order: str) -> None:
        if len(body) < 8:
            raise CaptureFileError(f"block of type {BT_IDB} in pcapng dump file is too short")
        self.linktype, _reserved, self.snaplen = struct.unpack_from(order + IDB_FIELDS, body)
        self.dlt = linktype_to_dlt(self.linktype)
        self.snapshot = adjust_snapshot(self.dlt, self.snaplen)
        try:
            self.units, self.binary, self.offset = interface_options(
                lambda at, n: body[8 + at : 8 + at + n], len(body) - 8, order
            )
        except InterfaceOptionError as exc:
            raise CaptureFileError(str(exc)) from None

    def timestamp(self, stamp: int, target: int) -> tuple[int, int]:
        """libpcap's ``(tv_sec, tv_usec)`` for a timestamp of ``stamp`` ticks, the fraction in units of
        ``1/target`` s: unsigned 64-bit arithmetic (which wraps), the seconds then a signed time_t."""
        units = self.units
        sec = _signed((stamp // units + self.offset) % _UINT64, 64)
        frac = stamp % units
        if units == target:
            return sec, frac
        if self.binary:  # multiply, then divide: the product may wrap, as in libpcap
            return sec, frac * target % _UINT64 // units
        if units > target:
            return sec, frac // (units // target)
        return sec, frac * (target // units)


class PcapngRecordReader:
    """A pcapng file read as libpcap's sf-pcapng.c reads it, yielding ``(sec, frac, original_length, data)``.

    Like libpcap, it reads on across sections and refuses an interface whose link type or snapshot
    length differs from the first interface's, since a handle has one of each. The section header and
    the first interface are read when it is made, so that their errors come at once, as libpcap's do.

    ``tshark=True`` reads such a file as tshark does instead: every interface keeps its own link type and
    snapshot length, and each packet's data is a :class:`~pycapture.packet.Frame` that carries its
    interface's; a packet is then bounded by its link type's largest frame, not by the snapshot length
    (tshark reads a packet longer than its interface's snapshot length whole). In either mode a packet with
    opt_comment options comes as a ``Frame`` with its comments.
    """

    def __init__(self, fileobj: _Prefixed, tshark: bool = False) -> None:
        self._file = fileobj
        self.tshark = tshark
        head = fileobj.read(12)  # block type, block length, byte-order magic
        if len(head) < 12:
            raise ValueError("unknown file format")
        order = pcapng_byte_order(head[8:12])
        if order is None:
            raise ValueError("unknown file format")
        self._order = order
        self._block_header = struct.Struct(order + BLOCK_HEADER_FIELDS)
        self._bom = head[8:12]
        (length,) = struct.unpack(order + "I", head[4:8])
        if not _SHB_MIN <= length <= _SHB_MAX:
            raise CaptureFileError(
                f"Section Header Block in pcapng dump file has invalid length {_SHB_MIN} < _{length}_ < "
                f"{_SHB_MAX} (BT_SHB_INSANE_MAX)"
            )
        section = self._read(length - 12)  # the first section header's trailer goes unchecked, as in libpcap
        major, minor = struct.unpack_from(order + "HH", section)
        if (major, minor) not in _PCAPNG_VERSIONS:
            raise CaptureFileError(f"unsupported pcapng savefile version {major}.{minor}")
        self._max_block = max_block_size(None)
        while True:
            block = self._next_block()
            if block is None:
                raise CaptureFileError("the capture file has no Interface Description Blocks")
            btype, body = block
            if btype == BT_IDB:
                break
            if btype in PACKET_BLOCKS:
                raise CaptureFileError(
                    "the capture file has a packet block before any Interface Description Blocks"
                )
        first = _Interface(body, order)
        self._interfaces = [first]
        self._dlt = linktype_to_dlt(first.linktype)
        self.snaplen = first.snaplen
        self.snapshot = adjust_snapshot(self._dlt, first.snaplen)
        self._max_block = max_block_size(self._dlt)

    def datalink(self) -> int:
        return self._dlt

    def _read(self, n: int) -> bytes:
        data = self._file.read(n)
        if len(data) < n:
            raise CaptureFileError(
                f"truncated pcapng dump file; tried to read {n} bytes, only got {len(data)}"
            )
        return data

    def _next_block(self) -> tuple[int, bytes] | None:
        """``(block type, body)`` of the next block, the body without header and trailer; None at the end."""
        raw = self._file.read(8)
        if not raw:
            return None
        if len(raw) < 8:
            raise CaptureFileError(f"truncated pcapng dump file; tried to read 8 bytes, only got {len(raw)}")
        btype, length = self._block_header.unpack(raw)
        if btype == BT_SHB and self.tshark:  # a section may have its own byte order: tshark reads it so
            bom = self._read(4)
            order = pcapng_byte_order(bom)
            if order is not None and order != self._order:
                self._order, self._bom = order, bom
                self._block_header = struct.Struct(order + BLOCK_HEADER_FIELDS)
                btype, length = self._block_header.unpack(raw)
            raw += bom
        else:
            raw = b""
        if length < 12:
            raise CaptureFileError(f"block in pcapng dump file has a length of {length} < 12")
        if length % 4:
            raise CaptureFileError(
                f"block in pcapng dump file has a length of {length} that is not a multiple of 4"
            )
        if length > self._max_block:
            raise CaptureFileError(f"pcapng block size {length} > maximum {self._max_block}")
        rest = raw[8:] + self._read(length - 8 - len(raw[8:]))
        if self._block_header.unpack_from(rest, len(rest) - 8)[1] != length:
            raise CaptureFileError("block total length in header and trailer don't match")
        return btype, rest[:-4]

    def _too_short(self, btype: int) -> CaptureFileError:
        return CaptureFileError(f"block of type {btype} in pcapng dump file is too short")

    def records(self, nanosecond: bool) -> Iterator[Record]:
        order = self._order
        epb = struct.Struct(order + EPB_FIELDS).unpack_from
        pb = struct.Struct(order + PB_FIELDS).unpack_from
        u32 = struct.Struct(order + "I").unpack_from
        target = _NANO if nanosecond else _MICRO
        snapshot = self.snapshot
        interfaces = self._interfaces
        tshark = self.tshark
        dlt = self._dlt
        while True:
            block = self._next_block()
            if block is None:
                return
            btype, body = block
            if btype == BT_EPB:
                if len(body) < 20:
                    raise self._too_short(btype)
                interface, high, low, caplen, length = epb(body)
                fixed = 20
            elif btype == BT_PB:
                if len(body) < 20:
                    raise self._too_short(btype)
                interface, _drops, high, low, caplen, length = pb(body)
                fixed = 20
            elif btype == BT_SPB:
                if len(body) < 4:
                    raise self._too_short(btype)
                (length,) = u32(body)
                interface, high, low, caplen, fixed = 0, 0, 0, min(length, snapshot), 4
                if tshark and interfaces:  # bounded by its interface's snapshot length and by the block
                    caplen = min(length, interfaces[0].snapshot, len(body) - 4)
            else:
                self._other_block(btype, body)
                if self._order != order:  # a section of the other byte order (tshark mode)
                    order = self._order
                    epb = struct.Struct(order + EPB_FIELDS).unpack_from
                    pb = struct.Struct(order + PB_FIELDS).unpack_from
                    u32 = struct.Struct(order + "I").unpack_from
                continue
            if interface >= len(interfaces):
                raise CaptureFileError(
                    f"a packet arrived on interface {interface}, but there's no Interface Description "
                    "Block for that interface"
                )
            described = interfaces[interface]
            if tshark:
                limit = max_snaplen_for_dlt(described.dlt)
                if caplen > limit:
                    raise CaptureFileError(
                        f"invalid packet capture length {caplen}, bigger than maximum of {limit}"
                    )
            elif caplen > snapshot:
                raise CaptureFileError(
                    f"invalid packet capture length {caplen}, bigger than snaplen of {snapshot}"
                )
            sec, frac = described.timestamp(high << 32 | low, target)
            end = fixed + caplen
            if len(body) < end:
                raise self._too_short(btype)
            options = end + (-caplen & 3)
            comments = self._comments(body, options) if len(body) > options and fixed == 20 else ()
            if tshark or comments:
                data = Frame(
                    body[fixed:end],
                    described.dlt if tshark else dlt,
                    described.snapshot if tshark else snapshot,
                    interface,
                    comments,
                )
                yield sec, frac, length, data
            else:
                yield sec, frac, length, body[fixed:end]

    def _comments(self, body: bytes, start: int) -> tuple[str, ...]:
        """The opt_comment values among the options from ``start`` of a packet block's ``body``."""
        size = len(body) - start
        found = []
        for code, length, value, end in walk_options(
            lambda at, n: body[start + at : start + at + n], size, self._order
        ):
            if end > size:
                break
            if code == OPT_COMMENT:
                found.append(body[start + value : start + value + length].decode("utf-8", "replace"))
        return tuple(found)

    def _other_block(self, btype: int, body: bytes) -> None:
        """Take in a block that holds no packet: a new interface or section; skip any other kind."""
        if btype == BT_IDB:
            if len(body) < 8:
                raise self._too_short(btype)
            linktype, _reserved, snaplen = struct.unpack_from(self._order + IDB_FIELDS, body)
            if self.tshark:
                described = _Interface(body, self._order)
                self._interfaces.append(described)
                self._max_block = max(self._max_block, max_block_size(described.dlt))
                return
            # as libpcap: this interface's link type as written against the first one's DLT_ value
            if linktype != self._dlt:
                raise CaptureFileError(
                    f"an interface has a type {linktype} different from the type of the first interface"
                )
            if adjust_snapshot(self._dlt, snaplen) != self.snapshot:
                raise CaptureFileError(
                    f"an interface has a snapshot length {snaplen} different from the snapshot length of "
                    "the first interface"
                )
            self._interfaces.append(_Interface(body, self._order))
        elif btype == BT_SHB:
            if len(body) < 16:
                raise self._too_short(btype)
            bom = body[:4]
            if bom != self._bom:
                if bom == self._bom[::-1]:
                    raise CaptureFileError("the file has sections with different byte orders")
                raise CaptureFileError("the file has a section with a bad byte order magic field")
            (major,) = struct.unpack_from(self._order + "H", body, 4)
            if major != 1:
                raise CaptureFileError(f"unknown pcapng savefile major version number {major}")
            self._interfaces.clear()  # each section describes its own interfaces


class FileHandle(BaseHandle):
    """A saved capture read without libpcap, with pycapture's handle interface.

    ``tshark``: a pcapng file whose interfaces differ in link type or snapshot length is read as tshark
    reads it (see :class:`PcapngRecordReader`) instead of refused as libpcap refuses it; the handle's
    :attr:`datalink` and :attr:`snapshot` are then the first interface's (what tcpdump's banner names),
    and each record's data a :class:`~pycapture.packet.Frame` with its own interface's.
    """

    def __init__(self, path: str, precision: str | None = None, tshark: bool = False) -> None:
        stream: BinaryIO
        if path == "-":
            stream = sys.stdin.buffer
            self._own = False
        else:
            try:
                stream = open(path, "rb")  # noqa: SIM115 - closed by close()
            except FileNotFoundError as exc:
                raise CaptureFileError(
                    f"{path}: No such file or directory", "check the path given to -r"
                ) from exc
            except OSError as exc:
                raise CaptureFileError(
                    f"{path}: {exc.strerror or exc}", "check the file's permissions"
                ) from exc
            self._own = True
        self._stream: BinaryIO | None = stream
        head = stream.read(4)
        prefixed = _Prefixed(head, stream)
        try:
            if len(head) < 4:
                raise CaptureFileError(
                    f"truncated dump file; tried to read 4 file header bytes, only got {len(head)}"
                )
            if head == PCAPNG_MAGIC:
                self._reader: PcapRecordReader | PcapngRecordReader = PcapngRecordReader(prefixed, tshark)
                file_nano = path != "-" and file_is_nanosecond(path)
            elif head in PCAP_MAGICS:
                self._reader = PcapRecordReader(prefixed)
                file_nano = self._reader.file_nano
            else:
                raise CaptureFileError("unknown file format")
        except (CaptureFileError, ValueError, struct.error, IndexError) as exc:
            self.close()
            raise CaptureFileError(f"{path}: {exc}") from exc
        super().__init__(
            source=path,
            live=False,
            datalink=self._reader.datalink(),
            snapshot=self._reader.snapshot,
            nanosecond=file_nano if precision is None else precision == "nano",
        )
        self._filter: libpcap.OfflineFilter | None = None
        self._expression = ""
        self._filters: dict[int, libpcap.OfflineFilter] = {}  # tshark mode: by the link type of a Frame

    def __repr__(self) -> str:
        return f"<FileHandle {self.source!r} linktype={self.datalink}>"

    def set_filter(self, expression: str) -> None:
        """Apply a filter expression as libpcap applies it to a file: compiled by libpcap (any version
        from 1.0, so WinPcap's too) and run on each record with its original length. Where no libpcap
        loads at all, refuse. In the tshark mode a packet of another link type than the first interface's
        is matched by the expression compiled for its own link type (refused, as by libpcap, when that link
        type has no such filter)."""
        try:
            self._filter = libpcap.OfflineFilter(self.datalink, self.snapshot, expression, DEFAULT_NETMASK)
            self._expression = expression
            self._filters = {self.datalink: self._filter}
        except libpcap.NativeUnavailable as exc:
            raise BackendUnavailableError(
                f"the file backend cannot apply the filter {expression!r}: filters are compiled by libpcap, "
                f"and {exc}",
                "drop the filter, or use --backend pcapy or --backend scapy where libpcap or Npcap loads",
            ) from exc
        except ValueError as exc:
            raise FilterError(f"bad filter expression {expression!r}: {exc}") from exc

    def break_loop(self) -> None:
        """Stop :meth:`records` before the next packet."""
        self._break = True

    def records(self, count: int = -1) -> Iterator[Record]:
        """Yield ``(ts_sec, ts_frac, original_length, data)`` until ``count``, the end or a break."""
        if self._stream is None:
            raise NotOpenError(f"{self.source}: the handle is closed")
        remaining = count if count > 0 else -1
        reader = self._reader.records(self.nanosecond)
        wanted = self._filter.matches if self._filter is not None else None
        try:
            while remaining:
                if self._break:  # self._honour_break(), inlined: this is the per-packet path
                    self._break = False
                    break
                record = next(reader, None)
                if record is None:
                    return
                if wanted is not None:
                    data = record[3]
                    if type(data) is bytes or data.linktype == self.datalink:  # type: ignore[attr-defined]
                        if not wanted(data, record[2]):
                            continue
                    elif not self._frame_matches(data, record[2]):
                        continue
                self.captured += 1
                remaining -= 1
                yield record
        except CaptureFileError as exc:
            raise CaptureFileError(f"{self.source}: {exc}") from exc
        except (ValueError, struct.error, IndexError) as exc:  # a block that cannot be unpacked
            if self._stream is None:  # closed from another thread while reading: the file went away
                raise NotOpenError(f"{self.source}: the handle is closed") from exc
            raise CaptureFileError(f"{self.source}: damaged block: {exc}") from exc

    def _frame_matches(self, data: bytes, length: int) -> bool:
        """The filter run on a Frame of another link type than the handle's, compiled for its own."""
        linktype: int = getattr(data, "linktype", self.datalink)
        matcher = self._filters.get(linktype)
        if matcher is None:
            try:
                matcher = libpcap.OfflineFilter(linktype, getattr(data, "snaplen", self.snapshot),
                                                self._expression, DEFAULT_NETMASK)  # fmt: skip
            except ValueError as exc:
                raise FilterError(
                    f"bad filter expression {self._expression!r} for packets of link type {linktype}: {exc}"
                ) from exc
            self._filters[linktype] = matcher
        return matcher.matches(data, length)

    def get_stats(self) -> PcapStat:
        """Only ``captured`` is known for a saved capture."""
        return PcapStat(self.captured, 0, 0, self.captured)

    def close(self) -> None:
        """Close the file (standard input stays open); closing twice is harmless."""
        stream, self._stream = self._stream, None
        if stream is not None and self._own:
            stream.close()


def open_offline(path: str, precision: str | None = None, tshark: bool = False) -> FileHandle:
    """A saved capture read in Python, without libpcap; ``tshark``: a pcapng file of interfaces with
    different link types or snapshot lengths read as tshark reads it (see :class:`FileHandle`)."""
    return FileHandle(path, precision, tshark)


def open_live(device: str, settings: object) -> FileHandle:
    """Refuse: the file backend has no way to capture."""
    raise BackendUnavailableError(
        f"{device}: the file backend reads saved captures only; live capture needs libpcap",
        "use --backend pcapy or --backend scapy",
    )


__all__ = ["FileHandle", "PcapRecordReader", "PcapngRecordReader", "open_live", "open_offline"]
