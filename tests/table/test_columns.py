"""The compiled columnar store gives the table the pure-Python reader gives, on every file.

With the C extension built, :func:`pycapture.table.read_batches` fills Arrow buffers in C for the frames the
header walk takes (``_tablesink.h``), appends rows made in Python for the others, and reads classic pcap
files in place; without it (or with ``PYCAPTURE_PURE_PYTHON=1``) every row is a Python list made into
arrays with ``pa.array``. The two must give equal tables, batch boundaries aside: on captures/ and every
file of the corpus (damaged ones included, up to the same error), with all columns, a few, small batches,
a filter, and pcapng.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from pycapture import PcapError
from pycapture.output.tcpdump.fastsummary import FASTLINE
from pycapture.table import reader
from pycapture.table.schema import COLUMNS
from support.corpus import corpus_rows
from support.env import CAPTURES, CORPUS

pytestmark = pytest.mark.skipif(FASTLINE is None, reason="the C extension is not built")


def _table(path: str, compiled: bool, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> tuple[pa.Table, str]:
    """The table of ``path`` and the error that ended it ('' for none)."""
    monkeypatch.setattr(reader, "_compiled", (lambda: FASTLINE) if compiled else (lambda: None))
    batches: list[pa.RecordBatch] = []
    error = ""
    try:
        for batch in reader.read_batches(path, **kwargs):
            batches.append(batch)
    except PcapError as exc:
        error = f"{type(exc).__name__}: {exc}"
    schema = reader.pa.schema([reader.SCHEMA.field(c) for c in kwargs.get("columns") or COLUMNS])
    return pa.Table.from_batches(batches, schema=schema), error


def _same(path: str, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> int:
    fast, fast_error = _table(path, True, monkeypatch, **kwargs)
    slow, slow_error = _table(path, False, monkeypatch, **kwargs)
    assert fast_error == slow_error, path
    if not fast.equals(slow):
        for name in fast.column_names:
            a, b = fast.column(name).to_pylist(), slow.column(name).to_pylist()
            for i, (x, y) in enumerate(zip(a, b)):
                assert x == y, (path, name, i + 1, x, y)
        assert fast.num_rows == slow.num_rows, path
        raise AssertionError(f"{path}: equal values but unequal tables")
    return fast.num_rows


def _files() -> list[str]:
    files = sorted(str(p) for p in CAPTURES.glob("*.pcap*"))
    return files + [str(CORPUS / row["file"]) for row in corpus_rows()]


def test_every_file_all_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = sum(_same(path, monkeypatch) for path in _files())
    assert rows > (20_000 if corpus_rows() else 500)


def test_columns_subsets_batches_and_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(str(p) for p in CAPTURES.glob("*.pcap*"))
    assert files
    for path in files:
        _same(path, monkeypatch, columns=["community_id", "ts", "ip_src", "protocols", "malformed"])
        _same(path, monkeypatch, columns=["frame_number", "len"], batch_size=7)
        _same(path, monkeypatch, batch_size=3)
        _same(path, monkeypatch, filter="tcp or udp", batch_size=50)


def test_batches_are_cut_at_batch_size(monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(sorted(CAPTURES.glob("*.pcap"))[0])
    monkeypatch.setattr(reader, "_compiled", lambda: FASTLINE)
    sizes = [b.num_rows for b in reader.read_batches(path, batch_size=5)]
    assert sizes and all(n == 5 for n in sizes[:-1]) and 0 < sizes[-1] <= 5
