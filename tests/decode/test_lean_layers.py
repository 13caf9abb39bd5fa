"""Every tuple the lean decoder returns has the shape ``decode/lean_layers.py`` declares for its kind.

The printers are type-checked against those declarations, so a decoder change that alters a layout
without the declaration would pass mypy and print wrong text; these tests catch it, on crafted frames,
random bytes and every packet of the corpus.
"""

from __future__ import annotations

import typing
from typing import Any, Literal, Union

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pycapture import PcapError, open_offline
from pycapture.decode import lean, lean_layers
from support.corpus import corpus_rows
from support.env import CAPTURES, CORPUS
from support.frames import SAMPLES


def _members(alias: Any) -> list[Any]:
    """The tuple types a (possibly nested) Union alias stands for."""
    if typing.get_origin(alias) is Union:
        return [m for arg in typing.get_args(alias) for m in _members(arg)]
    return [alias]


SHAPES: dict[str, list[tuple[Any, ...]]] = {}
for _shape in _members(lean_layers.Layer):
    _kind, *_items = typing.get_args(_shape)
    assert typing.get_origin(_kind) is Literal
    SHAPES.setdefault(typing.get_args(_kind)[0], []).append(tuple(_items))


def _fits(value: object, declared: Any) -> bool:
    origin = typing.get_origin(declared)
    if declared is type(None):
        return value is None
    if origin is Union:  # lean_layers spells unions with Union and Optional, never X | Y
        return any(_fits(value, arg) for arg in typing.get_args(declared))
    if origin is tuple:
        args = typing.get_args(declared)
        return isinstance(value, tuple) and len(value) == len(args) and all(map(_fits, value, args))
    if origin is list:
        (item,) = typing.get_args(declared)
        return isinstance(value, list) and all(_fits(v, item) for v in value)
    if declared is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, declared)


def check_shapes(layers: list[Any]) -> None:
    for layer in layers:
        assert isinstance(layer, tuple) and layer, layer
        shapes = SHAPES.get(layer[0])
        assert shapes is not None, f"{layer[0]!r} is not a declared lean layer kind"
        assert any(len(s) == len(layer) - 1 and all(map(_fits, layer[1:], s)) for s in shapes), (
            f"{layer!r} fits none of {shapes}"
        )


def test_every_declared_kind_is_one_lean_makes():
    # the table covers the kinds this module's docstring names, and the checker rejects a wrong shape
    assert {"eth", "ip", "ip6", "tcp", "udp", "dns", "trunc", "bad", "other"} <= set(SHAPES)
    with pytest.raises(AssertionError):
        check_shapes([("tcp", 1, 2)])
    with pytest.raises(AssertionError):
        check_shapes([("ip", b"\x01" * 4, b"\x02" * 4, 6, 20, 64, 1, "0")])
    with pytest.raises(AssertionError):
        check_shapes([("nosuch", 1)])


@pytest.mark.parametrize("linktype", sorted(set(SAMPLES) & lean.SUPPORTED_LINKTYPES))
def test_sample_frames_and_their_cuts_fit(linktype: int) -> None:
    for frame in SAMPLES[linktype]:
        for cut in range(len(frame) + 1):
            check_shapes(lean.decode(linktype, frame[:cut], len(frame)))


@settings(max_examples=500, deadline=None)
@given(linktype=st.sampled_from(sorted(lean.SUPPORTED_LINKTYPES)), data=st.binary(max_size=256))
def test_random_bytes_fit(linktype: int, data: bytes) -> None:
    check_shapes(lean.decode(linktype, data, len(data)))


def _capture_files() -> list[str]:
    files = sorted(str(p) for p in CAPTURES.glob("*.pcap*"))
    return files + [str(CORPUS / row["file"]) for row in corpus_rows()]


def test_every_packet_of_the_captures_and_corpus_fits():
    seen: dict[str, int] = {}
    for path in _capture_files():
        try:
            with open_offline(path) as handle:
                for packet in handle:
                    layers = lean.decode(packet.linktype, packet.raw, packet.original_length)
                    check_shapes(layers)
                    for layer in layers:
                        seen[layer[0]] = seen.get(layer[0], 0) + 1
        except PcapError:
            continue  # a damaged file: what libpcap reads of it is checked elsewhere
    assert {"eth", "ip", "tcp", "udp"} <= set(seen)
