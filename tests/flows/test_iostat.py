"""``-z io,stat`` (:mod:`pycapture.flows.iostat`) held to tshark 4.0's table, byte for byte.

Each capture is read once by tshark with all its io,stat tables (tshark prints them last first) and once
by :class:`IoStat`. tshark builds a field for a function only when some filter of the run names it, so
the tables of one run share the run's named fields (``primed``), as they do in tshark.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from pycapture.flows.iostat import FIELDS, IoStat, parse_io_stat
from pycapture.flows.stats import SpecError
from pycapture.table import read_batches
from pycapture.table.schema import SCHEMA, SCHEMA_COLUMNS
from support.commands import tool
from support.corpus import corpus_rows
from support.env import CORPUS

CAPTURES = Path(__file__).parents[2] / "captures"
FILES = sorted(p for p in CAPTURES.iterdir() if p.suffix in (".pcap", ".pcapng"))

FUNCTIONS = ",".join(f"{func}(frame.len)frame.len" for func in ("SUM", "MIN", "MAX", "AVG", "COUNT"))
LONG = (
    "tcp || udp || icmp || arp || dns || http || ipv6 || ip.ttl > 3 || tcp.srcport == 80 || "
    "udp.dstport == 53 || icmp.type == 0 || frame.len > 1000"
)
UNBROKEN = "&&".join(f"frame.len>={n}" for n in range(1, 12))  # wraps mid-word: no space to wrap at
CAPTURE_SPECS = [
    "io,stat,0",
    "io,stat,0.001",
    "io,stat,0.5",
    "io,stat,1",
    "io,stat,10",
    "io,stat,0.25,tcp,udp,icmp,FRAMES()arp,BYTES()dns,FRAMES,BYTES",
    f"io,stat,1,,{FUNCTIONS}",
    f"io,stat,0,,{FUNCTIONS},tcp",
    "io,stat,0.5,tcp.dstport == 80 && frame.len >= 60,frame.len >= 100 || udp,!tcp and eth,"
    "tcp.flags == 0x012 or tcp.window_size_value > 65000,eth.src == 02:00:00:00:00:01,"
    "MIN(tcp.srcport)tcp.srcport,MAX(tcp.srcport)tcp,AVG(tcp.srcport)tcp,SUM(tcp.len)tcp.len,"
    "COUNT(tcp.flags)frame",
    # MIN starts from an interval's first frame, 0 when it lacks the field; AVG widens by running means
    "io,stat,0.5,MIN(tcp.srcport)frame,AVG(tcp.srcport)frame,MAX(udp.srcport)udp,udp.srcport,tcp.srcport",
    f"io,stat,0.5,{LONG}",
    f"io,stat,0,{UNBROKEN},udp",
    f"io,stat,0.001,{LONG},{UNBROKEN},tcp",
]

CORPUS_SPECS = [
    f"io,stat,0,,{FUNCTIONS},FRAMES,BYTES",
    "io,stat,0",
    "io,stat,0,MAX(ip.ttl)ip.ttl,MIN(tcp.srcport)tcp.srcport,SUM(udp.dstport)udp.dstport,"
    "COUNT(eth.src)eth.src,AVG(ip.proto)ip.proto",
]
FIELD_SPEC = CORPUS_SPECS[2]
CORPUS_INTERVALS = (("0.001", 3), ("0.5", 1_000), ("1", 3_000), ("10", 30_000))  # (interval, if shorter)
CORPUS_SAMPLE = 10  # every tenth file tshark reads, and each file listed below; all with IOSTAT_CORPUS=all

# Files whose tables differ from tshark's, and why. A frame that carries a header twice (a tunnel, an
# ICMP error quoting a datagram, a protocol carrying addresses) has two ip.ttl (eth.src, udp.dstport...)
# for tshark, where the table holds the first: then only the FIELD_SPEC table may differ.
TWICE = "a header carried twice (FIELD_SPEC only): the table holds a field's first occurrence"
DIFFERENT = {
    **{
        name: (
            "pcapng custom blocks: tshark counts them as frames at time 0, so its Duration runs from 1970 "
            "(and it prints no table for an interval spec); pycapture's from the first packet"
        )
        for name in (
            "gopacket-be-test102.pcapng", "gopacket-be-test202.pcapng", "gopacket-le-test102.pcapng",
            "gopacket-le-test202.pcapng",
        )
    },
    "libpcap-pcap-invalid-version-2.pcap": "the reader refuses the savefile version",
    "gopacket-le-test018.pcapng": "a second section: the reader stops at the end of the first",
    "timestamp_invalid_nano.pcap": "nanoseconds >= 10^9: tshark keeps them as they are, the table carries",
    "bgp_vpn_rt-oobr.pcap": "seconds 0xFFFFFFFF: the table reads 1969, tshark 2106 (its gint32 check wraps)",
    **{
        name: TWICE
        for name in (
            "PIM_register_register-stop.pcap", "bigtcp-ipv6-geneve-ipv4.pcap",
            "bigtcp-ipv6-geneve-ipv6.pcap", "bigtcp-ipv6-vxlan-ipv4.pcap", "bigtcp-ipv6.pcap",
            "erspan-type-i-1.pcap", "erspan-type-i-2.pcap", "erspan-type-ii-2.pcap",
            "erspan-type-ii-3.pcap", "erspan-type-iii-ft-0.pcap", "geneve-gcp.pcap",
            "gso-ipv4-vxlan-ipv6.pcap", "gso-ipv6-geneve-ipv4.pcap", "gso-ipv6-geneve-ipv6.pcap",
            "gso-ipv6-vxlan-ipv6.pcap", "libpcap-AH-IPcomp-IPv4.pcap", "libpcap-geneve.pcap",
            "of10_s4810.pcap", "tcp_header_heapoverflow.pcap",
            "various_gre.pcap", "vxlan.pcap",
        )
    },
}  # fmt: skip


def _tshark(path: Path, specs: list[str]) -> list[str]:
    """tshark's tables for ``specs`` from one run, in the order of ``specs``."""
    args = [tool("tshark"), "-n", "-q", "-r", str(path)]
    for spec in specs:
        args += ["-z", spec]
    out = subprocess.run(args, capture_output=True, text=True, check=False, timeout=300).stdout
    starts = [m.start() for m in re.finditer(r"\n=+\n\| IO Statistics", out)]
    tables = [out[a:b] for a, b in zip(starts, [*starts[1:], len(out)])]
    assert len(tables) == len(specs), f"{path.name}: tshark printed {len(tables)} of {len(specs)}"
    return tables[::-1]


