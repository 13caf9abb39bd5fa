"""The rich decoder never raises: random bytes, and truncated or mutated valid frames, for every link type.

Whatever it is given, ``rich.decode`` returns a DecodedPacket whose layers, fields and malformed report
a formatter can use as they are: JSON-ready values, one-line causes, lengths within the frame. The lean
decoder keeps the same promise for the link types it knows, with a list of layer tuples.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pycapture.decode import lean, rich
from pycapture.decode.model import DecodedPacket, Field, Layer, Malformed
from support.frames import SAMPLES

LINKTYPES = sorted(rich.SUPPORTED_LINKTYPES)
FRAMES = [(linktype, frame) for linktype in LINKTYPES for frame in SAMPLES[linktype]]


def check(linktype: int, data: bytes) -> DecodedPacket:
    packet = rich.decode(linktype, data)
    assert isinstance(packet, DecodedPacket) and packet.linktype == linktype
    assert isinstance(packet.payload, bytes)
    for layer in packet.layers:
        assert isinstance(layer, Layer) and layer.name
        # a layer without a title: the protocol of a header the walk could not read, named last
        assert layer.title or (
            layer is packet.layers[-1] and packet.malformed and not layer.fields and not layer.length
        ), layer
        assert isinstance(layer.length, int) and layer.length >= 0
        assert all(isinstance(f, Field) and f.key for f in layer.fields)
        # a field without a label is a whole line of the dump: its text, never in the JSON
        assert all(f.label or (f.text is not None and not f.json) for f in layer.fields)
        json.dumps({f.key: f.value for f in layer.fields})
        for f in layer.fields:
            f.display()
    assert sum(layer.length for layer in packet.layers) + len(packet.payload) <= len(data)
    if packet.malformed is not None:
        m = packet.malformed
        assert isinstance(m, Malformed) and m.layer and isinstance(m.data, bytes)
        assert m.cause and "\n" not in m.cause and len(m.cause) < 200
    if linktype not in rich.SUPPORTED_LINKTYPES:
        assert packet.layers == [] and packet.payload == data and packet.malformed is None
    return packet


@settings(max_examples=2000, deadline=None)
@given(linktype=st.sampled_from([*LINKTYPES, 147, 65535]), data=st.binary(max_size=256))
def test_random_bytes_never_raise(linktype: int, data: bytes) -> None:
    check(linktype, data)


def test_every_truncation_of_every_sample_never_raises() -> None:
    for linktype, frame in FRAMES:
        for end in range(len(frame) + 1):
            check(linktype, frame[:end])


@settings(max_examples=3000, deadline=None)
@given(
    sample=st.sampled_from(FRAMES),
    edits=st.lists(st.tuples(st.integers(0, 4095), st.integers(0, 255)), max_size=4),
)
def test_mutated_samples_never_raise(sample: tuple[int, bytes], edits: list[tuple[int, int]]) -> None:
    linktype, frame = sample
    data = bytearray(frame)
    for position, value in edits:
        data[position % len(data)] = value
    check(linktype, bytes(data))


@settings(max_examples=1500, deadline=None)
@given(sample=st.sampled_from(FRAMES), tail=st.binary(max_size=64), cut=st.integers(0, 4095))
def test_samples_with_random_tails_never_raise(sample: tuple[int, bytes], tail: bytes, cut: int) -> None:
    linktype, frame = sample
    check(linktype, frame[: cut % (len(frame) + 1)] + tail)


LEAN_FRAMES = [(linktype, frame) for linktype, frame in FRAMES if linktype in lean.SUPPORTED_LINKTYPES]


def check_lean(linktype: int, data: bytes) -> None:
    layers = lean.decode(linktype, data, len(data))
    assert isinstance(layers, list) and all(isinstance(t, tuple) and isinstance(t[0], str) for t in layers)


@settings(max_examples=1000, deadline=None)
@given(linktype=st.sampled_from(sorted(lean.SUPPORTED_LINKTYPES)), data=st.binary(max_size=256))
def test_lean_random_bytes_never_raise(linktype: int, data: bytes) -> None:
    check_lean(linktype, data)


@settings(max_examples=2000, deadline=None)
@given(
    sample=st.sampled_from(LEAN_FRAMES),
    edits=st.lists(st.tuples(st.integers(0, 4095), st.integers(0, 255)), max_size=4),
    cut=st.integers(0, 4095),
)
def test_lean_mutated_samples_never_raise(
    sample: tuple[int, bytes], edits: list[tuple[int, int]], cut: int
) -> None:
    linktype, frame = sample
    data = bytearray(frame)
    for position, value in edits:
        data[position % len(data)] = value
    check_lean(linktype, bytes(data[: cut % (len(data) + 1)]))
