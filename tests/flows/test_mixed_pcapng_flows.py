"""--defrag and stream following (-z follow) on a pcapng file whose interfaces differ in link type (libpcap
refuses it; pycapture's own reader hands each packet on with its interface's link type): each packet is
taken by its own link type, as tshark does, and the results are checked against tshark run here.
"""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

from support.commands import run_cli, tool

_ETHER_HEAD = bytes.fromhex("020000000002 020000000001 0800")
_LOOP_HEAD = struct.pack("<I", 2)  # BSD loopback, AF_INET


def _block(btype: int, body: bytes) -> bytes:
    body += bytes(-len(body) % 4)
    return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


def _shb() -> bytes:
    body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    return struct.pack("<II", 0x0A0D0D0A, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


def _epb(interface: int, ticks: int, frame: bytes) -> bytes:
    return _block(6, struct.pack("<IIIII", interface, 0, ticks, len(frame), len(frame)) + frame)


def _ipv4(src: bytes, dst: bytes, proto: int, payload: bytes, ident: int = 1, frag: int = 0) -> bytes:
    header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, src, dst)
    checksum = _checksum(header)
    return header[:10] + struct.pack(">H", checksum) + header[12:] + payload


def _checksum(data: bytes) -> int:
    total = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _udp(sport: int, dport: int, payload: bytes) -> bytes:
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


A, B = b"\x0a\x00\x00\x01", b"\x0a\x00\x00\x02"
C, D = b"\xc0\xa8\x00\x01", b"\xc0\xa8\x00\x02"


def _write(path: Path) -> Path:
    """Interface 0 Ethernet, interface 1 BSD loopback: a UDP exchange on each, and on the loopback a
    UDP datagram in two fragments."""
    big = _udp(4000, 5000, b"0123456789abcdef" * 4)  # 72 bytes: fragments of 32 and 40
    frames = [
        (0, _ETHER_HEAD + _ipv4(A, B, 17, _udp(1111, 53, b"ether question"))),
        (1, _LOOP_HEAD + _ipv4(C, D, 17, _udp(2222, 7, b"loopback hello"))),
        (0, _ETHER_HEAD + _ipv4(B, A, 17, _udp(53, 1111, b"ether answer"))),
        (1, _LOOP_HEAD + _ipv4(D, C, 17, _udp(7, 2222, b"loopback reply"))),
        (1, _LOOP_HEAD + _ipv4(C, D, 17, big[:32], ident=77, frag=0x2000)),
        (1, _LOOP_HEAD + _ipv4(C, D, 17, big[32:], ident=77, frag=4)),
    ]
    blocks = [_shb(), _block(1, struct.pack("<HHI", 1, 0, 0)), _block(1, struct.pack("<HHI", 0, 0, 0))]
    blocks += [_epb(interface, 1_000_000 * n, frame) for n, (interface, frame) in enumerate(frames, 1)]
    path.write_bytes(b"".join(blocks))
    return path


def _tshark(path: Path, *args: str) -> str:
    return subprocess.run(
        [tool("tshark"), "-n", "-r", str(path), *args], capture_output=True, text=True, check=True
    ).stdout


def test_defrag_takes_each_packet_by_its_link_type(tmp_path: Path) -> None:
    """The loopback interface's fragments make one UDP datagram, on the last fragment's frame, as tshark
    (which reassembles by default) shows it."""
    path = _write(tmp_path / "mixed.pcapng")
    fields = _tshark(path, "-T", "fields", "-e", "frame.number", "-e", "udp.srcport", "-e", "udp.length")
    reassembled = next(line.split("\t") for line in fields.splitlines() if line.split("\t")[0] == "6")
    assert reassembled[1:] == ["4000", "72"]
    res = run_cli("-n", "--defrag", "-r", str(path), text=True)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 6
    assert lines[5].endswith("IP 192.168.0.1.4000 > 192.168.0.2.5000: UDP, length 64"), lines[5]
    assert "192.168.0.1.2222 > 192.168.0.2.7" in lines[1]


def test_follow_takes_each_packet_by_its_link_type(tmp_path: Path) -> None:
    """-z follow,udp on each interface's stream prints tshark's text (the streams numbered across both)."""
    path = _write(tmp_path / "mixed.pcapng")
    for stream in (0, 1):
        spec = f"follow,udp,ascii,{stream}"
        expected = _tshark(path, "-q", "-z", spec)
        res = run_cli("-q", "-z", spec, "-r", str(path), text=True)
        assert res.returncode == 0, res.stderr
        assert res.stdout == expected
