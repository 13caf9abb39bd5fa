"""The Pcap4J layered dump: block structure, indentation, header lines, data and illegal-packet blocks.

The golden text is what Pcap4J 2 prints (``System.out.println(packet)`` on a ``PcapPacket``) for an
Ethernet/IPv4/TCP SYN from 192.0.2.1:12345 to 192.0.2.2:80 carrying MSS, SACK-permitted,
timestamps, NOP and window-scale options, with the labels and texts of Pcap4J's EthernetHeader,
IpV4Header and TcpHeader ``buildString()``. The decoded packet is built by hand with those labels,
so the test checks the layout, not the decoder.
"""

from __future__ import annotations

import os
import time

import pytest

from pycapture.decode.model import DecodedPacket, Field, Layer, Malformed
from pycapture.output.pcap4j import captured_at_text, format_packet, hex_stream

TS_SEC = 1767323045  # 2026-01-02 03:04:05 UTC
TS_USEC = 123

GOLDEN_SYN = """\
Captured at: 2026-01-02T03:04:05.000123Z
Original length: 74 bytes
[Ethernet Header (14 bytes)]
  Destination address: 02:00:00:00:00:02
  Source address: 02:00:00:00:00:01
  Type: 0x0800 (IPv4)
[IPv4 Header (20 bytes)]
  Version: 4 (IPv4)
  IHL: 5 (20 [bytes])
  TOS: [precedence: 0 (Routine)] [tos: 0 (Default)] [mbz: 0]
  Total length: 60 [bytes]
  Identification: 32393
  Flags: (Reserved, Don't Fragment, More Fragment) = (false, true, false)
  Fragment offset: 0 (0 [bytes])
  TTL: 64
  Protocol: 6 (TCP)
  Header checksum: 0x382f
  Source address: /192.0.2.1
  Destination address: /192.0.2.2
[TCP Header (40 bytes)]
  Source port: 12345 (unknown)
  Destination port: 80 (HTTP)
  Sequence Number: 2239453442
  Acknowledgment Number: 0
  Data Offset: 10 (40 [bytes])
  Reserved: 0
  URG: false
  ACK: false
  PSH: false
  RST: false
  SYN: true
  FIN: false
  Window: 29200
  Checksum: 0xc019
  Urgent Pointer: 0
  Option: [Kind: 2 (Maximum Segment Size)] [Length: 4 bytes] [Maximum Segment Size: 1460 bytes]
  Option: [Kind: 4 (SACK Permitted)] [Length: 2 bytes]
  Option: [Kind: 8 (Timestamps)] [Length: 10 bytes] [TS Value: 2943013729] [TS Echo Reply: 0]
  Option: [Kind: 1 (No Operation)]
  Option: [Kind: 3 (Window Scale)] [Length: 3 bytes] [Shift Count: 6]
"""


def _eth(type_value: int = 0x0800, type_text: str = "0x0800 (IPv4)") -> Layer:
    return Layer(
        "eth",
        "Ethernet Header",
        14,
        [
            Field("dst", "Destination address", "02:00:00:00:00:02"),
            Field("src", "Source address", "02:00:00:00:00:01"),
            Field("type", "Type", type_value, type_text),
        ],
    )


def _ipv4(total_length: int, proto: int, proto_text: str, checksum: int) -> Layer:
    return Layer(
        "ip",
        "IPv4 Header",
        20,
        [
            Field("version", "Version", 4, "4 (IPv4)"),
            Field("hdr_len", "IHL", 20, "5 (20 [bytes])"),
            Field("dsfield", "TOS", 0, "[precedence: 0 (Routine)] [tos: 0 (Default)] [mbz: 0]"),
            Field("len", "Total length", total_length, f"{total_length} [bytes]"),
            Field("id", "Identification", 32393),
            Field(
                "flags",
                "Flags",
                {"rb": False, "df": True, "mf": False},
                "(Reserved, Don't Fragment, More Fragment) = (false, true, false)",
            ),
            Field("frag_offset", "Fragment offset", 0, "0 (0 [bytes])"),
            Field("ttl", "TTL", 64),
            Field("proto", "Protocol", proto, proto_text),
            Field("checksum", "Header checksum", checksum, f"0x{checksum:04x}"),
            Field("src", "Source address", "192.0.2.1", "/192.0.2.1"),
            Field("dst", "Destination address", "192.0.2.2", "/192.0.2.2"),
        ],
    )


def _tcp_syn() -> Layer:
    options = [
        "[Kind: 2 (Maximum Segment Size)] [Length: 4 bytes] [Maximum Segment Size: 1460 bytes]",
        "[Kind: 4 (SACK Permitted)] [Length: 2 bytes]",
        "[Kind: 8 (Timestamps)] [Length: 10 bytes] [TS Value: 2943013729] [TS Echo Reply: 0]",
        "[Kind: 1 (No Operation)]",
        "[Kind: 3 (Window Scale)] [Length: 3 bytes] [Shift Count: 6]",
    ]
    flags = {"URG": False, "ACK": False, "PSH": False, "RST": False, "SYN": True, "FIN": False}
    return Layer(
        "tcp",
        "TCP Header",
        40,
        [
            Field("srcport", "Source port", 12345, "12345 (unknown)"),
            Field("dstport", "Destination port", 80, "80 (HTTP)"),
            Field("seq", "Sequence Number", 2239453442),
            Field("ack", "Acknowledgment Number", 0),
            Field("hdr_len", "Data Offset", 40, "10 (40 [bytes])"),
            Field("reserved", "Reserved", 0),
            *(Field(f"flags.{name.lower()}", name, value) for name, value in flags.items()),
            Field("window_size", "Window", 29200),
            Field("checksum", "Checksum", 0xC019, "0xc019"),
            Field("urgent_pointer", "Urgent Pointer", 0),
            *(Field("option", "Option", text, json=False) for text in options),
        ],
    )


