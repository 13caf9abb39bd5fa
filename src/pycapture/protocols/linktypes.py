"""Link-layer header types (LINKTYPE_/DLT_ values as pcap files and libpcap give them)."""

from __future__ import annotations

# value: (name, description), names as pcap_datalink_val_to_name() gives them.
LINKTYPES: dict[int, tuple[str, str]] = {
    0: ("NULL", "BSD loopback"),
    1: ("EN10MB", "Ethernet"),
    6: ("IEEE802", "Token ring"),
    7: ("ARCNET", "BSD ARCNET"),
    8: ("SLIP", "SLIP"),
    9: ("PPP", "PPP"),
    12: ("RAW", "Raw IP"),
    14: ("RAW", "Raw IP"),
    50: ("PPP_SERIAL", "PPP over serial"),
    51: ("PPP_ETHER", "PPPoE"),
    101: ("RAW", "Raw IP"),
    104: ("C_HDLC", "Cisco HDLC"),
    105: ("IEEE802_11", "802.11"),
    107: ("FRELAY", "Frame Relay"),
    108: ("LOOP", "OpenBSD loopback"),
    113: ("LINUX_SLL", "Linux cooked v1"),
    119: ("PRISM_HEADER", "802.11 plus Prism header"),
    123: ("SUNATM", "Sun raw ATM"),
    127: ("IEEE802_11_RADIO", "802.11 plus radiotap header"),
    129: ("ARCNET_LINUX", "Linux ARCNET"),
    143: ("DOCSIS", "DOCSIS"),
    147: ("USER0", "USER 0"),
    178: ("JUNIPER_ETHER", "Juniper Ethernet"),
    187: ("BLUETOOTH_HCI_H4", "Bluetooth HCI UART transport layer"),
    192: ("PPI", "Per-Packet Information"),
    195: ("IEEE802_15_4_WITHFCS", "IEEE 802.15.4 with FCS"),
    201: ("BLUETOOTH_HCI_H4_WITH_PHDR", "Bluetooth HCI UART transport layer plus pseudo-header"),
    220: ("USB_LINUX_MMAPPED", "USB with padded Linux header"),
    226: ("IPNET", "Solaris ipnet"),
    228: ("IPV4", "Raw IPv4"),
    229: ("IPV6", "Raw IPv6"),
    239: ("NFLOG", "Linux netfilter log messages"),
    242: ("IPOIB", "RFC 4391 IP-over-Infiniband"),
    249: ("USBPCAP", "USB with USBPcap header"),
    254: ("BLUETOOTH_LINUX_MONITOR", "Bluetooth Linux Monitor"),
    258: ("PKTAP", "Apple DLT_PKTAP"),
    276: ("LINUX_SLL2", "Linux cooked v2"),
}


def linktype_name(value: int) -> str:
    """The DLT name (``EN10MB``), or ``DLT_<n>`` for one this table does not know."""
    entry = LINKTYPES.get(value)
    return entry[0] if entry else f"DLT_{value}"


def linktype_description(value: int) -> str:
    """A short description (``Ethernet``), or ``unknown`` for one this table does not know."""
    entry = LINKTYPES.get(value)
    return entry[1] if entry else "unknown"
