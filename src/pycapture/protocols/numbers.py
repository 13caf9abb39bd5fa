"""The numbers of the protocols: one table for each kind, with tcpdump's name and the rich decoder.

Like gopacket's ``layers/enums.go`` and Pcap4J's ``namednumber`` classes, each kind of number
(EtherType, IP protocol, TCP option, TCP flag, NTP mode) has one table of rows, which carry tcpdump's
spelling and the key of the rich decoder (:mod:`pycapture.decode.rich`) that reads what the number
announces:

* ``tcpdump_name``: what tcpdump 4.99 prints (``IPv4``, ``802.1Q``, ``icmp``), None where it prints
  ``Unknown`` (or nothing);
* ``decoder``: the rich decoder's key for the header that follows (``"ip"``, ``"vlan"``), None where it
  keeps the bytes as payload;
* ``long_name``, only for the kinds Pcap4J has no class for (:class:`NamedNumber`: TCP flags, NTP modes,
  ARCNET protocol IDs): the name ``-v`` prints.

The names ``-v`` prints for the kinds Pcap4J does name (EtherTypes, IP protocols, ports, TCP options,
ICMP types and codes, ...) are Pcap4J's own, generated from its jar: :mod:`pycapture.protocols.names`.
The lookups each output uses (``TCPDUMP_ETHERTYPE_NAMES``, ``ETHERTYPE_DECODERS``, ...) are columns of
the tables below (:func:`column`), never written twice. Link types live in
:mod:`pycapture.protocols.linktypes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Protocol

# --- rows and the lookups derived from them ----------------------------------------------------


class Number(NamedTuple):
    """A protocol number of a kind Pcap4J names (its name there is in :mod:`.names`): one row of a
    table below."""

    value: int
    tcpdump_name: str | None
    decoder: str | None = None


class NamedNumber(NamedTuple):
    """A protocol number of a kind Pcap4J has no class for, with the name ``-v`` prints for it."""

    value: int
    tcpdump_name: str | None
    long_name: str | None
    decoder: str | None = None


class _Row(Protocol):
    """A table's row: a number, then what the table says of it."""

    @property
    def value(self) -> int: ...


def column(rows: Iterable[_Row], field: str) -> dict[int, str]:
    """``field`` of each row by the row's value, leaving out the rows where it is None (or empty)."""
    return {row.value: name for row in rows if (name := getattr(row, field))}


# --- EtherTypes --------------------------------------------------------------------------------

ETHERTYPE_IP = 0x0800
ETHERTYPE_ARP = 0x0806
ETHERTYPE_RARP = 0x8035  # Cisco HDLC carries SLARP under the same number
ETHERTYPE_IP6 = 0x86DD
ETHERTYPE_VLAN = 0x8100  # IEEE 802.1Q
ETHERTYPE_QINQ = 0x88A8  # IEEE 802.1ad
ETHERTYPE_QINQ_OLD = 0x9100  # the pre-standard QinQ tag
ETHERTYPE_QINQ_9200 = 0x9200  # another pre-standard QinQ tag, which tcpdump's -e reads as a tag
ETHERTYPE_TEB = 0x6558  # Transparent Ethernet Bridging: an Ethernet frame follows
ETHERTYPE_PPP = 0x880B
ETHERTYPE_MPLS = 0x8847
ETHERTYPE_MPLS_MULTICAST = 0x8848
ETHERTYPE_PPPOE_DISCOVERY = 0x8863
ETHERTYPE_PPPOE_SESSION = 0x8864
ETHERTYPE_JUMBO = 0x8870
ETHERTYPE_AVSP = 0xD28B  # Arista vendor-specific protocol
ETHERTYPE_CDP = 0x2000  # Cisco's CDP: its id after Cisco's SNAP OUI, and its type in Cisco HDLC and GRE
ETHERTYPE_LLDP = 0x88CC
IEEE802_3_MAX_LENGTH = 1500  # a type field up to this is an 802.3 length (IEEE 802.3 clause 3.2.6)


EtherType = Number
"""One EtherType: its value, tcpdump's name, and the rich decoder of what follows."""

