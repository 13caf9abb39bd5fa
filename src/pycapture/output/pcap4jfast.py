"""The -v fast path: Pcap4J's dump of a plain TCP or UDP frame written from the header walk, a sink of
:mod:`pycapture.decode.walk` as the tcpdump line and the JSON fast path are.

For a frame the walk takes (Ethernet with at most one 802.1Q tag, IPv4 without options and not a fragment,
or IPv6 without extension headers, then TCP or UDP) whose payload names no application the rich decoder
would decode (or only SSH's layer over a binary packet), :func:`walk_dump` writes the blocks of
:func:`pycapture.output.pcap4j.format_packet` (after its two lines of time and length) straight from the
walk's offsets, with the rich decoder's own texts for names, TOS, TCP options and SSH, and without building
a layer or a field. ``tests/output/test_pcap4jfast.py`` holds the two equal on every walked frame of the
corpus and on damaged frames. Any other frame gives None and takes the rich path.
"""

from __future__ import annotations

from ..decode.rich.control import SSH_HEADER_FIELDS, SSH_TITLE, ssh_binary_header
from ..decode.rich.fields import ethertype_text, hex_text, java4_text, java6_text, named_text
from ..decode.rich.network import tos_text
from ..decode.rich.transport import tcp_option_lines, tcp_options, walked_segment
from ..protocols.names import IP_PROTOCOL_NAMES, TCP_PORT_NAMES, UDP_PORT_NAMES
from .pcap4j import hex_stream

_CACHE_LIMIT = 1 << 12
_MORE_FRAGMENTS = 0x2000
_TF = ("false", "true")

_option_lines: dict[bytes, str | None] = {}  # the option lines of a TCP header by its options' bytes
_tos_lines: dict[int, str] = {}
_flag_lines: dict[int, str] = {}


def _options(raw: bytes) -> str | None:
    """The ``Option:`` and ``Padding:`` lines of TCP options ``raw``, or None where the rich path must
    report them cut short."""
    text = _option_lines.get(raw, "")
    if text != "":
        return text
    _fields, problem = tcp_options(raw)
    text = None if problem is not None else "".join(f"\n  {f.label}: {f.text}" for f in tcp_option_lines(raw))
    if len(_option_lines) >= _CACHE_LIMIT:
        _option_lines.clear()
    _option_lines[raw] = text
    return text


def _tos(tos: int) -> str:
    text = _tos_lines.get(tos)
    if text is None:
        text = _tos_lines[tos] = tos_text(tos)
    return text


def _flags(word: int) -> str:
    """The lines from Reserved to FIN of a TCP header whose offset-and-flags word is ``word``."""
    bits = word & 0x0FFF
    text = _flag_lines.get(bits)
    if text is None:
        text = (
            f"\n  Reserved: {(word >> 6) & 0x3F}\n  URG: {_TF[bits >> 5 & 1]}\n  ACK: {_TF[bits >> 4 & 1]}"
            f"\n  PSH: {_TF[bits >> 3 & 1]}\n  RST: {_TF[bits >> 2 & 1]}\n  SYN: {_TF[bits >> 1 & 1]}"
            f"\n  FIN: {_TF[bits & 1]}"
        )
        _flag_lines[bits] = text
    return text


def _ssh_block(payload: bytes) -> str:
    """The block of the SSH layer over all of ``payload``, an SSH port's TCP payload other than a banner."""
    header = ssh_binary_header(payload)
    text = f"[{SSH_TITLE} ({len(payload)} bytes)]\n"
    if header is not None:
        text += "".join(f"  {label}: {value}\n" for (_, label), value in zip(SSH_HEADER_FIELDS, header))
    return text


