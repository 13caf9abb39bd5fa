"""tshark's TCP sequence analysis (the ``tcp.analysis.*`` flags), from the rows of :mod:`pycapture.table`.

:class:`TcpAnalysis` takes batches of table rows in frame order and gives every TCP frame the flags
Wireshark 4.0's ``tcp_analyze_sequence_number`` (``epan/dissectors/packet-tcp.c``) gives it, on the
same state: per stream and direction the next expected sequence number (the highest seen end of a
segment), the highest contiguous one ("max seq to be acked"), the last ACK and window and their time,
the duplicate-ACK count and the flags of the direction's previous segment. Streams are tshark's
``tcp.stream`` (:class:`~pycapture.flows.streams.TcpStreams`). Sequence numbers are compared as tshark
compares them, on 32 bits that wrap (``GT_SEQ``: the difference taken as a signed 32-bit number).

A frame counts when its ``protocols`` has ``tcp`` right after its outermost IP layer (and IPv6
extension headers); TCP that an ICMP error quotes, or that a tunnel carries, is not analysed.

The flags, in the order tshark tests them (a frame may have several):

- ``zero_window_probe``: one byte at the next expected sequence number while the other side's window
  is 0 (the rest of the forward tests are skipped);
- ``zero_window``: a window of 0 on a segment without SYN, FIN or RST;
- ``lost_segment``: the segment starts past the next expected sequence number ("Previous segment(s) not
  captured"), RST excepted;
- ``keep_alive``: 0 or 1 byte starting one before the next expected sequence number;
- ``window_update``: no data, the same sequence and ACK numbers as before and another, non-zero window;
- ``keep_alive_ack``, ``zero_window_probe_ack``: the same ACK answering a keep-alive or a probe;
- ``duplicate_ack``: no data and the same sequence, ACK and non-zero window as the previous segment,
  with its number (1, 2...) and the frame it repeats (the last segment of that direction that was none);
- ``ack_lost_segment``: the ACK is beyond the highest contiguous byte the other side sent. Reported
  once per gap: if the other side has sent past that byte since, the bound moves up to what it sent;
  else the next report waits until the other side's own ACK number changes (tshark keeps this mark as
  -1 in that side's duplicate-ACK count, which then also counts as "at least two duplicate ACKs"
  below, as tshark's count is unsigned);
- for a segment with data, SYN or FIN: ``spurious_retransmission`` when all its data was acknowledged
  already; else, when it starts before the next expected sequence number (and is not a keep-alive, nor
  more than one byte starting one before it: new data after a zero window probe),
  ``fast_retransmission`` (at least two duplicate ACKs ask for it, within 20 ms of the last ACK),
  ``out_of_order`` (within the connection's initial RTT, or 3 ms when unknown, of the segment that
  advanced the sequence, and not ending where that one did) or ``retransmission``. As tshark sets the
  field ``tcp.analysis.retransmission`` on a fast or spurious retransmission too, those frames also
  carry ``retransmission``;
- ``reused_ports``: a SYN that starts a new stream on an address and port pair seen before.

The initial RTT is the time from the stream's latest SYN to the first ACK after it; as in tshark it
counts from the frame after that ACK. Windows are compared as the header's raw field, where tshark
compares them scaled once it knows the scale: the two differ only when a SYN's (unscaled) window and a
later raw window are the same number.

``window_full`` is not given: tshark sets it only when it knows the receiver's window scale (from the
SYNs' window-scale options), and the table holds the raw window field without the options.

Besides the flags each frame's result says which of tshark's connection notes its FIN gets: the first
FIN of a connection (no FIN came the other way yet) "initiates the connection closing", a later one
from the other side "undergoes" it.

State: per stream a few numbers per direction, plus the list of the direction's unacknowledged segment
ends that tshark keeps. That list matters to the flags only through its bound: tshark adds a segment to
it (and counts a SYN or FIN as one more sequence number) only while it has fewer than 10000 entries
(``TCP_MAX_UNACKED_SEGMENTS``); the list here has the same bound, so no stream holds more than 10000
numbers, and entries leave as the other side acknowledges them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from ..protocols.numbers import TCP_FLAG_BITS, TCP_SEQ_HALF, TCP_SEQ_MASK
from .stats import _layers
from .streams import STREAM_FLAGS, TcpStreams

COLUMNS = [
    "frame_number",
    "ts",
    "ip_src",
    "ip_dst",
    "src_port",
    "dst_port",
    "tcp_flags",
    "tcp_seq",
    "tcp_ack",
    "tcp_window",
    "payload_len",
    "protocols",
]
"""The table columns :class:`TcpAnalysis` reads."""

MAX_UNACKED_SEGMENTS = 10000
"""tshark's ``TCP_MAX_UNACKED_SEGMENTS``: the most unacknowledged segments kept per direction."""
FAST_RETRANSMISSION_NS = 20_000_000
"""A retransmission this soon after the duplicate ACKs that ask for it is a fast one."""
OUT_OF_ORDER_NS = 3_000_000
"""The out-of-order threshold when the connection's initial RTT is not known."""

