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

TcpLayer = tuple[Literal["tcp"], int, int, int, int, int, int, int, bytes, int, int, bool]
"""``("tcp", sport, dport, seq, ack, flags, window, payload_length, options, urgent, header_length,
short)``; ``flags`` holds NS/AE as bit 8; ``options`` what the capture holds of them (and of the byte after
them, where tcpdump may read an option's length); ``short``: the capture ends before the segment does;
a ``header_length`` under 20 is tcpdump's "bad hdr length" (the fields after the ports are not read)"""

TcpAppLayer = tuple[Literal["tcp-app"], str, bytes, int]
"""``("tcp-app", printer, captured, length)``: a TCP payload of ``length`` bytes (``captured`` of it
in the capture) tcpdump decodes by port (numbers.TCPDUMP_TCP_PRINTERS' names)"""

IcmpLayer = tuple[Literal["icmp"], int, int, int, int, bytes]
"""``("icmp", type, code, rest_of_header, length, raw)``; ``raw``: the message's captured bytes, up to the IP
length (at least its type and code; ``rest_of_header`` 0 where the capture ends before it)"""

Icmp6Layer = tuple[Literal["icmp6"], int, int, int, int, bytes]
"""``("icmp6", type, code, rest_of_header, length, raw)``; ``raw``: the message's captured bytes, up to the
IP length (at least its type)"""

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
first question (None where a response is cut in its questions: ``answers`` then holds a placeholder for
each question stepped over before, after which tcpdump prints a comma); ``mdns``: multicast DNS, port 5353"""

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
"""``("igmp", start, length)``: the first bytes of an IGMP message (at most the twelve tcpdump reads; a
DVMRP, PIMv1 or mtrace message whole) and the IP payload's length"""

IpMiscLayer = tuple[Literal["ip-misc"], int, bytes, int]
"""``("ip-misc", proto, start, length)``: an EGP, Mobile IP, Sun ND (or IPv4's no-next-header, IPv6's
ICMP or IGMP) payload (lean_misc.py): the captured bytes up to the IP length, and that length"""

VrrpLayer = tuple[Literal["vrrp"], bytes]
"""``("vrrp", start)``: the first bytes of a VRRP message, at most the six tcpdump reads"""

NtpLayer = tuple[Literal["ntp"], int, int]
"""``("ntp", version, mode)``: the first byte of an NTP message"""

SyslogLayer = tuple[Literal["syslog"], Optional[int]]
"""``("syslog", priority)``: a syslog message's ``<PRI>``, None if it has none"""

HttpLayer = tuple[Literal["http"], Optional[str]]
"""``("http", first_line)``: the request or status line of a TCP payload on an HTTP port (None where
there is none, or where the capture ends in it: a ``trunc`` follows then)"""

RadiotapField = tuple[int, list[int]]
"""``(bit, values)``: one radiotap field as tcpdump reads it (its values in the field's order, signed
where tcpdump reads them signed; a channel's and an XChannel's followed by 1 where the same presence word
announces MCS); bit -1 for a field the header ends in (tcpdump's `` [|802.11_radio]``), and a bit with
no values for one tcpdump 4.99 does not know (it prints ``[bit N]`` and reads no further)"""

RadiotapLayer = tuple[Literal["radiotap"], list[RadiotapField]]
"""``("radiotap", fields)``: a radiotap header's fields, in the order tcpdump prints them"""

WlanElements = tuple[Optional[bytes], Optional[bytes], Optional[int]]
"""``(ssid, rates, channel)``: the first SSID, the first non-empty supported rates and the first DS
channel of an 802.11 management frame's elements, None where there is none"""

WlanMgmtLayer = tuple[Literal["wlan-mgmt"], int, bool, bytes, list[int], Optional[WlanElements], bool]
"""``("wlan-mgmt", subtype, protected, source, fixed, elements, whole)``: an 802.11 management frame; its
fixed fields as tcpdump keeps them (the IV of a protected frame; empty where the capture ends in them),
its elements where the subtype has the ones tcpdump shows, and whether all it reads was there"""

WlanCtrlLayer = tuple[Literal["wlan-ctrl"], int, list[bytes], list[int]]
"""``("wlan-ctrl", subtype, addresses, numbers)``: an 802.11 control frame's addresses and numbers as
tcpdump shows them (BAR: RA, TA, control, sequence; PS-Poll: AID; RTS: TA; the others: RA)"""

