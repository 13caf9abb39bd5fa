"""Capture backends behind one interface: pcapy-ng, scapy's libpcap provider, and a pure-Python file reader.

``pcapy`` (the default) is pcapy-ng's C extension on libpcap, Npcap or WinPcap. ``scapy`` reaches the same
libpcap through scapy's ctypes bindings (``conf.use_pcap``), so it needs no compiled extension. ``file``
reads pcap and pcapng files with dpkt alone, where no libpcap loads at all; it cannot capture live nor
apply filter expressions. ``auto`` tries them in that order and says on stderr which one it settled on
when it is not the first.

Every backend hands the CLI the same kind of handle (:class:`~pycapture.capture.source.CaptureSource`):
the read loop, the sinks and the statistics never know which one is underneath.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from ...errors import BackendUnavailableError, CaptureFileError, PcapError
from ...savefile.format import MAXIMUM_SNAPLEN
from .. import libpcap
from ..source import CaptureSource

BACKENDS = ("pcapy", "scapy", "file")
CHOICES = ("auto", *BACKENDS)
ENVIRONMENT_VARIABLE = "PYCAPTURE_BACKEND"

_MODULES = {"pcapy": "pcapy_ng", "scapy": "scapy_libpcap", "file": "dpkt_file"}


@dataclass(frozen=True)
class LiveSettings:
    """How to open an interface, whichever backend opens it."""

    snaplen: int = MAXIMUM_SNAPLEN
    promiscuous: bool = True
    timeout_ms: int = 1000
    buffer_size: int | None = None
    immediate: bool = False
    direction: str | None = None
    precision: str | None = None


Say = Callable[[str], None]


def chosen(backend: str | None = None) -> str:
    """The backend asked for: ``backend``, else $PYCAPTURE_BACKEND, else ``auto``."""
    name = (backend or os.environ.get(ENVIRONMENT_VARIABLE) or "auto").strip().lower()
    if name not in CHOICES:
        raise BackendUnavailableError(
            f"unknown capture backend {name!r}", f"choose one of {', '.join(CHOICES)}"
        )
    return name


def _candidates(backend: str | None, live: bool) -> list[str]:
    name = chosen(backend)
    if name != "auto":
        if live and name == "file":
            raise BackendUnavailableError(
                "the file backend reads saved captures only; live capture needs libpcap",
                "use --backend pcapy or --backend scapy, or read a file with -r",
            )
        return [name]
    return [b for b in BACKENDS if not (live and b == "file")]


def _open(
    backend: str | None, live: bool, say: Say | None, opener: Callable[[ModuleType], CaptureSource]
) -> CaptureSource:
    names = _candidates(backend, live)
    reasons: list[str] = []
    for name in names:
        module = importlib.import_module(f".{_MODULES[name]}", __name__)
        try:
            handle = opener(module)
        except BackendUnavailableError as exc:
            if len(names) == 1:
                raise
            reasons.append(f"{name}: {exc}")
            continue
        if reasons and say is not None:
            say(f"using the {name} backend ({'; '.join(reasons)})")
        return handle
    what = "live capture" if live else "reading captures"
    raise BackendUnavailableError(
        f"no backend for {what} works here ({'; '.join(reasons)})",
        "install Npcap (Windows) or libpcap, or read saved captures with --backend file",
    )


# What libpcap says of a file whose format it does not know: libpcap 1.0 (inside WinPcap 4.1.3) of pcapng
# and of nanosecond pcap files, later versions of anything that is neither pcap nor pcapng.
_FORMAT_REFUSED = ("bad dump file format", "unknown file format")


def auto_choice() -> str:
    """The backend ``auto`` reads files with here, and why each one before it was passed over:
    ``"pcapy"``, or for example ``"file (pcapy: ...; scapy: ...)"`` (for ``--version``)."""
    reasons: list[str] = []
    for name in BACKENDS:
        require = getattr(importlib.import_module(f".{_MODULES[name]}", __name__), "require", None)
        try:
            if require is not None:
                require()
        except BackendUnavailableError as exc:
            reasons.append(f"{name}: {exc}")
            continue
        return f"{name} ({'; '.join(reasons)})" if reasons else name
    return f"none ({'; '.join(reasons)})"


def open_offline(
    path: str, backend: str | None = None, precision: str | None = None, say: Say | None = None
) -> CaptureSource:
    """Open a saved capture (pcap or pcapng; ``"-"``: stdin) with the chosen backend, or the first to work.

    With ``auto``, a file whose format the loaded libpcap does not know (WinPcap's libpcap 1.0 reads
    neither pcapng nor nanosecond pcap) is read by the file backend when that can read it, and ``say``
    tells so in one line; the output is the same. So is, with ``auto``, a pcapng file whose interfaces
    differ in link type or snapshot length, which every libpcap refuses: the file backend reads it as
    tshark does (:class:`~pycapture.capture.backends.dpkt_file.FileHandle`), each packet with its own
    interface's link type.
    """
    if path != "-" and chosen(backend) == "auto":
        from ...savefile.reader import mixed_interfaces

        refused = mixed_interfaces(path)
        if refused is not None:
            from . import dpkt_file

            handle = dpkt_file.open_offline(path, precision, tshark=True)
            if say is not None:
                say(
                    f"reading with pycapture's own reader: the file has {refused}, which libpcap refuses; "
                    "each packet is decoded with its own interface's link type"
                )
            return handle
    try:
        return _open(backend, False, say, lambda module: module.open_offline(path, precision))
    except CaptureFileError as exc:
        if path == "-" or not any(text in str(exc) for text in _FORMAT_REFUSED):
            raise
        from . import dpkt_file

        try:
            handle = dpkt_file.open_offline(path, precision)
        except PcapError:
            raise exc from None
        refused = f"{libpcap.lib_version()} cannot read this file's format ({exc})"
        if chosen(backend) != "auto":
            handle.close()
            raise CaptureFileError(str(exc), f"{refused}; read it with --backend file or auto") from exc
        if say is not None:
            say(f"using the file backend: {refused}; pycapture's own reader can")
        return handle


def open_live(
    device: str, settings: LiveSettings, backend: str | None = None, say: Say | None = None
) -> CaptureSource:
    """Open ``device`` for live capture with the backend asked for, or the first that works (not ``file``)."""
    return _open(backend, True, say, lambda module: module.open_live(device, settings))


__all__ = [
    "BACKENDS",
    "CHOICES",
    "ENVIRONMENT_VARIABLE",
    "CaptureSource",
    "LiveSettings",
    "auto_choice",
    "chosen",
    "open_live",
    "open_offline",
]
