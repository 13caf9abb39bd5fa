"""A libpcap handle on pcapy-ng: open live or offline, read, filter, count (Pcap4J's PcapHandle).

Live handles run in non-blocking mode and wait with ``select()`` on the capture descriptor. Measured
with pcapy-ng 2.1.0, a blocking read on a quiet interface never returns, whatever the timeout, and
Ctrl-C goes unseen until a packet arrives; waiting in ``select()`` returns on time and lets signals
and :meth:`PcapHandle.break_loop` through at once.
"""

from __future__ import annotations

import contextlib
import os
import select
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Optional

import pcapy

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

DEFAULT_SNAPLEN = 262144
DEFAULT_TIMEOUT_MS = 1000

# pcap_activate() results (pcap/pcap.h); pcapy-ng returns them instead of raising.
_PCAP_ERROR_NO_SUCH_DEVICE = -5
_PCAP_ERROR_RFMON_NOTSUP = -6
_PCAP_ERROR_PERM_DENIED = -8
_PCAP_ERROR_IFACE_NOT_UP = -9
_PCAP_ERROR_PROMISC_PERM_DENIED = -11
_PCAP_WARNING_PROMISC_NOTSUP = 2

Record = tuple[int, int, int, bytes]  # (ts_sec, ts_usec, original_length, data): the cheap form


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


