"""Sinks that print: one tcpdump-style line per packet, and the statistics at exit."""

from __future__ import annotations

from typing import TextIO

from ..decode.lean import decode
from .text import TimeFormatter, summary_line


class SummaryPrinter:
    """Print ``TIME SUMMARY`` for each packet, e.g. ``12:00:01.000123 IP 10.0.0.1.53 > ...``.

    Called as ``printer(ts_sec, ts_usec, original_length, data)``, the same shape as
    :meth:`pycapture.pcapfile.PcapWriter.write`, so a capture loop can feed either.
    """

    def __init__(self, linktype: int, out: TextIO, *, flush_each: bool = False, utc: bool = False) -> None:
        self._linktype = linktype
        self._write = out.write
        self._flush = out.flush if flush_each else None
        self._time = TimeFormatter(utc=utc)

    def __call__(self, ts_sec: int, ts_usec: int, length: int, data: bytes) -> None:
        line = summary_line(decode(self._linktype, data, length), length)
        self._write(f"{self._time(ts_sec, ts_usec)} {line}\n")
        if self._flush is not None:
            self._flush()


def statistics_lines(
    captured: int, received: int | None, dropped: int | None, if_dropped: int = 0
) -> list[str]:
    """tcpdump's closing statistics; ``received``/``dropped`` are None for a saved capture."""
    lines = [f"{captured} packet{'s' if captured != 1 else ''} captured"]
    if received is not None:
        lines.append(f"{received} packet{'s' if received != 1 else ''} received by filter")
    if dropped is not None:
        lines.append(f"{dropped} packet{'s' if dropped != 1 else ''} dropped by kernel")
    if if_dropped:
        lines.append(f"{if_dropped} packet{'s' if if_dropped != 1 else ''} dropped by interface")
    return lines
