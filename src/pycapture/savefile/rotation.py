"""The -w side of a capture: one pcap or pcapng file, or a series rotated as tcpdump or dumpcap do.

tcpdump's rotation (``-C``, ``-G``, ``-W``) and dumpcap's ring buffer (``-b``) are reproduced with
their own file names and their own moments of switching, so scripts written for either find the
files they expect. A packet is written to exactly one file: rotation happens between packets.

The rotation is the same for any kind of file that says where it is (:class:`RotatedFile`): the pcap and
pcapng writers here take packets one by one (:meth:`RotatingWriter.write`), and the table writer of
:mod:`pycapture.table.writer` takes rows in batches (:meth:`RotatingWriter.write_rows`), a batch going to
one file except where ``-b packets:N`` splits it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from .format import file_linktype
from .pcap_writer import PcapWriter, SaveFileWriter
from .pcapng_writer import InterfaceInfo, PcapngWriter

_TCPDUMP_UNITS = {"": 1_000_000, "k": 1024, "m": 1024**2, "g": 1024**3}
_DUMPCAP_MAX_FILES = 100_000  # dumpcap numbers files modulo this (RINGBUFFER_MAX_NUM_FILES)


@dataclass(frozen=True)
class TcpdumpRotation:
    """tcpdump's -C (bytes), -G (seconds) and -W (file count)."""

    size: int = 0
    seconds: int = 0
    files: int = 0


@dataclass(frozen=True)
class DumpcapRotation:
    """dumpcap's -b filesize:kB, -b duration:s, -b packets:n and -b files:n."""

    size: int = 0
    seconds: float = 0
    packets: int = 0
    files: int = 0


@dataclass(frozen=True)
class SaveOptions:
    """How -w saves: pcap or pcapng (with comments), or a table format (``table``: parquet, csv...),
    flushed per packet or not, rotated or not."""

    pcapng: bool = False
    comments: tuple[str, ...] = ()
    packet_buffered: bool = False
    rotation: TcpdumpRotation | DumpcapRotation | None = field(default=None)
    table: str | None = None


class RotatedFile(Protocol):
    """One file of a rotated series: where it is, what it holds, how far it has grown."""

    @property
    def path(self) -> str:
        """The file's name."""
        ...

    @property
    def count(self) -> int:
        """Packets (rows) written to it."""
        ...

    def tell(self) -> int:
        """Bytes written to it so far."""
        ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class Rows(Protocol):
    """Rows in a batch, as a pyarrow ``RecordBatch`` holds them."""

    @property
    def num_rows(self) -> int: ...

    def slice(self, offset: int = 0, length: int | None = None) -> Rows: ...


class RowFile(RotatedFile, Protocol):
    """A file that takes rows in batches (:class:`pycapture.table.writer.TableWriter`)."""

    def write(self, rows: Rows) -> None: ...


_File = TypeVar("_File", bound=RotatedFile)
_PacketFile = TypeVar("_PacketFile", bound=SaveFileWriter)
_RowFile = TypeVar("_RowFile", bound=RowFile)


def parse_file_size(text: str) -> int:
    """tcpdump's -C value in bytes: millions of bytes, or KiB/MiB/GiB with a k/m/g suffix."""
    match = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)\s*", text)
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"invalid file size {text!r} for -C: give millions of bytes, e.g. -C 100 (or 500k)")
    return int(match.group(1)) * _TCPDUMP_UNITS[match.group(2).lower()]


def parse_ring_buffer(specs: Sequence[str]) -> DumpcapRotation:
    """dumpcap's ``-b KEY:VALUE`` options (filesize in kB of 1000 bytes, duration, packets, files)."""
    values: dict[str, float] = {}
    for spec in specs:
        key, _, value = spec.partition(":")
        key = key.strip().lower()
        if key not in ("filesize", "duration", "packets", "files"):
            raise ValueError(f"-b {spec}: use filesize:KB, duration:SECONDS, packets:N or files:N")
        try:
            number = float(value) if key == "duration" else int(value)
        except ValueError:
            number = 0
        if number <= 0:
            raise ValueError(f"-b {spec}: {key} needs a positive number")
        values[key] = number
    if not values.keys() & {"filesize", "duration", "packets"}:
        raise ValueError("-b files:N needs filesize:, duration: or packets: to say when to switch files")
    if values.get("files", 0) >= _DUMPCAP_MAX_FILES:
        raise ValueError(f"-b files: must be less than {_DUMPCAP_MAX_FILES}")
    return DumpcapRotation(
        size=int(values.get("filesize", 0)) * 1000,
        seconds=values.get("duration", 0),
        packets=int(values.get("packets", 0)),
        files=int(values.get("files", 0)),
    )


