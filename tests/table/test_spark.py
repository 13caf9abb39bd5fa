"""pycapture.spark: the ``pcap`` data source in a real local Spark, held to read_table row for row.

Needs pyspark 4 and a Java runtime; where either is missing the tests skip, and with CI=true they fail.
One SparkSession serves the module (starting one takes seconds).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import pycapture
from pycapture.savefile.reader import record_splits
from pycapture.table import COLUMNS, read_range, read_table
from support.commands import needs
from support.env import CAPTURES

PCAPS = str(CAPTURES / "*.pcap")


@pytest.fixture(scope="module")
def spark_module() -> ModuleType:
    """:mod:`pycapture.spark`, once pyspark is known to be installed."""
    needs(importlib.util.find_spec("pyspark") is not None, "pyspark is not installed: pip install '.[spark]'")
    from pycapture import spark

    return spark


@pytest.fixture(scope="module")
def spark(spark_module: ModuleType) -> Iterator[Any]:
    """A local SparkSession with the pcap source registered; its workers run this Python and pycapture."""
    needs(
        shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME")),
        "no Java runtime: Spark 4 needs Java 17 or 21",
    )
    from pyspark.sql import SparkSession

    saved = {name: os.environ.get(name) for name in ("PYSPARK_PYTHON", "PYTHONPATH")}
    # the workers are new processes: the same interpreter, importing the same copy of pycapture
    os.environ["PYSPARK_PYTHON"] = sys.executable
    here = str(Path(pycapture.__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (here, saved["PYTHONPATH"]) if p)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("pycapture-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.dataSource.register(spark_module.PcapDataSource)
    try:
        yield session
    finally:
        session.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _table_rows(table: pa.Table) -> list[dict[str, Any]]:
    """The table's rows, ``ts`` as microseconds since the epoch (what a Spark TIMESTAMP holds)."""
    at = table.schema.get_field_index("ts")
    micros = pc.divide(table.column("ts").cast(pa.int64()), 1000)
    return table.set_column(at, "ts", micros).to_pylist()


def _spark_rows(frame: Any) -> list[dict[str, Any]]:
    rows = frame.selectExpr(*["unix_micros(ts) AS ts" if c == "ts" else c for c in frame.columns]).collect()
    return [row.asDict() for row in rows]


def test_schema_is_the_table_schema_in_spark_types(spark_module: ModuleType) -> None:
    schema = spark_module.SPARK_SCHEMA
    assert tuple(schema.fieldNames()) == COLUMNS
    types = {f.name: f.dataType.simpleString() for f in schema.fields}
    # unsigned -> the next wider signed type; uint64 -> bigint; ts -> timestamp
    assert types["frame_number"] == "bigint" and types["len"] == "bigint" and types["ip_id"] == "bigint"
    assert types["dst_port"] == "int" and types["eth_type"] == "int" and types["tcp_flags"] == "int"
    assert types["ip_proto"] == "smallint" and types["icmp_type"] == "smallint"
    assert types["tcp_seq"] == "bigint" and types["ts"] == "timestamp" and types["protocols"] == "string"
    assert types["malformed"] == "boolean" and not schema["malformed"].nullable and schema["ip_src"].nullable


def test_without_pyspark_the_import_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql.datasource", None)  # None: the import fails
    monkeypatch.delitem(sys.modules, "pycapture.spark", raising=False)
    with pytest.raises(ImportError, match=r"pip install '\.\[spark\]'"):
        importlib.import_module("pycapture.spark")


def test_one_partition_per_file(spark_module: ModuleType) -> None:
    reader = spark_module.PcapDataSource({"path": PCAPS}).reader(spark_module.SPARK_SCHEMA)
    partitions = reader.partitions()
    assert [p.path for p in partitions] == sorted(str(p) for p in CAPTURES.glob("*.pcap"))
    batches = list(reader.read(partitions[0]))  # what Spark gets: the Spark schema's Arrow types
    assert batches and all(b.schema.field("dst_port").type == pa.int32() for b in batches)
    assert batches[0].schema.field("ts").type == pa.timestamp("us", tz="UTC")
    small = spark_module.PcapDataSource({"path": PCAPS, "batchsize": "5"}).reader(spark_module.SPARK_SCHEMA)
    mixed = next(p for p in partitions if Path(p.path).name == "mixed.pcap")
    sizes = [b.num_rows for b in small.read(mixed)]
    assert sum(sizes) == read_table(mixed.path).num_rows > 5 and max(sizes) == 5
    with pytest.raises(ValueError, match="batchSize option must be a whole number"):
        spark_module.PcapDataSource({"path": PCAPS, "batchsize": "many"}).reader(spark_module.SPARK_SCHEMA)


def test_every_row_and_column_equals_read_table(spark: Any) -> None:
    frame = spark.read.format("pcap").load(PCAPS)
    table = read_table(PCAPS)
    assert frame.columns == list(COLUMNS)
    key = lambda row: (row["file"], row["frame_number"])  # noqa: E731
    got = sorted(_spark_rows(frame), key=key)
    assert len(got) == table.num_rows > 0
    assert got == sorted(_table_rows(table), key=key)


