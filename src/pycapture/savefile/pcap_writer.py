"""Writing the classic pcap file format (the format tcpdump -w writes), in pure Python.

pcapy-ng's dumper needs a libpcap packet header object for every packet and cannot flush on demand;
writing the 24-byte file header and 16-byte record headers ourselves keeps each packet's original
length and timestamp, and lets the caller flush after every packet (tcpdump's -U).
"""

from __future__ import annotations

import contextlib
import os
import struct
import sys
import time
from typing import BinaryIO

from ..checks import C_INT_MAX, U32_MAX, c_divide, frame, integer, whole
from ..errors import NotOpenError, SaveFileError
from ..packet import PcapPacket
from .format import (
    CAPLEN,
    CAPLEN_OFFSET,
    FILE_HEADER,
    LINKTYPE_FCS_BITS,
    LINKTYPE_RESERVED_BITS,
    MAXIMUM_SNAPLEN,
    PCAP_MAGIC_NSEC,
    PCAP_MAGIC_USEC,
    RECORD_HEADER,
    RECORD_HEADER_SIZE,
    file_linktype,
)

FLUSH_BYTES = 1 << 16


class SaveFileWriter:
    """A capture file written record by record: the buffering, flushing and failure handling of -w.

    Records collect in a buffer of :data:`FLUSH_BYTES` (one record with ``packet_buffered``, tcpdump's
    -U) and go to the file by unbuffered writes, so the writer always knows which bytes reached it.
    When a write fails (a full disk, a quota), the file is cut back to its last complete record and
    :class:`SaveFileError` says how many packets it holds: what is on disk stays readable. Subclasses
    give the file header and the record format.
    """

    def __init__(self, path: str, header: bytes, *, packet_buffered: bool = False) -> None:
        self.path = path
        self._own = path != "-"
        self._raw: BinaryIO = open(path, "wb", buffering=0) if self._own else sys.stdout.buffer  # noqa: SIM115
        self._buf = bytearray()
        self._flush_at = 1 if packet_buffered else FLUSH_BYTES
        self._written = 0  # bytes known to be in the file
        self._failed = False
        self.count = 0
        self._buf += header
        try:
            self._flush()  # an empty capture is still a valid file, even while it runs
        except SaveFileError:
            self.close()
            raise

    def write(self, ts_sec: int, ts_frac: int, original_length: int, data: bytes) -> None:
        """Append one packet (the subclass's record format)."""
        raise NotImplementedError

    def _record_length(self, buf: bytearray, pos: int) -> int:
        """Length of the record that starts at ``pos`` in ``buf`` (the format's own framing)."""
        raise NotImplementedError

    def _complete(self, limit: int) -> tuple[int, int]:
        """(bytes, records) of the whole records within the first ``limit`` bytes of the buffer."""
        buf = self._buf
        pos = records = 0
        while pos < limit:
            end = pos + self._record_length(buf, pos)
            if end > limit:
                break
            pos = end
            records += 1
        return pos, records

    def _flush(self) -> None:
        buf = self._buf
        if not buf or self._failed:
            return
        done = 0
        try:
            with memoryview(buf) as view:
                while done < len(view):
                    done += self._raw.write(view[done:]) or 0
            if not self._own:
                self._raw.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            self._fail(exc, done)
        self._written += len(buf)
        buf.clear()

    def _fail(self, exc: OSError, done: int) -> None:
        """Cut the file back to its last complete record and raise the error that says so."""
        self._failed = True
        keep = saved = 0
        if self._written:  # else the file header itself did not fit: nothing to keep
            keep, records = self._complete(done)
            saved = self.count - self._complete(len(self._buf))[1] + records
        if self._own:
            with contextlib.suppress(OSError):
                self._raw.truncate(self._written + keep)
        self._buf.clear()
        self.count = saved
        raise SaveFileError(
            f"{self.path}: {exc.strerror or exc} after {saved} packets; "
            "the file holds them, up to the last complete one"
        ) from exc

    def flush(self) -> None:
        """Push buffered records to the file (pcap_dump_flush)."""
        self._flush()

    def fileno(self) -> int:
        """The file's descriptor, once the buffered records are in it: for a writer in compiled code that
        appends records (:meth:`spooled` counts them)."""
        self._flush()
        return self._raw.fileno()

    def spooled(self, packets: int, nbytes: int, error: int) -> None:
        """Count ``packets`` records (``nbytes`` bytes) appended through :meth:`fileno`; ``error``, a failed
        write's errno (the file already cut back to its last whole record), raises SaveFileError."""
        self.count += packets
        self._written += nbytes
        if error:
            self._failed = True
            raise SaveFileError(
                f"{self.path}: {os.strerror(error)} after {self.count} packets; "
                "the file holds them, up to the last complete one"
            )

    def tell(self) -> int:
        """Bytes written so far, buffered ones included (Pcap4J's PcapDumper.ftell)."""
        return self._written + len(self._buf)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has run."""
        return self._raw is None

    def close(self) -> None:
        """Flush and close; standard output is flushed but left open. Closing twice is harmless."""
        if self._raw is None:
            return
        try:
            # a record cut short by an exception between its header and its data is not saved
            del self._buf[self._complete(len(self._buf))[0] :]
            self._flush()
        finally:
            raw, self._raw = self._raw, None  # type: ignore[assignment]  # None marks a closed writer
            if self._own:
                raw.close()

    def __enter__(self) -> SaveFileWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _int32(value: int) -> int:
    """The low 32 bits of ``value``, in two's complement."""
    return ((value + 0x80000000) & U32_MAX) - 0x80000000


