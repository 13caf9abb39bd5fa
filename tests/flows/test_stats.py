"""``-z conv,TYPE`` and ``-z endpoints,TYPE``: the tables held to tshark 4.0's, byte for byte.

Each capture of ``captures/`` and of the shared corpus that tshark reads is read once by tshark (all ten
tables in one run) and once by :class:`pycapture.flows.stats.Statistics`; every table must be the same
text, except the tables ``stats_differences.tsv`` lists for a file, each with its reason.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from pycapture.flows.stats import (
    SpecError,
    Statistics,
    format_size,
    parse_spec,
)
from pycapture.flows.streams import TcpStreams
from pycapture.table import read_batches

ROOT = Path(__file__).parents[2]
CAPTURES = ROOT / "captures"
CORPUS = ROOT.parent / "shared" / "corpus"
DIFFERENCES = Path(__file__).with_name("stats_differences.tsv")
SPECS = [
    f"{kind},{kind_type}"
    for kind in ("conv", "endpoints")
    for kind_type in ("eth", "ip", "ipv6", "tcp", "udp")
]
RULE = "=" * 80 + "\n"
TSHARK = shutil.which("tshark")


def _need_tshark() -> None:
    if TSHARK is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tshark is missing")
        pytest.skip("tshark is missing")


def _tables(text: str) -> dict[str, str]:
    """The tables of -z output by title."""
    return {block.split("\n", 1)[0]: block for block in text.split(RULE) if block.strip()}


def _tshark(path: Path) -> str:
    args = [str(TSHARK), "-n", "-q", "-r", str(path)]
    for spec in SPECS:
        args += ["-z", spec]
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=300).stdout


def _ours(path: Path) -> str:
    stats = Statistics([parse_spec(spec) for spec in SPECS])
    try:
        for batch in read_batches(str(path), columns=stats.columns):
            stats.feed(batch)
    except Exception:  # a file the reader refuses part-way: the rows before count, as listed in the tsv
        pass
    return stats.text()


def _files() -> list[Path]:
    files = sorted(p for p in CAPTURES.iterdir() if p.suffix in (".pcap", ".pcapng"))
    manifest = CORPUS / "MANIFEST.tsv"
    if manifest.exists():
        with manifest.open() as f:
            files += [
                CORPUS / r["file"] for r in csv.DictReader(f, delimiter="\t") if r["tshark_exit"] == "0"
            ]
    return files


def _expected_differences() -> dict[str, set[str]]:
    with DIFFERENCES.open() as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert all(r["reason"].strip() for r in rows)
    return {r["file"]: set(r["tables"].split(",")) for r in rows}


def test_tables_as_tshark_prints_them() -> None:
    _need_tshark()
    if not CORPUS.exists() and os.environ.get("CI") != "true":
        pytest.skip("the shared corpus is absent (only captures/ would be compared)")
    files = _files()
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        theirs = list(pool.map(_tshark, files))
    expected = _expected_differences()
    unexpected, fixed = [], []
    for path, text in zip(files, theirs, strict=True):
        ours, want = _tables(_ours(path)), _tables(text)
        assert set(ours) <= set(want) or not want, path
        differ = {title for title in want if ours.get(title) != want[title]}
        listed = expected.get(path.name, set())
        if differ - listed:
            title = sorted(differ - listed)[0]
            unexpected.append(
                f"{path.name}: {title}\n--- tshark\n{want[title]}--- pycapture\n{ours.get(title)}"
            )
        if listed - differ:
            fixed.append(f"{path.name}: {sorted(listed - differ)}")
    assert not unexpected, "\n".join(unexpected[:5])
    assert not fixed, "now the same as tshark, drop from stats_differences.tsv: " + "; ".join(fixed)


def test_captures_tables_alone() -> None:
    """The project's own captures, without the corpus: every table the same."""
    _need_tshark()
    for path in sorted(CAPTURES.glob("*.pcap*")):
        assert _tables(_ours(path)) == _tables(_tshark(path)), path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run(
        [sys.executable, "-m", "pycapture", *args], capture_output=True, text=True, env=env, check=False
    )


