"""One record per TCP or UDP conversation, as Zeek's ``conn.log``, as an Arrow table.

Feed :class:`FlowTable` the record batches of :func:`pycapture.table.read_batches` (with at least
:attr:`FlowTable.columns`) in frame order, then take :meth:`FlowTable.to_arrow`; :func:`read_flows` does
both for a capture. A conversation is an address and port pair, in either direction; a TCP one is also
split by its ``tcp.stream`` number (:class:`~pycapture.flows.streams.TcpStreams`), so a reused port pair
is a new record. Only frames whose ``protocols`` has tcp or udp right after the outermost IP layer count,
and a tunnelled frame counts by its outermost flow only (tshark counts each occurrence).
Rows are in order of first appearance.

========================  =====================  ==========================================================
column                    type                   meaning
========================  =====================  ==========================================================
``community_id``          string                 the Community ID of the conversation's first frame
``proto``                 string                 ``tcp`` or ``udp``
``stream``                int64                  ``tcp.stream`` for TCP; the UDP conversation's index for
                                                 UDP; each numbered from 0 by first appearance
``orig_h``                string                 the originator's address: the sender of the first frame
                                                 (the receiver when that frame is a SYN-ACK)
``orig_p``                uint16                 the originator's port
``resp_h``                string                 the responder's address
``resp_p``                uint16                 the responder's port
``ts``                    timestamp[ns, UTC]     the first frame's time
``last_ts``               timestamp[ns, UTC]     the last frame's time
``duration``              float64                ``last_ts`` less ``ts``, in seconds
``orig_pkts``             int64                  frames from the originator
``orig_bytes``            int64                  their payload bytes (sum of ``payload_len``)
``orig_ip_bytes``         int64                  their frame bytes (sum of ``len``, as tshark's
                                                 conversation table counts; not IP bytes as Zeek's)
``resp_pkts``             int64                  frames from the responder
``resp_bytes``            int64                  their payload bytes
``resp_ip_bytes``         int64                  their frame bytes
``conn_state``            string                 Zeek's state for TCP (below); null for UDP
``retransmissions``       int64                  TCP: frames tshark's analysis calls retransmissions
                                                 (``tcp.analysis.retransmission``: plain, fast and spurious,
                                                 :class:`~pycapture.flows.analysis.TcpAnalysis`); null for UDP
``out_of_order``          int64                  TCP: frames it calls out of order; null for UDP
``lost_segments``         int64                  TCP: frames after a gap ("previous segment not captured")
``dup_acks``              int64                  TCP: duplicate ACKs
``zero_windows``          int64                  TCP: segments advertising a zero window
``resets``                int64                  TCP: RST segments
========================  =====================  ==========================================================

``conn_state``, from the flags seen: ``S0`` a SYN, no reply; ``S1`` established (SYN, SYN-ACK), not
closed; ``SF`` established and a FIN each way; ``REJ`` a SYN answered by a RST; ``RSTO`` / ``RSTR``
established, then the originator / responder sent a RST; ``OTH`` anything else (no SYN seen: the
capture began mid-stream).
"""

from __future__ import annotations

from typing import Any

from ..protocols.numbers import TCP_FLAG_BITS
from .analysis import COLUMNS as ANALYSIS_COLUMNS
from .analysis import TcpAnalysis
from .stats import _layers
from .streams import TcpStreams, UdpStreams

_FIN = TCP_FLAG_BITS["F"]
_SYN = TCP_FLAG_BITS["S"]
_RST = TCP_FLAG_BITS["R"]
_ACK = TCP_FLAG_BITS["."]

ANALYSIS_COUNTS = ("retransmissions", "out_of_order", "lost_segments", "dup_acks", "zero_windows", "resets")
"""The per-stream counts of :class:`~pycapture.flows.analysis.StreamCounts` the table carries."""

FLOW_COLUMNS = [
    "community_id",
    "proto",
    "stream",
    "orig_h",
    "orig_p",
    "resp_h",
    "resp_p",
    "ts",
    "last_ts",
    "duration",
    "orig_pkts",
    "orig_bytes",
    "orig_ip_bytes",
    "resp_pkts",
    "resp_bytes",
    "resp_ip_bytes",
    "conn_state",
    *ANALYSIS_COUNTS,
]
"""The output columns, in order."""


class _Flow:
    __slots__ = (
        "cid", "counts", "fin", "first", "last", "orig", "proto",
        "replied", "resp", "rst", "stream", "syn", "synack",
    )  # fmt: skip

    def __init__(self, cid: Any, proto: str, stream: int, orig: tuple[Any, Any], resp: tuple[Any, Any]):
        self.cid = cid
        self.proto = proto
        self.stream = stream
        self.orig = orig
        self.resp = resp
        self.first: int | None = None
        self.last: int | None = None
        self.counts = [0, 0, 0, 0, 0, 0]  # orig pkts, bytes, frame bytes; resp the same
        self.syn = False  # the originator sent a SYN without ACK
        self.synack = False  # the responder sent a SYN-ACK
        self.fin = [False, False]
        self.rst = [False, False]
        self.replied = False

    def add(self, from_orig: bool, payload: int, length: int, ts: int | None, flags: int) -> None:
        at = 0 if from_orig else 3
        counts = self.counts
        counts[at] += 1
        counts[at + 1] += payload
        counts[at + 2] += length
        if ts is not None:
            if self.first is None or ts < self.first:
                self.first = ts
            if self.last is None or ts > self.last:
                self.last = ts
        if self.proto != "tcp":
            return
        side = 0 if from_orig else 1
        if not from_orig:
            self.replied = True
        if flags & _SYN:
            if flags & _ACK:
                self.synack = self.synack or not from_orig
            elif from_orig:
                self.syn = True
        if flags & _FIN:
            self.fin[side] = True
        if flags & _RST:
            self.rst[side] = True

    def state(self) -> str | None:
        if self.proto != "tcp":
            return None
        if not self.syn:
            return "OTH"
        if not self.synack:
            if self.rst[1]:
                return "REJ"
            return "S0" if not self.replied else "OTH"
        if self.rst[0]:
            return "RSTO"
        if self.rst[1]:
            return "RSTR"
        if self.fin[0] and self.fin[1]:
            return "SF"
        return "S1"


