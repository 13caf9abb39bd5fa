"""A libpcap handle on pcapy-ng: open live or offline, read, filter, count (Pcap4J's PcapHandle).

Live handles run in non-blocking mode and wait with ``select()`` on the capture descriptor. Measured
with pcapy-ng 2.1.0, a blocking read on a quiet interface never returns, whatever the timeout, and
Ctrl-C goes unseen until a packet arrives; waiting in ``select()`` returns on time and lets signals
and :meth:`PcapHandle.break_loop` through at once.
"""

from __future__ import annotations

import contextlib
import enum
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from threading import get_ident
from typing import TYPE_CHECKING, Optional, SupportsBytes, TypeVar

from .. import checks
from ..errors import (
    CaptureFileError,
    CapturePermissionError,
    FilterError,
    NoSuchDeviceError,
    NotOpenError,
    PcapEOFError,
    PcapNativeError,
    PcapTimeoutError,
)
from ..packet import PcapPacket, Record
from ..savefile.format import LINKTYPE_MASK, MAXIMUM_SNAPLEN, file_linktype
from ..savefile.pcap_writer import PcapDumper
from ..savefile.reader import RecordBuffers, file_is_nanosecond
from . import libpcap, linux
from .guard import HandleGuard
from .pcapy import Reader, pcapy
from .source import BaseHandle

_SPOOL_WAIT_S = 0.25
_Result = TypeVar("_Result")  # what one pcap_dispatch call of _dispatch_calls gives back

try:
    from . import _spool  # type: ignore[attr-defined]
except ImportError:  # not built: -w writes from Python
    _spool = None

if TYPE_CHECKING:
    from concurrent.futures import Executor

DEFAULT_SNAPLEN = MAXIMUM_SNAPLEN  # tcpdump keeps all that libpcap keeps
DEFAULT_TIMEOUT_MS = 1000
DEFAULT_NETMASK = 0  # tcpdump 4.99 compiles with 0, live or not (it looks the netmask up for -f only)

# pcap_activate() results (pcap/pcap.h); pcapy-ng returns them instead of raising.
_PCAP_ERROR_NO_SUCH_DEVICE = -5
_PCAP_ERROR_RFMON_NOTSUP = -6
_PCAP_ERROR_PERM_DENIED = -8
_PCAP_ERROR_IFACE_NOT_UP = -9
_PCAP_ERROR_PROMISC_PERM_DENIED = -11
_PCAP_WARNING_PROMISC_NOTSUP = 2


@dataclass(frozen=True)
class PcapStat:
    """Capture statistics (Pcap4J's PcapStat): libpcap's counters plus what this handle delivered."""

    received: int  # ps_recv: packets that reached the filter
    dropped: int  # ps_drop: dropped by the kernel for lack of buffer space
    dropped_by_if: int  # ps_ifdrop: dropped by the interface or its driver
    captured: int  # packets this handle handed to the caller


def _native_error(exc: Exception, device: str = "") -> PcapNativeError:
    """Turn pcapy's error into the pycapture exception that says what to do about it."""
    message = str(exc)
    lowered = message.lower()
    if "permission" in lowered or "operation not permitted" in lowered:
        return CapturePermissionError(message)
    if "no such device" in lowered:
        return NoSuchDeviceError(message)
    return PcapNativeError(message)


class TimestampPrecision(enum.Enum):
    """Timestamp resolution of a handle (Pcap4J's ``TimestampPrecision``)."""

    MICRO = "micro"
    NANO = "nano"


class Direction(enum.IntEnum):
    """Which packets a live handle captures (Pcap4J's ``PcapDirection``)."""

    INOUT = pcapy.PCAP_D_INOUT
    IN = pcapy.PCAP_D_IN
    OUT = pcapy.PCAP_D_OUT


def _precision(value: TimestampPrecision | str) -> TimestampPrecision:
    try:
        return value if isinstance(value, TimestampPrecision) else TimestampPrecision(str(value).lower())
    except ValueError:
        raise ValueError(f"timestamp precision must be 'micro' or 'nano', not {value!r}") from None


def _direction(value: Direction | str) -> Direction:
    if isinstance(value, Direction):
        return value
    if not isinstance(value, str):
        raise TypeError(f"direction must be a Direction or a str, not {type(value).__name__}")
    try:
        return Direction[value.upper()]
    except KeyError:
        raise ValueError(f"direction must be 'in', 'out' or 'inout', not {value!r}") from None


def _set_direction(reader: Reader, direction: Direction) -> None:
    """pcap_setdirection, and on Linux the kernel's own PACKET_IGNORE_OUTGOING for ``in``: libpcap drops
    the frames this host sends only after the kernel has cloned each one for its socket, which costs the
    sending path a clone, a filter run and a free per frame (a replay's own handle saw every frame it
    sent). Cleared again for ``out`` and ``inout``; kernels before 4.20 keep libpcap's filtering alone."""
    reader.setdirection(int(direction))
    if linux.AVAILABLE:  # pcapy-ng's Reader has no getfd on Windows
        linux.set_packet_option(reader.getfd(), linux.PACKET_IGNORE_OUTGOING, int(direction == Direction.IN))


def _native_unavailable(what: str, exc: Exception) -> NotImplementedError:
    return NotImplementedError(f"{what} needs libpcap calls that pcapy-ng does not expose, and {exc}")