def open_savefile(
    path: str,
    info: InterfaceInfo,
    options: SaveOptions,
    stop: Callable[[str], object] | None = None,
) -> SaveFileWriter | RotatingWriter[SaveFileWriter]:
    """The sink that saves packets to ``path`` (``-`` is standard output) as ``options`` say.

    ``stop(reason)`` is called when tcpdump would end the capture: ``-G`` with ``-W`` after the
    last file's period.
    """

    info = dataclasses.replace(info, linktype=file_linktype(info.linktype))

    def open_one(name: str) -> SaveFileWriter:
        if options.pcapng:
            return PcapngWriter(
                name, info, comments=options.comments, packet_buffered=options.packet_buffered
            )
        return PcapWriter(
            name,
            info.linktype,
            info.snaplen,
            nanosecond=info.nanosecond,
            packet_buffered=options.packet_buffered,
        )

    rotation = options.rotation
    if rotation is None:
        return open_one(path)
    return open_rotating(path, open_one, rotation, stop)


def open_rotating(
    path: str,
    open_one: Callable[[str], _File],
    rotation: TcpdumpRotation | DumpcapRotation,
    stop: Callable[[str], object] | None = None,
) -> RotatingWriter[_File]:
    """The series of files ``open_one(name)`` that ``rotation`` makes from the -w name ``path``.

    ``stop(reason)`` is called when tcpdump would end the capture: ``-G`` with ``-W`` after the
    last file's period.
    """
    if path == "-":
        raise ValueError("file rotation needs a file name for -w, not standard output")
    if isinstance(rotation, TcpdumpRotation):
        return TcpdumpRotatingWriter(path, open_one, rotation, stop)
    return DumpcapRotatingWriter(path, open_one, rotation)


class RotatingWriter(Generic[_File]):
    """A sink that writes to one file at a time and moves to the next as its policy says.

    A policy (tcpdump's, dumpcap's) says when to move on: :meth:`_before` is called before each packet or
    batch is written, :meth:`_after` after it, and :meth:`_room` says how many rows the file takes before
    the policy must be asked again.
    """

    def __init__(self, open_one: Callable[[str], _File]) -> None:
        self._open_one = open_one
        self._current: _File | None = None
        self._closed_count = 0
        self.names: list[str] = []  # every file opened, in order (some may be gone from a ring)

    def _open(self, name: str) -> None:
        self._close_current()
        self._current = self._open_one(name)
        self.names.append(name)

    def _close_current(self) -> None:
        if self._current is not None:
            current, self._current = self._current, None
            self._closed_count += current.count
            current.close()

    @property
    def count(self) -> int:
        """Packets written, over all files."""
        return self._closed_count + (self._current.count if self._current is not None else 0)

    @property
    def path(self) -> str | None:
        """The file being written."""
        return self._current.path if self._current is not None else None

    def write(
        self: RotatingWriter[_PacketFile], ts_sec: int, ts_frac: int, original_length: int, data: bytes
    ) -> None:
        """Write one packet, to a new file first where the policy says so."""
        current = self._before()
        current.write(ts_sec, ts_frac, original_length, data)
        self._after(current, 1)

    def write_rows(self: RotatingWriter[_RowFile], rows: Rows) -> None:
        """Write a batch of rows: to the current file, or to new files where the policy says so."""
        while rows.num_rows:
            current = self._before()
            room = self._room()
            part = rows if room is None or room >= rows.num_rows else rows.slice(0, room)
            current.write(part)
            self._after(current, part.num_rows)
            rows = rows.slice(part.num_rows)

    def _before(self) -> _File:
        """The file the next packet goes to, once the policy has moved on if it must."""
        raise NotImplementedError  # each policy (tcpdump's, dumpcap's) decides when to move on

    def _after(self, current: _File, packets: int) -> None:
        """``packets`` more are in ``current``: move on now if the policy says so."""

    def _room(self) -> int | None:
        """How many more packets the file at hand takes before :meth:`_before` must be asked (None: any)."""
        return None

    def flush(self) -> None:
        if self._current is not None:
            self._current.flush()

    def close(self) -> None:
        self._close_current()

    def __enter__(self) -> RotatingWriter[_File]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _tcpdump_count_digits(files: int) -> int:
    """tcpdump's getWflagChars: digits needed to number ``files`` files from 0."""
    digits, x = 0, files - 1
    while x > 0:
        digits += 1
        x //= 10
    return digits