_FIN, _SYN, _RST, _ACK = (TCP_FLAG_BITS[c] for c in "FSR.")
_SFR = _SYN | _FIN | _RST
_ALL, _NOTABLE, _NONE = 0, 1, 2  # which frames _analyse returns
_U64 = 1 << 64  # tshark holds the initial RTT as an unsigned threshold: a negative one never passes

# the flags as bits, in tshark's order of printing them (tcp_print_sequence_number_analysis)
FLAG_NAMES: tuple[str, ...] = (
    "retransmission",
    "spurious_retransmission",
    "fast_retransmission",
    "out_of_order",
    "lost_segment",
    "ack_lost_segment",
    "window_update",
    "window_full",
    "keep_alive",
    "keep_alive_ack",
    "duplicate_ack",
    "zero_window_probe",
    "zero_window",
    "zero_window_probe_ack",
    "reused_ports",
)
"""Every flag name :class:`TcpAnalysis` may give (``window_full`` never, see the module's notes), in the
order tshark prints them; each is the tshark field ``tcp.analysis.NAME``."""
_BIT = {name: 1 << at for at, name in enumerate(FLAG_NAMES)}
RETRANSMISSION = _BIT["retransmission"]
SPURIOUS = _BIT["spurious_retransmission"]
FAST = _BIT["fast_retransmission"]
OUT_OF_ORDER = _BIT["out_of_order"]
LOST = _BIT["lost_segment"]
ACK_LOST = _BIT["ack_lost_segment"]
WINDOW_UPDATE = _BIT["window_update"]
KEEP_ALIVE = _BIT["keep_alive"]
KEEP_ALIVE_ACK = _BIT["keep_alive_ack"]
DUP_ACK = _BIT["duplicate_ack"]
ZW_PROBE = _BIT["zero_window_probe"]
ZERO_WINDOW = _BIT["zero_window"]
ZW_PROBE_ACK = _BIT["zero_window_probe_ack"]
REUSED_PORTS = _BIT["reused_ports"]

CLOSING_ACTIVE = 1
""":attr:`Analysed.closing` of a FIN that initiates the connection closing."""
CLOSING_PASSIVE = 2
""":attr:`Analysed.closing` of a FIN that undergoes the connection closing (the other side's came first)."""


def flag_names(bits: int) -> frozenset[str]:
    """The flag names of a bit set of :class:`Analysed`'s ``bits``."""
    return _names(bits)


_NAME_CACHE: dict[int, frozenset[str]] = {}


def _names(bits: int) -> frozenset[str]:
    names = _NAME_CACHE.get(bits)
    if names is None:
        names = _NAME_CACHE[bits] = frozenset(n for n in FLAG_NAMES if bits & _BIT[n])
    return names


class Analysed(NamedTuple):
    """One analysed TCP frame: its number, ``tcp.stream``, flags (as bits, :attr:`flags` as names), the
    duplicate ACK's number and the frame it duplicates (0 when no duplicate ACK), the TCP flags, ACK
    number and ports as sent, and :data:`CLOSING_ACTIVE` or :data:`CLOSING_PASSIVE` for a FIN (else 0).
    """

    frame: int
    stream: int
    bits: int
    dup_ack_num: int
    dup_ack_frame: int
    tcp_flags: int
    tcp_ack: int
    src_port: int
    dst_port: int
    closing: int

    @property
    def flags(self) -> frozenset[str]:
        """The flag names (``{"retransmission", "fast_retransmission"}``)."""
        return _names(self.bits)


