"""pycapture.flows.flowtable: conversation records against tshark 4.0's ``-z conv,tcp`` / ``conv,udp``
tables, and Zeek's conn_state on crafted captures."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import dpkt
import pytest

pytest.importorskip("pyarrow")

import pyarrow as pa

from pycapture.flows.flowtable import FLOW_COLUMNS, FlowTable, read_flows
from pycapture.table import read_table
from support.frames import IP_A, IP_B, ether, tcp

CAPTURES = sorted((Path(__file__).parents[2] / "captures").glob("*.pcap"))
TSHARK = shutil.which("tshark")
RULE = "=" * 80


def _need_tshark() -> None:
    if TSHARK is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tshark is missing")
        pytest.skip("tshark is missing")


def _rows(table: pa.Table) -> list[dict]:
    """The rows as dicts, times as int64 ns (a datetime cannot hold nanoseconds)."""
    for name in ("ts", "last_ts"):
        if name in table.column_names:
            at = table.column_names.index(name)
            table = table.set_column(at, name, table.column(name).cast(pa.int64()))
    return table.to_pylist()


def _end(text: str) -> tuple[str, int]:
    address, port = text.rsplit(":", 1)
    return address, int(port)


def _conversations(path: Path) -> dict[str, list[tuple[tuple[str, int], tuple[str, int], list]]]:
    """tshark's rows by protocol: (A, B, [B->A frames, bytes, A->B frames, bytes]); a byte count it
    prints in other units than bytes is None."""
    args = [str(TSHARK), "-n", "-q", "-r", str(path), "-z", "conv,tcp", "-z", "conv,udp"]
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout
    tables: dict[str, list] = {}
    for block in out.split(RULE):
        lines = block.strip().splitlines()
        if not lines or not lines[0].endswith("Conversations"):
            continue
        rows = tables.setdefault(lines[0].split()[0].lower(), [])
        for line in lines[4:]:
            f = line.split()
            counts = []
            for frames, size, unit in ((f[3], f[4], f[5]), (f[6], f[7], f[8])):
                counts += [int(frames), int(size.replace(",", "")) if unit == "bytes" else None]
            rows.append((_end(f[0]), _end(f[2]), counts))
    return tables


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.name)
def test_counts_as_tshark_conversations(path: Path) -> None:
    _need_tshark()
    flows = _rows(read_flows(path))
    expected = _conversations(path)
    for proto in ("tcp", "udp"):
        ours = [r for r in flows if r["proto"] == proto]
        theirs = expected.get(proto, [])
        assert len(ours) == len(theirs), proto
        found = {}
        for r in ours:
            orig, resp = (r["orig_h"], r["orig_p"]), (r["resp_h"], r["resp_p"])
            o = [r["orig_pkts"], r["orig_ip_bytes"]]
            s = [r["resp_pkts"], r["resp_ip_bytes"]]
            found.setdefault((orig, resp), []).append(s + o)  # as tshark: <- (B to A) first
            found.setdefault((resp, orig), []).append(o + s)
        for a, b, counts in theirs:
            candidates = found.get((a, b), [])
            assert any(
                all(want is None or want == got for want, got in zip(counts, c, strict=True))
                for c in candidates
            ), (proto, a, b, counts, candidates)


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.name)
def test_community_id_of_first_frame(path: Path) -> None:
    flows = read_flows(path)
    assert flows.column_names == FLOW_COLUMNS
    frames = _rows(read_table(path, columns=FlowTable.columns))
    for r in _rows(flows):
        ends = {(r["orig_h"], r["orig_p"]), (r["resp_h"], r["resp_p"])}
        first = next(
            f
            for f in frames
            if f["ts"] == r["ts"] and {(f["ip_src"], f["src_port"]), (f["ip_dst"], f["dst_port"])} == ends
        )
        assert r["community_id"] == first["community_id"]


S, A, F, R, P = dpkt.tcp.TH_SYN, dpkt.tcp.TH_ACK, dpkt.tcp.TH_FIN, dpkt.tcp.TH_RST, dpkt.tcp.TH_PUSH


def _frame(forward: bool, flags: int, payload: bytes = b"") -> bytes:
    src, dst, sport, dport = (IP_A, IP_B, 40000, 80) if forward else (IP_B, IP_A, 80, 40000)
    ip = dpkt.ip.IP(src=src, dst=dst, p=dpkt.ip.IP_PROTO_TCP, ttl=64, data=tcp(sport, dport, flags, payload))
    return ether(0x0800, bytes(ip))


def _state(tmp_path: Path, frames: list[tuple[bool, int]]) -> dict:
    path = tmp_path / "crafted.pcap"
    with path.open("wb") as out:
        writer = dpkt.pcap.Writer(out, snaplen=65535)
        for i, (forward, flags) in enumerate(frames):
            writer.writepkt(_frame(forward, flags, b"x" if flags & P else b""), ts=1000 + i / 1000)
    rows = _rows(read_flows(path))
    assert len(rows) == 1
    return rows[0]


HANDSHAKE = [(True, S), (False, S | A), (True, A)]


@pytest.mark.parametrize(
    ("frames", "state"),
    [
        ([*HANDSHAKE, (True, P | A), (True, F | A), (False, F | A), (True, A)], "SF"),
        ([(True, S)], "S0"),
        ([(True, S), (False, R | A)], "REJ"),
        ([(True, P | A), (False, A)], "OTH"),
        ([*HANDSHAKE, (True, P | A), (True, R)], "RSTO"),
        ([*HANDSHAKE, (True, P | A), (False, R)], "RSTR"),
        ([*HANDSHAKE, (True, P | A)], "S1"),
    ],
    ids=["SF", "S0", "REJ", "OTH", "RSTO", "RSTR", "S1"],
)
def test_conn_state(tmp_path: Path, frames: list[tuple[bool, int]], state: str) -> None:
    row = _state(tmp_path, frames)
    assert row["conn_state"] == state
    assert (row["orig_h"], row["orig_p"], row["resp_p"]) == ("192.0.2.1", 40000, 80)
    assert row["orig_pkts"] == sum(forward for forward, _ in frames)
    assert row["orig_bytes"] == sum(1 for forward, f in frames if forward and f & P)


def test_syn_ack_first_makes_its_receiver_the_originator(tmp_path: Path) -> None:
    row = _state(tmp_path, [(False, S | A), (True, A)])
    assert (row["orig_h"], row["orig_p"], row["resp_h"], row["resp_p"]) == (
        "192.0.2.1",
        40000,
        "192.0.2.2",
        80,
    )


def test_feed_in_batches_matches_one_table() -> None:
    from pycapture.table import read_batches

    path = Path(__file__).parents[2] / "captures" / "mixed.pcap"
    table = FlowTable()
    for batch in read_batches(path, columns=FlowTable.columns, batch_size=2):
        table.feed(batch)
    assert table.to_arrow().equals(read_flows(path))


def test_cli_writes_the_flows_table(tmp_path: Path) -> None:
    """``pycapture flows --table X.parquet``: tcpflow's files and the conversations, as read_flows reads."""
    import pyarrow.parquet as pq

    from pycapture.flows import read_flows
    from support.commands import run_cli

    out = tmp_path / "flows.parquet"
    capture = Path(__file__).parents[2] / "captures" / "mixed.pcap"
    result = run_cli(
        "flows", "-r", str(capture), "-o", str(tmp_path / "files"), "--table", str(out), text=True
    )
    assert result.returncode == 0, result.stderr
    assert pq.read_table(out).equals(read_flows(str(capture)))
    assert any((tmp_path / "files").iterdir())
    bad = run_cli(
        "flows", "-r", str(capture), "-o", str(tmp_path / "files"), "--table", str(tmp_path / "x.txt")
    )
    assert bad.returncode == 2 and b"--table" in bad.stderr