WlanDataLayer = tuple[Literal["wlan-data"], int, bool, Optional[int], bytes, bytes]
"""``("wlan-data", subtype, protected, iv, source, destination)``: an 802.11 data frame; LLC follows an
unprotected one, whose source and destination addresses tcpdump prints before an LLC payload it does
not decode (empty for the others)"""

WlanUnknownLayer = tuple[Literal["wlan-unknown"], int, int]
"""``("wlan-unknown", type, subtype)``: an 802.11 frame of a type (or control subtype) tcpdump does not
know the header of"""

ChdlcLayer = tuple[Literal["chdlc"], int, int, int]
"""``("chdlc", address, protocol, length)``: a Cisco HDLC header and the frame's wire length"""

SlarpLayer = tuple[Literal["slarp"], bytes, int]
"""``("slarp", message, length)``: a Cisco SLARP message (as captured) and its length"""

PppLayer = tuple[Literal["ppp"], str, int, int, int]
"""``("ppp", framing, protocol, length, address_control)``: a PPP header; ``framing`` says how tcpdump
introduces it (``ppp``, ``ppp-in``, ``ppp-out``: nothing, -e its protocol and the ``length`` of the
frame from this header on; ``serial``: the protocol's name and a colon; ``ether``: a colon, a PPP header
follows; ``hdlc``: after undoing RFC 1662 escapes; ``invalid``: a flag byte where the protocol should
be; ``unknown-addr``: not PPP's address byte, ``protocol`` holding the two bytes tcpdump shows;
``empty``: nothing at all); ``address_control``: the first two bytes of a PPP_SERIAL frame (else -1)"""

PppMessageLayer = tuple[Literal["pppmsg"], int, bytes, int, str]
"""``("pppmsg", protocol, message, length, cut_name)``: a PPP payload tcpdump prints itself (LCP and the
other control protocols, PAP, CHAP, MLPPP, or an unknown protocol), as captured, with its length and
tcpdump's protocol name where the capture ends inside it"""

MplsLayer = tuple[Literal["mpls"], bytes, str, bytes]
"""``("mpls", stack, end, rest)``: an MPLS label stack (4 bytes an entry); ``end`` is "" where the
guessed payload's layers follow, ``empty`` with none, ``unknown`` with ``rest`` the payload tcpdump
dumps, ``invalid`` (``invalid-cut``) where the length ends inside the stack (and so does the capture),
``cut`` where the capture ends inside it"""

PktapLayer = tuple[Literal["pktap"], str, int, int]
"""``("pktap", status, a, b)``: what tcpdump says of a PKTAP header instead of printing the frame in it:
``short`` (the frame's length ``a`` is below the header's), ``small`` or ``big`` (the header's length
``a`` is below its minimum, or above the frame's length ``b``), ``no-data`` (a record without a
packet), ``record`` (a record of another type ``a``: nothing), ``dlt`` (a frame of link type ``a``
it has no printer for, after a header of ``b`` bytes)"""

AtmLayer = tuple[Literal["atm"], int, bytes, int]
"""``("atm", vci, start, length)``: an ATM signalling or OAM PDU on VPI 0 (tcpdump's atm_print by VCI),
the first bytes of it as captured (at most eight) and its length"""

WpanLayer = tuple[Literal["wpan"], bytes]
"""``("wpan", frame)``: an IEEE 802.15.4 MAC frame as captured (tcpdump's printer reads it whole)"""

LinkDataLayer = tuple[Literal["linkdata"], bytes]
"""``("linkdata", payload)``: what follows a link header whose protocol tcpdump does not decode (it
prints no text, then the captured payload in hex and ASCII below the line)"""

SlipLayer = tuple[Literal["slip"], int, bytes, bool]
"""``("slip", version, header, tcp_cut)``: the version nibble of the packet after BPF's 16-byte SLIP
pseudo-header (-1 where the capture ends with the header), that header, and whether the capture ends
before a TCP header would end after the IP header (what -e reads of an uncompressed TCP packet)"""

SwitchTagLayer = tuple[Literal["swtag"], str, bytes]
"""``("swtag", kind, tag)``: a switch's tag in an Ethernet frame (kind ``brcm-tag``, ``brcm-tag-prepend``,
``dsa``, ``edsa``), the frame's Ethernet layers following"""