# tcpdump's names are tcpdump 4.99.3's ethertype_values, read off its -e output for every type from
# 0x0600 to 0xffff.
ETHERTYPES: dict[int, EtherType] = {e.value: e for e in (
    EtherType(0x0600, "NS", None),
    EtherType(0x0707, "GeoNet (old)", None),
    EtherType(ETHERTYPE_IP, "IPv4", "ip"),
    EtherType(ETHERTYPE_ARP, "ARP", "arp"),
    EtherType(0x1000, "Trail", None),
    EtherType(ETHERTYPE_CDP, None, "cdp"),
    EtherType(0x1111, "CALM FAST", None),
    EtherType(0x6001, "MOP DL", None),
    EtherType(0x6002, "MOP RC", None),
    EtherType(0x6003, "DN", "dec_dna"),
    EtherType(0x6004, "LAT", None),
    EtherType(0x6007, "SCA", None),
    EtherType(ETHERTYPE_TEB, "TEB", "eth"),
    EtherType(ETHERTYPE_RARP, "Reverse ARP", "arp"),
    EtherType(0x8038, "Lanbridge", None),
    EtherType(0x803C, "DEC DNS", None),
    EtherType(0x803E, "DEC DTS", None),
    EtherType(0x805B, "VEXP", None),
    EtherType(0x805C, "VPROD", None),
    EtherType(0x809B, "Appletalk", "ddp"),
    EtherType(0x80F3, "Appletalk ARP", "aarp"),
    EtherType(ETHERTYPE_VLAN, "802.1Q", "vlan"),
    EtherType(0x8137, "IPX", "ipx"),
    EtherType(ETHERTYPE_IP6, "IPv6", "ipv6"),
    EtherType(0x8808, "MPCP", None),
    EtherType(0x8809, "Slow Protocols", "slow"),
    EtherType(ETHERTYPE_PPP, "PPP", "ppp_hdlc"),
    EtherType(ETHERTYPE_MPLS, "MPLS unicast", "mpls"),
    EtherType(ETHERTYPE_MPLS_MULTICAST, "MPLS multicast", "mpls"),
    EtherType(ETHERTYPE_PPPOE_DISCOVERY, "PPPoE D", "pppoed"),
    EtherType(ETHERTYPE_PPPOE_SESSION, "PPPoE S", "pppoes"),
    EtherType(0x886F, "MS NLB heartbeat", "msnlb"),
    EtherType(ETHERTYPE_JUMBO, "Jumbo", None),
    EtherType(0x888E, "EAPOL", "eapol"),
    EtherType(0x8899, "Realtek protocols", None),
    EtherType(0x88A2, "AoE", "aoe"),
    EtherType(ETHERTYPE_QINQ, "802.1Q-QinQ", "vlan"),
    EtherType(0x88CA, "TIPC", "tipc"),
    EtherType(ETHERTYPE_LLDP, "LLDP", "lldp"),
    EtherType(0x88E5, "802.1AE MACsec", "macsec"),
    EtherType(0x88F7, "PTP", "ptp"),
    EtherType(0x8902, "CFM", "cfm"),
    EtherType(0x8909, None, "cmd"),  # Cisco MetaData (TrustSec): decode/rich/depth2.py
    EtherType(0x893A, "IEEE1905.1", None),
    EtherType(0x8947, "GeoNet", "gnw"),
    EtherType(0x894F, "NSH", "nsh"),
    EtherType(0x9000, "Loopback", "ctp"),
    EtherType(ETHERTYPE_QINQ_OLD, "802.1Q-9100", "vlan"),
    EtherType(ETHERTYPE_QINQ_9200, "802.1Q-9200", "vlan"),
    EtherType(0xABCD, "CFM (old)", None),
    EtherType(ETHERTYPE_AVSP, "Arista Vendor Specific Protocol", "avsp"),
    EtherType(0xFEFE, "OSI", "osi"),
)}  # fmt: skip

TCPDUMP_ETHERTYPE_NAMES = column(ETHERTYPES.values(), "tcpdump_name")
ETHERTYPE_DECODERS = column(ETHERTYPES.values(), "decoder")
VLAN_ETHERTYPES = frozenset(v for v, decoder in ETHERTYPE_DECODERS.items() if decoder == "vlan")
"""The EtherTypes of a VLAN tag: 802.1Q, 802.1ad and the two pre-standard QinQ types."""


