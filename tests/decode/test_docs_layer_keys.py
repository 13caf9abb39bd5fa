"""docs/API.md's table of Layer field keys is what the decoder gives for the bundled captures."""

from __future__ import annotations

import re

import pycapture
from support.env import CAPTURES, ROOT


def test_layer_key_table_matches_the_decoder() -> None:
    decoded: dict[str, dict[str, None]] = {}
    for path in sorted(CAPTURES.glob("*.pcap")):
        with pycapture.open_offline(str(path)) as handle:
            for packet in handle:
                for layer in packet.layers:
                    keys = decoded.setdefault(layer.name, {})
                    for field in layer.fields:
                        if field.json:
                            keys.setdefault(field.key, None)
    text = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    section = text[text.index("### Layer field keys") :]
    documented = {
        name: re.findall(r"`([^`]+)`", keys)
        for name, keys in re.findall(r"^\| `([\w.]+)` \| (.+) \|$", section, flags=re.MULTILINE)
    }
    assert documented == {name: list(keys) for name, keys in decoded.items()}
