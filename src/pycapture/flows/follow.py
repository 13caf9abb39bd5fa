"""Follow one TCP or UDP stream as tshark 4.0 does: ``tshark -q -z follow,tcp|udp,ascii|hex|raw,N``.

:class:`Follow` is fed every frame in order (:meth:`Follow.add`, or called as a pump ``Sink``) and
gives what tshark prints (:meth:`Follow.text`) or the same chunks as data (:meth:`Follow.to_json`).

The semantics are Wireshark 4.0's follow taps (``packet-tcp.c``'s ``follow_tcp_tap_listener`` and
``check_follow_fragments``, ``packet-udp.c``'s ``follow_udp_tap_listener``, ``ui/cli/tap-follow.c``):

- The first frame of the stream names node 0 (its source) and node 1 (its destination); a chunk is
  node 1's when its source is not node 0.
- TCP: each segment's bytes not yet seen are a chunk, in order of arrival, once in sequence. A segment
  ahead of the next expected sequence number is held until the gap fills; a segment from the other
  side that acknowledges past the lowest held one fills the gap with a
  ``[N bytes missing in capture file]`` marker (NUL-terminated, as tshark's). Retransmitted bytes are
  dropped, a segment overlapping the end gives only its new bytes.
- UDP: every datagram with a payload is a chunk; streams (``udp.stream``) are numbered by first
  appearance of the address and port pair, either direction.

Plain TCP segments on Ethernet are read with :func:`pycapture.decode.walk.walk`; every other frame
with the rich decoder (:mod:`pycapture.decode.rich`: every link type it knows, tunnels, the datagram
an ICMP error quotes, which tshark numbers but does not follow). tshark's tap reads the frame's
addresses and ports after the whole frame is dissected, so the innermost IP and TCP/UDP headers name
the nodes, a tunnel's outer UDP stream included. Not reproduced: IPComp decompression, the MAC
addresses a carried non-IP frame (LWAPP's 802.11, VXLAN's ARP, OpenFlow's PACKET_IN) leaves as the
frame's, sFlow's sampled headers, damaged frames on which tshark's TCP dissector throws before its tap.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ..decode.rich import SUPPORTED_LINKTYPES, decode
from ..decode.walk import walk
from ..packet import frame_linktype
from ..protocols.numbers import (
    IPPROTO_ICMP,
    IPPROTO_ICMPV6,
    IPPROTO_TCP,
    IPPROTO_UDP,
    TCP_FLAG_BITS,
    TCP_SEQ_HALF,
    TCP_SEQ_MASK,
)
from .streams import TcpStreams, UdpStreams

PROTOS = ("tcp", "udp")
MODES = ("ascii", "hex", "raw")
SEPARATOR = "=" * 67 + "\n"
_SYN = TCP_FLAG_BITS["S"]
_TCP = IPPROTO_TCP
_UDP = IPPROTO_UDP
# ICMP errors quote the offending datagram; tshark numbers the quoted TCP or UDP conversation too
_ICMP_ERRORS = {IPPROTO_ICMP: frozenset((3, 4, 5, 11, 12)), IPPROTO_ICMPV6: frozenset((1, 2, 3, 4))}
_BYTES_PER_LINE = 16
_HEX_START = 10  # an 8-digit offset and two spaces
_ASCII_START = _HEX_START + _BYTES_PER_LINE * 3 + 2  # 16 "xx " cells, the extra space after 8, one more
_PRINTABLE = bytes(b if 0x20 <= b < 0x7F else 0x2E for b in range(256))  # the hex dump's ASCII column
_ASCII_MODE = bytes(b if 0x20 <= b < 0x7F or b in (0x0A, 0x0D) else 0x2E for b in range(256))
_SPEC_FORMS = "follow,tcp|udp,ascii|hex|raw,STREAM (STREAM a stream index, 0 or more)"


def _lt(a: int, b: int) -> bool:
    """Sequence number ``a`` before ``b``, modulo 2**32 (Wireshark's LT_SEQ)."""
    return ((a - b) & TCP_SEQ_MASK) >= TCP_SEQ_HALF


def _node(raw: bytes, port: int) -> str:
    if len(raw) == 16:
        return f"[{ipaddress.IPv6Address(raw)}]:{port}"
    return f"{ipaddress.IPv4Address(raw)}:{port}"


_Segment = tuple[int, bytes, int, bytes, int, int, int, int, int, int, bool]
"""proto, source, source port, destination, destination port, seq, ack, flags, where the payload
starts, its length on the wire, whether an ICMP error quotes it."""


def _segments(linktype: int, data: bytes) -> tuple[list[_Segment], tuple[bytes, int, bytes, int]]:
    """Every TCP and UDP header tshark numbers in a frame, outermost first (a tunnel's outer UDP and
    its inner TCP, say): the walk's for a plain TCP segment or ICMP error, else the rich decoder's. With
    them the addresses and ports tshark's tap reads as the frame's: it reads them after the whole frame
    is dissected, so they are the innermost IP header's and the innermost TCP or UDP header's (a tunnel's
    outer UDP datagram is told apart by what it carries)."""
    w = walk(linktype, data)
    if w is not None and w.proto == _TCP:
        size = 16 if w.ip_version == 6 else 4
        src = data[w.addresses : w.addresses + size]
        dst = data[w.addresses + size : w.addresses + 2 * size]
        single = [
            (
                w.proto,
                src,
                w.sport,
                dst,
                w.dport,
                w.seq,
                w.ack,
                w.tcp_flags,
                w.payload,
                w.payload_length,
                False,
            )
        ]
        return single, (src, w.sport, dst, w.dport)
    if w is not None and w.proto != _UDP:
        if w.icmp_type in _ICMP_ERRORS.get(w.proto, ()):
            quoted = _quoted(data, w.payload)
            return ([], _NO_PINFO) if quoted is None else ([quoted], _NO_PINFO)
        return [], _NO_PINFO
    if linktype not in SUPPORTED_LINKTYPES:
        return [], _NO_PINFO
    try:
        layers = decode(linktype, data).layers
    except Exception:  # a frame the rich decoder cannot read is one tshark could not follow either
        return [], _NO_PINFO
    found: list[_Segment] = []
    ports = (0, 0)
    addresses = (b"", b"")
    offset = 0
    ip_end, src, dst, in_error = 0, b"", b"", False
    for layer in layers:
        name = layer.name
        if name in ("icmp", "icmpv6"):
            in_error = True
        elif name in ("ip", "ipv6"):
            ip_end = offset + (layer.get("len") if name == "ip" else 40 + layer.get("plen"))
            if name == "ip" and layer.get("len") == 0 and not src:
                # TSO: tshark takes an outermost datagram of length 0 to fill the frame (not a tunnelled one)
                ip_end = len(data)
            src = ipaddress.ip_address(layer.get("src")).packed
            dst = ipaddress.ip_address(layer.get("dst")).packed
            if not in_error:  # tshark keeps the frame's addresses over an ICMP error's quoted datagram
                addresses = (src, dst)
        elif name in ("tcp", "udp") and src:
            sport, dport = layer.get("srcport"), layer.get("dstport")
            if not in_error:
                ports = (sport, dport)
            if name == "udp":
                # a UDP length beyond the IP datagram (damaged): tshark ends the payload with the datagram
                udp_length = min(layer.get("length"), ip_end - offset)
                found.append((_UDP, src, sport, dst, dport, 0, 0, 0, offset + 8, udp_length - 8, in_error))
            else:
                payload = offset + layer.get("hdr_len")
                seq, ack, flags = layer.get("seq"), layer.get("ack"), layer.get("flags")
                found.append(
                    (_TCP, src, sport, dst, dport, seq, ack, flags, payload, ip_end - payload, in_error)
                )
        offset += layer.length
    return found, (addresses[0], ports[0], addresses[1], ports[1])


def _quoted(data: bytes, at: int) -> _Segment | None:
    """The TCP or UDP header of the datagram an ICMP error quotes, from ``at``."""
    if len(data) < at + 1:
        return None
    if data[at] >> 4 == 4:
        hl = (data[at] & 0x0F) * 4
        if hl < 20 or len(data) < at + hl:
            return None
        proto, src, dst = data[at + 9], data[at + 12 : at + 16], data[at + 16 : at + 20]
    elif data[at] >> 4 == 6 and len(data) >= at + 40:
        hl, proto, src, dst = 40, data[at + 6], data[at + 8 : at + 24], data[at + 24 : at + 40]
    else:
        return None
    t = at + hl
    if proto not in (_TCP, _UDP) or len(data) < t + (20 if proto == _TCP else 8):
        return None
    sport, dport = int.from_bytes(data[t : t + 2], "big"), int.from_bytes(data[t + 2 : t + 4], "big")
    if proto == _UDP:
        return (_UDP, src, sport, dst, dport, 0, 0, 0, 0, 0, True)
    seq = int.from_bytes(data[t + 4 : t + 8], "big")
    flags = data[t + 13] | (data[t + 12] & 0x01) << 8
    return (_TCP, src, sport, dst, dport, seq, 0, flags, 0, 0, True)


_NO_PINFO = (b"", 0, b"", 0)


class _Chunk:
    __slots__ = ("data", "frame", "seq", "server", "ts")

    def __init__(self, server: bool, frame: int, ts: float, seq: int, data: bytes) -> None:
        self.server = server
        self.frame = frame
        self.ts = ts
        self.seq = seq
        self.data = data


class Follow:
    """One ``follow,PROTO,MODE,STREAM`` of tshark: feed frames with :meth:`add`, read :meth:`text`."""

    def __init__(self, proto: str, mode: str, stream: int, linktype: int = 1, nano: bool = False) -> None:
        if proto not in PROTOS or mode not in MODES or stream < 0:
            raise ValueError(f"bad follow spec {proto},{mode},{stream}: use {_SPEC_FORMS}")
        self.proto = proto
        self.mode = mode
        self.stream = stream
        self.linktype = linktype
        self.scale = 1e-9 if nano else 1e-6  # what __call__'s frac counts
        self.frames = 0
        self._tcp_streams = TcpStreams()
        self._udp_streams = UdpStreams()
        self._client: tuple[bytes, int] | None = None
        self.nodes: tuple[str, str] | None = None
        self.chunks: list[_Chunk] = []
        self._seq = [0, 0]  # each side's next expected sequence number
        self._written = [0, 0]
        self._held: list[list[_Chunk]] = [[], []]  # out-of-order segments, in arrival order

    def __call__(self, sec: int, frac: int, length: int, data: bytes) -> None:
        """The pump's ``Sink`` shape; ``frac`` counts microseconds (nanoseconds where ``nano`` was given)."""
        # a pcapng file of mixed link types: each frame by its own interface's
        self.add(frame_linktype(data, self.linktype), sec + frac * self.scale, data)

    def add(self, linktype: int, ts: float, data: bytes) -> None:
        """Take the next frame of the capture."""
        self.frames += 1
        segments, pinfo = _segments(linktype, data)
        for segment in segments:
            self._take(ts, data, segment, pinfo)

    def _take(self, ts: float, data: bytes, segment: _Segment, pinfo: tuple[bytes, int, bytes, int]) -> None:
        proto, src, sport, dst, dport, seq, ack, flags, payload, length, quoted = segment
        if quoted:  # tshark numbers the conversation an ICMP error quotes, and taps none of it
            if proto == _UDP:
                self._udp_streams.stream(src, sport, dst, dport)
            else:
                self._tcp_streams.stream(src.hex(), sport, dst.hex(), dport, flags, seq)
            return
        end = min(len(data), payload + max(length, 0))
        chunk = data[payload:end] if end > payload else b""
        if proto == _TCP:
            index = self._tcp_streams.stream(src.hex(), sport, dst.hex(), dport, flags, seq, ack)
            # a header claiming more than its IP datagram holds: tshark's TCP dissector throws before its tap
            if self.proto == "tcp" and index == self.stream and length >= 0:
                server = self._side(*pinfo)
                self._tcp(server, ts, seq, ack, flags, length, chunk)
        elif self.proto == "udp":
            index = self._udp_streams.stream(src, sport, dst, dport)
            if index != self.stream or not chunk:
                return  # tshark's follow skips an empty datagram (its UDP dissector hands no payload on)
            server = self._side(*pinfo)
            self.chunks.append(_Chunk(server, self.frames, ts, 0, chunk))

    def _side(self, src: bytes, sport: int, dst: bytes, dport: int) -> bool:
        if self._client is None:
            self._client = (src, sport)
            self.nodes = (_node(src, sport), _node(dst, dport))
        return (src, sport) != self._client

    def _tcp(self, server: bool, ts: float, seq: int, ack: int, flags: int, length: int, data: bytes) -> None:
        side = int(server)
        if flags & _SYN:
            seq = (seq + 1) & TCP_SEQ_MASK
        if self._held[1 - side]:
            while self._fragments(1 - side, ack, True):
                pass
        if self._written[side] == 0 and self._seq[side] == 0:
            self._seq[side] = seq
        expected = self._seq[side]
        if _lt(seq, expected):
            end = (seq + length) & TCP_SEQ_MASK
            if _lt(expected, end):
                data = data[(expected - seq) & TCP_SEQ_MASK :]
                length = (end - expected) & TCP_SEQ_MASK
                seq = expected
        if not data or _lt(seq, expected):
            return
        chunk = _Chunk(server, self.frames, ts, seq, data)
        if seq == expected:
            self._seq[side] = (expected + length) & TCP_SEQ_MASK
            self._written[side] += len(data)
            self.chunks.append(chunk)
            while self._fragments(side, 0, False):
                pass
        else:
            self._held[side].append(chunk)

    def _fragments(self, side: int, ack: int, use_ack: bool) -> bool:
        """One step of tshark's ``check_follow_fragments``: True when it took or dropped a held segment."""
        held = self._held[side]
        if not held:
            return False
        expected = self._seq[side]
        lowest = held[0].seq
        for i, chunk in enumerate(held):
            if _lt(chunk.seq, lowest):
                lowest = chunk.seq
            if _lt(chunk.seq, expected):
                end = (chunk.seq + len(chunk.data)) & TCP_SEQ_MASK
                if _lt(expected, end):
                    new = chunk.data[(expected - chunk.seq) & TCP_SEQ_MASK :]
                    self.chunks.append(_Chunk(chunk.server, chunk.frame, chunk.ts, expected, new))
                    self._seq[side] = (expected + len(new)) & TCP_SEQ_MASK
                del held[i]
                return True
            if chunk.seq == expected:
                if chunk.data:
                    self.chunks.append(chunk)
                self._seq[side] = (expected + len(chunk.data)) & TCP_SEQ_MASK
                del held[i]
                return True
        if use_ack and _lt(lowest, ack):
            # tshark prints the difference as a signed int and keeps the C string's NUL
            missing = (lowest - expected) & TCP_SEQ_MASK
            if missing >= TCP_SEQ_HALF:
                missing -= TCP_SEQ_MASK + 1
            marker = f"[{missing} bytes missing in capture file]".encode() + b"\0"
            self.chunks.append(_Chunk(bool(side), self.frames, 0.0, lowest, marker))
            self._seq[side] = lowest
            return True
        return False

    def text(self) -> str:
        """What ``tshark -q -z follow,PROTO,MODE,STREAM`` prints, byte for byte (as latin-1 text)."""
        out = [
            "\n",
            SEPARATOR,
            f"Follow: {self.proto},{self.mode}\n",
            f"Filter: {self.proto}.stream eq {self.stream}\n",
        ]
        node0, node1 = self.nodes or (":0", ":0")  # tshark's empty address and port 0
        out.append(f"Node 0: {node0}\nNode 1: {node1}\n")
        position = [0, 0]
        for chunk in self.chunks:
            tab = "\t" if chunk.server else ""
            data = chunk.data
            if self.mode == "raw":
                out.append(f"{tab}{data.hex()}\n")
            elif self.mode == "ascii":
                out.append(f"{tab}{len(data)}\n{data.translate(_ASCII_MODE).decode('latin-1')}\n")
            else:
                out.append(_hexdump(tab, position[chunk.server], data))
                position[chunk.server] += len(data)
        out.append(SEPARATOR)
        return "".join(out)

    def to_json(self) -> dict[str, Any]:
        """The stream as data: its spec, its nodes and its chunks (node, frame, time, hex bytes)."""
        node0, node1 = self.nodes or ("", "")
        return {
            "proto": self.proto,
            "mode": self.mode,
            "stream": self.stream,
            "nodes": [node0, node1],
            "chunks": [
                {"node": int(c.server), "frame": c.frame, "ts": c.ts, "data": c.data.hex()}
                for c in self.chunks
            ],
        }


def _hexdump(prefix: str, offset: int, data: bytes) -> str:
    lines = []
    for start in range(0, len(data), _BYTES_PER_LINE):
        row = data[start : start + _BYTES_PER_LINE]
        cells = " ".join(f"{b:02x}" for b in row[:8])
        if len(row) > 8:
            cells += "  " + " ".join(f"{b:02x}" for b in row[8:])
        text = row.translate(_PRINTABLE).decode("latin-1")
        if len(row) >= 8:
            text = f"{text[:8]} {text[8:]}"
        if text.endswith(" "):
            # tshark 4.0 drops one trailing blank of the ASCII column (the gap after 8 bytes, or a space
            # byte): found by experiment on crafted datagrams, seen in tests/flows/test_follow.py
            text = text[:-1]
        head = f"{offset + start:08X}  {cells}"
        lines.append(f"{prefix}{head.ljust(_ASCII_START)}{text}\n")
    return "".join(lines)


def parse_follow(spec: str) -> Follow:
    """A :class:`Follow` from tshark's ``follow,PROTO,MODE,STREAM`` (the leading ``follow,`` optional)."""
    parts = spec.split(",")
    if parts and parts[0] == "follow":
        parts = parts[1:]
    if len(parts) != 3 or parts[0] not in PROTOS or parts[1] not in MODES or not parts[2].isdigit():
        raise ValueError(f"bad follow spec {spec!r}: use {_SPEC_FORMS}")
    return Follow(parts[0], parts[1], int(parts[2]))


__all__ = ["MODES", "PROTOS", "Follow", "parse_follow"]