class BpfProgram:
    """A compiled BPF filter (Pcap4J's ``BpfProgram``): test packets against it without a capture, or apply
    it to a handle with :meth:`PcapHandle.set_filter`."""

    def __init__(self, expression: str, program: Reader) -> None:
        self.expression = expression
        self._program = program

    def matches(self, packet: bytes | bytearray | memoryview | PcapPacket) -> bool:
        """Whether the filter accepts this frame (raw bytes of the handle's link type, or a packet)."""
        data = packet.raw if isinstance(packet, PcapPacket) else checks.frame("packet", packet)
        matched: int = self._program.filter(data)
        return matched != 0

    @property
    def instructions(self) -> list[tuple[int, int, int, int]]:
        """The BPF instructions as ``(code, jt, jf, k)`` tuples, as ``tcpdump -dd`` prints them."""
        return list(self._program.get_bpf())

    def __repr__(self) -> str:
        return f"BpfProgram({self.expression!r}, {len(self.instructions)} instructions)"


class LoopCount(int):
    """What :meth:`PcapHandle.loop` and :meth:`PcapHandle.dispatch` return: the number of packets handed on.

    ``interrupted`` is True when :meth:`PcapHandle.break_loop` or :meth:`PcapHandle.close` ended the loop
    before its count or the end of the file: pcap_loop's ``PCAP_ERROR_BREAK``, where Pcap4J throws
    ``InterruptedException``.
    """

    interrupted: bool

    def __new__(cls, count: int, interrupted: bool = False) -> LoopCount:
        self = super().__new__(cls, count)
        self.interrupted = interrupted
        return self

    def __str__(self) -> str:  # print() and f-strings show the number, as for any int
        return int.__repr__(self)

    def __repr__(self) -> str:
        return f"LoopCount({int(self)}, interrupted={self.interrupted})"


