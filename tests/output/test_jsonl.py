"""JSON Lines output: one compact object per packet, round-tripping through json.loads."""

from __future__ import annotations

import json

from pycapture.decode.model import DecodedPacket, Field, Layer, Malformed
from pycapture.output.jsonl import to_dict, to_json, utc_time_text

TS = 1767323045  # 2026-01-02 03:04:05 UTC


def _tcp_packet(payload: bytes = b"") -> DecodedPacket:
    eth = Layer(
        "eth",
        "Ethernet Header",
        14,
        [
            Field("dst", "Destination address", "02:00:00:00:00:02"),
            Field("src", "Source address", "02:00:00:00:00:01"),
            Field("type", "Type", 0x0800, "0x0800 (IPv4)"),
        ],
    )
    ip = Layer(
        "ip",
        "IPv4 Header",
        20,
        [
            Field("version", "Version", 4, "4 (IPv4)"),
            Field("ttl", "TTL", 64),
            Field("proto", "Protocol", 6, "6 (TCP)"),
            Field("src", "Source address", "192.0.2.1", "/192.0.2.1"),
            Field("dst", "Destination address", "192.0.2.2", "/192.0.2.2"),
        ],
    )
    tcp = Layer(
        "tcp",
        "TCP Header",
        20,
        [
            Field("srcport", "Source port", 1234, "1234 (unknown)"),
            Field("dstport", "Destination port", 80, "80 (HTTP)"),
            Field("flags.syn", "SYN", True),
            Field("options", "Option", "[Kind: 1 (No Operation)]", json=False),
        ],
    )
    return DecodedPacket(linktype=1, layers=[eth, ip, tcp], payload=payload)


def test_schema_and_wire_order() -> None:
    d = to_dict(_tcp_packet(b"hello"), 1, TS, 123456, 98, 98, "EN10MB")
    assert d == {
        "frame": {
            "number": 1,
            "time": "2026-01-02T03:04:05.123456Z",
            "len": 98,
            "cap_len": 98,
            "linktype": "EN10MB",
            "malformed": False,
        },
        "layers": [
            {"layer": "eth", "dst": "02:00:00:00:00:02", "src": "02:00:00:00:00:01", "type": 2048},
            {"layer": "ip", "version": 4, "ttl": 64, "proto": 6, "src": "192.0.2.1", "dst": "192.0.2.2"},
            {"layer": "tcp", "srcport": 1234, "dstport": 80, "flags.syn": True},
            {"layer": "data", "len": 5},
        ],
    }
    assert [next(iter(layer)) for layer in d["layers"]] == ["layer"] * 4


def test_one_compact_line_that_round_trips() -> None:
    text = to_json(to_dict(_tcp_packet(b"hello"), 7, TS, 5, 60, 59, "EN10MB"))
    assert "\n" not in text and ": " not in text and ", " not in text
    assert text.startswith('{"frame":{"number":7,"time":"2026-01-02T03:04:05.000005Z","len":60,"cap_len":59,')
    assert json.loads(text) == to_dict(_tcp_packet(b"hello"), 7, TS, 5, 60, 59, "EN10MB")


def test_no_data_layer_without_payload() -> None:
    layers = to_dict(_tcp_packet(), 1, TS, 0, 54, 54, "EN10MB")["layers"]
    assert [layer["layer"] for layer in layers] == ["eth", "ip", "tcp"]


def test_malformed_ends_the_layers() -> None:
    packet = DecodedPacket(
        linktype=1,
        layers=_tcp_packet().layers[:2],
        malformed=Malformed("tcp", "too short for a TCP header: 6 of 20 bytes", b"\x00" * 6),
    )
    d = json.loads(to_json(to_dict(packet, 3, TS, 0, 40, 40, "EN10MB")))
    assert d["frame"]["malformed"] is True
    assert d["layers"][-1] == {
        "layer": "_malformed",
        "in": "tcp",
        "cause": "too short for a TCP header: 6 of 20 bytes",
        "len": 6,
    }
    assert [layer["layer"] for layer in d["layers"]] == ["eth", "ip", "_malformed"]


def test_awkward_field_values() -> None:
    layer = Layer(
        "x",
        "X",
        4,
        [
            Field("raw", "Raw", b"\x01\xff"),  # bytes become hex rather than breaking the stream
            Field("layer", "Layer", "nope"),  # cannot replace the layer's name
            Field("opt", "Option", 1),
            Field("opt", "Option", 2),  # a repeated key keeps every value
            Field("name", "Name", "caf\u00e9"),
        ],
    )
    text = to_json(to_dict(DecodedPacket(linktype=1, layers=[layer]), 1, TS, 0, 4, 4, "EN10MB"))
    assert text.isascii()
    assert json.loads(text)["layers"] == [{"layer": "x", "raw": "01ff", "opt": [1, 2], "name": "caf\u00e9"}]


def test_time_is_utc_with_microseconds() -> None:
    assert utc_time_text(0, 0) == "1970-01-01T00:00:00.000000Z"
    assert utc_time_text(TS, 999_999) == "2026-01-02T03:04:05.999999Z"
    assert utc_time_text(TS, 1_000_000) == "2026-01-02T03:04:06.000000Z"
    assert utc_time_text(-1, 0) == "1969-12-31T23:59:59.000000Z"
    # the per-second cache never hands one second's text to another
    seen = [utc_time_text(s, 0) for s in (TS, TS + 1, TS, TS + 86_400)]
    assert seen == [
        "2026-01-02T03:04:05.000000Z",
        "2026-01-02T03:04:06.000000Z",
        "2026-01-02T03:04:05.000000Z",
        "2026-01-03T03:04:05.000000Z",
    ]
    assert utc_time_text(10**20, 0) is None  # beyond the platform's time_t


def test_decoding_without_the_dump_gives_the_same_json() -> None:
    from pycapture import PcapError, open_offline
    from pycapture.decode.rich import decode
    from support.corpus import corpus_rows
    from support.env import CAPTURES, CORPUS

    files = sorted(str(p) for p in CAPTURES.glob("*.pcap*"))
    files += [str(CORPUS / row["file"]) for row in corpus_rows()]
    compared = 0
    for path in files:
        try:
            with open_offline(path) as handle:
                for packet in handle:
                    full = decode(packet.linktype, packet.raw)
                    lean = decode(packet.linktype, packet.raw, dump=False)
                    args = (1, 0, 0, len(packet.raw), len(packet.raw), "X")
                    assert to_json(to_dict(lean, *args)) == to_json(to_dict(full, *args)), path
                    compared += 1
        except PcapError:
            continue  # a damaged file: what libpcap reads of it is checked elsewhere
    assert compared > 100
