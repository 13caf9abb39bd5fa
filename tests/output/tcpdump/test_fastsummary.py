"""The summary shortcut (pycapture.output.tcpdump.fastsummary) agrees with the general path.

The shortcut reads TCP, UDP and ICMP echo over Ethernet/IPv4/IPv6 straight from the bytes; the general
path is the lean decoder plus ``summary_line``. Every frame of ../shared/corpus, of captures/ and of a
generated capture must get the same line from both, and so must truncated and mutated frames; a printer
given a batch prints what it prints packet by packet. The two-process reader is the pump's
(tests/flow/test_pump.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pycapture.decode.lean import decode
from pycapture.output.tcpdump.fastsummary import SummaryCache, frame_summary
from pycapture.output.tcpdump.printer import SummaryPrinter
from pycapture.output.tcpdump.text import summary_line
from support.env import CAPTURES, CORPUS
from support.traffic import TextSink, libpcap_records


def general(linktype: int, data: bytes, length: int) -> str:
    return summary_line(decode(linktype, data, length), length)


def assert_same_lines(path: Path) -> int:
    linktype, records = libpcap_records(path)
    cache = SummaryCache()
    for number, (_sec, _frac, length, data) in enumerate(records, 1):
        assert frame_summary(linktype, data, length, cache) == general(linktype, data, length), (path, number)
    return len(records)


def test_corpus_lines_are_those_of_the_general_path(corpus):
    assert sum(assert_same_lines(CORPUS / row["file"]) for row in corpus) > 20000


def test_sample_and_generated_lines_are_those_of_the_general_path(mix_capture):
    for path in sorted(CAPTURES.glob("*.pcap")):
        assert_same_lines(path)
    assert assert_same_lines(mix_capture) == 20000


def test_every_cut_of_generated_frames_gives_the_general_line(mix_capture):
    _linktype, records = libpcap_records(mix_capture)
    cache = SummaryCache()
    for _sec, _frac, length, data in records[:400]:
        for cut in range(len(data) + 1):
            part = data[:cut]
            assert frame_summary(1, part, length, cache) == general(1, part, length), (data.hex(), cut)


@pytest.fixture(scope="module")
def sample_frames(mix_capture) -> list[bytes]:
    return [data for _s, _f, _l, data in libpcap_records(mix_capture)[1][:2000:7]]


@settings(max_examples=300, deadline=None)
@given(
    pick=st.integers(0, 10**6), edits=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 255)), max_size=4)
)
@example(pick=271, edits=[(19, 0)])  # IPv6 UDP with payload length 0: tcpdump says [|udp], not its length
def test_mutated_frames_give_the_general_line(sample_frames, pick, edits):
    data = bytearray(sample_frames[pick % len(sample_frames)])
    for pos, value in edits:
        if pos < len(data):
            data[pos] = value
    frame = bytes(data)
    assert frame_summary(1, frame, len(frame) + 4, SummaryCache()) == general(1, frame, len(frame) + 4)


@pytest.mark.parametrize("options", [{}, {"time_style": 4}, {"time_style": 2}, {"link_level": True},
                                     {"hex_level": 1}, {"nano": True}])  # fmt: skip
def test_batches_print_what_packet_by_packet_printing_prints(mix_capture, options):
    linktype, records = libpcap_records(mix_capture)
    one, batched = TextSink(), TextSink()
    single = SummaryPrinter(linktype, one, utc=True, **options)  # type: ignore[arg-type]
    for record in records[:3000]:
        single(*record)
    SummaryPrinter(linktype, batched, utc=True, **options).write_batch(records[:3000])  # type: ignore[arg-type]
    assert "".join(batched.parts) == "".join(one.parts)
