"""``pycapture convert INPUT... -o OUTPUT`` and ``pycapture sql QUERY -r FILE...``: captures as tables.

Both read packets into Arrow batches with :func:`pycapture.table.read_batches` (the schema is in
docs/TABLE.md). ``convert`` writes Parquet, CSV, JSON Lines or an Arrow IPC file, under a temporary name
that is renamed only once the file is complete; ``sql`` runs a query on embedded DuckDB over the batches,
as a table called ``packets``, and writes no file. pyarrow and DuckDB come with ``pip install '.[table]'``.
"""

from __future__ import annotations

import glob
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from ..errors import PcapError
from ..run import say
from .common import debug_option, positive_int, reported_errors

FORMATS = ("parquet", "csv", "jsonl", "arrow")  # pycapture.table.writer.WRITERS, without importing pyarrow
SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl",
            ".ndjson": "jsonl", ".arrow": "arrow", ".feather": "arrow", ".ipc": "arrow"}  # fmt: skip
"""The table format each output suffix means (for ``convert -o`` and for ``pycapture -w``)."""
_PARTITIONS = ("hour", "day")


def table_module() -> Any:
    """:mod:`pycapture.table`, or a usage error that says how to install what it needs."""
    try:
        from .. import table
    except ImportError as exc:
        raise click.UsageError(f"{exc}") from None
    return table


def format_of(path: str) -> str | None:
    """The table format that ``path``'s suffix means, or None."""
    return SUFFIXES.get(Path(path).suffix.lower())


def _split_inputs(words: tuple[str, ...]) -> tuple[list[str], str]:
    """The leading words that name files (or globs that match some) and the filter the rest make."""
    inputs: list[str] = []
    for i, word in enumerate(words):
        if os.path.exists(word) or (glob.has_magic(word) and glob.glob(word)):
            inputs.append(word)
        else:
            return inputs, " ".join(words[i:])
    return inputs, ""


def _files(inputs: Iterable[str]) -> list[str]:
    found: list[str] = []
    for item in inputs:
        found += sorted(glob.glob(item)) if glob.has_magic(item) else [item]
    return found


def _columns(table: Any, text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in table.COLUMNS]
    if unknown:
        raise click.UsageError(
            f"unknown column {', '.join(unknown)}; the columns are: {', '.join(table.COLUMNS)}"
        )
    return names


def _format(output: str, given: str | None) -> str:
    if given is not None:
        return given
    kind = format_of(output)
    if kind is None:
        raise click.UsageError(
            f"cannot tell the format from {output!r}: give --format {'|'.join(FORMATS)} or a suffix "
            f"({', '.join(sorted(SUFFIXES))})"
        )
    return kind


def _partition_key(batch: Any, partition: str) -> Iterator[tuple[str, Any]]:
    """Each Hive-style folder (``date=2026-01-02/hour=03``) of ``batch`` and the rows that go there."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ts = batch.column(batch.schema.get_field_index("ts"))
    day = pc.strftime(ts, format="%Y-%m-%d")
    keys = (
        day
        if partition == "day"
        else pc.binary_join_element_wise(day, pc.strftime(ts, format="%H"), "/hour=")
    )
    for key in pc.unique(keys).to_pylist():
        rows = pc.equal(keys, pa.scalar(key))
        yield f"date={key}", batch.filter(rows)


def _total(column: Any) -> int:
    """The sum of a uint32 column without nulls, read from its buffer (pyarrow.compute would cost 9 MB of
    memory to import)."""
    values = memoryview(column.buffers()[1]).cast("I")
    return sum(values[column.offset : column.offset + len(column)])


class _Progress:
    """A progress line on a terminal's stderr: packets, bytes, rate and ETA over all the files."""

    def __init__(self, total_bytes: int, tty: bool) -> None:
        self.total = total_bytes
        self.tty = tty
        self.started = time.monotonic()
        self.packets = 0
        self.bytes = 0
        self._drawn = 0.0

    def add(self, packets: int, size: int) -> None:
        self.packets += packets
        self.bytes += size
        now = time.monotonic()
        if not self.tty or now - self._drawn < 0.2:
            return
        self._drawn = now
        elapsed = max(now - self.started, 1e-9)
        rate = self.packets / elapsed
        done = min(1.0, self.bytes / self.total) if self.total else 0.0
        eta = (elapsed / done - elapsed) if done > 0 else 0.0
        bar = "#" * int(done * 24)
        click.echo(
            f"\r\x1b[K[{bar:<24}] {done:4.0%} {self.packets:,} packets, {self.bytes / 1e6:,.1f} MB, "
            f"{rate:,.0f} packets/s, ETA {eta:,.0f} s",
            err=True,
            nl=False,
        )

    def settle(self, size: int) -> None:
        """The bytes read are ``size`` (the files done, whole), in place of the estimate so far."""
        self.bytes = size
        self.add(0, 0)

    def clear(self) -> None:
        if self.tty and self._drawn:
            click.echo("\r\x1b[K", err=True, nl=False)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("words", nargs=-1, required=True)
