"""``pycapture -q -z io,stat,...`` and ``-z expert`` from the command line: tshark's bytes from a file,
mixed with other tables in tshark's order, and live on loopback (io,stat: a row for each interval as it
ends, then the table)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from support.commands import Capture, can_capture, needs, run_cli, tool
from support.traffic import free_udp_port, send_udp

CAPTURES = Path(__file__).parents[2] / "captures"


@pytest.mark.parametrize(
    "specs",
    [
        ("io,stat,1",),
        ("io,stat,0.001,tcp,udp", "conv,tcp"),
        ("conv,udp", "io,stat,0,SUM(frame.len)frame.len,MAX(ip.ttl)ip.ttl"),
        ("io,stat,0.002,ip.src==198.51.100.20", "io,stat,0.004,dns"),
    ],
)
def test_file_tables_are_tsharks(specs: tuple[str, ...]) -> None:
    args = ["-r", str(CAPTURES / "mixed.pcap"), "-q"]
    for spec in specs:
        args += ["-z", spec]
    ours = run_cli(*args)
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run([tool("tshark"), "-n", *args], capture_output=True, check=True)
    assert ours.stdout == theirs.stdout


def _tcp_rows(text: str) -> list[str]:
    """The lines of -z expert text whose Protocol column is TCP (the rows in pycapture's scope)."""
    return [
        line for line in text.splitlines() if line[:12].strip().isdigit() and line[23:42].strip() == "TCP"
    ]


@pytest.mark.parametrize("name", ["http.pcap", "mixed.pcap"])
@pytest.mark.parametrize("specs", [("expert",), ("conv,tcp", "expert,note"), ("expert,chat", "io,stat,0")])
def test_expert_tcp_rows_and_order_are_tsharks(name: str, specs: tuple[str, ...]) -> None:
    """Other protocols' expert rows (HTTP's chats) are out of scope: the TCP rows, and every other table
    of the run, are tshark's."""
    args = ["-r", str(CAPTURES / name), "-q"]
    for spec in specs:
        args += ["-z", spec]
    ours = run_cli(*args)
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run([tool("tshark"), "-n", *args], capture_output=True, text=True, check=True).stdout
    mine = ours.stdout.decode()
    assert _tcp_rows(mine) == _tcp_rows(theirs) and _tcp_rows(mine)
    others = [s for s in specs if not s.startswith("expert")]
    for spec in others:  # the same tables around the expert text
        table = run_cli("-r", str(CAPTURES / name), "-q", "-z", spec).stdout.decode()
        assert table in mine and table in theirs


def test_json_has_a_document_per_table() -> None:
    ours = run_cli("-r", str(CAPTURES / "mixed.pcap"), "-q", "-z", "io,stat,0,udp", "--json")
    assert ours.returncode == 0, ours.stderr
    (document,) = [json.loads(line) for line in ours.stdout.decode().splitlines()]
    assert document["table"] == "IO Statistics" and document["spec"] == "io,stat,0,udp"
    (row,) = document["rows"]
    udp = subprocess.run(
        [tool("tshark"), "-n", "-r", str(CAPTURES / "mixed.pcap"), "-Y", "udp"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert row["udp"]["frames"] == len(udp)


@pytest.mark.parametrize(
    "spec",
    ["io,stat", "io,stat,-1", "io,stat,1,tcp.port==80", "io,stat,1,LOAD(x)x", "expert,warn,tcp", "experts"],
)
def test_bad_spec_is_a_usage_error(spec: str) -> None:
    res = run_cli("-r", str(CAPTURES / "mixed.pcap"), "-q", "-z", spec)
    err = res.stderr.decode()
    assert res.returncode == 2 and "Traceback" not in err
    assert f"-z {spec}:" in err and len(err.strip().splitlines()[-1]) < 400


def test_live_prints_each_interval_as_it_ends_then_the_table() -> None:
    needs(can_capture(), "no permission to capture (run as root or grant CAP_NET_RAW)")
    port = free_udp_port()
    cap = Capture(["-i", "lo", "-q", "-z", "io,stat,0.5", "udp", "dst", "port", str(port)])
    send_udp(port, 10, interval=0.05)  # about 0.5 s of datagrams
    time.sleep(0.7)
    send_udp(port, 1)  # a batch after the first interval ended: its row is printed now
    first = cap.stdout_line()
    assert first == "-z io,stat,0.5:\n"
    row = cap.stdout_line()
    assert row.startswith("| 0.0 <> 0.5 |"), row
    time.sleep(0.3)
    cap.proc.send_signal(signal.SIGINT)
    status, out, err = cap.finish()
    assert status == 0, err
    table = out[out.index("\n====") :]
    assert "| IO Statistics" in table and "| Interval: 0.5 secs" in table
    frames = sum(int(line.split("|")[2]) for line in table.splitlines() if " <> " in line)
    assert frames == 11
