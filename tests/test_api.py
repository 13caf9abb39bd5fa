"""The library API on real handles: saved captures, dead handles and the loopback interface."""

from __future__ import annotations

import os
import struct
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pcapy
import pytest

import pycapture
from pycapture import (
    FilterError,
    NotOpenError,
    PcapEOFError,
    PcapHandle,
    PcapNativeError,
    PcapPacket,
    PcapTimeoutError,
    open_dead,
    open_live,
    open_offline,
)
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import Capture, run_cli, tool
from support.env import CAPTURES
from support.traffic import free_udp_port, send_udp

HTTP = str(CAPTURES / "http.pcap")
MIXED = str(CAPTURES / "mixed.pcap")


def _count(path: str) -> int:
    reader, n = pcapy.open_offline(path), 0
    while reader.next()[0] is not None:
        n += 1
    return n


def _headers(path: str) -> list[tuple[int, int, int, int]]:
    """(sec, frac, caplen, origlen) of every record, read straight from the file."""
    with open(path, "rb") as f:
        blob = f.read()
    out, pos = [], 24
    while pos < len(blob):
        sec, frac, caplen, origlen = struct.unpack_from("=IIII", blob, pos)
        out.append((sec, frac, caplen, origlen))
        pos += 16 + caplen
    return out


# --- offline handles -------------------------------------------------------------------------------


def test_offline_eof_is_told_apart_from_a_packet_and_a_timeout():
    with open_offline(HTTP) as handle:
        packets = []
        while True:
            try:
                packets.append(handle.get_next_packet_ex())
            except PcapEOFError as exc:
                assert isinstance(exc, EOFError)
                break
        assert len(packets) == _count(HTTP) > 0
        assert handle.get_next_packet() is None
        assert handle.get_stats().captured == len(packets)


def test_use_after_close_raises_not_open():
    handle = open_offline(HTTP)
    handle.close()
    handle.close()  # twice is harmless
    for call in (handle.get_next_packet_ex, handle.get_stats, lambda: handle.set_filter("tcp")):
        with pytest.raises(NotOpenError):
            call()
    with pytest.raises(NotOpenError):
        list(handle)


def test_iteration_loop_and_dispatch_see_every_packet():
    total = _count(MIXED)
    with open_offline(MIXED) as handle:
        assert len(list(handle)) == total
    seen: list[PcapPacket] = []
    with open_offline(MIXED) as handle:
        assert handle.dispatch(3, seen.append) == 3
        assert handle.dispatch(-1, seen.append) == total - 3
        assert handle.dispatch(-1, seen.append) == 0  # at the end of the file
    assert len(seen) == total
    with open_offline(MIXED) as handle, ThreadPoolExecutor(2) as pool:
        got: list[PcapPacket] = []
        lock = threading.Lock()

        def listener(packet: PcapPacket) -> None:
            with lock:
                got.append(packet)

        assert handle.loop(-1, listener, executor=pool) == total
    assert sorted(p.timestamp for p in got) == sorted(p.timestamp for p in seen)


def test_compiled_filter_matches_what_tcpdump_selects():
    tcpdump = tool("tcpdump")
    for expression in ("udp", "tcp port 80", "arp", "vlan", "icmp6 or icmp"):
        with open_offline(MIXED) as handle:
            program = handle.compile_filter(expression)
            ours = sum(program.matches(packet) for packet in handle)
        theirs = subprocess.run(
            [tcpdump, "-r", MIXED, expression], capture_output=True, text=True, check=True
        )
        assert ours == len(theirs.stdout.splitlines()), expression
        assert program.instructions and all(len(i) == 4 for i in program.instructions)


def test_set_filter_with_and_without_the_optimizer_selects_the_same():
    results = []
    for optimize in (True, False):
        with open_offline(MIXED) as handle:
            handle.set_filter("udp or arp", optimize=optimize)
            results.append([p.raw for p in handle])
    assert results[0] == results[1] and results[0]
    with open_offline(MIXED) as handle, pytest.raises(FilterError) as err:
        handle.set_filter("udp port http-alt-nonsense")
    assert isinstance(err.value, ValueError)


def test_packets_decode_lazily_and_once(monkeypatch):
    from pycapture.decode import rich

    calls = []
    real = rich.decode
    monkeypatch.setattr(rich, "decode", lambda *a: calls.append(a) or real(*a))
    with open_offline(HTTP) as handle:
        packets = list(handle)
    assert calls == []  # reading costs no decoding
    first = packets[0]
    assert first.contains("tcp") and "ip" in first and not first.contains("udp")
    tcp = first.get("tcp")
    assert tcp is not None and tcp.get("dstport") == 80 and tcp.get("flags_str") == "S"
    assert [layer.name for layer in first.layers] == ["eth", "ip", "tcp"]
    assert len(calls) == 1  # decoded once, then kept


