"""The compiled shortcut (pycapture.output.tcpdump._fastline) prints exactly the lines of the Python.

Where the extension prints a frame at all, its line must be the general path's (lean decoder plus
``summary_line``), for every Ethernet frame of ../shared/corpus, of captures/ and of a generated capture,
for every cut of generated frames, for mutated frames and for random DNS messages; and the summaries of
whole buffers and batches must not change when it is turned off. In CI (where gcc and the Python headers
are installed) the extension must have been built; elsewhere these tests skip without it.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pycapture.decode.lean import decode
from pycapture.output.tcpdump import fastsummary
from pycapture.output.tcpdump.fastsummary import SummaryCache, summary_batch, summary_records
from pycapture.output.tcpdump.text import TcpSequences, summary_line
from pycapture.output.tcpdump.timestamps import second_prefix_function, time_formatter
from support.env import CAPTURES, CORPUS, IN_CI
from support.traffic import libpcap_records

if IN_CI and not fastsummary.COMPILED and not os.environ.get("PYCAPTURE_PURE_PYTHON"):
    pytest.fail("CI=true but pycapture.output.tcpdump._fastline was not built", pytrace=False)
fastline = pytest.importorskip("pycapture.output.tcpdump._fastline", reason="the C extension was not built")

_PREFIX = "P."


def _prefix(_sec: int) -> str:
    return _PREFIX


def compiled_line(data: bytes, length: int) -> str | None:
    """The extension's line for one Ethernet frame (without time and newline), or None if it leaves it."""
    text, index = fastline.batch([(0, 0, length, data)], 0, _prefix, None, TcpSequences.LIMIT)
    if index == 0:
        assert text == ""
        return None
    assert text.startswith("P.000000 ") and text.endswith("\n") and text.count("\n") == 1
    return text[len("P.000000 ") : -1]


def general(data: bytes, length: int) -> str:
    return summary_line(decode(1, data, length), length)


def assert_same(data: bytes, length: int) -> bool:
    """Whether the extension printed the frame; fails if its line is not the general path's."""
    line = compiled_line(data, length)
    if line is not None:
        assert line == general(data, length), data.hex()
    return line is not None


def test_corpus_ethernet_frames(corpus):
    printed = seen = 0
    for row in corpus:
        linktype, records = libpcap_records(CORPUS / row["file"])
        if linktype != 1:
            continue
        for _sec, _frac, length, data in records:
            seen += 1
            printed += assert_same(data, length)
    # the corpus is mostly protocols the shortcut leaves to the Python printers (BGP, OpenFlow, the UDP
    # applications...); on ordinary traffic it prints 95% (below)
    assert seen > 5000 and printed > seen // 8


def test_generated_and_sample_frames_mostly_compiled(mix_capture):
    for path in sorted(CAPTURES.glob("*.pcap")):
        linktype, records = libpcap_records(path)
        if linktype == 1:
            for _sec, _frac, length, data in records:
                assert_same(data, length)
    _linktype, records = libpcap_records(mix_capture)
    printed = sum(assert_same(data, length) for _sec, _frac, length, data in records)
    assert printed >= 0.95 * len(records)  # all but ARP and neighbor discovery


def test_every_cut_of_generated_frames(mix_capture):
    _linktype, records = libpcap_records(mix_capture)
    for _sec, _frac, length, data in records[:400]:
        for cut in range(len(data) + 1):
            assert_same(data[:cut], length)


@settings(max_examples=400, deadline=None)
@given(
    pick=st.integers(0, 10**6),
    edits=st.lists(st.tuples(st.integers(0, 120), st.integers(0, 255)), max_size=5),
)
def test_mutated_frames(mix_capture, pick, edits):
    records = libpcap_records(mix_capture)[1]
    data = bytearray(records[pick % len(records)][3])
    for pos, value in edits:
        if pos < len(data):
            data[pos] = value
    assert_same(bytes(data), len(data) + 4)


def _udp_frame(payload: bytes, sport: int = 53, dport: int = 40000, udp_length: int | None = None) -> bytes:
    ulen = len(payload) + 8 if udp_length is None else udp_length
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 1, 0, 64, 17, 0, bytes([192, 0, 2, 1]),
                     bytes([198, 51, 100, 2]))  # fmt: skip
    return (
        b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
        + ip
        + struct.pack("!HHHH", sport, dport, ulen, 0)
        + payload
    )


