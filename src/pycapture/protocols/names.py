"""The names ``-v`` prints for protocol numbers: Pcap4J's named numbers, by the kind of number.

They come from :mod:`pycapture.protocols.pcap4j_names`, generated from Pcap4J's jar, so the dump names
a number exactly as Pcap4J does, ``unknown`` included where Pcap4J has no name. The kinds Pcap4J has no
class for keep pycapture's own names in :mod:`pycapture.protocols.numbers` (``long_name``). Only the
rich decoder imports this module: the one-line path never pays for the tables.
"""

from __future__ import annotations

from .pcap4j_names import CODES, NAMES

ETHERTYPE_NAMES = NAMES["EtherType"]
IP_PROTOCOL_NAMES = NAMES["IpNumber"]
TCP_OPTION_NAMES = NAMES["TcpOptionKind"]
TCP_PORT_NAMES = NAMES["TcpPort"]
UDP_PORT_NAMES = NAMES["UdpPort"]
ARP_HARDWARE_NAMES = NAMES["ArpHardwareType"]
TOS_PRECEDENCE_NAMES = NAMES["IpV4TosPrecedence"]
TOS_NAMES = NAMES["IpV4TosTos"]
SLL_PACKET_TYPE_NAMES = NAMES["LinuxSllPacketType"]
PROTOCOL_FAMILY_NAMES = NAMES["ProtocolFamily"]

__all__ = [
    "ARP_HARDWARE_NAMES",
    "CODES",
    "ETHERTYPE_NAMES",
    "IP_PROTOCOL_NAMES",
    "NAMES",
    "PROTOCOL_FAMILY_NAMES",
    "SLL_PACKET_TYPE_NAMES",
    "TCP_OPTION_NAMES",
    "TCP_PORT_NAMES",
    "TOS_NAMES",
    "TOS_PRECEDENCE_NAMES",
    "UDP_PORT_NAMES",
]
