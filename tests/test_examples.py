"""Each of examples/ (Python versions of Pcap4J's samples) runs and does what it says."""

from __future__ import annotations

import os
import subprocess
import sys

import pcapy

from support.commands import Capture, run_cli
from support.env import CAPTURES, ROOT
from support.traffic import free_udp_port, send_udp

EXAMPLES = ROOT / "examples"


def _example(name: str) -> list[str]:
    return [sys.executable, str(EXAMPLES / name)]


def test_get_next_packet_ex_prints_layered_packets_and_stats(live):
    port = free_udp_port()
    cap = Capture(
        ["--if", "lo", "-c", "2", "udp", "dst", "port", str(port)], command=_example("get_next_packet_ex.py")
    )
    send_udp(port, 2)
    status, out, err = cap.finish()
    assert status == 0, err
    assert out.count("[Ethernet Header (14 bytes)]") == 2
    assert out.count("[UDP Header (8 bytes)]") == 2 and f"Destination port: {port}" in out
    assert "ps_recv: " in out and "ps_drop: 0" in out


def test_loop_prints_one_summary_per_packet(live):
    port = free_udp_port()
    cap = Capture(["--if", "lo", "-c", "3", "udp", "dst", "port", str(port)], command=_example("loop.py"))
    send_udp(port, 3)
    status, out, err = cap.finish()
    assert status == 0, err
    lines = out.splitlines()
    assert len(lines) == 4 and lines[-1].startswith("3 packets;")
    assert all(f"> 127.0.0.1.{port}: UDP, length 15" in line for line in lines[:3])


def test_dump_writes_the_packets(live, tmp_path):
    port = free_udp_port()
    out_file = tmp_path / "dump.pcap"
    cap = Capture(
        [str(out_file), "--if", "lo", "-c", "2", "udp", "dst", "port", str(port)], command=_example("dump.py")
    )
    send_udp(port, 2)
    status, _, err = cap.finish()
    assert status == 0, err
    reader = pcapy.open_offline(str(out_file))
    payloads = []
    while (record := reader.next())[0] is not None:
        payloads.append(record[1][-15:])
    assert payloads == [b"pycapture-test0", b"pycapture-test1"]


def test_read_packet_file_prints_what_the_cli_prints_with_v():
    path = str(CAPTURES / "dns.pcap")
    utc = {**os.environ, "TZ": "UTC"}
    res = subprocess.run([*_example("read_packet_file.py"), path], capture_output=True, text=True, env=utc)
    assert res.returncode == 0, res.stderr
    cli = run_cli("-v", "-r", path, env=utc).stdout.decode()
    strip = lambda text: [b.split("\n", 1)[1] for b in text.split("\n\n") if b.strip()]  # noqa: E731
    assert strip(res.stdout) == strip(cli) and strip(cli)
