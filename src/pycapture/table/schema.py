"""The stable schema of :mod:`pycapture.table`: each column once, as data (name, Arrow type, source, meaning).

docs/TABLE.md shows the same table; a test holds the two together. A column a frame lacks is null.
Where a frame carries a header more than once (a tunnel, an ICMP error quoting a packet), a column takes
its field's first occurrence, the outermost, as tshark's ``-T fields`` does with ``-E occurrence=f``.
"""

from __future__ import annotations

from typing import NamedTuple

try:
    import pyarrow as pa
except ImportError as exc:  # pragma: no cover - the base install has no pyarrow
    raise ImportError(
        "pycapture.table needs pyarrow, which comes with the table extra: pip install '.[table]' "
        "(or pip install 'pycapture[table]')"
    ) from exc


class Column(NamedTuple):
    """One column: its ``name``, Arrow ``type``, the Wireshark field(s) it derives from, and what it holds."""

    name: str
    type: pa.DataType
    source: str
    meaning: str


_U8, _U16, _U32, _U64 = pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64()
_STR, _BOOL, _I64 = pa.string(), pa.bool_(), pa.int64()

SCHEMA_COLUMNS: tuple[Column, ...] = (
    # frame
    Column(
        "file", _STR, "(input)", "the capture file as given; for an open handle its file, null for a live one"
    ),
    Column("frame_number", _U64, "frame.number", "the packet's number within its file or handle, from 1"),
    Column("ts", pa.timestamp("ns", tz="UTC"), "frame.time_epoch", "the capture time, in UTC"),
    Column("len", _U32, "frame.len", "the packet's length on the wire"),
    Column("cap_len", _U32, "frame.cap_len", "the bytes captured"),
    Column(
        "linktype", _STR, "(pcap link type)", "the link type's DLT name, as --json's frame.linktype (EN10MB)"
    ),
    Column("interface", _STR, "frame.interface_name", "the device of a live handle; null for a file"),
    # Ethernet
    Column("eth_src", _STR, "eth.src", "the source MAC address, aa:bb:cc:dd:ee:ff"),
    Column("eth_dst", _STR, "eth.dst", "the destination MAC address"),
    Column("eth_type", _U16, "eth.type", "the EtherType (0x8100 for a VLAN tag); null for an 802.3 length"),
    Column("vlan_id", _U16, "vlan.id", "the outermost 802.1Q tag's VLAN ID"),
    # IP
    Column("ip_version", _U8, "ip.version / ipv6.version", "4 or 6"),
    Column("ip_src", _STR, "ip.src / ipv6.src", "the source address, as text"),
    Column("ip_dst", _STR, "ip.dst / ipv6.dst", "the destination address, as text"),
    Column("ip_proto", _U8, "ip.proto / ipv6.nxt", "the header's protocol number (IPv6: its Next Header)"),
    Column("ip_ttl", _U8, "ip.ttl / ipv6.hlim", "the TTL or hop limit"),
    Column(
        "ip_id",
        _U32,
        "ip.id / ipv6.fraghdr.ident",
        "the identification (IPv6: its fragment header's, if any)",
    ),
    Column(
        "ip_frag_offset",
        _U16,
        "ip.frag_offset / ipv6.fraghdr.offset",
        "the fragment offset in 8-byte units, as the header holds it (IPv6: its fragment header's, if any)",
    ),
    Column(
        "ip_more_fragments",
        _BOOL,
        "ip.flags.mf / ipv6.fraghdr.more",
        "the More Fragments flag (IPv6: its fragment header's, if any)",
    ),
    # transport
    Column("src_port", _U16, "tcp.srcport / udp.srcport / sctp.srcport", "the source port"),
    Column("dst_port", _U16, "tcp.dstport / udp.dstport / sctp.dstport", "the destination port"),
    Column("tcp_flags", _U16, "tcp.flags", "the TCP flags as a number (SYN 0x002, ACK 0x010...)"),
    Column("tcp_seq", _I64, "tcp.seq_raw", "the sequence number as sent (not relative)"),
    Column("tcp_ack", _I64, "tcp.ack_raw", "the acknowledgment number as sent (not relative)"),
    Column("tcp_window", _U16, "tcp.window_size_value", "the window field as sent (not scaled)"),
    Column(
        "payload_len",
        _U32,
        "tcp.len / udp.length - 8",
        "the TCP or UDP payload bytes: the IP datagram's length less its headers and the transport header",
    ),
    # ICMP
    Column("icmp_type", _U8, "icmp.type / icmpv6.type", "the ICMP or ICMPv6 type"),
    Column("icmp_code", _U8, "icmp.code / icmpv6.code", "the ICMP or ICMPv6 code"),
    # applications
    Column("dns_id", _U16, "dns.id", "the DNS transaction ID"),
    Column("dns_qry_name", _STR, "dns.qry.name", "the first question's name"),
    Column("dns_rcode", _U8, "dns.flags.rcode", "the DNS response code"),
    Column(
        "tls_sni", _STR, "tls.handshake.extensions_server_name", "the server name a TLS Client Hello asks for"
    ),
    Column("http_method", _STR, "http.request.method", "an HTTP request's method"),
    Column("http_host", _STR, "http.host", "an HTTP request's Host header, when the frame holds it"),
    Column("http_uri", _STR, "http.request.uri", "an HTTP request's URI"),
    # whole frame
    Column(
        "protocols",
        _STR,
        "frame.protocols",
        "the layer names joined by ':' (eth:ip:tcp:http), data for undecoded payload; as --json's layers",
    ),
    Column(
        "community_id",
        _STR,
        "communityid",
        "the Community ID v1 flow hash (seed 0, base64) of the outermost flow",
    ),
    Column("malformed", _BOOL, "_ws.malformed", "true when a header did not decode (never null)"),
)

SCHEMA: pa.Schema = pa.schema(
    [pa.field(c.name, c.type, nullable=c.name != "malformed") for c in SCHEMA_COLUMNS]
)
"""The table's schema, every column in this order."""

COLUMNS: tuple[str, ...] = tuple(c.name for c in SCHEMA_COLUMNS)
"""The column names, in the schema's order."""

FEW_VALUES: tuple[str, ...] = (
    "file", "linktype", "interface", "eth_src", "eth_dst", "ip_src", "ip_dst", "protocols",
    "dns_qry_name", "tls_sni", "http_method", "http_host",
)  # fmt: skip
"""The text columns that repeat a few values through a capture, which Parquet stores as a dictionary. The
others (hashes, counters, sequence numbers) are stored plain: a dictionary of them costs memory and time
and saves nothing (on the 3M-packet benchmark: 28 MB less at peak, a 10% smaller file)."""

__all__ = ["COLUMNS", "FEW_VALUES", "SCHEMA", "SCHEMA_COLUMNS", "Column"]
