"""Transport layers: TCP, UDP and SCTP, and the choice of the application a segment carries."""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator

from dpkt import (
    sctp,
    tcp,
    udp,
)

from ...protocols import headers as extra
from ...protocols.names import (
    NAMES,
    TCP_OPTION_NAMES,
    TCP_PORT_NAMES,
    UDP_PORT_NAMES,
)
from ...protocols.numbers import (
    DNS_PORT,
    HTTP_METHODS,
    HTTP_PORTS,
    TCP_DECODERS,
    TLS_PORTS,
    UDP_DECODERS,
    tcp_flag_letters,
    tcp_flag_names,
)
from ..model import Field, Layer
from .control import nbss_continuation
from .core import Bad, DecoderTable, Decoding, Step, require, unpack_header
from .depth2 import sctp_data
from .fields import checksum_field, flag_field, hex_text, named_text, port_field


def _tcp_option_field(kind: int, data: bytes) -> Field:
    """The JSON field of an option (the dump shows Pcap4J's lines, :func:`tcp_option_lines`)."""
    if kind == 2 and len(data) == 2:
        return Field("options.mss_val", "Option", int.from_bytes(data, "big"), dump=False)
    if kind == 3 and len(data) == 1:
        return Field("options.wscale.shift", "Option", data[0], dump=False)
    if kind == 4 and not data:
        return Field("options.sack_perm", "Option", True, dump=False)
    if kind == 5 and len(data) % 8 == 0:
        blocks = [list(struct.unpack_from("!II", data, i)) for i in range(0, len(data), 8)]
        return Field("options.sack", "Option", blocks, dump=False)
    if kind == 8 and len(data) == 8:
        tsval, tsecr = struct.unpack("!II", data)
        return Field("options.timestamp", "Option", {"tsval": tsval, "tsecr": tsecr}, dump=False)
    return Field(f"options.type_{kind}", "Option", data.hex(), dump=False)


def tcp_options(raw: bytes) -> tuple[list[Field], str | None]:
    """The JSON fields of a TCP header's options, and what cut them short (None when nothing did)."""
    fields: list[Field] = []
    for option in tcp.parse_opts(raw):
        if option is None:  # dpkt's marker for an option whose length byte is missing
            return fields, "a TCP option is cut short"
        kind, data = option
        if kind == 0:
            break
        if kind != 1:
            fields.append(_tcp_option_field(kind, data))
    return fields, None


# Pcap4J's TcpOption classes with a fixed length field (TcpMaximumSegmentSizeOption, TcpWindowScaleOption,
# TcpSackPermittedOption, TcpTimestampsOption): the length they require, and the start of the message of
# the exception they throw for another length
_TCP_FIXED_OPTIONS = {
    2: (4, "Invalid value of length field: "),
    3: (3, "The value of length field must be 3 but: "),
    4: (2, "The value of length field must be 2 but: "),
    8: (10, "The value of length field must be 10 but: "),
}


