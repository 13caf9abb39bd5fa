"""Relative TCP sequence numbers, tcpdump's default: the same lines as tcpdump's own, with and without -S.

tcpdump records a conversation (both directions) at its first segment with ACK and again at each SYN
with ACK; that segment prints absolute numbers, the later ones the difference, and SACK blocks too.
Segments without ACK print absolute numbers. Each case below is compared with tcpdump line for line,
on the compiled and the Python path, reading the file in place and through libpcap (``-c``).
"""

from __future__ import annotations

import os
import subprocess

import pytest

from pycapture import craft
from pycapture.output.tcpdump.text import TcpSequences
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import run_cli, tool
from support.traffic import make_capture

A, B = "192.0.2.1", "192.0.2.2"
A6, B6 = "2001:db8::1", "2001:db8::2"
MACS = ("02:00:00:00:00:02", "02:00:00:00:00:01")


def _frame(src: str, dst: str, sport: int, dport: int, flags: str, seq: int, ack: int = 0, **kw) -> bytes:
    packet = craft.tcp(src, dst, sport, dport, flags=flags, seq=seq, ack=ack, **kw)
    return craft.over_ethernet(packet, *MACS, pad=False)


def _vlan(frame: bytes, vid: int = 10) -> bytes:
    return frame[:12] + b"\x81\x00" + vid.to_bytes(2, "big") + frame[12:]


def _dns_over_tcp() -> bytes:
    query = bytes.fromhex("1a2b01000001000000000000076578616d706c6503636f6d0000010001")
    return len(query).to_bytes(2, "big") + query


def _conversations() -> list[bytes]:
    top = 0xFFFFFFF0  # sequence numbers that wrap
    return [
        _frame(A, B, 40000, 80, "S", 1000),  # no ACK: absolute, nothing recorded
        _frame(B, A, 80, 40000, "S.", 5000, 1001),  # recorded (reversed: the lower port first)
        _frame(A, B, 40000, 80, ".", 1001, 5001),
        _frame(A, B, 40000, 80, "P.", 1001, 5001, payload=b"GET / HTTP/1.1\r\n\r\n"),
        _frame(B, A, 80, 40000, "P.", 5001, 1019, payload=b"HTTP/1.1 200 OK\r\n\r\n"),
        _frame(A, B, 40000, 80, ".", 1019, 5020, options=bytes.fromhex("0101050a00001389000013a0")),  # SACK
        _frame(A, B, 40000, 80, "F.", 1019, 5020),
        _frame(B, A, 80, 40000, "S.", 9000, 1001),  # a SYN with ACK records the conversation again
        _frame(A, B, 40000, 80, ".", 1001, 9001),
        _frame(A, B, 5000, 5000, ".", top, 77),  # equal ports: the addresses decide the order
        _frame(B, A, 5000, 5000, "P.", 77, top + 16 - 2**32, payload=b"x" * 40),
        _frame(A, B, 5000, 5000, "P.", top + 16 - 2**32, 117, payload=b"y" * 40),  # past 2^32
        _frame(A6, B6, 40000, 80, ".", 123456, 654321),  # the same ports in IPv6: another conversation
        _frame(A6, B6, 40000, 80, "P.", 123456, 654321, payload=b"GET /6 HTTP/1.1\r\n\r\n"),
        _frame(A, B, 41000, 443, "R", 7),  # RST without ACK: absolute
        _frame(B, A, 443, 41000, "R.", 0, 8),
        _frame(A, B, 41001, 53, "P.", 300, 400, payload=_dns_over_tcp()),  # DNS over TCP: the general path
        _frame(A, B, 41001, 53, "P.", 300 + 31, 400, payload=_dns_over_tcp()),
        _vlan(_frame(A, B, 42000, 22, "P.", 10, 20, payload=b"z" * 8)),  # 802.1Q
        _vlan(_frame(A, B, 42000, 22, "P.", 18, 20, payload=b"z" * 8)),
        _frame(A, B, 43000, 8080, ".", 50, 60, options=bytes.fromhex("020405b4")),  # an option in C
        _frame(A, B, 43000, 8080, ".", 51, 61, options=bytes.fromhex("020405b4")),
    ]