class TcpdumpRotatingWriter(RotatingWriter[_File]):
    """tcpdump's dump_packet_and_trunc: -G checked first, then -C, before each packet is written.

    Names are tcpdump's MakeFilename: the -w name (through strftime with -G) and, with -C, a file
    number after it (none on the first file unless -W asks for zero-padded numbers).
    """

    def __init__(
        self,
        path: str,
        open_one: Callable[[str], _File],
        rotation: TcpdumpRotation,
        stop: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__(open_one)
        self._template = path
        self._rotation = rotation
        self._stop = stop
        self._digits = _tcpdump_count_digits(rotation.files) if rotation.files else 0
        self._g_time = int(time.time())
        self._g_count = 0
        self._c_count = 0
        self._open(self._name(0, self._digits if rotation.size else 0))

    def _name(self, number: int, digits: int) -> str:
        name = self._template
        if self._rotation.seconds:
            name = time.strftime(name, time.localtime(self._g_time))
        if number == 0 and digits == 0:
            return name
        return f"{name}{number:0{digits}d}"

    def _before(self) -> _File:
        """Rotate if -G's period has passed or the file is over -C's size."""
        rotation = self._rotation
        if rotation.seconds:
            now = int(time.time())
            if now - self._g_time >= rotation.seconds:
                if not rotation.size and rotation.files and self._g_count + 1 >= rotation.files:
                    # tcpdump exits here without writing the packet; we keep it in the last file
                    if self._stop is not None:
                        self._stop(f"Maximum file limit reached: {rotation.files}")
                else:
                    self._g_time = now
                    self._g_count += 1
                    self._c_count = 0
                    self._open(self._name(0, self._digits if rotation.size else 0))
        current = self._current
        assert current is not None
        if rotation.size and current.tell() > rotation.size:
            self._c_count += 1
            if rotation.files and self._c_count >= rotation.files:
                self._c_count = 0
            self._open(self._name(self._c_count, self._digits))
            current = self._current
            assert current is not None
        return current


class DumpcapRotatingWriter(RotatingWriter[_File]):
    """dumpcap's ring buffer: ``PREFIX_NNNNN_YYYYmmddHHMMSS.EXT``, the oldest file deleted past files:N.

    As dumpcap, the size and packet limits switch files right after the packet that reaches them, and
    the duration switches before the first packet past it (dumpcap also switches on an idle
    interface; pycapture only when a packet comes).
    """

    def __init__(self, path: str, open_one: Callable[[str], _File], rotation: DumpcapRotation) -> None:
        super().__init__(open_one)
        directory, base = os.path.split(path)
        stem, dot, ext = base.rpartition(".")
        self._prefix = os.path.join(directory, stem) if dot else path
        self._suffix = f".{ext}" if dot else ""
        self._rotation = rotation
        self._number = 0
        self._ring: deque[str] = deque()
        self._switch()

    def _switch(self) -> None:
        self._number += 1
        stamp = time.strftime("%Y%m%d%H%M%S", time.localtime())
        name = f"{self._prefix}_{self._number % _DUMPCAP_MAX_FILES:05d}_{stamp}{self._suffix}"
        self._open(name)
        self._opened = time.monotonic()
        self._packets = 0
        if self._rotation.files:
            self._ring.append(name)
            while len(self._ring) > self._rotation.files:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._ring.popleft())

    def _before(self) -> _File:
        """Switch files if -b duration's time is up."""
        rotation = self._rotation
        if rotation.seconds and time.monotonic() - self._opened >= rotation.seconds:
            self._switch()
        current = self._current
        assert current is not None
        return current

    def _after(self, current: _File, packets: int) -> None:
        """Switch files if the file has reached -b filesize or -b packets."""
        rotation = self._rotation
        self._packets += packets
        if (rotation.size and current.tell() >= rotation.size) or (
            rotation.packets and self._packets >= rotation.packets
        ):
            self._switch()

    def _room(self) -> int | None:
        return self._rotation.packets - self._packets if self._rotation.packets else None


def save_options(
    write_file: str | None,
    *,
    pcapng: bool = False,
    comments: Sequence[str] = (),
    packet_buffered: bool = False,
    file_size: str | None = None,
    rotate_seconds: int | None = None,
    file_count: int | None = None,
    ring_buffer: Sequence[str] = (),
    table: str | None = None,
) -> SaveOptions:
    """SaveOptions from the command line's words; ValueError says what does not go together.

    ``table``: the -w file is a table in that format (parquet, csv, jsonl, arrow) instead of pcap.
    """
    tcpdump_style = file_size is not None or rotate_seconds is not None or file_count is not None
    rotation: TcpdumpRotation | DumpcapRotation | None = None
    if ring_buffer and tcpdump_style:
        raise ValueError("-b is dumpcap's rotation, -C/-G/-W tcpdump's: use one or the other")
    if (ring_buffer or tcpdump_style) and write_file in (None, "-"):
        raise ValueError("file rotation (-C, -G, -W, -b) needs -w FILE")
    if table is not None and write_file in (None, "-"):
        raise ValueError(f"--format {table} needs -w FILE: a table is written to a file, not to stdout")
    if table is not None and (pcapng or comments):
        raise ValueError(f"--pcapng and --comment are for pcapng files, not for a {table} table")
    if comments and not pcapng:
        raise ValueError("--comment needs --pcapng: pcap files have no place for comments")
    if file_count is not None and file_size is None and rotate_seconds is None:
        raise ValueError("-W limits the files of -C or -G: give one of them too")
    if ring_buffer:
        rotation = parse_ring_buffer(ring_buffer)
    elif tcpdump_style:
        size = parse_file_size(file_size) if file_size is not None else 0
        rotation = TcpdumpRotation(size=size, seconds=rotate_seconds or 0, files=file_count or 0)
    return SaveOptions(
        pcapng=pcapng,
        comments=tuple(comments),
        packet_buffered=packet_buffered,
        rotation=rotation,
        table=table,
    )
