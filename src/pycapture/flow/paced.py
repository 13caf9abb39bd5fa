"""Feed a capture's packets to the sinks at the pace their timestamps say (``-r FILE --realtime``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..capture.source import CaptureSource
from .pump import Sink

if TYPE_CHECKING:
    from ..replay.pacer import Pacer


def pump_paced(source: CaptureSource, sinks: Sequence[Sink], count: int, pacer: Pacer) -> int:
    """Feed each packet of ``source`` to the sinks at its due time; return how many were fed.

    ``source.break_loop()`` (as from a signal) ends the wait for the next packet at once.
    """
    n = 0
    for sec, frac, length, data in pacer.paced(source.records(count), source.nanosecond):
        for sink in sinks:
            sink(sec, frac, length, data)
        n += 1
    source.captured = n  # the packet read while a stop came was not delivered: it does not count
    return n
