"""TCP stream reassembly, on the model of gopacket's ``tcpassembly`` (Assembler, StreamFactory, Stream).

:meth:`TcpReassembler.add` takes one TCP segment at a time. The two directions of a connection are one
flow (:class:`Flow`, named from the client: the sender of the first SYN, or else of the first segment
seen); direction 0 is ``src -> dst`` of the flow, direction 1 the reverse. Each direction delivers its
bytes in sequence order, once, either to a :class:`Stream` made per flow by a ``factory`` (callbacks),
or, without a factory, as :class:`Data`, :class:`Fin` and :class:`Closed` events read with
:meth:`TcpReassembler.events`.

The policy:

- **Start:** a SYN gives the initial sequence number; data on the SYN counts from ISN+1. A direction
  whose first segment carries no SYN starts at that segment's sequence number (its first delivery says
  ``skipped=-1``: what came before is unknown, as gopacket's ``Reassembly.Skip``). A segment with
  neither payload nor SYN does not start a flow.
- **Order:** a segment past the next expected byte is held until the gap fills. Sequence numbers wrap
  at 2**32. A segment more than ``max_window`` bytes (default 2**30, the largest scaled TCP window)
  ahead cannot be in the window: it is dropped and counted in ``out_of_window``.
- **Retransmissions and overlaps:** bytes already delivered win, as in gopacket: a segment's bytes
  below the next expected byte are dropped (counted in ``retransmitted``), and only what lies past
  it is delivered. Held segments are laid down in order of sequence number, then of arrival, with the
  same rule, so among held segments that overlap, the one with the lower sequence number (or that came
  first) wins.
- **End:** a FIN ends its direction once every byte before it is delivered (``Stream.on_fin``); the
  flow closes when both directions have ended (reason ``"fin"``). A RST closes the flow at once
  (``"rst"``), after delivering what is held, past its gaps. The last ``max_flows`` connections so
  ended are remembered: their late segments without SYN are counted as ``retransmitted`` and dropped
  rather than starting a flow mid-stream; a new SYN on the same addresses and ports starts a new flow.
- **Gaps:** :meth:`TcpReassembler.flush_older_than` closes the flows idle since before a time
  (``"timeout"``), and :meth:`TcpReassembler.flush_all` closes every flow (``"flush"``); both first
  deliver what is held past each gap, the delivery after a gap saying how many bytes were ``skipped``.
- **Memory:** held segments never pass ``max_bytes`` (default 4 MiB, as the Defragmenter), each
  counted as its payload plus :data:`SEGMENT_OVERHEAD` so that a flood of tiny segments is bounded
  too; past it, the flows that have held data longest are flushed and closed first (``"cap"``). At
  most ``max_flows`` flows (default 65,536) are kept; a new one past that closes the least recently
  active (``"cap"``). Both count in ``flows_flushed_by_cap``.
- **Bad input:** arguments of the wrong type raise TypeError; values out of range (a port past 65535,
  a sequence number past 2**32 - 1, a payload longer than an IP packet can carry) make the segment
  malformed: it is counted and dropped, and reassembly goes on.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from heapq import heappop, heappush
from typing import NamedTuple, Protocol, Union

from ..protocols.numbers import TCP_FLAG_BITS, TCP_SEQ_HALF, TCP_SEQ_MASK

FIN, SYN, RST, ACK = (TCP_FLAG_BITS[letter] for letter in "FSR.")
DEFAULT_MAX_BYTES = 4 << 20
DEFAULT_MAX_FLOWS = 1 << 16
DEFAULT_MAX_WINDOW = 1 << 30
SEGMENT_OVERHEAD = 64
"""Bytes counted against ``max_bytes`` for each held segment besides its payload."""
MAX_PAYLOAD = 0xFFFF
_MAX_FLAGS = 0xFFF


class Flow(NamedTuple):
    """A connection, from the client's side: direction 0 is ``src:sport -> dst:dport``."""

    src: str | bytes
    sport: int
    dst: str | bytes
    dport: int