def _syn_packet() -> DecodedPacket:
    return DecodedPacket(linktype=1, layers=[_eth(), _ipv4(60, 6, "6 (TCP)", 0x382F), _tcp_syn()])


def test_syn_matches_pcap4j_line_by_line() -> None:
    text = format_packet(_syn_packet(), TS_SEC, TS_USEC, 74, 74, utc=True)
    got, want = text.split("\n"), GOLDEN_SYN.split("\n")
    for number, (g, w) in enumerate(zip(got, want), start=1):
        assert g == w, f"line {number}"
    assert len(got) == len(want)
    assert text == GOLDEN_SYN


def test_every_line_ends_with_a_newline_and_brackets_balance() -> None:
    text = format_packet(_syn_packet(), TS_SEC, TS_USEC, 74, 74, utc=True)
    assert text.endswith("\n") and not text.endswith("\n\n")
    for line in text.splitlines():
        assert line.count("[") == line.count("]"), line
        assert line.count("(") == line.count(")"), line


def test_payload_is_a_data_block_with_a_hex_stream() -> None:
    udp = Layer(
        "udp",
        "UDP Header",
        8,
        [
            Field("srcport", "Source port", 40000, "40000 (unknown)"),
            Field("dstport", "Destination port", 9, "9 (Discard)"),
            Field("length", "Length", 13, "13 [bytes]"),
            Field("checksum", "Checksum", 0, "0x0000"),
        ],
    )
    packet = DecodedPacket(1, [_eth(), _ipv4(33, 17, "17 (UDP)", 0), udp], payload=b"Hello")
    lines = format_packet(packet, TS_SEC, 0, 47, 47, utc=True).split("\n")
    assert lines[-4:] == ["  Checksum: 0x0000", "[data (5 bytes)]", "  Hex stream: 48 65 6c 6c 6f", ""]


@pytest.mark.parametrize(
    ("flags", "offset", "title"), [(0, 0, "data"), (1, 0, "Fragmented data"), (0, 185, "Fragmented data")]
)
def test_the_payload_of_a_fragment_is_fragmented_data(flags: int, offset: int, title: str) -> None:
    ip = _ipv4(25, 17, "17 (UDP)", 0)
    ip.fields = [
        Field(f.key, f.label, {"flags": flags, "frag_offset": offset}.get(f.key, f.value), f.text)
        for f in ip.fields
    ]
    text = format_packet(DecodedPacket(1, [_eth(), ip], payload=b"Hello"), TS_SEC, 0, 47, 47, utc=True)
    assert f"[{title} (5 bytes)]\n  Hex stream: 48 65 6c 6c 6f\n" in text


def test_malformed_tail_is_an_illegal_packet_block() -> None:
    cause = "too short for a TCP header: 6 of 20 bytes"
    packet = DecodedPacket(
        1,
        [_eth(), _ipv4(26, 6, "6 (TCP)", 0)],
        malformed=Malformed("tcp", cause, bytes.fromhex("3039005085")),
    )
    text = format_packet(packet, TS_SEC, 0, 60, 60, utc=True)
    assert text.endswith(
        "  Destination address: /192.0.2.2\n"
        "[Illegal Packet (5 bytes)]\n"
        "  Hex stream: 30 39 00 50 85\n"
        f"  Cause: {cause}\n"
    )


def test_nothing_decoded_still_gives_the_header_lines() -> None:
    packet = DecodedPacket(1, malformed=Malformed("eth", "too short for an Ethernet header", b"\x02\x00"))
    assert format_packet(packet, TS_SEC, 500000, 2, 2, utc=True) == (
        "Captured at: 2026-01-02T03:04:05.500Z\n"
        "Original length: 2 bytes\n"
        "[Illegal Packet (2 bytes)]\n"
        "  Hex stream: 02 00\n"
        "  Cause: too short for an Ethernet header\n"
    )


def test_hex_stream() -> None:
    assert hex_stream(b"") == ""
    assert hex_stream(b"\x00\xff\x0a") == "00 ff 0a"


@pytest.mark.parametrize(
    ("sec", "usec", "text"),
    [
        (TS_SEC, 123, "2026-01-02T03:04:05.000123Z"),
        (TS_SEC, 123000, "2026-01-02T03:04:05.123Z"),  # Java drops trailing zero groups
        (TS_SEC, 0, "2026-01-02T03:04:05Z"),
        (TS_SEC - 5, 0, "2026-01-02T03:04Z"),  # and the seconds when they are zero too
        (TS_SEC - 5, 1, "2026-01-02T03:04:00.000001Z"),
        (TS_SEC, 1_000_000, "2026-01-02T03:04:06Z"),  # an out-of-range fraction carries over
        # Pcap4J's tv_usec.intValue() * 1000 is an int product: a damaged record's fraction wraps
        (1544488577, 1159821166, "2018-12-11T00:36:17.179996080Z"),
        (TS_SEC, -(2**31), "2026-01-02T03:04:05Z"),
        (TS_SEC, -1, "2026-01-02T03:04:04.999999Z"),
    ],
)
def test_captured_at_is_java_zoned_date_time(sec: int, usec: int, text: str) -> None:
    assert captured_at_text(sec, usec, utc=True) == text


@pytest.fixture
def tokyo() -> None:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_captured_at_in_the_system_zone(tokyo: None) -> None:
    assert captured_at_text(TS_SEC, 123) == "2026-01-02T12:04:05.000123+09:00[Asia/Tokyo]"
