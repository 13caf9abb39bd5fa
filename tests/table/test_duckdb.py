"""DuckDB runs real queries over read_table()'s Arrow table, and its counts are pycapture's own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")

import pycapture  # noqa: E402
from pycapture.capture import backends  # noqa: E402
from pycapture.packet import frame_linktype  # noqa: E402
from pycapture.table import read_batches, read_table  # noqa: E402


def _decoded(paths: list[Path]) -> list[tuple[str, pycapture.PcapPacket]]:
    out = []
    for path in paths:
        try:
            handle = backends.open_offline(str(path))  # tshark's reading of what libpcap refuses
        except pycapture.PcapError:
            continue
        with handle:
            try:
                for sec, frac, length, data in handle.records():
                    linktype = frame_linktype(data, handle.datalink)  # a pcapng file may mix link types
                    packet = pycapture.PcapPacket(bytes(data), sec, frac, length, linktype, handle.nanosecond)
                    out.append((str(path), packet))
            except pycapture.PcapError:
                pass
    return out


def _readable(paths: list[Path]) -> list[Path]:
    good = []
    for path in paths:
        try:
            for _ in read_batches(path, columns=["len"]):
                pass
        except pycapture.PcapError:
            continue
        good.append(path)
    return good


def _check(paths: list[Path]) -> None:
    packets = read_table(paths)  # noqa: F841 - DuckDB finds it by its name
    expected = _decoded(paths)
    assert duckdb.sql("SELECT count(*) FROM packets").fetchall()[0] == (len(expected),)

    per_file = dict(duckdb.sql("SELECT file, count(*) FROM packets GROUP BY 1").fetchall())
    assert per_file == dict(Counter(f for f, _ in expected))

    tcp = duckdb.sql("SELECT count(*) FROM packets WHERE tcp_flags IS NOT NULL").fetchall()[0]
    assert tcp == (sum(1 for _, p in expected if p.decoded.get("tcp") is not None),)

    sources = dict(
        duckdb.sql("SELECT ip_src, count(*) FROM packets WHERE ip_src IS NOT NULL GROUP BY 1").fetchall()
    )
    want: Counter[str] = Counter()
    for _, p in expected:
        ip = next((layer for layer in p.decoded.layers if layer.name in ("ip", "ipv6")), None)
        if ip is not None:
            want[ip.get("src")] += 1
    assert sources == dict(want)

    byte_sum = duckdb.sql("SELECT sum(len)::BIGINT, max(cap_len) FROM packets").fetchall()[0]
    assert byte_sum == (sum(p.original_length for _, p in expected), max(len(p.raw) for _, p in expected))

    flows = duckdb.sql(
        "SELECT community_id, count(DISTINCT ip_src) FROM packets WHERE community_id IS NOT NULL GROUP BY 1"
    ).fetchall()
    assert flows and all(n <= 2 for _, n in flows)  # both directions of a flow, one ID

    hourly = duckdb.sql("SELECT date_trunc('hour', ts) AS h, count(*) FROM packets GROUP BY 1").fetchall()
    assert sum(n for _, n in hourly) == len(expected)


def test_duckdb_over_the_captures(capture_files: list[Path]) -> None:
    _check(capture_files)


def test_duckdb_over_the_corpus(corpus_files: list[Path]) -> None:
    if not corpus_files:
        pytest.skip("../shared/corpus is not present")
    _check(_readable(corpus_files))
