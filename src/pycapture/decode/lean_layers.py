"""The layer types of the lean decoder: one plain tuple per header, its first item naming it.

Each alias below is the shape of one kind of layer, so the type checker holds ``decode/lean.py`` and the
tcpdump printers that read its tuples to the same layout, and narrows a ``Layer`` by its first item
(``if layer[0] == "tcp":`` makes it a ``TcpLayer``). They are aliases of ``tuple``, not classes: building
a NamedTuple costs about 190 ns more per layer (5% of ``-e``'s time), and a tuple costs nothing more to
name. Addresses stay raw bytes; the printers turn them into text.
"""

from __future__ import annotations

from typing import Literal, Optional, Union

EthLayer = tuple[Literal["eth"], bytes, bytes, int]
"""``("eth", dst, src, ethertype)``"""

VlanLayer = tuple[Literal["vlan"], int, int]
"""``("vlan", tci, ethertype)``: 802.1Q and 802.1ad"""

LlcLayer = tuple[Literal["llc"], int, int, int, int]
"""``("llc", dsap, ssap, control, length)``: an 802.3 frame (length field below 0x600), or after SLL"""

SllLayer = tuple[Literal["sll"], int, int, bytes]
"""``("sll", packet_type, protocol, address)``: Linux cooked capture v1"""

Sll2Layer = tuple[Literal["sll2"], int, int, bytes, int]
"""``("sll2", packet_type, protocol, address, if_index)``: Linux cooked capture v2"""

NullLayer = tuple[Literal["null"], int]
"""``("null", family)``: BSD loopback, DLT_NULL and DLT_LOOP"""

LinkLayer = tuple[Literal["link"], str, int, Optional[int]]
"""``("link", kind, header_length, protocol)``: another link-layer header, ``header_length`` bytes long,
kind ``arcnet`` (ARCNET_LINUX), ``fr`` (FRELAY), ``ipoib`` (IPOIB, 44 bytes with Linux's pseudo-header,
else 4), ``ipnet`` (Solaris IPNET), ``juniper`` (JUNIPER_ETHER), ``ppi`` or ``pktap``; ``protocol`` is what
it says follows, in its own numbering (ARCNET protocol ID, NLPID or ethertype, ethertype, address family,
Juniper protocol or None before an Ethernet header, DLT of the inner frame, whose own layers follow)"""

ArpLayer = tuple[Literal["arp"], int, int, int, bytes, bytes, bytes, bytes, int]
"""``("arp", op, hw_type, proto_type, sha, spa, tha, tpa, length)``"""

IpLayer = tuple[Literal["ip"], bytes, bytes, int, int, int, int, int]
"""``("ip", src, dst, proto, payload_length, ttl, ident, frag_field)``"""

Ip6Fragment = tuple[int, bool, int]
"""``(offset, more_fragments, ident)`` of an IPv6 fragment header"""

Ip6Layer = tuple[Literal["ip6"], bytes, bytes, int, int, int, Optional[Ip6Fragment]]
"""``("ip6", src, dst, next_header, payload_length, hop_limit, fragment)``; ``next_header`` is the one
after the extension headers, ``fragment`` None when there is no fragment header"""

UdpLayer = tuple[Literal["udp"], int, int, int]
"""``("udp", sport, dport, payload_length)``"""

TcpLayer = tuple[Literal["tcp"], int, int, int, int, int, int, int, bytes]
"""``("tcp", sport, dport, seq, ack, flags, window, payload_length, options)``; ``flags`` holds NS/AE as
bit 8"""

IcmpLayer = tuple[Literal["icmp"], int, int, int, int, bytes]
"""``("icmp", type, code, rest_of_header, length, quoted)``; ``quoted``: the start of the invoking packet"""

Icmp6Layer = tuple[Literal["icmp6"], int, int, int, int, bytes]
"""``("icmp6", type, code, rest_of_header, length, target)``; ``target``: the ND target address"""

DnsQuestion = tuple[str, int, int]
"""``(name, qtype, qclass)``"""

DnsAnswer = tuple[str, Optional[int], Optional[str], int]
"""``("", rtype, rdata, rclass)``: rdata as text where the type is one the summary shows, else None (the
name is not read, as tcpdump without -v); rtype None for an answer tcpdump could not start to read (it
prints only the comma before it)"""

DnsCounts = tuple[int, int, int, int]
"""``(qd, an, ns, ar)``: the four counts of a DNS header"""

