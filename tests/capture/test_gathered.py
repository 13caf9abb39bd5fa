"""A live capture printed by one in-place printer takes each batch as pcap records in one buffer.

``--json`` and tcpdump's lines on a live interface go through ``PcapHandle.gatherer`` (the compiled
``_spool.gather``), not a tuple per packet: crafted frames of every kind the compiled sinks write (ARP,
Neighbor Discovery, syslog, NTP, DNS, TCP with options, ICMP echoes) and some they leave to the Python
are sent across a veth pair, and what the live capture prints is what ``-r`` prints of the file sent,
but for the times. The capture's output pipe is read only after the stop signal, so its last large write
is interrupted by the signal: every line must still arrive (see pycapture.output.whole).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from output.test_jsonsink import ARP_FRAMES, FRAMES, ND_FRAMES, NTP_MESSAGES, SYSLOG_MESSAGES
from pycapture.capture.handle import PcapHandle
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import Capture, run_cli
from support.env import IN_CI
from support.frames import ether, ipv4, udp

MTU_FRAME = 1514


def _sent(tmp_path) -> tuple[str, int]:
    frames = [f for f in FRAMES if 14 <= len(f) <= MTU_FRAME] + ARP_FRAMES + ND_FRAMES
    frames += [ether(0x0800, ipv4(17, udp(40000, 514, m))) for m in SYSLOG_MESSAGES]
    frames += [ether(0x0800, ipv4(17, udp(40000, 123, m))) for m in NTP_MESSAGES]
    path = tmp_path / "sent.pcap"
    with PcapWriter(str(path), 1) as writer:
        for i, frame in enumerate(frames):
            writer.write(1767323045, i, len(frame), frame)
    return str(path), len(frames)


def _without_time(line: str, as_json: bool) -> str:
    if not as_json:
        return line
    obj = json.loads(line)
    obj["frame"].pop("time")
    return json.dumps(obj)


@pytest.mark.live
@pytest.mark.netns
@pytest.mark.parametrize("flags", [["--json"], ["-n", "-t"]], ids=["json", "lines"])
def test_live_lines_through_the_gathered_batches_are_the_files(netns_pair, tmp_path, flags):
    pair = netns_pair
    pair.silence_ipv6()
    path, count = _sent(tmp_path)
    capture = Capture([*flags, "-i", pair.if_b], pair.exec_prefix(pair.ns_b))
    sent = subprocess.run(
        [*pair.exec_prefix(pair.ns_a), sys.executable, "-m", "pycapture", "replay", "-q", "--pps", "2000",
         "--if", pair.if_a, path],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    time.sleep(1.0)
    capture.proc.send_signal(signal.SIGINT)
    status, out, err = capture.finish(timeout=30)
    assert status == 0, err
    assert f"{count} packets captured" in err
    expected = run_cli(*flags, "-r", path, text=True).stdout
    as_json = "--json" in flags
    got = [_without_time(line, as_json) for line in out.splitlines()]
    assert got == [_without_time(line, as_json) for line in expected.splitlines()]


@pytest.mark.live
def test_a_live_handle_gathers_where_the_extension_is_built(live):
    with PcapHandle.Builder("lo").build() as handle:
        gather = handle.gatherer()
    if IN_CI and not os.environ.get("PYCAPTURE_PURE_PYTHON"):
        assert gather is not None, "CI=true but pycapture.capture._spool.gather is not there"
    if gather is None:
        pytest.skip("the compiled spooler was not built")