_name = st.lists(st.binary(min_size=1, max_size=12), min_size=0, max_size=4).map(
    lambda labels: b"".join(bytes([len(x)]) + x for x in labels) + b"\x00"
)
_pointer = st.integers(0, 0x3FFF).map(lambda p: struct.pack("!H", 0xC000 | p))
_dns_part = st.one_of(
    _name,
    _pointer,
    st.tuples(
        _name, st.sampled_from([1, 2, 5, 6, 12, 15, 16, 28, 33, 255, 9999]), st.integers(0, 0xFFFF)
    ).map(lambda t: t[0] + struct.pack("!HH", t[1], t[2])),
    st.binary(max_size=24),
)


@settings(max_examples=1500, deadline=None)
@given(
    header=st.tuples(*[st.integers(0, 0xFFFF)] * 2, *[st.integers(0, 3)] * 4),
    parts=st.lists(_dns_part, max_size=10),
    ports=st.sampled_from([(53, 40000), (40000, 53), (5353, 5353)]),
    slack=st.integers(-20, 20),
)
@example(header=(0x1234, 0x8180, 1, 2, 0, 0), parts=[], ports=(53, 40000), slack=0)
def test_random_dns_messages(header, parts, ports, slack):
    message = struct.pack("!6H", *header) + b"".join(parts)
    frame = _udp_frame(message, *ports, udp_length=max(0, len(message) + 8 + slack))
    assert_same(frame, len(frame))


def test_dns_answers_of_every_kind():
    def rr(rtype: int, rdata: bytes) -> bytes:
        return b"\xc0\x0c" + struct.pack("!HHIH", rtype, 1, 60, len(rdata)) + rdata

    question = b"\x07example\x03com\x00" + struct.pack("!HH", 1, 1)
    answers = [rr(1, bytes([192, 0, 2, 7])), rr(28, socket.inet_pton(socket.AF_INET6, "2001:db8::1")),
               rr(5, b"\x03www\xc0\x0c"), rr(15, b"\x00\x0a\x04mail\xc0\x0c"), rr(99, b"\x05hello"),
               rr(12, b"\x03\xff\x80x\x00")]  # fmt: skip
    message = struct.pack("!6H", 7, 0x8180, 1, len(answers), 0, 0) + question + b"".join(answers)
    frame = _udp_frame(message)
    assert compiled_line(frame, len(frame)) == general(frame, len(frame))
    assert "A 192.0.2.7, AAAA 2001:db8::1, CNAME www.example.com., MX mail.example.com. 10, SPF" in general(
        frame, len(frame)
    )
    txt = struct.pack("!6H", 7, 0x8180, 1, 1, 0, 0) + question + rr(16, b"\x05hello")
    frame = _udp_frame(txt)
    assert compiled_line(frame, len(frame)) == general(frame, len(frame))
    assert general(frame, len(frame)).endswith(' 1/0/0 TXT "hello" (47)')
    query = struct.pack("!6H", 8, 0x0100, 1, 0, 0, 1) + question
    frame = _udp_frame(query, 40000, 53)
    assert (
        compiled_line(frame, len(frame))
        == general(frame, len(frame))
        == ("IP 192.0.2.1.40000 > 198.51.100.2.53: 8+ [1au] A? example.com. (29)")
    )


def _ipv6_frame(src: bytes, dst: bytes) -> bytes:
    icmp = bytes([128, 0, 0, 0, 0, 1, 0, 2])
    ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(icmp), 58, 64, src, dst)
    return b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x86\xdd" + ip6 + icmp


_word = st.sampled_from([0, 0, 0, 1, 0xFFFF, 0xDB8, 0x10, 0x100, 0xABCD])


@settings(max_examples=600, deadline=None)
@given(src=st.lists(_word, min_size=8, max_size=8), dst=st.binary(min_size=16, max_size=16))
@example(src=[0, 0, 0, 0, 0, 0xFFFF, 0xC000, 0x0201], dst=bytes(16))
@example(src=[0, 0, 0, 0, 0, 0, 0xC000, 0x0201], dst=bytes(15) + b"\x01")
@example(src=[1, 0, 0, 1, 0, 0, 1, 0], dst=bytes(14) + b"\x00\x01")
def test_ipv6_addresses_as_inet_ntop_writes_them(src, dst):
    raw = struct.pack("!8H", *src)
    frame = _ipv6_frame(raw, dst)
    line = compiled_line(frame, len(frame))
    expected = f"IP6 {socket.inet_ntop(socket.AF_INET6, raw)} > {socket.inet_ntop(socket.AF_INET6, dst)}: "
    assert line is not None and line.startswith(expected)