def _tcp_option_text(raw: bytes, pos: int) -> tuple[str, int]:
    """Pcap4J's text of the option at ``pos`` of the options ``raw``, and its length: the class
    StaticTcpOptionFactory makes of its kind, or an IllegalTcpOption of all the bytes left when that
    class cannot be built.

    An IllegalTcpOption prints the exception's message as its cause; the messages that quote the whole
    frame's bytes (which a decoder does not see) are left out, with their ``[cause: ...]``.
    """
    kind = raw[pos]
    head = f"[Kind: {named_text(kind, TCP_OPTION_NAMES)}]"
    if kind in (0, 1):  # TcpEndOfOptionList, TcpNoOperationOption
        return head, 1
    left = len(raw) - pos
    size = raw[pos + 1] if left >= 2 else -1
    cause = None
    fixed = _TCP_FIXED_OPTIONS.get(kind)
    if fixed is not None:
        need, message = fixed
        if left >= need and size == need:
            value = int.from_bytes(raw[pos + 2 : pos + need], "big")
            if kind == 2:
                return f"{head} [Length: 4 bytes] [Maximum Segment Size: {value} bytes]", 4
            if kind == 3:
                return f"{head} [Length: 3 bytes] [Shift Count: {value}]", 3
            if kind == 4:
                return f"{head} [Length: 2 bytes]", 2
            tsval, tsecr = struct.unpack_from("!II", raw, pos + 2)
            return f"{head} [Length: 10 bytes] [TS Value: {tsval}] [TS Echo Reply: {tsecr}]", 10
        if left >= need:
            cause = f"{message}{size - 256 if size >= 0x80 else size}"  # a Java byte
    elif kind == 5:  # TcpSackOption
        if size >= 2 and (size - 2) % 8 == 0 and left >= size:
            edges = struct.unpack_from(f"!{(size - 2) // 4}I", raw, pos + 2)
            sacks = "".join(f" [LE: {le} RE: {re}]" for le, re in zip(edges[::2], edges[1::2]))
            return f"{head} [Length: {size} bytes]{sacks}", size
        if 0 <= size < 2:
            cause = f"The value of length field must be  more than 1 but: {size}"
        elif size >= 2 and (size - 2) % 8:
            cause = f"The value of length field must be an integer multiple of 8 octets long but: {size}"
    elif left >= 2 and (size >= 0x80 or size <= left):
        # UnknownTcpOption: a length byte of 0x80 and more is a negative Java byte, and passes its check
        data = raw[pos + 2 : pos + size] if 2 < size < 0x80 else b""
        return f"{head} [Length: {size} bytes] [Data: 0x{data.hex()}]", 2 + len(data)
    text = f"{head} [Illegal Raw Data: 0x{raw[pos:].hex()}]"
    if cause is not None:
        text += f" [cause: org.pcap4j.packet.IllegalRawDataException: {cause}]"
    return text, left


def tcp_option_lines(raw: bytes) -> list[Field]:
    """The dump's lines for a TCP header's options as Pcap4J's TcpHeader prints them: an ``Option``
    per option up to the End of Option List, then the bytes after it as ``Padding``."""
    fields: list[Field] = []
    pos = 0
    while pos < len(raw):
        text, size = _tcp_option_text(raw, pos)
        fields.append(Field("options.text", "Option", None, text=text, json=False))
        pos += size
        if raw[pos - size] == 0:
            break
    if pos < len(raw):
        fields.append(Field("options.padding", "Padding", None, text=f"0x{raw[pos:].hex(' ')}", json=False))
    return fields


TCP_OPTION_MPTCP = 30  # RFC 8684


def mptcp_subtypes(raw: bytes) -> list[int]:
    """The subtype of each Multipath TCP option in the TCP options ``raw`` (RFC 8684: the high nibble
    of the option's third byte), in order; the options' walk stops where one is cut."""
    subtypes = []
    pos = 0
    while pos < len(raw):
        kind = raw[pos]
        if kind == 0:
            break
        if kind == 1:
            pos += 1
            continue
        if pos + 1 >= len(raw):
            break
        if kind == TCP_OPTION_MPTCP and pos + 2 < len(raw):
            subtypes.append(raw[pos + 2] >> 4)
        pos += max(raw[pos + 1], 2)
    return subtypes


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
    if d.dump:
        fields += tcp_option_lines(buf[20 : min(hl, len(buf))])
    d.add(Layer("tcp", "TCP Header", min(hl, len(buf)), fields), buf)
    for subtype in mptcp_subtypes(buf[20 : min(hl, len(buf))]):
        # Wireshark names an MPTCP protocol for each MPTCP option; its bytes are the TCP header's, whose
        # -v block shows the option as Pcap4J does: this layer has no block of its own (no title)
        d.add(Layer("mptcp", "", 0, [
            Field("subtype", "Multipath TCP subtype", subtype, text=hex_text(subtype, 1), dump=False),
        ]), None)  # fmt: skip
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


def _looks_like_http(payload: bytes) -> bool:
    if payload.startswith(b"HTTP/1.") or payload.startswith(b"HTTP/2 "):
        return True
    space = payload.find(b" ", 0, 12)
    return space > 0 and payload[:space] in HTTP_METHODS


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
    low, high = (sport, dport) if sport < dport else (dport, sport)
    return TCP_DECODERS.get(low) or TCP_DECODERS.get(high)


