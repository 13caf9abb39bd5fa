"""Captures as a Spark data source (issue 17): ``spark.read.format("pcap").load("captures/*.pcap")``.

Built on Spark 4's Python Data Source API (:mod:`pyspark.sql.datasource`)::

    from pycapture.spark import PcapDataSource

    spark.dataSource.register(PcapDataSource)
    frame = spark.read.format("pcap").load("captures/*.pcap")  # or a directory, or a list of paths
    frame.groupBy("protocols").count().show()

Each capture file is one input partition: a Python worker reads it with
:func:`pycapture.table.read_batches` and hands Spark the Arrow record batches, cast to the Spark schema.
The schema is :data:`pycapture.table.SCHEMA` in Spark's types (:data:`SPARK_SCHEMA`): an unsigned
integer becomes the next wider signed type (uint8 -> smallint, uint16 -> int, uint32 -> bigint; uint64,
``frame_number``, -> bigint, checked: a value past 2**63 - 1 fails the cast instead of wrapping), and ``ts``
becomes a TIMESTAMP, which holds microseconds: the nanoseconds of a nanosecond capture are truncated.

Options: ``path`` (what ``load()`` is given: a file, a directory, whose ``.pcap``, ``.pcapng`` and ``.cap``
files are read, or a glob), ``filter`` (a BPF expression applied to every file), ``batchSize`` (rows
per Arrow batch) and ``splitSize`` (bytes, default 128 MiB; 0 reads every file whole). A schema given with
``spark.read.schema(...)`` selects columns by name, so ``.schema("file string, ts timestamp, len bigint")``
reads only those, without decoding the packets.

A classic pcap file larger than ``splitSize`` is split into partitions of about that many bytes, each
cut at a record boundary. The file has no index or sync marker, and a reader that started at an
arbitrary byte could not tell a record header from packet bytes that look like one; so the driver reads
every record header first (:func:`pycapture.savefile.reader.record_splits`: the packet bytes are
skipped, about a second per few million records), and each task reads its own byte range
(:func:`pycapture.table.read_range`), its ``frame_number`` going on from the records before it. A pcapng
file, a file in the other byte order, a file with a record libpcap must judge (a captured length past the
snapshot length, a cut last record) and any file read with a ``filter`` (libpcap applies it) are read
whole, by one task. The paths must be readable by the workers under the same names (a shared
filesystem on a cluster).

Needs pyspark 4 (``pip install '.[spark]'``) and pyarrow (``pip install '.[table]'``); nothing else in
pycapture imports this module.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

try:
    from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition
    from pyspark.sql.types import (
        BooleanType,
        ByteType,
        DataType,
        DoubleType,
        FloatType,
        IntegerType,
        LongType,
        ShortType,
        StringType,
        StructField,
        StructType,
        TimestampNTZType,
        TimestampType,
    )
except ImportError as exc:  # pragma: no cover - the base install has no pyspark
    raise ImportError(
        "pycapture.spark needs pyspark 4, which comes with the spark extra: pip install '.[spark]' "
        "(or pip install 'pycapture[spark]')"
    ) from exc

try:
    import pyarrow as pa
except ImportError as exc:  # pragma: no cover - pyarrow comes with the table extra
    raise ImportError(
        "pycapture.spark needs pyarrow, which comes with the table extra: pip install '.[table,spark]'"
    ) from exc

from .savefile.reader import record_splits
from .table import COLUMNS, SCHEMA, read_batches, read_range

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap")
"""The files of a directory given as the path that are read, by name (case-insensitive)."""
SPLIT_BYTES = 128 << 20
"""The default ``splitSize``: a classic pcap file larger than this is read as several partitions."""


def _spark_type(arrow: pa.DataType) -> DataType:
    """The Spark type of an Arrow type of :data:`pycapture.table.SCHEMA`; unsigned -> next wider signed."""
    types = pa.types
    if types.is_string(arrow) or types.is_large_string(arrow):
        return StringType()
    if types.is_boolean(arrow):
        return BooleanType()
    if types.is_timestamp(arrow):
        return TimestampType() if arrow.tz is not None else TimestampNTZType()
    if types.is_floating(arrow):
        return DoubleType() if arrow.bit_width == 64 else FloatType()
    if types.is_integer(arrow):
        width = arrow.bit_width * 2 if types.is_unsigned_integer(arrow) else arrow.bit_width
        return {8: ByteType(), 16: ShortType(), 32: IntegerType()}.get(width, LongType())
    raise TypeError(f"no Spark type for the Arrow type {arrow}")


SPARK_SCHEMA: StructType = StructType(
    [StructField(field.name, _spark_type(field.type), field.nullable) for field in SCHEMA]
)
""":data:`pycapture.table.SCHEMA` as a Spark ``StructType``, column for column."""


def _arrow_type(spark: DataType) -> pa.DataType:
    """The Arrow type Spark expects in a batch for a column of type ``spark`` (timestamps in microseconds)."""
    simple = {
        StringType: pa.string(), BooleanType: pa.bool_(), ByteType: pa.int8(), ShortType: pa.int16(),
        IntegerType: pa.int32(), LongType: pa.int64(), FloatType: pa.float32(), DoubleType: pa.float64(),
        TimestampType: pa.timestamp("us", tz="UTC"), TimestampNTZType: pa.timestamp("us"),
    }  # fmt: skip
    arrow = simple.get(type(spark))
    if arrow is None:
        raise TypeError(f"the pcap data source cannot give a column as {spark.simpleString()}")
    return arrow


def _arrow_schema(schema: StructType) -> pa.Schema:
    """The Arrow schema of the batches ``read`` yields for the Spark ``schema``."""
    return pa.schema([pa.field(f.name, _arrow_type(f.dataType), f.nullable) for f in schema.fields])


def _option(options: Mapping[str, str], name: str) -> str | None:
    """The option ``name``, its case ignored (as Spark's options are)."""
    wanted = name.lower()
    return next((value for key, value in options.items() if key.lower() == wanted), None)


def _paths(options: Mapping[str, str]) -> list[str]:
    """The option ``path`` or ``paths`` (a JSON list, as Spark passes several), as given."""

    given = _option(options, "paths")
    if given:
        loaded = json.loads(given)
        if isinstance(loaded, list) and all(isinstance(p, str) for p in loaded):
            return list(loaded)
        raise ValueError(f"the paths option must be a JSON list of strings, not {given!r}")
    path = _option(options, "path")
    if not path:
        raise ValueError('the pcap data source needs a path: spark.read.format("pcap").load(PATH)')
    return [path]


def _whole_number(name: str, text: str, least: int, unit: str) -> int:
    """The option ``name`` as a whole number of ``unit``, at least ``least``."""
    try:
        value = int(text)
    except ValueError:
        value = least - 1
    if value < least:
        raise ValueError(
            f"the {name} option must be a whole number of {unit}, at least {least}, not {text!r}"
        )
    return value


def capture_files(paths: Sequence[str]) -> list[str]:
    """Each path's capture files, in order: a file itself, a directory's capture files, a glob's matches.

    Raises FileNotFoundError, naming the path, for a path that does not exist, a glob that matches no
    file and a directory with no capture file in it.
    """
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found = sorted(
                os.path.join(path, name)
                for name in os.listdir(path)
                if name.lower().endswith(CAPTURE_SUFFIXES) and os.path.isfile(os.path.join(path, name))
            )
            if not found:
                raise FileNotFoundError(
                    f"{path}: no capture file in this directory (looked for {', '.join(CAPTURE_SUFFIXES)})"
                )
        elif os.path.exists(path):
            found = [path]
        elif glob.has_magic(path):
            found = sorted(p for p in glob.glob(path) if os.path.isfile(p))
            if not found:
                raise FileNotFoundError(f"{path}: no capture file matches this pattern")
        else:
            raise FileNotFoundError(f"{path}: no such capture file or directory")
        files += found
    return files


class CaptureFile(InputPartition):
    """One input partition: a capture file, or the range ``[start, stop)`` of its bytes (whole records,
    ``records_before`` records into it) where the file is split."""

    def __init__(
        self, path: str, start: int | None = None, stop: int | None = None, records_before: int = 0
    ) -> None:
        """The partition of the file ``path``, or of its bytes ``[start, stop)``."""
        super().__init__((path, start, stop, records_before))
        self.path = path
        self.start = start
        self.stop = stop
        self.records_before = records_before


class PcapDataSource(DataSource):
    """The ``pcap`` format: captures as rows of :data:`SPARK_SCHEMA`; register it, then ``load()`` paths."""

    @classmethod
    def name(cls) -> str:
        """The format's name, for ``spark.read.format("pcap")``."""
        return "pcap"

    def schema(self) -> StructType:
        """:data:`SPARK_SCHEMA`, the table schema of :mod:`pycapture.table` in Spark's types."""
        return SPARK_SCHEMA

    def reader(self, schema: StructType) -> PcapReader:
        """A reader of the files the options name, giving the columns of ``schema`` (checked here)."""
        unknown = [name for name in schema.fieldNames() if name not in COLUMNS]
        if unknown:
            raise ValueError(
                f"unknown column {', '.join(unknown)} in the schema; "
                f"the pcap columns are: {', '.join(COLUMNS)}"
            )
        _arrow_schema(schema)  # an unsupported type fails now, not in a task
        size = _option(self.options, "batchSize")
        split = _option(self.options, "splitSize")
        bpf = _option(self.options, "filter")
        return PcapReader(
            files=capture_files(_paths(self.options)),
            schema=schema,
            bpf=bpf or None,
            batch_size=_whole_number("batchSize", size, 1, "rows") if size else 65536,
            split_bytes=_whole_number("splitSize", split, 0, "bytes") if split else SPLIT_BYTES,
        )


class PcapReader(DataSourceReader):
    """Reads each capture file as a partition, with :func:`pycapture.table.read_batches`."""

    def __init__(
        self,
        files: list[str],
        schema: StructType,
        bpf: str | None,
        batch_size: int,
        split_bytes: int = SPLIT_BYTES,
    ) -> None:
        """A reader of ``files``, giving ``schema``'s columns; ``bpf`` filters the packets of every file;
        classic pcap files past ``split_bytes`` (0: none) are split at record boundaries."""
        self.files = files
        self.schema = schema
        self.bpf = bpf
        self.batch_size = batch_size
        self.split_bytes = split_bytes

    def partitions(self) -> Sequence[InputPartition]:
        """One partition per capture file, or per range of about ``split_bytes`` of a larger one."""
        partitions: list[InputPartition] = []
        for path in self.files:
            splits = None
            if self.split_bytes and self.bpf is None and os.path.getsize(path) > self.split_bytes:
                splits = record_splits(path, self.split_bytes)
            if splits is None or len(splits) < 2:
                partitions.append(CaptureFile(path))
            else:
                partitions += [CaptureFile(path, start, stop, before) for start, stop, before in splits]
        return partitions

    def read(self, partition: InputPartition) -> Iterator[Any]:
        """The partition's packets as Arrow record batches, each column cast to the Spark schema's type."""
        assert isinstance(partition, CaptureFile)  # partitions() made it
        target = _arrow_schema(self.schema)
        columns = self.schema.fieldNames()
        if partition.start is None or partition.stop is None:
            batches = read_batches(
                partition.path, columns=columns, batch_size=self.batch_size, filter=self.bpf
            )
        else:
            batches = read_range(
                partition.path,
                partition.start,
                partition.stop,
                partition.records_before,
                columns=columns,
                batch_size=self.batch_size,
            )
        for batch in batches:
            yield conform(batch, target)


def conform(batch: pa.RecordBatch, target: pa.Schema) -> pa.RecordBatch:
    """``batch`` with the columns and types of ``target``: integers widened (overflow checked), timestamps
    truncated to microseconds."""
    arrays = []
    for field in target:
        column = batch.column(field.name)
        if column.type != field.type:
            # a cast to a coarser timestamp unit truncates, which Arrow calls unsafe; integers stay checked
            column = column.cast(field.type, safe=not pa.types.is_timestamp(field.type))
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, schema=target)


__all__ = [
    "CAPTURE_SUFFIXES",
    "SPARK_SCHEMA",
    "SPLIT_BYTES",
    "CaptureFile",
    "PcapDataSource",
    "PcapReader",
    "capture_files",
]