class PcapWriter(SaveFileWriter):
    """Write packets to a pcap file in the machine's byte order, as libpcap does.

    ``path`` may be ``"-"`` for standard output. The file header is written at once, so even a
    capture stopped before its first packet leaves a valid (empty) file. ``packet_buffered`` writes
    each packet to the file as it comes (tcpdump's -U).

    Timestamps are written as libpcap's ``pcap_dump`` writes them: the file's two 32-bit fields get the
    low 32 bits of the seconds and of the fraction, in two's complement. A time before 1970 or from
    2106 on, and a fraction of -1 or of 10^6 or more (as read from a damaged file), are folded into
    those fields, never refused: ``-1`` s is written ``0xffffffff``, and tcpdump reads back what it
    reads from its own ``-w`` file.
    """

    def __init__(
        self,
        path: str,
        linktype: int,
        snaplen: int = MAXIMUM_SNAPLEN,
        *,
        nanosecond: bool = False,
        packet_buffered: bool = False,
    ) -> None:
        self._pack = RECORD_HEADER.pack
        self._linktype = linktype
        self._snaplen = snaplen
        magic = PCAP_MAGIC_NSEC if nanosecond else PCAP_MAGIC_USEC
        header = FILE_HEADER.pack(magic, 2, 4, 0, 0, snaplen, linktype)
        super().__init__(path, header, packet_buffered=packet_buffered)

    def write(self, ts_sec: int, ts_frac: int, original_length: int, data: bytes) -> None:
        """Append one packet record; ``ts_frac`` is in micro- or nanoseconds as the file's magic says.

        A :class:`~pycapture.packet.Frame` of another link type than the file's (from a pcapng file whose
        interfaces mix link types) is refused: a pcap file has one link type."""
        if type(data) is not bytes:
            self._check_linktype(data)
        buf = self._buf
        try:
            buf += self._pack(ts_sec, ts_frac, len(data), original_length)
        except struct.error:  # a timestamp outside the signed 32 bits: folded as pcap_dump folds it
            buf += self._pack(_int32(ts_sec), _int32(ts_frac), len(data), original_length)
        buf += data
        self.count += 1
        if len(buf) >= self._flush_at:
            self._flush()

    def _check_linktype(self, data: bytes) -> None:
        """Refuse a Frame that this file cannot hold as its interface described it."""
        linktype = getattr(data, "linktype", None)
        if linktype is not None and file_linktype(linktype) != self._linktype:
            what = f"is of link type {file_linktype(linktype)}, but a pcap file has one ({self._linktype})"
        elif len(data) > self._snaplen:
            what = f"has {len(data)} bytes, more than the file's snapshot length ({self._snaplen})"
        else:
            return
        raise SaveFileError(
            f"{self.path}: packet {self.count + 1} {what}: the file read has interfaces of different "
            "link types or snapshot lengths",
            "write pcapng, which keeps each interface: add --pcapng (or --format pcapng)",
        )

    def _record_length(self, buf: bytearray, pos: int) -> int:
        if pos + RECORD_HEADER_SIZE > len(buf):
            return RECORD_HEADER_SIZE
        caplen: int = CAPLEN.unpack_from(buf, pos + CAPLEN_OFFSET)[0]
        return RECORD_HEADER_SIZE + caplen

    def __enter__(self) -> PcapWriter:
        return self


