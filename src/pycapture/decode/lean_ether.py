"""The lean decoder's protocols carried straight by an Ethernet type or an 802.2 LLC header.

tcpdump prints these (PTP, AoE, DECnet, IPX, STP, IS-IS, LLDP, CDP, EAPOL, ...) from many fields, so
the layer carries the bytes its printer reads: ``("ethproto", printer, data, length)``, ``data`` what the
capture holds of the protocol (bounded by its length), ``length`` the length tcpdump's printer is given
(:mod:`pycapture.output.tcpdump.ether_protocols` writes the text).
"""

from __future__ import annotations

from collections.abc import Callable, Container

from ..protocols.numbers import TCPDUMP_ETHERTYPE_NAMES, VLAN_ETHERTYPES
from .lean_layers import Layers
from .lean_misc import MISC_ETHER_PRINTERS

_BY_NAME = {name: number for number, name in TCPDUMP_ETHERTYPE_NAMES.items()}

ETHER_PRINTERS: dict[int, str] = {
    _BY_NAME["PTP"]: "ptp",
    _BY_NAME["AoE"]: "aoe",
    _BY_NAME["IPX"]: "ipx",
    _BY_NAME["DN"]: "decnet",
    _BY_NAME["LLDP"]: "lldp",
    _BY_NAME["Loopback"]: "loopback",
    _BY_NAME["CFM"]: "cfm",
    _BY_NAME["CFM (old)"]: "cfm",
    _BY_NAME["OSI"]: "osi",
    _BY_NAME["PPPoE D"]: "pppoe",
    _BY_NAME["PPPoE S"]: "pppoe",
    _BY_NAME["EAPOL"]: "eapol",
    _BY_NAME["MS NLB heartbeat"]: "msnlb",
    _BY_NAME["Slow Protocols"]: "slow",
    _BY_NAME["ARP"]: "arp",  # what lean's own arp layer does not read (see arp_is_plain)
    _BY_NAME["Reverse ARP"]: "arp",
    _BY_NAME["Arista Vendor Specific Protocol"]: "arista",
    _BY_NAME["802.1AE MACsec"]: "macsec",
    _BY_NAME["NSH"]: "nsh",
    _BY_NAME["Appletalk ARP"]: "aarp",
    _BY_NAME["Jumbo"]: "llc",  # Alteon's jumbo frames: an 802.2 header follows the type
    **MISC_ETHER_PRINTERS,
}
"""The Ethernet types whose payload tcpdump decodes and this decoder hands on, by printer name."""

_SNAP_ETHER_OUIS = (b"\x00\x00\x00", b"\x00\x00\xf8")  # SNAP OUIs whose type is an EtherType
_SNAP_HEADER = b"\xaa\xaa\x03"


EtherTypeDecoder = Callable[[bytes, int, int, int, Layers], None]
"""lean's ``_ethertype(data, offset, frame_length, etype, layers)``: what an EtherType announces."""


def ether_protocol(
    data: bytes, offset: int, length: int, etype: int, layers: Layers, recurse: EtherTypeDecoder | None = None
) -> bool:
    """Append the layer of an Ethernet type's payload (``length`` bytes from ``offset`` on the wire) when
    tcpdump decodes it; False when this module does not know the type. ``recurse`` decodes the EtherType
    a header of these carries on (Arista's, MACsec's, NSH's); without it the layer comes alone."""
    name = ETHER_PRINTERS.get(etype)
    if name is None:
        return False
    if (
        name == "pppoe"
        and length >= _PPPOE_HEADER
        and len(data) >= offset + _PPPOE_HEADER
        and not data[offset + 1]
    ):
        _pppoe_session(data, offset, length, layers)
        return True
    if name in _CARRIERS and recurse is not None:
        _CARRIERS[name](data, offset, length, layers, recurse)
        return True
    layers.append(("ethproto", name, bytes(data[offset : offset + max(length, 0)]), length))
    return True


_TAGS = 16  # the bytes of VLAN tags a carrier's layer keeps after its EtherType, for -e
_ARISTA_TIMESTAMP = 0x0001
_ARISTA_SIZES = {1: 12, 2: 10}  # subtype, timescale and format bytes, then a 64-bit or a 48-bit timestamp


def _arista(data: bytes, offset: int, length: int, layers: Layers, recurse: EtherTypeDecoder) -> None:
    """Arista's vendor header (print-arista.c); tcpdump goes back to the EtherType after a timestamp it
    reads. The layer's length is the frame's, which tcpdump prints."""
    head = data[offset : offset + 14]
    size = _ARISTA_SIZES.get(head[3] >> 4, 0) if len(head) >= 4 and head[0:2] == b"\x00\x01" else 0
    if size and len(head) >= size + 2:
        # with the VLAN tags after it, which tcpdump's -e prints
        layers.append(
            ("ethproto", "arista", bytes(data[offset : offset + size + 2 + _TAGS]), offset + length)
        )
        _tagged(data, offset + size + 2, offset + length, head[size] << 8 | head[size + 1], layers, recurse)
    else:
        layers.append(("ethproto", "arista", bytes(data[offset : offset + max(length, 0)]), offset + length))


_MACSEC_SCI, _MACSEC_CONFIDENTIAL, _MACSEC_ICV = 0x20, 0x0C, 16