# --- IP protocol numbers (IPv4's protocol, IPv6's next header) ----------------------------------

IPPROTO_HOPOPTS = 0
IPPROTO_ICMP = 1
IPPROTO_IGMP = 2
IPPROTO_IPIP = 4
IPPROTO_IGRP = 9  # IANA's "any private interior gateway", Cisco's IGRP (tcpdump's IPPROTO_PIGP)
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_DCCP = 33
IPPROTO_IPV6 = 41
IPPROTO_ROUTING = 43
IPPROTO_FRAGMENT = 44
IPPROTO_GRE = 47
IPPROTO_ESP = 50
IPPROTO_AH = 51
IPPROTO_ICMPV6 = 58
IPPROTO_NONE = 59  # IPv6's "no next header"
IPPROTO_DSTOPTS = 60
IPPROTO_IPCOMP = 108
IPPROTO_PGM = 113
IPPROTO_MOBILITY = 135  # RFC 6275's Mobility Header
IPPROTO_MOBILITY_OLD = 62  # the Mobility Header's number in the drafts before RFC 3775
IPPROTO_SCTP = 132
IPPROTO_ETHERNET = 143  # RFC 8986: an Ethernet frame, as SRv6 L2 VPNs carry it


IpProtocol = Number
"""One IP protocol number: tcpdump's name and the rich decoder of what follows."""


# tcpdump's names are those its ICMP text gives a quoted packet's protocol and its "ip-proto-N" names
# otherwise.
IP_PROTOCOLS: dict[int, IpProtocol] = {p.value: p for p in (
    IpProtocol(IPPROTO_HOPOPTS, None, "ipv6.hopopts"),
    IpProtocol(IPPROTO_ICMP, "icmp", "icmp"),
    IpProtocol(IPPROTO_IGMP, "igmp", "igmp"),
    IpProtocol(IPPROTO_IPIP, "ipip", "ip"),
    IpProtocol(IPPROTO_TCP, "tcp", "tcp"),
    IpProtocol(IPPROTO_UDP, "udp", "udp"),
    IpProtocol(IPPROTO_IPV6, "ip6", "ipv6"),
    IpProtocol(IPPROTO_ROUTING, None, "ipv6.routing"),
    IpProtocol(IPPROTO_FRAGMENT, None, "ipv6.fraghdr"),
    IpProtocol(IPPROTO_GRE, "gre", "gre"),
    IpProtocol(IPPROTO_ESP, "esp", "esp"),
    IpProtocol(IPPROTO_AH, "ah", "ah"),
    IpProtocol(IPPROTO_ICMPV6, "icmp6", "icmpv6"),
    IpProtocol(IPPROTO_DSTOPTS, None, "ipv6.dstopts"),
    IpProtocol(46, None, "rsvp"),
    IpProtocol(88, None, "eigrp"),
    IpProtocol(89, "ospf", "ospf"),
    IpProtocol(103, "pim", "pim"),
    IpProtocol(112, "vrrp", "vrrp"),
    IpProtocol(IPPROTO_SCTP, "sctp", "sctp"),
    IpProtocol(IPPROTO_DCCP, None, "dccp"),
    IpProtocol(9, None, "igrp"),
    IpProtocol(54, None, "nhrp"),
    IpProtocol(IPPROTO_PGM, None, "pgm"),
    IpProtocol(IPPROTO_IPCOMP, None, "ipcomp"),
    IpProtocol(IPPROTO_MOBILITY, None, "mipv6"),
    IpProtocol(IPPROTO_MOBILITY_OLD, None, "mipv6"),
    IpProtocol(IPPROTO_ETHERNET, None, "eth"),
)}  # fmt: skip

IPV6_ONLY_PROTOCOLS = frozenset((
    IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT, IPPROTO_DSTOPTS, IPPROTO_ETHERNET, IPPROTO_MOBILITY,
    IPPROTO_MOBILITY_OLD,
))  # fmt: skip
"""What the rich decoder reads only after an IPv6 header: its extension headers, and Ethernet (SRv6)."""