DnsLayer = tuple[Literal["dns"], int, int, DnsCounts, Optional[list[DnsQuestion]], list[DnsAnswer], int, bool]
"""``("dns", ident, flags, counts, questions, answers, length, mdns)``: ``questions`` holds a query's
first question (None where a response is cut in its questions); ``mdns``: multicast DNS, port 5353"""

DnsShortLayer = tuple[Literal["dns-short"], int]
"""``("dns-short", length)``: a DNS message shorter than its 12-byte header"""

BootpLayer = tuple[Literal["bootp"], int, Optional[bytes], bool]
"""``("bootp", op, chaddr, cut)``: a BOOTP/DHCP message's op, the Ethernet address a request names (None
otherwise), and whether the capture ends before what tcpdump reads of it"""

PimLayer = tuple[Literal["pim"], int, int]
"""``("pim", version, type)``: a PIM message's first byte"""

OspfLayer = tuple[Literal["ospf"], int, int, bool, bool]
"""``("ospf", version, type, md5, over_ipv6)``: an OSPF header's version and type, whether an MD5
digest trails it (OSPFv2's authentication type 2), and whether IPv6 carries it"""

EigrpLayer = tuple[Literal["eigrp"], int, int]
"""``("eigrp", version, opcode)``: an EIGRP common header tcpdump reads whole"""

GreLayer = tuple[Literal["gre"], int, str, int, bool, bool]
"""``("gre", version, fields, proto, inner, cut)``: a GRE header tcpdump prints (the fields after its
version as tcpdump spells them, the protocol it carries, whether that IP packet's layers follow, and
whether the capture or the GRE length ends inside the header)"""

IgmpLayer = tuple[Literal["igmp"], bytes, int]
"""``("igmp", start, length)``: the first bytes of an IGMP message (at most the twelve tcpdump reads) and
the IP payload's length"""

VrrpLayer = tuple[Literal["vrrp"], bytes]
"""``("vrrp", start)``: the first bytes of a VRRP message, at most the six tcpdump reads"""

NtpLayer = tuple[Literal["ntp"], int, int]
"""``("ntp", version, mode)``: the first byte of an NTP message"""

SyslogLayer = tuple[Literal["syslog"], Optional[int]]
"""``("syslog", priority)``: a syslog message's ``<PRI>``, None if it has none"""

HttpLayer = tuple[Literal["http"], Optional[str]]
"""``("http", first_line)``: the request or status line of a TCP payload on an HTTP port (None where
there is none, or where the capture ends in it: a ``trunc`` follows then)"""

OtherLayer = tuple[Literal["other"], str, int, int]
"""``("other", kind, value, length)``: a header this decoder does not open (kind ``ethertype``,
``ip-proto``, ``linktype``, ``fragment``, or the numbering of the link header before it: ``family``,
``sll-protocol``, ``arcnet-protocol``, ``nlpid``...)"""

UnsupportedLayer = tuple[Literal["unsupported"], int, int, bytes]
"""``("unsupported", linktype, length, frame)``: a link type neither this decoder nor tcpdump prints
(tcpdump dumps the frame in hex and ASCII)"""

TruncLayer = Union[
    tuple[Literal["trunc"], str],
    tuple[Literal["trunc"], str, int],
    tuple[Literal["trunc"], str, int, int],
    tuple[Literal["trunc"], str, str],
]
"""``("trunc", layer, *known)``: the capture ends inside this layer (tcpdump's ``[|layer]``); ``known`` is
what of it tcpdump still shows: ``(sport, dport)`` of a TCP or UDP header cut after its ports, ``(type,)``
of an ICMPv6 header and ``(version,)`` of an IPv4 header cut after their first byte, ``("length",)`` for
DNS over TCP cut in its 2-byte length prefix"""

BadLayer = tuple[Literal["bad"], str, str]
"""``("bad", layer, reason)``: the header is malformed, e.g. an IPv4 header length of 3"""

Layer = Union[
    EthLayer,
    VlanLayer,
    LlcLayer,
    SllLayer,
    Sll2Layer,
    NullLayer,
    LinkLayer,
    ArpLayer,
    IpLayer,
    Ip6Layer,
    UdpLayer,
    TcpLayer,
    IcmpLayer,
    Icmp6Layer,
    DnsLayer,
    DnsShortLayer,
    BootpLayer,
    PimLayer,
    OspfLayer,
    VrrpLayer,
    IgmpLayer,
    GreLayer,
    EigrpLayer,
    NtpLayer,
    SyslogLayer,
    HttpLayer,
    OtherLayer,
    UnsupportedLayer,
    TruncLayer,
    BadLayer,
]
"""Any one lean layer."""

Layers = list[Layer]
"""The layers of one frame, in wire order."""