# the analysis counts and the tshark fields whose frames they count
_ANALYSIS_FIELDS = {
    "retransmissions": "tcp.analysis.retransmission",
    "out_of_order": "tcp.analysis.out_of_order",
    "lost_segments": "tcp.analysis.lost_segment",
    "dup_acks": "tcp.analysis.duplicate_ack",
    "zero_windows": "tcp.analysis.zero_window",
}


@pytest.mark.parametrize("seed", [3, 7, 11])
def test_analysis_counts_per_stream_as_tshark(tmp_path: Path, seed: int) -> None:
    """Retransmissions, out-of-order segments and the other counts of each TCP row are the frames
    tshark's analysis flags in that tcp.stream, on seeded random traffic with every kind of loss."""
    _need_tshark()
    from flows.test_analysis import random_streams, write_pcap

    path = write_pcap(tmp_path / "random.pcap", random_streams(seed, 600), seed)
    fields = ["tcp.stream", "tcp.flags.reset", *_ANALYSIS_FIELDS.values()]
    args = [str(TSHARK), "-n", "-r", str(path), "-T", "fields", "-E", "occurrence=f", "-Y", "tcp"]
    args += ["-o", "tcp.desegment_tcp_streams:FALSE"]
    for field in fields:
        args += ["-e", field]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    expected: dict[int, dict[str, int]] = {}
    for line in out.splitlines():
        values = line.split("\t")
        counts = expected.setdefault(int(values[0]), dict.fromkeys([*_ANALYSIS_FIELDS, "resets"], 0))
        counts["resets"] += values[1] in ("1", "True")
        for name, value in zip(_ANALYSIS_FIELDS, values[2:], strict=True):
            counts[name] += value != ""
    rows = {r["stream"]: r for r in _rows(read_flows(path)) if r["proto"] == "tcp"}
    assert set(rows) == set(expected)
    assert sum(c["retransmissions"] for c in expected.values()) > 0  # the traffic has losses to count
    for stream, counts in expected.items():
        assert {name: rows[stream][name] for name in counts} == counts, stream


def test_udp_rows_have_no_analysis_counts() -> None:
    flows = [r for r in _rows(read_flows(CAPTURES[0].with_name("dns.pcap"))) if r["proto"] == "udp"]
    assert flows and all(r[name] is None for r in flows for name in (*_ANALYSIS_FIELDS, "resets"))
