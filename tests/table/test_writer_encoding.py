"""Parquet written by pycapture: the columns of few values as a dictionary, the others plain, and a
conversion in row groups of CONVERT_ROWS rows."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from pycapture.table import read_table
from pycapture.table.schema import FEW_VALUES
from pycapture.table.writer import CONVERT_ROWS
from support.commands import run_cli
from support.env import CAPTURES


def test_dictionary_only_for_columns_of_few_values(tmp_path: Path) -> None:
    out = tmp_path / "m.parquet"
    source = str(CAPTURES / "mixed.pcap")
    result = run_cli("convert", source, "-o", str(out))
    assert result.returncode == 0, result.stderr
    meta = pq.ParquetFile(out).metadata
    group = meta.row_group(0)
    encodings = {group.column(i).path_in_schema: group.column(i).encodings for i in range(group.num_columns)}
    assert "RLE_DICTIONARY" in encodings["protocols"] and "RLE_DICTIONARY" in encodings["ip_src"]
    assert "RLE_DICTIONARY" not in encodings["community_id"] and "RLE_DICTIONARY" not in encodings["tcp_seq"]
    assert set(FEW_VALUES) <= set(encodings)
    assert all(meta.row_group(i).num_rows <= CONVERT_ROWS for i in range(meta.num_row_groups))
    assert pq.read_table(out).equals(read_table(source))