TCPDUMP_IP_PROTOCOL_NAMES = column(IP_PROTOCOLS.values(), "tcpdump_name")
IP6_DECODERS = column(IP_PROTOCOLS.values(), "decoder")
"""The rich decoder after an IPv6 header (or an extension header), by its next-header field."""
IP_DECODERS = {v: decoder for v, decoder in IP6_DECODERS.items() if v not in IPV6_ONLY_PROTOCOLS}
"""The rich decoder after an IPv4 header, by its protocol field."""


# --- TCP flags ---------------------------------------------------------------------------------


TcpFlag = NamedNumber
"""One TCP flag: its bit (``value``), tcpdump's letter and the flag's name (Pcap4J's and the RFCs')."""

# in tcpdump's order (print-tcp.c's tcp_flag_values): "S." is SYN with ACK
TCP_FLAGS: tuple[TcpFlag, ...] = (
    TcpFlag(0x01, "F", "FIN"),
    TcpFlag(0x02, "S", "SYN"),
    TcpFlag(0x04, "R", "RST"),
    TcpFlag(0x08, "P", "PSH"),
    TcpFlag(0x10, ".", "ACK"),
    TcpFlag(0x20, "U", "URG"),
    TcpFlag(0x40, "E", "ECE"),
    TcpFlag(0x80, "W", "CWR"),
    TcpFlag(0x100, "e", "AE"),  # was NS; tcpdump 4.99's one-line form reads only the flags byte, without it
)
_TCP_FLAG_LETTERS = tuple(column(TCP_FLAGS, "tcpdump_name").items())
_TCP_FLAG_NAMES = tuple(reversed(column(TCP_FLAGS, "long_name").items()))  # Pcap4J lists the highest first
TCP_FLAG_BITS: dict[str, int] = {letter: bit for bit, letter in _TCP_FLAG_LETTERS}
"""The bit of each tcpdump letter."""

TCP_SEQ_MASK = 0xFFFFFFFF
"""TCP sequence and acknowledgement numbers are 32 bits and wrap (RFC 9293 3.4): arithmetic on them is
taken ``& TCP_SEQ_MASK``, and one number lies before another when their difference, so masked, is at
least :data:`TCP_SEQ_HALF`."""
TCP_SEQ_HALF = TCP_SEQ_MASK // 2 + 1
"""Half the sequence space: the furthest one sequence number can be ahead of another."""


def tcp_flag_letters(flags: int) -> str:
    """tcpdump's letters for TCP flags: ``S.`` for SYN with ACK, ``none`` for no flag."""
    return "".join(letter for bit, letter in _TCP_FLAG_LETTERS if flags & bit) or "none"


def tcp_flag_names(flags: int) -> str:
    """The flags' names, highest bit first as Pcap4J lists them: ``ACK, SYN``; ``none`` for no flag."""
    return ", ".join(name for bit, name in _TCP_FLAG_NAMES if flags & bit) or "none"


# --- TCP option kinds --------------------------------------------------------------------------


TcpOptionKind = Number
"""One TCP option kind and tcpdump's word for it."""

# tcpdump's words are print-tcp.c's tcp_option_values (4.99); it prints other kinds as "unknown-N", but
# kind 13 (T/TCP's CC.ECHO), whose word is empty: the value alone.
TCP_OPTION_KINDS: tuple[TcpOptionKind, ...] = (
    TcpOptionKind(0, "eol"),
    TcpOptionKind(1, "nop"),
    TcpOptionKind(2, "mss"),
    TcpOptionKind(3, "wscale"),
    TcpOptionKind(4, "sackOK"),
    TcpOptionKind(5, "sack"),
    TcpOptionKind(6, "echo"),
    TcpOptionKind(7, "echoreply"),
    TcpOptionKind(8, "TS"),
    TcpOptionKind(11, "cc"),
    TcpOptionKind(12, "ccnew"),
    TcpOptionKind(19, "md5"),
    TcpOptionKind(20, "scps"),
    TcpOptionKind(28, "uto"),
    TcpOptionKind(29, "tcp-ao"),
    TcpOptionKind(30, "mptcp"),
    TcpOptionKind(34, "tfo"),
    TcpOptionKind(254, "exp"),
)
TCPDUMP_TCP_OPTION_NAMES = column(TCP_OPTION_KINDS, "tcpdump_name")
"""tcpdump's word for each TCP option kind it names (``mss``, ``TS``)."""


