"""Run an iterator in a thread of its own, a few items ahead of its consumer.

Reading a capture into columns and writing them (Parquet's encoding and compression, DuckDB's scan) both
run outside the GIL for most of their time: the compiled columnar store lets the GIL go while it fills a
batch. With the reading in a second thread, the two overlap on two cores.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_ITEM, _END, _ERROR = range(3)


def prefetched(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yield the items of ``items``, produced in a daemon thread at most ``depth`` items ahead.

    An exception in ``items`` is raised here, after the items before it. Leaving the loop early (or
    Ctrl-C) stops the thread at its next item and closes ``items`` (a generator's ``finally`` runs then).
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, not {depth}")
    pending: queue.Queue[tuple[int, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[int, object]) -> bool:
        while not stop.is_set():
            try:
                pending.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put((_ITEM, item)):
                    return
        except BaseException as exc:  # handed to the consumer, which raises it
            put((_ERROR, exc))
            return
        put((_END, None))

    thread = threading.Thread(target=work, name="pycapture-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = pending.get()
            if kind == _ITEM:
                yield value  # type: ignore[misc]
            elif kind == _ERROR:
                assert isinstance(value, BaseException)
                raise value
            else:
                return
    finally:
        stop.set()
        thread.join()
        close = getattr(items, "close", None)
        if close is not None:
            close()


__all__ = ["prefetched"]
