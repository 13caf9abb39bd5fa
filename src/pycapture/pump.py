"""Move packets from a handle to sinks until a count, the end of a file, or a stop signal."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator, Sequence

from .handle import PcapHandle

Sink = Callable[[int, int, int, bytes], object]  # (ts_sec, ts_usec, original_length, data)

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def stop_on_signals(handle: PcapHandle, signals: Sequence[int] = STOP_SIGNALS) -> Iterator[list[int]]:
    """Turn SIGINT, SIGTERM and SIGHUP into ``handle.break_loop()`` while the block runs.

    The loop then ends between two packets, so no packet is half written. A second SIGINT raises
    KeyboardInterrupt as usual, for a loop that does not stop. Yields the list of signals received.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)
        handle.break_loop()
        if signum == signal.SIGINT:
            signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = {}
    for sig in signals:
        with contextlib.suppress(OSError, ValueError):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def pump(handle: PcapHandle, sinks: Sequence[Sink], count: int = -1) -> int:
    """Feed every packet to each sink; return how many packets were read."""
    n = 0
    if len(sinks) == 1:
        sink = sinks[0]
        for sec, usec, length, data in handle.records(count):
            sink(sec, usec, length, data)
            n += 1
        return n
    for sec, usec, length, data in handle.records(count):
        for sink in sinks:
            sink(sec, usec, length, data)
        n += 1
    return n
