"""tcpdump's ``-x``/``-xx`` (hex) and ``-X``/``-XX`` (hex and ASCII) packet dumps.

tcpdump 4.99 prints, after the summary line, one line per 16 bytes::

    \\t0x0000:  4500 003c 7e89 4000 4006 c0e8 0a00 020f  E..<~.@.@.......

a tab, the offset as ``0x%04x``, a colon, then each pair of bytes as a space and four hex digits (an
odd last byte as a space and two), and with ``-X`` the hex padded to 40 columns, two spaces, and the
bytes as ASCII with ``.`` for anything outside ``!``..``~`` (a space shows as ``.`` too).

``-x``/``-X`` start after the link-layer header (Ethernet, VLAN tags and any LLC/SNAP header, Linux
cooked header, BSD loopback family); ``-xx``/``-XX`` start at the first byte of the frame. tcpdump
dumps every captured byte from there, Ethernet padding included. Slice with
:func:`link_header_length`: ``hex_lines(data[link_header_length(decoded):], ascii)``.
"""

from __future__ import annotations

from ..decode.model import DecodedPacket

# The layers tcpdump counts in the link-layer header it skips for -x/-X (Wireshark-style names).
LINK_LAYER_NAMES = frozenset(
    {"eth", "vlan", "llc", "snap", "sll", "sll2", "null", "loop"}
    | {"arcnet", "fr", "ipoib", "ipnet", "juniper", "ppi", "pktap"}
)

_ASCII_TABLE = bytes(c if 0x20 < c < 0x7F else 0x2E for c in range(256))  # tcpdump's ND_ASCII_ISGRAPH
_HEX_WIDTH = 40  # eight groups of " hhhh"


def link_header_length(decoded: DecodedPacket) -> int:
    """How many bytes of link-layer header tcpdump's ``-x``/``-X`` skip: the leading link layers."""
    total = 0
    for layer in decoded.layers:
        if layer.name not in LINK_LAYER_NAMES:
            break
        total += layer.length
    return total


def hex_lines(data: bytes, ascii: bool) -> str:
    """The dump of ``data`` as tcpdump prints it (``-x`` style, or ``-X`` style when ``ascii``).

    The lines are joined by ``\\n`` with no newline after the last; empty ``data`` gives ``""``,
    for which tcpdump prints nothing at all.
    """
    data = bytes(data)
    starts = range(0, len(data), 16)
    # hex(" ", -2): pairs of bytes from the left, so an odd last byte stands alone, as in tcpdump
    if not ascii:
        return "\n".join(f"\t0x{i:04x}:  {data[i : i + 16].hex(' ', -2)}" for i in starts)
    text = data.translate(_ASCII_TABLE).decode("ascii")
    width = _HEX_WIDTH - 1  # the first group's leading space is in the "0x0000:  " part
    return "\n".join(
        f"\t0x{i:04x}:  {data[i : i + 16].hex(' ', -2):<{width}}  {text[i : i + 16]}" for i in starts
    )


__all__ = ["LINK_LAYER_NAMES", "hex_lines", "link_header_length"]
