"""TCP sequence analysis (``tcp.analysis.*``) held to tshark 4.0's, frame by frame.

The project's captures, every shared-corpus file with TCP, crafted streams exercising each flag, and
seeded random streams (losses, retransmissions, zero windows, keep-alives, sequence wrap) are analysed by
:class:`pycapture.flows.analysis.TcpAnalysis` and by tshark (``-T fields`` of the flags, the stream and
the duplicate-ACK number and frame); every frame must agree, except in the files :data:`DIFFERENCES`
lists with their reason. ``window_full`` is left out of every comparison (the analysis does not give it).
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import socket
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow")

import dpkt

from pycapture.flows.analysis import COLUMNS, FLAG_NAMES, MAX_UNACKED_SEGMENTS, TcpAnalysis
from pycapture.table import read_batches

ROOT = Path(__file__).parents[2]
CAPTURES = ROOT / "captures"
CORPUS = ROOT.parent / "shared" / "corpus"
TSHARK = shutil.which("tshark")
COMPARED = tuple(n for n in FLAG_NAMES if n != "window_full")
FIELDS = ["frame.number", "tcp.stream", *(f"tcp.analysis.{n}" for n in COMPARED)]
FIELDS += ["tcp.analysis.duplicate_ack_num", "tcp.analysis.duplicate_ack_frame"]
TUNNEL = "TCP inside a tunnel (only TCP right after the outermost IP header is analysed), which also "
TUNNEL += "shifts tshark's tcp.stream numbers"
DIFFERENCES = {
    "dpkt-nb6-http.pcap": TUNNEL + " (IPv6 in L2TP)",
    "geneve-gcp.pcap": TUNNEL + " (Geneve)",
    "gso-ipv4-vxlan-ipv6.pcap": TUNNEL + " (VXLAN)",
    "gso-ipv6-geneve-ipv4.pcap": TUNNEL + " (Geneve)",
    "gso-ipv6-geneve-ipv6.pcap": TUNNEL + " (Geneve)",
    "gso-ipv6-vxlan-ipv6.pcap": TUNNEL + " (VXLAN)",
    "libpcap-AH-IPcomp-IPv4.pcap": TUNNEL + " (IP in IPComp behind AH)",
    "libpcap-geneve.pcap": TUNNEL + " (Geneve)",
    "sflow_expanded.pcap": TUNNEL + " (a header sFlow samples)",
    "bigtcp-ipv6.pcap": "an IPv6 jumbogram (BIG TCP): tshark 4.0 finds it malformed and gives no TCP",
    "kday4.pcap": "frame 10's IP total length exceeds the frame: the table's payload_len follows the IP "
    "header (768), tshark's tcp.len the bytes captured (0), so tshark sees a duplicate ACK",
    "kday7.pcap": "as kday4.pcap (the same frame 10)",
}
"""Files whose frames may differ, with the reason."""


def _need_tshark() -> None:
    """tshark (and mergecap, which comes with it) or a skip; a failure on CI."""
    if TSHARK is None or shutil.which("mergecap") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tshark or mergecap is missing")
        pytest.skip("tshark or mergecap is missing")


Row = tuple[int, frozenset[str], int, int]


def theirs(path: Path) -> dict[int, Row]:
    """tshark's analysis of every TCP frame: frame -> (stream, flags, dup-ACK number, dup-ACK frame)."""
    args = [str(TSHARK), "-n", "-r", str(path), "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"]
    args += ["-o", "tcp.desegment_tcp_streams:FALSE", "-o", "tcp.relative_sequence_numbers:TRUE"]
    args += ["-T", "fields", "-E", "occurrence=f", "-E", "separator=\t"]
    for field in FIELDS:
        args += ["-e", field]
    out = subprocess.run(args, capture_output=True, text=True, check=False, timeout=120).stdout
    rows = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != len(FIELDS) or not parts[1]:
            continue
        flags = frozenset(n for n, v in zip(COMPARED, parts[2:-2]) if v)
        rows[int(parts[0])] = (int(parts[1]), flags, int(parts[-2] or 0), int(parts[-1] or 0))
    return rows


def ours(path: Path, batch_size: int = 65536) -> dict[int, Row]:
    """The same from :class:`TcpAnalysis`."""
    return ours_many([path], batch_size)[0]