def test_tcp_options_of_handshakes():
    def segment(options: bytes, flags: int = 0x02) -> bytes:
        tcp = struct.pack("!HHIIBBHHH", 40000, 443, 1000, 0, (5 + len(options) // 4) << 4, flags, 64240, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(options), 1, 0, 64, 6, 0,
                         bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2]))  # fmt: skip
        return b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00" + ip + tcp + options

    linux_syn = bytes.fromhex("020405b40402080a000000010000000001030307")
    windows_syn = bytes.fromhex("020405b40103030801010402")
    for options in (linux_syn, windows_syn, bytes.fromhex("00000000"), bytes.fromhex("0101ff01")):
        frame = segment(options)
        assert compiled_line(frame, len(frame)) == general(frame, len(frame))
    frame = segment(linux_syn)
    assert "options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0" in compiled_line(
        frame, len(frame)
    )
    sack = segment(bytes.fromhex("0101050a0000000100000002"), 0x10)
    assert compiled_line(sack, len(sack)) is None  # SACK blocks are left to the Python


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_buffers_and_batches_print_the_same_with_and_without_the_extension(mix_capture, relative):
    def cache() -> SummaryCache:
        return SummaryCache(TcpSequences() if relative else None)

    linktype, records = libpcap_records(mix_capture)
    for utc in (True, False):
        stamp = time_formatter(0, utc, False)
        prefix = second_prefix_function(stamp)
        compiled = summary_batch(linktype, records, stamp, prefix, cache())
        assert compiled == summary_batch(linktype, records, stamp, prefix, cache(), compiled=False)
        raw = mix_capture.read_bytes()[24:]
        text, used, count = summary_records(linktype, raw, 262144, stamp, prefix, cache())
        assert (text, used, count) == summary_records(
            linktype, raw, 262144, stamp, prefix, cache(), compiled=False
        )
        assert count == len(records) and text == compiled
    assert (", ack 1, " in compiled) == relative


def test_buffer_cut_inside_a_record_stops_before_it(mix_capture):
    raw = mix_capture.read_bytes()[24:]
    stamp = time_formatter(0, True, False)
    prefix = second_prefix_function(stamp)
    for cut in (17, 1000, 4096 + 7, len(raw) - 3):
        part = raw[:cut]
        got = summary_records(1, part, 262144, stamp, prefix, SummaryCache())
        assert got == summary_records(1, part, 262144, stamp, prefix, SummaryCache(), compiled=False)
        assert got[1] <= cut


def test_times_the_prefix_function_cannot_print_go_to_the_python(mix_capture):
    _linktype, records = libpcap_records(mix_capture)
    stamp = time_formatter(0, True, False)
    prefix = second_prefix_function(stamp)
    odd = [(-5, 7, r[2], r[3]) for r in records[:5]] + [(r[0], -3, r[2], r[3]) for r in records[5:10]]
    odd += [(2**40, 12, r[2], r[3]) for r in records[10:12]] + [
        (r[0], 10**7, r[2], r[3]) for r in records[12:14]
    ]
    assert summary_batch(1, odd, stamp, prefix, SummaryCache()) == summary_batch(
        1, odd, stamp, prefix, SummaryCache(), compiled=False
    )


def test_pure_python_switch_turns_the_extension_off():
    code = "from pycapture.output.tcpdump import fastsummary; print(fastsummary.COMPILED)"
    for value, expected in (("1", "False"), ("", "True")):
        env = dict(os.environ, PYCAPTURE_PURE_PYTHON=value)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == expected


@settings(max_examples=600, deadline=None)
@given(
    payload=st.one_of(
        st.binary(max_size=16),
        st.tuples(st.sampled_from([b"<", b"<<", b"x"]), st.text("0123456789>a", max_size=6)).map(
            lambda t: t[0] + t[1].encode()
        ),
    ),
    port=st.sampled_from([123, 514]),
    slack=st.integers(-4, 4),
    cut=st.integers(0, 6),
)
def test_random_ntp_and_syslog_payloads(payload, port, slack, cut):
    frame = _udp_frame(payload, 40000, port, udp_length=max(0, len(payload) + 8 + slack))
    assert_same(frame[: len(frame) - min(cut, len(payload))], len(frame))