class FlowTable:
    """Conversation records filled from table batches by :meth:`feed`; :meth:`to_arrow` gives them."""

    _OWN = (
        "ts",
        "len",
        "ip_src",
        "ip_dst",
        "src_port",
        "dst_port",
        "tcp_flags",
        "tcp_seq",
        "tcp_ack",
        "payload_len",
        "community_id",
        "protocols",
    )
    columns = tuple(dict.fromkeys((*_OWN, *ANALYSIS_COLUMNS)))
    """The table columns :meth:`feed` reads."""

    def __init__(self) -> None:
        self._streams = TcpStreams()
        self._analysis = TcpAnalysis()
        self._flows: list[_Flow] = []
        self._tcp: dict[int, _Flow] = {}
        self._udp_streams = UdpStreams()
        self._udp: dict[int, _Flow] = {}
        self._layer_cache: dict[str | None, str | None] = {}

    def feed(self, batch: Any) -> None:
        """Count the frames of one Arrow record batch, in frame order."""
        import pyarrow as pa

        if batch.num_rows == 0:
            return
        self._analysis.update(batch)
        ts = batch.column("ts").cast(pa.int64()).to_pylist()
        lists = [batch.column(name).to_pylist() for name in self._OWN[1:]]
        cache = self._layer_cache
        stream = self._streams.stream
        for t, n, src, dst, sp, dp, flags, seq, ack, plen, cid, protos in zip(ts, *lists, strict=True):
            kind = cache.get(protos, "?")
            if kind == "?":
                kind = cache[protos] = _layers(protos)[3]
            if kind is None or src is None or sp is None:
                continue
            f = flags or 0
            if kind == "tcp":
                if flags is None or seq is None or ack is None:
                    continue  # a TCP header cut short: no stream, as tshark (and TcpAnalysis) count it
                number = stream(src, sp, dst, dp, f, seq, ack)
                flow = self._tcp.get(number)
                if flow is None:
                    flow = self._start(cid, "tcp", number, src, sp, dst, dp, f)
                    self._tcp[number] = flow
            else:
                number = self._udp_streams.stream(src, sp, dst, dp)
                flow = self._udp.get(number)
                if flow is None:
                    flow = self._start(cid, "udp", number, src, sp, dst, dp, 0)
                    self._udp[number] = flow
            flow.add(flow.orig == (src, sp), plen or 0, n or 0, t, f)

    def _start(
        self, cid: Any, proto: str, number: int, src: Any, sp: Any, dst: Any, dp: Any, flags: int
    ) -> _Flow:
        if flags & (_SYN | _ACK) == _SYN | _ACK:  # a SYN-ACK first: its receiver sent the SYN
            flow = _Flow(cid, proto, number, (dst, dp), (src, sp))
        else:
            flow = _Flow(cid, proto, number, (src, sp), (dst, dp))
        self._flows.append(flow)
        return flow

    def to_arrow(self) -> Any:
        """The records as a ``pyarrow.Table`` with :data:`FLOW_COLUMNS`."""
        import pyarrow as pa

        flows = self._flows
        stamp = pa.timestamp("ns", tz="UTC")
        first = [f.first for f in flows]
        last = [f.last for f in flows]
        data = {
            "community_id": pa.array([f.cid for f in flows], pa.string()),
            "proto": pa.array([f.proto for f in flows], pa.string()),
            "stream": pa.array([f.stream for f in flows], pa.int64()),
            "orig_h": pa.array([f.orig[0] for f in flows], pa.string()),
            "orig_p": pa.array([f.orig[1] for f in flows], pa.uint16()),
            "resp_h": pa.array([f.resp[0] for f in flows], pa.string()),
            "resp_p": pa.array([f.resp[1] for f in flows], pa.uint16()),
            "ts": pa.array(first, pa.int64()).cast(stamp),
            "last_ts": pa.array(last, pa.int64()).cast(stamp),
            "duration": pa.array(
                [None if a is None or b is None else (b - a) / 1e9 for a, b in zip(first, last, strict=True)],
                pa.float64(),
            ),
        }
        names = ("orig_pkts", "orig_bytes", "orig_ip_bytes", "resp_pkts", "resp_bytes", "resp_ip_bytes")
        for i, name in enumerate(names):
            data[name] = pa.array([f.counts[i] for f in flows], pa.int64())
        data["conn_state"] = pa.array([f.state() for f in flows], pa.string())
        counts = [self._analysis.counts(f.stream) if f.proto == "tcp" else None for f in flows]
        for name in ANALYSIS_COUNTS:
            data[name] = pa.array([None if c is None else getattr(c, name) for c in counts], pa.int64())
        return pa.table(data)


def read_flows(source: Any) -> Any:
    """The conversation records of ``source`` (anything :func:`pycapture.table.read_batches` reads)."""
    from ..table import read_batches

    table = FlowTable()
    for batch in read_batches(source, columns=FlowTable.columns):
        table.feed(batch)
    return table.to_arrow()
