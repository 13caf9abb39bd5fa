"""TCP and UDP stream numbers as tshark assigns them (``tcp.stream``, ``udp.stream``; Wireshark 4.0's
``packet-tcp.c`` and ``packet-udp.c``).

Feed :meth:`TcpStreams.stream` every TCP segment in frame order; it returns the segment's stream index.
The rules, as tshark's:

- Segments belong to one conversation by their address and port pair, in either direction. A pair seen
  for the first time starts a new stream, numbered from 0 in order of first appearance.
- A SYN without ACK starts a new stream on a pair already seen when its sender already sent in the
  current stream (its base sequence number is known) and either its sequence number differs from that
  base (a new ISN: the ports were reused) or the stream has seen a FIN or a RST.
- A side's base sequence number is its SYN's sequence number, or one less than the sequence number of
  its first segment when that is no SYN (tshark's relative numbering starts at 1 there); but when the
  other side sends a segment with ACK first, one less than that ACK number (tshark's analysis learns
  the base from there). Give :meth:`TcpStreams.stream` the ACK number for that rule.
"""

from __future__ import annotations

from typing import Any

from ..protocols.numbers import TCP_FLAG_BITS, TCP_SEQ_MASK

_FIN = TCP_FLAG_BITS["F"]
_SYN = TCP_FLAG_BITS["S"]
_RST = TCP_FLAG_BITS["R"]
_ACK = TCP_FLAG_BITS["."]
STREAM_FLAGS = _FIN | _SYN | _RST
"""The flags of the only segments that can start or end a stream: :meth:`TcpStreams.stream` gives any
other segment the index it gave the segment before it in that conversation."""


class _Stream:
    __slots__ = ("base", "closed", "index")

    def __init__(self, index: int) -> None:
        self.index = index
        self.base: dict[tuple[str, int], int] = {}  # each side's base sequence number
        self.closed = False  # a FIN or a RST was seen


class TcpStreams:
    """tshark's ``tcp.stream`` numbering; :attr:`count` is the number of streams so far."""

    def __init__(self) -> None:
        self._streams: dict[tuple[str, int, str, int], _Stream] = {}
        self.count = 0

    def stream(
        self, src: str, sport: int, dst: str, dport: int, flags: int, seq: int, ack: int | None = None
    ) -> int:
        """The stream index of a segment from ``src``:``sport`` to ``dst``:``dport`` (addresses as text).

        Once :meth:`settled` says so for a pair, a caller may give the pair's segments without SYN, FIN
        or RST the index it got last, without asking."""
        key = (src, sport, dst, dport) if (src, sport) <= (dst, dport) else (dst, dport, src, sport)
        current = self._streams.get(key)
        side = (src, sport)
        if current is None:
            current = self._new(key)
        elif flags & (_SYN | _ACK) == _SYN:
            base = current.base.get(side)
            if base is not None and (base != seq or current.closed):
                current = self._new(key)
        bases = current.base
        if side not in bases:
            bases[side] = seq if flags & _SYN else (seq - 1) & TCP_SEQ_MASK
        if ack is not None and flags & _ACK and (dst, dport) not in bases:
            bases[(dst, dport)] = (ack - 1) & TCP_SEQ_MASK
        if flags & (_FIN | _RST):
            current.closed = True
        return current.index

    def settled(self, src: str, sport: int, dst: str, dport: int) -> bool:
        """Whether the current stream of the pair knows both sides' base sequence numbers: then no
        segment without SYN, FIN or RST changes anything here."""
        key = (src, sport, dst, dport) if (src, sport) <= (dst, dport) else (dst, dport, src, sport)
        current = self._streams.get(key)
        if current is None:
            return False
        return len(current.base) == (1 if (src, sport) == (dst, dport) else 2)

    def _new(self, key: tuple[str, int, str, int]) -> _Stream:
        created = self._streams[key] = _Stream(self.count)
        self.count += 1
        return created


class UdpStreams:
    """tshark's ``udp.stream`` numbering: one index per address and port pair, in either direction,
    numbered from 0 in order of first appearance. Addresses may be text or packed bytes (one kind for
    one numbering: they are compared to order a pair's two ends)."""

    def __init__(self) -> None:
        self._streams: dict[tuple[Any, int, Any, int], int] = {}

    def stream(self, src: Any, sport: int, dst: Any, dport: int) -> int:
        """The stream index of a datagram from ``src``:``sport`` to ``dst``:``dport``."""
        key = (src, sport, dst, dport) if (src, sport) <= (dst, dport) else (dst, dport, src, sport)
        streams = self._streams
        found = streams.get(key)
        if found is None:
            found = streams[key] = len(streams)
        return found

    @property
    def count(self) -> int:
        """The number of streams so far."""
        return len(self._streams)
