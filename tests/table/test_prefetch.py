"""``prefetched`` runs an iterator in a thread: same items in order, its errors raised after the items
before them, and an early exit closes the iterator (its ``finally`` runs) and ends the thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pyarrow as pa
import pytest

from pycapture.table import read_batches
from pycapture.table.prefetch import prefetched
from support.env import CAPTURES


def test_items_in_order_and_the_table_unchanged() -> None:
    assert list(prefetched(iter(range(1000)), depth=3)) == list(range(1000))
    path = str(CAPTURES / "mixed.pcap")
    direct = pa.Table.from_batches(list(read_batches(path, batch_size=7)))
    ahead = pa.Table.from_batches(list(prefetched(read_batches(path, batch_size=7))))
    assert ahead.equals(direct) and direct.num_rows > 7


def test_an_error_comes_after_the_items_before_it() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise OSError("disk gone")

    seen: list[int] = []
    with pytest.raises(OSError, match="disk gone"):
        for item in prefetched(items()):
            seen.append(item)
    assert seen == [1, 2]


def test_leaving_early_closes_the_iterator_and_ends_the_thread() -> None:
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            closed.set()

    before = threading.active_count()
    for item in prefetched(endless()):
        if item == 5:
            break
    assert closed.is_set()
    assert threading.active_count() == before


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="depth"):
        list(prefetched(iter([1]), depth=0))
