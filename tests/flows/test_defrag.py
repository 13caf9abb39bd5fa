"""The Defragmenter against tshark's IP reassembly, on crafted fragment sets: in order, reversed,
shuffled, duplicated, and overlapping with bytes that differ; IPv4 and IPv6. Then its limits."""

from __future__ import annotations

import itertools
import random
import struct
import subprocess
from pathlib import Path

import dpkt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pycapture.flows import Defragmenter
from support import frames as f
from support.commands import tool

PORT = 40000  # to port 9999: tshark shows the reassembled UDP payload as udp.payload

Piece = tuple[int, bytes, bool]  # offset in bytes, data, more fragments


def _udp(payload: bytes) -> bytes:
    return struct.pack("!HHHH", PORT, 9999, 8 + len(payload), 0) + payload


def _ipv4(piece: Piece, ident: int) -> bytes:
    offset, data, more = piece
    header = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        20 + len(data),
        ident,
        (0x2000 if more else 0) | offset // 8,
        64,
        17,
        0,
        f.IP_A,
        f.IP_B,
    )
    return header + data


def _ipv6(piece: Piece, ident: int) -> bytes:
    offset, data, more = piece
    fragment = struct.pack("!BBHI", 17, 0, offset | int(more), ident)
    return struct.pack("!IHBB16s16s", 0x60000000, 8 + len(data), 44, 64, f.IP6_A, f.IP6_B) + fragment + data


def _cut(datagram: bytes, size: int) -> list[Piece]:
    return [(at, datagram[at : at + size], at + size < len(datagram)) for at in range(0, len(datagram), size)]


CASES: dict[str, list[Piece]] = {}
_D = _udp(bytes(range(256)) * 2)
CASES["in order"] = _cut(_D, 64)
CASES["reversed"] = _cut(_D, 64)[::-1]
CASES["shuffled with duplicates"] = [
    p for p in random.Random(1).sample(_cut(_D, 48) * 2, 2 * len(_cut(_D, 48)))
]
_A = _udp(b"A" * 96)
CASES["overlap, later bytes differ"] = [(0, _A[:64], True), (32, b"B" * 72, False)]
CASES["overlap, later one first"] = [(32, b"B" * 72, False), (0, _A[:64], True)]
CASES["same offset, bytes differ"] = [(0, _A[:56], True), (0, _A[:8] + b"C" * 48, True), (56, _A[56:], False)]
CASES["contained fragment differs"] = [(16, b"D" * 16, True), (0, _A[:64], True), (64, _A[64:], False)]
CASES["two lasts"] = [(0, _A[:64], True), (64, _A[64:], False), (64, _A[64:80], False)]


def _tshark_payloads(path: Path) -> list[bytes]:
    out = subprocess.run(
        [tool("tshark"), "-r", str(path), "-T", "fields", "-e", "udp.payload"],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    return [bytes.fromhex(line.replace(":", "")) for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize("version", [4, 6])
def test_each_case_gives_tshark_s_payload(tmp_path: Path, version: int) -> None:
    path = tmp_path / f"frags{version}.pcap"
    ours: list[bytes] = []
    with path.open("wb") as out:
        writer = dpkt.pcap.Writer(out)
        number = 0
        for ident, (name, pieces) in enumerate(CASES.items(), 1):
            defrag = Defragmenter()
            got = []
            for piece in pieces:
                packet = _ipv4(piece, ident) if version == 4 else _ipv6(piece, ident)
                number += 1
                writer.writepkt(f.ether(0x0800 if version == 4 else 0x86DD, packet), ts=number)
                datagram = defrag.add(packet, float(number), number)
                if datagram is not None:
                    got.append(datagram.payload[8:])
            assert len(got) == 1, name
            ours += got
    assert ours == _tshark_payloads(path)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(min_size=9, max_size=600),
    st.integers(1, 20),
    st.randoms(use_true_random=False),
    st.sampled_from([4, 6]),
)
def test_any_order_and_duplication_gives_the_datagram(
    data: bytes, units: int, rng: random.Random, version: int
) -> None:
    pieces = _cut(data, units * 8)
    if len(pieces) < 2:
        pieces = _cut(data, 8)
    sent = pieces + rng.sample(pieces, rng.randint(0, len(pieces)))  # some twice
    rng.shuffle(sent)
    defrag = Defragmenter()
    results = []
    for i, piece in enumerate(sent):
        packet = _ipv4(piece, 7) if version == 4 else _ipv6(piece, 7)
        datagram = defrag.add(packet, 1.0, i)
        if datagram is not None:
            results.append(datagram)
    assert len(results) == 1 and results[0].payload == data
    assert defrag.held_bytes == 0 and defrag.stats.reassembled == 1
    assert defrag.stats.fragments == len(sent)


def test_timeout_memory_cap_and_counters() -> None:
    defrag = Defragmenter(timeout=10, max_bytes=1000)
    first = _ipv4((0, b"x" * 400, True), 1)
    defrag.add(first, 0.0)
    defrag.add(_ipv4((0, b"y" * 400, True), 2), 1.0)
    assert defrag.held_bytes == 800
    defrag.add(_ipv4((0, b"z" * 400, True), 3), 2.0)  # past 1000 bytes: the oldest goes
    assert defrag.stats.evicted == 1 and defrag.held_bytes == 800
    defrag.add(_ipv4((0, b"w" * 8, True), 4), 12.5)  # 2's and 3's first fragments are over 10 s old
    assert defrag.stats.timed_out == 2 and defrag.held_bytes == 8
    assert defrag.add(_ipv4((400, b"y" * 8, False), 2), 13.0) is None  # its start is gone: held, no datagram
    assert defrag.stats.fragments == 5
    whole = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 9, 0, 64, 17, 0, f.IP_A, f.IP_B) + bytes(8)
    assert defrag.add(whole, 14.0) is None and not Defragmenter.is_fragment(whole)
    assert Defragmenter.is_fragment(first)
    bad = bytearray(first)
    bad[0], bad[2:4] = 0x4F, (40).to_bytes(2, "big")  # a 60-byte header in a 40-byte packet
    assert defrag.add(bytes(bad), 14.0) is None and defrag.stats.malformed == 1


def test_bad_arguments() -> None:
    with pytest.raises(TypeError):
        Defragmenter(timeout="30")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Defragmenter(max_bytes=0)
    with pytest.raises(TypeError):
        Defragmenter().add("not bytes")  # type: ignore[arg-type]


def test_a_flood_of_half_datagrams_stays_under_the_cap() -> None:
    defrag = Defragmenter(max_bytes=64 << 10)
    for ident, ts in zip(range(20000), itertools.count(0, 0.001)):
        defrag.add(_ipv4((0, bytes(64), True), ident), ts)
        assert defrag.held_bytes <= 64 << 10
    assert defrag.stats.evicted == 20000 - (64 << 10) // 64
