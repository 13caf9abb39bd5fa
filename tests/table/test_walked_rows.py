"""The table's rows from the header walk equal its rows from the rich decoder, wherever the walk fills one.

The walk fills the rows of plain TCP and UDP frames on Ethernet (``_fill_walked``); every other frame goes
through the rich decoder (``_fill_rich``), whose rows the other table tests hold to ``--json`` and tshark.
On every Ethernet frame of captures/ and the corpus, and on damaged frames, the two must give the same row.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pycapture import PcapError, open_offline
from pycapture.output.tcpdump.fastsummary import walk_fields
from pycapture.table.reader import _N, _fill_rich, _fill_walked
from support.corpus import corpus_rows
from support.env import CAPTURES, CORPUS
from support.frames import SAMPLES

ETHERNET = 1


def _check(data: bytes) -> bool:
    """Whether the walk filled the row of ``data``; where it did, the row equals the rich one."""
    walked = walk_fields(ETHERNET, data)
    if walked is None:
        return False
    fast: list[Any] = [None] * _N
    fast[-1] = False  # malformed
    if not _fill_walked(fast, data, walked):
        assert fast == [None] * (_N - 1) + [False]  # untouched
        return False
    rich: list[Any] = [None] * _N
    rich[-1] = False
    _fill_rich(rich, ETHERNET, data)
    assert fast == rich, data.hex()
    return True


def test_every_walked_frame_of_the_captures_and_corpus() -> None:
    files = sorted(str(p) for p in CAPTURES.glob("*.pcap*"))
    files += [str(CORPUS / row["file"]) for row in corpus_rows()]
    walked = taken = 0
    for path in files:
        try:
            with open_offline(path) as handle:
                for packet in handle:
                    if packet.linktype != ETHERNET:
                        break
                    if walk_fields(ETHERNET, packet.raw) is None:
                        continue
                    walked += 1
                    taken += _check(packet.raw)
        except PcapError:
            continue  # a damaged file: what libpcap reads of it is checked elsewhere
    # the corpus's application frames the rich decoder reads by port (RX/AFS, MPTCP, OpenFlow, DoIP, HSRP,
    # Babel...) are the rich path's, not the walk's
    assert taken > 0.15 * walked, (taken, walked)


FRAMES = [frame for frame in SAMPLES[ETHERNET]]


@settings(max_examples=1500, deadline=None)
@given(
    frame=st.sampled_from(FRAMES),
    changes=st.lists(st.tuples(st.integers(0, 120), st.integers(0, 255)), min_size=1, max_size=4),
    cut=st.integers(0, 200),
)
def test_frames_with_bytes_overwritten_or_cut(frame: bytes, changes: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(frame)
    for at, value in changes:
        if at < len(data):
            data[at] = value
    _check(bytes(data[: max(cut, 14)]))