def plain_segment(data: bytes, walked: tuple) -> tuple[int, int, int] | None:
    """For a frame whose header walk (:func:`pycapture.decode.walk.walk_ethernet`, as a tuple) found TCP
    or UDP: ``(end, start, stop)`` where the rich decoder reads it as that transport and no more, with the
    datagram ending at ``end`` (its length, cut by the capture) and the payload in ``data[start:stop]``;
    None where it reads more (an application by :func:`tcp_application` or :func:`udp_application`) or
    otherwise (see :func:`walked_segment`).

    The fast sinks that write a frame from its walk (the table's rows, the JSON line, the -v dump) start
    from this rule, and add their own conditions (a TCP option's text, say).
    """
    segment = walked_segment(data, walked)
    if segment is None or segment[3] is not None:
        return None
    return segment[:3]


def walked_segment(data: bytes, walked: tuple) -> tuple[int, int, int, str | None] | None:
    """:func:`plain_segment`'s ``(end, start, stop)`` and the decoder key of the application the rich
    decoder reads in the payload (None for none, as for an NBSS continuation, which it leaves as data); None
    where the rich decoder does not read the walk's transport as it stands: an IPv4 total length the walk
    did not take as the datagram's, an IPv6 payload length of 0, a UDP header past the datagram, a UDP
    length under 8, or TCP options with MPTCP's (its own layers)."""
    (_, _, o, version, _, _, proto, ip_payload, _, _, t, sport, dport, *_rest) = walked
    hl = walked[17]
    if proto != 6 and proto != 17:
        return None
    if version == 4:
        if (data[o + 2] << 8 | data[o + 3]) != ip_payload + 20:  # a total length of 0: offload's
            return None
        end = o + 20 + ip_payload
    else:
        if not ip_payload:  # a jumbogram's, or segmentation offload's
            return None
        end = o + 40 + ip_payload
    end = min(end, len(data))
    if proto == 6:  # the walk has the whole header in the capture and in the datagram
        if hl > 20 and mptcp_subtypes(data[t + 20 : t + hl]):
            return None  # the rich decoder adds its mptcp layers
        start = t + hl
        stop = max(end, start)
        app = None
        if stop > start:
            app = tcp_application(sport, dport, data[start:stop])
            if app == "nbss" and nbss_continuation(data[start:stop]):
                app = None
        return end, start, stop, app
    if end - t < 8:
        return None
    ulen = data[t + 4] << 8 | data[t + 5]
    if ulen < 8:
        return None
    start, stop = t + 8, min(t + ulen, end)
    return end, start, stop, (udp_application(sport, dport) if stop > start else None)


def show_as_ethernet_pad(d: Decoding, extra: bytes) -> None:
    """Show ``extra``, bytes a header's own length leaves out of the frame's decoded packets (after a
    UDP datagram's length, after the last record of a DNS message), as Pcap4J's dump does: in the
    Ethernet frame's ``[Ethernet Pad]``, before any padding already noted there.

    Pcap4J's EthernetPacket pads out to the frame's end whatever its payload's length leaves; the
    JSON does not change (the frame's padding is the bytes after the IP datagram).
    """
    if not extra or d.quoted or not d.layers or d.layers[0].name != "eth":
        return
    eth = d.layers[0]
    if any(layer.name == "eth" for layer in d.layers[1:]):
        return  # inside a tunnel Pcap4J does not decode
    text = extra.hex(" ")
    for i, f in enumerate(eth.fields):
        if f.key == "padding" and not f.dump:
            eth.fields[i] = Field(f.key, f.label, f.value, text=f"{text} {f.text}", json=f.json, dump=False)
            return
    eth.fields.append(Field("padding", "Pad", "", text=text, json=False, dump=False))


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
        ),
        buf,
    )
    if u.ulen and u.ulen < 8:  # 0 is a jumbogram's: its length lives in the IPv6 header
        raise Bad("udp", f"bad UDP length {u.ulen}: less than the 8-byte header", buf[8:])
    payload = buf[8 : u.ulen] if u.ulen else buf[8:]
    if u.ulen:
        show_as_ethernet_pad(d, buf[u.ulen :])
    if not payload:
        return None, payload
    return udp_application(u.sport, u.dport), payload