def test_packet_text_forms_match_the_cli():
    utc = {**os.environ, "TZ": "UTC"}
    lines = run_cli("-t", "-S", "-r", HTTP, env=utc).stdout.decode().splitlines()  # a lone packet: absolute
    dumps = run_cli("-v", "-r", HTTP, env=utc).stdout.decode().split("\n\n")
    jsons = run_cli("--json", "-r", HTTP).stdout.decode().splitlines()
    import json

    with open_offline(HTTP) as handle:
        for number, packet in enumerate(handle, start=1):
            assert packet.summary() == lines[number - 1]
            first, rest = str(packet).split("\n", 1)
            assert first.startswith("Captured at: 2026-01-02T03:04:") and first.endswith("Z")  # UTC
            assert dumps[number - 1].split("\n", 1) == [first.replace("Z", "Z[UTC]"), rest.rstrip("\n")]
            assert packet.to_dict(number) == json.loads(jsons[number - 1])
            assert bytes(packet) == packet.raw and len(packet) == packet.captured_length


def test_dead_handle_compiles_filters_and_writes_files(tmp_path):
    with open_dead(1, 65535) as dead:
        assert dead.datalink == 1 and dead.snapshot == 65535
        assert dead.compile_filter("tcp").matches(open_offline(HTTP).get_next_packet_ex())
        with pytest.raises(PcapNativeError):
            dead.get_next_packet_ex()
        with pytest.raises(PcapNativeError):
            dead.send_packet(b"\x00" * 60)
        path = tmp_path / "out.pcap"
        with dead.dump_open(str(path)) as dumper:
            assert dumper.ftell() == 24
            dumper.dump(b"\xff" * 60, timestamp_ns=1_700_000_000_123_456_000, original_length=1500)
            assert dumper.ftell() == 24 + 16 + 60
    reader = pcapy.open_offline(str(path))
    hdr, data = reader.next()
    assert reader.datalink() == 1 and data == b"\xff" * 60
    assert hdr.getts() == (1_700_000_000, 123456) and hdr.getlen() == 1500 and hdr.getcaplen() == 60


def test_dumper_keeps_timestamps_and_original_lengths(tmp_path):
    source = tmp_path / "cut.pcap"
    frames = [open_offline(HTTP).get_next_packet_ex().raw]
    with PcapWriter(str(source), 1, 96) as writer:  # records cut by a snaplen: caplen < original
        writer.write(1_767_323_045, 999_999, 40, frames[0][:40])
        writer.write(1_767_323_046, 1, 74, frames[0])
        writer.write(1_767_323_046, 2, 1514, frames[0][:60])
    out = tmp_path / "copy.pcap"
    with open_offline(str(source)) as handle, handle.dump_open(str(out)) as dumper:
        assert handle.loop(-1, dumper.dump) == 3
        dumper.flush()
    assert _headers(str(out)) == _headers(str(source))
    assert out.read_bytes()[24:] == source.read_bytes()[24:]


def test_nanosecond_files_keep_their_nanoseconds(tmp_path):
    tcpdump = tool("tcpdump")
    frame = open_offline(HTTP).get_next_packet_ex().raw
    path = tmp_path / "nano.pcap"
    with PcapWriter(str(path), 1, nanosecond=True) as writer:
        writer.write(1_767_323_045, 123_456_789, len(frame), frame)
        writer.write(1_767_323_045, 123_456_790, len(frame), frame)
    with open_offline(str(path)) as handle:  # precision follows the file
        assert handle.nanosecond
        packet = handle.get_next_packet_ex()
        assert packet.timestamp == 1_767_323_045_123_456_789
        assert "2026-01-02T03:04:05.123456789Z" in str(packet)
        assert packet.to_dict()["frame"]["time"] == "2026-01-02T03:04:05.123456789Z"
    with open_offline(str(path), precision="micro") as handle:
        packet = handle.get_next_packet_ex()
        assert (packet.ts_frac, packet.timestamp) == (123_456, 1_767_323_045_123_456_000)
    utc = {**os.environ, "TZ": "UTC"}
    ours = run_cli("--nano", "-r", str(path), env=utc).stdout.decode()
    theirs = subprocess.run(
        [tcpdump, "--nano", "-n", "-r", str(path)], capture_output=True, text=True, env=utc
    )
    assert ours == theirs.stdout and "03:04:05.123456790" in ours
    # lines print microseconds unless asked, as tcpdump (libpcap opens a file in microseconds)
    micro = run_cli("-r", str(path), env=utc).stdout.decode()
    theirs = subprocess.run([tcpdump, "-n", "-r", str(path)], capture_output=True, text=True, env=utc)
    assert micro == theirs.stdout and "03:04:05.123456 " in micro
    copy = tmp_path / "copy.pcap"
    assert run_cli("-r", str(path), "-w", str(copy)).returncode == 0
    assert copy.read_bytes() == path.read_bytes()  # magic a1b23c4d and every nanosecond kept


def test_datalink_helpers_and_lib_version():
    assert pycapture.datalink_name(1) == "EN10MB"
    assert pycapture.datalink_description(113) == "Linux cooked v1"
    assert pycapture.datalink_value("EN10MB") == pycapture.datalink_value("DLT_EN10MB") == 1
    with pytest.raises(ValueError):
        pycapture.datalink_value("NO_SUCH_LINK")
    assert pycapture.lib_version().startswith("libpcap version")


