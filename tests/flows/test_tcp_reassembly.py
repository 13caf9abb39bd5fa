"""TcpReassembler: ordered delivery, reordering, retransmissions and overlaps (delivered bytes win),
wraparound, gaps after a flush, FIN/RST, idle timeout, the caps against floods and hostile jumps, the
counters; by hypothesis, any order and duplication of a stream's segments after its SYN; and, against
tcpflow, the bytes of a crafted capture with reordered and retransmitted segments."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import dpkt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pycapture.flows import Closed, Data, Fin, Flow, TcpReassembler
from pycapture.flows.tcp import ACK, FIN, RST, SEGMENT_OVERHEAD, SYN
from support import frames as f
from support.commands import tool

C, S = ("10.0.0.1", 40000), ("10.0.0.2", 80)
FLOW = Flow(C[0], C[1], S[0], S[1])


def _seg(
    r: TcpReassembler, seq: int, payload: bytes = b"", flags: int = ACK, ts: float = 0.0, back: bool = False
) -> None:
    a, b = (S, C) if back else (C, S)
    r.add(a[0], a[1], b[0], b[1], seq & 0xFFFFFFFF, 0, flags, payload, ts)


def _data(r: TcpReassembler) -> list[tuple[int, bytes, int]]:
    return [(e.direction, e.data, e.skipped) for e in r.events() if isinstance(e, Data)]


def test_ordered_delivery_both_directions_and_fin_close() -> None:
    r = TcpReassembler()
    _seg(r, 99, flags=SYN)
    _seg(r, 499, flags=SYN | ACK, back=True)
    _seg(r, 100, b"GET / HTTP/1.1\r\n")
    _seg(r, 500, b"HTTP/1.1 200 OK\r\n", back=True)
    _seg(r, 116, b"\r\n", flags=ACK | FIN)
    _seg(r, 517, flags=ACK | FIN, back=True)
    events = list(r.events())
    assert [e for e in events if isinstance(e, Data)] == [
        Data(FLOW, 0, b"GET / HTTP/1.1\r\n", 0, 0.0),
        Data(FLOW, 1, b"HTTP/1.1 200 OK\r\n", 0, 0.0),
        Data(FLOW, 0, b"\r\n", 0, 0.0),
    ]
    assert [e for e in events if isinstance(e, Fin)] == [Fin(FLOW, 0, 0.0), Fin(FLOW, 1, 0.0)]
    assert events[-1] == Closed(FLOW, "fin") and r.flow_count == 0
    _seg(r, 118)  # the last ACK: no flow again
    assert r.flow_count == 0 and r.stats.flows == 1


def test_a_syn_ack_first_names_the_client_as_the_other_side() -> None:
    r = TcpReassembler()
    _seg(r, 7, b"x", flags=SYN | ACK, back=True)
    assert list(r.events()) == [Data(FLOW, 1, b"x", 0, 0.0)]


def test_out_of_order_is_held_until_the_gap_fills() -> None:
    r = TcpReassembler()
    _seg(r, 0, flags=SYN)
    _seg(r, 7, b"world")
    _seg(r, 12, b"!")
    assert _data(r) == [] and r.held_bytes == 6 + 2 * SEGMENT_OVERHEAD
    _seg(r, 1, b"hello ")
    assert _data(r) == [(0, b"hello ", 0), (0, b"world", 0), (0, b"!", 0)]
    assert r.held_bytes == 0 and r.stats.out_of_order == 2


def test_retransmission_and_overlap_keep_the_bytes_already_delivered() -> None:
    r = TcpReassembler()
    _seg(r, 0, flags=SYN)
    _seg(r, 1, b"abcdef")
    _seg(r, 1, b"abcdef")  # a retransmission
    _seg(r, 4, b"XYZghi")  # overlaps "def" with other bytes: the delivered ones win
    _seg(r, 13, b"mn")  # held
    _seg(r, 11, b"QQQQ")  # held too, covering "mn": the lower sequence number wins
    _seg(r, 10, b"j")
    assert b"".join(d for _, d, _ in _data(r)) == b"abcdefghijQQQQ"
    s = r.stats
    assert s.retransmitted == 6 + 3 + 2 and s.overlaps == 1 and s.bytes_delivered == 14


def test_sequence_numbers_wrap() -> None:
    r = TcpReassembler()
    isn = 0xFFFFFFF0
    _seg(r, isn, flags=SYN)
    _seg(r, isn + 1 + 20, b"B" * 20)  # past 2**32: held
    _seg(r, isn + 1, b"A" * 20)
    _seg(r, isn + 1 + 40, b"C", flags=ACK | FIN)
    assert b"".join(d for _, d, _ in _data(r)) == b"A" * 20 + b"B" * 20 + b"C"
    assert r.stats.retransmitted == 0 and r.flow_count == 1


def test_data_on_syn_counts_from_isn_plus_one_and_retransmitted_syn_is_a_duplicate() -> None:
    r = TcpReassembler()
    _seg(r, 1000, b"fast open", flags=SYN)
    _seg(r, 1000, b"fast open", flags=SYN)
    _seg(r, 1010, b"!")
    assert _data(r) == [(0, b"fast open", 0), (0, b"!", 0)]


def test_midstream_start_then_gap_reported_after_flush() -> None:
    r = TcpReassembler()
    _seg(r, 5000, b"middle", ts=1.0)  # no SYN: starts here, what came before unknown
    _seg(r, 5006 + 100, b"after a gap", ts=2.0)
    _seg(r, 5006 + 300, b"later", ts=3.0)
    assert _data(r) == [(0, b"middle", -1)]
    assert r.flush_older_than(10.0) == 1
    events = list(r.events())
    assert [(e.data, e.skipped) for e in events if isinstance(e, Data)] == [
        (b"after a gap", 100),
        (b"later", 189),
    ]
    assert events[-1] == Closed(FLOW, "timeout")
    assert r.stats.gaps == 2 and r.stats.skipped_bytes == 289 and r.stats.timed_out == 1


def test_idle_timeout_closes_only_idle_flows() -> None:
    r = TcpReassembler()
    for port, ts in ((1, 1.0), (2, 5.0), (3, 9.0)):
        r.add("10.0.0.9", port, "10.0.0.2", 80, 0, 0, SYN, b"", ts)
    r.add("10.0.0.9", 1, "10.0.0.2", 80, 1, 0, ACK, b"x", 8.0)  # port 1 active again
    assert r.flush_older_than(6.0) == 1  # port 2 only
    closed = [e.flow.sport for e in r.events() if isinstance(e, Closed)]
    assert closed == [2] and r.flow_count == 2


def test_rst_closes_after_delivering_what_is_held() -> None:
    r = TcpReassembler()
    _seg(r, 0, flags=SYN)
    _seg(r, 11, b"tail")
    _seg(r, 20, flags=RST | ACK, back=True)  # from the server
    assert list(r.events())[-2:] == [Data(FLOW, 0, b"tail", 10, 0.0), Closed(FLOW, "rst")]
    r2 = TcpReassembler()
    _seg(r2, 0, flags=SYN)
    _seg(r2, 11, b"tail")
    _seg(r2, 1, flags=RST)
    events = list(r2.events())
    assert events == [Data(FLOW, 0, b"tail", 10, 0.0), Closed(FLOW, "rst")]
    _seg(r2, 1, flags=RST)  # the RST of a flow already closed: nothing
    assert r2.flow_count == 0 and list(r2.events()) == []


def test_fin_out_of_order_ends_its_direction_once_the_bytes_before_it_come() -> None:
    r = TcpReassembler()
    _seg(r, 0, flags=SYN)
    _seg(r, 4, b"def", flags=ACK | FIN)
    _seg(r, 1, b"abc")
    events = list(r.events())
    assert events == [Data(FLOW, 0, b"abc", 0, 0.0), Data(FLOW, 0, b"def", 0, 0.0), Fin(FLOW, 0, 0.0)]
    _seg(r, 4, b"def")  # after the FIN: a duplicate
    assert r.stats.retransmitted == 3


def test_byte_cap_flushes_the_flow_holding_longest() -> None:
    r = TcpReassembler(max_bytes=3 * (100 + SEGMENT_OVERHEAD))
    for port in (1, 2, 3, 4):
        r.add("10.0.0.9", port, "10.0.0.2", 80, 0, 0, SYN, b"", float(port))
        r.add("10.0.0.9", port, "10.0.0.2", 80, 51, 0, ACK, b"h" * 100, float(port))  # a 50-byte gap
        assert r.held_bytes <= r.max_bytes
    events = list(r.events())
    assert Data(Flow("10.0.0.9", 1, "10.0.0.2", 80), 0, b"h" * 100, 50, 1.0) in events
    assert Closed(Flow("10.0.0.9", 1, "10.0.0.2", 80), "cap") in events
    assert r.stats.flows_flushed_by_cap == 1 and r.flow_count == 3


def test_flow_cap_closes_the_least_recently_active() -> None:
    r = TcpReassembler(max_flows=2)
    r.add("a", 1, "b", 2, 0, 0, SYN, b"", 0.0)
    r.add("c", 1, "b", 2, 0, 0, SYN, b"", 1.0)
    r.add("a", 1, "b", 2, 1, 0, ACK, b"hi", 2.0)  # "a" is now the more recent
    r.add("d", 1, "b", 2, 0, 0, SYN, b"", 3.0)
    closed = [e.flow.src for e in r.events() if isinstance(e, Closed)]
    assert closed == ["c"] and r.flow_count == 2 and r.stats.flows_flushed_by_cap == 1


def test_hostile_jumps_and_tiny_segments_stay_bounded() -> None:
    cap = 64 << 10
    r = TcpReassembler(max_bytes=cap)
    _seg(r, 0, flags=SYN)
    rng = random.Random(3)
    for i in range(20000):
        _seg(r, rng.randrange(2, 1 << 30), b"z" * rng.choice((1, 1, 1460)))  # all ahead, never filled
        assert r.held_bytes <= cap
        if i % 100 == 0:
            _seg(r, 1 + (1 << 30) + 5, b"far")  # past the largest window: dropped
    assert r.stats.out_of_window > 0 and r.stats.flows_flushed_by_cap > 0
    skipped = [e.skipped for e in r.events() if isinstance(e, Data)]
    assert skipped and all(s >= -1 for s in skipped)  # -1: a flow closed by the cap starts again mid-stream


def test_syn_flood_stays_under_the_flow_cap() -> None:
    """A million half-open flows: never more open than the cap, nothing held (benchmarks/flows.py times
    it and measures the memory)."""
    cap, flows = 10_000, 1_000_000
    closed = []
    quiet = _Quiet(closed)
    r = TcpReassembler(lambda flow: quiet, max_flows=cap)
    addresses = [f"198.{18 + (i >> 16 & 1)}.{i >> 8 & 255}.{i & 255}" for i in range(1 << 17)]
    add = r.add
    for i in range(flows):
        add(addresses[i & 0x1FFFF], 1024 + (i >> 17), "10.0.0.2", 80, i, 0, SYN, b"", i * 1e-6)
    assert r.flow_count == cap and r.stats.flows_flushed_by_cap == flows - cap == len(closed)
    assert set(closed) == {"cap"} and r.held_bytes == 0 and len(r._flows) == 2 * cap


class _Quiet:
    def __init__(self, closed: list[str]) -> None:
        self.closed = closed

    def on_data(self, direction: int, data: bytes, skipped: int, ts: float) -> None:
        raise AssertionError("a SYN without data delivers nothing")

    def on_fin(self, direction: int, ts: float) -> None:
        raise AssertionError("no FIN was sent")

    def on_close(self, reason: str) -> None:
        self.closed.append(reason)


def test_counters_and_malformed_segments() -> None:
    r = TcpReassembler()
    r.add("a", 70000, "b", 80, 0, 0, SYN, b"", 0.0)  # port out of range
    r.add("a", 1, "b", 80, 1 << 32, 0, SYN, b"", 0.0)  # sequence number out of range
    r.add("a", 1, "b", 80, 0, 0, SYN, bytes(70000), 0.0)  # longer than an IP packet
    r.add("a", 1, "b", 80, 0, 0, SYN, b"", float("nan"))
    r.add("a", 1, "b", 80, 0, 0, SYN, bytearray(b"ok"), 0.0)  # bytes-like: fine
    assert r.stats.malformed == 4 and r.stats.segments == 5 and r.stats.bytes_delivered == 2
    r.add("a", 1, "b", 80, 0, 0, ACK, b"", 0.0)  # an empty ACK: counted, nothing else
    assert r.stats.segments == 6 and r.stats.flows == 1


def test_bad_arguments() -> None:
    r = TcpReassembler()
    with pytest.raises(TypeError, match="seq must be an int"):
        r.add("a", 1, "b", 2, "0", 0, SYN, b"", 0.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="payload must be bytes"):
        r.add("a", 1, "b", 2, 0, 0, SYN, "text", 0.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ts must be"):
        r.add("a", 1, "b", 2, 0, 0, SYN, b"", "now")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="src and dst"):
        r.add(None, 1, "b", 2, 0, 0, SYN, b"", 0.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        TcpReassembler(max_bytes="4M")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        TcpReassembler(max_flows=0)
    with pytest.raises(ValueError):
        TcpReassembler(max_window=1 << 31)
    with pytest.raises(TypeError):
        TcpReassembler(factory=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        r.flush_older_than("soon")  # type: ignore[arg-type]
    assert r.stats.segments == 0


class _Collect:
    def __init__(self, flow: Flow, log: list[tuple]) -> None:
        self.flow, self.log = flow, log

    def on_data(self, direction: int, data: bytes, skipped: int, ts: float) -> None:
        self.log.append(("data", self.flow.sport, direction, data, skipped))

    def on_fin(self, direction: int, ts: float) -> None:
        self.log.append(("fin", self.flow.sport, direction))

    def on_close(self, reason: str) -> None:
        self.log.append(("close", self.flow.sport, reason))


def test_a_factory_gets_the_same_calls_as_the_events() -> None:
    log: list[tuple] = []
    r = TcpReassembler(lambda flow: _Collect(flow, log))
    _seg(r, 0, flags=SYN)
    _seg(r, 4, b"def")
    _seg(r, 1, b"abc", flags=ACK)
    r.flush_all()
    assert log == [("data", 40000, 0, b"abc", 0), ("data", 40000, 0, b"def", 0), ("close", 40000, "flush")]
    assert list(r.events()) == []


def _cut(stream: bytes, rng: random.Random) -> list[tuple[int, bytes]]:
    pieces, at = [], 0
    while at < len(stream):
        size = rng.randint(1, 40)
        pieces.append((at, stream[at : at + size]))
        at += size
    return pieces


@settings(max_examples=200, deadline=None)
@given(
    st.binary(min_size=1, max_size=800),
    st.binary(max_size=300),
    st.integers(0, 0xFFFFFFFF),
    st.integers(0, 0xFFFFFFFF),
    st.randoms(use_true_random=False),
)
def test_any_order_and_duplication_after_the_syn_gives_the_stream(
    up: bytes, down: bytes, isn_c: int, isn_s: int, rng: random.Random
) -> None:
    segments: list[tuple[bool, int, bytes, int]] = []
    for back, isn, stream in ((False, isn_c, up), (True, isn_s, down)):
        pieces = [(back, isn + 1 + at, data, ACK) for at, data in _cut(stream, rng)]
        pieces.append((back, isn + 1 + len(stream), b"", ACK | FIN))
        segments += pieces + rng.sample(pieces, rng.randint(0, len(pieces)))  # some twice
        if rng.random() < 0.3 and stream:  # and a piece that straddles two others, same bytes
            a = rng.randrange(len(stream))
            segments.append((back, isn + 1 + a, stream[a : a + 50], ACK))
    rng.shuffle(segments)
    r = TcpReassembler()
    _seg(r, isn_c, flags=SYN)
    _seg(r, isn_s, flags=SYN | ACK, back=True)
    for back, seq, data, flags in segments:
        _seg(r, seq, data, flags, back=back)
    events = list(r.events())
    got = {d: b"".join(e.data for e in events if isinstance(e, Data) and e.direction == d) for d in (0, 1)}
    assert got == {0: up, 1: down}
    assert all(e.skipped == 0 for e in events if isinstance(e, Data))
    assert events[-1] == Closed(FLOW, "fin") and r.held_bytes == 0 and r.flow_count == 0


def test_tcpflow_reads_the_same_bytes(tmp_path: Path) -> None:
    """A crafted capture with reordered, duplicated and retransmitted segments (same bytes): tcpflow's
    files hold what the reassembler delivers."""
    rng = random.Random(7)
    up, down = bytes(rng.randrange(256) for _ in range(5000)), bytes(rng.randrange(256) for _ in range(3000))
    plan: list[tuple[bool, int, bytes, int]] = [(False, 1000, b"", SYN), (True, 9000, b"", SYN | ACK)]
    rest = []
    for back, isn, stream in ((False, 1000, up), (True, 9000, down)):
        pieces = [(back, isn + 1 + at, stream[at : at + 700], ACK) for at in range(0, len(stream), 700)]
        rest += pieces + rng.sample(pieces, 3)
    rng.shuffle(rest)
    plan += [*rest, (False, 1001 + len(up), b"", FIN | ACK), (True, 9001 + len(down), b"", FIN | ACK)]
    path = tmp_path / "flow.pcap"
    r = TcpReassembler()
    with path.open("wb") as out:
        writer = dpkt.pcap.Writer(out)
        for n, (back, seq, data, flags) in enumerate(plan):
            (a, ip_a), (b, ip_b) = ((S, f.IP_B), (C, f.IP_A)) if back else ((C, f.IP_A), (S, f.IP_B))
            tcp = dpkt.tcp.TCP(sport=a[1], dport=b[1], seq=seq, ack=0, flags=flags, data=data)
            ip = dpkt.ip.IP(src=ip_a, dst=ip_b, p=6, data=tcp)
            ip.len = 20 + len(bytes(tcp))
            writer.writepkt(f.ether(0x0800, bytes(ip)), ts=n)
            _seg(r, seq, data, flags, float(n), back)
    events = list(r.events())
    ours = {d: b"".join(e.data for e in events if isinstance(e, Data) and e.direction == d) for d in (0, 1)}
    assert ours == {0: up, 1: down}
    outdir = tmp_path / "out"
    outdir.mkdir()
    subprocess.run(
        [tool("tcpflow"), "-r", str(path), "-o", str(outdir)], check=True, capture_output=True, timeout=60
    )
    files = {p.name: p.read_bytes() for p in outdir.iterdir() if p.name[0].isdigit()}
    assert sorted(files.values(), key=len) == [down, up]
