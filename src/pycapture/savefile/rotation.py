"""The -w side of a capture: one pcap or pcapng file, or a series rotated as tcpdump or dumpcap do.

tcpdump's rotation (``-C``, ``-G``, ``-W``) and dumpcap's ring buffer (``-b``) are reproduced with
their own file names and their own moments of switching, so scripts written for either find the
files they expect. A packet is written to exactly one file: rotation happens between packets.
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
    """How -w saves: pcap or pcapng (with comments), flushed per packet or not, rotated or not."""

    pcapng: bool = False
    comments: tuple[str, ...] = ()
    packet_buffered: bool = False
    rotation: TcpdumpRotation | DumpcapRotation | None = field(default=None)


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
) -> SaveFileWriter | RotatingWriter:
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
    if path == "-":
        raise ValueError("file rotation needs a file name for -w, not standard output")
    if isinstance(rotation, TcpdumpRotation):
        return TcpdumpRotatingWriter(path, open_one, rotation, stop)
    return DumpcapRotatingWriter(path, open_one, rotation)


class RotatingWriter:
    """A sink that writes to one file at a time and moves to the next as its policy says."""

    def __init__(self, open_one: Callable[[str], SaveFileWriter]) -> None:
        self._open_one = open_one
        self._current: SaveFileWriter | None = None
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

    def write(self, ts_sec: int, ts_frac: int, original_length: int, data: bytes) -> None:
        """Write one packet, to a new file first where the policy says so."""
        raise NotImplementedError  # each policy (tcpdump's, dumpcap's) decides when to move on

    def flush(self) -> None:
        if self._current is not None:
            self._current.flush()

    def close(self) -> None:
        self._close_current()

    def __enter__(self) -> RotatingWriter:
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


class TcpdumpRotatingWriter(RotatingWriter):
    """tcpdump's dump_packet_and_trunc: -G checked first, then -C, before each packet is written.

    Names are tcpdump's MakeFilename: the -w name (through strftime with -G) and, with -C, a file
    number after it (none on the first file unless -W asks for zero-padded numbers).
    """

    def __init__(
        self,
        path: str,
        open_one: Callable[[str], SaveFileWriter],
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

    def write(self, ts_sec: int, ts_frac: int, original_length: int, data: bytes) -> None:
        """Rotate if -G's period has passed or the file is over -C's size, then append the packet."""
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
        current.write(ts_sec, ts_frac, original_length, data)


class DumpcapRotatingWriter(RotatingWriter):
    """dumpcap's ring buffer: ``PREFIX_NNNNN_YYYYmmddHHMMSS.EXT``, the oldest file deleted past files:N.

    As dumpcap, the size and packet limits switch files right after the packet that reaches them, and
    the duration switches before the first packet past it (dumpcap also switches on an idle
    interface; pycapture only when a packet comes).
    """

    def __init__(
        self, path: str, open_one: Callable[[str], SaveFileWriter], rotation: DumpcapRotation
    ) -> None:
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

    def write(self, ts_sec: int, ts_frac: int, original_length: int, data: bytes) -> None:
        """Append the packet, switching files around it as -b says."""
        rotation = self._rotation
        if rotation.seconds and time.monotonic() - self._opened >= rotation.seconds:
            self._switch()
        current = self._current
        assert current is not None
        current.write(ts_sec, ts_frac, original_length, data)
        self._packets += 1
        if (rotation.size and current.tell() >= rotation.size) or (
            rotation.packets and self._packets >= rotation.packets
        ):
            self._switch()


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
) -> SaveOptions:
    """SaveOptions from the command line's words; ValueError says what does not go together."""
    tcpdump_style = file_size is not None or rotate_seconds is not None or file_count is not None
    rotation: TcpdumpRotation | DumpcapRotation | None = None
    if ring_buffer and tcpdump_style:
        raise ValueError("-b is dumpcap's rotation, -C/-G/-W tcpdump's: use one or the other")
    if (ring_buffer or tcpdump_style) and write_file in (None, "-"):
        raise ValueError("file rotation (-C, -G, -W, -b) needs -w FILE")
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
        pcapng=pcapng, comments=tuple(comments), packet_buffered=packet_buffered, rotation=rotation
    )