def _ours(path: Path, specs: list[str]) -> list[IoStat]:
    parsed = [parse_io_stat(spec) for spec in specs]
    primed = frozenset().union(*(spec.fields for spec in parsed))
    tables = [IoStat(spec, primed) for spec in parsed]
    columns = sorted(set().union(*(table.columns for table in tables)))
    try:
        for batch in read_batches(str(path), columns=columns):
            for table in tables:
                table.feed(batch)
    except Exception:  # a file the reader refuses part-way: the rows before count (see DIFFERENT)
        pass
    return tables


def _differences(path: Path, specs: list[str], theirs: list[str]) -> dict[str, str]:
    """spec -> both tables, for each spec whose table differs from tshark's."""
    ours = [table.text() for table in _ours(path, specs)]
    return {
        spec: f"{path.name} -z {spec}\n--- tshark\n{want}--- pycapture\n{got}"
        for spec, want, got in zip(specs, theirs, ours)
        if want != got
    }


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_captures_as_tshark_prints_them(path: Path) -> None:
    differ = _differences(path, CAPTURE_SPECS, _tshark(path, CAPTURE_SPECS))
    assert not differ, next(iter(differ.values()))


def _pcap(path: Path, times: list[float], nano: bool = False, size: int = 60) -> Path:
    """An Ethernet capture of ``size``-byte IPv4-typed frames at ``times`` (seconds, any order)."""
    scale = 10**9 if nano else 10**6
    with path.open("wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for at in times:
            whole = round(at * scale)
            frame = bytes(12) + b"\x08\x00" + bytes(size - 14)
            f.write(struct.pack("<IIII", whole // scale, whole % scale, size, size) + frame)
    return path


CRAFTED = {
    # out of order, and before the first frame: counted into the newest interval, as tshark does
    "backwards": [1000, 1000.3, 1001.7, 1000.2, 999.5, 999.9, 1002.5, 1001.1, 1003.9],
    "single": [1000],  # no duration: no row
    "round-up": [1000, 1009.9996],  # the duration rounds to 10 s: the widths and formats disagree
    "round-up-0.96": [1000, 1009.96],
    "exact-end": [1000, 1000.5, 1002],  # a frame at the end of the last interval: counted, not shown
    "long": [1000, 1000 + 123456.789],
    "sub-us": [1000, 1000.0000004, 1000.0000016, 1000.0012],  # times rounded to microseconds
}
CRAFTED_SPECS = [
    "io,stat,0",
    "io,stat,1",
    "io,stat,0.1",
    "io,stat,0.3,,FRAMES",
    "io,stat,1.0,frame",  # one written decimal: shown with one
    "io,stat,2.50,frame",
    "io,stat,1.,frame",
    "io,stat,1e0",
    "io,stat,7",
    "io,stat,100000",
]


def test_crafted_times_as_tshark_counts_them(tmp_path: Path) -> None:
    differ: dict[str, str] = {}
    for name, times in CRAFTED.items():
        specs = [s for s in CRAFTED_SPECS if name != "long" or s in ("io,stat,0", "io,stat,100000")]
        if name == "sub-us":
            specs = ["io,stat,0", "io,stat,0.000001", "io,stat,0.001"]
        path = _pcap(tmp_path / f"{name}.pcap", times, nano=name == "sub-us")
        differ.update(_differences(path, specs, _tshark(path, specs)))
    assert not differ, next(iter(differ.values()))


def _corpus_files() -> list[Path]:
    rows = [r for r in corpus_rows() if r["tshark_exit"] == "0"]
    every = os.environ.get("IOSTAT_CORPUS") == "all"
    return [
        CORPUS / r["file"]
        for at, r in enumerate(rows)
        if every or at % CORPUS_SAMPLE == 0 or r["file"] in DIFFERENT
    ]


def _corpus_specs(path: Path) -> list[str]:
    """CORPUS_SPECS, and each interval of CORPUS_INTERVALS that gives the file a few thousand rows."""
    if str(DIFFERENT.get(path.name, "")).startswith("pcapng custom blocks"):
        return CORPUS_SPECS  # tshark prints nothing for their interval specs (see DIFFERENT)
    times: list[int] = []
    try:
        for batch in read_batches(str(path), columns=["ts"]):
            times += batch.column(0).cast("int64").to_pylist()
    except Exception:  # a file the reader refuses (DIFFERENT): whole-capture tables only
        return CORPUS_SPECS
    longest = max(times) - times[0] if times else 0
    return CORPUS_SPECS + [f"io,stat,{i}" for i, limit in CORPUS_INTERVALS if longest < limit * 10**9]


def test_corpus_frames_bytes_and_functions() -> None:
    """Frames and bytes, FRAMES, BYTES and every function (over frame.len) on a sample of the shared
    corpus; a file listed in DIFFERENT must still differ (else drop it from the list)."""
    files = _corpus_files()
    if not files:
        pytest.skip("../shared/corpus is not present")
    tool("tshark")
    specs = [_corpus_specs(path) for path in files]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        theirs = list(pool.map(_tshark, files, specs))
    unexpected, fixed = [], []
    for path, spec, want in zip(files, specs, theirs):
        reason = DIFFERENT.get(path.name)
        allowed = {FIELD_SPEC} if reason == TWICE else set(spec) if reason else set()
        differ = _differences(path, spec, want)
        unexpected += [text for which, text in differ.items() if which not in allowed]
        if reason and not differ:
            fixed.append(path.name)
    assert not unexpected, f"{len(unexpected)} files differ; the first:\n{unexpected[0]}"
    assert not fixed, f"now the same as tshark, drop from DIFFERENT: {fixed}"


# ---- the spec


@pytest.mark.parametrize(
    ("spec", "cause"),
    [
        ("io,stat", "bad io,stat argument"),
        ("io,stat,1,", "bad io,stat argument"),
        ("io,stat,x", "the interval is not a number"),
        ("io,stat,1x", "bad interval '1x'"),
        ("io,stat,-1", "must be >= 0.000001"),
        ("io,stat,0.0000001", "must be >= 0.000001"),
        ("io,stat,1,SUM(frame.len", "closing parenthesis missing"),
        ("io,stat,1,FRAMES(frame.len)", "FRAMES takes no field"),
        ("io,stat,1,SUM()tcp", "SUM needs a field name"),
        ("io,stat,1,SUM", "SUM needs (FIELD)"),
        ("io,stat,1,LOAD(frame.len)", "LOAD needs a relative-time field"),
        ("io,stat,1,SUM(smb.time)", "no table column holds the field 'smb.time'"),
        ("io,stat,1,MAX(ip.src)ip", "ip.src has no integral values, so only COUNT"),
        ("io,stat,1,FRAMES BYTES", "use FRAMES or BYTES"),
        ("io,stat,1,ip.len > 3", "the filter 'ip.len > 3' cannot be evaluated"),
        ("io,stat,1,tcp.port == 80", "no table column holds the field 'tcp.port'"),
        ("io,stat,1,ip.src == 10.0.0.0/8", "subnets are not supported"),
        ("io,stat,1,frame.len == x", "'x' is not a value of frame.len"),
        ("io,stat,1,eth.src == 1:2", "not a MAC address"),
        ("io,stat,1,tcp &&", "it ends too early"),
        ("io,stat,1,(tcp udp", "a parenthesis is not closed"),
        ("io,stat,1,tcp udp", "unexpected 'udp'"),
        ("io,stat,1,tcp contains 3", "unexpected 'contains'"),
        ("io,stat,1,frame.time_epoch > 3", "frame.time_epoch cannot be compared"),
        ("io,stat,1,_ws.malformed", "no table column holds the field '_ws.malformed'"),
    ],
)
def test_bad_spec(spec: str, cause: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse_io_stat(spec)
    message = str(raised.value)
    assert cause in message and "\n" not in message
    assert message.startswith(f"-z {spec}: ") and "valid form: io,stat,INTERVAL" in message


def test_interval_and_precision() -> None:
    cases = {
        "io,stat,0": (0, 0),
        "io,stat,1": (1_000_000, 0),
        "io,stat,0.5": (500_000, 1),
        "io,stat,0.001": (1_000, 3),
        "io,stat,2.50,tcp": (2_500_000, 1),
        "io,stat,1.0,tcp": (1_000_000, 1),
        "io,stat,1.,tcp": (1_000_000, 0),
        "io,stat,1.00": (1_000_000, 6),  # tshark finds no end to the text without a column after it
        "io,stat,1e-3": (1_000, 3),
    }
    for spec, want in cases.items():
        parsed = parse_io_stat(spec)
        assert (parsed.interval_us, parsed.precision) == want, spec


def test_columns_and_functions() -> None:
    spec = parse_io_stat("io,stat,1,,tcp,FRAMES,BYTES()udp,COUNT(ip.src)ip.src,SUM(frame.len) frame.len")
    assert [(c.func, c.filter) for c in spec.columns] == [
        ("FRAMES BYTES", ""),
        ("FRAMES BYTES", "tcp"),
        ("FRAMES", ""),
        ("BYTES", "udp"),
        ("COUNT", "ip.src"),
        ("SUM", " frame.len"),
    ]
    assert [c.title for c in spec.columns][:2] == ["Frames and bytes", "tcp"]
    quoted = parse_io_stat('io,stat,1,"COUNT(frame.len)frame.len"').columns[0]
    assert (quoted.text, quoted.func, quoted.filter) == ("COUNT(frame.len)frame.len", "COUNT", "frame.len")
    assert spec.fields == {"ip.src", "frame.len"}


def test_fields_come_from_the_schema_sources() -> None:
    """Every field a filter may name is a source of the column it maps to; each nullable column's
    plain field sources are all there."""
    by_name = {c.name: c for c in SCHEMA_COLUMNS}
    for name, fld in FIELDS.items():
        assert name in [p.strip() for p in by_name[fld.column].source.split(" / ")]
    assert FIELDS["ip.src"].column == FIELDS["ipv6.src"].column == "ip_src"
    assert FIELDS["tcp.len"].rivals == ("udp",)  # "udp.length - 8" is not a field, but it shares the column
    assert "_ws.malformed" not in FIELDS and not SCHEMA.field("malformed").nullable
    assert "udp.length - 8" not in FIELDS


def _table(times_and_lengths: list[tuple[float, int]], spec: str) -> IoStat:
    import pyarrow as pa

    from pycapture.table import SCHEMA as FULL

    table = IoStat(spec)
    ts = pa.array([int(t * 1e9) for t, _ in times_and_lengths], FULL.field("ts").type)
    lengths = pa.array([n for _, n in times_and_lengths], pa.uint32())
    protocols = pa.array(["eth:ip:tcp"] * len(times_and_lengths))
    table.feed(pa.RecordBatch.from_arrays([ts, lengths, protocols], names=["ts", "len", "protocols"]))
    return table


def test_json() -> None:
    table = _table(
        [(10.0, 60), (10.4, 100), (11.7, 70), (12.2, 80)], "io,stat,1,,tcp,MAX(frame.len)frame.len"
    )
    doc = table.to_json()
    assert json.loads(json.dumps(doc)) == doc
    assert doc["interval"] == 1.0 and doc["duration"] == 2.2
    assert doc["columns"] == ["Frames and bytes", "tcp", "MAX(frame.len)frame.len"]
    assert doc["rows"][0] == {
        "start": 0.0,
        "end": 1.0,
        "Frames and bytes": {"frames": 2, "bytes": 160},
        "tcp": {"frames": 2, "bytes": 160},
        "MAX(frame.len)frame.len": 100,
    }
    assert [(r["start"], r["end"]) for r in doc["rows"]] == [(0.0, 1.0), (1.0, 2.0), (2.0, 2.2)]


def test_completed_text_gives_each_finished_interval_once() -> None:
    table = _table([(10.0, 60), (10.4, 100), (11.7, 70), (13.2, 80)], "io,stat,1")
    assert table.completed_text(int(10.9e9)) == ""
    lines = table.completed_text(int(12.5e9)).splitlines()
    assert [line.split("|")[2:4] for line in lines] == [["      2 ", "   160 "], ["      1 ", "    70 "]]
    assert table.completed_text(int(12.9e9)) == ""
    assert table.completed_text(int(14e9)).splitlines()[0].split("|")[2] == "      0 "
    whole = table.text()
    assert whole.startswith("\n=") and whole.endswith("=\n") and "Dur" in whole
