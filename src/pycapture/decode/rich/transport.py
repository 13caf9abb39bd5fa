"""Transport layers: TCP, UDP and SCTP, and the choice of the application a segment carries."""

from __future__ import annotations

import struct

from dpkt import (
    sctp,
    tcp,
    udp,
)

from ...protocols import headers as extra
from ...protocols.names import (
    TCP_OPTION_NAMES,
    TCP_PORT_NAMES,
    UDP_PORT_NAMES,
)
from ...protocols.numbers import (
    DNS_PORT,
    HTTP_PORTS,
    TLS_PORTS,
    UDP_DECODERS,
    tcp_flag_letters,
    tcp_flag_names,
)
from ..model import Field, Layer
from .core import Bad, DecoderTable, Decoding, Step, require, unpack_header
from .fields import checksum_field, flag_field, hex_text, named_text, port_field


def _tcp_option_field(kind: int, data: bytes) -> Field:
    size = len(data) + 2
    text = f"[Kind: {named_text(kind, TCP_OPTION_NAMES)}]"
    if kind in (0, 1):
        return Field("options.eol" if kind == 0 else "options.nop", "Option", True, text=text, json=False)
    text += f" [Length: {size} bytes]"
    if kind == 2 and len(data) == 2:
        mss = int.from_bytes(data, "big")
        return Field("options.mss_val", "Option", mss, text=f"{text} [Maximum Segment Size: {mss} bytes]")
    if kind == 3 and len(data) == 1:
        return Field("options.wscale.shift", "Option", data[0], text=f"{text} [Shift Count: {data[0]}]")
    if kind == 4 and not data:
        return Field("options.sack_perm", "Option", True, text=text)
    if kind == 5 and len(data) % 8 == 0:
        blocks = [list(struct.unpack_from("!II", data, i)) for i in range(0, len(data), 8)]
        return Field(
            "options.sack",
            "Option",
            blocks,
            text=text + "".join(f" [LE: {le} RE: {re}]" for le, re in blocks),
        )
    if kind == 8 and len(data) == 8:
        tsval, tsecr = struct.unpack("!II", data)
        return Field(
            "options.timestamp",
            "Option",
            {"tsval": tsval, "tsecr": tsecr},
            text=f"{text} [TS Value: {tsval}] [TS Echo Reply: {tsecr}]",
        )
    return Field(f"options.type_{kind}", "Option", data.hex(), text=f"{text} [Data: 0x{data.hex()}]")


def tcp_options(raw: bytes) -> tuple[list[Field], str | None]:
    """The fields of a TCP header's options, and what cut them short (None when nothing did)."""
    fields: list[Field] = []
    for option in tcp.parse_opts(raw):
        if option is None:  # dpkt's marker for an option whose length byte is missing
            return fields, "a TCP option is cut short"
        kind, data = option
        fields.append(_tcp_option_field(kind, data))
        if kind == 0:
            break
    return fields, None


def _tcp(d: Decoding, buf: bytes) -> Step:
    require(buf, 20, "tcp", "a TCP header")
    off = buf[12] >> 4
    hl = off * 4
    if hl < 20:
        raise Bad("tcp", f"bad TCP data offset: {off} ({hl} bytes), less than 5 (20 bytes)")
    t = tcp.TCP(buf)
    flags = t._off_flags & 0x0FFF
    fields = [
        port_field("srcport", "Source port", t.sport, TCP_PORT_NAMES),
        port_field("dstport", "Destination port", t.dport, TCP_PORT_NAMES),
        Field("seq", "Sequence Number", t.seq),
        Field("ack", "Acknowledgment Number", t.ack),
        Field("hdr_len", "Data Offset", hl, text=f"{off} ({hl} [bytes])"),
        Field("flags.res", "Reserved", (t._off_flags >> 6) & 0x3F),
        flag_field("flags.urg", "URG", flags & 0x20),
        flag_field("flags.ack", "ACK", flags & 0x10),
        flag_field("flags.push", "PSH", flags & 0x08),
        flag_field("flags.reset", "RST", flags & 0x04),
        flag_field("flags.syn", "SYN", flags & 0x02),
        flag_field("flags.fin", "FIN", flags & 0x01),
        Field(
            "flags",
            "Flags",
            flags,
            text=f"{hex_text(flags, 3)} ({tcp_flag_names(flags)})",
            dump=False,  # Pcap4J's dump shows the six flag lines above instead
        ),
        Field("flags_str", "Flags (tcpdump)", tcp_flag_letters(flags), dump=False),
        Field("window_size", "Window", t.win),
        checksum_field("checksum", t.sum),
        Field("urgent_pointer", "Urgent Pointer", t.urp),
    ]
    option_fields, problem = tcp_options(t.opts)
    fields += option_fields
    d.add(Layer("tcp", "TCP Header", min(hl, len(buf)), fields))
    if len(buf) < hl:
        raise Bad(
            "tcp", f"too short for the TCP options: {len(buf)} of {hl} header bytes", b"", truncated=True
        )
    payload = buf[hl:]
    if problem is not None:
        raise Bad("tcp", problem, payload)
    if not payload:
        return None, payload
    return tcp_application(t.sport, t.dport, payload), payload


_HTTP_METHODS = frozenset(
    b"GET HEAD POST PUT DELETE OPTIONS TRACE CONNECT PATCH PROPFIND PROPPATCH MKCOL COPY MOVE LOCK UNLOCK "
    b"SEARCH REPORT NOTIFY SUBSCRIBE UNSUBSCRIBE".split()
)  # fmt: skip


