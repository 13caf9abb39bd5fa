"""``replay --verify``: what arrived at the far end of a replay, packet by packet.

The live tests send out of one end of a veth pair whose two ends are in one namespace of the test's
own, capture on the other end, and hold the report to tcpdump's capture of the same end (the outside
witness): loss is injected by a bridge between the two ends, in a second namespace, whose port towards
the far end has a lossy queueing discipline (netem where the kernel has it, else a token bucket too small
for the burst), and the lost packets pycapture names must be exactly those tcpdump did not see.
Duplication, reordering and alteration, which this kernel's queueing disciplines cannot inject, are held
on crafted arrivals.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pycapture import craft
from pycapture.replay import replayer
from pycapture.replay.verify import PacketOutcome, Sent, verify, write_packets
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import needs, run_cli, tool
from support.env import IN_CI
from support.traffic import frames_of

PORT = 9999
SRC_MAC, DST_MAC = "02:00:00:00:00:aa", "02:00:00:00:00:bb"


def _frame(i: int, size: int) -> bytes:
    payload = i.to_bytes(4, "big") + bytes([i % 251]) * size
    return craft.over_ethernet(craft.udp("10.9.0.1", "10.9.0.2", 40000, PORT, payload), DST_MAC, SRC_MAC)


def _number(frame: bytes) -> int:
    """The replay's packet number (1-based) of a frame of :func:`_frame`."""
    return int.from_bytes(frame[42:46], "big") + 1


@pytest.fixture
def looped() -> Iterator[tuple[str, str, str]]:
    """A namespace of the test's own holding both ends of a veth pair: (namespace, one end, the other)."""
    needs(shutil.which("ip") is not None, "iproute2's ip is not installed")
    needs(os.geteuid() == 0, "network namespaces need root")
    tag = uuid.uuid4().hex[:6]
    ns, one, other = f"pyv-{tag}", f"pyva{tag}", f"pyvb{tag}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        for args in (
            ["link", "add", one, "type", "veth", "peer", "name", other],
            ["link", "set", one, "netns", ns],
            ["link", "set", other, "netns", ns],
            ["-n", ns, "link", "set", one, "up"],
            ["-n", ns, "link", "set", other, "up"],
        ):
            subprocess.run(["ip", *args], check=True, capture_output=True)
        yield ns, one, other
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


