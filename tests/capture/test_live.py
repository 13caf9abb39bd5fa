"""Live capture for real: on loopback, and between two network namespaces of the test's own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pcapy
import pytest

from pycapture import PcapTimeoutError, open_live, pick_auto
from support.commands import Capture, run_cli, tool
from support.netns import NetnsPair
from support.traffic import free_udp_port, send_udp

pytestmark = pytest.mark.live


def test_loopback_capture_with_filter_and_count(live):
    port = free_udp_port()
    cap = Capture(["-i", "lo", "-c", "5", "--timeout-ms", "50", "udp", "dst", "port", str(port)])
    send_udp(port, 8)
    status, out, err = cap.finish()
    assert status == 0, err
    lines = out.splitlines()
    assert len(lines) == 5
    for line in lines:
        assert "IP 127.0.0.1." in line and f"> 127.0.0.1.{port}: UDP, length 15" in line
    assert "listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes" in err
    assert "5 packets captured" in err
    assert "received by filter" in err and "dropped by kernel" in err


def test_loopback_write_is_read_back_by_pycapture_and_tcpdump(live, tmp_path):
    tcpdump = tool("tcpdump")
    port = free_udp_port()
    out_file = tmp_path / "lo.pcap"
    cap = Capture(["-i", "lo", "-c", "6", "--timeout-ms", "50", "-w", str(out_file), "udp port", str(port)])
    send_udp(port, 10)
    status, _, err = cap.finish()
    assert status == 0, err
    assert "6 packets captured" in err
    utc = {**os.environ, "TZ": "UTC"}
    ours = run_cli("-r", str(out_file), env=utc).stdout.decode().splitlines()
    theirs = subprocess.run([tcpdump, "-n", "-r", str(out_file)], capture_output=True, text=True, env=utc)
    theirs = theirs.stdout.splitlines()
    assert len(ours) == 6
    assert ours == theirs
    payloads = [data[42:] for _, data in _read_all(out_file)]
    assert payloads == [f"pycapture-test{i}".encode() for i in range(6)]


def _read_all(path) -> list:
    reader = pcapy.open_offline(str(path))
    result = []
    while True:
        hdr, data = reader.next()
        if hdr is None:
            return result
        result.append((hdr, data))


def test_sigterm_and_sigint_leave_a_valid_file_and_statistics(live, tmp_path):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        port = free_udp_port()
        out_file = tmp_path / f"sig{sig}.pcap"
        cap = Capture(["-i", "lo", "--timeout-ms", "20", "-w", str(out_file), "udp port", str(port)])
        send_udp(port, 5)
        time.sleep(0.3)  # past the buffer timeout: the packets are delivered and written
        cap.proc.send_signal(sig)
        status, _, err = cap.finish()
        assert status == 0, err
        assert "Traceback" not in err
        written = _read_all(out_file)
        assert f"{len(written)} packets captured" in err
        assert len(written) == 5


def test_idle_interface_does_not_hang(live):
    """-c on a quiet interface waits; SIGTERM ends it at once with statistics, no packet needed."""
    cap = Capture(["-i", "lo", "-c", "1", "udp port 9", "--timeout-ms", "10000"])
    time.sleep(0.5)
    started = time.monotonic()
    cap.proc.send_signal(signal.SIGTERM)
    status, out, err = cap.finish(timeout=10)
    assert time.monotonic() - started < 2
    assert status == 0 and out == ""
    assert "0 packets captured" in err


def test_get_next_packet_ex_times_out_on_an_idle_filter(live):
    with open_live("lo", timeout_ms=100) as handle:
        handle.set_filter("udp port 9")  # discard: nothing sends to it here
        started = time.monotonic()
        with pytest.raises(PcapTimeoutError):
            handle.get_next_packet_ex()
        assert 0.09 <= time.monotonic() - started < 1.0


def test_get_next_packet_ex_returns_a_packet(live):
    port = free_udp_port()
    with open_live("lo", timeout_ms=50) as handle:
        handle.set_filter(f"udp dst port {port}")
        threading.Timer(0.1, send_udp, args=(port, 1)).start()
        packet = None
        for _ in range(40):
            try:
                packet = handle.get_next_packet_ex()
                break
            except PcapTimeoutError:
                continue
        assert packet is not None
        assert packet.raw.endswith(b"pycapture-test0")
        assert packet.original_length == len(packet.raw) == 14 + 20 + 8 + 15
        assert abs(packet.timestamp - time.time_ns()) < 10 * 10**9


def test_break_loop_from_another_thread_ends_an_idle_loop(live):
    with open_live("lo", timeout_ms=10000) as handle:
        handle.set_filter("udp port 9")
        threading.Timer(0.3, handle.break_loop).start()
        started = time.monotonic()
        assert handle.loop(-1, lambda packet: None) == 0
        assert time.monotonic() - started < 1.3


# --- between two hosts of our own --------------------------------------------------------------------


def test_auto_picks_the_default_route_interface_inside_a_namespace(netns_pair: NetnsPair, live):
    ping = tool("ping")
    cap = Capture(
        ["--if", "auto", "-c", "4", "--timeout-ms", "50", "icmp"],
        prefix=netns_pair.exec_prefix(netns_pair.ns_a),
    )
    subprocess.run(
        [*netns_pair.exec_prefix(netns_pair.ns_b), ping, "-c", "2", "-i", "0.2", netns_pair.addr_a],
        check=True,
        capture_output=True,
        timeout=20,
    )
    status, out, err = cap.finish()
    assert status == 0, err
    assert f"capturing on {netns_pair.if_a} (auto: default route, {netns_pair.addr_a}/24)" in err
    lines = out.splitlines()
    assert len(lines) == 4
    assert f"IP {netns_pair.addr_b} > {netns_pair.addr_a}: ICMP echo request" in lines[0]
    assert f"IP {netns_pair.addr_a} > {netns_pair.addr_b}: ICMP echo reply" in lines[1]
    assert "4 packets captured" in err


def test_auto_without_a_default_route_takes_an_interface_that_is_up(netns_pair: NetnsPair, live):
    """In the namespace without a default route, the rule's second choice applies."""
    probe = subprocess.run(
        [
            *netns_pair.exec_prefix(netns_pair.ns_b),
            sys.executable,
            "-c",
            "import pycapture; d, why = pycapture.pick_auto(); print(d.name); print(why)",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert probe.returncode == 0, probe.stderr
    name, why = probe.stdout.splitlines()
    assert name == netns_pair.if_b
    assert why == f"first interface that is up with an address, {netns_pair.addr_b}/24"


def test_list_interfaces_inside_a_namespace(netns_pair: NetnsPair):
    res = subprocess.run(
        [*netns_pair.exec_prefix(netns_pair.ns_a), sys.executable, "-m", "pycapture", "-D"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    veth = next(line for line in lines if f".{netns_pair.if_a} " in line)
    assert "[Up, Running" in veth and f"{netns_pair.addr_a}/24" in veth
    lo = next(line for line in lines if ".lo " in line)
    assert "Loopback" in lo and "127.0.0.1/8" in lo


def test_pick_auto_here_says_why():
    dev, why = pick_auto()
    assert dev.name and why


def test_no_permission_is_one_line_with_the_fix():
    """A root process whose bounding set lacks CAP_NET_RAW is refused by the kernel, as a user would be."""
    setpriv = tool("setpriv")
    needs_root = subprocess.run([setpriv, "--bounding-set=-net_raw", "true"], capture_output=True)
    if needs_root.returncode != 0:
        pytest.skip("setpriv cannot drop capabilities here (not root)")
    res = subprocess.run(
        [setpriv, "--bounding-set=-net_raw,-net_admin", "--inh-caps=-net_raw,-net_admin",
         sys.executable, "-m", "pycapture", "-i", "lo", "-c", "1"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    (line,) = res.stderr.splitlines()
    assert "lo: You don't have permission to perform this capture on that device" in line
    assert "setcap cap_net_raw,cap_net_admin=eip" in line and "--cap-add NET_RAW" in line


def test_line_buffered_output_arrives_while_capturing(live):
    """-l: each line is on the pipe as soon as its packet is printed, not at exit."""
    port = free_udp_port()
    cap = Capture(["-i", "lo", "-l", "-c", "2", "--timeout-ms", "20", "udp", "dst", "port", str(port)])
    send_udp(port, 1)
    first = cap.stdout_line()  # arrives only if flushed at once: the capture still runs
    assert f"> 127.0.0.1.{port}: UDP" in first
    assert cap.proc.poll() is None
    send_udp(port, 1)
    status, rest, _ = cap.finish()
    assert status == 0 and len(rest.splitlines()) == 1


def test_capture_on_any_decodes_linux_cooked_frames(live):
    port = free_udp_port()
    cap = Capture(["--if", "any", "-c", "1", "--timeout-ms", "20", "udp", "dst", "port", str(port)])
    send_udp(port, 3)
    status, out, err = cap.finish()
    assert status == 0, err
    assert "listening on any, link-type LINUX_SLL (Linux cooked v1)" in err
    assert "IP 127.0.0.1." in out and f"> 127.0.0.1.{port}: UDP, length 15" in out
