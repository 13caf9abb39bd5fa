"""``pycapture -i IF -w out.parquet``: live capture to a table, rotated as -G, -C and -b rotate pcap files.

Live tests capture on loopback the UDP datagrams they send to 127.0.0.1 themselves; each file is read back
with pyarrow (or DuckDB) once the capture is over, and no ``.part`` file may be left anywhere.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from support.commands import Capture, run_cli
from support.env import CAPTURES
from support.traffic import free_udp_port, send_udp

pa = pytest.importorskip("pyarrow", reason="table output needs the table extra: pip install '.[table]'")
pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb")

from pycapture.cli.table import FORMATS  # noqa: E402
from pycapture.table.writer import WRITERS, TableWriter  # noqa: E402

MIXED = CAPTURES / "mixed.pcap"
PAYLOAD = b"pycapture-test"  # what support.traffic.send_udp sends, then the datagram's number


def _ok(status: int, err: str) -> None:
    assert status == 0, err
    assert "Traceback" not in err


def _no_part(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".part")]


def _rows(files: list[Path]) -> list[dict]:
    """The rows of the files in order, each file read whole by pyarrow (so each must be complete)."""
    rows: list[dict] = []
    for path in files:
        rows += pq.read_table(path, columns=["frame_number", "dst_port", "payload_len"]).to_pylist()
    return rows


def _payload_lengths(count: int) -> list[int]:
    return [len(PAYLOAD + str(i).encode()) for i in range(count)]


def _capture(args: list[str], port: int) -> Capture:
    return Capture(["-i", "lo", "--timeout-ms", "50", *args, "udp", "dst", "port", str(port)])


def _stop(cap: Capture, sig: int = signal.SIGINT) -> tuple[int, str, str]:
    time.sleep(0.4)  # past the buffer timeout: what was sent is delivered before the signal
    cap.proc.send_signal(sig)
    return cap.finish()


# --- one file ---------------------------------------------------------------------------------------------


@pytest.mark.live
def test_count_writes_exactly_the_datagrams_sent(live, tmp_path: Path) -> None:
    port, out = free_udp_port(), tmp_path / "x.parquet"
    cap = _capture(["-c", "6", "-w", str(out)], port)
    send_udp(port, 9)
    status, _, err = cap.finish()
    _ok(status, err)
    assert "6 packets captured" in err
    table = pq.read_table(out)
    assert table.schema.names[:3] == ["file", "frame_number", "ts"]
    got = table.select(["frame_number", "interface", "ip_src", "ip_dst", "dst_port", "payload_len"])
    assert got.to_pylist() == [
        {"frame_number": i + 1, "interface": "lo", "ip_src": "127.0.0.1", "ip_dst": "127.0.0.1",
         "dst_port": port, "payload_len": n}
        for i, n in enumerate(_payload_lengths(6))
    ]  # fmt: skip
    count = duckdb.sql(f"SELECT count(*) FROM '{out}' WHERE dst_port = {port}").fetchall()
    assert count == [(6,)]
    _no_part(tmp_path)


@pytest.mark.live
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_leaves_a_valid_file_and_exits_as_pcap_does(live, tmp_path: Path, sig: int) -> None:
    statuses = []
    for name in ("x.pcap", "x.parquet"):
        port = free_udp_port()
        cap = _capture(["-w", str(tmp_path / name)], port)
        send_udp(port, 5)
        status, _, err = _stop(cap, sig)
        assert "Traceback" not in err
        assert "5 packets captured" in err
        statuses.append(status)
    assert statuses[1] == statuses[0] == 0
    assert _rows([tmp_path / "x.parquet"]) == [
        {"frame_number": i + 1, "dst_port": port, "payload_len": n} for i, n in enumerate(_payload_lengths(5))
    ]
    _no_part(tmp_path)


@pytest.mark.live
def test_a_signal_within_the_buffer_timeout_still_writes_what_the_kernel_holds(live, tmp_path: Path) -> None:
    """As pcap -w drains at Ctrl-C: the packets the kernel accepted but had not yet handed over."""
    port, out = free_udp_port(), tmp_path / "x.parquet"
    cap = Capture(["-i", "lo", "--timeout-ms", "1000", "-w", str(out), "udp", "dst", "port", str(port)])
    send_udp(port, 5, interval=0.001)
    time.sleep(0.1)
    cap.proc.send_signal(signal.SIGINT)
    status, _, err = cap.finish()
    _ok(status, err)
    assert "5 packets captured" in err
    assert [r["frame_number"] for r in _rows([out])] == [1, 2, 3, 4, 5]
    _no_part(tmp_path)


@pytest.mark.live
def test_a_signal_before_any_packet_leaves_an_empty_valid_table(live, tmp_path: Path) -> None:
    out = tmp_path / "empty.parquet"
    status, _, err = _stop(_capture(["-w", str(out)], free_udp_port()))
    _ok(status, err)
    table = pq.read_table(out)
    assert table.num_rows == 0 and len(table.schema) == 38
    _no_part(tmp_path)


# --- rotation ---------------------------------------------------------------------------------------------


@pytest.mark.live
def test_g_rotation_makes_a_readable_file_a_second(live, tmp_path: Path) -> None:
    port = free_udp_port()
    cap = _capture(["-G", "1", "-w", str(tmp_path / "g-%H%M%S.parquet")], port)
    send_udp(port, 30, interval=0.1)  # 3 s
    status, _, err = _stop(cap)
    _ok(status, err)
    files = sorted(tmp_path.glob("g-*.parquet"))
    assert len(files) >= 2, files
    assert all(re.fullmatch(r"g-\d{6}\.parquet", p.name) for p in files)
    rows = _rows(files)
    assert [r["payload_len"] for r in rows] == _payload_lengths(30)
    assert [r["frame_number"] for r in rows] == list(range(1, 31))
    _no_part(tmp_path)


@pytest.mark.live
def test_c_rotation_numbers_the_files_as_tcpdump_does(live, tmp_path: Path) -> None:
    port = free_udp_port()
    limit = 8 * 1024
    cap = _capture(["-C", "8k", "-w", str(tmp_path / "c.parquet")], port)
    send_udp(port, 300, interval=0.003)
    status, _, err = _stop(cap)
    _ok(status, err)
    names = {p.name for p in tmp_path.iterdir()}
    files = [tmp_path / "c.parquet"] + [tmp_path / f"c.parquet{i}" for i in range(1, len(names))]
    assert {p.name for p in files} == names and len(files) >= 2
    assert [r["payload_len"] for r in _rows(files)] == _payload_lengths(300)
    assert all(p.stat().st_size > limit for p in files[:-1])  # a file is left once it is over the size
    _no_part(tmp_path)


def _dumpcap_files(folder: Path, stem: str) -> list[Path]:
    files = sorted(folder.glob(f"{stem}_*.parquet"))
    assert all(re.fullmatch(rf"{stem}_\d{{5}}_\d{{14}}\.parquet", p.name) for p in files)
    return files


@pytest.mark.live
def test_b_ring_keeps_the_newest_two_files(live, tmp_path: Path) -> None:
    port = free_udp_port()
    cap = _capture(["-b", "filesize:8", "-b", "files:2", "-w", str(tmp_path / "ring.parquet")], port)
    send_udp(port, 300, interval=0.003)
    status, _, err = _stop(cap)
    _ok(status, err)
    files = _dumpcap_files(tmp_path, "ring")
    assert len(files) == 2
    assert int(files[0].name[5:10]) >= 3  # older files were made, and deleted
    numbers = [r["frame_number"] for r in _rows(files)]
    assert numbers == list(range(numbers[0], 301))  # the newest rows, each once, in order
    _no_part(tmp_path)


@pytest.mark.live
def test_b_packets_splits_batches_exactly(live, tmp_path: Path) -> None:
    port = free_udp_port()
    cap = _capture(["-c", "10", "-b", "packets:4", "-w", str(tmp_path / "p.parquet")], port)
    send_udp(port, 10, interval=0)  # sent at once: they come in one batch or few
    status, _, err = cap.finish()
    _ok(status, err)
    files = _dumpcap_files(tmp_path, "p")
    assert [pq.read_metadata(p).num_rows for p in files] == [4, 4, 2]
    assert [r["frame_number"] for r in _rows(files)] == list(range(1, 11))


# --- a saved capture, other formats ---------------------------------------------------------------------


def test_read_file_to_parquet_equals_convert(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "r.parquet", tmp_path / "convert.parquet"
    res = run_cli("-r", str(MIXED), "-w", str(ours))
    _ok(res.returncode, res.stderr.decode())
    res = run_cli("convert", str(MIXED), "-o", str(theirs))
    _ok(res.returncode, res.stderr.decode())
    assert pq.read_table(ours).equals(pq.read_table(theirs))
    filtered = tmp_path / "f.parquet"
    res = run_cli("-r", str(MIXED), "-c", "3", "-w", str(filtered), "udp")
    _ok(res.returncode, res.stderr.decode())
    assert "3 packets captured" in res.stderr.decode()
    expected = pq.read_table(theirs).filter(pa.compute.equal(pq.read_table(theirs)["ip_proto"], 17))
    assert pq.read_table(filtered).drop(["frame_number"]).equals(expected.slice(0, 3).drop(["frame_number"]))


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_format_option_writes_the_same_bytes_as_convert(tmp_path: Path, kind: str) -> None:
    ours, theirs = tmp_path / "out.data", tmp_path / f"convert.{kind}"
    res = run_cli("-r", str(MIXED), "--format", kind, "-w", str(ours))
    _ok(res.returncode, res.stderr.decode())
    _ok(*(lambda r: (r.returncode, r.stderr.decode()))(run_cli("convert", str(MIXED), "-o", str(theirs))))
    assert ours.read_bytes() == theirs.read_bytes()


def test_the_table_formats_of_the_cli_are_the_writers(tmp_path: Path) -> None:
    assert FORMATS == WRITERS
    with pytest.raises(ValueError, match="unknown table format 'xlsx'"):
        TableWriter(str(tmp_path / "x.xlsx"), "xlsx", pa.schema([]))
    assert not list(tmp_path.iterdir())


# --- errors -----------------------------------------------------------------------------------------------


def _one_line(res) -> str:
    err = res.stderr.decode()
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("pycapture: ")]
    assert len(lines) == 1, err
    return lines[0]


def test_an_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    res = run_cli("-r", str(MIXED), "-w", str(tmp_path / "file" / "x.parquet"))
    assert res.returncode == 1
    assert "x.parquet: Not a directory" in _one_line(res)
    res = run_cli("-r", str(MIXED), "-w", "/proc/x.parquet")
    assert res.returncode == 1
    assert "/proc/x.parquet: No such file or directory" in _one_line(res)


def test_without_pyarrow_the_error_names_the_extra(tmp_path: Path) -> None:
    fake = tmp_path / "pyarrow"  # an installation without the extra: importing pyarrow fails
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError(\"No module named 'pyarrow'\")\n")
    paths = [str(tmp_path), *os.environ.get("PYTHONPATH", "").split(os.pathsep), *sys.path]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    res = run_cli("-r", str(MIXED), "-w", str(tmp_path / "x.parquet"), env=env)
    assert res.returncode == 1
    assert "pip install '.[table]'" in _one_line(res)
    assert not (tmp_path / "x.parquet").exists() and not (tmp_path / "x.parquet.part").exists()
    res = run_cli("-r", str(MIXED), "-w", str(tmp_path / "x.pcap"), env=env)  # pcap needs no pyarrow
    assert res.returncode == 0, res.stderr.decode()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "xlsx", "-w", "x"], "Invalid value for '--format'"),
        (["--format", "parquet"], "give -w FILE too"),
        (["--format", "parquet", "-w", "-"], "not to stdout"),
        (["--pcapng", "-w", "x.parquet"], "not for a parquet table"),
        (["--print", "-w", "x.parquet"], "not with a parquet table"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    res = run_cli("-r", str(MIXED), *args)
    assert res.returncode == 2
    assert message in res.stderr.decode()