# --- ports -------------------------------------------------------------------------------------

DNS_PORT = 53
MDNS_PORT = 5353
NTP_PORT = 123
SYSLOG_PORT = 514
DNS_PORTS = frozenset((DNS_PORT, MDNS_PORT))
"""UDP ports tcpdump reads DNS on (print-udp.c)."""
TCPDUMP_HTTP_PORTS = frozenset((80, 8080))
"""TCP ports tcpdump 4.99 reads HTTP on (print-tcp.c)."""
HTTP_METHODS = frozenset(
    b"GET HEAD POST PUT DELETE OPTIONS TRACE CONNECT PATCH PROPFIND PROPPATCH MKCOL COPY MOVE LOCK UNLOCK "
    b"SEARCH REPORT NOTIFY SUBSCRIBE UNSUBSCRIBE".split()
)  # fmt: skip
"""The request methods that make a TCP payload look like HTTP to the rich decoder, on any port."""
HTTP_PORTS = frozenset((80, 8080, 8000, 3128))
"""TCP ports whose payload the rich decoder reads as HTTP (besides payloads that look like HTTP)."""
TLS_PORTS = frozenset((443, 465, 636, 853, 993, 995, 8443))
"""TCP ports where the rich decoder takes any TLS record, not only a handshake, for TLS."""


UDP_DECODERS: dict[int, str] = {
    DNS_PORT: "dns",
    67: "dhcp",
    68: "dhcp",
    NTP_PORT: "ntp",
    161: "snmp",
    162: "snmp",
    500: "isakmp",
    SYSLOG_PORT: "syslog",
    520: "rip",
    521: "ripng",
    546: "dhcpv6",
    547: "dhcpv6",
    646: "ldp",
    1645: "radius",
    1646: "radius",
    1700: "radius",
    1701: "l2tp",
    1812: "radius",
    1813: "radius",
    2123: "gtp",
    2152: "gtp",
    3799: "radius",
    4500: "udpencap",
    4789: "vxlan",
    6081: "geneve",
    # read by hand in decode/rich/control.py
    88: "kerberos",
    319: "ptp",
    320: "ptp",
    525: "tsp",
    1985: "hsrp",
    2029: "hsrp",
    3503: "mpls-echo",
    3784: "bfd",
    4341: "lisp",
    4342: "lisp",
    4784: "bfd",
    6696: "babel",
    6784: "bfd",
    8805: "pfcp",
    13400: "doip",
    69: "tftp",
    137: "nbns",
    138: "nbdgm",
    654: "aodv",
    698: "olsr",
    921: "lwres",
    6343: "sflow",
    111: "rpc",
    2049: "rpc",
    496: "auto_rp",
    1900: "ssdp",
    **dict.fromkeys((*range(7000, 7010), 7021), "rx"),
    17500: "db-lsp-disc",  # decode/rich/depth2.py
    6635: "mpls",  # MPLS in UDP (RFC 7510)
    7784: "bfd",  # seamless BFD (RFC 7881)
}
"""The rich decoder of a UDP payload, by port (the lower of the two first, as Wireshark tries them)."""

TCP_DECODERS: dict[int, str] = {
    22: "ssh",
    88: "kerberos_tcp",
    179: "bgp",
    646: "ldp",
    6633: "openflow",
    6653: "openflow",
    13400: "doip",
    6379: "resp",
    111: "rpc_tcp",
    323: "rpkirtr",
    2049: "rpc_tcp",
    139: "nbss",
    445: "nbss",
    1723: "pptp",
    43: "whois",  # decode/rich/depth2.py
    23: "telnet",  # decode/rich/depth2.py
}
"""The rich decoder of a TCP payload by port, where it is not DNS, TLS or HTTP (the lower port first)."""