def _write(path, frames: list[bytes]) -> None:
    writer = PcapWriter(str(path), 1)
    for number, frame in enumerate(frames, 1):
        writer.write(1_700_000_000 + number, 0, len(frame), frame)
    writer.close()


def _tcp_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "Flags [" in line]


@pytest.mark.parametrize("absolute", [[], ["-S"]], ids=["relative", "absolute"])
@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
@pytest.mark.parametrize("reading", [[], ["-c", "100000"]], ids=["in-place", "libpcap"])
def test_conversations_print_what_tcpdump_prints(tmp_path, absolute, pure, reading):
    tcpdump = tool("tcpdump")
    path = tmp_path / "tcp.pcap"
    frames = _conversations()
    _write(path, frames)
    expected = subprocess.run(
        [tcpdump, *absolute, "-n", "-tt", "-r", str(path)], capture_output=True, text=True, check=True
    ).stdout
    env = dict(os.environ, PYCAPTURE_PURE_PYTHON=pure, PYCAPTURE_WORKERS="1")
    got = run_cli(*absolute, *reading, "-n", "-tt", "-r", str(path), text=True, env=env)
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines() == expected.splitlines()
    assert len(got.stdout.splitlines()) == len(frames)
    if not absolute:
        assert "seq 1:19, ack 1," in got.stdout and "sack 1 {1:24}" in got.stdout


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return make_capture(tmp_path_factory.mktemp("seq") / "mix.pcap", 30000)


@pytest.mark.parametrize("absolute", [[], ["-S"]], ids=["relative", "absolute"])
def test_generated_traffic_prints_exactly_what_tcpdump_prints(generated, absolute):
    """The benchmark's traffic mix (TCP, HTTP, TLS, DNS, NTP, syslog, RTP, ICMP, ARP, IPv6, VLAN): every
    line as tcpdump's."""
    tcpdump = tool("tcpdump")
    env = dict(os.environ, TZ="UTC")
    expected = subprocess.run(
        [tcpdump, *absolute, "-n", "-r", str(generated)], capture_output=True, text=True, env=env, check=True
    ).stdout
    got = run_cli(*absolute, "-n", "-r", str(generated), text=True, env=env)
    assert len(_tcp_lines(got.stdout)) > 15000
    ours, theirs = got.stdout.splitlines(), expected.splitlines()
    assert len(ours) == len(theirs) == 30000
    differ = [(a, b) for a, b in zip(ours, theirs) if a != b]
    assert not differ, differ[:3]


def test_two_processes_only_for_absolute_numbers(generated):
    def run(workers: str, *args: str) -> str:
        env = dict(os.environ, TZ="UTC", PYCAPTURE_WORKERS=workers)
        return run_cli(*args, "-n", "-r", str(generated), text=True, env=env).stdout

    assert run("2") == run("1")  # relative numbers need every packet in order: one process
    assert run("2", "-S") == run("1", "-S")


def test_conversations_past_the_limit_print_absolute_numbers(monkeypatch):
    monkeypatch.setattr(TcpSequences, "LIMIT", 1)
    seqs = TcpSequences()
    a, b, c = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]), bytes([192, 0, 2, 3])
    assert seqs.relative(a, b, 40000, 80, 0x10, 1000, 2000) == (1000, 2000, 1999)
    assert seqs.relative(a, b, 40000, 80, 0x10, 1010, 2005) == (10, 6, 1999)
    assert seqs.relative(a, c, 40000, 80, 0x10, 7, 9) == (7, 9, 8)  # not recorded: the table is full
    assert seqs.relative(a, c, 40000, 80, 0x10, 8, 10) == (8, 10, 9)
    assert len(seqs.table) == 1
    assert seqs.relative(b, a, 80, 40000, 0x12, 5, 1001) == (5, 1001, 1000)  # SYN-ACK: recorded again
