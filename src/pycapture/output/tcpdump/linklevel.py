"""tcpdump's ``-e`` text: the link-level header printed before the rest of the one-line summary.

Made from the lean decoder's layer tuples (:mod:`pycapture.decode.lean`). The wording is tcpdump
4.99's with ``-nn``:

* Ethernet: ``02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 98: ``; an
  802.3 frame shows its length field: ``..., 802.3, length 38: ``; each VLAN tag adds
  ``vlan 100, p 0, ethertype IPv4 (0x0800), `` (``, DEI`` after the priority when that bit is set).
* Linux cooked capture v1: ``Out ethertype IPv4 (0x0800), length 396: ``, the direction
  right-aligned in three columns (`` In``, ``  B``, ``  M``, ``  P``, ``Out``), then the sender's
  link-layer address when it has six bytes. v2 starts with ``ifindex 7 `` instead of the direction
  (tcpdump prints v2's interface name and direction even without ``-e``, so they are not here).
* BSD loopback: ``AF IPv4 (2), length 72: ``. Raw IP: ``ip: ``.

The prefix ends where tcpdump goes on with the network layer, so ``prefix + summary`` is the line.
"""

from __future__ import annotations

from ...decode.lean_layers import LINK_KINDS, EthLayer, Layers, Sll2Layer, SllLayer
from ...protocols.numbers import (
    ETHERTYPE_JUMBO,
    IEEE802_3_MAX_LENGTH,
    TCPDUMP_ETHERTYPE_NAMES,
    VLAN_ETHERTYPES,
)

_SLL_PACKET_TYPES = {0: "In", 1: "B", 2: "M", 3: "P", 4: "Out"}
_SLL_P_802_3 = 0x0001
_SLL_P_802_2 = 0x0004

# tcpdump's bsd_af_values: the address families DLT_NULL/DLT_LOOP frames carry.
_BSD_AF_NAMES = {2: "IPv4", 6: "NS", 7: "ISO", 16: "Appletalk", 23: "IPX", 24: "IPv6", 28: "IPv6", 30: "IPv6"}


def ethertype_text(value: int) -> str:
    """``ethertype IPv4 (0x0800)``, as tcpdump names a type (``Unknown`` for one it does not know)."""
    return f"ethertype {TCPDUMP_ETHERTYPE_NAMES.get(value, 'Unknown')} (0x{value:04x})"


def vlan_tci_text(tci: int) -> str:
    """``vlan 100, p 0`` (and ``, DEI`` when the drop-eligible bit is set), tcpdump's TCI text."""
    dei = ", DEI" if tci & 0x1000 else ""
    return f"vlan {tci & 0x0FFF}, p {tci >> 13}{dei}"


def link_prefix(lean_layers: Layers, length: int) -> str:
    """tcpdump's ``-e`` text for one frame, ``length`` being its wire length; ``""`` if none applies.

    ``lean_layers`` is what :func:`pycapture.decode.lean.decode` returned for the frame.
    """
    if not lean_layers:
        return ""
    first = lean_layers[0]
    if first[0] == "eth":
        return _ethernet(first, lean_layers, length)
    if first[0] == "said":  # lean_links2's header: its -e text (summary_line leaves it out)
        return first[2]
    if first[0] in LINK_KINDS or first[:2] == ("link", "pktap"):  # Cisco HDLC, PPP, SLIP, switch tags...
        from .links import link_level_prefix  # its printers load when a frame needs them

        return link_level_prefix(lean_layers, length, link_prefix)
    if first[0] == "sll" or first[0] == "sll2":
        return _linux_cooked(first, lean_layers, length)
    if first[0] == "null":
        family = first[1]
        return f"AF {_BSD_AF_NAMES.get(family, 'Unknown')} ({family}), length {length}: "
    if first[0] in ("ip", "ip6") or (first[0] in ("trunc", "bad") and first[1] in ("ip", "ip6")):
        return "ip: "
    return ""


def _ethernet(first: EthLayer, layers: Layers, length: int) -> str:
    _, dst, src, etype = first
    parts = [f"{src.hex(':')} > {dst.hex(':')}, "]
    printed_length = False
    i = 1
    while etype in VLAN_ETHERTYPES:
        tag = layers[i] if i < len(layers) else None
        if tag is None or tag[0] != "vlan":  # the capture ends inside the tag
            return "".join(parts)
        _, tci, inner = tag
        parts.append(ethertype_text(etype))
        parts.append(", " if printed_length else f", length {length}: ")
        printed_length = True
        parts.append(f"{vlan_tci_text(tci)}, ")
        etype = inner
        i += 1
    if etype <= IEEE802_3_MAX_LENGTH:
        # tcpdump 4.99.3 prints just "802.3" here when a VLAN tag already gave the length, so the
        # LLC text that follows runs into it ("802.3LLC, ..."); the comma keeps the two apart.
        # The length is the 802.3 length field, unless the frame is shorter than that.
        parts.append("802.3, " if printed_length else f"802.3, length {min(etype, length - 14)}: ")
    elif etype == ETHERTYPE_JUMBO:
        pass  # tcpdump names neither the type nor the length of an Alteon jumbo frame
    else:
        parts.append(ethertype_text(etype))
        parts.append(", " if printed_length else f", length {length}: ")
    return "".join(parts)


def _linux_cooked(first: SllLayer | Sll2Layer, layers: Layers, length: int) -> str:
    # the sender's link-layer address is printed when it is a 6-byte MAC
    packet_type, proto, address = first[1], first[2], first[3]
    if first[0] == "sll2":
        # tcpdump prints v2's interface name and direction with or without -e: they belong to the
        # summary, and -e adds only the rest.
        parts = [f"ifindex {first[4]} "]
    else:
        parts = [f"{_SLL_PACKET_TYPES.get(packet_type, '?'):>3} "]
    if len(address) == 6:
        parts.append(f"{address.hex(':')} ")
    if proto == _SLL_P_802_3:
        parts.append("802.3")
    elif proto == _SLL_P_802_2:
        parts.append("802.2")
    elif proto <= IEEE802_3_MAX_LENGTH:
        parts.append(f"ethertype Unknown (0x{proto:04x})")
    else:
        parts.append(ethertype_text(proto))
    parts.append(f", length {length}: ")
    # VLAN tags inside a cooked capture: tcpdump names the inner type without its number.
    for t in layers[1:]:
        if t[0] != "vlan":
            break
        _, tci, inner = t
        name = TCPDUMP_ETHERTYPE_NAMES.get(inner, "Unknown") if inner > IEEE802_3_MAX_LENGTH else "Unknown"
        parts.append(f"{vlan_tci_text(tci)}, ethertype {name}, ")
    return "".join(parts)


__all__ = ["ethertype_text", "link_prefix", "vlan_tci_text"]