def _looks_like_http(payload: bytes) -> bool:
    if payload.startswith(b"HTTP/1.") or payload.startswith(b"HTTP/2 "):
        return True
    space = payload.find(b" ", 0, 12)
    return space > 0 and payload[:space] in _HTTP_METHODS


def _looks_like_tls(payload: bytes, ports: tuple[int, int]) -> bool:
    if len(payload) < 5 or payload[1] != 3 or payload[2] > 4:
        return False
    if payload[0] == 22:  # a handshake record, on any port
        return True
    return 20 <= payload[0] <= 24 and (ports[0] in TLS_PORTS or ports[1] in TLS_PORTS)


def tcp_application(sport: int, dport: int, payload: bytes) -> str | None:
    """The decoder key of the application a TCP payload carries (by its ports and first bytes), or None."""
    if sport == DNS_PORT or dport == DNS_PORT:
        return "dns_tcp"
    if _looks_like_tls(payload, (sport, dport)):
        return "tls"
    if sport in HTTP_PORTS or dport in HTTP_PORTS or _looks_like_http(payload):
        return "http"
    return None


def _udp(d: Decoding, buf: bytes) -> Step:
    u = unpack_header(udp.UDP, buf, "udp", "a UDP header")
    d.add(
        Layer(
            "udp",
            "UDP Header",
            8,
            [
                port_field("srcport", "Source port", u.sport, UDP_PORT_NAMES),
                port_field("dstport", "Destination port", u.dport, UDP_PORT_NAMES),
                Field("length", "Length", u.ulen, text=f"{u.ulen} [bytes]"),
                checksum_field("checksum", u.sum),
            ],
        )
    )
    if u.ulen and u.ulen < 8:  # 0 is a jumbogram's: its length lives in the IPv6 header
        raise Bad("udp", f"bad UDP length {u.ulen}: less than the 8-byte header", buf[8:])
    payload = buf[8 : u.ulen] if u.ulen else buf[8:]
    if not payload:
        return None, payload
    # the lower port first, as Wireshark tries them: the other is usually the client's ephemeral one
    low, high = sorted((u.sport, u.dport))
    return UDP_DECODERS.get(low) or UDP_DECODERS.get(high), payload


_SCTP_CHUNKS = {
    0: "DATA", 1: "INIT", 2: "INIT_ACK", 3: "SACK", 4: "HEARTBEAT", 5: "HEARTBEAT_ACK", 6: "ABORT",
    7: "SHUTDOWN", 8: "SHUTDOWN_ACK", 9: "ERROR", 10: "COOKIE_ECHO", 11: "COOKIE_ACK", 12: "ECNE", 13: "CWR",
    14: "SHUTDOWN_COMPLETE", 15: "AUTH", 64: "I_DATA", 128: "ASCONF_ACK", 130: "RE_CONFIG", 132: "PAD",
    192: "FORWARD_TSN", 193: "ASCONF", 194: "I_FORWARD_TSN",
}  # fmt: skip


def _sctp(d: Decoding, buf: bytes) -> Step:
    s = unpack_header(sctp.SCTP, buf, "sctp", "an SCTP header")
    chunks: list[dict] = []
    pos, problem = 12, None
    while pos < len(buf):
        chunk = unpack_header(sctp.Chunk, buf[pos:], "sctp", "an SCTP chunk header")
        info = {
            "type": chunk.type,
            "name": _SCTP_CHUNKS.get(chunk.type, "unknown"),
            "flags": chunk.flags,
            "length": chunk.len,
        }
        if chunk.len < 4:
            problem = Bad(
                "sctp", f"bad SCTP chunk length {chunk.len}: less than the 4-byte chunk header", buf[pos:]
            )
            break
        if pos + chunk.len > len(buf):
            problem = Bad(
                "sctp",
                f"SCTP {info['name']} chunk runs past the end: {chunk.len} bytes declared, "
                f"{len(buf) - pos} present",
                buf[pos:],
                truncated=True,
            )
            break
        if chunk.type == 0 and chunk.len >= 16:
            data = unpack_header(extra.SCTPDataChunk, buf[pos + 4 :], "sctp", "an SCTP DATA chunk")
            info.update(
                tsn=data.tsn,
                stream_id=data.stream_id,
                stream_seq=data.stream_seq,
                ppid=data.ppid,
                data_length=chunk.len - 16,
            )
        chunks.append(info)
        pos = min(pos + ((chunk.len + 3) & ~3), len(buf))  # chunks are padded to 4 bytes
    fields = [
        port_field("srcport", "Source port", s.sport, {}),
        port_field("dstport", "Destination port", s.dport, {}),
        Field("verification_tag", "Verification Tag", s.vtag, text=hex_text(s.vtag, 8)),
        checksum_field("checksum", s.sum, 8),
        Field(
            "chunks",
            "Chunks",
            chunks,
            text=" ".join(f"[{c['name']} ({c['length']} bytes)]" for c in chunks),
        ),
    ]
    rest = d.add_header(buf, "sctp", "SCTP Header", pos, fields)
    if problem is not None:
        raise problem
    return None, rest


DECODERS: DecoderTable = {
    "tcp": ("tcp", "a TCP header", _tcp),
    "udp": ("udp", "a UDP header", _udp),
    "sctp": ("sctp", "an SCTP packet", _sctp),
}
