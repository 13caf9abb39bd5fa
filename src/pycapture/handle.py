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
import select
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, SupportsBytes

from . import libpcap
from ._pcapy import pcapy
from .errors import (
    CaptureFileError,
    CapturePermissionError,
    FilterError,
    NoSuchDeviceError,
    NotOpenError,
    PcapEOFError,
    PcapNativeError,
    PcapTimeoutError,
)
from .packet import PcapPacket
from .pcapfile import PcapDumper, file_is_nanosecond

if TYPE_CHECKING:
    from concurrent.futures import Executor

DEFAULT_SNAPLEN = 262144
DEFAULT_TIMEOUT_MS = 1000

# pcap_activate() results (pcap/pcap.h); pcapy-ng returns them instead of raising.
_PCAP_ERROR_NO_SUCH_DEVICE = -5
_PCAP_ERROR_RFMON_NOTSUP = -6
_PCAP_ERROR_PERM_DENIED = -8
_PCAP_ERROR_IFACE_NOT_UP = -9
_PCAP_ERROR_PROMISC_PERM_DENIED = -11
_PCAP_WARNING_PROMISC_NOTSUP = 2

Record = tuple[int, int, int, bytes]  # (ts_sec, ts_frac, original_length, data): the cheap form


@dataclass(frozen=True)
class PcapStat:
    """Capture statistics (Pcap4J's PcapStat): libpcap's counters plus what this handle delivered."""

    received: int  # ps_recv: packets that reached the filter
    dropped: int  # ps_drop: dropped by the kernel for lack of buffer space
    dropped_by_if: int  # ps_ifdrop: dropped by the interface or its driver
    captured: int  # packets this handle handed to the caller


def _native_error(exc: pcapy.PcapError, device: str = "") -> PcapNativeError:
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


def _native_unavailable(what: str, exc: Exception) -> NotImplementedError:
    return NotImplementedError(f"{what} needs libpcap calls that pcapy-ng does not expose, and {exc}")


class BpfProgram:
    """A compiled BPF filter (Pcap4J's ``BpfProgram``): test packets against it without a capture."""

    def __init__(self, expression: str, program: object) -> None:
        self.expression = expression
        self._program = program

    def matches(self, packet: bytes | PcapPacket) -> bool:
        """Whether the filter accepts this frame (raw bytes of the handle's link type, or a packet)."""
        data = packet.raw if isinstance(packet, PcapPacket) else bytes(packet)
        return self._program.filter(data) != 0  # type: ignore[attr-defined]

    @property
    def instructions(self) -> list[tuple[int, int, int, int]]:
        """The BPF instructions as ``(code, jt, jf, k)`` tuples, as ``tcpdump -dd`` prints them."""
        return list(self._program.get_bpf())  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"BpfProgram({self.expression!r}, {len(self.instructions)} instructions)"


