"""``--workers N``: one live capture spread over N processes with PACKET_FANOUT in hash mode.

Frames of many UDP flows are sent from one end of a veth pair (``pycapture replay``) at a rate the
machine keeps up with, and the far end is captured with two workers: every frame lands in exactly one
worker's file, each flow in one file only, both workers get a share, the statistics are summed and shown
per worker, and a stop signal to the parent alone leaves every file valid. ``--json`` lines from the
workers never mix. The combinations that cannot work are usage errors.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from pycapture import craft
from pycapture.savefile.pcap_writer import PcapWriter
from pycapture.workers import fanout_available, worker_path
from support.commands import Capture, run_cli
from support.traffic import frames_of

FLOWS = 64


def _frames(pair, count: int) -> list[bytes]:
    return [
        craft.over_ethernet(
            craft.udp(pair.addr_a, pair.addr_b, 20000 + i % FLOWS, 7000, i.to_bytes(4, "big") + bytes(80)),
            "02:00:00:00:00:bb",
            "02:00:00:00:00:aa",
        )
        for i in range(count)
    ]


def _send(pair, tmp_path, frames: list[bytes]) -> None:
    path = tmp_path / "send.pcap"
    with PcapWriter(str(path), 1) as writer:
        for i, frame in enumerate(frames):
            writer.write(1767323045, i, len(frame), frame)
    sent = subprocess.run(
        [*pair.exec_prefix(pair.ns_a), sys.executable, "-m", "pycapture", "replay", "-q", "--pps", "5000",
         "--if", pair.if_a, str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr


def _both_listening(capture: Capture) -> None:
    """Wait for the second worker's banner (Capture returns at the first)."""
    assert capture.proc.stderr is not None
    deadline = time.monotonic() + 20
    while sum("listening on" in line for line in capture.banner) < 2 and time.monotonic() < deadline:
        capture.banner.append(capture.proc.stderr.readline().decode())
    time.sleep(0.5)


def _two_workers(pair, tmp_path, output: list[str], frames: list[bytes]) -> tuple[str, str]:
    """Capture the UDP flows with two workers writing ``output`` while ``frames`` are sent, stop the parent
    alone with SIGINT (it stops its workers), and return its standard output and error."""
    args = ["--workers", "2", *output, "-i", pair.if_b, "udp", "port", "7000"]
    capture = Capture(args, pair.exec_prefix(pair.ns_b))
    _both_listening(capture)
    _send(pair, tmp_path, frames)
    time.sleep(1.0)
    capture.proc.send_signal(signal.SIGINT)
    status, out, err = capture.finish(timeout=30)
    assert status == 0, err
    return out, err


pytestmark = pytest.mark.skipif(not fanout_available(), reason="PACKET_FANOUT is Linux's")


@pytest.mark.live
@pytest.mark.netns
def test_two_workers_share_the_flows_and_sum_their_statistics(netns_pair, tmp_path):
    pair = netns_pair
    frames = _frames(pair, 2000)
    out = tmp_path / "w.pcap"
    _, err = _two_workers(pair, tmp_path, ["-w", str(out)], frames)
    files = [frames_of(worker_path(str(out), i, 2)) for i in range(2)]
    assert all(files), "a worker got no packets: the kernel did not spread the flows"
    assert sorted(files[0] + files[1]) == sorted(frames)
    sport = [{int.from_bytes(f[34:36], "big") for f in got} for got in files]
    assert not sport[0] & sport[1], "a flow was split between workers"
    assert "2000 packets captured" in err
    for i, got in enumerate(files):
        assert f"worker {i}: {len(got)} packets captured" in err


@pytest.mark.live
@pytest.mark.netns
def test_json_lines_of_two_workers_never_mix(netns_pair, tmp_path):
    pair = netns_pair
    frames = _frames(pair, 1500)
    out, _ = _two_workers(pair, tmp_path, ["--json"], frames)
    lines = out.splitlines()
    assert len(lines) == 1500
    ports = sorted(json.loads(line)["layers"][2]["srcport"] for line in lines)
    assert ports == sorted(20000 + i % FLOWS for i in range(1500))


@pytest.mark.live
@pytest.mark.netns
def test_two_workers_write_one_parquet_table_each_that_duckdb_reads_as_one(netns_pair, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    pair = netns_pair
    frames = _frames(pair, 1200)
    out = tmp_path / "w.parquet"
    _two_workers(pair, tmp_path, ["-w", str(out)], frames)
    paths = [worker_path(str(out), i, 2) for i in range(2)]
    rows = duckdb.sql(
        f"SELECT src_port, count(*) AS n, count(DISTINCT filename) AS files FROM read_parquet({paths!r}, "
        "filename=true) GROUP BY src_port ORDER BY src_port"
    ).fetchall()
    assert [port for port, _, _ in rows] == list(range(20000, 20000 + FLOWS))
    assert sum(n for _, n, _ in rows) == 1200
    assert all(files == 1 for _, _, files in rows), "a flow was split between the workers' tables"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-r", "x.pcap"], "leave it out with -r"),
        (["-w", "-"], "give -w a file name"),
        (["-q", "-z", "io,phs"], "-z needs every packet in one process"),
    ],
)
def test_workers_where_they_cannot_work_are_usage_errors(args, words):
    run = run_cli("--workers", "2", *args, text=True)
    assert run.returncode == 2 and words in run.stderr, run.stderr


@pytest.mark.live
def test_a_missing_interface_is_told_once_not_by_every_worker(live):
    run = run_cli("--workers", "3", "--json", "-i", "nosuchif0", text=True)
    assert run.returncode == 1, run.stderr
    assert run.stderr.count("nosuchif0") == 1 and "Traceback" not in run.stderr, run.stderr