class _Side:
    """One direction of a stream: tshark's ``tcp_flow_t`` and its ``tcp_analyze_seq_flow_info_t``."""

    __slots__ = (
        "closing",
        "dupacknum",
        "filtered_ack",
        "lastack",
        "lastack_ts",
        "lastflags",
        "lastnondupack",
        "maxseqtobeacked",
        "nextseq",
        "nextseq_ts",
        "segments",
        "unfiltered",
        "window",
    )

    def __init__(self) -> None:
        self.nextseq = 0  # 0: not known yet, as tshark has it
        self.nextseq_ts = 0
        self.maxseqtobeacked = 0
        self.lastack = 0
        self.lastack_ts = 0
        self.window = -1  # none seen
        self.dupacknum = 0
        self.lastnondupack = 0
        self.lastflags = 0
        self.segments: list[int] = []  # the ends of the unacknowledged segments
        self.filtered_ack = -1  # the ACK that last dropped segments from the list
        self.unfiltered = 0  # segments added since
        self.closing = False


class _Stream:
    __slots__ = ("first_rtt", "sides", "syn_ts")

    def __init__(self) -> None:
        self.sides: dict[tuple[str, int], _Side] = {}
        self.syn_ts = 0  # the time of the latest SYN (0: none)
        self.first_rtt = 0  # the initial RTT in ns (0: not known)


@dataclass(slots=True)
class StreamCounts:
    """The analysis counts of one stream: frames with each flag, and RST segments."""

    retransmissions: int = 0  # every kind: plain, fast and spurious
    fast_retransmissions: int = 0
    spurious_retransmissions: int = 0
    out_of_order: int = 0
    lost_segments: int = 0
    ack_lost: int = 0
    dup_acks: int = 0
    zero_windows: int = 0
    zero_window_probes: int = 0
    keep_alives: int = 0
    window_updates: int = 0
    resets: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts by name."""
        return asdict(self)


_COUNTED = (
    ("retransmissions", RETRANSMISSION),
    ("fast_retransmissions", FAST),
    ("spurious_retransmissions", SPURIOUS),
    ("out_of_order", OUT_OF_ORDER),
    ("lost_segments", LOST),
    ("ack_lost", ACK_LOST),
    ("dup_acks", DUP_ACK),
    ("zero_windows", ZERO_WINDOW),
    ("zero_window_probes", ZW_PROBE),
    ("keep_alives", KEEP_ALIVE),
    ("window_updates", WINDOW_UPDATE),
)


def _gt(a: int, b: int) -> bool:
    """tshark's ``GT_SEQ``: ``a`` lies after ``b`` in the 32-bit sequence space."""
    return 0 < ((a - b) & TCP_SEQ_MASK) < TCP_SEQ_HALF


