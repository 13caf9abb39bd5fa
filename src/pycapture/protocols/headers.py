"""Small headers dpkt lacks, declared the dpkt way (a ``dpkt.Packet`` subclass with ``__hdr__``).

The rich decoder (:mod:`pycapture.decode.rich`) unpacks one header at a time and picks the next layer
itself, so these classes describe a header and nothing more: they never dispatch to a payload class.
"""

from __future__ import annotations

from typing import ClassVar

import dpkt
from dpkt import dns


class SNAP(dpkt.Packet):
    """The SNAP extension of an 802.2 LLC header (DSAP = SSAP = 0xAA): an OUI, then an ethertype."""

    __hdr__ = (
        ("oui", "3s", b"\x00\x00\x00"),
        ("type", "H", 0x0800),
    )


class CHDLC(dpkt.Packet):
    """Cisco HDLC (DLT_C_HDLC): address, control, then an ethertype-like protocol."""

    __hdr__ = (
        ("address", "B", 0x0F),
        ("control", "B", 0),
        ("type", "H", 0x0800),
    )


class VXLAN(dpkt.Packet):
    """Virtual eXtensible LAN (RFC 7348), UDP port 4789; an Ethernet frame follows."""

    __hdr__ = (
        ("flags", "B", 0x08),
        ("_rsv1", "3s", b"\x00\x00\x00"),
        ("_vni_rsv", "I", 0),
    )
    __bit_fields__: ClassVar[dict] = {"_vni_rsv": (("vni", 24), ("_rsv2", 8))}


class Geneve(dpkt.Packet):
    """Generic Network Virtualization Encapsulation (RFC 8926), UDP port 6081; options follow."""

    __hdr__ = (
        ("_ver_optlen", "B", 0),
        ("_flags", "B", 0),
        ("proto", "H", 0x6558),
        ("_vni_rsv", "I", 0),
    )
    __bit_fields__: ClassVar[dict] = {
        "_ver_optlen": (("version", 2), ("opt_len", 6)),  # opt_len: options length in 4-byte words
        "_flags": (("oam", 1), ("critical", 1), ("_rsv", 6)),
        "_vni_rsv": (("vni", 24), ("_rsv2", 8)),
    }


class GTPv1(dpkt.Packet):
    """The mandatory part of a GTPv1 header (3GPP TS 29.060 / 29.281): 8 bytes."""

    __hdr__ = (
        ("_flags", "B", 0x30),
        ("type", "B", 255),
        ("length", "H", 0),  # bytes after these 8, optional fields and extension headers included
        ("teid", "I", 0),
    )
    __bit_fields__: ClassVar[dict] = {
        "_flags": (("version", 3), ("pt", 1), ("_spare", 1), ("e", 1), ("s", 1), ("pn", 1)),
    }


class GTPv1Optional(dpkt.Packet):
    """The 4 optional GTPv1 bytes, present when any of the E, S or PN flags is set."""

    __hdr__ = (
        ("seq", "H", 0),
        ("npdu", "B", 0),
        ("next_ext", "B", 0),
    )


class GTPv2(dpkt.Packet):
    """The first 4 bytes of a GTPv2-C header (3GPP TS 29.274); a TEID follows when ``t`` is set."""

    __hdr__ = (
        ("_flags", "B", 0x48),
        ("type", "B", 0),
        ("length", "H", 0),  # bytes after these 4
    )
    __bit_fields__: ClassVar[dict] = {"_flags": (("version", 3), ("p", 1), ("t", 1), ("_spare", 3))}


class GTPv2Sequence(dpkt.Packet):
    """The 3-byte sequence number and spare byte that end a GTPv2-C header."""

    __hdr__ = (("_seq_spare", "I", 0),)
    __bit_fields__: ClassVar[dict] = {"_seq_spare": (("seq", 24), ("_spare", 8))}


class SCTPDataChunk(dpkt.Packet):
    """The fields of an SCTP DATA chunk (RFC 9260) after its 4-byte chunk header."""

    __hdr__ = (
        ("tsn", "I", 0),
        ("stream_id", "H", 0),
        ("stream_seq", "H", 0),
        ("ppid", "I", 0),
    )