TCPDUMP_UDP_PORT_ORDER: tuple[tuple[frozenset[int], str, str], ...] = tuple(
    (frozenset(ports), which, name)
    for ports, which, name in (
        ((53,), "either", "dns"),
        ((5353,), "either", "mdns"),
        ((525,), "either", "timed"),
        ((69,), "either", "tftp"),
        ((67, 68), "either", "bootp"),
        ((520,), "either", "rip"),
        ((654,), "either", "aodv"),
        ((500,), "either", "isakmp"),
        ((4500,), "either", "isakmp-natt"),
        ((7500, 8500), "either", "isakmp"),
        ((161, 162), "either", "snmp"),
        ((123,), "either", "ntp"),
        ((88, 750), "either", "krb"),
        ((1701,), "either", "l2tp"),
        ((3456,), "dst", "vat"),
        ((2103, 2104), "either", "zephyr"),
        (range(7000, 7010), "either", "rx"),
        ((521,), "either", "ripng"),
        ((546, 547), "either", "dhcp6"),
        ((5359,), "either", "ahcp"),
        ((6696, 6697), "either", "babel"),
        ((8231,), "either", "hncp"),
        ((4567,), "dst", "wb"),
        ((496,), "either", "autorp"),
        ((1645, 1812, 1646, 1813, 1700, 3799), "either", "radius"),
        ((1985,), "dst", "hsrp"),
        ((921,), "either", "lwres"),
        ((646,), "either", "ldp"),
        ((698,), "either", "olsr"),
        ((3503,), "either", "lspping"),
        ((49152,), "src", "bcm-li"),
        ((3784, 4784, 6784), "dst", "bfd"),
        ((3785,), "dst", "bfd-echo"),
        ((701,), "either", "lmp"),
        ((1589,), "either", "vqp"),
        ((6343,), "either", "sflow"),
        ((12223,), "dst", "lwapp-control-ap"),
        ((12223,), "src", "lwapp-control"),
        ((12222,), "either", "lwapp-data"),
        ((5060,), "either", "sip"),
        ((514,), "either", "syslog"),
        ((8472,), "either", "otv"),
        ((4789,), "either", "vxlan"),
        ((6081,), "either", "geneve"),
        ((4342,), "either", "lisp"),
        ((4790,), "either", "vxlan-gpe"),
        ((17754,), "either", "zep"),
        ((6635,), "either", "mpls"),
        ((319, 320), "either", "ptp"),
        ((30490,), "either", "someip"),
    )
)
"""print-udp.c's port tests in the order tcpdump 4.99 tries them (without -T): ``(ports, which, name)``
where ``which`` says whether the source port, the destination port or either must be one of ``ports``
(BFD's dport picks control or echo; LWAPP's control dport says the AP identity leads). NetBIOS (137, 138)
is missing: tcpdump's default build (no ENABLE_SMB) has no printer for it."""

# the printers of that order the lean decoder and output/tcpdump/udp_apps.py (or, for PTP,
# ether_protocols.py) carry; a port of another still prints "UDP, length N"
_TCPDUMP_UDP_PRINTED = frozenset((
    "timed", "tftp", "rip", "aodv", "isakmp", "isakmp-natt", "snmp", "krb", "rx", "ripng", "dhcp6", "ahcp",
    "babel", "hncp", "autorp", "radius", "hsrp", "ldp", "olsr", "lspping", "bcm-li", "bfd", "bfd-echo", "vqp",
    "sflow", "lwapp-control-ap", "lwapp-control", "lwapp-data", "sip", "otv", "vxlan", "geneve", "lisp",
    "vxlan-gpe", "ptp", "someip", "l2tp", "lwres", "lmp", "mpls", "wb", "zephyr",
))  # fmt: skip

TCPDUMP_UDP_PRINTERS: dict[int, str] = {
    port: name
    for ports, _which, name in reversed(TCPDUMP_UDP_PORT_ORDER)
    if name in _TCPDUMP_UDP_PRINTED
    for port in ports
}
TCPDUMP_UDP_PRINTERS[2049] = "nfs"  # print-udp.c tries NFS over Sun RPC before its port tests
"""UDP ports whose payload tcpdump's one-line output decodes (print-udp.c's port tests) and the lean
decoder reads by name, beyond DNS, BOOTP, NTP and syslog: the compiled line leaves them to it."""

