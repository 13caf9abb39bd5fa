"""Writing a capture's table to one file: Parquet, CSV, JSON Lines or an Arrow IPC file.

A :class:`TableWriter` writes under ``NAME.part`` and renames the file to ``NAME`` only when it is closed
whole, so a file under its real name is always complete and readable (the Parquet footer is written last).
``pycapture convert`` writes with it, and so does ``pycapture -w out.parquet``, through the rotation of
:mod:`pycapture.savefile.rotation` when -C, -G or -b ask for a series of files.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from ..savefile.rotation import RotatingWriter, SaveOptions, open_rotating
from .schema import FEW_VALUES

WRITERS = ("parquet", "csv", "jsonl", "arrow")
"""The formats a :class:`TableWriter` writes (the CLI's ``--format`` choices)."""
PART_SUFFIX = ".part"
ROW_GROUP_ROWS = 65536
"""Rows buffered before they are written as one Parquet row group (one batch of a CSV or Arrow file)."""
CONVERT_ROWS = 32768
"""The rows of each batch ``pycapture convert`` reads and writes as it comes (one Parquet row group): half
the reader's default, which keeps the peak memory of a conversion under 150 MB with a batch being read
while the one before it is written."""
ROW_GROUP_BYTES = 64 << 20
"""In-memory Arrow bytes buffered before they are written, whatever the row count."""
_BUFFER_BYTES = 1 << 20


def json_value(value: object) -> object:
    """JSON for what ``json`` does not write itself: timestamps as ISO 8601 text, bytes as hex."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return str(value)


class _JsonLines:
    """The writer of ``jsonl``: one JSON object per row, in the manner of the format writers of pyarrow."""

    def __init__(self, sink: pa.NativeFile) -> None:
        self._sink = sink

    def write_batch(self, batch: pa.RecordBatch) -> None:
        lines = [json.dumps(row, default=json_value, separators=(",", ":")) for row in batch.to_pylist()]
        self._sink.write(("\n".join(lines) + "\n").encode() if lines else b"")

    def close(self) -> None:
        pass  # the sink is closed by its owner


def _create(temporary: str, path: str) -> None:
    """Create the empty file ``temporary`` (and its folders); an OSError names ``path``, the real name."""
    directory = os.path.dirname(path)
    try:
        if directory and not os.path.isdir(directory):
            os.makedirs(directory, exist_ok=True)
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666))
    except OSError as exc:
        if isinstance(exc, FileExistsError):  # a file where a folder should be
            exc = NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        raise type(exc)(exc.errno, exc.strerror, path) from None


def _open_format(kind: str, sink: pa.NativeFile, schema: pa.Schema) -> Any:
    if kind == "parquet":
        import pyarrow.parquet as pq

        dictionary = [name for name in FEW_VALUES if name in schema.names]
        return pq.ParquetWriter(sink, schema, compression="zstd", use_dictionary=dictionary)
    if kind == "csv":
        import pyarrow.csv as pcsv

        return pcsv.CSVWriter(sink, schema)
    if kind == "arrow":
        return pa.ipc.new_file(sink, schema)
    return _JsonLines(sink)


class TableWriter:
    """One table file of one format, written under ``NAME.part`` and renamed to ``NAME`` when closed whole.

    Batches are buffered up to :data:`ROW_GROUP_ROWS` rows or ``row_group_bytes`` bytes (of Arrow memory)
    and then written together, so a live capture, which hands over a few rows at a time, still makes
    Parquet row groups of a useful size; ``row_group_bytes=0`` writes each batch at once. ``count`` is the
    rows taken, ``tell()`` the bytes in the file so far. ``schema``: the batches' schema.
    """

    def __init__(
        self, path: str, kind: str, schema: pa.Schema, *, row_group_bytes: int = ROW_GROUP_BYTES
    ) -> None:
        if kind not in WRITERS:
            raise ValueError(f"unknown table format {kind!r}: choose one of {', '.join(WRITERS)}")
        self.path = path
        self.temporary = path + PART_SUFFIX
        self.kind = kind
        self.count = 0
        self._row_group_bytes = row_group_bytes
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self._pending_bytes = 0
        _create(self.temporary, path)
        self._sink = pa.BufferedOutputStream(pa.OSFile(self.temporary, "wb"), _BUFFER_BYTES)
        try:
            self._writer = _open_format(kind, self._sink, schema)
        except BaseException:
            self._sink.close()
            os.remove(self.temporary)
            raise

    def write(self, batch: pa.RecordBatch) -> None:
        """Add the rows of ``batch`` (written now, or with the next ones)."""
        if not batch.num_rows:
            return
        self.count += batch.num_rows
        self._pending.append(batch)
        self._pending_rows += batch.num_rows
        self._pending_bytes += batch.nbytes
        if self._pending_rows >= ROW_GROUP_ROWS or self._pending_bytes >= self._row_group_bytes:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows to the file (as one Parquet row group)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        self._pending_rows = self._pending_bytes = 0
        if len(pending) == 1:
            self._writer.write_batch(pending[0])
        else:
            table = pa.Table.from_batches(pending).combine_chunks()
            for batch in table.to_batches(max_chunksize=table.num_rows):
                self._writer.write_batch(batch)
        self._sink.flush()

    def tell(self) -> int:
        """Bytes written to the file so far (buffered rows not counted)."""
        return int(self._sink.tell())

    def close(self) -> None:
        """Write the rest and the footer, and rename the file to its real name; on failure, delete it."""
        try:
            self.flush()
            self._writer.close()
            self._sink.close()
        except BaseException:
            self.abandon()
            raise
        os.replace(self.temporary, self.path)

    def abandon(self) -> None:
        """Close and delete the temporary file: nothing half-written is left under any name."""
        self._pending = []
        with contextlib.suppress(Exception):
            self._writer.close()
        with contextlib.suppress(Exception):
            self._sink.close()
        with contextlib.suppress(OSError):
            os.remove(self.temporary)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abandon()


def open_table_files(
    path: str,
    kind: str,
    schema: pa.Schema,
    options: SaveOptions,
    stop: Callable[[str], object] | None = None,
) -> TableWriter | RotatingWriter[TableWriter]:
    """The -w file ``path`` as a table of ``kind``, or the series of them that ``options.rotation`` makes.

    Rows are buffered into row groups, except with ``options.packet_buffered`` (-U), which writes each
    batch as it comes. With a size limit (-C, -b filesize) the row groups are kept to a quarter of it in
    Arrow memory, so that the size the rotation checks (what is written) keeps up with the rows taken:
    a file then passes the limit by at most one row group, where a pcap file passes it by one packet.
    ``stop(reason)``: as for :func:`~pycapture.savefile.rotation.open_rotating`.
    """
    rotation = options.rotation
    row_group_bytes = ROW_GROUP_BYTES
    if options.packet_buffered:
        row_group_bytes = 0
    elif rotation is not None and rotation.size:
        row_group_bytes = min(ROW_GROUP_BYTES, rotation.size // 4)

    def open_one(name: str) -> TableWriter:
        return TableWriter(name, kind, schema, row_group_bytes=row_group_bytes)

    if rotation is None:
        return open_one(path)
    return open_rotating(path, open_one, rotation, stop)


__all__ = [
    "PART_SUFFIX",
    "ROW_GROUP_BYTES",
    "ROW_GROUP_ROWS",
    "WRITERS",
    "TableWriter",
    "json_value",
    "open_table_files",
]
