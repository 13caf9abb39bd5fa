"""Link-layer header types (LINKTYPE_/DLT_ values as pcap files and libpcap give them): one table.

Each row carries libpcap's name and description and the key of the rich decoder
(:mod:`pycapture.decode.rich`) of the frame's first header, None where it keeps the frame as payload.
"""

from __future__ import annotations

from typing import NamedTuple

from .numbers import column

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IEEE802_11_RADIOTAP = 127
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276


class LinkType(NamedTuple):
    """One link type: libpcap's name (``pcap_datalink_val_to_name()``) and description, and the rich
    decoder of its first header."""

    value: int
    name: str
    description: str
    decoder: str | None


LINKTYPES: dict[int, LinkType] = {t.value: t for t in (
    LinkType(LINKTYPE_NULL, "NULL", "BSD loopback", "null"),
    LinkType(LINKTYPE_ETHERNET, "EN10MB", "Ethernet", "eth"),
    LinkType(6, "IEEE802", "Token ring", None),
    LinkType(7, "ARCNET", "BSD ARCNET", None),
    LinkType(8, "SLIP", "SLIP", None),
    LinkType(9, "PPP", "PPP", "ppp_hdlc"),
    LinkType(11, "ATM_RFC1483", "RFC 1483 LLC-encapsulated ATM", None),
    LinkType(12, "RAW", "Raw IP", "raw"),
    LinkType(14, "RAW", "Raw IP", "raw"),
    LinkType(50, "PPP_SERIAL", "PPP over serial", "ppp_serial"),
    LinkType(51, "PPP_ETHER", "PPPoE", "pppoe"),
    LinkType(LINKTYPE_RAW, "RAW", "Raw IP", "raw"),
    LinkType(104, "C_HDLC", "Cisco HDLC", "chdlc"),
    LinkType(105, "IEEE802_11", "802.11", "wlan"),
    LinkType(106, "ATM_CLIP", "Linux Classical IP over ATM", None),
    LinkType(107, "FRELAY", "Frame Relay", "fr"),
    LinkType(LINKTYPE_LOOP, "LOOP", "OpenBSD loopback", "loop"),
    LinkType(LINKTYPE_LINUX_SLL, "LINUX_SLL", "Linux cooked v1", "sll"),
    LinkType(119, "PRISM_HEADER", "802.11 plus Prism header", None),
    LinkType(123, "SUNATM", "Sun raw ATM", None),
    LinkType(LINKTYPE_IEEE802_11_RADIOTAP, "IEEE802_11_RADIO", "802.11 plus radiotap header", "radiotap"),
    LinkType(129, "ARCNET_LINUX", "Linux ARCNET", "arcnet"),
    LinkType(130, "JUNIPER_MLPPP", "Juniper Multi-Link PPP", None),
    LinkType(131, "JUNIPER_MLFR", "Juniper Multi-Link Frame Relay", None),
    LinkType(132, "JUNIPER_ES", "Juniper Encryption Services PIC", None),
    LinkType(133, "JUNIPER_GGSN", "Juniper GGSN PIC", None),
    LinkType(134, "JUNIPER_MFR", "Juniper FRF.16 Frame Relay", None),
    LinkType(135, "JUNIPER_ATM2", "Juniper ATM2 PIC", None),
    LinkType(136, "JUNIPER_SERVICES", "Juniper Advanced Services PIC", None),
    LinkType(137, "JUNIPER_ATM1", "Juniper ATM1 PIC", None),
    LinkType(143, "DOCSIS", "DOCSIS", None),
    LinkType(147, "USER0", "USER 0", None),
    LinkType(164, "JUNIPER_MONITOR", "Juniper Passive Monitor PIC", None),
    LinkType(167, "JUNIPER_PPPOE", "Juniper PPPoE", None),
    LinkType(168, "JUNIPER_PPPOE_ATM", "Juniper PPPoE/ATM", None),
    LinkType(178, "JUNIPER_ETHER", "Juniper Ethernet", "juniper_ether"),
    LinkType(179, "JUNIPER_PPP", "Juniper PPP", None),
    LinkType(180, "JUNIPER_FRELAY", "Juniper Frame Relay", None),
    LinkType(181, "JUNIPER_CHDLC", "Juniper C-HDLC", None),
    LinkType(182, "MFR", "FRF.16 Frame Relay", None),
    LinkType(187, "BLUETOOTH_HCI_H4", "Bluetooth HCI UART transport layer", None),
    LinkType(192, "PPI", "Per-Packet Information", "ppi"),
    LinkType(195, "IEEE802_15_4_WITHFCS", "IEEE 802.15.4 with FCS", "wpan"),
    LinkType(
        201, "BLUETOOTH_HCI_H4_WITH_PHDR", "Bluetooth HCI UART transport layer plus pseudo-header", None
    ),
    LinkType(220, "USB_LINUX_MMAPPED", "USB with padded Linux header", None),
    LinkType(165, "BACNET_MS_TP", "BACnet MS/TP", "mstp"),
    LinkType(226, "IPNET", "Solaris ipnet", "ipnet"),
    LinkType(227, "CAN_SOCKETCAN", "CAN-bus with SocketCAN headers", "socketcan"),
    LinkType(LINKTYPE_IPV4, "IPV4", "Raw IPv4", "ip"),
    LinkType(LINKTYPE_IPV6, "IPV6", "Raw IPv6", "ipv6"),
    LinkType(230, "IEEE802_15_4_NOFCS", "IEEE 802.15.4 without FCS", "wpan_nofcs"),
    LinkType(231, "DBUS", "D-Bus", "dbus"),
    LinkType(239, "NFLOG", "Linux netfilter log messages", "nflog"),
    LinkType(242, "IPOIB", "RFC 4391 IP-over-Infiniband", "ipoib"),
    LinkType(249, "USBPCAP", "USB with USBPcap header", None),
    LinkType(254, "BLUETOOTH_LINUX_MONITOR", "Bluetooth Linux Monitor", None),
    LinkType(258, "PKTAP", "Apple DLT_PKTAP", "pktap"),
    LinkType(LINKTYPE_LINUX_SLL2, "LINUX_SLL2", "Linux cooked v2", "sll2"),
    LinkType(271, "VSOCK", "Linux vsock", "vsock"),
)}  # fmt: skip

LINKTYPE_DECODERS = column(LINKTYPES.values(), "decoder")
"""The rich decoder of a frame's first header, by its link type."""


def linktype_name(value: int) -> str:
    """The DLT name (``EN10MB``), or ``DLT_<n>`` for one this table does not know."""
    entry = LINKTYPES.get(value)
    return entry.name if entry else f"DLT_{value}"


def linktype_description(value: int) -> str:
    """A short description (``Ethernet``), or ``unknown`` for one this table does not know."""
    entry = LINKTYPES.get(value)
    return entry.description if entry else "unknown"


def linktype_value(name: str) -> int | None:
    """The first value this table gives the name (``EN10MB`` -> 1), or None."""
    return next((v for v, t in LINKTYPES.items() if t.name == name), None)