def _write(path: Path, frames: list[bytes], gap_us: int = 10) -> None:
    with PcapWriter(str(path), 1) as writer:
        t = 1767323045 * 1_000_000
        for frame in frames:
            writer.write(t // 1_000_000, t % 1_000_000, len(frame), frame)
            t += gap_us


def _witness(ns: str, ifname: str, path: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        ["ip", "netns", "exec", ns, tool("tcpdump"), "-i", ifname, "-U", "--immediate-mode", "-B", "262144",
         "-w", str(path), "udp", "port", str(PORT)],
        stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(1.0)  # tcpdump says "listening" before its filter is on; a second is ample
    return proc


def _stop(proc: subprocess.Popen, path: Path) -> int:
    """Stop the witness once its file has stopped growing (tcpdump leaves what is still in its ring
    unwritten when it is told to stop, and on a busy machine it may be behind); the packets its kernel
    ring dropped."""
    size, still = -1, 0
    for _ in range(200):
        time.sleep(0.1)
        now = path.stat().st_size if path.exists() else 0
        still = still + 1 if now == size else 0
        size = now
        if still >= 5:
            break
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    match = re.search(rb"(\d+) packets? dropped by kernel", err)
    return int(match.group(1)) if match else 0


def _witnessed(ns: str, ifname: str, tmp_path: Path, send: Callable[[], dict]) -> tuple[dict, list[bytes]]:
    """``send()``'s result and what tcpdump captured on ``ifname`` meanwhile; tried again (up to three
    times) when tcpdump's own ring dropped packets, since the witness must have seen everything."""
    for _ in range(3):
        path = tmp_path / "witness.pcap"
        witness = _witness(ns, ifname, path)
        result = send()
        if _stop(witness, path) == 0:
            return result, frames_of(path)
    pytest.fail("tcpdump, the witness, dropped packets three times: the machine is too busy to judge")


_LIBRARY = """
import json, sys
from dataclasses import asdict
from pycapture.replay.replayer import replay
stats = replay(sys.argv[1], sys.argv[2], verify=sys.argv[3], **json.loads(sys.argv[4]))
print(json.dumps({"sent": stats.sent, "verify": asdict(stats.verify)}))
"""


def _replay_verified(ns: str, one: str, other: str, path: Path, **options: object) -> dict:
    args = [sys.executable, "-c", _LIBRARY, str(path), one, other, json.dumps(options)]
    out = subprocess.run(["ip", "netns", "exec", ns, *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.live
@pytest.mark.netns
@pytest.mark.parametrize("pace", [{"topspeed": True}, {"pps": 20000}], ids=["topspeed", "paced"])
def test_the_report_is_what_tcpdump_saw_arrive(looped, tmp_path, pace):
    ns, one, other = looped
    frames = [_frame(i, 60 + (i * 37) % 1200) for i in range(3000)]
    path = tmp_path / "replay.pcap"
    _write(path, frames)
    result, seen = _witnessed(ns, other, tmp_path, lambda: _replay_verified(ns, one, other, path, **pace))
    report = result["verify"]
    assert result["sent"] == report["sent"] == 3000
    # at top speed the far end's backlog may overflow: what counts is that both saw the same
    assert report["received"] - report["foreign"] == len(seen)  # foreign: the far end's own traffic (IPv6 ND)
    assert report["lost"] == sorted(set(range(1, 3001)) - {_number(frame) for frame in seen})
    assert report["duplicated"] == report["reordered"] == report["altered"] == []
    if "pps" in pace:
        assert seen == frames  # 20,000 packets/s is well within what a veth carries
        p50, p99, worst = report["timing_us"]  # its size is a benchmark's business: here, its sense
        assert -1000 < p50 < 100_000 and p50 <= p99 <= worst
    else:
        assert report["timing_us"] is None


@pytest.fixture
def lossy() -> Iterator[tuple[str, str, str]]:
    """Like :func:`looped`, but the two ends meet through a bridge in a second namespace whose port
    towards the far end loses packets: netem's random loss where the kernel has it, else a token bucket
    too small for a burst. A bridge forwards without telling the sender, so the loss is silent, as a
    network's is (a queueing discipline on the sending end itself would only make the sender wait)."""
    needs(shutil.which("ip") is not None and shutil.which("tc") is not None, "iproute2 is not installed")
    needs(os.geteuid() == 0, "network namespaces need root")
    tag = uuid.uuid4().hex[:6]
    ns, middle, one, other = f"pyv-{tag}", f"pyvm-{tag}", f"pyva{tag}", f"pyvb{tag}"
    into, out = f"pyvi{tag}", f"pyvo{tag}"
    for name in (ns, middle):
        subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        for args in (
            ["link", "add", one, "type", "veth", "peer", "name", into],
            ["link", "add", other, "type", "veth", "peer", "name", out],
            ["link", "set", one, "netns", ns],
            ["link", "set", other, "netns", ns],
            ["link", "set", into, "netns", middle],
            ["link", "set", out, "netns", middle],
            ["-n", middle, "link", "add", "br0", "type", "bridge"],
            ["-n", middle, "link", "set", into, "master", "br0"],
            ["-n", middle, "link", "set", out, "master", "br0"],
        ):
            subprocess.run(["ip", *args], check=True, capture_output=True)
        for name, ifname in ((ns, one), (ns, other), (middle, into), (middle, out), (middle, "br0")):
            subprocess.run(["ip", "-n", name, "link", "set", ifname, "up"], check=True, capture_output=True)
        tc = ["ip", "netns", "exec", middle, "tc", "qdisc", "add", "dev", out, "root"]
        if subprocess.run([*tc, "netem", "loss", "20%"], capture_output=True).returncode != 0:
            subprocess.run([*tc, "tbf", "rate", "20mbit", "burst", "20kb", "limit", "30kb"], check=True)
        yield ns, one, other
    finally:
        for name in (ns, middle):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


@pytest.mark.live
@pytest.mark.netns
def test_injected_loss_is_found_packet_for_packet(lossy, tmp_path):
    ns, one, other = lossy
    frames = [_frame(i, 400) for i in range(4000)]
    path = tmp_path / "replay.pcap"
    _write(path, frames)
    result, seen = _witnessed(
        ns, other, tmp_path, lambda: _replay_verified(ns, one, other, path, topspeed=True)
    )
    arrived = {_number(frame) for frame in seen}
    missing = sorted(set(range(1, 4001)) - arrived)
    report = result["verify"]
    assert missing, "the queueing discipline lost nothing: the test tests nothing"
    assert report["lost"] == missing
    assert report["received"] - report["foreign"] == len(arrived)
    assert report["duplicated"] == report["altered"] == []


@pytest.mark.live
@pytest.mark.netns
def test_the_command_exits_1_names_the_lost_packets_and_reports_each_packet(lossy, tmp_path):
    ns, one, other = lossy
    frames = [_frame(i, 400) for i in range(3000)]
    path = tmp_path / "replay.pcap"
    _write(path, frames)
    report_path = tmp_path / "outcomes.jsonl"

    def send() -> dict:
        run = subprocess.run(
            ["ip", "netns", "exec", ns, sys.executable, "-m", "pycapture", "replay", "-q", "--topspeed",
             "--if", one, "--verify", other, "--verify-report", str(report_path), str(path)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        return {"returncode": run.returncode, "stderr": run.stderr}

    run, seen = _witnessed(ns, other, tmp_path, send)
    assert run["returncode"] == 1, run["stderr"]
    assert "verify: lost: packets " in run["stderr"] and "verify: NOT intact" in run["stderr"]
    assert "Traceback" not in run["stderr"]
    packets = [json.loads(line) for line in report_path.read_text().splitlines()]
    assert [p["number"] for p in packets] == list(range(1, 3001))
    missing = sorted(set(range(1, 3001)) - {_number(frame) for frame in seen})
    assert missing, "the queueing discipline lost nothing: the test tests nothing"
    assert [p["number"] for p in packets if p["outcome"] == "lost"] == missing
    arrived = [p for p in packets if p["outcome"] != "lost"]
    assert all(p["outcome"] == "received" and p["delay_us"] is not None for p in arrived)
    assert all(p["delay_us"] is None for p in packets if p["outcome"] == "lost")


def test_verify_report_without_verify_is_a_usage_error(tmp_path):
    path = tmp_path / "one.pcap"
    _write(path, [_frame(0, 60)])
    run = run_cli("replay", str(path), "--if", "lo", "--verify-report", str(tmp_path / "r"), text=True)
    assert run.returncode == 2 and "--verify-report needs --verify" in run.stderr
    assert not (tmp_path / "r").exists()


def test_verify_on_a_missing_interface_is_a_one_line_error(tmp_path):
    path = tmp_path / "one.pcap"
    _write(path, [_frame(0, 60)])
    run = run_cli("replay", str(path), "--verify", "nosuchif0", text=True)
    assert run.returncode == 2 and "--verify is for sending" in run.stderr


def test_the_compiled_sender_is_built_in_ci():
    if IN_CI and not os.environ.get("PYCAPTURE_PURE_PYTHON"):
        assert replayer._burst is not None, "CI=true but pycapture.replay._burst was not built"
    if replayer._burst is None:
        pytest.skip("the compiled sender was not built")


# --- the matching, on crafted arrivals -------------------------------------------------------------------


def _sent(count: int) -> list[Sent]:
    return [Sent(i + 1, _frame(i, 80), 1_000 * i) for i in range(count)]


def test_duplicates_reordering_alteration_and_foreign_frames_are_told_apart():
    sent = _sent(8)
    altered = bytearray(sent[5].frame)
    altered[50] ^= 0x01
    altered[60] ^= 0xFF
    foreign = _frame(99, 30)
    received = [(10, s.frame) for s in sent[:2]]  # 1, 2
    received += [(11, sent[1].frame)]  # 2 again
    received += [(12, sent[3].frame), (13, sent[2].frame)]  # 4 before 3
    received += [(14, foreign), (15, sent[4].frame), (16, bytes(altered)), (17, sent[7].frame)]  # 7 lost
    report = verify(sent, received, paced=False, clock_offset_ns=0)
    assert report.duplicated == [2]
    assert report.reordered == [3]
    assert report.altered == [(6, [50, 60])]
    assert report.lost == [7]
    assert report.foreign == 1
    assert not report.intact
    assert report.timing_us is None
    outcomes = {p.number: p for p in report.packets}
    assert [p.number for p in report.packets] == list(range(1, 9))
    assert outcomes[7] == PacketOutcome(7, "lost")
    assert outcomes[6].outcome == "altered" and outcomes[6].altered_bytes == (50, 60)
    assert outcomes[2].duplicates == 1 and outcomes[3].reordered and not outcomes[4].reordered
    assert outcomes[1] == PacketOutcome(1, "received", (10 - 0) / 1e3)
    out = io.StringIO()
    write_packets(report, out)
    assert json.loads(out.getvalue().splitlines()[5]) == {
        "number": 6, "outcome": "altered", "delay_us": (16 - 5_000) / 1e3, "duplicates": 0,
        "reordered": False, "altered_bytes": [50, 60],
    }  # fmt: skip
    lines = report.lines()
    assert lines[0] == ("verify: 8 sent, 9 received, 1 lost, 1 duplicated, 1 reordered, 1 altered, 1 foreign")
    assert "verify: altered: packet 6, bytes at 50, 60" in lines


def test_equal_frames_match_in_the_order_they_were_sent_and_timing_is_against_the_schedule():
    frame = _frame(1, 60)
    sent = [Sent(1, frame, 1_000_000), Sent(2, frame, 2_000_000), Sent(3, frame, 3_000_000)]
    received = [(5_000 + 1_000_000 + 40_000, frame), (5_000 + 2_000_000 + 10_000, frame)]
    report = verify(sent, received, paced=True, clock_offset_ns=5_000)
    assert report.lost == [3] and report.duplicated == [] and report.reordered == []
    assert report.timing_us is not None
    p50, p99, worst = report.timing_us
    assert (p50, worst) == (25.0, 40.0) and p99 == 40.0


def test_a_clean_report_is_intact():
    sent = _sent(3)
    report = verify(sent, [(s.due_ns + 500, s.frame) for s in sent], paced=True, clock_offset_ns=0)
    assert report.intact and report.lines()[-1] == "verify: intact"
    assert report.timing_us == (0.5, 0.5, 0.5)
