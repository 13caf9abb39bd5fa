"""-w on a live capture goes straight from libpcap's callback to the file (pycapture.capture._spool).

Frames are sent at top speed from one end of a veth pair (``pycapture replay``), and the far end is
captured with ``-w`` by pycapture and, as the outside witness, by tcpdump: both files must hold the same
frames, in order. ``-c`` stops at exactly its count, Ctrl-C leaves a valid file, standard output works,
and a write that fails midway (the file-size limit of ``prlimit --fsize``) cuts the file back to its last
whole record and says so in one line.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time

import pytest

from pycapture import craft
from pycapture.capture import handle as handle_module
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import Capture, needs, tool
from support.env import IN_CI
from support.traffic import frames_of

PORT = 9998


def _frames(pair, count: int) -> list[bytes]:
    return [
        craft.over_ethernet(
            craft.udp(pair.addr_a, pair.addr_b, 40000, PORT, i.to_bytes(4, "big") + bytes(60 + i % 900)),
            "02:00:00:00:00:bb",
            "02:00:00:00:00:aa",
        )
        for i in range(count)
    ]


def _write(path, frames: list[bytes]) -> None:
    with PcapWriter(str(path), 1) as writer:
        for i, frame in enumerate(frames):
            writer.write(1767323045, i, len(frame), frame)


def _send(pair, path) -> None:
    sent = subprocess.run(
        [*pair.exec_prefix(pair.ns_a), sys.executable, "-m", "pycapture", "replay", "-q", "--topspeed",
         "--if", pair.if_a, str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr


def _settle(path) -> None:
    """Wait until ``path`` stops growing (the receivers are behind on a busy machine)."""
    size, still = -1, 0
    for _ in range(200):
        time.sleep(0.1)
        now = path.stat().st_size if path.exists() else 0
        still, size = (still + 1 if now == size else 0), now
        if still >= 5:
            return


def test_the_compiled_spooler_is_built_in_ci():
    if IN_CI:
        assert handle_module._spool is not None, "CI=true but pycapture.capture._spool was not built"
    if handle_module._spool is None:
        pytest.skip("the compiled spooler was not built")


@pytest.mark.live
@pytest.mark.netns
def test_w_holds_what_tcpdump_holds_at_top_speed(netns_pair, tmp_path):
    pair = netns_pair
    frames = _frames(pair, 20000)
    _write(tmp_path / "send.pcap", frames)
    prefix = pair.exec_prefix(pair.ns_b)
    args = ["-i", pair.if_b, "udp", "port", str(PORT)]
    ours = Capture(["-w", str(tmp_path / "ours.pcap"), *args], prefix)
    theirs = Capture(["-w", str(tmp_path / "theirs.pcap"), *args], prefix, command=[tool("tcpdump")])
    _send(pair, tmp_path / "send.pcap")
    for name in ("ours.pcap", "theirs.pcap"):
        _settle(tmp_path / name)
    for cap in (ours, theirs):
        cap.proc.send_signal(signal.SIGINT)
    status, _, err = ours.finish()
    theirs.finish()
    assert status == 0, err
    got, witness = frames_of(tmp_path / "ours.pcap"), frames_of(tmp_path / "theirs.pcap")
    assert got == witness
    if "0 packets dropped by kernel" in err:
        assert got == frames
    assert f"{len(got)} packets captured" in err


@pytest.mark.live
@pytest.mark.netns
def test_c_stops_at_its_count_and_standard_output_is_a_file(netns_pair, tmp_path):
    pair = netns_pair
    frames = _frames(pair, 3000)
    _write(tmp_path / "send.pcap", frames)
    prefix = pair.exec_prefix(pair.ns_b)
    counted = Capture(["-c", "1234", "-w", str(tmp_path / "c.pcap"), "-i", pair.if_b, "udp"], prefix)
    piped = Capture(["-c", "500", "-w", "-", "-i", pair.if_b, "udp"], prefix)
    _send(pair, tmp_path / "send.pcap")
    status, _, err = counted.finish(timeout=60)
    assert status == 0, err
    assert frames_of(tmp_path / "c.pcap") == frames[:1234]
    assert "1234 packets captured" in err
    out, err = piped.proc.communicate(timeout=60)
    assert piped.proc.returncode == 0, err
    (tmp_path / "piped.pcap").write_bytes(out)
    assert frames_of(tmp_path / "piped.pcap") == frames[:500]


@pytest.mark.live
@pytest.mark.netns
def test_a_write_failing_midway_keeps_every_whole_record(netns_pair, tmp_path):
    needs(shutil.which("prlimit") is not None, "util-linux's prlimit is not installed")
    pair = netns_pair
    frames = _frames(pair, 3000)
    _write(tmp_path / "send.pcap", frames)
    prefix = [*pair.exec_prefix(pair.ns_b), "prlimit", "--fsize=300000"]
    capture = Capture(["-w", str(tmp_path / "full.pcap"), "-i", pair.if_b, "udp"], prefix)
    _send(pair, tmp_path / "send.pcap")
    status, _, err = capture.finish(timeout=60)
    assert status != 0
    kept = frames_of(tmp_path / "full.pcap")  # libpcap reads the whole file back: no record is cut
    assert kept and kept == frames[: len(kept)]
    assert f"File too large after {len(kept)} packets; the file holds them" in err
    assert "Traceback" not in err