def _macsec(data: bytes, offset: int, length: int, layers: Layers, recurse: EtherTypeDecoder) -> None:
    """An 802.1AE SecTAG (print-macsec.c): where the data is neither encrypted nor changed, the frame
    goes on (its ICV cut off) with the EtherType after the tag."""
    payload = bytes(data[offset : offset + max(length, 0)])
    if len(payload) < 6 or length < 6:
        layers.append(("ethproto", "macsec", payload, length))
        return
    tci, short = payload[0], payload[1]
    tag = 14 if tci & _MACSEC_SCI else 6
    plain = len(payload) >= tag and length >= tag and not short & 0xC0 and not tci & 0x80
    plain = plain and not tci & _MACSEC_CONFIDENTIAL
    inner = length - tag - _MACSEC_ICV
    captured = len(payload) - tag - _MACSEC_ICV
    if not plain or inner < 0 or captured < 0 or (short and (short > inner or short > captured)):
        layers.append(("ethproto", "macsec", payload, length))
        return
    if short:
        inner = captured = short
    if captured < 2:
        layers.append(("ethproto", "macsec", payload, length))
        return
    layers.append(("ethproto", "macsec-on", payload[: tag + 2 + _TAGS], length))
    end = offset + tag + captured
    _tagged(
        data[:end],
        offset + tag + 2,
        offset + tag + inner,
        payload[tag] << 8 | payload[tag + 1],
        layers,
        recurse,
    )


def _tagged(
    data: bytes, offset: int, frame_length: int, etype: int, layers: Layers, recurse: EtherTypeDecoder
) -> None:
    """The EtherType after Arista's or MACsec's header, through the VLAN tags print-ether.c steps over
    when it goes back to the type field."""
    while etype in VLAN_ETHERTYPES:
        if len(data) < offset + 4:
            layers.append(("trunc", "vlan"))
            return
        tci, inner = data[offset] << 8 | data[offset + 1], data[offset + 2] << 8 | data[offset + 3]
        layers.append(("vlan", tci, inner))
        etype, offset = inner, offset + 4
    recurse(data, offset, frame_length, etype, layers)


_NSH_NEXT = {1: 0x0800, 2: 0x86DD}  # IPv4, IPv6: as their EtherTypes


def _nsh(data: bytes, offset: int, length: int, layers: Layers, recurse: EtherTypeDecoder) -> None:
    """A Network Service Header (print-nsh.c), then the IPv4, IPv6 or Ethernet packet it carries."""
    payload = bytes(data[offset : offset + max(length, 0)])
    if len(payload) < 8 or length < 8 or payload[0] >> 6:
        layers.append(("ethproto", "nsh", payload, length))
        return
    words = payload[1] & 0x3F
    size = words * 4
    next_protocol = payload[3]
    if words < 2 or length < size or len(payload) < size or next_protocol not in (1, 2, 3):
        layers.append(("ethproto", "nsh", payload, length))
        return
    layers.append(("ethproto", "nsh", payload[:size], length))
    if next_protocol == 3:
        from .lean import decode  # lean imports this module

        layers.extend(decode(1, data[offset + size :], length - size))
    else:
        recurse(data, offset + size, offset + length, _NSH_NEXT[next_protocol], layers)


_CARRIERS = {"arista": _arista, "macsec": _macsec, "nsh": _nsh}


_PPPOE_HEADER = 6
_ARP_PLAIN = b"\x06\x04"  # 6-byte hardware and 4-byte protocol addresses


def arp_is_plain(data: bytes, offset: int) -> bool:
    """Whether the ARP packet at ``offset`` is what lean's ``arp`` layer reads: IPv4 over a 6-byte
    hardware address (not Frame Relay's or ATM's), a request or a reply, or cut in its first 8 bytes;
    tcpdump's arp_print of any other goes through :func:`ether_protocol`."""
    head = data[offset : offset + 8]
    if len(head) < 8:
        return True
    hrd, pro, op = head[0] << 8 | head[1], head[2] << 8 | head[3], head[6] << 8 | head[7]
    return pro == 0x0800 and head[4:6] == _ARP_PLAIN and op in (1, 2) and hrd not in (15, 19)


def _pppoe_session(data: bytes, offset: int, length: int, layers: Layers) -> None:
    """A PPPoE session frame (code 0): its header as the ``pppoe`` layer, then the PPP frame's layers."""
    from .lean_links import ppp  # lean_links reads lean's IP decoders, and lean imports this module

    layers.append(("ethproto", "pppoe", bytes(data[offset : offset + _PPPOE_HEADER]), length))
    size = min(data[offset + 4] << 8 | data[offset + 5], length - _PPPOE_HEADER)
    ppp(data, offset + _PPPOE_HEADER, size, layers)


def snap_decoded_here(data: bytes, offset: int, decoded: Container[int]) -> bool:
    """Whether the 802.2 frame at ``offset`` is SNAP carrying one of the EtherTypes ``decoded`` (IP, ARP,
    ...), which lean reads as layers of their own; every other LLC frame is left to :func:`llc_payload`."""
    if data[offset : offset + 3] != _SNAP_HEADER or len(data) < offset + 8:
        return False
    etype = data[offset + 6] << 8 | data[offset + 7]
    return (
        data[offset + 3 : offset + 6] in _SNAP_ETHER_OUIS and etype in decoded and etype not in ETHER_PRINTERS
    )


def llc_payload(data: bytes, offset: int, length: int, layers: Layers) -> None:
    """The ``("ethproto", "llc", ...)`` layer of an 802.2 frame of ``length`` bytes from its LLC header
    on: tcpdump's llc_print reads it all."""
    layers.append(("ethproto", "llc", bytes(data[offset : offset + max(length, 0)]), length))


__all__ = ["ETHER_PRINTERS", "arp_is_plain", "ether_protocol", "llc_payload", "snap_decoded_here"]
