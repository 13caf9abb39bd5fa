"""Under load, on a veth pair of the test's own: statistics that add up, flat memory, nothing left behind."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pcapy
import pytest

from pycapture import craft
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import Capture, tool

ETHERTYPE = 0x88B5  # IEEE local experimental: nothing else on the veth carries it
FILTER = ["ether", "proto", str(ETHERTYPE)]
LOAD_SECONDS = 60


def _frames_file(path, n: int, size: int = 100) -> None:
    with PcapWriter(str(path), 1) as writer:
        for i in range(n):
            frame = craft.ethernet(
                "02:00:00:00:00:bb", "02:00:00:00:00:aa", bytes([i % 256]) * size, ETHERTYPE
            )
            writer.write(1, i, len(frame), frame)


def _count(path) -> int:
    reader, n = pcapy.open_offline(str(path)), 0
    while reader.next()[0] is not None:
        n += 1
    return n


def _stat(stderr: str, what: str) -> int:
    return int(next(line for line in stderr.splitlines() if line.endswith(what)).split()[0])


def _replay_command(pair, *args: str) -> list[str]:
    return [
        *pair.exec_prefix(pair.ns_a),
        sys.executable,
        "-m",
        "pycapture",
        "replay",
        "-q",
        "--if",
        pair.if_a,
        *args,
    ]


def _send(pair, path, *args: str) -> int:
    sender = subprocess.run(
        _replay_command(pair, *args, str(path)),
        capture_output=True,
        text=True,
        timeout=LOAD_SECONDS + 60,
    )
    assert sender.returncode == 0, sender.stderr
    return int(next(line for line in sender.stderr.splitlines() if " packets sent on " in line).split()[0])


def _link_drops(pair) -> int:
    """Frames the veth itself dropped, on either end: they never reached the capture socket."""
    drops = 0
    for ns, ifname, keys in ((pair.ns_a, pair.if_a, ("tx",)), (pair.ns_b, pair.if_b, ("rx",))):
        out = subprocess.run(
            ["ip", "-n", ns, "-s", "-j", "link", "show", ifname], capture_output=True, text=True
        )
        stats = json.loads(out.stdout)[0]["stats64"]
        drops += sum(stats[key]["dropped"] for key in keys)
    return drops


@pytest.mark.live
@pytest.mark.netns
def test_ctrl_c_delivers_what_the_kernel_already_accepted(netns_pair, tmp_path):
    """Not immediate mode: frames wait in a ring block until the 1 s timeout retires it; Ctrl-C is first."""
    pair = netns_pair
    # "received by filter" is the kernel's count, which takes in a frame that came before libpcap set the
    # filter: the fresh veth's own IPv6 chatter once made it 51
    pair.silence_ipv6()
    path, out = tmp_path / "fifty.pcap", tmp_path / "out.pcap"
    _frames_file(path, 50)
    cap = Capture(["-i", pair.if_b, "-w", str(out), *FILTER], pair.exec_prefix(pair.ns_b))
    assert _send(pair, path, "--topspeed") == 50
    time.sleep(0.2)
    cap.proc.send_signal(signal.SIGINT)
    status, _, err = cap.finish()
    assert status == 0, err
    assert _stat(err, "packets received by filter") == 50
    assert _stat(err, "packets captured") == 50
    assert _count(out) == 50


@pytest.mark.live
@pytest.mark.netns
def test_a_minute_at_top_speed_keeps_memory_flat_and_the_counts_add_up(netns_pair, tmp_path):
    """The sender runs flat out for a minute; whatever the receiver drops, every frame is accounted for."""
    pair = netns_pair
    tool("ip")
    pair.silence_ipv6()  # the kernel's count must be the sender's alone (see the test above)
    path = tmp_path / "load.pcap"
    _frames_file(path, 10_000)
    cap = Capture(["-i", pair.if_b, "-w", "/dev/null", *FILTER], pair.exec_prefix(pair.ns_b))
    rss: list[tuple[float, int]] = []
    sender = subprocess.Popen(
        _replay_command(pair, "--topspeed", "--loop", "0", "--duration", str(LOAD_SECONDS), str(path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    start = time.monotonic()
    while sender.poll() is None:
        with open(f"/proc/{cap.proc.pid}/status") as f:
            kib = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        rss.append((time.monotonic() - start, kib))
        time.sleep(1)
    _, sender_err = sender.communicate()
    assert sender.returncode == 0, sender_err
    sent = int(next(line for line in sender_err.splitlines() if " packets sent on " in line).split()[0])
    time.sleep(0.5)
    cap.proc.send_signal(signal.SIGINT)
    status, _, err = cap.finish(timeout=30)
    assert status == 0, err
    received = _stat(err, "packets received by filter")
    dropped = _stat(err, "packets dropped by kernel")
    captured = _stat(err, "packets captured")
    link_drops = _link_drops(pair)
    print(
        f"\nload: {sent} sent in {LOAD_SECONDS} s ({sent / LOAD_SECONDS:,.0f} pps), {link_drops} dropped by "
        f"the veth, {received} received by filter, {dropped} dropped by kernel, {captured} captured; "
        f"RSS {rss[min(10, len(rss) - 1)][1] // 1024}-{max(k for _, k in rss) // 1024} MB"
    )
    assert sent > 100_000
    # the kernel's count is the sender's (the sender's own report, with any failed sends, if not)
    assert received + link_drops == sent, sender_err
    assert captured + dropped == received  # and every frame it took was delivered or counted as dropped
    settled = [kib for t, kib in rss if t >= 10]
    assert settled and max(settled) - settled[0] < 10 * 1024, rss  # flat after warm-up: no growth