def ours_many(paths: list[Path], batch_size: int = 65536) -> tuple[dict[int, Row], list[int]]:
    """The same for ``paths`` read one after the other by one :class:`TcpAnalysis`, as ``mergecap -a``
    joins them: frames numbered on from file to file; and the number of each file's first frame."""
    analysis, rows, firsts, offset = TcpAnalysis(), {}, [], 0
    for path in paths:
        firsts.append(offset + 1)
        count = 0
        for batch in read_batches(str(path), columns=COLUMNS, batch_size=batch_size):
            count += batch.num_rows
            for r in analysis.feed(batch):
                dup_frame = r.dup_ack_frame + offset if r.dup_ack_frame else 0
                rows[r.frame + offset] = (r.stream, r.flags, r.dup_ack_num, dup_frame)
        offset += count
    return rows, firsts


def theirs_merged(paths: list[Path], where: Path) -> dict[int, Row]:
    """tshark's analysis of ``paths`` joined into one file (one tshark run for them all)."""
    if len(paths) == 1:
        return theirs(paths[0])
    merged = where / "merged.pcapng"
    subprocess.run(["mergecap", "-a", "-F", "pcapng", "-w", str(merged), *map(str, paths)], check=True)
    return theirs(merged)


def differing(paths: list[Path], want: dict[int, Row]) -> list[str]:
    """The frames of ``paths`` (joined) where :func:`ours_many` differs from ``want``."""
    got, firsts = ours_many(paths)
    out = []
    for k in sorted(set(want) | set(got)):
        if want.get(k) != got.get(k):
            at = max(i for i, first in enumerate(firsts) if first <= k)
            out.append(f"{paths[at].name} frame {k - firsts[at] + 1}: tshark {want.get(k)} ours {got.get(k)}")
    return out


def _whole_with_tcp(path: Path) -> bool:
    """Whether ``path`` has TCP and reads to its end."""
    tcp = False
    try:
        for batch in read_batches(str(path), columns=["protocols"]):
            tcp = tcp or any("tcp" in (p or "").split(":") for p in batch.column(0).to_pylist())
    except Exception:  # a file the reader refuses part-way
        return False
    return tcp


def corpus_files() -> list[Path]:
    """The corpus files tshark reads that have TCP (and read to their end)."""
    manifest = CORPUS / "MANIFEST.tsv"
    with manifest.open() as f:
        files = [CORPUS / r["file"] for r in csv.DictReader(f, delimiter="\t") if r["tshark_exit"] == "0"]
    return [p for p in files if _whole_with_tcp(p)]


def _conversations(path: Path) -> set[tuple[Any, ...]]:
    """The TCP address and port pairs of ``path`` (either way round)."""
    pairs = set()
    for batch in read_batches(str(path), columns=["ip_src", "src_port", "ip_dst", "dst_port", "tcp_flags"]):
        for a, pa_, b, pb, flags in zip(*(c.to_pylist() for c in batch.columns)):
            if flags is not None:
                pairs.add((a, pa_, b, pb) if (a, pa_) <= (b, pb) else (b, pb, a, pa_))
    return pairs


def batches(files: list[Path]) -> list[list[Path]]:
    """``files`` in groups that share no TCP conversation, so that joined they analyse as alone."""
    groups: list[tuple[list[Path], set[tuple[Any, ...]]]] = []
    for path in files:
        pairs = _conversations(path)
        for members, seen in groups:
            if not pairs & seen:
                members.append(path)
                seen |= pairs
                break
        else:
            groups.append(([path], set(pairs)))
    return [members for members, _ in groups]


def compare_all(files: list[Path], where: Path) -> tuple[list[str], list[str]]:
    """(unexpected differences, listed files that no longer differ) over ``files``: those not listed
    in :data:`DIFFERENCES` joined in a few groups, one tshark run each; the listed ones one by one."""
    plain = [p for p in files if p.name not in DIFFERENCES]
    listed = [p for p in files if p.name in DIFFERENCES]
    groups = batches(plain)
    dirs = [where / f"group{i}" for i in range(len(groups))]
    for d in dirs:
        d.mkdir()
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        merged = list(pool.map(theirs_merged, groups, dirs))
        wanted = list(pool.map(theirs, listed))
    unexpected = [line for group, want in zip(groups, merged, strict=True) for line in differing(group, want)]
    fixed = [p.name for p, want in zip(listed, wanted, strict=True) if not differing([p], want)]
    return unexpected, fixed


