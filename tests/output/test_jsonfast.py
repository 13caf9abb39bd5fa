"""The JSON fast path writes, for every frame it takes, the bytes the rich path writes.

The rich path (decode/rich, then jsonl.to_dict and to_json) is the reference: on every Ethernet frame of
the captures and the corpus, on crafted frames cut at every length, and on frames with bytes overwritten
at random, the fast layers must equal the rich ones wherever the fast path takes the frame.
"""

from __future__ import annotations

import io
import json
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from pycapture import PcapError, open_offline
from pycapture.decode.rich import decode
from pycapture.output.jsonfast import walk_layers
from pycapture.output.jsonl import to_dict, to_json
from pycapture.output.layered import JsonLinesPrinter
from pycapture.output.tcpdump.fastsummary import walk_fields
from support.corpus import corpus_rows
from support.env import CAPTURES, CORPUS
from support.frames import (
    SAMPLES,
    TCP_SYN,
    UDP_DATAGRAM,
    ether,
    icmp_echo,
    ipv4,
    ipv6,
    tcp,
    udp,
    vlan_tag,
)

ETHERNET = 1


def _rich_layers(data: bytes) -> str:
    return to_json(to_dict(decode(ETHERNET, data), 1, 0, 0, len(data), len(data), "EN10MB")["layers"])


def _check(data: bytes) -> str | None:
    """The fast layers of ``data`` (None where the fast path leaves it), checked against the rich ones."""
    walked = walk_fields(ETHERNET, data)
    fast = None if walked is None else walk_layers(data, walked)
    if fast is not None:
        assert fast == _rich_layers(data), data.hex()
    return fast


FRAMES = [
    *SAMPLES[ETHERNET],
    ether(0x0800, ipv4(6, tcp(40000, 5001, payload=b"x" * 40))),  # data, no application
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x01\x01\x08\x0a" + struct.pack("!II", 7, 9)))),
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x01\x01\x05\x0a" + struct.pack("!II", 7, 9)))),  # SACK
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x02\x04\x05\xb4\x02\x04\x05\xb4"))),  # a key twice
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x1e\x06\x00\x00\x00\x00\x00\x00"))),  # kind 30
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x01\x01\x01\x02"))),  # an option cut short
    ether(0x0800, ipv4(1, icmp_echo())),
    ether(0x0800, ipv4(17, udp(40000, 9999, b"pad me"))) + bytes(12),  # Ethernet padding
    ether(0x8100, vlan_tag(7, 0x0800, pri=5) + ipv4(17, udp(40000, 9999))) + bytes(20),
    ether(0x86DD, ipv6(58, bytes([128, 0, 0, 0, 0, 7, 0, 9]) + b"ping")),
    ether(0x86DD, ipv6(58, bytes([135, 0, 0, 0]) + bytes(20))),  # neighbour solicitation: rich path
    ether(0x86DD, ipv6(6, TCP_SYN[20:])),
    ether(0x0800, ipv4(58, bytes([128, 0, 0, 0, 0, 7, 0, 9]))),  # ICMPv6 in IPv4: rich path
    ether(0x0800, UDP_DATAGRAM),
]


def test_crafted_frames_and_every_cut_of_them() -> None:
    taken = set()
    for frame in FRAMES:
        for cut in range(len(frame) + 1):
            fast = _check(frame[:cut])
            if fast is not None:
                taken.update(layer["layer"] for layer in json.loads(fast))
                if '"padding"' in fast:
                    taken.add("padding")
    assert {"eth", "vlan", "ip", "ipv6", "tcp", "udp", "icmp", "icmpv6", "data", "padding"} <= taken


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


def test_the_fast_path_leaves_what_it_does_not_know() -> None:
    dns = ether(0x0800, ipv4(17, udp(33000, 53, b"\x12\x34" + bytes(10))))
    http = ether(0x0800, ipv4(6, tcp(40000, 5001, payload=b"GET / HTTP/1.1\r\n\r\n")))
    unreachable = ether(0x0800, ipv4(1, bytes([3, 3, 0, 0, 0, 0, 0, 0]) + ipv4(17, udp(1, 2))))
    for frame in (dns, http, unreachable):
        walked = walk_fields(ETHERNET, frame)
        assert walked is not None and walk_layers(frame, walked) is None


def test_the_printer_writes_the_frame_object_of_the_rich_path() -> None:
    for name in ("mixed.pcap", "mixed-nano.pcap"):
        out = io.StringIO()
        expected = []
        with open_offline(str(CAPTURES / name), precision="nano") as handle:
            printer = JsonLinesPrinter(ETHERNET, out, nano=True)
            for number, packet in enumerate(handle, 1):
                assert packet.linktype == ETHERNET and packet.nanosecond
                printer(packet.ts_sec, packet.ts_frac, packet.original_length, packet.raw)
                decoded = decode(packet.linktype, packet.raw)
                expected.append(
                    to_json(
                        to_dict(
                            decoded, number, packet.ts_sec, packet.ts_frac, packet.original_length,
                            len(packet.raw), "EN10MB", True,
                        )
                    )
                )  # fmt: skip
        assert len(expected) > 10
        assert out.getvalue().splitlines() == expected


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
                    fields = walk_fields(ETHERNET, packet.raw)
                    if fields is None:
                        continue
                    walked += 1
                    if _check(packet.raw) is not None:
                        taken += 1
        except PcapError:
            continue  # a damaged file: what libpcap reads of it is checked elsewhere
    # the corpus's application frames the rich decoder reads by port (RX/AFS, MPTCP, OpenFlow, DoIP, HSRP,
    # Babel...) are the rich path's
    assert taken > 0.15 * walked, (taken, walked)
