"""The library between two hosts of the test's own: network namespaces joined by a veth pair."""

from __future__ import annotations

import json
import subprocess
import sys

from support.commands import Capture, tool
from support.env import ROOT
from support.traffic import frames_of

SRC_MAC = "02:00:00:00:00:aa"


def _frames() -> list[bytes]:
    """Broadcast frames of the local experimental ethertype 0x88b5, of several sizes."""
    head = bytes.fromhex("ffffffffffff") + bytes.fromhex(SRC_MAC.replace(":", "")) + b"\x88\xb5"
    return [head + bytes([i]) * size for i, size in enumerate((46, 100, 1500), start=1)]


def _in_ns(pair, ns: str, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*pair.exec_prefix(ns), sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )


def test_send_packet_arrives_byte_identical_on_the_other_end(netns_pair, tmp_path):
    pair = netns_pair
    tcpdump = tool("tcpdump")
    frames = _frames()
    ours_file, theirs_file = tmp_path / "ours.pcap", tmp_path / "theirs.pcap"
    prefix = pair.exec_prefix(pair.ns_b)
    ours = Capture(["-i", pair.if_b, "-c", "3", "-w", str(ours_file), "ether", "src", SRC_MAC], prefix)
    theirs = Capture(
        ["-i", pair.if_b, "-U", "-c", "3", "-w", str(theirs_file), "ether", "src", SRC_MAC],
        prefix,
        command=[tcpdump],
    )
    code = (
        "from pycapture import open_live\n"
        f"with open_live({pair.if_a!r}, timeout_ms=10) as handle:\n"
        f"    for frame in {frames!r}:\n"
        "        handle.send_packet(frame)\n"
    )
    sent = _in_ns(pair, pair.ns_a, code)
    assert sent.returncode == 0, sent.stderr
    for cap in (ours, theirs):
        status, _, err = cap.finish()
        assert status == 0, err
    assert frames_of(ours_file) == frames
    assert frames_of(theirs_file) == frames


def test_direction_in_and_out_split_a_ping(netns_pair):
    pair = netns_pair
    ping = tool("ping")
    prefix = pair.exec_prefix(pair.ns_b)
    incoming = Capture(["-i", pair.if_b, "-Q", "in", "-c", "3", "icmp"], prefix)
    outgoing = Capture(["-i", pair.if_b, "-Q", "out", "-c", "3", "icmp"], prefix)
    subprocess.run(
        [*pair.exec_prefix(pair.ns_a), ping, "-c", "3", "-i", "0.2", "-W", "2", pair.addr_b],
        capture_output=True,
        timeout=30,
        check=True,
    )
    _, out_in, err_in = incoming.finish()
    _, out_out, err_out = outgoing.finish()
    requests = [line for line in out_in.splitlines() if line]
    replies = [line for line in out_out.splitlines() if line]
    assert len(requests) == 3 and all("ICMP echo request" in line for line in requests), err_in
    assert len(replies) == 3 and all("ICMP echo reply" in line for line in replies), err_out


def test_send_arp_request_example_resolves_the_peer(netns_pair):
    pair = netns_pair
    link = subprocess.run(
        ["ip", "-n", pair.ns_b, "-j", "link", "show", pair.if_b], capture_output=True, text=True, check=True
    )
    peer_mac = json.loads(link.stdout)[0]["address"]
    res = subprocess.run(
        [
            *pair.exec_prefix(pair.ns_a),
            sys.executable,
            str(ROOT / "examples" / "send_arp_request.py"),
            pair.if_a,
            pair.addr_b,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"{pair.addr_b} was resolved to {peer_mac}"


def test_an_incoming_only_handle_is_not_handed_the_frames_its_host_sends(netns_pair):
    """Direction 'in' asks the kernel itself (PACKET_IGNORE_OUTGOING) to leave out what this host sends,
    so that it clones none of them for the socket (libpcap alone drops them after the kernel has counted
    them); 'inout' brings them back. A replay's own sending handle is such a handle."""
    pair = netns_pair
    pair.silence_ipv6()
    code = (
        "import pycapture\n"
        f"frames = {_frames()!r}\n"
        "def received(direction):\n"
        f"    builder = pycapture.PcapHandle.Builder({pair.if_a!r}).timeout_ms(10).direction(direction)\n"
        "    with builder.build() as handle:\n"
        f"        handle.set_filter('ether src {SRC_MAC}')\n"
        "        if direction == 'inout':\n"
        "            handle.set_direction('in')\n"
        "            handle.set_direction('inout')\n"
        f"        with pycapture.open_live({pair.if_a!r}, timeout_ms=10) as out:\n"
        "            for frame in frames:\n"
        "                out.send_packet(frame)\n"
        "        return handle.get_stats().received\n"
        "print(received('in'), received('inout'))\n"
    )
    run = _in_ns(pair, pair.ns_a, code)
    assert run.returncode == 0, run.stderr
    incoming, both = (int(n) for n in run.stdout.split())
    assert incoming == 0
    assert both >= len(_frames())