class Data(NamedTuple):
    """Bytes of one direction, in order; ``skipped`` bytes were missing just before them (-1: unknown)."""

    flow: Flow
    direction: int
    data: bytes
    skipped: int
    ts: float


class Fin(NamedTuple):
    """A direction ended: its FIN came, every byte before it delivered."""

    flow: Flow
    direction: int
    ts: float


class Closed(NamedTuple):
    """A flow closed: ``reason`` is ``"fin"``, ``"rst"``, ``"timeout"``, ``"cap"`` or ``"flush"``."""

    flow: Flow
    reason: str


Event = Union[Data, Fin, Closed]


class Stream(Protocol):
    """Receives one flow's bytes (gopacket's Stream: ``on_data`` is Reassembled, ``on_close``
    ReassemblyComplete)."""

    def on_data(self, direction: int, data: bytes, skipped: int, ts: float) -> None: ...

    def on_fin(self, direction: int, ts: float) -> None: ...

    def on_close(self, reason: str) -> None: ...


class StreamFactory(Protocol):
    """Makes the :class:`Stream` of a new flow."""

    def __call__(self, flow: Flow) -> Stream: ...


@dataclass
class TcpStats:
    """What a :class:`TcpReassembler` did. Segments: taken, held out of order, partly overlapping
    delivered data, dropped as malformed or out of the window. Bytes: delivered, dropped as already
    delivered (``retransmitted``), skipped over in ``gaps``. Flows: made, closed by the caps, by
    timeout."""

    segments: int = 0
    bytes_delivered: int = 0
    out_of_order: int = 0
    retransmitted: int = 0
    overlaps: int = 0
    gaps: int = 0
    skipped_bytes: int = 0
    flows: int = 0
    flows_flushed_by_cap: int = 0
    timed_out: int = 0
    malformed: int = 0
    out_of_window: int = 0


class _Half:
    """One direction's state: sequence positions are counted from ``base`` (mod 2**32) in ``pos``."""

    __slots__ = ("base", "done", "heap", "held", "pos")

    def __init__(self) -> None:
        self.base = -1  # not started
        self.pos = 0  # bytes delivered (an unbounded count, so that held positions never wrap)
        self.heap: list[tuple[int, int, bytes, int]] = []  # (position, arrival, payload, fin)
        self.held = 0
        self.done = False


class _Flow:
    __slots__ = ("flow", "halves", "last_seen", "rev", "stream")

    def __init__(self, flow: Flow, stream: Stream, ts: float) -> None:
        self.flow = flow
        self.rev = (flow[2], flow[3], flow[0], flow[1])
        self.stream = stream
        self.halves = (_Half(), _Half())
        self.last_seen = ts


class _Recorder:
    """The stream of a flow when there is no factory: its calls become events."""

    __slots__ = ("flow", "out")

    def __init__(self, flow: Flow, out: deque[Event]) -> None:
        self.flow, self.out = flow, out

    def on_data(self, direction: int, data: bytes, skipped: int, ts: float) -> None:
        self.out.append(Data(self.flow, direction, data, skipped, ts))

    def on_fin(self, direction: int, ts: float) -> None:
        self.out.append(Fin(self.flow, direction, ts))

    def on_close(self, reason: str) -> None:
        self.out.append(Closed(self.flow, reason))