OsiLayer = tuple[Literal["osi"], int, int, bytes]
"""``("osi", nlpid, length, pdu)``: an OSI network-layer PDU from its NLPID on, as captured (empty for
IPv4, IPv6 and PPP, whose layers follow)"""

IpxLayer = tuple[Literal["ipx"], str, bytes, int, int, str]
"""``("ipx", kind, raw, next, length, note)``: a header tcpdump decodes between IP and what it carries, or
an IP protocol it prints whole (decode/lean_ip.py): kind ``ah``, ``esp``, ``ipcomp``, ``sctp``, ``dccp``,
``hbh``, ``dstopt``, ``rt6``, ``frag``, ``mobility``...; ``raw`` the bytes of it tcpdump reads, ``next`` the
protocol it hands on (-1: the line ends here), ``length`` the length it hands on (or prints), ``note``
what tcpdump prints of a malformed option"""

UdpAppLayer = tuple[Literal["udp-app"], str, bytes, int]
"""``("udp-app", name, payload, length)``: a UDP application tcpdump decodes by port (lean_udp.py):
the printer's name, the bytes it may read (to the end of the IP payload or of the capture) and the UDP
payload length; a tunnel's (VXLAN, Geneve) inner frame's layers follow"""

OtherLayer = tuple[Literal["other"], str, int, int]
"""``("other", kind, value, length)``: a header this decoder does not open (kind ``ethertype``,
``ip-proto``, ``linktype``, ``fragment``, or the numbering of the link header before it: ``family``,
``sll-protocol``, ``arcnet-protocol``, ``nlpid``...)"""

DataLayer = tuple[Literal["data"], bytes]
"""``("data", payload)``: what follows a link-layer header whose payload tcpdump does not decode (an
unknown ethertype, Linux cooked protocol or BSD address family): its default printer dumps it in hex and
ASCII unless -x or -X dump the frame anyway"""

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

EtherProtoLayer = tuple[Literal["ethproto"], str, bytes, int]
"""``("ethproto", printer, data, length)``: a protocol an EtherType or an 802.2 header carries that tcpdump
reads whole (PTP, AoE, STP, IS-IS, ..., or ``llc``: the 802.2 frame from its header on): the captured bytes
and the length its printer is given"""

BadLayer = tuple[Literal["bad"], str, str]
"""``("bad", layer, reason)``: the header is malformed, e.g. an IPv4 header length of 3"""

SaidLayer = tuple[Literal["said"], str, str, int, int]
"""``("said", text, eflag_text, length, header)``: a header whose text tcpdump prints as is (lean_links2),
``text`` without -e and ``eflag_text`` with it, then the text of the layers after it, in a frame of wire
``length``; ``header``: the bytes tcpdump's -x/-X skip as link layer where this is a frame's first"""

Layer = Union[
    IpMiscLayer,
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
    TcpAppLayer,
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
    ChdlcLayer,
    SlarpLayer,
    PppLayer,
    PppMessageLayer,
    MplsLayer,
    OsiLayer,
    SwitchTagLayer,
    SlipLayer,
    LinkDataLayer,
    PktapLayer,
    WpanLayer,
    AtmLayer,
    RadiotapLayer,
    WlanMgmtLayer,
    WlanCtrlLayer,
    WlanDataLayer,
    WlanUnknownLayer,
    IpxLayer,
    UdpAppLayer,
    OtherLayer,
    DataLayer,
    UnsupportedLayer,
    TruncLayer,
    BadLayer,
    EtherProtoLayer,
    SaidLayer,
]
"""Any one lean layer."""

Layers = list[Layer]
"""The layers of one frame, in wire order."""


LINK_KINDS = frozenset(
    ("chdlc", "slarp", "ppp", "pppmsg", "mpls", "osi", "swtag", "slip", "linkdata", "pktap", "wpan", "atm")
)
"""The first items of the link layers ``output/tcpdump/links.py`` prints (Cisco HDLC, PPP, MPLS, SLIP...)."""

WLAN_LAYERS = frozenset(("radiotap", "wlan-mgmt", "wlan-ctrl", "wlan-data", "wlan-unknown"))
"""The first items of the 802.11 layers ``output/tcpdump/wlan.py`` prints."""