class PcapDumper:
    """Write packets to a pcap file (Pcap4J's ``PcapDumper``), from :meth:`PcapHandle.dump_open`.

    Each packet keeps its own timestamp and original length. ``nanosecond`` writes a
    nanosecond-resolution file (magic ``a1b23c4d``), as libpcap does for a nanosecond handle.

    ``path`` is a str or ``os.PathLike`` (``"-"``: standard output). ``linktype`` is what the file
    header's LinkType field holds: a link-layer type 0..65535, optionally with the FCS-length bits
    (:data:`LINKTYPE_FCS_BITS`); ``snaplen`` is 1 to 2^31-1, and no frame longer than it is dumped,
    because libpcap cannot read such a record back. A wrong type raises TypeError, a wrong value
    ValueError.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        linktype: int,
        snaplen: int = MAXIMUM_SNAPLEN,
        *,
        nanosecond: bool = False,
    ) -> None:
        name = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
        if not isinstance(name, str):
            raise TypeError(f"path must be a str or os.PathLike, not {type(path).__name__}")
        self.linktype = whole("linktype", linktype)
        if not 0 <= self.linktype <= U32_MAX or self.linktype & LINKTYPE_RESERVED_BITS:
            raise ValueError(
                "linktype must be a link-layer type 0 to 65535, optionally with the FCS-length bits "
                f"0x{LINKTYPE_FCS_BITS:08x} (the pcap header's LinkType field), not {linktype}"
            )
        self.snaplen = integer("snaplen", snaplen, 1, C_INT_MAX)
        self.path = name
        self.nanosecond = bool(nanosecond)
        self._writer = PcapWriter(name, self.linktype, self.snaplen, nanosecond=self.nanosecond)

    def _open_writer(self) -> PcapWriter:
        if self._writer.closed:
            raise NotOpenError(f"{self.path}: the dumper is closed", "open another with dump_open()")
        return self._writer

    def dump(
        self,
        packet: object,
        timestamp_ns: int | None = None,
        original_length: int | None = None,
    ) -> None:
        """Append a packet: a :class:`~pycapture.packet.PcapPacket` (its own time and lengths), or bytes.

        Bytes are ``bytes``, ``bytearray``, ``memoryview`` or an object with ``__bytes__``; for them,
        ``timestamp_ns`` (an int) defaults to now and ``original_length`` (0 to 2^32-1) to the byte
        count. A timestamp outside the file's 32-bit fields is folded as :class:`PcapWriter` says.
        Raises :class:`~pycapture.errors.NotOpenError` after :meth:`close`, TypeError for anything
        else, and ValueError for a frame longer than the snapshot length.
        """
        writer = self._open_writer()
        if isinstance(packet, PcapPacket):
            data = frame("packet.raw", packet.raw)
            length = packet.original_length if original_length is None else original_length
            if timestamp_ns is None:
                sec, frac = whole("packet.ts_sec", packet.ts_sec), whole("packet.ts_frac", packet.ts_frac)
                if packet.nanosecond != self.nanosecond:
                    frac = frac * 1000 if self.nanosecond else c_divide(frac, 1000)
            else:
                sec, frac = self._split(timestamp_ns)
        else:
            data = frame("packet", packet)
            length = len(data) if original_length is None else original_length
            sec, frac = self._split(time.time_ns() if timestamp_ns is None else timestamp_ns)
        length = integer("original_length", length, 0, U32_MAX)
        if len(data) > self.snaplen:
            raise ValueError(
                f"a {len(data)}-byte frame is longer than the dumper's snaplen of {self.snaplen}, and "
                f"libpcap could not read it back; dump data[:{self.snaplen}] with original_length={length}"
            )
        writer.write(sec, frac, length, data)

    def _split(self, timestamp_ns: object) -> tuple[int, int]:
        """(seconds, fraction in the file's unit) of a time in nanoseconds since the epoch."""
        sec, frac = divmod(whole("timestamp_ns", timestamp_ns), 1_000_000_000)
        return sec, frac if self.nanosecond else frac // 1000

    def flush(self) -> None:
        """Push what was dumped to the file (pcap_dump_flush)."""
        self._open_writer().flush()

    def ftell(self) -> int:
        """Bytes written so far, file header included (pcap_dump_ftell)."""
        return self._open_writer().tell()

    @property
    def count(self) -> int:
        """Packets dumped so far (still readable after :meth:`close`)."""
        return self._writer.count

    def close(self) -> None:
        """Flush and close the file; closing twice is harmless."""
        self._writer.close()

    def __enter__(self) -> PcapDumper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
