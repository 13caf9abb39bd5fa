"""How the protocol names tshark lists in ``frame.protocols`` correspond to pycapture's layer names.

Most are equal: pycapture names a layer as Wireshark names its protocol (``eth``, ``ip``, ``tcp``,
``ipv6.fraghdr``). The rest are listed here, as data: the names that are never a layer of pycapture's,
with why (:data:`PSEUDO_LAYERS`), and the protocols pycapture spells otherwise (:data:`SPELLINGS`).
tests/decode/test_depth.py measures decode depth through this table.
"""

from __future__ import annotations

_DISPATCH = "a dispatcher with no header of its own: the bytes it reads belong to the layers around it"
_WS = "Wireshark's note on the dissection (an error or an expert item), not a protocol in the packet"

PSEUDO_LAYERS: dict[str, str] = {
    "frame": "Wireshark's record of the capture itself; pycapture keeps it apart (JSON's frame)",
    "ethertype": _DISPATCH + " (the EtherType is the eth or vlan layer's type field)",
    "osi": _DISPATCH + " (the NLPID that chooses IS-IS, ES-IS or CLNP is that protocol's first byte)",
    "pcap_pktdata": _DISPATCH + " (PKTAP's link type, a field of the pktap layer, chooses the next layer)",
    "user_dlt": _DISPATCH + " (Wireshark's table for the user link types 147-162)",
    "raw": "the raw-IP link type has no header: the frame starts with its IP header, pycapture's first layer",
    "wlan_radio": (
        "802.11 radio information Wireshark gathers from the radiotap, PPI or AVS header before it, "
        "which pycapture shows as that layer's fields"
    ),
    "_ws.malformed": _WS,
    "_ws.short": _WS,
    "_ws.expert": _WS,
    "_ws.unreassembled": _WS,
    "_ws.type_length": _WS,
    "_ws.string": _WS,
    "_ws.number_string.decoding_error": _WS,
    "_ws.lua": "a layer Wireshark's Lua scripts add",
}
"""tshark names that are never one of pycapture's layers, each with the reason."""

SPELLINGS: dict[str, str] = {
    "ieee8021ad": "vlan",  # pycapture decodes an 802.1ad service tag (EtherType 0x88a8) as a vlan layer
    "data-text-lines": "data",  # a text body Wireshark shows line by line; pycapture keeps it as data
}
"""tshark's name -> pycapture's, where they differ."""


def pycapture_names(frame_protocols: str) -> list[str]:
    """The layer names pycapture gives the protocols tshark lists in ``frame.protocols``
    (``eth:ethertype:ip``), in tshark's order: pseudo-layers dropped, other spellings mapped."""
    return [
        SPELLINGS.get(name, name) for name in frame_protocols.split(":") if name and name not in PSEUDO_LAYERS
    ]