def test_group_by_equals_read_table(spark: Any) -> None:
    frame = spark.read.format("pcap").load(PCAPS)
    table = read_table(PCAPS)
    for column in ("ip_proto", "protocols"):
        got = {row[column]: row["count"] for row in frame.groupBy(column).count().collect()}
        assert got == dict(Counter(table.column(column).to_pylist())), column
    assert frame.count() == table.num_rows


def test_filters_dataframe_and_bpf(spark: Any) -> None:
    frame = spark.read.format("pcap").load(PCAPS)
    table = read_table(PCAPS)
    dns = frame.filter((frame.dst_port == 53) | (frame.src_port == 53)).count()
    expected = sum(1 for p in zip(*table.select(["src_port", "dst_port"]).to_pydict().values()) if 53 in p)
    assert dns == expected > 0
    bpf = spark.read.format("pcap").option("filter", "udp port 53").load(PCAPS)
    assert bpf.count() == read_table(PCAPS, filter="udp port 53").num_rows == dns


def test_list_directory_and_chosen_columns(spark: Any) -> None:
    two = [str(CAPTURES / "dns.pcap"), str(CAPTURES / "arp.pcap")]
    assert spark.read.format("pcap").load(two).count() == read_table(two).num_rows
    in_dir = sorted(str(p) for p in CAPTURES.iterdir() if p.suffix in (".pcap", ".pcapng", ".cap"))
    whole = spark.read.format("pcap").load(str(CAPTURES))
    assert whole.count() == read_table(in_dir).num_rows
    assert {row.file for row in whole.select("file").distinct().collect()} == set(in_dir)
    nano = str(CAPTURES / "mixed-nano.pcap")
    chosen = spark.read.format("pcap").schema("file string, ts timestamp, len bigint").load(nano)
    expected = read_table(nano, columns=["file", "ts", "len"])
    assert _spark_rows(chosen) == _table_rows(expected)  # the nanoseconds truncated to microseconds


def test_unknown_path_or_column_is_a_clear_error(spark: Any, tmp_path: Path) -> None:
    from pyspark.errors import AnalysisException

    missing = tmp_path / "nowhere.pcap"
    with pytest.raises(AnalysisException, match=f"{missing}: no such capture file"):
        spark.read.format("pcap").load(str(missing)).count()
    with pytest.raises(AnalysisException, match="no capture file matches this pattern"):
        spark.read.format("pcap").load(str(tmp_path / "*.pcap")).count()
    with pytest.raises(AnalysisException, match="unknown column bogus"):
        spark.read.format("pcap").schema("bogus string").load(PCAPS).count()


def test_a_big_file_is_split_at_record_boundaries(spark_module: ModuleType, spark: Any) -> None:
    mixed = str(CAPTURES / "mixed.pcap")
    size = os.path.getsize(mixed)
    splits = record_splits(mixed, 600)
    assert splits is not None and len(splits) > 3
    assert splits[0][0] == 24 and splits[-1][1] == size and splits[0][2] == 0
    assert all(a[1] == b[0] for a, b in zip(splits, splits[1:]))  # contiguous, whole records
    reader = spark_module.PcapDataSource({"path": mixed, "splitSize": "600"}).reader(
        spark_module.SPARK_SCHEMA
    )
    assert len(reader.partitions()) == len(splits)
    pieces = pa.Table.from_batches(
        [b for p in reader.partitions() for b in read_range(p.path, p.start, p.stop, p.records_before)]
    )
    assert pieces.equals(read_table(mixed))  # the parts, in order, are the whole file's table
    frame = spark.read.format("pcap").option("splitSize", "600").load(PCAPS)
    key = lambda row: (row["file"], row["frame_number"])  # noqa: E731
    assert sorted(_spark_rows(frame), key=key) == sorted(_table_rows(read_table(PCAPS)), key=key)
    # with a filter, or splitSize 0, a file is one partition; pcapng is never split
    for options in ({"filter": "tcp"}, {"splitSize": "0"}):
        one = spark_module.PcapDataSource({"path": mixed, **options}).reader(spark_module.SPARK_SCHEMA)
        assert len(one.partitions()) == 1
    assert record_splits(str(CAPTURES / "mixed.pcapng"), 600) is None
    with pytest.raises(ValueError, match="splitSize option must be a whole number of bytes"):
        spark_module.PcapDataSource({"path": PCAPS, "splitSize": "-1"}).reader(spark_module.SPARK_SCHEMA)


def test_a_cut_last_record_keeps_the_file_whole(tmp_path: Path) -> None:
    cut = tmp_path / "cut.pcap"
    data = (CAPTURES / "mixed.pcap").read_bytes()
    cut.write_bytes(data[:-5])
    assert record_splits(str(cut), 600) is None