def udp_application(sport: int, dport: int) -> str | None:
    """The decoder key of the application a UDP datagram carries, by its ports, or None."""
    # the lower port first, as Wireshark tries them: the other is usually the client's ephemeral one
    low, high = (sport, dport) if sport < dport else (dport, sport)
    return UDP_DECODERS.get(low) or UDP_DECODERS.get(high)


_SCTP_CHUNKS = {
    0: "DATA", 1: "INIT", 2: "INIT_ACK", 3: "SACK", 4: "HEARTBEAT", 5: "HEARTBEAT_ACK", 6: "ABORT",
    7: "SHUTDOWN", 8: "SHUTDOWN_ACK", 9: "ERROR", 10: "COOKIE_ECHO", 11: "COOKIE_ACK", 12: "ECNE", 13: "CWR",
    14: "SHUTDOWN_COMPLETE", 15: "AUTH", 64: "I_DATA", 128: "ASCONF_ACK", 130: "RE_CONFIG", 132: "PAD",
    192: "FORWARD_TSN", 193: "ASCONF", 194: "I_FORWARD_TSN",
}  # fmt: skip
_SCTP_CHUNK_TYPE_NAMES = NAMES["SctpChunkType"]
_SCTP_PORT_NAMES = NAMES["SctpPort"]


def dump_lines(key: str, lines: Iterable[tuple[str, str | None]]) -> list[Field]:
    """Dump-only fields for the nested lines Pcap4J prints under a field (``  Chunks:`` and a line per
    chunk, ``  Question:`` and the question's ``    QNAME: ...``).

    Each line is (label, text): the label with its indent beyond the dump's own two spaces, the text
    after ``: ``. A text of None makes a heading, ``Label:`` alone on its line.
    """
    return [
        Field(key, "", None, text=f"  {label}:", json=False)
        if text is None
        else Field(key, label, None, text=text, json=False)
        for label, text in lines
    ]


def _sctp_chunk_lines(buf: bytes) -> Iterator[tuple[str, str | None]]:
    """Pcap4J's lines for the chunks of an SCTP packet (``buf`` from its first chunk): each an
    UnknownSctpChunk, or an IllegalSctpChunk of all the bytes left from the first that does not parse."""
    yield "Chunks", None
    pos = 0
    while pos < len(buf):
        rest = buf[pos:]
        kind = named_text(rest[0], _SCTP_CHUNK_TYPE_NAMES)
        length = int.from_bytes(rest[2:4], "big") if len(rest) >= 4 else 0
        if len(rest) < 4 or length > len(rest) or length < 4:
            yield "  [Type", f"{kind}, Illegal Raw Data: 0x{rest.hex()}]"
            return
        text = f"{kind}, Flags: 0x{rest[1]:02x}, Length: {length} bytes"
        size = length
        if length > 4:
            text += f", Value: 0x{rest[4:length].hex()}"
            pad = -length % 4
            if pad and len(rest) >= length + pad:
                text += f", Padding: 0x{rest[length : length + pad].hex()}"
                size += pad
        yield "  [Type", text + "]"
        pos += size


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
        port_field("srcport", "Source port", s.sport, _SCTP_PORT_NAMES),
        port_field("dstport", "Destination port", s.dport, _SCTP_PORT_NAMES),
        Field("verification_tag", "Verification tag", s.vtag, text=hex_text(s.vtag, 8)),
        checksum_field("checksum", s.sum, 8),
        Field(
            "chunks",
            "Chunks",
            chunks,
            dump=False,  # Pcap4J's dump shows a line per chunk instead
        ),
        *dump_lines("chunks.line", _sctp_chunk_lines(buf[12:pos])),
    ]
    rest = d.add_header(buf, "sctp", "SCTP Header", pos, fields)
    if problem is not None:
        raise problem
    return sctp_data(d, buf[12:pos], s.sport, s.dport, rest)


DECODERS: DecoderTable = {
    "tcp": ("tcp", "a TCP header", _tcp),
    "udp": ("udp", "a UDP header", _udp),
    "sctp": ("sctp", "an SCTP packet", _sctp),
}
