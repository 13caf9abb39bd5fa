"""The header walk: the compiled walk (``_fastline.walk``) and the Python walk (pycapture.decode.walk) give
the same record, field for field, for every frame of ../shared/corpus and captures/ (each read as its own
link type and as Ethernet), for every cut of those frames, and for mutated and random bytes."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pycapture.decode.walk import APP_DNS, APP_HTTP, APP_MDNS, APP_NTP, APP_SYSLOG, Walk, walk
from pycapture.output.tcpdump import fastsummary
from support.env import CAPTURES, CORPUS, IN_CI
from support.traffic import libpcap_records

if IN_CI and not fastsummary.COMPILED and not os.environ.get("PYCAPTURE_PURE_PYTHON"):
    pytest.fail("CI=true but pycapture.output.tcpdump._fastline was not built", pytrace=False)
fastline = pytest.importorskip("pycapture.output.tcpdump._fastline", reason="the C extension was not built")
if not fastsummary.COMPILED:  # PYCAPTURE_PURE_PYTHON: the tables were not passed to the extension
    pytest.skip("the compiled shortcut is turned off", allow_module_level=True)


def assert_same(linktype: int, data: bytes) -> bool:
    """Whether the walk takes the frame; fails where the two walks differ."""
    python, compiled = walk(linktype, data), fastline.walk(linktype, data)
    assert (None if python is None else tuple(python)) == compiled, data.hex()
    return python is not None


def _frames(paths) -> list[tuple[int, bytes]]:
    frames = []
    for path in paths:
        linktype, records = libpcap_records(path)
        frames += [(linktype, data) for _sec, _frac, _length, data in records]
    return frames


def test_corpus_and_sample_frames(corpus):
    frames = _frames([CORPUS / row["file"] for row in corpus] + sorted(CAPTURES.glob("*.pcap")))
    walked = 0
    for linktype, data in frames:
        walked += assert_same(linktype, data)
        assert_same(1, data)
    assert len(frames) > 5000 and walked > len(frames) // 10


def test_cuts_and_mutations(corpus):
    frames = [d for lt, d in _frames([CORPUS / row["file"] for row in corpus]) if lt == 1][:2000]
    rng = random.Random(15)
    for data in frames:
        for cut in range(30, min(len(data), 100) + 1):
            assert_same(1, data[:cut])
        for _ in range(5):
            mutated = bytearray(data)
            mutated[rng.randrange(min(len(data), 80))] = rng.randrange(256)
            assert_same(1, bytes(mutated))


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=30, max_size=120))
def test_random_bytes(data):
    assert_same(1, data)
    # most random frames are not IP: force an IPv4 or IPv6 EtherType and version to reach the transports
    assert_same(1, data[:12] + b"\x08\x00\x45" + data[15:])
    assert_same(1, data[:12] + b"\x86\xdd\x60" + data[15:])


def test_fields_of_a_tagged_tcp_segment():
    frame = bytes.fromhex(
        "020000000001020000000002"
        "8100"
        "0064"
        "0800"  # Ethernet, VLAN 100
        "4500002c1234400040060000c0000201c0000202"  # IPv4, TTL 64, TCP
        "d43100500000000100000002"
        "6002ffff00000000"
        "020405b4"  # TCP SYN, window 65535, mss 1460
    )
    walked = walk(1, frame)
    assert isinstance(walked, Walk)
    assert walked.vlan == 100 and walked.ethertype == 0x0800 and walked.network == 18
    assert (walked.ip_version, walked.ttl, walked.proto, walked.ip_ident) == (4, 64, 6, 0x1234)
    assert frame[walked.addresses : walked.addresses + 4] == bytes((192, 0, 2, 1))
    assert (walked.sport, walked.dport, walked.seq, walked.ack) == (54321, 80, 1, 2)
    assert (walked.tcp_flags, walked.window, walked.tcp_header) == (0x02, 0xFFFF, 24)
    assert (walked.payload, walked.payload_length, walked.app) == (len(frame), 0, APP_HTTP)
    assert tuple(walked) == fastline.walk(1, frame)


def test_application_codes_are_distinct_and_ordered():
    assert APP_DNS < APP_MDNS < APP_HTTP < APP_NTP < APP_SYSLOG
