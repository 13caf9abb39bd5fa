"""The scapy backend: libpcap (Npcap or WinPcap on Windows) through scapy's ctypes bindings.

scapy loads the capture library itself (``conf.use_pcap``; on Windows from ``System32\\Npcap`` first), so
this backend needs no compiled extension: it works where pcapy-ng has no wheel. Packets are read with
``pcap_next_ex`` so that timestamps, lengths and errors are exactly libpcap's.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from typing import Any

from ... import checks
from ...checks import U32_MAX  # scapy's pcap_pkthdr has a signed len: libpcap's is unsigned
from ...errors import (
    BackendUnavailableError,
    CaptureFileError,
    CapturePermissionError,
    FilterError,
    NoSuchDeviceError,
    NotOpenError,
    PcapNativeError,
)
from ...packet import Record
from ...savefile.reader import file_is_nanosecond
from ..guard import HandleGuard
from ..handle import DEFAULT_NETMASK, DEFAULT_SNAPLEN, PcapStat
from ..source import BaseHandle
from . import LiveSettings

_PCAP_ERROR_NO_SUCH_DEVICE = -5
_PCAP_ERROR_PERM_DENIED = -8
_PCAP_ERROR_PROMISC_PERM_DENIED = -11
_PCAP_WARNING = 0
_PCAP_TSTAMP_PRECISION_NANO = 1
_DIRECTIONS = {"inout": 0, "in": 1, "out": 2}


def _winpcapy() -> Any:
    """scapy's libpcap bindings, loaded through scapy's own switch; BackendUnavailableError if they fail."""
    try:
        from scapy.config import conf

        conf.use_pcap = True
        if not conf.use_pcap:  # scapy turns it off again when the library does not load
            raise OSError("scapy could not load libpcap/Npcap")
        from scapy.libs import winpcapy
    except (ImportError, OSError) as exc:
        raise BackendUnavailableError(
            f"scapy's libpcap provider cannot load: {exc}",
            "install libpcap (Linux) or Npcap (Windows), or use --backend file to read saved captures",
        ) from exc
    return winpcapy


def require() -> None:
    """Raise BackendUnavailableError unless scapy loads libpcap (or Npcap)."""
    _winpcapy()


def _optional(lib: Any, name: str, argtypes: tuple, restype: Any) -> Any:
    """A libpcap function scapy does not bind, from the very library scapy loaded; None if absent."""
    fn = getattr(lib._lib, name, None)
    if fn is not None:
        fn.argtypes = argtypes
        fn.restype = restype
    return fn


def _text(raw: bytes | None) -> str:
    return (raw or b"").decode("utf-8", "replace").strip("\x00").strip()


class ScapyHandle(BaseHandle):
    """A libpcap handle opened through scapy's bindings, with pycapture's handle interface."""

    def __init__(
        self,
        lib: Any,
        pcap: Any,
        *,
        source: str,
        live: bool,
        nanosecond: bool,
        timeout_ms: int = 1000,
        warnings: tuple[str, ...] = (),
    ) -> None:
        super().__init__(
            source=source,
            live=live,
            datalink=lib.pcap_datalink(pcap),
            snapshot=lib.pcap_snapshot(pcap) or DEFAULT_SNAPLEN,
            nanosecond=nanosecond,
            warnings=warnings,
        )
        self._lib = lib
        self._pcap = pcap
        self.timeout_ms = timeout_ms
        self._fd = -1
        selectable = live and hasattr(lib, "pcap_get_selectable_fd")
        self._guard = HandleGuard(self, source, self._free, wakeable=selectable)
        if selectable:
            errbuf = ctypes.create_string_buffer(lib.PCAP_ERRBUF_SIZE)
            lib.pcap_setnonblock(pcap, 1, errbuf)
            self._fd = lib.pcap_get_selectable_fd(pcap)

    def __repr__(self) -> str:
        return f"<ScapyHandle {'live' if self.live else 'offline'} {self.source!r} linktype={self.datalink}>"

    def _handle(self) -> Any:
        if self._pcap is None or self._guard.closing:
            raise NotOpenError(f"{self.source}: the handle is closed")
        return self._pcap

    def _error(self) -> str:
        return _text(self._lib.pcap_geterr(self._handle()))

    def set_filter(self, expression: str) -> None:
        """Compile the expression with libpcap and apply it (in the kernel when live)."""
        lib, pcap = self._lib, self._handle()
        program = lib.bpf_program()
        with self._guard.reading:  # no read may use the old program while it is replaced
            if self._guard.closing:
                raise self._guard.closed_error()
            if lib.pcap_compile(pcap, ctypes.byref(program), expression.encode(), 1, DEFAULT_NETMASK):
                raise FilterError(f"bad filter expression {expression!r}: {self._error()}")
            try:
                if lib.pcap_setfilter(pcap, ctypes.byref(program)) != 0:
                    raise FilterError(f"bad filter expression {expression!r}: {self._error()}")
            finally:
                lib.pcap_freecode(ctypes.byref(program))

    def break_loop(self) -> None:
        """Stop :meth:`records` promptly; safe from a thread or a signal handler."""
        self._break = True
        self._guard.wake()

    def _wait(self) -> None:
        if self._fd < 0:
            return  # Windows: pcap_next_ex itself waits up to the read timeout
        self._guard.wait(self._fd, None)

    def records(self, count: int = -1) -> Iterator[Record]:
        """Yield ``(ts_sec, ts_frac, original_length, data)`` until ``count``, the end or a break."""
        lib, pcap = self._lib, self._handle()
        next_ex = lib.pcap_next_ex
        header = ctypes.POINTER(lib.pcap_pkthdr)()
        data = ctypes.POINTER(ctypes.c_ubyte)()
        string_at = ctypes.string_at
        remaining = checks.count(count)
        guard = self._guard
        try:
            while remaining:
                if self._break:  # self._honour_break(), inlined: this is the per-packet path
                    self._break = False
                    break
                with guard.reading:  # ctypes lets go of the GIL: close() must wait for this read
                    if guard.closing:
                        raise guard.closed_error()
                    status = next_ex(pcap, ctypes.byref(header), ctypes.byref(data))
                    if status == 1:
                        hdr = header.contents
                        record = hdr.ts.tv_sec, hdr.ts.tv_usec, hdr.len & U32_MAX, string_at(data, hdr.caplen)
                    elif status not in (0, -2):
                        message = self._error()
                if status == 1:
                    self.captured += 1
                    remaining -= 1
                    yield record
                elif status == 0:
                    self._wait()
                elif status == -2:  # end of a saved capture, or pcap_breakloop
                    return
                elif self.live:
                    raise PcapNativeError(f"{self.source}: {message}")
                else:
                    raise CaptureFileError(f"{self.source}: {message}")
        finally:
            guard.leave()

    def get_stats(self) -> PcapStat:
        """libpcap's counters for a live capture; for a file only ``captured`` is known."""
        pcap = self._handle()
        if not self.live:
            return PcapStat(self.captured, 0, 0, self.captured)
        stat = self._lib.pcap_stat()
        with self._guard.use():
            if self._lib.pcap_stats(pcap, ctypes.byref(stat)) != 0:
                raise PcapNativeError(f"{self.source}: {self._error()}")
        return PcapStat(stat.ps_recv, stat.ps_drop, stat.ps_ifdrop, self.captured)

    def close(self) -> None:
        """Close the libpcap handle, from any thread (see :mod:`pycapture.guard`); twice is harmless."""
        self._guard.close()

    def _free(self) -> None:
        pcap, self._pcap = self._pcap, None
        if pcap is not None:
            self._lib.pcap_close(pcap)