class TcpAnalysis:
    """tshark's TCP sequence analysis over table rows fed in frame order (:meth:`feed`); per-stream
    counts by :meth:`counts`."""

    columns = COLUMNS

    def __init__(self) -> None:
        self._streams = TcpStreams()
        self._state: list[_Stream] = []
        self._counts: list[StreamCounts] = []
        self._pairs: set[tuple[str, int, str, int]] = set()
        self._layer_cache: dict[str | None, bool] = {}
        # a directed address and port pair -> (stream, its state, the sending side, the other side):
        # the same as long as no SYN, FIN or RST comes (TcpStreams sees those)
        self._known: dict[tuple[str, int, str, int], tuple[int, _Stream, _Side, _Side]] = {}

    @property
    def stream_count(self) -> int:
        """The number of streams so far."""
        return len(self._state)

    def counts(self, stream: int) -> StreamCounts:
        """The counts of stream ``stream`` (``retransmissions``, ``out_of_order``, ``dup_acks``,
        ``zero_windows``, ``resets``...); IndexError for a stream not seen."""
        return self._counts[stream]

    def _is_tcp(self, protocols: str | None) -> bool:
        hit = self._layer_cache.get(protocols)
        if hit is None:
            hit = self._layer_cache[protocols] = _layers(protocols)[3] == "tcp"
        return hit

    def feed(self, batch: Any) -> list[Analysed]:
        """Analyse the TCP frames of one Arrow record batch (with at least :data:`COLUMNS`, in frame
        order after the batches before it); one :class:`Analysed` per TCP frame, in order."""
        return self._feed(batch, _ALL)

    def feed_notable(self, batch: Any) -> list[Analysed]:
        """As :meth:`feed`, but only the frames that get an expert info: those with a flag, a SYN, FIN or
        RST, or a nonzero ACK number without the ACK flag."""
        return self._feed(batch, _NOTABLE)

    def update(self, batch: Any) -> None:
        """As :meth:`feed`, for the per-stream counts only (:meth:`counts`)."""
        self._feed(batch, _NONE)

    def _feed(self, batch: Any, keep: int) -> list[Analysed]:
        import pyarrow as pa
        import pyarrow.compute as pc

        if batch.num_rows == 0:
            return []
        encoded = pc.dictionary_encode(batch.column("protocols"))
        is_tcp = pa.array([self._is_tcp(n) for n in encoded.dictionary.to_pylist()], pa.bool_())
        mask = pc.fill_null(is_tcp.take(encoded.indices), False)
        for name in ("tcp_flags", "src_port", "dst_port", "ip_src", "ip_dst", "tcp_seq", "tcp_ack"):
            mask = pc.and_(mask, batch.column(name).is_valid())
        rows = batch.filter(mask)
        if rows.num_rows == 0:
            return []

        def ints(name: str) -> list[Any]:
            return rows.column(name).fill_null(0).to_pylist()  # type: ignore[no-any-return]

        ts = rows.column("ts").cast(pa.int64()).fill_null(0).to_pylist()
        return self._analyse(
            keep,
            ints("frame_number"),
            ts,
            rows.column("ip_src").to_pylist(),
            rows.column("ip_dst").to_pylist(),
            ints("src_port"),
            ints("dst_port"),
            ints("tcp_flags"),
            ints("tcp_seq"),
            ints("tcp_ack"),
            ints("tcp_window"),
            ints("payload_len"),
        )

    def _analyse(self, keep: int, *columns: Iterable[Any]) -> list[Analysed]:
        out: list[Analysed] = []
        append = out.append
        stream_of, settled = self._streams.stream, self._streams.settled
        state, counts, pairs, known = self._state, self._counts, self._pairs, self._known
        mask, half = TCP_SEQ_MASK, TCP_SEQ_HALF
        for frame, ts, src, dst, sport, dport, tf, seq, ack, window, seglen in zip(*columns):
            ta = 0
            hit = None if tf & STREAM_FLAGS else known.get((src, sport, dst, dport))
            if hit is None:  # a segment that may start a stream: TcpStreams decides
                before = len(state)
                stream = stream_of(src, sport, dst, dport, tf, seq, ack)
                if stream == before:  # a new stream
                    state.append(_Stream())
                    counts.append(StreamCounts())
                    pair = (
                        (src, sport, dst, dport) if (src, sport) <= (dst, dport) else (dst, dport, src, sport)
                    )
                    if pair in pairs:
                        ta = REUSED_PORTS
                    else:
                        pairs.add(pair)
                st = state[stream]
                sides = st.sides
                fwd = sides.get((src, sport))
                if fwd is None:
                    fwd = sides[(src, sport)] = _Side()
                rev = sides.get((dst, dport))
                if rev is None:
                    rev = sides[(dst, dport)] = _Side()
                if settled(src, sport, dst, dport):
                    known[(src, sport, dst, dport)] = (stream, st, fwd, rev)
                else:  # TcpStreams may still learn a base here: ask it again next time
                    known.pop((src, sport, dst, dport), None)
                other = known.get((dst, dport, src, sport))
                if other is not None and other[0] != stream:  # a new stream: the other way too
                    del known[(dst, dport, src, sport)]
            else:
                stream, st, fwd, rev = hit
            nextseq = fwd.nextseq
            dup_num = dup_frame = 0
            plain = not tf & _SFR
            if seglen == 1 and seq == nextseq and rev.window == 0:
                ta |= ZW_PROBE
            else:
                if window == 0 and plain:
                    ta |= ZERO_WINDOW
                if nextseq and 0 < ((seq - nextseq) & mask) < half and not tf & _RST:
                    ta |= LOST
                if seglen <= 1 and seq == (nextseq - 1) & mask and plain:
                    ta |= KEEP_ALIVE
                same = seglen == 0 and plain and seq == nextseq and ack == fwd.lastack
                if same and window and window != fwd.window:
                    ta |= WINDOW_UPDATE
                if same and window and window == fwd.window and rev.lastflags & KEEP_ALIVE:
                    ta |= KEEP_ALIVE_ACK
                elif same and window == 0 and fwd.window == 0 and rev.lastflags & ZW_PROBE:
                    ta |= ZW_PROBE_ACK
                elif same and window and window == fwd.window:
                    fwd.dupacknum = 1 if fwd.dupacknum < 0 else fwd.dupacknum + 1
                    ta |= DUP_ACK
                    dup_num, dup_frame = fwd.dupacknum, fwd.lastnondupack
            if ack != fwd.lastack:  # a new ACK number starts the duplicate count again
                fwd.lastnondupack = frame
                fwd.dupacknum = 0
            acked_max = rev.maxseqtobeacked
            if acked_max and 0 < ((ack - acked_max) & mask) < half and tf & _ACK:
                # reported once per gap: when the other side has sent past its contiguous data, that
                # bound moves up to what it sent; otherwise the report waits for the other side's ACK
                # number to change (-1 in its duplicate count, which a change resets)
                if 0 < ((rev.nextseq - acked_max) & mask) < half:
                    rev.maxseqtobeacked = rev.nextseq
                    ta |= ACK_LOST
                else:
                    if rev.dupacknum == 0:
                        ta |= ACK_LOST
                    rev.dupacknum = -1
            syn_fin = tf & (_SYN | _FIN)
            if (seglen or syn_fin) and not ta & KEEP_ALIVE:
                behind = nextseq and ((seq - nextseq) & mask) >= half
                if seglen > 1 and (nextseq - 1) & mask == seq:
                    behind = False  # new data after a one-byte (zero window) probe
                if seglen and rev.lastack and not 0 < ((seq + seglen - rev.lastack) & mask) < half:
                    ta |= SPURIOUS | RETRANSMISSION
                else:
                    since = ts - rev.lastack_ts
                    if (
                        behind
                        and (rev.dupacknum >= 2 or rev.dupacknum < 0)  # an unsigned count in tshark
                        and rev.lastack == seq
                        and 0 <= since < FAST_RETRANSMISSION_NS
                    ):
                        ta |= FAST | RETRANSMISSION
                    else:
                        since = ts - fwd.nextseq_ts
                        if (
                            behind
                            and 0 <= since < (st.first_rtt or OUT_OF_ORDER_NS) % _U64
                            and nextseq != (seq + seglen + (1 if syn_fin else 0)) & mask
                        ):
                            ta |= OUT_OF_ORDER
                        elif behind:
                            ta |= RETRANSMISSION
            end = (seq + seglen) & mask
            segments = fwd.segments
            if (seglen or syn_fin) and len(segments) < MAX_UNACKED_SEGMENTS:
                if syn_fin:
                    end = (end + 1) & mask
                segments.append(end)
                fwd.unfiltered += 1
            if (not nextseq or 0 < ((end - nextseq) & mask) < half) and not ta & ZW_PROBE:
                fwd.nextseq = end
                fwd.nextseq_ts = ts
            if (not fwd.maxseqtobeacked or seq == fwd.maxseqtobeacked) and not ta & ZW_PROBE:
                fwd.maxseqtobeacked = fwd.nextseq
            fwd.window = window
            fwd.lastack = ack
            fwd.lastack_ts = ts
            acked = rev.segments
            if acked:  # drop the segments this acknowledges: those ending at or before the ACK
                if ack != rev.filtered_ack:
                    rev.segments = [e for e in acked if 0 < ((e - ack) & mask) < half]
                elif rev.unfiltered:  # the same ACK as before: only the segments added since
                    new = rev.unfiltered
                    acked[-new:] = [e for e in acked[-new:] if 0 < ((e - ack) & mask) < half]
                rev.filtered_ack = ack
                rev.unfiltered = 0
            fwd.lastflags = ta
            # the initial RTT, from the latest SYN to the first ACK after it, counts from the next frame
            if tf & _SYN:
                if not tf & _ACK:
                    st.syn_ts = ts
            elif tf & _ACK and not st.first_rtt and st.syn_ts:  # a zero delta is "not known" to tshark
                st.first_rtt = ts - st.syn_ts
            closing = 0
            if tf & _FIN:
                if rev.closing:
                    closing = CLOSING_PASSIVE
                else:
                    fwd.closing = True
                    closing = CLOSING_ACTIVE
            if ta or tf & _RST:
                c = counts[stream]
                for name, bit in _COUNTED:
                    if ta & bit:
                        setattr(c, name, getattr(c, name) + 1)
                if tf & _RST:
                    c.resets += 1
            if not keep or (keep == _NOTABLE and (ta or tf & STREAM_FLAGS or (ack and not tf & _ACK))):
                append(Analysed(frame, stream, ta, dup_num, dup_frame, tf, ack, sport, dport, closing))
        return out
