"""The -v fast path writes, for every frame it takes, the blocks the rich path writes.

The rich path (decode/rich, then pcap4j.format_packet) is the reference, and the Pcap4J conformance test
holds it to Pcap4J's own dump. On every walked frame of the captures and the corpus, on crafted frames
cut at every length, and on frames with bytes overwritten at random, the fast blocks must equal the rich
ones wherever the fast path takes the frame.
"""

from __future__ import annotations

import io
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from pycapture import PcapError, open_offline
from pycapture.decode.rich import decode
from pycapture.output.layered import Pcap4jPrinter
from pycapture.output.pcap4j import format_packet
from pycapture.output.pcap4jfast import walk_dump
from pycapture.output.tcpdump.fastsummary import walk_fields
from support.corpus import corpus_rows
from support.env import CAPTURES, CORPUS
from support.frames import SAMPLES, TCP_SYN, UDP_DATAGRAM, ether, icmp_echo, ipv4, ipv6, tcp, udp, vlan_tag

ETHERNET = 1
_HEAD = "Captured at: 1970-01-01T00:00Z\nOriginal length: 0 bytes\n"


def _rich_blocks(data: bytes) -> str:
    text = format_packet(decode(ETHERNET, data), 0, 0, 0, len(data), utc=True)
    assert text.startswith(_HEAD)
    return text[len(_HEAD) :]


def _check(data: bytes) -> str | None:
    """The fast blocks of ``data`` (None where the fast path leaves it), checked against the rich ones."""
    walked = walk_fields(ETHERNET, data)
    fast = None if walked is None else walk_dump(data, walked)
    if fast is not None:
        assert fast == _rich_blocks(data), data.hex()
    return fast


FRAMES = [
    *SAMPLES[ETHERNET],
    ether(0x0800, ipv4(6, tcp(40000, 5001, payload=b"x" * 40))),  # data, no application
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x01\x01\x08\x0a" + struct.pack("!II", 7, 9)))),
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x01\x01\x05\x0a" + struct.pack("!II", 7, 9)))),  # SACK
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x02\x04\x05\xb4\x02\x04\x05\xb4"))),  # a kind twice
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x1e\x06\x00\x00\x00\x00\x00\x00"))),  # kind 30
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x01\x01\x01\x02"))),  # an option cut short
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x00\x01\x01\x01"))),  # padding after the end
    ether(0x0800, ipv4(6, tcp(53, 5001, payload=b"\x00\x10" + bytes(16)))),  # DNS over TCP: rich path
    ether(0x0800, ipv4(1, icmp_echo())),  # rich path
    ether(0x0800, ipv4(17, udp(40000, 9999, b"pad me"))) + bytes(12),  # Ethernet padding
    ether(0x8100, vlan_tag(7, 0x0800, pri=5) + ipv4(17, udp(40000, 9999))) + bytes(20),
    ether(0x86DD, ipv6(6, TCP_SYN[20:])),
    ether(0x86DD, ipv6(17, udp(40000, 9999, b"six"))),
    ether(0x0800, UDP_DATAGRAM),
    ether(0x0800, ipv4(6, tcp(22, 40000, payload=bytes(range(7, 47))))),  # SSH, encrypted: a bare layer
    ether(0x0800, ipv4(6, tcp(40000, 22, payload=b"\x00\x00\x00\x0c\x0a\x15" + bytes(10)))) + bytes(4),
    ether(0x86DD, ipv6(6, tcp(22, 40000, payload=b"\x00\x00\x01\x00\x08\x1e" + bytes(20)))),  # a first piece
    ether(0x0800, ipv4(6, tcp(445, 40000, payload=b"\x10abc" + bytes(30)))),  # an NBSS continuation: data
    ether(0x0800, ipv4(6, tcp(40000, 139, payload=b"\x85\x00"))),  # shorter than a session header
]


def test_crafted_frames_and_every_cut_of_them() -> None:
    taken = set()
    for frame in FRAMES:
        for cut in range(len(frame) + 1):
            fast = _check(frame[:cut])
            if fast is not None:
                taken.update(line.split(" (", 1)[0] for line in fast.splitlines() if line.startswith("["))
    assert {
        "[Ethernet Header",
        "[IEEE802.1Q Tag header",
        "[IPv4 Header",
        "[IPv6 Header",
        "[TCP Header",
        "[UDP Header",
        "[data",
        "[Ethernet Pad",
        "[SSH Protocol",
    } <= taken


@settings(max_examples=1500, deadline=None)
@given(
    frame=st.sampled_from(FRAMES),
    changes=st.lists(st.tuples(st.integers(0, 120), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_frames_with_bytes_overwritten(frame: bytes, changes: list[tuple[int, int]]) -> None:
    data = bytearray(frame)
    for at, value in changes:
        if at < len(data):
            data[at] = value
    _check(bytes(data))


def test_applications_banners_session_headers_fragments_and_icmp_take_the_rich_path() -> None:
    left = [
        ether(0x0800, ipv4(17, udp(33000, 53, b"\x12\x34" + bytes(10)))),
        ether(0x0800, ipv4(6, tcp(40000, 5001, payload=b"GET / HTTP/1.1\r\n\r\n"))),
        ether(0x0800, ipv4(1, icmp_echo())),
        ether(0x0800, ipv4(6, tcp(22, 40000, payload=b"SSH-2.0-OpenSSH_9.6\r\n"))),  # a banner
        ether(0x0800, ipv4(6, tcp(40000, 445, payload=b"\x00\x00\x00\x08\xfeSMB" + bytes(4)))),  # NBSS
    ]
    for frame in left:
        walked = walk_fields(ETHERNET, frame)
        assert walked is not None and walk_dump(frame, walked) is None
    fragment = bytearray(ether(0x0800, ipv4(17, udp(40000, 9999, b"first"))))
    fragment[14 + 6] |= 0x20  # More Fragments
    walked = walk_fields(ETHERNET, bytes(fragment))
    assert walked is None or walk_dump(bytes(fragment), walked) is None


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
                    taken += _check(packet.raw) is not None
        except PcapError:
            continue  # a damaged file: what libpcap reads of it is checked elsewhere
    # the corpus's frames are mostly plain; captures/ alone is mostly DNS and HTTP, which the rich path takes
    # (and its application frames the rich decoder reads by port: RX/AFS, MPTCP, OpenFlow, DoIP, HSRP...)
    assert taken > 0.15 * walked, (taken, walked)


def test_the_printer_writes_the_rich_dump_for_a_fast_frame() -> None:
    frame = ether(0x0800, ipv4(6, tcp(40000, 5001, payload=b"x" * 4))) + bytes(6)
    out = io.StringIO()
    Pcap4jPrinter(ETHERNET, out, utc=True)(1_600_000_000, 123456, 100, frame)
    assert walk_dump(frame, walk_fields(ETHERNET, frame)) is not None  # type: ignore[arg-type]
    assert (
        out.getvalue()
        == format_packet(decode(ETHERNET, frame), 1_600_000_000, 123456, 100, len(frame), utc=True) + "\n"
    )