class PcapHandle(BaseHandle):
    """An open libpcap handle: live on an interface, reading a saved capture, or dead (no source).

    Read it packet by packet with :meth:`get_next_packet_ex`, by callback with :meth:`loop` or
    :meth:`dispatch`, or as an iterator (``for packet in handle``). :meth:`close` (or leaving its
    ``with`` block) frees libpcap's handle, and is safe from any thread at any moment: it stops the
    readers and waits for them to leave libpcap first (see :mod:`pycapture.guard`). Any later use
    raises :class:`NotOpenError`. Two threads may read one handle: they take turns, each packet going
    to one of them.
    """

    def __init__(
        self,
        reader: Reader,
        *,
        source: str,
        live: bool,
        snaplen: int,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        warnings: tuple[str, ...] = (),
        nanosecond: bool = False,
        dead: bool = False,
    ) -> None:
        super().__init__(
            source=source,
            live=live,
            datalink=reader.datalink(),
            # what libpcap uses, which is not always what was asked (0 or past 262144 becomes 262144)
            snapshot=libpcap.snapshot(reader) or snaplen,
            nanosecond=nanosecond,
            warnings=warnings,
        )
        self._reader: Reader = reader  # None once freed
        self.dead = dead
        self.timeout_ms = timeout_ms
        self.filter_expression: str | None = None  # the last filter set, for a second reader of the file
        self._fd = -1
        self._guard = HandleGuard(self, source, self._free, wakeable=live)
        if live:
            reader.setnonblock(1)
            self._fd = reader.getfd()

    def __repr__(self) -> str:
        kind = "live" if self.live else "dead" if self.dead else "offline"
        state = "open" if self.is_open else "closed"
        return f"<PcapHandle {kind} {self.source!r} linktype={self.datalink} {state}>"

    # --- life cycle -----------------------------------------------------------------------------

    class Builder:
        """Build a live handle step by step (Pcap4J's ``PcapHandle.Builder``).

        ``PcapHandle.Builder("eth0").snaplen(65536).promiscuous(True).timeout_ms(10).build()``

        Defaults: snaplen 262144, promiscuous, timeout 1000 ms, libpcap's buffer size (2 MiB on Linux),
        immediate mode off, both directions, microsecond timestamps, no monitor mode. Each setter checks
        its argument at once (TypeError, ValueError).
        """

        def __init__(self, device: str) -> None:
            self._device = checks.text("device", device)
            self._snaplen = DEFAULT_SNAPLEN
            self._promisc = True
            self._timeout_ms = DEFAULT_TIMEOUT_MS
            self._buffer_size: int | None = None
            self._immediate: bool | None = None
            self._rfmon: bool | None = None
            self._direction: Direction | None = None
            self._precision = TimestampPrecision.MICRO

        def snaplen(self, snaplen: int) -> PcapHandle.Builder:
            """Bytes kept of each packet (default 262144, tcpdump's; 0 means the most libpcap keeps)."""
            self._snaplen = checks.integer("snaplen", snaplen, 0, checks.C_INT_MAX)
            return self

        def promiscuous(self, promiscuous: bool) -> PcapHandle.Builder:
            """Capture frames addressed to other hosts too (default True)."""
            self._promisc = bool(promiscuous)
            return self

        def timeout_ms(self, timeout_ms: int) -> PcapHandle.Builder:
            """The read timeout: how long libpcap may hold packets back to deliver them together, and how
            long :meth:`PcapHandle.get_next_packet_ex` waits. 0 waits for a packet however long it takes."""
            self._timeout_ms = checks.integer("timeout_ms", timeout_ms, 0, checks.C_INT_MAX)
            return self

        def buffer_size(self, size_bytes: int) -> PcapHandle.Builder:
            """The kernel buffer size in bytes (libpcap's default is 2 MiB)."""
            self._buffer_size = checks.integer("buffer_size", size_bytes, 1, checks.C_INT_MAX)
            return self

        def immediate(self, immediate: bool = True) -> PcapHandle.Builder:
            """Deliver each packet at once instead of buffering them (pcap_set_immediate_mode)."""
            self._immediate = bool(immediate)
            return self

        def rfmon(self, rfmon: bool = True) -> PcapHandle.Builder:
            """Monitor mode on a Wi-Fi device (pcap_set_rfmon); build() says so if the device cannot."""
            self._rfmon = bool(rfmon)
            return self

        def direction(self, direction: Direction | str) -> PcapHandle.Builder:
            """Capture only incoming (``IN``), outgoing (``OUT``) or both (``INOUT``, the default)."""
            self._direction = _direction(direction)
            return self

        def timestamp_precision(self, precision: TimestampPrecision | str) -> PcapHandle.Builder:
            """``micro`` (the default) or ``nano``: the resolution of each packet's timestamp."""
            self._precision = _precision(precision)
            return self

        def build(self) -> PcapHandle:
            """Create and activate the handle; raise a PcapNativeError subclass that names the fix."""
            device = self._device
            nano = self._precision is TimestampPrecision.NANO
            try:
                reader = pcapy.create(device)
                reader.set_snaplen(self._snaplen)
                reader.set_promisc(self._promisc)
                reader.set_timeout(self._timeout_ms)
                if self._buffer_size is not None:
                    reader.set_buffer_size(self._buffer_size)
                if self._rfmon is not None:
                    set_rfmon = getattr(reader, "set_rfmon", None)
                    if set_rfmon is None:
                        raise PcapNativeError(f"{device}: this libpcap cannot set monitor mode")
                    set_rfmon(int(self._rfmon))
            except pcapy.PcapError as exc:
                raise _native_error(exc, device) from exc
            if self._immediate is not None or nano:
                try:
                    libpcap.set_before_activate(reader, immediate=self._immediate, nano=nano or None)
                except libpcap.NativeUnavailable as exc:
                    raise _native_unavailable("immediate mode or nanosecond timestamps", exc) from exc
                except OSError as exc:
                    raise PcapNativeError(f"{device}: {exc}") from exc
            try:
                status = reader.activate()
            except pcapy.PcapError as exc:
                raise _native_error(exc, device) from exc
            warnings: tuple[str, ...] = ()
            if status < 0:
                raise self._activate_error(status)
            if status == _PCAP_WARNING_PROMISC_NOTSUP:
                warnings = (f"{device}: promiscuous mode is not supported; capturing without it",)
            if self._direction is not None:
                try:
                    _set_direction(reader, self._direction)
                except pcapy.PcapError as exc:
                    reader.close()
                    raise PcapNativeError(f"{device}: cannot set the direction: {exc}") from exc
            return PcapHandle(
                reader,
                source=device,
                live=True,
                snaplen=self._snaplen,
                timeout_ms=self._timeout_ms,
                warnings=warnings,
                nanosecond=nano,
            )

        def _activate_error(self, status: int) -> PcapNativeError:
            device = self._device
            if status == _PCAP_ERROR_NO_SUCH_DEVICE:
                return NoSuchDeviceError(f"{device}: No such device exists")
            if status == _PCAP_ERROR_PERM_DENIED:
                return CapturePermissionError(
                    f"{device}: You don't have permission to perform this capture on that device"
                )
            if status == _PCAP_ERROR_PROMISC_PERM_DENIED:
                return CapturePermissionError(
                    f"{device}: You don't have permission to capture in promiscuous mode",
                    "capture without promiscuous mode (-p), or " + CapturePermissionError.hint,
                )
            if status == _PCAP_ERROR_IFACE_NOT_UP:
                return PcapNativeError(
                    f"{device}: That device is not up", f"bring it up: ip link set {device} up"
                )
            if status == _PCAP_ERROR_RFMON_NOTSUP:
                return PcapNativeError(f"{device}: That device doesn't support monitor mode")
            # A generic failure: pcapy-ng does not expose pcap_geterr(), but open_live() raises with it.
            try:
                pcapy.open_live(device, self._snaplen, int(self._promisc), self._timeout_ms).close()
            except pcapy.PcapError as exc:
                return _native_error(exc, device)
            return PcapNativeError(f"{device}: cannot activate the capture (libpcap status {status})")

    def close(self) -> None:
        """Close the handle, from any thread, at any moment; closing twice is harmless.

        Readers in other threads stop: :meth:`loop` and :meth:`dispatch` return (``interrupted``), every
        other read raises :class:`NotOpenError`. libpcap's handle is freed once no thread is inside it.
        """
        self._guard.close()

    def _free(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            with contextlib.suppress(pcapy.PcapError):
                reader.close()

    @property
    def is_open(self) -> bool:
        """False once :meth:`close` has been called."""
        return not self._guard.closing

    @property
    def timestamp_precision(self) -> TimestampPrecision:
        """``NANO`` when the packets' timestamps carry nanoseconds, else ``MICRO``."""
        return TimestampPrecision.NANO if self.nanosecond else TimestampPrecision.MICRO

    def _open_reader(self) -> Reader:
        """The pcapy Reader; NotOpenError once close() has been called."""
        reader = self._reader
        if reader is None or self._guard.closing:
            raise NotOpenError(f"{self.source}: the handle is closed")
        return reader

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[Reader]:
        """The Reader, with no read in progress: for calls that change what a read uses (filters, links)."""
        with self._guard.reading:
            if self._guard.closing:
                raise self._guard.closed_error()
            yield self._reader

    # --- link types, filters, statistics ----------------------------------------------------------

    def list_datalinks(self) -> list[int]:
        """The link types the device can deliver (pcap_list_datalinks), e.g. ``[113, 276]`` for ``any``."""
        with self._exclusive() as reader:
            try:
                return libpcap.list_datalinks(reader)
            except libpcap.NativeUnavailable as exc:
                raise _native_unavailable("list_datalinks()", exc) from exc
            except OSError as exc:
                raise PcapNativeError(f"{self.source}: {exc}") from exc

    def set_datalink(self, linktype: int) -> None:
        """Switch the device to another of :meth:`list_datalinks` (pcap_set_datalink)."""
        linktype = checks.integer("linktype", linktype, 0, checks.C_INT_MAX)
        with self._exclusive() as reader:
            try:
                libpcap.set_datalink(reader, linktype)
            except libpcap.NativeUnavailable as exc:
                raise _native_unavailable("set_datalink()", exc) from exc
            except OSError as exc:
                raise PcapNativeError(f"{self.source}: {exc}") from exc
            self.datalink = reader.datalink()

    def set_direction(self, direction: Direction | str) -> None:
        """Capture only incoming, outgoing or both directions from now on (pcap_setdirection)."""
        value = _direction(direction)
        with self._exclusive() as reader:
            try:
                _set_direction(reader, value)
            except pcapy.PcapError as exc:
                raise PcapNativeError(f"{self.source}: cannot set the direction: {exc}") from exc

    def set_filter(
        self, expression: str | BpfProgram, optimize: bool = True, netmask: int | None = None
    ) -> None:
        """Apply a BPF filter in the kernel, or to the file being read (Pcap4J's ``setFilter``).

        ``expression`` is pcap-filter(7) text, or a :class:`BpfProgram` from :meth:`compile_filter` (then
        ``optimize`` and ``netmask`` were settled when it was compiled). ``netmask`` is the IPv4 netmask
        ``ip broadcast`` uses (an int, e.g. ``int(lookup_net("eth0").netmask)``); by default 0, as
        tcpdump 4.99 compiles, so that ``ip broadcast`` matches 0.0.0.0 and 255.255.255.255.
        """
        if isinstance(expression, BpfProgram):
            self._set_program(expression)
            return
        expression = _filter_text(expression)
        mask = DEFAULT_NETMASK if netmask is None else checks.integer("netmask", netmask, 0, checks.U32_MAX)
        with self._exclusive() as reader:
            try:
                libpcap.set_filter(reader, expression, optimize=bool(optimize), netmask=mask)
            except ValueError as exc:
                raise FilterError(f"bad filter expression {expression!r}: {exc}") from exc
            except libpcap.NativeUnavailable as exc:
                if not optimize or netmask is not None:
                    raise _native_unavailable("a filter with these settings", exc) from exc
                try:
                    reader.setfilter(expression)
                except (pcapy.PcapError, ValueError) as exc:
                    raise FilterError(f"bad filter expression {expression!r}: {exc}") from exc
            self.filter_expression = expression

    def _set_program(self, program: BpfProgram) -> None:
        with self._exclusive() as reader:
            try:
                libpcap.set_filter_program(reader, program.instructions)
            except libpcap.NativeUnavailable as exc:
                raise _native_unavailable("set_filter(BpfProgram)", exc) from exc
            except ValueError as exc:
                raise FilterError(f"cannot apply the filter {program.expression!r}: {exc}") from exc
            self.filter_expression = program.expression

    def compile_filter(
        self, expression: str, optimize: bool = True, netmask: int | None = None
    ) -> BpfProgram:
        """Compile a filter for this handle's link type and snapshot length, without applying it.

        ``netmask`` (an int, e.g. ``0xFFFFFF00``) is as for :meth:`set_filter`.
        """
        expression = _filter_text(expression)
        mask = DEFAULT_NETMASK if netmask is None else checks.integer("netmask", netmask, 0, checks.U32_MAX)
        self._open_reader()
        try:
            program = pcapy.compile(self.datalink, self.snapshot, expression, int(bool(optimize)), mask)
        except (pcapy.PcapError, ValueError) as exc:
            raise FilterError(f"bad filter expression {expression!r}: {exc}") from exc
        return BpfProgram(expression, program)

    def get_stats(self) -> PcapStat:
        """libpcap's counters for a live handle; for a saved capture only ``captured`` is known."""
        reader = self._open_reader()
        if not self.live:
            return PcapStat(self.captured, 0, 0, self.captured)
        with self._guard.use():
            try:
                received, dropped, ifdropped = reader.stats()
            except pcapy.PcapError as exc:
                raise _native_error(exc, self.source) from exc
        return PcapStat(received, dropped, ifdropped, self.captured)

    # --- sending and dumping ----------------------------------------------------------------------

    def send_packet(self, packet: bytes | bytearray | memoryview | PcapPacket | SupportsBytes) -> None:
        """Send one frame, link-layer header included, out of the interface (pcap_sendpacket).

        Takes bytes, a :class:`PcapPacket`, or anything with ``__bytes__`` (a dpkt packet, a frame
        from :mod:`pycapture.build`). Safe while other threads read the handle.
        """
        data = checks.frame("frame", packet)
        reader = self._open_reader()
        if not self.live:
            raise PcapNativeError(f"{self.source}: cannot send on a saved capture or a dead handle")
        with self._guard.use():
            try:
                reader.sendpacket(data)
            except pcapy.PcapError as exc:
                raise _native_error(exc, self.source) from exc

    def sender(self) -> Callable[[bytes], None]:
        """A function that sends one frame (bytes) as :meth:`send_packet` does, with no per-call checks.

        For bulk sending by the thread that owns the handle (replay): it skips the type, state and
        thread checks, so it must not be called once :meth:`close` has been. Raises
        :class:`PcapNativeError` when libpcap cannot send.
        """
        if not self.live:
            raise PcapNativeError(f"{self.source}: cannot send on a saved capture or a dead handle")
        sendpacket = self._open_reader().sendpacket
        source = self.source

        def send(data: bytes) -> None:
            try:
                sendpacket(data)
            except pcapy.PcapError as exc:
                raise _native_error(exc, source) from exc

        return send

    def dump_open(self, path: str) -> PcapDumper:
        """A :class:`PcapDumper` writing a pcap file with this handle's link type, snapshot and precision."""
        self._open_reader()
        return PcapDumper(path, file_linktype(self.datalink), self.snapshot, nanosecond=self.nanosecond)

    # --- reading --------------------------------------------------------------------------------

    def break_loop(self) -> None:
        """Stop :meth:`records`, :meth:`loop` or iteration promptly; safe from a thread or signal handler."""
        self._break = True
        self._guard.wake()

    def _wait(self, timeout: float | None) -> bool:
        """Wait until the capture descriptor is readable; False on timeout, break_loop() or close()."""
        return self._guard.wait(self._fd, timeout) and not self._break

    def _read_error(self, exc: Exception) -> PcapNativeError:
        if self.live:
            return _native_error(exc, self.source)
        if self.dead:
            return PcapNativeError(f"{self.source}: a dead handle has no packets to read")
        return CaptureFileError(f"{self.source}: {exc}")

    def _next(self) -> tuple[Reader, bytes]:
        """One pcap_next_ex under the read lock: ``(header, data)``, the header None when nothing came."""
        guard = self._guard
        guard.reading.acquire()  # acquire/release cost half what a with block does, per packet
        try:
            if guard.closing:
                raise guard.closed_error()
            guard.reader = get_ident()
            header, data = self._reader.next()
            return header, data
        except pcapy.PcapError as exc:
            raise self._read_error(exc) from exc
        finally:
            guard.reader = 0
            guard.reading.release()

    def records(self, count: int = -1) -> Iterator[Record]:
        """Yield ``(ts_sec, ts_frac, original_length, data)`` tuples: the cheap path for bulk reading.

        ``ts_frac`` is microseconds, or nanoseconds when :attr:`nanosecond` is set. Stops after
        ``count`` packets (``-1``: no limit), at the end of a saved capture, or on :meth:`break_loop`;
        raises :class:`NotOpenError` if the handle is closed meanwhile. A damaged file raises
        :class:`CaptureFileError` after the packets before the damage have been yielded. A live handle
        waits for packets, however quiet the interface.
        """
        remaining = checks.count(count)
        self._open_reader()
        return self._records(remaining, None)

    def _records(self, remaining: int, outcome: list[bool] | None) -> Iterator[Record]:
        """:meth:`records`' loop; ``outcome``, if given, gets True appended when a break or close ended it."""
        guard = self._guard
        acquire, release = guard.reading.acquire, guard.reading.release  # half a with block's cost
        nxt = self._reader.next
        live = self.live
        me = get_ident()
        try:
            while remaining:
                if self._break:  # self._honour_break(), inlined: this is the per-packet path
                    self._break = False
                    if outcome is not None:
                        outcome.append(True)
                    return
                acquire()
                try:
                    if guard.closing:
                        raise guard.closed_error()
                    guard.reader = me
                    hdr, data = nxt()
                except pcapy.PcapError as exc:
                    raise self._read_error(exc) from exc
                finally:
                    guard.reader = 0
                    release()
                if hdr is None:
                    if not live:
                        return
                    self._wait(None)
                    continue
                sec, frac = hdr.getts()
                self.captured += 1
                remaining -= 1
                yield sec, frac, hdr.getlen(), data
        finally:
            guard.leave()

    def record_batches(self, count: int = -1, size: int = 2048) -> Iterator[list[Record]]:
        """Yield lists of up to ``size`` records, as :meth:`records` yields them one by one.

        For a saved capture: a sink that takes a whole list (a summary printer) saves the per-packet
        generator step and call. A live handle yields what is there as soon as the capture waits,
        so no packet is held back. A damaged file yields the records before the damage, then raises
        :class:`CaptureFileError`. pcapy-ng's ``next_batch`` is not used: it gives no original length
        per packet, and a read error loses its whole batch.
        """
        remaining = checks.count(count)
        size = checks.integer("size", size, 1, checks.C_INT_MAX)
        self._open_reader()
        return self._record_batches(remaining, size)

    def _record_batches(self, remaining: int, size: int) -> Iterator[list[Record]]:
        guard = self._guard
        try:
            while remaining:
                if self._honour_break():
                    break
                take = size if remaining < 0 else min(size, remaining)
                with guard.reading:
                    if guard.closing:
                        raise guard.closed_error()
                    guard.reader = get_ident()
                    try:
                        batch, error = _read_records(self._reader.next, take, self._read_error)
                    finally:
                        guard.reader = 0
                self.captured += len(batch)
                if remaining > 0:
                    remaining -= len(batch)
                if batch:
                    yield batch
                if error is not None:
                    raise error
                if not batch:
                    if not self.live:
                        return
                    self._wait(None)
        finally:
            guard.leave()

    # --- a live capture written to a file without Python per packet (-w) ------------------------------------

    def set_fanout(self, group: int) -> None:
        """Join Linux's PACKET_FANOUT group ``group`` (0..65535) in hash mode: the kernel then spreads the
        interface's packets over every handle in the group, each flow to one (``--workers``).
        PcapNativeError where the platform or the handle cannot."""
        group = checks.integer("group", group, 0, 0xFFFF)
        reader = self._open_reader()
        mode = getattr(pcapy, "PACKET_FANOUT_HASH", None)
        if not self.live or mode is None:
            raise PcapNativeError(f"{self.source}: PACKET_FANOUT needs a live capture on Linux")
        with self._guard.use():
            try:
                reader.set_fanout(group, mode)
            except (pcapy.PcapError, OSError, ValueError) as exc:
                raise _native_error(exc, self.source) from exc

    def spooler(self) -> Callable[[int, int, Callable[[int, int, int], None]], int] | None:
        """For -w on a live capture: a function ``spool(fd, count, done)`` that writes the packets as they
        come, as pcap records in this machine's byte order, to the file open at descriptor ``fd``, straight
        from libpcap's callback (:mod:`pycapture.capture._spool`), until :meth:`break_loop`, :meth:`close`
        or ``count`` packets (-1: no limit); after each batch it calls ``done(packets, bytes, errno)`` (a
        failed write's errno, the file then cut back to its last whole record; ``done`` raises to stop)
        and returns how many packets it wrote. None where that cannot be: not live, no compiled spooler,
        or a libpcap ctypes cannot reach."""
        target = self._dispatch_target()
        if target is None or _spool is None:
            return None
        dispatch, pointer = target
        spool = _spool.spool

        def call(n: int, fd: int) -> tuple[int, int, tuple[int, int, int]]:
            packets, nbytes, status, error = spool(dispatch, pointer, fd, n)
            return packets, status, (packets, nbytes, error)

        def run(fd: int, count: int, done: Callable[[int, int, int], None]) -> int:
            total = 0
            for packets, nbytes, error in self._dispatch_calls(lambda n: call(n, fd), count):
                total += packets
                done(packets, nbytes, error)
            return total

        return run

    def gatherer(self) -> Callable[[int], Iterator[bytes]] | None:
        """For a printer that reads pcap records in place, on a live capture: a function ``gather(count)``
        that yields the packets as they come, each batch the kernel has ready as classic pcap records in
        one bytes object (this machine's byte order), until :meth:`break_loop`, :meth:`close` or ``count``
        packets (-1: no limit), counting them as captured. None where :meth:`spooler` is None."""
        target = self._dispatch_target()
        if target is None or _spool is None:
            return None
        dispatch, pointer = target
        gather = _spool.gather

        def call(n: int) -> tuple[int, int, tuple[bytes, int]]:
            records, packets, status, error = gather(dispatch, pointer, n)
            return packets, status, (records, error)

        def run(count: int) -> Iterator[bytes]:
            for records, error in self._dispatch_calls(call, count):
                if records:
                    yield records
                if error:
                    raise PcapNativeError(f"{self.source}: {os.strerror(error)} while gathering packets")

        return run

    def _dispatch_target(self) -> tuple[int, int] | None:
        """The addresses of pcap_dispatch and of this live handle's pcap_t, for the compiled spooler and
        gatherer; None where they cannot be: not live, no compiled extension, or a libpcap ctypes cannot
        reach."""
        if not self.live or _spool is None or self._reader is None:
            return None
        try:
            return libpcap.dispatch_address(), libpcap.pcap_pointer(self._reader, True)
        except libpcap.NativeUnavailable:
            return None

    def _dispatch_calls(
        self, call: Callable[[int], tuple[int, int, _Result]], count: int
    ) -> Iterator[_Result]:
        """Call ``call(n)`` (one pcap_dispatch for at most ``n`` packets, -1 no limit, returning ``(packets,
        status, result)``) until :meth:`break_loop`, :meth:`close` or ``count`` packets, waiting a little
        when nothing came, and yield each call's result; the packets count as captured."""
        guard = self._guard
        total = 0
        try:
            while count < 0 or total < count:
                if self._honour_break():
                    break
                with guard.reading:
                    if guard.closing:
                        raise guard.closed_error()
                    guard.reader = get_ident()
                    try:
                        packets, status, result = call(-1 if count < 0 else count - total)
                        message = libpcap.geterr(self._reader) if status == -1 else ""
                    finally:
                        guard.reader = 0
                self.captured += packets
                total += packets
                yield result
                if status == -1:
                    raise PcapNativeError(f"{self.source}: {message}")
                if status == -2:  # pcap_breakloop
                    break
                if status == 0:  # nothing yet; a bounded wait re-checks the stop request in any case
                    self._wait(_SPOOL_WAIT_S)
        finally:
            guard.leave()

    # --- a saved capture read without libpcap's per-packet call (the pump's fast paths) -----------------

    def in_place_buffers(self) -> RecordBuffers | None:
        """The file's records in buffers to read in place (:class:`~pycapture.savefile.reader.RecordBuffers`):
        for a regular classic pcap file, not standard input, with no filter, that has handed out no packet
        and has no break pending; else None (the reading goes through libpcap)."""
        if self.live or self.dead or self.source == "-" or self._reader is None:
            return None
        if self.filter_expression or self._break or self.captured:
            return None  # (a handle that has handed out packets has moved on from the first record)
        return RecordBuffers.open(self.source, self.nanosecond)

    def skip_records(self, count: int) -> None:
        """Read past ``count`` records delivered by other means (read in place), counting them as captured:
        libpcap goes on from the next one, as if it had read them."""
        nxt = self._open_reader().next
        try:
            for _ in range(count):
                nxt()
        except Exception as exc:  # pcapy.PcapError: not expected, but say it as a read would
            raise self._read_error(exc) from exc
        self.captured += count

    def chunk_reader(self) -> PcapChunkReader | None:
        """A reader of chunks for two processes taking turns over this saved capture, or None: live, dead,
        standard input, or a pcapy-ng without ``next_batch`` (which skips a chunk in one call)."""
        if self.live or self.dead or self.source == "-" or not hasattr(self._reader, "next_batch"):
            return None
        return PcapChunkReader(self._reader, self._read_error)

    def reopen(self) -> PcapHandle:
        """A second handle on this saved capture, with the same timestamp precision and filter."""
        other = open_offline(self.source, "nano" if self.nanosecond else "micro")
        if self.filter_expression:
            other.set_filter(self.filter_expression)
        return other

    def _packet(self, sec: int, frac: int, length: int, data: bytes) -> PcapPacket:
        return PcapPacket(data, sec, frac, length, self.datalink, nanosecond=self.nanosecond)

    def get_next_packet_ex(self) -> PcapPacket:
        """The next packet; raise PcapTimeoutError, PcapEOFError or PcapNativeError otherwise.

        On a live handle, waits at most the read timeout (Pcap4J's ``getNextPacketEx``), so it never
        hangs on an idle interface (a timeout of 0 waits as long as it takes, as in libpcap);
        :meth:`break_loop` ends the wait with PcapTimeoutError, :meth:`close` with NotOpenError.
        """
        guard = self._guard
        guard.reading.acquire()  # _next(), inlined: this is the per-packet path
        try:
            if guard.closing:
                raise guard.closed_error()
            guard.reader = get_ident()
            hdr, data = self._reader.next()
        except pcapy.PcapError as exc:
            raise self._read_error(exc) from exc
        finally:
            guard.reader = 0
            guard.reading.release()
        if hdr is not None:  # the common case first: a packet at once
            sec, frac = hdr.getts()
            self.captured += 1
            if guard.closing:  # closed by a signal handler on this thread during the read
                guard.leave()
            return PcapPacket(data, sec, frac, hdr.getlen(), self.datalink, nanosecond=self.nanosecond)
        try:
            return self._wait_for_packet()
        finally:
            self._guard.leave()

    def _wait_for_packet(self) -> PcapPacket:
        deadline = None
        while True:
            if not self.live:
                raise PcapEOFError(f"{self.source}: end of file")
            if self._honour_break():
                raise PcapTimeoutError(f"{self.source}: interrupted by break_loop()")
            if self.timeout_ms == 0:
                self._wait(None)
            else:
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self.timeout_ms / 1000
                if now >= deadline:
                    raise PcapTimeoutError(f"{self.source}: no packet within {self.timeout_ms} ms")
                self._wait(deadline - now)
            hdr, data = self._next()
            if hdr is not None:
                sec, frac = hdr.getts()
                self.captured += 1
                return self._packet(sec, frac, hdr.getlen(), data)

    def get_next_packet(self) -> Optional[PcapPacket]:  # noqa: UP045 - Optional reads as Pcap4J's nullable
        """The next packet, or None on timeout or end of file (use the _ex form to tell them apart)."""
        try:
            return self.get_next_packet_ex()
        except (PcapTimeoutError, PcapEOFError):
            return None

    def loop(
        self, count: int, listener: Callable[[PcapPacket], object], executor: Executor | None = None
    ) -> LoopCount:
        """Call ``listener(packet)`` for ``count`` packets (``-1``: until EOF or :meth:`break_loop`).

        With an ``executor`` each call is submitted to it instead of run in this thread (Pcap4J's
        ``loop(count, listener, executor)``); the loop does not wait for them. Returns the number of
        packets handed on, as a :class:`LoopCount` whose ``interrupted`` says whether
        :meth:`break_loop` or :meth:`close` (from any thread, or from the listener) ended it.
        """
        remaining = checks.count(count)
        call = _listener_call(listener, executor)
        self._open_reader()
        make = self._packet
        outcome: list[bool] = []
        n = 0
        try:
            for sec, frac, length, data in self._records(remaining, outcome):
                call(make(sec, frac, length, data))
                n += 1
        except NotOpenError:
            return LoopCount(n, interrupted=True)
        return LoopCount(n, interrupted=bool(outcome))

    def dispatch(
        self, count: int, listener: Callable[[PcapPacket], object], executor: Executor | None = None
    ) -> LoopCount:
        """Handle the packets available now, at most ``count`` (``-1``: all of them), like pcap_dispatch.

        A live handle waits at most one read timeout for the first packet (as long as it takes for a
        timeout of 0) and returns 0 if none came; a saved capture hands on up to ``count`` packets and
        returns 0 at its end. ``executor`` and the result are as for :meth:`loop`.
        """
        limit = checks.count(count)
        call = _listener_call(listener, executor)
        self._open_reader()
        n = 0
        waited = False
        try:
            while limit:
                if self._break:  # self._honour_break(), inlined: this is the per-packet path
                    self._break = False
                    return LoopCount(n, interrupted=True)
                hdr, data = self._next()
                if hdr is None:
                    if not self.live or n or waited:
                        break
                    waited = True
                    self._wait(self.timeout_ms / 1000 if self.timeout_ms else None)
                    continue
                sec, frac = hdr.getts()
                self.captured += 1
                call(self._packet(sec, frac, hdr.getlen(), data))
                n += 1
                limit -= 1
        except NotOpenError:
            return LoopCount(n, interrupted=True)
        finally:
            self._guard.leave()
        return LoopCount(n)

    def __iter__(self) -> Iterator[PcapPacket]:
        records = self.records()
        make = self._packet
        return (make(sec, frac, length, data) for sec, frac, length, data in records)


class PcapChunkReader:
    """Reads a saved capture in chunks, for the two processes of :mod:`pycapture.flow.parallel`.

    No lock and no count: each process reads a handle of its own and counts what it read.
    """

    def __init__(self, reader: Reader, read_error: Callable[[Exception], PcapNativeError]) -> None:
        self._next = reader.next
        self._next_batch = reader.next_batch
        self._read_error = read_error

    def read(self, size: int) -> tuple[list[Record], PcapNativeError | None]:
        """Up to ``size`` records, and the read error that ended them early (or None)."""
        return _read_records(self._next, size, self._read_error)

    def skip(self, size: int) -> int:
        """Pass over up to ``size`` records in one call; return how many; raise the read error."""
        try:
            _data, meta = self._next_batch(size)
        except Exception as exc:  # pcapy.PcapError: the damage is in the records skipped
            raise self._read_error(exc) from exc
        return len(meta) // 16  # next_batch's metadata: 16 bytes a record


def _read_records(
    nxt: Callable[[], tuple[Reader, bytes]], size: int, read_error: Callable[[Exception], PcapNativeError]
) -> tuple[list[Record], PcapNativeError | None]:
    """Up to ``size`` records from a Reader's ``next`` (fewer when no more are ready), and the read error
    that ended them early, or None: the caller raises it after handing on the records."""
    records: list[Record] = []
    append = records.append
    try:
        for _ in range(size):
            hdr, data = nxt()
            if hdr is None:
                break
            sec, frac = hdr.getts()
            append((sec, frac, hdr.getlen(), data))
    except pcapy.PcapError as exc:  # a damaged file: what came before the damage still counts
        error = read_error(exc)
        error.__cause__ = exc
        return records, error
    return records, None


def _filter_text(expression: object) -> str:
    """A filter expression as libpcap takes it: text, with no NUL (C would read only what comes before)."""
    text = checks.text("expression", expression)
    if "\0" in text:
        raise FilterError(f"bad filter expression {text!r}: a NUL character, where libpcap's text would end")
    return text


def _listener_call(
    listener: Callable[[PcapPacket], object], executor: Executor | None
) -> Callable[[PcapPacket], object]:
    listener = checks.function("listener", listener)
    if executor is None:
        return listener
    submit = getattr(executor, "submit", None)
    if not callable(submit):
        raise TypeError(f"executor must have a submit() method, not {type(executor).__name__}")
    return lambda packet: submit(listener, packet)


def open_offline(path: str, precision: TimestampPrecision | str | None = None) -> PcapHandle:
    """Open a saved capture (pcap or pcapng; ``"-"`` reads standard input).

    ``precision``: ``"micro"`` or ``"nano"`` for the timestamps' fraction; by default a file that
    records nanoseconds is read in nanoseconds (so nothing is lost) and any other in microseconds.
    """
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    path = checks.text("path", path)
    if path != "-" and not os.path.exists(path):
        raise CaptureFileError(f"{path}: No such file or directory", "check the path given to -r")
    if precision is None:
        nano = path != "-" and file_is_nanosecond(path)
    else:
        nano = _precision(precision) is TimestampPrecision.NANO
    try:
        if nano:
            try:
                reader = libpcap.open_offline_with_precision(path, nano=True)
            except libpcap.NativeUnavailable as exc:
                if precision is not None:
                    raise _native_unavailable("nanosecond timestamps", exc) from exc
                nano = False
                reader = pcapy.open_offline(path)
        else:
            reader = pcapy.open_offline(path)
    except (pcapy.PcapError, OSError) as exc:
        message = str(exc)
        text = message if message.startswith(path) else f"{path}: {message}"
        if "permission denied" in message.lower():
            raise CaptureFileError(text, "check the file's permissions") from exc
        raise CaptureFileError(text) from exc
    return PcapHandle(reader, source=path, live=False, snaplen=DEFAULT_SNAPLEN, nanosecond=nano)


def open_live(
    device: str,
    snaplen: int = DEFAULT_SNAPLEN,
    promiscuous: bool = True,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    buffer_size: int | None = None,
) -> PcapHandle:
    """Open ``device`` for live capture with create() + set_*() + activate().

    The :class:`PcapHandle.Builder` has the other knobs (immediate mode, direction, precision).
    """
    builder = PcapHandle.Builder(device).snaplen(snaplen).promiscuous(promiscuous).timeout_ms(timeout_ms)
    if buffer_size is not None:
        builder.buffer_size(buffer_size)
    return builder.build()


def open_dead(
    linktype: int, snaplen: int = DEFAULT_SNAPLEN, precision: TimestampPrecision | str = "micro"
) -> PcapHandle:
    """A handle with no source (pcap_open_dead): for compiling filters and writing capture files.

    ``linktype`` is a DLT value (``1``: Ethernet; see :func:`~pycapture.datalink_value`), ``snaplen`` 0
    or more (0: 262144, as ``tcpdump -s 0``).
    """
    linktype = checks.integer("linktype", linktype, 0, LINKTYPE_MASK)
    snaplen = checks.integer("snaplen", snaplen, 0, checks.C_INT_MAX) or DEFAULT_SNAPLEN
    nano = _precision(precision) is TimestampPrecision.NANO
    try:
        reader = libpcap.open_dead(linktype, snaplen, nano)
    except libpcap.NativeUnavailable as exc:
        raise _native_unavailable("open_dead()", exc) from exc
    return PcapHandle(
        reader, source=f"dead:{linktype}", live=False, snaplen=snaplen, nanosecond=nano, dead=True
    )
