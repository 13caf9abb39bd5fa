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

from ...decode.lean import ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD, ETHERTYPE_VLAN

# tcpdump 4.99.3's ethertype_values, read off its -e output for every type from 0x0600 to 0xffff.
ETHERTYPE_NAMES: dict[int, str] = {
    0x0600: "NS", 0x0707: "GeoNet (old)", 0x0800: "IPv4", 0x0806: "ARP", 0x1000: "Trail",
    0x1111: "CALM FAST", 0x6001: "MOP DL", 0x6002: "MOP RC", 0x6003: "DN", 0x6004: "LAT", 0x6007: "SCA",
    0x6558: "TEB", 0x8035: "Reverse ARP", 0x8038: "Lanbridge", 0x803C: "DEC DNS", 0x803E: "DEC DTS",
    0x805B: "VEXP", 0x805C: "VPROD", 0x809B: "Appletalk", 0x80F3: "Appletalk ARP", 0x8100: "802.1Q",
    0x8137: "IPX", 0x86DD: "IPv6", 0x8808: "MPCP", 0x8809: "Slow Protocols", 0x880B: "PPP",
    0x8847: "MPLS unicast", 0x8848: "MPLS multicast", 0x8863: "PPPoE D", 0x8864: "PPPoE S",
    0x886F: "MS NLB heartbeat", 0x8870: "Jumbo", 0x888E: "EAPOL", 0x8899: "Realtek protocols",
    0x88A2: "AoE", 0x88A8: "802.1Q-QinQ", 0x88CA: "TIPC", 0x88CC: "LLDP", 0x88E5: "802.1AE MACsec",
    0x88F7: "PTP", 0x8902: "CFM", 0x893A: "IEEE1905.1", 0x8947: "GeoNet", 0x894F: "NSH",
    0x9000: "Loopback", 0x9100: "802.1Q-9100", 0x9200: "802.1Q-9200", 0xABCD: "CFM (old)",
    0xD28B: "Arista Vendor Specific Protocol", 0xFEFE: "OSI",
}  # fmt: skip

_VLAN_TYPES = frozenset((ETHERTYPE_VLAN, ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD, 0x9200))
_ETHERTYPE_JUMBO = 0x8870
_MAX_8023_LENGTH = 0x05DC  # a length/type field up to 1500 is an 802.3 length

_SLL_PACKET_TYPES = {0: "In", 1: "B", 2: "M", 3: "P", 4: "Out"}
_SLL_P_802_3 = 0x0001
_SLL_P_802_2 = 0x0004

# tcpdump's bsd_af_values: the address families DLT_NULL/DLT_LOOP frames carry.
_BSD_AF_NAMES = {2: "IPv4", 6: "NS", 7: "ISO", 16: "Appletalk", 23: "IPX", 24: "IPv6", 28: "IPv6", 30: "IPv6"}


def ethertype_text(value: int) -> str:
    """``ethertype IPv4 (0x0800)``, as tcpdump names a type (``Unknown`` for one it does not know)."""
    return f"ethertype {ETHERTYPE_NAMES.get(value, 'Unknown')} (0x{value:04x})"


def vlan_tci_text(tci: int) -> str:
    """``vlan 100, p 0`` (and ``, DEI`` when the drop-eligible bit is set), tcpdump's TCI text."""
    dei = ", DEI" if tci & 0x1000 else ""
    return f"vlan {tci & 0x0FFF}, p {tci >> 13}{dei}"


def link_prefix(lean_layers: list[tuple], length: int) -> str:
    """tcpdump's ``-e`` text for one frame, ``length`` being its wire length; ``""`` if none applies.

    ``lean_layers`` is what :func:`pycapture.decode.lean.decode` returned for the frame.
    """
    if not lean_layers:
        return ""
    first = lean_layers[0]
    tag = first[0]
    if tag == "eth":
        return _ethernet(lean_layers, length)
    if tag == "sll" or tag == "sll2":
        return _linux_cooked(lean_layers, length)
    if tag == "null":
        family = first[1]
        return f"AF {_BSD_AF_NAMES.get(family, 'Unknown')} ({family}), length {length}: "
    if tag in ("ip", "ip6") or (tag in ("trunc", "bad") and first[1] in ("ip", "ip6")):
        return "ip: "
    return ""


def _ethernet(layers: list[tuple], length: int) -> str:
    _, dst, src, etype = layers[0]
    parts = [f"{src.hex(':')} > {dst.hex(':')}, "]
    printed_length = False
    i = 1
    while etype in _VLAN_TYPES:
        if i >= len(layers) or layers[i][0] != "vlan":  # the capture ends inside the tag
            return "".join(parts)
        _, tci, inner = layers[i]
        parts.append(ethertype_text(etype))
        parts.append(", " if printed_length else f", length {length}: ")
        printed_length = True
        parts.append(f"{vlan_tci_text(tci)}, ")
        etype = inner
        i += 1
    if etype <= _MAX_8023_LENGTH:
        # tcpdump 4.99.3 prints just "802.3" here when a VLAN tag already gave the length, so the
        # LLC text that follows runs into it ("802.3LLC, ..."); the comma keeps the two apart.
        # The length is the 802.3 length field, unless the frame is shorter than that.
        parts.append("802.3, " if printed_length else f"802.3, length {min(etype, length - 14)}: ")
    elif etype == _ETHERTYPE_JUMBO:
        pass  # tcpdump names neither the type nor the length of an Alteon jumbo frame
    else:
        parts.append(ethertype_text(etype))
        parts.append(", " if printed_length else f", length {length}: ")
    return "".join(parts)


def _linux_cooked(layers: list[tuple], length: int) -> str:
    first = layers[0]
    packet_type, proto = first[1], first[2]
    # Optional items after the protocol: the sender's link-layer address (printed when it is a
    # 6-byte MAC), and for v2 the interface index.
    address = first[3] if len(first) > 3 else b""
    if first[0] == "sll2":
        # tcpdump prints v2's interface name and direction with or without -e: they belong to the
        # summary, and -e adds only the rest.
        parts = [f"ifindex {first[4]} " if len(first) > 4 else ""]
    else:
        parts = [f"{_SLL_PACKET_TYPES.get(packet_type, '?'):>3} "]
    if len(address) == 6:
        parts.append(f"{address.hex(':')} ")
    if proto == _SLL_P_802_3:
        parts.append("802.3")
    elif proto == _SLL_P_802_2:
        parts.append("802.2")
    elif proto <= _MAX_8023_LENGTH:
        parts.append(f"ethertype Unknown (0x{proto:04x})")
    else:
        parts.append(ethertype_text(proto))
    parts.append(f", length {length}: ")
    # VLAN tags inside a cooked capture: tcpdump names the inner type without its number.
    for t in layers[1:]:
        if t[0] != "vlan":
            break
        _, tci, inner = t
        name = ETHERTYPE_NAMES.get(inner, "Unknown") if inner > _MAX_8023_LENGTH else "Unknown"
        parts.append(f"{vlan_tci_text(tci)}, ethertype {name}, ")
    return "".join(parts)


__all__ = ["ETHERTYPE_NAMES", "ethertype_text", "link_prefix", "vlan_tci_text"]
