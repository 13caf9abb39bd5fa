"""Speed and memory of TCP reassembly (issue 18): ``pycapture.flows.TcpReassembler``.

    .venv/bin/python benchmarks/flows.py [--connections N] [--rounds R] [--flood N]

1. Rate: segments of ``--connections`` TCP connections (SYN, SYN-ACK, a request and a response of
   1-1460-byte segments, FIN both ways), 64 open at any time and their segments interleaved, about 3%
   of the segments swapped with the next one of their direction and 1% sent twice. The segments are made
   first; the time is that of the loop of ``add`` calls only, as the median of ``--rounds`` rounds,
   with callbacks (a factory whose streams do nothing) and with events (read with ``events()`` every
   1,000 segments).
2. SYN flood: ``--flood`` half-open flows (one SYN each, from distinct addresses) into a reassembler
   with the default flow cap; the time of each 100,000 flows, before and after the cap is reached, and
   the process's RSS (VmRSS, VmHWM from /proc/self/status) before and after.

Prints Markdown tables. This is a benchmark, not a test: it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from pycapture.flows import Flow, TcpReassembler
from pycapture.flows.tcp import ACK, FIN, SYN

Segment = tuple[str, int, str, int, int, int, int, bytes, float]
MSS = 1460


class _Quiet:
    """A stream that drops what it is given (the cost measured is the reassembler's)."""

    __slots__ = ()

    def on_data(self, direction: int, data: bytes, skipped: int, ts: float) -> None:
        pass

    def on_fin(self, direction: int, ts: float) -> None:
        pass

    def on_close(self, reason: str) -> None:
        pass


_QUIET = _Quiet()


def _quiet(flow: Flow) -> _Quiet:
    return _QUIET


def _connection(
    rng: random.Random, n: int, pool: bytes
) -> list[tuple[int, str, int, str, int, int, int, bytes]]:
    """One connection's segments in send order, each with its direction (0 client, 1 server)."""
    client, server = f"192.168.{n >> 8 & 255}.{n & 255}", f"203.0.113.{n % 200 + 1}"
    cport, sport = 1024 + n % 60000, rng.choice((80, 443, 8080))
    isn = [rng.randrange(1 << 32), rng.randrange(1 << 32)]
    nxt = [isn[0] + 1, isn[1] + 1]
    ends = [(client, cport, server, sport), (server, sport, client, cport)]
    out = [(0, *ends[0], isn[0], 0, SYN, b""), (1, *ends[1], isn[1], isn[0] + 1, SYN | ACK, b"")]
    for side, total in ((0, rng.randint(1, 3 * MSS)), (1, rng.randint(1, 40 * MSS))):
        while total > 0:
            size = min(total, rng.choice((MSS, MSS, MSS, rng.randint(1, MSS))))
            at = rng.randrange(len(pool) - size)
            out.append((side, *ends[side], nxt[side] & 0xFFFFFFFF, 0, ACK, pool[at : at + size]))
            nxt[side] += size
            total -= size
    out += [(side, *ends[side], nxt[side] & 0xFFFFFFFF, 0, FIN | ACK, b"") for side in (0, 1)]
    for i in range(2, len(out) - 3):
        roll = rng.random()
        if roll < 0.03 and out[i][0] == out[i + 1][0]:
            out[i], out[i + 1] = out[i + 1], out[i]
        elif roll < 0.04:
            out.insert(i + 1, out[i])
    return out


def make_segments(connections: int, seed: int = 1) -> list[Segment]:
    """The segments of ``connections`` connections, 64 of them interleaved at a time."""
    rng = random.Random(seed)
    pool = rng.randbytes(1 << 16)
    pending = [_connection(rng, n, pool) for n in range(connections)]
    segments: list[Segment] = []
    open_now: list[list] = []
    ts = 0.0
    while pending or open_now:
        while pending and len(open_now) < 64:
            open_now.append(pending.pop())
        conn = rng.choice(open_now)
        _side, src, sport, dst, dport, seq, ack, flags, payload = conn.pop(0)
        ts += 1e-5
        segments.append((src, sport, dst, dport, seq, ack, flags, payload, ts))
        if not conn:
            open_now.remove(conn)
    return segments


def rate(segments: list[Segment], events: bool) -> float:
    """Segments per second of one pass."""
    r = TcpReassembler() if events else TcpReassembler(_quiet)
    add = r.add
    start = time.perf_counter()
    if events:
        for i, seg in enumerate(segments):
            add(*seg)
            if not i % 1000:
                for _ in r.events():
                    pass
    else:
        for seg in segments:
            add(*seg)
    r.flush_all()
    elapsed = time.perf_counter() - start
    assert r.stats.segments == len(segments) and r.stats.skipped_bytes == 0, r.stats
    return len(segments) / elapsed


def _status() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in kB."""
    lines = Path("/proc/self/status").read_text().splitlines()
    return {
        k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in lines) if k in ("VmRSS", "VmHWM")
    }


def flood(flows: int) -> None:
    """Half-open flows past the flow cap: time per 100k flows and RSS."""
    r = TcpReassembler(_quiet)
    cap = r.max_flows
    addresses = [f"198.{18 + (i >> 16 & 1)}.{i >> 8 & 255}.{i & 255}" for i in range(1 << 17)]
    bounds = sorted({0, cap, *range(cap + 100_000, flows, 100_000), flows})
    before = _status()
    rows = []
    for first, last in zip(bounds, bounds[1:]):
        add = r.add
        start = time.perf_counter()
        for i in range(first, last):
            add(
                addresses[i & 0x1FFFF],
                1024 + (i >> 17),
                "10.0.0.2",
                80,
                i & 0xFFFFFFFF,
                0,
                SYN,
                b"",
                i * 1e-6,
            )
        elapsed = time.perf_counter() - start
        rows.append((first, last, elapsed * 100_000 / (last - first), r.flow_count, _status()))
    after = _status()
    print(f"\nSYN flood: {flows:,} half-open flows, flow cap {cap:,} (the default).\n")
    print("| flows | s per 100k flows | flows open | VmRSS MB | VmHWM MB |")
    print("|---:|---:|---:|---:|---:|")
    for first, last, per, open_now, status in rows:
        rss, hwm = status["VmRSS"] / 1024, status["VmHWM"] / 1024
        print(f"| {first:,}-{last:,} | {per:.3f} | {open_now:,} | {rss:.1f} | {hwm:.1f} |")
    over = statistics.median([per for first, _, per, _, _ in rows if first >= cap] or [float("nan")])
    rss = f"VmRSS {before['VmRSS'] / 1024:.1f} -> {after['VmRSS'] / 1024:.1f} MB"
    hwm = f"VmHWM {before['VmHWM'] / 1024:.1f} -> {after['VmHWM'] / 1024:.1f} MB"
    print(f"\nBefore the cap {rows[0][2]:.3f} s per 100k flows, after it {over:.3f} s (median).")
    print(f"Closed by the cap: {r.stats.flows_flushed_by_cap:,}. {rss}, {hwm}.")


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--connections", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flood", type=int, default=1_000_000, help="half-open flows (0: skip)")
    args = parser.parse_args()
    if args.flood:  # first, so that the RSS is not the segments'
        flood(args.flood)
    segments = make_segments(args.connections)
    payload = sum(len(s[7]) for s in segments)
    version = sys.version.split()[0]
    print(f"\nRate: {len(segments):,} segments of {args.connections:,} connections", end=" ")
    print(f"({payload / 1e6:.1f} MB of payload), median of {args.rounds} rounds, Python {version}.\n")
    print("| delivery | segments/s | rounds |")
    print("|---|---:|---|")
    for events in (False, True):
        rounds = [rate(segments, events) for _ in range(args.rounds)]
        name = "events()" if events else "callbacks (factory)"
        print(f"| {name} | {statistics.median(rounds):,.0f} | {', '.join(f'{x:,.0f}' for x in rounds)} |")


if __name__ == "__main__":
    main()
