"""The pcapy-ng backend: :class:`pycapture.handle.PcapHandle` on pcapy-ng's C extension (the default)."""

from __future__ import annotations

from ...errors import BackendUnavailableError
from .. import pcapy as _pcapy
from ..handle import PcapHandle
from ..handle import open_offline as _open_offline
from . import LiveSettings


def require() -> None:
    """Raise BackendUnavailableError unless pcapy-ng imports."""
    if not _pcapy.AVAILABLE:
        raise BackendUnavailableError(
            f"pcapy-ng cannot be imported: {_pcapy.IMPORT_ERROR}", _pcapy.NPCAP_HINT
        )


def open_offline(path: str, precision: str | None = None) -> PcapHandle:
    """A saved capture read by libpcap through pcapy-ng."""
    require()
    return _open_offline(path, precision=precision)


def open_live(device: str, settings: LiveSettings) -> PcapHandle:
    """A live capture through pcapy-ng, built as :class:`PcapHandle.Builder` builds it."""
    require()
    builder = (
        PcapHandle.Builder(device)
        .snaplen(settings.snaplen)
        .promiscuous(settings.promiscuous)
        .timeout_ms(settings.timeout_ms)
    )
    if settings.buffer_size:
        builder.buffer_size(settings.buffer_size)
    if settings.immediate:
        builder.immediate(True)
    if settings.direction:
        builder.direction(settings.direction)
    if settings.precision:
        builder.timestamp_precision(settings.precision)
    return builder.build()