class NDRouterAdvert(dpkt.Packet):
    """The body of an ICMPv6 Router Advertisement (RFC 4861), after type, code and checksum."""

    __hdr__ = (
        ("cur_hop_limit", "B", 64),
        ("_flags", "B", 0),
        ("router_lifetime", "H", 0),
        ("reachable_time", "I", 0),
        ("retrans_timer", "I", 0),
    )
    __bit_fields__: ClassVar[dict] = {"_flags": (("m", 1), ("o", 1), ("_rest", 6))}


class NDNeighborSolicit(dpkt.Packet):
    """The body of an ICMPv6 Neighbor Solicitation: reserved word and target address."""

    __hdr__ = (
        ("_rsv", "I", 0),
        ("target", "16s", b"\x00" * 16),
    )


class NDNeighborAdvert(dpkt.Packet):
    """The body of an ICMPv6 Neighbor Advertisement: router, solicited, override flags and target."""

    __hdr__ = (
        ("_flags_rsv", "I", 0),
        ("target", "16s", b"\x00" * 16),
    )
    __bit_fields__: ClassVar[dict] = {
        "_flags_rsv": (("router", 1), ("solicited", 1), ("override", 1), ("_rsv", 29))
    }


class NDRedirect(dpkt.Packet):
    """The body of an ICMPv6 Redirect: reserved word, target and destination addresses."""

    __hdr__ = (
        ("_rsv", "I", 0),
        ("target", "16s", b"\x00" * 16),
        ("dst", "16s", b"\x00" * 16),
    )


class NDOption(dpkt.Packet):
    """A Neighbor Discovery option's type and length (in units of 8 bytes, these 2 bytes included)."""

    __hdr__ = (
        ("type", "B", 1),
        ("len", "B", 1),
    )


class NDPrefixInfo(dpkt.Packet):
    """The value of a Prefix Information option (ND option 3), after its type and length."""

    __hdr__ = (
        ("prefix_len", "B", 64),
        ("_flags", "B", 0),
        ("valid_lifetime", "I", 0),
        ("preferred_lifetime", "I", 0),
        ("_rsv", "I", 0),
        ("prefix", "16s", b"\x00" * 16),
    )
    __bit_fields__: ClassVar[dict] = {"_flags": (("on_link", 1), ("autonomous", 1), ("_rest", 6))}


class DNS(dns.DNS):
    """dpkt's DNS message, keeping the raw data of record types dpkt cannot unpack.

    dpkt raises ``UnpackError`` for any record type it does not know (RRSIG, DNSKEY, HTTPS, CAA...),
    which would make a whole DNSSEC answer look malformed; here such records keep their ``rdata``.
    """

    class RR(dns.DNS.RR):
        def unpack_rdata(self, buf: bytes, off: int) -> None:
            if self.type in _DPKT_RR_TYPES:
                dns.DNS.RR.unpack_rdata(self, buf, off)


_DPKT_RR_TYPES = frozenset(
    (dns.DNS_A, dns.DNS_NS, dns.DNS_CNAME, dns.DNS_PTR, dns.DNS_SOA, dns.DNS_MX, dns.DNS_TXT,
     dns.DNS_HINFO, dns.DNS_AAAA, dns.DNS_NULL, dns.DNS_SRV, dns.DNS_OPT)
)  # fmt: skip


# --- link layers libpcap knows and dpkt does not ---------------------------------------------------


class ARCNETLinux(dpkt.Packet):
    """LINKTYPE_ARCNET_LINUX (129): source and destination station IDs, a 2-byte offset, a protocol ID.

    Every protocol but RFC 1051's (IP 0xf0, ARP 0xf1), diagnostics (0x80) and BACnet (0xcd) goes on
    with RFC 1201's split flag and sequence number (:class:`ARCNETSplit`).
    """

    __hdr__ = (
        ("src", "B", 0),
        ("dst", "B", 0),
        ("offset", "2s", b"\x00\x00"),
        ("type", "B", 0xD4),
    )


