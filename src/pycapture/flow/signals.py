"""Stop a capture or a replay cleanly on SIGINT, SIGTERM or SIGHUP: between two packets, never inside one."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator, Sequence
from typing import Protocol

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Breakable(Protocol):
    """What a signal stops: a capture source, a replayer."""

    def break_loop(self) -> None:
        """End the loop after the packet at hand; safe from a signal handler."""
        ...


@contextlib.contextmanager
def stop_on_signals(target: Breakable, signals: Sequence[int] = STOP_SIGNALS) -> Iterator[list[int]]:
    """Turn SIGINT, SIGTERM and SIGHUP into ``target.break_loop()`` while the block runs.

    The loop then ends between two packets, so no packet is half written. A second SIGINT raises
    KeyboardInterrupt as usual, for a loop that does not stop. Yields the list of signals received.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)
        target.break_loop()
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
