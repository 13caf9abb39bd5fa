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
