"""The text of lean_links2's ``said`` layers: headers tcpdump prints as a fixed text (NFLOG, Frame Relay,
FRF.16, ATM, the Juniper PICs, IP headers of the wrong version), then what they carry."""

from __future__ import annotations

from collections.abc import Callable

from ...decode.lean_layers import LINK_KINDS, Layers
from .linklevel import link_prefix

_SNAP_LLC_HEADER = "LLC, dsap SNAP (0xaa) Individual, ssap SNAP (0xaa) Command, ctrl 0x03: "
_FR_SNAP = "NLPID SNAP (0x80), length "  # fr_hdr_print's -e text of a SNAP frame


def said_text(layers: Layers, i: int, link_level: bool, rest: Callable[[Layers, int], str], dump: str) -> str:
    """``layers[i]`` (a ``said`` layer) and the layers after it. ``rest(layers, length)`` writes the text of
    other layers in a payload of wire length ``length``; ``dump`` is the hex dump of a ``data`` layer
    after it. With -e (``link_level``) the first layer's -e text is in the link prefix already, and the
    text of each later header is its -e text."""
    parts: list[str] = []
    t = layers[i]
    while True:
        if t[0] != "said":  # for the type checker: the loop only walks said layers
            return "".join(parts)
        if not link_level:
            parts.append(t[1])
        elif i:
            parts.append(t[2])
        after = layers[i + 1] if i + 1 < len(layers) else None
        if after is None:
            return "".join(parts)
        if after[0] == "data":
            cut = layers[i + 2] if i + 2 < len(layers) else None  # the dump's own truncation mark
            return (
                "".join(parts)
                + dump
                + (f" [|{cut[1]}]" if dump and cut is not None and cut[0] == "trunc" else "")
            )
        if after[0] != "said":
            carried = layers[i + 1 :]
            if link_level and (after[0] in LINK_KINDS or after[0] == "eth"):  # its -e header, then the rest
                parts.append(link_prefix(carried, t[3]))
            text = rest(carried, t[3])
            if link_level and after[:2] == ("ethproto", "llc") and _FR_SNAP in t[2]:
                # Frame Relay's SNAP, which lean hands to the LLC printer under an 802.2 header it adds:
                # fr_print's snap_print has no LLC header to print
                text = text.removeprefix(_SNAP_LLC_HEADER)
            return "".join(parts) + text
        i += 1
        t = after