def test_corpus_flags_as_tshark(tmp_path: Path) -> None:
    _need_tshark()
    if not CORPUS.exists() and os.environ.get("CI") != "true":
        pytest.skip("the shared corpus is absent")
    files = corpus_files()
    assert len(files) > 50
    unexpected, fixed = compare_all(files, tmp_path)
    assert not unexpected, "\n".join(unexpected[:20])
    assert not fixed, f"now the same as tshark, drop from DIFFERENCES: {fixed}"
    assert all(reason for reason in DIFFERENCES.values())


def test_captures_flags_as_tshark(tmp_path: Path) -> None:
    _need_tshark()
    files = sorted(p for p in CAPTURES.iterdir() if p.suffix in (".pcap", ".pcapng"))
    for path in files:
        assert not differing([path], theirs(path))


# --- crafted streams ------------------------------------------------------------------------------

C, S = 1000, 5000  # the ISNs of most crafted streams
Seg = tuple[Any, ...]  # (time, direction 0 client->server 1 back, flags, seq, ack, window, length[, port])
_FLAG_LETTERS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}


def write_pcap(path: Path, segments: Iterable[Seg], net: int = 0) -> Path:
    """Ethernet/IPv4/TCP frames of ``segments`` into a nanosecond pcap, between 10.``net``.0.1 (the
    client) and 10.``net``.0.2."""
    with path.open("wb") as f:
        writer = dpkt.pcap.Writer(f, snaplen=65535, nano=True)
        for t, d, letters, seq, ack, window, length, *rest in segments:
            port = rest[0] if rest else 40000
            tcp = dpkt.tcp.TCP(
                sport=port if d == 0 else 80,
                dport=80 if d == 0 else port,
                seq=seq & 0xFFFFFFFF,
                ack=ack & 0xFFFFFFFF,
                flags=sum(_FLAG_LETTERS[c] for c in letters),
                win=window,
                data=b"x" * length,
            )
            client, server = f"10.{net}.0.1", f"10.{net}.0.2"
            src, dst = (client, server) if d == 0 else (server, client)
            ip = dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=6, data=tcp)
            ip.len = 20 + len(bytes(tcp))
            frame = dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\x04" * 6, type=0x800, data=ip)
            writer.writepkt(bytes(frame), ts=t)
    return path


def handshake(c: int = C, s: int = S, t: float = 0.0, port: int = 40000) -> list[Seg]:
    return [
        (t, 0, "S", c, 0, 64000, 0, port),
        (t + 0.01, 1, "SA", s, c + 1, 64000, 0, port),
        (t + 0.02, 0, "A", c + 1, s + 1, 64000, 0, port),
    ]