def open_offline(path: str, precision: str | None = None) -> ScapyHandle:
    """A saved capture read by libpcap through scapy's bindings."""
    lib = _winpcapy()
    if path != "-" and not os.path.exists(path):
        raise CaptureFileError(f"{path}: No such file or directory", "check the path given to -r")
    nano = (path != "-" and file_is_nanosecond(path)) if precision is None else precision == "nano"
    errbuf = ctypes.create_string_buffer(lib.PCAP_ERRBUF_SIZE)
    opener = _optional(
        lib,
        "pcap_open_offline_with_tstamp_precision",
        (ctypes.c_char_p, ctypes.c_uint, ctypes.c_char_p),
        ctypes.POINTER(lib.pcap_t),
    )
    if opener is not None:
        pcap = opener(os.fsencode(path), _PCAP_TSTAMP_PRECISION_NANO if nano else 0, errbuf)
    else:
        nano = False
        pcap = lib.pcap_open_offline(os.fsencode(path), errbuf)
    if not pcap:
        message = _text(errbuf.value)
        text = message if message.startswith(path) else f"{path}: {message}"
        raise CaptureFileError(text)
    return ScapyHandle(lib, pcap, source=path, live=False, nanosecond=nano)


def _activate_error(lib: Any, pcap: Any, device: str, status: int) -> PcapNativeError:
    detail = _text(lib.pcap_geterr(pcap)) or _text(lib.pcap_statustostr(status))
    if status == _PCAP_ERROR_NO_SUCH_DEVICE:
        return NoSuchDeviceError(f"{device}: No such device exists ({detail})")
    if status in (_PCAP_ERROR_PERM_DENIED, _PCAP_ERROR_PROMISC_PERM_DENIED):
        return CapturePermissionError(
            f"{device}: You don't have permission to perform this capture on that device ({detail})"
        )
    return PcapNativeError(f"{device}: {detail}")