class PcapHandle:
    """An open libpcap handle: live on an interface, or reading a saved capture.

    Read it packet by packet with :meth:`get_next_packet_ex`, by callback with :meth:`loop`, or as an
    iterator (``for packet in handle``). Closing it (or leaving its ``with`` block) frees libpcap's
    handle; any later use raises :class:`NotOpenError`.
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
    ) -> None:
        self._reader: object | None = reader
        self.source = source
        self.live = live
        self.snapshot = snaplen
        self.timeout_ms = timeout_ms
        self.warnings = warnings
        self.datalink: int = reader.datalink()  # type: ignore[attr-defined]
        self.captured = 0
        self._break = False
        self._wake_r = self._wake_w = -1
        self._fd = -1
        if live:
            reader.setnonblock(1)  # type: ignore[attr-defined]
            self._fd = reader.getfd()  # type: ignore[attr-defined]
            self._wake_r, self._wake_w = os.pipe()
            os.set_blocking(self._wake_w, False)

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

        def snaplen(self, snaplen: int) -> PcapHandle.Builder:
            self._snaplen = snaplen
            return self

        def promiscuous(self, promiscuous: bool) -> PcapHandle.Builder:
            self._promisc = promiscuous
            return self

        def timeout_ms(self, timeout_ms: int) -> PcapHandle.Builder:
            self._timeout_ms = timeout_ms
            return self

        def buffer_size(self, size_bytes: int) -> PcapHandle.Builder:
            self._buffer_size = size_bytes
            return self

        def build(self) -> PcapHandle:
            """Create and activate the handle; raise a PcapNativeError subclass that names the fix."""
            device = self._device
            try:
                reader = pcapy.create(device)
                reader.set_snaplen(self._snaplen)
                reader.set_promisc(self._promisc)
                reader.set_timeout(self._timeout_ms)
                if self._buffer_size is not None:
                    reader.set_buffer_size(self._buffer_size)
                status = reader.activate()
            except pcapy.PcapError as exc:
                raise _native_error(exc, device) from exc
            warnings: tuple[str, ...] = ()
            if status < 0:
                raise self._activate_error(status)
            if status == _PCAP_WARNING_PROMISC_NOTSUP:
                warnings = (f"{device}: promiscuous mode is not supported; capturing without it",)
            return PcapHandle(
                reader,
                source=device,
                live=True,
                snaplen=self._snaplen,
                timeout_ms=self._timeout_ms,
                warnings=warnings,
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
        return self._reader is not None

    def __enter__(self) -> PcapHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _live_reader(self) -> object:
        if self._reader is None:
            raise NotOpenError(f"{self.source}: the handle is closed")
        return self._reader

    # --- filters and statistics -------------------------------------------------------------------

    def set_filter(self, expression: str) -> None:
        """Apply a BPF filter (pcap-filter(7) syntax) in the kernel, or to the file being read."""
        try:
            self._live_reader().setfilter(expression)  # type: ignore[attr-defined]
        except pcapy.PcapError as exc:
            raise FilterError(f"bad filter expression {expression!r}: {exc}") from exc

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

    # --- reading --------------------------------------------------------------------------------

    def break_loop(self) -> None:
        """Stop :meth:`records`, :meth:`loop` or iteration promptly; safe from a thread or signal handler."""
        self._break = True
        if self._wake_w >= 0:
            with contextlib.suppress(OSError):  # a full pipe: a wake-up is already pending
                os.write(self._wake_w, b"x")

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

    def records(self, count: int = -1) -> Iterator[Record]:
        """Yield ``(ts_sec, ts_usec, original_length, data)`` tuples: the cheap path for bulk reading.

        Stops after ``count`` packets (``-1``: no limit), at the end of a saved capture, or on
        :meth:`break_loop`. A damaged file raises :class:`CaptureFileError` after the packets before
        the damage have been yielded. A live handle waits for packets, however quiet the interface.
        """
        reader = self._live_reader()
        nxt = reader.next  # type: ignore[attr-defined]
        self._break = False
        remaining = count if count > 0 else -1
        live = self.live
        while remaining and not self._break:
            try:
                hdr, data = nxt()
            except pcapy.PcapError as exc:
                raise (CaptureFileError(f"{self.source}: {exc}") if not live else _native_error(exc)) from exc
            if hdr is None:
                if not live:
                    return
                self._wait(None)
                continue
            sec, usec = hdr.getts()
            self.captured += 1
            remaining -= 1
            yield sec, usec, hdr.getlen(), data

    def get_next_packet_ex(self) -> PcapPacket:
        """The next packet; raise PcapTimeoutError, PcapEOFError or PcapNativeError otherwise.

        On a live handle, waits at most the read timeout (Pcap4J's ``getNextPacketEx``), so it
        never hangs on an idle interface.
        """
        reader = self._live_reader()
        deadline = None
        while True:
            try:
                hdr, data = reader.next()  # type: ignore[attr-defined]
            except pcapy.PcapError as exc:
                if self.live:
                    raise _native_error(exc, self.source) from exc
                raise CaptureFileError(f"{self.source}: {exc}") from exc
            if hdr is not None:
                sec, usec = hdr.getts()
                self.captured += 1
                return PcapPacket(data, sec, usec, hdr.getlen(), self.datalink)
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
        """The next packet, or None on timeout or end of file."""
        try:
            return self.get_next_packet_ex()
        except (PcapTimeoutError, PcapEOFError):
            return None

    def loop(self, count: int, listener: Callable[[PcapPacket], object]) -> int:
        """Call ``listener(packet)`` for ``count`` packets (``-1``: until EOF or :meth:`break_loop`)."""
        n = 0
        linktype = self.datalink
        for sec, usec, length, data in self.records(count):
            listener(PcapPacket(data, sec, usec, length, linktype))
            n += 1
        return n

    def __iter__(self) -> Iterator[PcapPacket]:
        linktype = self.datalink
        for sec, usec, length, data in self.records():
            yield PcapPacket(data, sec, usec, length, linktype)


def open_offline(path: str) -> PcapHandle:
    """Open a saved capture (pcap or pcapng; ``"-"`` reads standard input)."""
    if path != "-" and not os.path.exists(path):
        raise CaptureFileError(f"{path}: No such file or directory", "check the path given to -r")
    try:
        reader = pcapy.open_offline(path)
    except pcapy.PcapError as exc:
        message = str(exc)
        if "permission denied" in message.lower():
            raise CaptureFileError(f"{path}: {message}", "check the file's permissions") from exc
        raise CaptureFileError(f"{path}: {message}") from exc
    return PcapHandle(reader, source=path, live=False, snaplen=DEFAULT_SNAPLEN)


def open_live(
    device: str,
    snaplen: int = DEFAULT_SNAPLEN,
    promiscuous: bool = True,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    buffer_size: int | None = None,
) -> PcapHandle:
    """Open ``device`` for live capture with create() + set_*() + activate()."""
    builder = PcapHandle.Builder(device).snaplen(snaplen).promiscuous(promiscuous).timeout_ms(timeout_ms)
    if buffer_size is not None:
        builder.buffer_size(buffer_size)
    return builder.build()
