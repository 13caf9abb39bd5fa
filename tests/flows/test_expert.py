"""``-z expert`` over TCP held to tshark 4.0's.

On the project's captures and the shared corpus files with TCP, the rows of ``tshark -q -z expert`` whose
protocol is TCP and whose summary :class:`pycapture.flows.expert.Expert` counts (:func:`in_scope`) must
be the rows of :meth:`Expert.text`, section by section and in order; other protocols' expert infos, and
TCP's from options, urgent pointers and header padding, are out of scope. On crafted streams, which
give tshark no other info, the whole text must be the same, byte for byte, at every level.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from pycapture.flows.expert import Expert, in_scope, parse_expert_spec
from pycapture.flows.stats import SpecError
from pycapture.table import read_batches

ROOT = Path(__file__).parents[2]
CAPTURES = ROOT / "captures"
CORPUS = ROOT.parent / "shared" / "corpus"
TSHARK = shutil.which("tshark")

# the corpus selection, grouping and crafted streams of the analysis tests
_spec = importlib.util.spec_from_file_location(
    "_analysis_cases", Path(__file__).with_name("test_analysis.py")
)
assert _spec is not None and _spec.loader is not None
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)


DIFFERENCES = {
    name: cases.DIFFERENCES[name]
    for name in (
        "dpkt-nb6-http.pcap",
        "geneve-gcp.pcap",
        "libpcap-AH-IPcomp-IPv4.pcap",
        "libpcap-geneve.pcap",
        "sflow_expanded.pcap",
        "kday4.pcap",
        "kday7.pcap",
    )
}
"""The files whose TCP rows differ, with the reason (those of the analysis tests that show in the rows)."""


_need_tshark = cases._need_tshark


def theirs(path: Path, spec: str = "expert") -> str:
    args = [str(TSHARK), "-n", "-q", "-r", str(path), "-o", "tcp.desegment_tcp_streams:FALSE"]
    args += ["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-z", spec]
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=120).stdout


def ours(paths: list[Path], spec: str = "expert") -> Expert:
    expert = Expert(spec)
    for path in paths:
        for batch in read_batches(str(path), columns=expert.columns):
            expert.feed(batch)
    return expert


def tcp_rows(text: str) -> list[tuple[str, str]]:
    """(section, row) of the in-scope TCP rows of -z expert text."""
    rows, section = [], ""
    for line in text.splitlines():
        if line.endswith(")") and " (" in line and not line.startswith(" "):
            section = line.split(" (")[0]
        elif line[:12].strip().isdigit() and line[23:42].strip() == "TCP" and in_scope(line[44:]):
            rows.append((section, line))
    return rows


def merged(paths: list[Path], where: Path) -> Path:
    if len(paths) == 1:
        return paths[0]
    where.mkdir(exist_ok=True)
    out = where / "merged.pcapng"
    subprocess.run(["mergecap", "-a", "-F", "pcapng", "-w", str(out), *map(str, paths)], check=True)
    return out


def compare(files: list[Path], where: Path) -> tuple[list[str], list[str]]:
    """(unexpected differences, files of :data:`DIFFERENCES` that no longer differ), the files grouped
    as the analysis tests group them, the listed ones alone."""
    plain = [p for p in files if p.name not in DIFFERENCES]
    listed = [p for p in files if p.name in DIFFERENCES]
    groups = [[p] for p in listed] + cases.batches(plain)
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        joined = [merged(g, where / f"group{i}") for i, g in enumerate(groups)]
        texts = list(pool.map(theirs, joined))
    unexpected, fixed = [], []
    for group, text in zip(groups, texts, strict=True):
        want, got = tcp_rows(text), tcp_rows(ours(group).text())
        names = ", ".join(p.name for p in group)
        if group[0].name in DIFFERENCES:
            if want == got:
                fixed.append(names)
        elif want != got:
            only_theirs = [r for r in want if r not in got]
            only_ours = [r for r in got if r not in want]
            unexpected.append(f"{names}:\n tshark only {only_theirs}\n ours only {only_ours}")
    return unexpected, fixed


def test_corpus_rows_as_tshark(tmp_path: Path) -> None:
    _need_tshark()
    if not CORPUS.exists() and os.environ.get("CI") != "true":
        pytest.skip("the shared corpus is absent")
    files = cases.corpus_files()
    unexpected, fixed = compare(files, tmp_path)
    assert not unexpected, "\n".join(unexpected[:5])
    assert not fixed, f"now the same as tshark, drop from DIFFERENCES: {fixed}"


def test_captures_text_as_tshark() -> None:
    _need_tshark()
    for path in sorted(p for p in CAPTURES.iterdir() if p.suffix in (".pcap", ".pcapng")):
        want = theirs(path)
        assert tcp_rows(ours([path]).text()) == tcp_rows(want), path
        if all(" TCP  " in line for line in want.splitlines() if line[:12].strip().isdigit()):
            assert ours([path]).text() == want, path


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every crafted stream of the analysis tests, each between its own addresses."""
    where = tmp_path_factory.mktemp("crafted")
    return [
        cases.write_pcap(where / f"{name}.pcap", segments, net)
        for net, (name, (segments, _)) in enumerate(sorted(cases.CRAFTED.items()))
    ]


@pytest.mark.parametrize(
    "spec", ["expert", "expert,error", "expert,warn", "expert,note", "expert,chat", "expert,WARNING"]
)
def test_crafted_text_byte_for_byte(crafted: list[Path], spec: str, tmp_path: Path) -> None:
    _need_tshark()
    got = ours(crafted, spec).text()
    assert got == theirs(merged(crafted, tmp_path), spec)
    assert ("Warns (" in got) == (spec != "expert,error")


def test_random_streams_rows(tmp_path: Path) -> None:
    _need_tshark()
    files = [
        cases.write_pcap(tmp_path / f"random{seed}.pcap", cases.random_streams(seed), seed)
        for seed in range(12)
    ]
    # "window full" needs the window-scale option: out of scope, so filtered out of tshark's rows
    assert tcp_rows(ours(files).text()) == tcp_rows(theirs(merged(files, tmp_path)))


def test_levels_and_bad_forms() -> None:
    assert parse_expert_spec("expert") == 4
    assert [parse_expert_spec(f"expert,{w}") for w in ("error", "Warn", "note", "CHAT", "comment")] == [
        0,
        1,
        2,
        3,
        4,
    ]
    assert parse_expert_spec("expert,warning") == 1  # a prefix, as tshark reads it
    assert parse_expert_spec("expert,") == 4
    for bad, cause in [
        ("expert,tcp.port==80", "display filter"),
        ("expert,warn,tcp", "display filter"),
        ("experts", "not an expert spec"),
    ]:
        with pytest.raises(SpecError, match=cause) as info:
            Expert(bad)
        assert "\n" not in str(info.value)


def test_json_and_empty(crafted: list[Path]) -> None:
    assert Expert().text() == ""
    assert Expert().to_json() == {"severities": {}}
    document = ours(crafted, "expert,warn").to_json()
    assert list(document["severities"]) == ["Warnings"]
    first = document["severities"]["Warnings"][0]
    assert set(first) == {"frequency", "group", "protocol", "summary"}
    assert first["protocol"] == "TCP" and first["group"] == "Sequence"
    total = sum(row["frequency"] for row in document["severities"]["Warnings"])
    assert f"Warns ({total})" in ours(crafted, "expert,warn").text()