class PcapHandle:
    """An open libpcap handle: live on an interface, reading a saved capture, or dead (no source).

    Read it packet by packet with :meth:`get_next_packet_ex`, by callback with :meth:`loop` or
    :meth:`dispatch`, or as an iterator (``for packet in handle``). Closing it (or leaving its
    ``with`` block) frees libpcap's handle; any later use raises :class:`NotOpenError`.
    """

    def __init__(
        self,
        reader: object,
        *,
        source: str,
        live: bool,
        snaplen: int,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        warnings: tuple[str, ...] = (),
        nanosecond: bool = False,
        dead: bool = False,
    ) -> None:
        self._reader: object | None = reader
        self.source = source
        self.live = live
        self.dead = dead
        self.snapshot = snaplen
        self.timeout_ms = timeout_ms
        self.warnings = warnings
        self.nanosecond = nanosecond
        self.datalink: int = reader.datalink()  # type: ignore[attr-defined]
        self.captured = 0
        self.filter_expression: str | None = None  # the last filter set, for a second reader of the file
        self._break = False
        self._wake_r = self._wake_w = -1
        self._fd = -1
        if live:
            reader.setnonblock(1)  # type: ignore[attr-defined]
            self._fd = reader.getfd()  # type: ignore[attr-defined]
            self._wake_r, self._wake_w = os.pipe()
            os.set_blocking(self._wake_w, False)

    def __repr__(self) -> str:
        kind = "live" if self.live else "dead" if self.dead else "offline"
        state = "open" if self.is_open else "closed"
        return f"<PcapHandle {kind} {self.source!r} linktype={self.datalink} {state}>"

    # --- life cycle -----------------------------------------------------------------------------

    class Builder:
        """Build a live handle step by step (Pcap4J's ``PcapHandle.Builder``).

        ``PcapHandle.Builder("eth0").snaplen(65536).promiscuous(True).timeout_ms(10).build()``
        """

        def __init__(self, device: str) -> None:
            self._device = device
            self._snaplen = DEFAULT_SNAPLEN
            self._promisc = True
            self._timeout_ms = DEFAULT_TIMEOUT_MS
            self._buffer_size: int | None = None
            self._immediate: bool | None = None
            self._direction: Direction | None = None
            self._precision = TimestampPrecision.MICRO

        def snaplen(self, snaplen: int) -> PcapHandle.Builder:
            """Bytes kept of each packet (default 262144, tcpdump's)."""
            self._snaplen = snaplen
            return self

        def promiscuous(self, promiscuous: bool) -> PcapHandle.Builder:
            """Capture frames addressed to other hosts too (default True)."""
            self._promisc = promiscuous
            return self

        def timeout_ms(self, timeout_ms: int) -> PcapHandle.Builder:
            """The read timeout: how long libpcap may hold packets back to deliver them together."""
            self._timeout_ms = timeout_ms
            return self

        def buffer_size(self, size_bytes: int) -> PcapHandle.Builder:
            """The kernel buffer size in bytes (libpcap's default is 2 MiB)."""
            self._buffer_size = size_bytes
            return self

        def immediate(self, immediate: bool = True) -> PcapHandle.Builder:
            """Deliver each packet at once instead of buffering them (pcap_set_immediate_mode)."""
            self._immediate = immediate
            return self

        def direction(self, direction: Direction | str) -> PcapHandle.Builder:
            """Capture only incoming (``IN``), outgoing (``OUT``) or both (``INOUT``, the default)."""
            if isinstance(direction, Direction):
                self._direction = direction
                return self
            try:
                self._direction = Direction[str(direction).upper()]
            except KeyError:
                raise ValueError(f"direction must be 'in', 'out' or 'inout', not {direction!r}") from None
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
                    reader.setdirection(int(self._direction))
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
        """Close the handle; closing twice is harmless."""
        reader, self._reader = self._reader, None
        if reader is None:
            return
        with contextlib.suppress(pcapy.PcapError):
            reader.close()  # type: ignore[attr-defined]
        for fd in (self._wake_r, self._wake_w):
            if fd >= 0:
                os.close(fd)
        self._wake_r = self._wake_w = -1

    @property
    def is_open(self) -> bool:
        """False once :meth:`close` has run."""
        return self._reader is not None

    @property
    def timestamp_precision(self) -> TimestampPrecision:
        """``NANO`` when the packets' timestamps carry nanoseconds, else ``MICRO``."""
        return TimestampPrecision.NANO if self.nanosecond else TimestampPrecision.MICRO

    def __enter__(self) -> PcapHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _live_reader(self) -> object:
        if self._reader is None:
            raise NotOpenError(f"{self.source}: the handle is closed")
        return self._reader

    # --- link types, filters, statistics ----------------------------------------------------------

    def list_datalinks(self) -> list[int]:
        """The link types the device can deliver (pcap_list_datalinks), e.g. ``[113, 276]`` for ``any``."""
        reader = self._live_reader()
        try:
            return libpcap.list_datalinks(reader)
        except libpcap.NativeUnavailable as exc:
            raise _native_unavailable("list_datalinks()", exc) from exc
        except OSError as exc:
            raise PcapNativeError(f"{self.source}: {exc}") from exc

    def set_datalink(self, linktype: int) -> None:
        """Switch the device to another of :meth:`list_datalinks` (pcap_set_datalink)."""
        reader = self._live_reader()
        try:
            libpcap.set_datalink(reader, linktype)
        except libpcap.NativeUnavailable as exc:
            raise _native_unavailable("set_datalink()", exc) from exc
        except OSError as exc:
            raise PcapNativeError(f"{self.source}: {exc}") from exc
        self.datalink = reader.datalink()  # type: ignore[attr-defined]

    def set_filter(self, expression: str, optimize: bool = True) -> None:
        """Apply a BPF filter (pcap-filter(7) syntax) in the kernel, or to the file being read."""
        reader = self._live_reader()
        try:
            if optimize:
                reader.setfilter(expression)  # type: ignore[attr-defined]
            else:
                libpcap.set_filter(reader, expression, optimize=False)
        except (pcapy.PcapError, ValueError) as exc:
            raise FilterError(f"bad filter expression {expression!r}: {exc}") from exc
        except libpcap.NativeUnavailable as exc:
            raise _native_unavailable("a filter without the optimizer", exc) from exc
        self.filter_expression = expression

    def compile_filter(self, expression: str, optimize: bool = True, netmask: int = 0xFFFFFFFF) -> BpfProgram:
        """Compile a filter for this handle's link type and snapshot length, without applying it."""
        self._live_reader()
        try:
            program = pcapy.compile(self.datalink, self.snapshot, expression, int(optimize), netmask)
        except pcapy.PcapError as exc:
            raise FilterError(f"bad filter expression {expression!r}: {exc}") from exc
        return BpfProgram(expression, program)

    def get_stats(self) -> PcapStat:
        """libpcap's counters for a live handle; for a saved capture only ``captured`` is known."""
        reader = self._live_reader()
        if not self.live:
            return PcapStat(self.captured, 0, 0, self.captured)
        try:
            received, dropped, ifdropped = reader.stats()  # type: ignore[attr-defined]
        except pcapy.PcapError as exc:
            raise _native_error(exc, self.source) from exc
        return PcapStat(received, dropped, ifdropped, self.captured)

    # --- sending and dumping ----------------------------------------------------------------------

    def send_packet(self, packet: bytes | bytearray | memoryview | PcapPacket | SupportsBytes) -> None:
        """Send one frame, link-layer header included, out of the interface (pcap_sendpacket).

        Takes bytes, a :class:`PcapPacket`, or anything with ``__bytes__`` (a dpkt packet, a frame
        from :mod:`pycapture.build`).
        """
        reader = self._live_reader()
        data = packet.raw if isinstance(packet, PcapPacket) else bytes(packet)
        if not self.live:
            raise PcapNativeError(f"{self.source}: cannot send on a saved capture or a dead handle")
        try:
            reader.sendpacket(data)  # type: ignore[attr-defined]
        except pcapy.PcapError as exc:
            raise _native_error(exc, self.source) from exc

    def sender(self) -> Callable[[bytes], None]:
        """A function that sends one frame (bytes) as :meth:`send_packet` does, with no per-call checks.

        For bulk sending (replay): it skips the type and state checks, so it is only valid while the
        handle is open. Raises :class:`PcapNativeError` when libpcap cannot send.
        """
        if not self.live:
            raise PcapNativeError(f"{self.source}: cannot send on a saved capture or a dead handle")
        sendpacket = self._live_reader().sendpacket  # type: ignore[attr-defined]
        source = self.source

        def send(data: bytes) -> None:
            try:
                sendpacket(data)
            except pcapy.PcapError as exc:
                raise _native_error(exc, source) from exc

        return send

    def dump_open(self, path: str) -> PcapDumper:
        """A :class:`PcapDumper` writing a pcap file with this handle's link type, snapshot and precision."""
        self._live_reader()
        return PcapDumper(path, self.datalink, self.snapshot, nanosecond=self.nanosecond)

    # --- reading --------------------------------------------------------------------------------

    def break_loop(self) -> None:
        """Stop :meth:`records`, :meth:`loop` or iteration promptly; safe from a thread or signal handler."""
        self._break = True
        if self._wake_w >= 0:
            with contextlib.suppress(OSError):  # a full pipe: a wake-up is already pending
                os.write(self._wake_w, b"x")

    @property
    def break_requested(self) -> bool:
        """True after :meth:`break_loop` until a read honours it.

        As with libpcap's ``pcap_breakloop``: a request made before a loop starts ends that loop at once,
        and the loop, iteration, :meth:`dispatch` or :meth:`get_next_packet_ex` that honours it clears
        it, so the next read goes on normally.
        """
        return self._break

    def _wait(self, timeout: float | None) -> bool:
        """Wait until the capture descriptor is readable; False on timeout or break_loop()."""
        try:
            ready, _, _ = select.select([self._fd, self._wake_r], [], [], timeout)
        except InterruptedError:  # pragma: no cover - Python retries select itself (PEP 475)
            return False
        if self._wake_r in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(self._wake_r, 512)
        return self._fd in ready and not self._break

    def _read_error(self, exc: pcapy.PcapError) -> PcapNativeError:
        if self.live:
            return _native_error(exc, self.source)
        if self.dead:
            return PcapNativeError(f"{self.source}: a dead handle has no packets to read")
        return CaptureFileError(f"{self.source}: {exc}")

    def records(self, count: int = -1) -> Iterator[Record]:
        """Yield ``(ts_sec, ts_frac, original_length, data)`` tuples: the cheap path for bulk reading.

        ``ts_frac`` is microseconds, or nanoseconds when :attr:`nanosecond` is set. Stops after
        ``count`` packets (``-1``: no limit), at the end of a saved capture, or on :meth:`break_loop`.
        A damaged file raises :class:`CaptureFileError` after the packets before the damage have been
        yielded. A live handle waits for packets, however quiet the interface.
        """
        reader = self._live_reader()
        nxt = reader.next  # type: ignore[attr-defined]
        remaining = count if count > 0 else -1
        live = self.live
        while remaining:
            if self._break:  # as pcap_breakloop: a request made before the loop counts,
                self._break = False  # and the loop that honours it clears it
                break
            try:
                hdr, data = nxt()
            except pcapy.PcapError as exc:
                raise self._read_error(exc) from exc
            if hdr is None:
                if not live:
                    return
                self._wait(None)
                continue
            sec, frac = hdr.getts()
            self.captured += 1
            remaining -= 1
            yield sec, frac, hdr.getlen(), data

    def record_batches(self, count: int = -1, size: int = 2048) -> Iterator[list[Record]]:
        """Yield lists of up to ``size`` records, as :meth:`records` yields them one by one.

        For a saved capture: a sink that takes a whole list (a summary printer) saves the per-packet
        generator step and call. A live handle yields what is there as soon as the capture waits,
        so no packet is held back. A damaged file yields the records before the damage, then raises
        :class:`CaptureFileError`. pcapy-ng's ``next_batch`` is not used: it gives no original length
        per packet, and a read error loses its whole batch.
        """
        reader = self._live_reader()
        nxt = reader.next  # type: ignore[attr-defined]
        remaining = count if count > 0 else -1
        live = self.live
        while remaining:
            if self._break:  # as pcap_breakloop: a request made before the loop counts,
                self._break = False  # and the loop that honours it clears it
                break
            batch: list[Record] = []
            append = batch.append
            take = size if remaining < 0 else min(size, remaining)
            try:
                while take:
                    hdr, data = nxt()
                    if hdr is None:
                        break
                    sec, frac = hdr.getts()
                    append((sec, frac, hdr.getlen(), data))
                    take -= 1
            except pcapy.PcapError as exc:
                self.captured += len(batch)
                if batch:
                    yield batch
                raise self._read_error(exc) from exc
            self.captured += len(batch)
            if remaining > 0:
                remaining -= len(batch)
            if batch:
                yield batch
            elif not live:
                return
            else:
                self._wait(None)

    def _packet(self, sec: int, frac: int, length: int, data: bytes) -> PcapPacket:
        return PcapPacket(data, sec, frac, length, self.datalink, nanosecond=self.nanosecond)

    def get_next_packet_ex(self) -> PcapPacket:
        """The next packet; raise PcapTimeoutError, PcapEOFError or PcapNativeError otherwise.

        On a live handle, waits at most the read timeout (Pcap4J's ``getNextPacketEx``), so it
        never hangs on an idle interface; :meth:`break_loop` ends the wait with PcapTimeoutError.
        """
        reader = self._live_reader()
        deadline = None
        while True:
            try:
                hdr, data = reader.next()  # type: ignore[attr-defined]
            except pcapy.PcapError as exc:
                raise self._read_error(exc) from exc
            if hdr is not None:
                sec, frac = hdr.getts()
                self.captured += 1
                return self._packet(sec, frac, hdr.getlen(), data)
            if not self.live:
                raise PcapEOFError(f"{self.source}: end of file")
            if self._break:
                self._break = False
                raise PcapTimeoutError(f"{self.source}: interrupted by break_loop()")
            now = time.monotonic()
            if deadline is None:
                deadline = now + max(self.timeout_ms, 1) / 1000
            if now >= deadline:
                raise PcapTimeoutError(f"{self.source}: no packet within {self.timeout_ms} ms")
            self._wait(deadline - now)

    def get_next_packet(self) -> Optional[PcapPacket]:  # noqa: UP045 - Optional reads as Pcap4J's nullable
        """The next packet, or None on timeout or end of file (use the _ex form to tell them apart)."""
        try:
            return self.get_next_packet_ex()
        except (PcapTimeoutError, PcapEOFError):
            return None

    def loop(
        self, count: int, listener: Callable[[PcapPacket], object], executor: Executor | None = None
    ) -> int:
        """Call ``listener(packet)`` for ``count`` packets (``-1``: until EOF or :meth:`break_loop`).

        With an ``executor`` each call is submitted to it instead of run in this thread (Pcap4J's
        ``loop(count, listener, executor)``); the loop does not wait for them. Returns the number of
        packets handed on.
        """
        n = 0
        make = self._packet
        call = listener if executor is None else (lambda packet: executor.submit(listener, packet))
        for sec, frac, length, data in self.records(count):
            call(make(sec, frac, length, data))
            n += 1
        return n

    def dispatch(self, count: int, listener: Callable[[PcapPacket], object]) -> int:
        """Handle the packets available now, at most ``count`` (``-1``: all of them), like pcap_dispatch.

        A live handle waits at most one read timeout for the first packet and returns 0 if none
        came; a saved capture hands on up to ``count`` packets and returns 0 at its end.
        """
        reader = self._live_reader()
        limit = count if count > 0 else -1
        n = 0
        waited = False
        while limit:
            if self._break:  # as pcap_breakloop: a request made before the loop counts,
                self._break = False  # and the loop that honours it clears it
                break
            try:
                hdr, data = reader.next()  # type: ignore[attr-defined]
            except pcapy.PcapError as exc:
                raise self._read_error(exc) from exc
            if hdr is None:
                if not self.live or n or waited:
                    break
                waited = True
                self._wait(max(self.timeout_ms, 1) / 1000)
                continue
            sec, frac = hdr.getts()
            self.captured += 1
            listener(self._packet(sec, frac, hdr.getlen(), data))
            n += 1
            limit -= 1
        return n

    def __iter__(self) -> Iterator[PcapPacket]:
        make = self._packet
        for sec, frac, length, data in self.records():
            yield make(sec, frac, length, data)


def open_offline(path: str, precision: TimestampPrecision | str | None = None) -> PcapHandle:
    """Open a saved capture (pcap or pcapng; ``"-"`` reads standard input).

    ``precision``: ``"micro"`` or ``"nano"`` for the timestamps' fraction; by default a file that
    records nanoseconds is read in nanoseconds (so nothing is lost) and any other in microseconds.
    """
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
    snaplen = libpcap.snapshot(reader) or DEFAULT_SNAPLEN
    return PcapHandle(reader, source=path, live=False, snaplen=snaplen, nanosecond=nano)


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
    """A handle with no source (pcap_open_dead): for compiling filters and writing capture files."""
    nano = _precision(precision) is TimestampPrecision.NANO
    try:
        reader = libpcap.open_dead(linktype, snaplen, nano)
    except libpcap.NativeUnavailable as exc:
        raise _native_unavailable("open_dead()", exc) from exc
    return PcapHandle(
        reader, source=f"dead:{linktype}", live=False, snaplen=snaplen, nanosecond=nano, dead=True
    )