class ARCNETSplit(dpkt.Packet):
    """RFC 1201's fragmentation fields after the protocol ID; a split flag of 0 is a whole packet, an odd
    one a first fragment, an even one a later fragment."""

    __hdr__ = (
        ("split_flag", "B", 0),
        ("sequence", "H", 0),
    )


class Q922Address(dpkt.Packet):
    """The first two octets of a Frame Relay (Q.922) address; a clear ``ea2`` means more octets follow."""

    __hdr__ = (
        ("_hi", "B", 0),
        ("_lo", "B", 1),
    )
    __bit_fields__: ClassVar[dict] = {
        "_hi": (("upper_dlci", 6), ("cr", 1), ("ea1", 1)),
        "_lo": (("second_dlci", 4), ("fecn", 1), ("becn", 1), ("de", 1), ("ea2", 1)),
    }


class IPoIB(dpkt.Packet):
    """The IP-over-InfiniBand encapsulation header (RFC 4391 section 6): an ethertype and 2 reserved bytes."""

    __hdr__ = (
        ("type", "H", 0x0800),
        ("reserved", "H", 0),
    )


class IPoIBGRH(dpkt.Packet):
    """The 40 bytes Linux puts before the IPoIB header in LINKTYPE_IPOIB captures, when they hold a GRH.

    An InfiniBand Global Route Header as Wireshark reads it there: version, traffic class and flow
    label, the sender's queue pair in bytes 5-7, then the source and destination GIDs.
    """

    __hdr__ = (
        ("_v_tc_fl", "I", 0x60000000),
        ("_sqpn", "I", 0),
        ("sgid", "16s", b"\x00" * 16),
        ("dgid", "16s", b"\x00" * 16),
    )
    __bit_fields__: ClassVar[dict] = {
        "_v_tc_fl": (("version", 4), ("tclass", 8), ("flowlabel", 20)),
        "_sqpn": (("_rsv", 8), ("sqpn", 24)),
    }


class IPoIBDestination(dpkt.Packet):
    """The same 40 bytes without a GRH (they start with 2 zero bytes): the 20-byte destination hardware
    address in the second half, flags and queue pair number then the destination GID."""

    __hdr__ = (
        ("_unused", "20s", b"\x00" * 20),
        ("_flags_qpn", "I", 0),
        ("dgid", "16s", b"\x00" * 16),
    )
    __bit_fields__: ClassVar[dict] = {"_flags_qpn": (("flags", 8), ("qpn", 24))}


class IPNET(dpkt.Packet):
    """Solaris ipnet (LINKTYPE_IPNET, 226): the 24-byte dl_ipnetinfo header, in network byte order."""

    __hdr__ = (
        ("version", "B", 1),
        ("family", "B", 2),  # 2: IPv4, 26: IPv6 (Solaris' AF_INET6)
        ("htype", "H", 0),
        ("pktlen", "I", 0),
        ("ifindex", "I", 0),
        ("grifindex", "I", 0),
        ("zsrc", "I", 0),
        ("zdst", "I", 0),
    )


class PPI(dpkt.Packet):
    """The Per-Packet Information header (LINKTYPE_PPI, 192), little-endian: the frame of ``dlt`` follows
    after ``len`` bytes, PPI fields (:class:`PPIField`) filling the rest."""

    __byte_order__ = "<"
    __hdr__ = (
        ("version", "B", 0),
        ("flags", "B", 0),
        ("len", "H", 8),
        ("dlt", "I", 1),
    )


class PPIField(dpkt.Packet):
    """A PPI field header: its type and the length of the data after these 4 bytes."""

    __byte_order__ = "<"
    __hdr__ = (
        ("type", "H", 2),
        ("len", "H", 20),
    )


class PPI80211Common(dpkt.Packet):
    """PPI field type 2, 802.11-Common: radio information, and whether the 802.11 frame ends with an FCS."""

    __byte_order__ = "<"
    __hdr__ = (
        ("tsft", "Q", 0),
        ("flags", "H", 0),  # 0x0001: the frame ends with an FCS
        ("rate", "H", 0),  # in 500 kb/s
        ("chan_freq", "H", 0),
        ("chan_flags", "H", 0),
        ("fhss_hopset", "B", 0),
        ("fhss_pattern", "B", 0),
        ("dbm_antsignal", "b", 0),
        ("dbm_antnoise", "b", 0),
    )