def open_live(device: str, settings: LiveSettings) -> ScapyHandle:
    """A live capture with pcap_create/pcap_activate through scapy's bindings."""
    lib = _winpcapy()
    errbuf = ctypes.create_string_buffer(lib.PCAP_ERRBUF_SIZE)
    pcap = lib.pcap_create(device.encode(), errbuf)
    if not pcap:
        raise PcapNativeError(f"{device}: {_text(errbuf.value)}")
    nano = settings.precision == "nano"
    try:
        lib.pcap_set_snaplen(pcap, settings.snaplen)
        lib.pcap_set_promisc(pcap, int(settings.promiscuous))
        lib.pcap_set_timeout(pcap, settings.timeout_ms)
        if settings.buffer_size:
            lib.pcap_set_buffer_size(pcap, settings.buffer_size)
        ptr = ctypes.POINTER(lib.pcap_t)
        if settings.immediate:
            fn = _optional(lib, "pcap_set_immediate_mode", (ptr, ctypes.c_int), ctypes.c_int)
            if fn is None or fn(pcap, 1) != 0:
                raise PcapNativeError(f"{device}: this libpcap cannot set immediate mode")
        if nano:
            fn = _optional(lib, "pcap_set_tstamp_precision", (ptr, ctypes.c_int), ctypes.c_int)
            if fn is None or fn(pcap, _PCAP_TSTAMP_PRECISION_NANO) != 0:
                raise PcapNativeError(f"{device}: this device cannot give nanosecond timestamps")
        status = lib.pcap_activate(pcap)
        if status < 0:
            raise _activate_error(lib, pcap, device, status)
        warnings: tuple[str, ...] = ()
        if status > _PCAP_WARNING:
            warnings = (f"{device}: {_text(lib.pcap_statustostr(status))}",)
        if settings.direction:
            fn = _optional(lib, "pcap_setdirection", (ptr, ctypes.c_int), ctypes.c_int)
            if fn is None or fn(pcap, _DIRECTIONS[settings.direction.lower()]) != 0:
                raise PcapNativeError(f"{device}: cannot set the direction")
    except BaseException:
        lib.pcap_close(pcap)
        raise
    return ScapyHandle(
        lib,
        pcap,
        source=device,
        live=True,
        nanosecond=nano,
        timeout_ms=settings.timeout_ms,
        warnings=warnings,
    )


__all__ = ["ScapyHandle", "open_live", "open_offline"]