M32 = 0xFFFFFFFF
CRAFTED: dict[str, tuple[list[Seg], dict[int, set[str]]]] = {
    # name: (segments, {frame: flags}) - frames not listed have no flag
    "retransmission": (
        [*handshake(), (1.0, 0, "PA", C + 1, S + 1, 64000, 100), (2.0, 0, "PA", C + 1, S + 1, 64000, 100)],
        {5: {"retransmission"}},
    ),
    "out_of_order": (
        [
            *handshake(),
            (1.0, 0, "PA", C + 101, S + 1, 64000, 100),
            (1.001, 0, "PA", C + 1, S + 1, 64000, 100),
        ],
        {4: {"lost_segment"}, 5: {"out_of_order"}},
    ),
    "dup_acks_fast_retransmission": (
        [
            *handshake(),
            (1.0, 0, "PA", C + 1, S + 1, 64000, 100),
            (1.001, 0, "PA", C + 201, S + 1, 64000, 100),  # 101..201 lost
            (1.03, 1, "A", S + 1, C + 101, 64000, 0),
            (1.031, 1, "A", S + 1, C + 101, 64000, 0),
            (1.032, 1, "A", S + 1, C + 101, 64000, 0),
            (1.033, 1, "A", S + 1, C + 101, 64000, 0),
            (1.035, 0, "PA", C + 101, S + 1, 64000, 100),
        ],
        {
            5: {"lost_segment"},
            7: {"duplicate_ack"},
            8: {"duplicate_ack"},
            9: {"duplicate_ack"},
            10: {"fast_retransmission", "retransmission"},
        },
    ),
    "zero_window_probe": (
        [
            *handshake(),
            (1.0, 0, "PA", C + 1, S + 1, 64000, 10),
            (1.01, 1, "A", S + 1, C + 11, 0, 0),
            (2.0, 0, "PA", C + 11, S + 1, 64000, 1),
            (2.01, 1, "A", S + 1, C + 11, 0, 0),
            (3.0, 1, "A", S + 1, C + 11, 8000, 0),
        ],
        {
            5: {"zero_window"},
            6: {"zero_window_probe"},
            7: {"zero_window", "zero_window_probe_ack"},
            8: {"window_update"},
        },
    ),
    "keep_alive": (
        [
            *handshake(),
            (1.0, 0, "PA", C + 1, S + 1, 64000, 10),
            (1.01, 1, "A", S + 1, C + 11, 64000, 0),
            (60.0, 0, "A", C + 10, S + 1, 64000, 0),
            (60.01, 1, "A", S + 1, C + 11, 64000, 0),
            (120.0, 0, "A", C + 10, S + 1, 64000, 1),
        ],
        {6: {"keep_alive"}, 7: {"keep_alive_ack"}, 8: {"keep_alive"}},
    ),
    "window_update_and_rst": (
        [
            *handshake(),
            (1.0, 1, "A", S + 1, C + 1, 32000, 0),
            (1.1, 1, "A", S + 1, C + 1, 48000, 0),
            (2.0, 0, "RA", C + 1, S + 1, 0, 0),
        ],
        {4: {"window_update"}, 5: {"window_update"}},
    ),
    "sequence_wrap": (
        [
            *handshake(M32 - 50, M32 - 10),
            (1.0, 0, "PA", M32 - 49, M32 - 9, 64000, 100),  # 4294967246 .. 49 after the wrap
            (1.001, 0, "PA", 50, M32 - 9, 64000, 100),
            (1.03, 1, "A", M32 - 9, 150, 64000, 0),
            (2.0, 0, "PA", 50, M32 - 9, 64000, 100),
            (3.0, 0, "PA", 250, M32 - 9, 64000, 100),
            (3.01, 1, "A", M32 - 9, 450, 64000, 0),
        ],
        {7: {"spurious_retransmission", "retransmission"}, 8: {"lost_segment"}, 9: {"ack_lost_segment"}},
    ),
    "acked_unseen_and_reused_ports": (
        [
            *handshake(),
            (1.0, 0, "PA", C + 1, S + 1, 64000, 100),
            (1.1, 1, "A", S + 1, C + 301, 64000, 0),
            (1.2, 1, "A", S + 1, C + 401, 64000, 0),  # the same gap: reported once
            (2.0, 0, "FA", C + 101, S + 1, 64000, 0),
            (2.1, 1, "FA", S + 1, C + 401, 64000, 0),
            *handshake(C + 7777, S + 7777, 3.0),
        ],
        {5: {"ack_lost_segment"}, 9: {"reused_ports"}},
    ),
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_flags(name: str, tmp_path: Path) -> None:
    segments, expected = CRAFTED[name]
    path = write_pcap(tmp_path / f"{name}.pcap", segments)
    got = ours(path)
    assert {frame: set(row[1]) for frame, row in got.items() if row[1]} == expected
    if TSHARK is not None or os.environ.get("CI") == "true":
        _need_tshark()
        assert got == theirs(path)


def test_duplicate_ack_number_and_frame(tmp_path: Path) -> None:
    segments, _ = CRAFTED["dup_acks_fast_retransmission"]
    got = ours(write_pcap(tmp_path / "dup.pcap", segments))
    assert [got[f][2:] for f in (7, 8, 9)] == [(1, 6), (2, 6), (3, 6)]


def test_batches_do_not_change_the_result(tmp_path: Path) -> None:
    segments, _ = CRAFTED["dup_acks_fast_retransmission"]
    path = write_pcap(tmp_path / "dup.pcap", segments)
    assert ours(path, batch_size=1) == ours(path) == ours(path, batch_size=3)


def test_counts_by_stream(tmp_path: Path) -> None:
    segments = CRAFTED["dup_acks_fast_retransmission"][0] + [
        (s[0] + 10, *s[1:7], 41000) for s in CRAFTED["out_of_order"][0]
    ]
    segments += [(20.0, 0, "R", C + 301, 0, 0, 0, 41000)]
    analysis = TcpAnalysis()
    for batch in read_batches(str(write_pcap(tmp_path / "two.pcap", segments)), columns=COLUMNS):
        analysis.update(batch)
    assert analysis.stream_count == 2
    first, second = analysis.counts(0), analysis.counts(1)
    assert (first.retransmissions, first.fast_retransmissions, first.dup_acks) == (1, 1, 3)
    assert (first.out_of_order, second.out_of_order, second.retransmissions) == (0, 1, 0)
    assert (second.resets, second.lost_segments) == (1, 1)
    assert first.as_dict()["lost_segments"] == 1


def random_streams(seed: int, frames: int = 300) -> list[Seg]:
    """Seeded random traffic on up to four connections (some on the same ports): in-order data,
    retransmissions, gaps, keep-alives, ACKs of unseen data, zero and changing windows, FIN, RST, ISNs
    near the wrap."""
    r = random.Random(seed)
    segments: list[Seg] = []
    t = 0.0
    conns = []
    for _ in range(r.randint(1, 4)):
        isn = [r.choice([r.randrange(1 << 32), M32 - r.randrange(3000)]) for _ in range(2)]
        conns.append({"port": 40000 + r.randint(0, 3), "next": list(isn), "isn": isn, "ack": [0, 0],
                      "win": [r.choice([0, 100, 64000]), 64000], "open": False})  # fmt: skip
    for _ in range(frames):
        c = r.choice(conns)
        port = c["port"]
        t += r.choice([0.0, 0.0001, 0.001, 0.002, 0.004, 0.015, 0.03, 0.5])
        if not c["open"]:
            segments.append((t, 0, "S", c["isn"][0], 0, 64000, 0, port))
            c["next"][0] = (c["isn"][0] + 1) & M32
            if r.random() < 0.9:
                t += r.choice([0.0005, 0.002, 0.01])
                segments.append((t, 1, "SA", c["isn"][1], c["next"][0], 64000, 0, port))
                c["next"][1] = (c["isn"][1] + 1) & M32
            c["open"] = True
            continue
        d = r.randint(0, 1)
        seq = c["next"][d]
        ack = c["next"][1 - d] if r.random() < 0.85 else c["ack"][d]
        window = r.choice([c["win"][d]] * 6 + [0, 1000, 64000])
        letters, length, event = "A", r.choice([0, 0, 1, 10, 100, 1460]), r.random()
        if event < 0.08:
            seq = (seq - r.choice([1, 10, 100, 1460, 3000])) & M32
        elif event < 0.12:
            seq = (seq + r.choice([1, 100, 1460])) & M32
        elif event < 0.15:
            seq, length = (seq - 1) & M32, r.choice([0, 1])
        elif event < 0.18:
            ack = (ack + r.choice([1, 100, 5000])) & M32
        elif event < 0.20:
            letters = "FA"
        elif event < 0.21:
            letters = r.choice(["R", "RA"])
        elif event < 0.22 and d == 0:
            # a new SYN: from the client only (TcpStreams does not start a stream on the server's)
            letters, seq, length = "S", r.randrange(1 << 32), 0
        elif event < 0.30:
            length = 0
        if r.random() < 0.03:
            ack = r.randrange(1 << 32)
        segments.append((t, d, letters if not length else "P" + letters, seq, ack, window, length, port))
        end = (seq + length + (1 if "F" in letters or "S" in letters else 0)) & M32
        if (end - c["next"][d]) & M32 < 1 << 31:
            c["next"][d] = end
        c["ack"][d], c["win"][d] = ack, window
    return segments


def test_random_streams_as_tshark(tmp_path: Path) -> None:
    _need_tshark()
    files = [write_pcap(tmp_path / f"random{seed}.pcap", random_streams(seed), seed) for seed in range(24)]
    unexpected, _ = compare_all(files, tmp_path)
    assert not unexpected, "\n".join(unexpected[:20])


def test_unacked_segments_bound(tmp_path: Path) -> None:
    """Past tshark's 10000 unacknowledged segments a FIN no longer counts as a sequence number: data at
    the FIN's own sequence number is then in order, not a retransmission."""
    many = [(1.0 + i * 1e-4, 0, "PA", C + 1 + i, S + 1, 64000, 1) for i in range(MAX_UNACKED_SEGMENTS)]
    end = C + 1 + MAX_UNACKED_SEGMENTS
    segments = [
        *handshake(),
        *many,
        (3.0, 0, "FA", end, S + 1, 64000, 0),
        (4.0, 0, "PA", end, S + 1, 64000, 10),
    ]
    path = write_pcap(tmp_path / "bound.pcap", segments)
    got = ours(path)
    assert not any(row[1] for row in got.values())
    if TSHARK is not None or os.environ.get("CI") == "true":
        _need_tshark()
        assert got == theirs(path)