TCPDUMP_TCP_PORT_ORDER: tuple[tuple[int, str], ...] = (
    (23, "telnet"), (25, "smtp"), (43, "whois"), (179, "bgp"), (1723, "pptp"), (6379, "resp"), (22, "ssh"),
    (10288, "beep"), (6633, "openflow"), (6653, "openflow"), (21, "ftp"), (80, "http"), (8080, "http"),
    (554, "rtsp"), (8554, "rtsp"), (53, "domain"), (639, "msdp"), (323, "rpki-rtr"), (646, "ldp"),
    (2049, "nfs"),
)  # fmt: skip
"""print-tcp.c's port tests (4.99, without -T), in its order: a segment goes to the printer of the first
port either of its ports is."""
_TCPDUMP_TCP_PRINTED = frozenset(
    ("smtp", "whois", "bgp", "pptp", "resp", "ssh", "openflow", "ftp", "rpki-rtr", "ldp", "nfs", "telnet")
)

TCPDUMP_TCP_PRINTERS: dict[int, str] = {
    port: name for port, name in TCPDUMP_TCP_PORT_ORDER if name in _TCPDUMP_TCP_PRINTED
}
"""TCP ports whose payload tcpdump's one-line output decodes (print-tcp.c's port tests) and the lean
decoder reads by name, beyond DNS and HTTP: the compiled line leaves a segment with payload to it."""


# --- NTP modes ---------------------------------------------------------------------------------


NtpMode = NamedNumber
"""One NTP association mode: tcpdump's name and Pcap4J's (Wireshark's) name."""

# (tcpdump's name, Pcap4J's name) of modes 0 to 7: a mode is its row's index, so no value is written
NTP_MODES: tuple[NtpMode, ...] = tuple(NtpMode(mode, *names) for mode, names in enumerate((
    ("unspecified", "reserved"),
    ("symmetric active", "symmetric active"),
    ("symmetric passive", "symmetric passive"),
    ("Client", "client"),
    ("Server", "server"),
    ("Broadcast", "broadcast"),
    ("Control Message", "NTP control message"),
    ("Reserved", "reserved for private use"),
)))  # fmt: skip
"""Indexed by the three-bit mode."""
NTP_MODE_NAMES = column(NTP_MODES, "long_name")
TCPDUMP_NTP_MODE_NAMES: tuple[str, ...] = tuple(column(NTP_MODES, "tcpdump_name").values())


# --- syslog ------------------------------------------------------------------------------------

# tcpdump's names (print-syslog.c), indexed by the facility (priority >> 3) and the severity (priority & 7)
SYSLOG_FACILITIES: tuple[str, ...] = (
    "kernel", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
    "ntp", "security", "console", "cron", "local0", "local1", "local2", "local3", "local4", "local5",
    "local6", "local7",
)  # fmt: skip
SYSLOG_SEVERITIES: tuple[str, ...] = (
    "emergency", "alert", "critical", "error", "warning", "notice", "info", "debug",
)  # fmt: skip

# --- ARCNET protocol IDs -----------------------------------------------------------------------


ArcnetProtocol = NamedNumber
"""One ARCNET protocol ID (LINKTYPE_ARCNET_LINUX): its name and the rich decoder of what follows."""

# Wireshark's packet-arcnet.c names; tcpdump names none of them
ARCNET_PROTOCOLS: tuple[ArcnetProtocol, ...] = (
    ArcnetProtocol(0x00, None, "Datapoint boot"),
    ArcnetProtocol(0x01, None, "Datapoint mount"),
    ArcnetProtocol(0x08, None, "PowerLAN beacon"),
    ArcnetProtocol(0x80, None, "Diagnose"),
    ArcnetProtocol(0xC4, None, "IPv6", "ipv6"),
    ArcnetProtocol(0xCD, None, "BACnet", "llc"),
    ArcnetProtocol(0xD4, None, "RFC 1201 IP", "ip"),
    ArcnetProtocol(0xD5, None, "RFC 1201 ARP", "arp"),
    ArcnetProtocol(0xD6, None, "RFC 1201 RARP", "arp"),
    ArcnetProtocol(0xDD, None, "Appletalk"),
    ArcnetProtocol(0xE8, None, "Ethertalk"),
    ArcnetProtocol(0xF0, None, "RFC 1051 IP", "ip"),
    ArcnetProtocol(0xF1, None, "RFC 1051 ARP", "arp"),
    ArcnetProtocol(0xF3, None, "PowerLAN beacon 2"),
    ArcnetProtocol(0xF7, None, "Banyan"),
    ArcnetProtocol(0xFA, None, "IPX"),
)
ARCNET_PROTOCOL_NAMES = column(ARCNET_PROTOCOLS, "long_name")
"""The name of each ARCNET protocol ID."""
ARCNET_DECODERS = column(ARCNET_PROTOCOLS, "decoder")
"""The rich decoder after an ARCNET header, by its protocol ID."""
ARCNET_UNSPLIT = frozenset((0xF0, 0xF1, 0x80, 0xCD))
"""The protocol IDs that RFC 1201's split flag and sequence do not follow (the header is 5 bytes, not 8)."""


