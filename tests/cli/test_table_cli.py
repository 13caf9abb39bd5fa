"""``pycapture convert`` and ``pycapture sql``: the tables they write and print, read back with pyarrow and
DuckDB, counted against tcpdump, capinfos and tshark."""

from __future__ import annotations

import collections
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from support.commands import run_cli, tool
from support.env import CAPTURES
from support.hostile import udp_frame, write_pcap

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb")

MIXED = CAPTURES / "mixed.pcap"


def _tcpdump_count(path: Path, *expression: str) -> int:
    out = subprocess.run(
        [tool("tcpdump"), "-n", "-r", str(path), *expression], capture_output=True, text=True, check=True
    )
    return len(out.stdout.splitlines())


def _ok(res: subprocess.CompletedProcess) -> str:
    err = res.stderr.decode()
    assert res.returncode == 0, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl", ".arrow"])
def test_convert_writes_every_packet_in_the_format_of_the_suffix(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"mixed{suffix}"
    err = _ok(run_cli("convert", str(MIXED), "-o", str(out)))
    expected = _tcpdump_count(MIXED)
    if suffix == ".parquet":
        table = pq.read_table(out)
    elif suffix == ".arrow":
        table = pa.ipc.open_file(out).read_all()
    elif suffix == ".csv":
        import pyarrow.csv as pcsv

        table = pcsv.read_csv(out)
    else:
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert len(rows) == expected and rows[0]["frame_number"] == 1
        return
    assert table.num_rows == expected
    assert f"{expected:,} packets from 1 of 1 files" in err
    assert not list(tmp_path.glob("*.part"))


def test_convert_counts_agree_with_capinfos_and_the_filter_with_tcpdump(tmp_path: Path) -> None:
    out = tmp_path / "udp.parquet"
    _ok(run_cli("convert", str(MIXED), "-o", str(out), "udp"))
    assert pq.read_table(out).num_rows == _tcpdump_count(MIXED, "udp")
    capinfos = subprocess.run(
        [tool("capinfos"), "-T", "-r", "-c", str(MIXED)], capture_output=True, text=True, check=True
    )
    everything = tmp_path / "all.parquet"
    _ok(run_cli("convert", str(MIXED), "-o", str(everything), "-c", "5"))
    assert pq.read_table(everything).num_rows == min(5, int(capinfos.stdout.split("\t")[-1]))


def test_columns_and_partitions(tmp_path: Path) -> None:
    out = tmp_path / "cols.parquet"
    _ok(run_cli("convert", str(MIXED), "-o", str(out), "--columns", "ts,ip_src,dst_port"))
    assert pq.read_table(out).column_names == ["ts", "ip_src", "dst_port"]
    folder = tmp_path / "parts"
    _ok(run_cli("convert", str(MIXED), "-o", str(folder), "--partition", "hour"))
    parts = sorted(folder.glob("date=*/hour=*/*.parquet"))
    assert parts, list(folder.rglob("*"))
    assert sum(pq.read_table(p).num_rows for p in parts) == _tcpdump_count(MIXED)


def test_an_unknown_column_is_a_usage_error_that_lists_the_columns(tmp_path: Path) -> None:
    res = run_cli("convert", str(MIXED), "-o", str(tmp_path / "x.parquet"), "--columns", "ts,nope")
    err = res.stderr.decode()
    assert res.returncode == 2 and "Traceback" not in err
    assert "unknown column nope" in err and "ip_src" in err
    assert not list(tmp_path.iterdir())


def test_a_damaged_file_ends_at_the_damage_and_the_others_are_converted(tmp_path: Path) -> None:
    good = tmp_path / "good.pcap"
    write_pcap(good, [udp_frame(i) for i in range(10)])
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(good.read_bytes()[:-20])
    out = tmp_path / "both.parquet"
    res = run_cli("convert", str(cut), str(good), "-o", str(out))
    err = res.stderr.decode()
    assert res.returncode == 1 and "Traceback" not in err
    assert any(line.startswith("pycapture: ") and "truncated" in line for line in err.splitlines()), err
    assert pq.read_table(out).num_rows == 9 + 10
    assert not list(tmp_path.glob("*.part"))


def test_sql_runs_duckdb_over_the_packets_and_agrees_with_tshark() -> None:
    query = "SELECT ip_proto, count(*) AS n FROM packets GROUP BY 1 ORDER BY 1"
    res = run_cli("sql", query, "-r", str(MIXED), "--format", "json")
    _ok(res)
    ours = {row["ip_proto"]: row["n"] for row in map(json.loads, res.stdout.decode().splitlines())}
    fields = subprocess.run(
        [tool("tshark"), "-r", str(MIXED), "-T", "fields", "-e", "ip.proto", "-e", "ipv6.nxt"],
        capture_output=True,
        text=True,
        check=True,
    )
    theirs: collections.Counter[int | None] = collections.Counter()
    for line in fields.stdout.splitlines():
        v4, _, v6 = line.partition("\t")
        first = (v4 or v6).split(",")[0]
        theirs[int(first) if first else None] += 1
    assert ours == dict(theirs)


def test_sql_prints_duckdbs_box_and_a_bad_query_is_one_line() -> None:
    res = run_cli("sql", "SELECT count(*) AS packets FROM packets", "-r", str(MIXED))
    _ok(res)
    assert str(_tcpdump_count(MIXED)) in res.stdout.decode()
    bad = run_cli("sql", "SELECT nope FROM packets", "-r", str(MIXED))
    err = bad.stderr.decode()
    assert bad.returncode == 2 and "Traceback" not in err and "the query failed" in err


def _on_a_terminal(*args: str) -> tuple[int, str]:
    """Run ``pycapture ARGS`` with its stderr on a pseudo-terminal: (exit status, what the terminal got)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "pycapture", *args], stdout=subprocess.DEVNULL, stderr=slave
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side has closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return process.wait(timeout=120), b"".join(chunks).decode()


def test_convert_shows_progress_on_a_terminal_then_one_summary_line(tmp_path: Path) -> None:
    sources = [str(CAPTURES / "mixed.pcap"), str(CAPTURES / "dns.pcap"), str(CAPTURES / "mixed.pcapng")]
    status, text = _on_a_terminal("convert", *sources, "-o", str(tmp_path / "p.parquet"))
    assert status == 0, text
    assert "\r\x1b[K[" in text and " packets, " in text and " MB, " in text and "packets/s, ETA" in text
    last = text.replace("\r\x1b[K", "\n").strip().splitlines()[-1]
    assert last.startswith("pycapture: ") and "from 3 of 3 files" in last and "packets/s" in last, last
    plain = run_cli("convert", *sources, "-o", str(tmp_path / "q.parquet"))  # not a terminal: no bar
    assert plain.returncode == 0 and "\x1b[K" not in plain.stderr.decode()
    assert len(plain.stderr.decode().strip().splitlines()) == 1
