"""pycapture's JSON agrees with Wireshark's dissectors (tshark) on real captures from ../shared/corpus.

For every file both tshark and libpcap read, each packet's first occurrence of the fields below is
compared. The target is 99.5% agreement over all values; the per-field table is printed, and the
disagreements left are listed in the closing note of the decoding issue with their reasons.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner

from pycapture.cli.main import command
from support.commands import tool
from support.corpus import PARTIAL_READS, corpus_rows
from support.env import CORPUS, IN_CI

# tshark field -> (our layer name, our key)
FIELDS = {
    "frame.len": ("frame", "len"),
    "frame.cap_len": ("frame", "cap_len"),
    "eth.src": ("eth", "src"),
    "eth.dst": ("eth", "dst"),
    "ip.src": ("ip", "src"),
    "ip.dst": ("ip", "dst"),
    "ip.proto": ("ip", "proto"),
    "ipv6.src": ("ipv6", "src"),
    "ipv6.dst": ("ipv6", "dst"),
    "tcp.srcport": ("tcp", "srcport"),
    "tcp.dstport": ("tcp", "dstport"),
    "udp.srcport": ("udp", "srcport"),
    "udp.dstport": ("udp", "dstport"),
}
TARGET = 0.995


def _ours(path: str) -> list[dict[str, str]]:
    res = CliRunner().invoke(command, ["--json", "-r", path])
    assert "Traceback" not in res.stderr
    rows = []
    for line in res.stdout.splitlines():
        packet = json.loads(line)
        first: dict[str, dict] = {"frame": packet["frame"]}
        for layer in packet["layers"]:
            first.setdefault(layer["layer"], layer)
        row = {}
        for tshark_name, (layer, key) in FIELDS.items():
            value = first.get(layer, {}).get(key)
            if isinstance(value, list):
                value = value[0] if value else None
            row[tshark_name] = "" if value is None else str(value).lower()
        rows.append(row)
    return rows


def _theirs(tshark: str, path: str) -> list[dict[str, str]]:
    # pycapture decodes each packet on its own, so tshark is asked not to reassemble IP fragments
    # (it would move a datagram's ports from its first fragment to its last).
    args = [tshark, "-n", "-r", path, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"]
    args += ["-T", "fields", "-E", "occurrence=f", "-E", "separator=/t"]
    for name in FIELDS:
        args += ["-e", name]
    res = subprocess.run(args, capture_output=True, text=True, timeout=120, errors="replace")
    rows = []
    for line in res.stdout.splitlines():
        values = line.split("\t")
        rows.append({name: values[i].lower() if i < len(values) else "" for i, name in enumerate(FIELDS)})
    return rows


def _files() -> list[str]:
    return [r["file"] for r in corpus_rows() if r["tshark_exit"] == "0" and r["tcpdump_exit"] == "0"]


@pytest.mark.skipif(not _files(), reason="../shared/corpus is not present")
def test_fields_agree_with_tshark(capsys):
    tshark = tool("tshark")
    files = _files()
    agree: Counter[str] = Counter()
    total: Counter[str] = Counter()
    disagreements: dict[str, list[str]] = {}

    # tshark runs in a pool (separate processes); our side runs in this thread, since CliRunner
    # swaps sys.stdout and is not thread-safe.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        theirs_by_file = dict(zip(files, pool.map(lambda name: _theirs(tshark, str(CORPUS / name)), files)))
    results = []
    for name in files:
        theirs = theirs_by_file[name]
        ours = _ours(str(CORPUS / name))
        result = []
        expected = PARTIAL_READS.get(name, (len(theirs), ""))[0]
        if len(ours) != expected:
            result.append((name, "frame count", 0, str(len(theirs)), str(len(ours))))
        for number, (t, o) in enumerate(zip(theirs, ours), start=1):
            for field in FIELDS:
                result.append((name, field, number, t[field], o[field]))
        results.append(result)
    frame_count_mismatches = []
    for result in results:
        for name, field, number, theirs, ours in result:
            if field == "frame count":
                frame_count_mismatches.append(f"{name}: tshark {theirs}, pycapture {ours}")
                continue
            if theirs == "" and ours == "":
                continue
            total[field] += 1
            if theirs == ours:
                agree[field] += 1
            else:
                disagreements.setdefault(field, []).append(
                    f"{name}#{number}: tshark {theirs!r}, ours {ours!r}"
                )
    overall = sum(agree.values()) / max(sum(total.values()), 1)
    with capsys.disabled():
        print(f"\nconformance with tshark over {len(files)} corpus files")
        print(f"{'field':<14} {'agree':>8} {'values':>8} {'%':>7}")
        for field in FIELDS:
            if total[field]:
                share = 100 * agree[field] / total[field]
                print(f"{field:<14} {agree[field]:>8} {total[field]:>8} {share:>6.2f}%")
        print(f"{'all':<14} {sum(agree.values()):>8} {sum(total.values()):>8} {100 * overall:>6.2f}%")
        if os.environ.get("PYCAPTURE_CONFORMANCE_DETAILS") or not IN_CI:
            for field, items in disagreements.items():
                print(f"-- {field}: {len(items)} disagreements, e.g. " + "; ".join(items[:3]))
            for item in frame_count_mismatches[:20]:
                print(f"-- frame count: {item}")
    assert not frame_count_mismatches, frame_count_mismatches[:10]
    assert overall >= TARGET