class PKTAP(dpkt.Packet):
    """The start of Apple's PKTAP header (LINKTYPE_PKTAP, 258), little-endian: its length, the record type
    (1: a packet), and the DLT of the frame that follows the header."""

    __byte_order__ = "<"
    __hdr__ = (
        ("len", "I", 108),
        ("rectype", "I", 1),
        ("dlt", "I", 1),
    )


class PKTAPInfo(dpkt.Packet):
    """The rest of a 108-byte PKTAP header (pktap_header_t): interface, process and link header sizes."""

    __byte_order__ = "<"
    __hdr__ = (
        ("ifname", "24s", b"\x00" * 24),
        ("flags", "I", 0),
        ("pfamily", "I", 0),
        ("llhdrlen", "I", 0),
        ("lltrlrlen", "I", 0),
        ("pid", "I", 0),
        ("cmdname", "20s", b"\x00" * 20),
        ("svc_class", "I", 0),
        ("iftype", "H", 0),
        ("ifunit", "H", 0),
        ("epid", "I", 0),
        ("ecmdname", "20s", b"\x00" * 20),
    )


class Juniper(dpkt.Packet):
    """The start of Juniper's link-layer pseudo-header (DLT_JUNIPER_*): the magic ``MGC``, then flags.

    Flags: 0x01 inbound, 0x02 no layer-2 header, 0x80 extensions follow (a 2-byte length, then TLVs).
    """

    __hdr__ = (
        ("magic", "3s", b"MGC"),
        ("flags", "B", 0),
    )


class L2TPv2(dpkt.Packet):
    """The flags and version word that starts an L2TP header (RFC 2661); optional fields follow as flagged."""

    __hdr__ = (("_flags", "H", 0x0002),)
    __bit_fields__: ClassVar[dict] = {
        "_flags": (("t", 1), ("l", 1), ("_x1", 2), ("s", 1), ("_x2", 1), ("o", 1), ("p", 1), ("_x3", 4),
                   ("version", 4)),
    }  # fmt: skip


class AristaVSP(dpkt.Packet):
    """Arista's vendor-specific Ethernet header (ethertype 0xd28b): a subtype (1: timestamp) and a version."""

    __hdr__ = (
        ("subtype", "H", 1),
        ("version", "H", 0x0010),
    )


class ERSPAN2(dpkt.Packet):
    """The 8-byte ERSPAN type II header (GRE protocol 0x88be with a sequence number); Ethernet follows."""

    __hdr__ = (
        ("_ver_vlan", "H", 0x1000),
        ("_cos_en_t_span", "H", 0),
        ("_rsv_index", "I", 0),
    )
    __bit_fields__: ClassVar[dict] = {
        "_ver_vlan": (("version", 4), ("vlan", 12)),
        "_cos_en_t_span": (("cos", 3), ("encap", 2), ("truncated", 1), ("spanid", 10)),
        "_rsv_index": (("_rsv", 12), ("index", 20)),
    }


class ERSPAN3(dpkt.Packet):
    """The 12-byte ERSPAN type III header (GRE protocol 0x22eb); an 8-byte platform header follows if o."""

    __hdr__ = (
        ("_ver_vlan", "H", 0x2000),
        ("_cos_bso_t_span", "H", 0),
        ("timestamp", "I", 0),
        ("sgt", "H", 0),
        ("_p_ft_hw_d_gra_o", "H", 0),
    )
    __bit_fields__: ClassVar[dict] = {
        "_ver_vlan": (("version", 4), ("vlan", 12)),
        "_cos_bso_t_span": (("cos", 3), ("bso", 2), ("truncated", 1), ("spanid", 10)),
        "_p_ft_hw_d_gra_o": (("p", 1), ("ft", 5), ("hw", 6), ("direction", 1), ("gra", 2), ("o", 1)),
    }