# --- live handles on the loopback interface --------------------------------------------------------


def test_builder_knobs_reach_libpcap(live):
    port = free_udp_port()
    builder = (
        PcapHandle.Builder("lo")
        .snaplen(128)
        .promiscuous(False)
        .timeout_ms(1000)
        .buffer_size(1 << 20)
        .immediate(True)
        .timestamp_precision("nano")
    )
    with builder.build() as handle:
        handle.set_filter(f"udp dst port {port}")
        assert handle.nanosecond and handle.snapshot == 128
        before = time.time_ns()
        started = time.monotonic()
        send_udp(port, 1)
        packet = handle.get_next_packet_ex()
        # immediate mode: delivered at once, not after the 1000 ms buffer timeout
        assert time.monotonic() - started < 0.5
        assert packet.nanosecond and before - 10**9 < packet.timestamp < time.time_ns() + 10**9
        assert packet.raw.endswith(b"pycapture-test0")


def test_dispatch_returns_what_is_there_and_never_hangs(live):
    port = free_udp_port()
    with open_live("lo", timeout_ms=100) as handle:
        handle.set_filter(f"udp dst port {port}")
        started = time.monotonic()
        assert handle.dispatch(-1, lambda p: None) == 0  # idle: one timeout, then back
        assert time.monotonic() - started < 2
        send_udp(port, 3)
        got: list[PcapPacket] = []
        deadline = time.monotonic() + 5
        while len(got) < 3 and time.monotonic() < deadline:
            handle.dispatch(-1, got.append)
        assert [p.raw[-15:] for p in got] == [f"pycapture-test{i}".encode() for i in range(3)]


def test_get_next_packet_ex_timeout_is_a_builtin_timeout(live):
    with open_live("lo", timeout_ms=50) as handle:
        handle.set_filter("udp port 9")
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            handle.get_next_packet_ex()
        assert time.monotonic() - started < 1
        assert handle.get_next_packet() is None


def test_break_loop_from_a_signal_handler_ends_an_idle_loop(live):
    import signal

    with open_live("lo", timeout_ms=10000) as handle:
        handle.set_filter("udp port 9")
        previous = signal.signal(signal.SIGALRM, lambda *_: handle.break_loop())
        try:
            signal.setitimer(signal.ITIMER_REAL, 0.3)
            started = time.monotonic()
            assert handle.loop(-1, lambda p: None) == 0
            assert time.monotonic() - started < 1.3
        finally:
            signal.signal(signal.SIGALRM, previous)


def test_a_break_before_the_loop_is_not_lost_and_is_cleared_by_the_loop_it_ends(live):
    """pcap_breakloop's contract: no race between a stopping thread and a loop that is about to start."""
    with open_live("lo", timeout_ms=10000) as handle:
        handle.set_filter("udp port 9")
        handle.break_loop()
        assert handle.break_requested
        started = time.monotonic()
        assert handle.loop(-1, lambda p: None) == 0
        assert time.monotonic() - started < 0.5
        assert not handle.break_requested
        port = free_udp_port()
        handle.set_filter(f"udp dst port {port}")
        send_udp(port, 1)
        assert handle.get_next_packet_ex().raw.endswith(b"pycapture-test0")  # reading goes on normally


def test_a_bad_direction_name_is_a_value_error():
    with pytest.raises(ValueError, match="'in', 'out' or 'inout'"):
        PcapHandle.Builder("lo").direction("sideways")


def test_list_and_set_datalink_on_any(live):
    with open_live("any", timeout_ms=50) as handle:
        links = handle.list_datalinks()
        assert 113 in links
        if 276 not in links:
            pytest.skip("this libpcap offers no LINUX_SLL2 on 'any'")
        port = free_udp_port()
        handle.set_datalink(276)
        assert handle.datalink == 276
        handle.set_filter(f"udp dst port {port}")
        send_udp(port, 1)
        packet = handle.get_next_packet_ex()
        assert packet.linktype == 276
        assert packet.layers[0].title == "Linux SLL2 Header" and packet.layers[0].length == 20
        assert packet.contains("udp")
    with open_live("lo", timeout_ms=50) as handle, pytest.raises(PcapNativeError):
        handle.set_datalink(105)  # 802.11 on loopback: libpcap refuses with its own message


def test_cli_immediate_and_direction_options_capture(live):
    port = free_udp_port()
    cap = Capture(["-i", "lo", "--immediate-mode", "--nano", "-c", "1", "udp", "dst", "port", str(port)])
    send_udp(port, 1)
    status, out, err = cap.finish()
    assert status == 0, err
    stamp = out.split(" ")[0]
    assert len(stamp.split(".")[1]) == 9, out  # nanoseconds: HH:MM:SS.nnnnnnnnn
    assert isinstance(PcapTimeoutError("x"), TimeoutError)