__all__ = [
    "ARCNET_DECODERS",
    "ARCNET_PROTOCOLS",
    "ARCNET_PROTOCOL_NAMES",
    "ARCNET_UNSPLIT",
    "DNS_PORT",
    "DNS_PORTS",
    "ETHERTYPES",
    "ETHERTYPE_ARP",
    "ETHERTYPE_AVSP",
    "ETHERTYPE_CDP",
    "ETHERTYPE_DECODERS",
    "ETHERTYPE_IP",
    "ETHERTYPE_IP6",
    "ETHERTYPE_JUMBO",
    "ETHERTYPE_LLDP",
    "ETHERTYPE_MPLS",
    "ETHERTYPE_MPLS_MULTICAST",
    "ETHERTYPE_PPP",
    "ETHERTYPE_PPPOE_DISCOVERY",
    "ETHERTYPE_PPPOE_SESSION",
    "ETHERTYPE_QINQ",
    "ETHERTYPE_QINQ_9200",
    "ETHERTYPE_QINQ_OLD",
    "ETHERTYPE_RARP",
    "ETHERTYPE_TEB",
    "ETHERTYPE_VLAN",
    "HTTP_METHODS",
    "HTTP_PORTS",
    "IEEE802_3_MAX_LENGTH",
    "IP6_DECODERS",
    "IPPROTO_AH",
    "IPPROTO_DCCP",
    "IPPROTO_DSTOPTS",
    "IPPROTO_ESP",
    "IPPROTO_ETHERNET",
    "IPPROTO_FRAGMENT",
    "IPPROTO_GRE",
    "IPPROTO_HOPOPTS",
    "IPPROTO_ICMP",
    "IPPROTO_ICMPV6",
    "IPPROTO_IGMP",
    "IPPROTO_IGRP",
    "IPPROTO_IPCOMP",
    "IPPROTO_IPIP",
    "IPPROTO_IPV6",
    "IPPROTO_MOBILITY",
    "IPPROTO_NONE",
    "IPPROTO_PGM",
    "IPPROTO_ROUTING",
    "IPPROTO_SCTP",
    "IPPROTO_TCP",
    "IPPROTO_UDP",
    "IPV6_ONLY_PROTOCOLS",
    "IP_DECODERS",
    "IP_PROTOCOLS",
    "MDNS_PORT",
    "NTP_MODES",
    "NTP_MODE_NAMES",
    "NTP_PORT",
    "SYSLOG_FACILITIES",
    "SYSLOG_PORT",
    "SYSLOG_SEVERITIES",
    "TCPDUMP_ETHERTYPE_NAMES",
    "TCPDUMP_HTTP_PORTS",
    "TCPDUMP_IP_PROTOCOL_NAMES",
    "TCPDUMP_NTP_MODE_NAMES",
    "TCPDUMP_TCP_OPTION_NAMES",
    "TCPDUMP_TCP_PORT_ORDER",
    "TCPDUMP_TCP_PRINTERS",
    "TCPDUMP_UDP_PORT_ORDER",
    "TCPDUMP_UDP_PRINTERS",
    "TCP_DECODERS",
    "TCP_FLAGS",
    "TCP_FLAG_BITS",
    "TCP_OPTION_KINDS",
    "TCP_SEQ_HALF",
    "TCP_SEQ_MASK",
    "TLS_PORTS",
    "UDP_DECODERS",
    "VLAN_ETHERTYPES",
    "ArcnetProtocol",
    "EtherType",
    "IpProtocol",
    "NamedNumber",
    "NtpMode",
    "Number",
    "TcpFlag",
    "TcpOptionKind",
    "column",
    "tcp_flag_letters",
    "tcp_flag_names",
]  # fmt: skip

# numbers.py is ready for use