def walk_dump(data: bytes, walked: tuple) -> str | None:
    """The dump's blocks (each line ending with a newline) of the frame ``data`` whose walk gave
    ``walked`` (the fields of :class:`~pycapture.decode.walk.Walk`), or None for the rich path."""
    (etype, vlan, o, version, addresses, ttl, proto, ip_payload, ident, frag, t,
     sport, dport, seq, ack, _, win, hl, _, _, _, _, _, _) = walked  # fmt: skip
    segment = walked_segment(data, walked)
    if segment is None:
        return None
    end, start, stop, app = segment
    payload = data[start:stop]
    if app is not None and (app != "ssh" or proto != 6 or payload[:4] == b"SSH-"):
        return None
    if version == 4:
        if frag & _MORE_FRAGMENTS:
            return None  # a first fragment: the rich path's
        tos = data[o + 1]
        ip = (
            "[IPv4 Header (20 bytes)]\n  Version: 4 (IPv4)\n  IHL: 5 (20 [bytes])\n"
            f"  TOS: {_tos(tos)}\n  Total length: {ip_payload + 20} [bytes]\n  Identification: {ident}\n"
            "  Flags: (Reserved, Don't Fragment, More Fragment) = "
            f"({_TF[frag >> 15 & 1]}, {_TF[frag >> 14 & 1]}, false)\n"
            f"  Fragment offset: 0 (0 [bytes])\n  TTL: {ttl}\n"
            f"  Protocol: {named_text(proto, IP_PROTOCOL_NAMES)}\n"
            f"  Header checksum: 0x{data[o + 10]:02x}{data[o + 11]:02x}\n"
            f"  Source address: {java4_text(data[addresses : addresses + 4])}\n"
            f"  Destination address: {java4_text(data[addresses + 4 : addresses + 8])}\n"
        )
    else:
        word = int.from_bytes(data[o : o + 4], "big")
        ip = (
            "[IPv6 Header (40 bytes)]\n  Version: 6 (IPv6)\n"
            f"  Traffic Class: {hex_text((word >> 20) & 0xFF, 2)}\n"
            f"  Flow Label: {hex_text(word & 0xFFFFF, 5)}\n"
            f"  Payload length: {ip_payload} [bytes]\n  Next Header: {named_text(proto, IP_PROTOCOL_NAMES)}\n"
            f"  Hop Limit: {ttl}\n"
            f"  Source address: {java6_text(data[addresses : addresses + 16])}\n"
            f"  Destination address: {java6_text(data[addresses + 16 : addresses + 32])}\n"
        )
    if proto == 6:
        if hl == 20:
            options = ""
        else:
            found = _options(data[t + 20 : t + hl])
            if found is None:
                return None
            options = found
        transport = (
            f"[TCP Header ({hl} bytes)]\n  Source port: {named_text(sport, TCP_PORT_NAMES)}\n"
            f"  Destination port: {named_text(dport, TCP_PORT_NAMES)}\n  Sequence Number: {seq}\n"
            f"  Acknowledgment Number: {ack}\n  Data Offset: {hl // 4} ({hl} [bytes])"
            f"{_flags(data[t + 12] << 8 | data[t + 13])}\n  Window: {win}\n"
            f"  Checksum: 0x{data[t + 16]:02x}{data[t + 17]:02x}\n"
            f"  Urgent Pointer: {data[t + 18] << 8 | data[t + 19]}{options}\n"
        )
    else:
        ulen = data[t + 4] << 8 | data[t + 5]
        if ulen != end - t:  # a datagram shorter or longer than its IP payload: the rich path's
            return None
        transport = (
            f"[UDP Header (8 bytes)]\n  Source port: {named_text(sport, UDP_PORT_NAMES)}\n"
            f"  Destination port: {named_text(dport, UDP_PORT_NAMES)}\n  Length: {ulen} [bytes]\n"
            f"  Checksum: 0x{data[t + 6]:02x}{data[t + 7]:02x}\n"
        )
    link = (
        f"[Ethernet Header (14 bytes)]\n  Destination address: {data[0:6].hex(':')}\n"
        f"  Source address: {data[6:12].hex(':')}\n  Type: {ethertype_text(data[12] << 8 | data[13])}\n"
    )
    if vlan >= 0:
        link += (
            f"[IEEE802.1Q Tag header (4 bytes)]\n  Priority: {vlan >> 13}\n  CFI: {(vlan >> 12) & 1}\n"
            f"  VID: {vlan & 0xFFF}\n  Type: {ethertype_text(etype)}\n"
        )
    text = link + ip + transport
    if app is not None:  # the SSH layer takes the payload whole
        text += _ssh_block(payload)
    elif payload:
        text += f"[data ({len(payload)} bytes)]\n  Hex stream: {hex_stream(payload)}\n"
    n = len(data)
    if end < n:
        text += f"[Ethernet Pad ({n - end} bytes)]\n  Hex stream: {hex_stream(data[end:])}\n"
    return text


__all__ = ["walk_dump"]