def test_command_prints_the_tables_after_the_lines() -> None:
    _need_tshark()
    path = str(CAPTURES / "mixed.pcap")
    quiet = _run("-r", path, "-q", "-z", "conv,tcp", "-z", "endpoints,ip")
    assert quiet.returncode == 0, quiet.stderr
    want = subprocess.run(
        [str(TSHARK), "-n", "-q", "-r", path, "-z", "conv,tcp", "-z", "endpoints,ip"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert quiet.stdout == want
    loud = _run("-r", path, "-z", "conv,tcp", "-z", "endpoints,ip")
    assert loud.returncode == 0
    lines = _run("-r", path).stdout
    assert loud.stdout == lines + want


def test_json_documents() -> None:
    result = _run("-r", str(CAPTURES / "mixed.pcap"), "-q", "--json", "-z", "conv,tcp", "-z", "endpoints,udp")
    assert result.returncode == 0, result.stderr
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["table"] for d in documents] == ["UDP Endpoints", "TCP Conversations"]
    first = documents[1]["rows"][0]
    assert first == {
        "address_a": "192.0.2.10",
        "port_a": 51000,
        "address_b": "198.51.100.20",
        "port_b": 80,
        "frames_b_to_a": 3,
        "bytes_b_to_a": 414,
        "frames_a_to_b": 6,
        "bytes_a_to_b": 488,
        "frames": 9,
        "bytes": 902,
        "relative_start": 0.0,
        "duration": 0.001,
    }
    assert documents[0]["rows"][0]["port"] == 41000


@pytest.mark.parametrize(
    ("spec", "cause"),
    [
        ("conv,foo", "unknown conv type 'foo'"),
        ("endpoints", "unknown endpoints type ''"),
        ("nonsense", "unknown statistics"),
        ("follow,sctp,ascii,0", "bad follow spec"),
        ("follow,tcp,raw", "bad follow spec"),
        ("io,phs,udp", "display filter"),
        ("conv,tcp,tcp.port==80", "display filter"),
    ],
)
def test_bad_spec_is_a_usage_error(spec: str, cause: str) -> None:
    with pytest.raises(SpecError, match="valid forms: conv,eth"):
        parse_spec(spec)
    result = _run("-r", str(CAPTURES / "mixed.pcap"), "-q", "-z", spec)
    assert result.returncode == 2
    assert cause in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: -z ")


def test_format_size_as_wireshark_4_0() -> None:
    assert [format_size(n) for n in (0, 999, 9999, 10_000, 1_835_000, 19_000_000, 10**13)] == [
        "0 bytes",
        "999 bytes",
        "9999 bytes",
        "10 kB",
        "1835 kB",
        "19 MB",
        "10 TB",
    ]


def test_tcp_streams_reused_ports() -> None:
    streams = TcpStreams()
    syn, ack, fin = 0x02, 0x10, 0x01
    assert streams.stream("10.0.0.1", 5000, "10.0.0.2", 80, syn, 100) == 0
    assert streams.stream("10.0.0.2", 80, "10.0.0.1", 5000, syn | ack, 7) == 0
    assert streams.stream("10.0.0.1", 5000, "10.0.0.2", 80, syn, 100) == 0  # a retransmitted SYN
    assert streams.stream("10.0.0.1", 5001, "10.0.0.2", 80, syn, 1) == 1
    assert streams.stream("10.0.0.1", 5000, "10.0.0.2", 80, syn, 900) == 2  # a new ISN: the ports reused
    assert streams.stream("10.0.0.1", 5000, "10.0.0.2", 80, fin | ack, 901) == 2
    assert streams.stream("10.0.0.1", 5000, "10.0.0.2", 80, syn, 900) == 3  # the same ISN after a FIN
    assert streams.count == 4


def _segments_pcap(path: Path, segments: list[tuple[bool, int, int, int, bytes]]) -> Path:
    """A pcap of TCP segments between 10.0.0.1:5000 (``True``: from it) and 10.0.0.2:80, each
    (from_client, flags, seq, ack, payload), a millisecond apart."""
    import dpkt

    a, b = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    with path.open("wb") as f:
        writer = dpkt.pcap.Writer(f)
        for n, (client, flags, seq, ack, payload) in enumerate(segments):
            sport, dport, src, dst = (5000, 80, a, b) if client else (80, 5000, b, a)
            tcp = dpkt.tcp.TCP(
                sport=sport, dport=dport, seq=seq, ack=ack, flags=flags, win=8192, data=payload
            )
            ip = dpkt.ip.IP(src=src, dst=dst, p=6, ttl=64, data=tcp)
            ip.len = 20 + len(bytes(tcp))
            eth = dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\x04" * 6, type=0x0800, data=ip)
            writer.writepkt(bytes(eth), ts=1_700_000_000 + n / 1000)
    return path


def test_a_base_learned_from_the_other_sides_ack_splits_streams_as_tshark(tmp_path: Path) -> None:
    """The client's ACKs say where the server's sequence numbers start (ack - 1) before the server sent
    anything; a SYN from the server with another sequence number then starts a new tcp.stream."""
    _need_tshark()
    syn, ack, psh = 0x02, 0x10, 0x08
    path = _segments_pcap(
        tmp_path / "ack-base.pcap",
        [
            (True, psh | ack, 100, 5000, b"hello"),  # mid-stream: the server's base is 4999 from here
            (True, psh | ack, 105, 5000, b"again"),
            (False, syn, 7000, 0, b""),  # not 4999: a new connection, the other way round
            (True, syn | ack, 900, 7001, b""),
            (False, ack, 7001, 901, b""),
        ],
    )
    theirs = subprocess.run(
        [str(TSHARK), "-n", "-r", str(path), "-T", "fields", "-e", "tcp.stream"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert theirs == ["0", "0", "1", "1", "1"]
    stats = Statistics([parse_spec("conv,tcp")])
    for batch in read_batches(str(path), columns=stats.columns):
        stats.feed(batch)
    their_table = subprocess.run(
        [str(TSHARK), "-n", "-q", "-r", str(path), "-z", "conv,tcp"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert stats.text() == their_table
    from pycapture.flows.flowtable import read_flows

    assert read_flows(path).column("stream").to_pylist() == [0, 1]