@click.option(
    "-o", "--output", required=True, metavar="OUTPUT", help="The file (or, partitioned, folder) to write."
)
@click.option(
    "--format", "kind", type=click.Choice(FORMATS), help="Output format; by default OUTPUT's suffix says."
)
@click.option(
    "--partition", type=click.Choice(_PARTITIONS), help="Hive-style date=.../hour=... folders under OUTPUT."
)
@click.option("--columns", metavar="A,B,...", help="Only these columns (docs/TABLE.md lists them).")
@positive_int("-c", "count", metavar="N", help="Stop after N packets in all.")
@click.option(
    "--defrag",
    is_flag=True,
    help="Reassemble IPv4 and IPv6 fragments: the row of the fragment that completes a datagram describes "
    "the whole datagram.",
)
@debug_option
def convert_command(
    words: tuple[str, ...],
    output: str,
    kind: str | None,
    partition: str | None,
    columns: str | None,
    count: int | None,
    defrag: bool,
    debug: bool,
) -> None:
    """Convert captures (INPUT..., files or globs) to a table; words after the inputs are a BPF filter."""
    table = table_module()
    from ..table.writer import CONVERT_ROWS, TableWriter

    inputs, expression = _split_inputs(words)
    if not inputs:
        raise click.UsageError(
            f"no capture file among {' '.join(words)!r}: give the files first, then a filter"
        )
    files = _files(inputs)
    names = _columns(table, columns)
    kind = _format(output, kind) if partition is None else (kind or "parquet")
    import pyarrow as pa

    schema = table.SCHEMA if names is None else pa.schema([table.SCHEMA.field(name) for name in names])
    progress = _Progress(sum(os.path.getsize(f) for f in files if os.path.isfile(f)), sys.stderr.isatty())
    writers: dict[str, TableWriter] = {}

    def _open(path: str) -> TableWriter:  # each batch written as it comes: batches are full already
        return TableWriter(path, kind, schema, row_group_bytes=0)

    reading = names if names is None or "cap_len" in names else [*names, "cap_len"]
    transform: Any = None
    if defrag:  # a reassembler per file: fragments are not joined across files
        from ..flows.reassembled import Defragmenting

        transform = Defragmenting
    failed = done = 0
    left = count
    started = time.monotonic()
    with reported_errors(debug, "check the output path and free space"):
        try:
            for path in files:
                if left is not None and left <= 0:
                    break
                try:
                    # read a batch ahead, in a thread: decoding lets the GIL go, and so does Parquet's encoder
                    batches = table.prefetched(
                        table.read_batches(
                            path,
                            columns=reading,
                            batch_size=CONVERT_ROWS,
                            filter=expression or None,
                            transform=transform,
                        ),
                        depth=1,
                    )
                    for batch in batches:
                        if left is not None:
                            batch = batch.slice(0, left)
                            left -= batch.num_rows
                        # the progress within a file: its records' bytes, each a 16-byte header and cap_len
                        read = _total(batch.column("cap_len"))
                        if reading is not names:
                            batch = batch.drop_columns(["cap_len"])
                        if partition is None:
                            target = writers.get(output) or writers.setdefault(output, _open(output))
                            target.write(batch)
                        else:
                            for folder, rows in _partition_key(batch, partition):
                                where = os.path.join(output, folder, f"part-0.{kind}")
                                writer = writers.get(where) or writers.setdefault(where, _open(where))
                                writer.write(rows)
                        progress.add(batch.num_rows, read + 16 * batch.num_rows)
                        if left is not None and left <= 0:
                            break
                except PcapError as exc:  # this file stops here; the others are still converted
                    progress.clear()
                    say(exc.line())
                    failed += 1
                done += os.path.getsize(path) if os.path.isfile(path) else 0
                progress.settle(done)
            if not writers and partition is None:
                writers[output] = _open(output)  # no packets: an empty, valid table
        except BaseException:
            for writer in writers.values():
                writer.abandon()
            raise
        for writer in writers.values():
            writer.close()
    progress.clear()
    rows = sum(writer.count for writer in writers.values())
    elapsed = max(time.monotonic() - started, 1e-9)
    written = sum(os.path.getsize(writer.path) for writer in writers.values())
    say(
        f"{rows:,} packets from {len(files) - failed} of {len(files)} files to {output} ({kind}, "
        f"{written / 1e6:,.1f} MB) in {elapsed:,.1f} s ({rows / elapsed:,.0f} packets/s)"
    )
    if failed:
        sys.exit(1)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("query")
@click.argument("more_files", nargs=-1)
@click.option(
    "-r", "files", multiple=True, metavar="FILE", help="A capture to query (repeatable; globs too)."
)
@click.option("--format", "kind", type=click.Choice(("box", "csv", "json")), default="box", show_default=True,
              help="How the result is printed.")  # fmt: skip
@debug_option
def sql_command(
    query: str, more_files: tuple[str, ...], files: tuple[str, ...], kind: str, debug: bool
) -> None:
    """Run QUERY on embedded DuckDB over the captures as a table called ``packets`` (docs/TABLE.md)."""
    table = table_module()
    paths = _files([*files, *more_files])
    if not paths:
        raise click.UsageError("give the captures to query with -r FILE")
    from ..table.writer import json_value

    try:
        import duckdb
        import pyarrow as pa
    except ImportError as exc:
        raise click.UsageError(
            f"{exc}; install pycapture with its table extra: pip install '.[table]'"
        ) from None
    with reported_errors(debug, "check the capture file's path"):
        reader = pa.RecordBatchReader.from_batches(
            table.SCHEMA, table.prefetched(table.read_batches(paths), depth=1)
        )
        connection = duckdb.connect()
        connection.register("packets", reader)
        try:
            result = connection.sql(query)
        except duckdb.Error as exc:
            raise click.UsageError(f"the query failed: {str(exc).splitlines()[0]}") from None
        if result is None:  # a statement without rows
            return
        if kind == "box":
            click.echo(str(result), nl=False)
        elif kind == "csv":
            arrow = result.fetch_arrow_table()
            import pyarrow.csv as pcsv

            sink = pa.BufferOutputStream()
            pcsv.write_csv(arrow, sink)
            sys.stdout.write(sink.getvalue().to_pybytes().decode())
        else:
            for row in result.fetch_arrow_table().to_pylist():
                click.echo(json.dumps(row, default=json_value, separators=(",", ":")))


__all__ = ["convert_command", "sql_command"]
