"""L2TP (print-l2tp.c): the PPP frame a data message carries, as layers after its ``udp-app`` layer.

tcpdump prints a control message's AVPs from the bytes (``output/tcpdump/l2tp.py``); a data message
hands what follows its header to ppp_print, whose layers this module appends.
"""

from __future__ import annotations

from .lean_layers import Layers

_TYPE, _LENGTH, _SEQUENCE, _OFFSET = 0x8000, 0x4000, 0x0800, 0x0200
_VERSION_MASK, _L2TP = 0x000F, 2


def l2tp_header(payload: bytes, length: int) -> tuple[int, int] | None:
    """Where a data message's PPP frame starts and how long tcpdump takes it to be: ``(offset, size)``;
    None for a control message, another version, or a header the capture or the length cuts."""
    if len(payload) < 2:
        return None
    flags = payload[0] << 8 | payload[1]
    if flags & _VERSION_MASK != _L2TP or flags & _TYPE:
        return None
    at = 2
    size = 0
    if flags & _LENGTH:
        if len(payload) < at + 2:
            return None
        size = payload[at] << 8 | payload[at + 1]
        at += 2
    at += 4  # tunnel and session
    if flags & _SEQUENCE:
        at += 4
    if len(payload) < at:
        return None
    if flags & _OFFSET:
        if len(payload) < at + 2:
            return None
        at += 2 + (payload[at] << 8 | payload[at + 1])
        if len(payload) < at:
            return None
    if flags & _LENGTH:
        if length < size:
            return None
        length = size
    if length < at:
        return None
    return at, length - at


def decode_l2tp(payload: bytes, length: int, layers: Layers) -> None:
    """Append the layers of the PPP frame an L2TP data message ``payload`` (of ``length`` bytes) carries."""
    from .lean_links import ppp  # lean_links reads lean's decoders, and lean imports this module

    where = l2tp_header(payload, length)
    if where is not None:
        ppp(payload, where[0], where[1], layers)


__all__ = ["decode_l2tp", "l2tp_header"]