def _limit(name: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < least:
        raise ValueError(f"{name} must be at least {least}, not {value}")
    return value


class TcpReassembler:
    """Reassembles the TCP segments given to :meth:`add` into ordered bytes per flow and direction (see
    the module's documentation for the policy)."""

    def __init__(
        self,
        factory: StreamFactory | Callable[[Flow], Stream] | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_flows: int = DEFAULT_MAX_FLOWS,
        max_window: int = DEFAULT_MAX_WINDOW,
    ) -> None:
        if factory is not None and not callable(factory):
            raise TypeError(f"factory must be callable (Flow -> Stream), not {type(factory).__name__}")
        self.max_bytes = _limit("max_bytes", max_bytes, 1)
        self.max_flows = _limit("max_flows", max_flows, 1)
        self.max_window = _limit("max_window", max_window, 1)
        if max_window >= TCP_SEQ_HALF:
            raise ValueError("max_window must be below 2**31")
        self.stats = TcpStats()
        self._factory = factory
        self._events: deque[Event] = deque()
        self._flows: dict[tuple[object, int, object, int], tuple[_Flow, int, _Half]] = {}
        self._live: OrderedDict[_Flow, None] = OrderedDict()  # least recently active first
        self._holding: OrderedDict[_Flow, None] = OrderedDict()  # flows with held segments, oldest first
        self._ended: OrderedDict[tuple[object, int, object, int], None] = OrderedDict()  # by FIN or RST
        self._held = 0
        self._arrivals = 0

    @property
    def held_bytes(self) -> int:
        """What the held (out-of-order) segments count against ``max_bytes``."""
        return self._held

    @property
    def flow_count(self) -> int:
        """The flows open now."""
        return len(self._live)

    def events(self) -> Iterator[Event]:
        """The events not yet read, oldest first (only without a factory), including those that come
        while iterating."""
        events = self._events
        while events:
            yield events.popleft()

    def add(
        self,
        src: str | bytes,
        sport: int,
        dst: str | bytes,
        dport: int,
        seq: int,
        ack: int,
        flags: int,
        payload: bytes,
        ts: float,
    ) -> None:
        """Take one TCP segment from ``src:sport`` to ``dst:dport``, seen at ``ts`` seconds: its sequence
        and acknowledgment numbers, its flags (the TCP header's bits) and its payload. What it makes
        deliverable goes to the flow's stream (or :meth:`events`) before ``add`` returns."""
        try:
            fine = (
                sport.__class__ is int and dport.__class__ is int and seq.__class__ is int
                and ack.__class__ is int and flags.__class__ is int and payload.__class__ is bytes
                and (ts.__class__ is float or ts.__class__ is int)
                and 0 <= sport <= 0xFFFF and 0 <= dport <= 0xFFFF
                and 0 <= seq <= TCP_SEQ_MASK and 0 <= ack <= TCP_SEQ_MASK
                and 0 <= flags <= _MAX_FLAGS and len(payload) <= MAX_PAYLOAD and ts == ts
            )  # fmt: skip
        except TypeError:
            fine = False
        if not fine:
            checked = self._check(src, sport, dst, dport, seq, ack, flags, payload, ts)
            if checked is None:
                return
            payload = checked
        stats = self.stats
        key = (src, sport, dst, dport)
        entry = self._flows.get(key)
        if entry is None:
            if not isinstance(src, (str, bytes)) or not isinstance(dst, (str, bytes)):
                raise TypeError("src and dst must be addresses as str or bytes")
            stats.segments += 1
            if not payload and not flags & SYN:
                return  # an ACK, or the FIN or RST of a flow already closed: nothing to reassemble
            if not flags & SYN and key in self._ended:
                stats.retransmitted += len(payload)  # a late copy from a connection that ended
                return
            entry = self._open(src, sport, dst, dport, flags, ts)
        else:
            stats.segments += 1
        flow, direction, half = entry
        flow.last_seen = ts
        self._live.move_to_end(flow)
        if flags & RST:
            self._close(flow, "rst", ts)
            return
        if flags & SYN:
            seq = (seq + 1) & TCP_SEQ_MASK  # the SYN takes a sequence number; data on it starts after
        if half.base < 0:
            if not flags & SYN and not payload and not flags & FIN:
                return
            half.base = seq
            if not flags & SYN and payload:  # started mid-stream: what came before is unknown
                half.pos = len(payload)
                stats.bytes_delivered += len(payload)
                flow.stream.on_data(direction, payload, -1, ts)
                if flags & FIN:
                    self._finish(flow, direction, half, ts)
                return
        if half.done:
            stats.retransmitted += len(payload)
            return
        if not payload and not flags & FIN:
            return
        pos = half.pos
        diff = ((seq - half.base - pos + TCP_SEQ_HALF) & TCP_SEQ_MASK) - TCP_SEQ_HALF
        size = len(payload)
        end = diff + size
        if diff == 0:
            if size:
                half.pos = pos + size
                stats.bytes_delivered += size
                flow.stream.on_data(direction, payload, 0, ts)
        elif end <= 0:
            stats.retransmitted += size
            if end < 0 or not flags & FIN:
                return
        elif diff < 0:
            half.pos = pos + end
            stats.retransmitted -= diff
            stats.overlaps += 1
            stats.bytes_delivered += end
            flow.stream.on_data(direction, payload[-diff:], 0, ts)
        elif diff > self.max_window:
            stats.out_of_window += 1
            return
        else:
            self._hold(flow, half, pos + diff, payload, flags & FIN)
            return
        if flags & FIN:
            self._finish(flow, direction, half, ts)
        elif half.heap and half.heap[0][0] <= half.pos:
            self._drain(flow, direction, half, ts, False)

    def flush_older_than(self, cutoff: float) -> int:
        """Close the flows whose last segment came before ``cutoff`` (seconds, as the ``ts`` given to
        :meth:`add`; flows are kept in order of their last segment's arrival), delivering what they
        hold past its gaps; the number closed."""
        if isinstance(cutoff, bool) or not isinstance(cutoff, (int, float)):
            raise TypeError(f"cutoff must be a number of seconds, not {type(cutoff).__name__}")
        closed = 0
        live = self._live
        while live:
            flow = next(iter(live))
            if flow.last_seen >= cutoff:
                break
            self._close(flow, "timeout", flow.last_seen)
            closed += 1
        self.stats.timed_out += closed
        return closed

    def flush_all(self) -> int:
        """Close every flow (at the end of a capture), delivering what each holds past its gaps; the
        number closed."""
        closed = len(self._live)
        while self._live:
            flow = next(iter(self._live))
            self._close(flow, "flush", flow.last_seen)
        return closed

    def _check(
        self, src: object, sport: object, dst: object, dport: object, seq: object, ack: object,
        flags: object, payload: object, ts: object,
    ) -> bytes | None:  # fmt: skip
        """The slow path of :meth:`add`'s checks: TypeError for a wrong type, None for a malformed
        segment (counted), else the payload as bytes."""
        for name, value in (("sport", sport), ("dport", dport), ("seq", seq), ("ack", ack), ("flags", flags)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if isinstance(ts, bool) or not isinstance(ts, (int, float)):
            raise TypeError(f"ts must be a number of seconds, not {type(ts).__name__}")
        if not isinstance(payload, (bytes, bytearray, memoryview)):
            raise TypeError(f"payload must be bytes, not {type(payload).__name__}")
        if not isinstance(src, (str, bytes)) or not isinstance(dst, (str, bytes)):
            raise TypeError(f"src and dst must be addresses as str or bytes, not {type(src).__name__}")
        data = bytes(payload)
        assert isinstance(sport, int) and isinstance(dport, int) and isinstance(seq, int)
        assert isinstance(ack, int) and isinstance(flags, int)
        if (
            not (0 <= sport <= 0xFFFF and 0 <= dport <= 0xFFFF)
            or not (0 <= seq <= TCP_SEQ_MASK and 0 <= ack <= TCP_SEQ_MASK)
            or not 0 <= flags <= _MAX_FLAGS
            or len(data) > MAX_PAYLOAD
            or not math.isfinite(ts)
        ):
            self.stats.segments += 1
            self.stats.malformed += 1
            return None
        return data

    def _open(
        self, src: str | bytes, sport: int, dst: str | bytes, dport: int, flags: int, ts: float
    ) -> tuple[_Flow, int, _Half]:
        if len(self._live) >= self.max_flows:
            oldest = next(iter(self._live))
            self._close(oldest, "cap", ts)
            self.stats.flows_flushed_by_cap += 1
        if flags & SYN and flags & ACK:  # the server's answer came first: the client is dst
            key, direction = Flow(dst, dport, src, sport), 1
        else:
            key, direction = Flow(src, sport, dst, dport), 0
        factory = self._factory
        stream: Stream = _Recorder(key, self._events) if factory is None else factory(key)
        flow = _Flow(key, stream, ts)
        forward, backward = flow.halves
        self._flows[key] = (flow, 0, forward)
        self._flows[flow.rev] = (flow, 1, backward)
        self._live[flow] = None
        self.stats.flows += 1
        return (flow, 0, forward) if direction == 0 else (flow, 1, backward)

    def _hold(self, flow: _Flow, half: _Half, position: int, payload: bytes, fin: int) -> None:
        self._arrivals += 1
        heappush(half.heap, (position, self._arrivals, payload, fin))
        size = len(payload) + SEGMENT_OVERHEAD
        half.held += size
        self._held += size
        self.stats.out_of_order += 1
        if flow not in self._holding:
            self._holding[flow] = None
        while self._held > self.max_bytes and self._holding:
            oldest = next(iter(self._holding))
            self._close(oldest, "cap", oldest.last_seen)
            self.stats.flows_flushed_by_cap += 1

    def _drain(self, flow: _Flow, direction: int, half: _Half, ts: float, skip_gaps: bool) -> None:
        """Deliver the held segments that the delivered bytes reach (all of them, over their gaps,
        with ``skip_gaps``)."""
        heap, stats, stream = half.heap, self.stats, flow.stream
        while heap and (skip_gaps or heap[0][0] <= half.pos):
            position, _, payload, fin = heappop(heap)
            size = len(payload)
            half.held -= size + SEGMENT_OVERHEAD
            self._held -= size + SEGMENT_OVERHEAD
            pos = half.pos
            skipped = 0
            if position > pos:
                skipped = position - pos
                stats.gaps += 1
                stats.skipped_bytes += skipped
                pos = position
            end = position + size
            if end > pos:
                cut = pos - position
                if cut:
                    stats.retransmitted += cut
                    stats.overlaps += 1
                half.pos = end
                stats.bytes_delivered += end - pos
                stream.on_data(direction, payload[cut:] if cut else payload, skipped, ts)
            else:
                stats.retransmitted += size
                half.pos = pos
            if fin and end == half.pos:
                self._finish(flow, direction, half, ts)
                return
        if not flow.halves[0].held and not flow.halves[1].held:
            self._holding.pop(flow, None)

    def _finish(self, flow: _Flow, direction: int, half: _Half, ts: float) -> None:
        if half.done:
            return
        half.done = True
        self._held -= half.held
        half.held = 0
        half.heap.clear()  # what lies past the FIN is no part of the stream
        flow.stream.on_fin(direction, ts)
        if flow.halves[1 - direction].done:
            self._close(flow, "fin", ts)
        elif not flow.halves[1 - direction].held:
            self._holding.pop(flow, None)

    def _close(self, flow: _Flow, reason: str, ts: float) -> None:
        if self._flows.pop(flow.flow, None) is None:
            return  # already closed (by a FIN while its held bytes were flushed)
        del self._flows[flow.rev]
        self._live.pop(flow, None)
        for direction, half in enumerate(flow.halves):
            if half.heap and not half.done:
                self._drain(flow, direction, half, ts, True)
            self._held -= half.held
            half.held = 0
            half.heap.clear()
        self._holding.pop(flow, None)
        if reason in ("fin", "rst"):
            for key in (flow.flow, flow.rev):
                self._ended[key] = None
                self._ended.move_to_end(key)
            while len(self._ended) > 2 * self.max_flows:
                self._ended.popitem(last=False)
        flow.stream.on_close(reason)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_FLOWS",
    "DEFAULT_MAX_WINDOW",
    "SEGMENT_OVERHEAD",
    "Closed",
    "Data",
    "Event",
    "Fin",
    "Flow",
    "Stream",
    "StreamFactory",
    "TcpReassembler",
    "TcpStats",
]
