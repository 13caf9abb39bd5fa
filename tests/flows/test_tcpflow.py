"""``pycapture flows`` (issue 18): tcpflow's files, byte for byte, against Debian's tcpflow 1.6.1 on
crafted captures, the project's captures and the shared corpus (``report.xml`` left out)."""

from __future__ import annotations

import csv
import os
import subprocess
import time
from pathlib import Path

import dpkt
import pytest
from click.testing import CliRunner

from pycapture.cli.flows import flows_command
from pycapture.errors import PcapError
from pycapture.flows.tcp import ACK, FIN, RST, SYN
from pycapture.flows.tcpflow import flow_name, write_flows
from support.commands import tool

ROOT = Path(__file__).parents[2]
CAPTURES = ROOT / "captures"
CORPUS = ROOT.parent / "shared" / "corpus"
KNOWN_DIFFERENCES: dict[str, str] = {}
"""Corpus files whose output cannot match tcpflow's, with the reason (none at present)."""


def _tcpflow(path: Path, outdir: Path) -> dict[str, bytes]:
    outdir.mkdir()
    subprocess.run([tool("tcpflow"), "-r", str(path), "-o", str(outdir)], capture_output=True, timeout=60)
    return _listing(outdir)


def _listing(outdir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in outdir.iterdir() if p.name != "report.xml"}


def _ours(path: Path, outdir: Path) -> dict[str, bytes]:
    write_flows(path, outdir)
    return _listing(outdir)


def _frame(src: bytes, dst: bytes, sport: int, dport: int, seq: int, flags: int, data: bytes = b"",
           vlan: int | None = None) -> bytes:  # fmt: skip
    tcp = dpkt.tcp.TCP(sport=sport, dport=dport, seq=seq, ack=0, flags=flags, off=5, data=data)
    if len(src) == 16:
        ip6 = dpkt.ip6.IP6(src=src, dst=dst, nxt=6, hlim=64, data=tcp)
        ip6.plen = len(bytes(tcp))
        payload, etype = bytes(ip6), 0x86DD
    else:
        ip = dpkt.ip.IP(src=src, dst=dst, p=6, data=tcp)
        ip.len = 20 + len(bytes(tcp))
        payload, etype = bytes(ip), 0x0800
    tag = b"" if vlan is None else b"\x81\x00" + vlan.to_bytes(2, "big")
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01" + tag + etype.to_bytes(2, "big") + payload


A, B = bytes([10, 0, 0, 1]), bytes([192, 168, 1, 2])
A6, B6 = bytes.fromhex("20010db8" + "0" * 23 + "1"), bytes.fromhex("20010db8" + "0" * 23 + "2")
CRAFTED = [
    _frame(A, B, 1234, 80, 1000, SYN),
    _frame(B, A, 80, 1234, 5000, SYN | ACK),
    _frame(A, B, 1234, 80, 1001, ACK, b"hello "),
    _frame(A, B, 1234, 80, 1013, ACK, b"again"),  # a gap of 6 bytes before it: a hole of zeros
    _frame(A, B, 1234, 80, 1001, ACK, b"HELLO"),  # retransmitted with other bytes: the later bytes win
    _frame(B, A, 80, 1234, 5001, ACK, b"answer"),
    _frame(A, B, 1234, 80, 1007, ACK, b"world "),  # the gap filled: the FIN below ends the flow
    _frame(A, B, 1234, 80, 1018, FIN | ACK),
    _frame(B, A, 80, 1234, 5007, FIN | ACK),
    _frame(A, B, 1234, 80, 7000, SYN),  # the same addresses and ports again: a second file, ...c1
    _frame(A, B, 1234, 80, 7001, ACK, b"second"),
    _frame(A, B, 1234, 80, 7007, RST),
    _frame(A6, B6, 443, 50000, 1, ACK, b"no syn seen"),
    _frame(A6, B6, 443, 50000, 12, ACK, b"!"),
    _frame(A, B, 2000, 25, 77, ACK, b"tagged", vlan=0xC00E),
]


def _write_pcap(path: Path, frames: list[bytes]) -> None:
    with path.open("wb") as out:
        writer = dpkt.pcap.Writer(out)
        for n, frame in enumerate(frames):
            writer.writepkt(frame, ts=n)


def test_names() -> None:
    assert flow_name(bytes([192, 168, 1, 1]), 80, bytes([10, 0, 0, 1]), 1234) == (
        "192.168.001.001.00080-010.000.000.001.01234"
    )
    assert flow_name(A6, 443, B6, 1) == "2001:db8::1.00443-2001:db8::2.00001"


def test_crafted_capture_matches_tcpflow(tmp_path: Path) -> None:
    path = tmp_path / "crafted.pcap"
    _write_pcap(path, CRAFTED)
    ours = _ours(path, tmp_path / "ours")
    assert ours["010.000.000.001.01234-192.168.001.002.00080"] == b"HELLO world again"
    assert ours["010.000.000.001.01234-192.168.001.002.00080c1"] == b"second"
    assert ours["010.000.000.001.02000-192.168.001.002.00025--49166"] == b"tagged"
    assert ours == _tcpflow(path, tmp_path / "theirs")


def test_a_syn_on_an_open_flow_is_ignored(tmp_path: Path) -> None:
    """With the gap unfilled the FIN does not end the flow: tcpflow ignores the second SYN and writes
    the second connection's bytes into the first file, at their distance from the first ISN."""
    path = tmp_path / "gap.pcap"
    _write_pcap(path, CRAFTED[:6] + CRAFTED[7:])
    ours = _ours(path, tmp_path / "ours")
    assert ours["010.000.000.001.01234-192.168.001.002.00080"].endswith(b"second")
    assert ours == _tcpflow(path, tmp_path / "theirs")


def test_records_without_a_file(tmp_path: Path) -> None:
    report = write_flows(((1, frame) for frame in CRAFTED), tmp_path / "made" / "here")
    assert len(report.files) == 5 and report.segments == len(CRAFTED)
    assert sorted(p.name for p in (tmp_path / "made" / "here").iterdir()) == report.files


def test_names_in_use_in_the_directory_are_not_reused(tmp_path: Path) -> None:
    (tmp_path / "010.000.000.001.02000-192.168.001.002.00025--49166").write_bytes(b"old")
    report = write_flows([(1, CRAFTED[-1])], tmp_path)
    assert report.files == ["010.000.000.001.02000-192.168.001.002.00025--49166c1"]


@pytest.mark.parametrize("name", sorted(p.name for p in CAPTURES.glob("*.pcap")))
def test_project_captures(name: str, tmp_path: Path) -> None:
    path = CAPTURES / name
    assert _ours(path, tmp_path / "ours") == _tcpflow(path, tmp_path / "theirs")


def test_shared_corpus(tmp_path: Path) -> None:
    """Every corpus file tshark reads: the same files with the same bytes, or, where pycapture cannot
    open the file, none from tcpflow either (it cannot open them: pcapng with mixed interfaces)."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        pytest.skip("the shared corpus is not here")
    with manifest.open() as f:
        names = [r["file"] for r in csv.DictReader(f, delimiter="\t") if r["tshark_exit"] == "0"]
    started, same, with_tcp, differing = time.monotonic(), 0, 0, []
    for n, name in enumerate(names):
        theirs = _tcpflow(CORPUS / name, tmp_path / f"t{n}")
        try:
            ours = _ours(CORPUS / name, tmp_path / f"o{n}")
        except PcapError:
            ours = {}
        with_tcp += bool(theirs)
        if ours == theirs:
            same += 1
        elif name not in KNOWN_DIFFERENCES:
            differing.append(name)
    assert differing == [], differing
    assert with_tcp >= 70 and same == len(names) - len(KNOWN_DIFFERENCES)
    assert time.monotonic() - started < 60


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(flows_command, list(args), prog_name="pycapture flows")
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def test_cli_writes_the_files(tmp_path: Path) -> None:
    code, out = _cli("-r", str(CAPTURES / "http.pcap"), "-o", str(tmp_path / "new"), "tcp", "port", "80")
    assert code == 0, out
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == [
        "192.000.002.010.51000-198.051.100.020.00080",
        "198.051.100.020.00080-192.000.002.010.51000",
    ]
    code, out = _cli("-r", str(CAPTURES / "http.pcap"), "-o", str(tmp_path / "none"), "udp")
    assert code == 0 and list((tmp_path / "none").iterdir()) == []


def test_cli_bad_input(tmp_path: Path) -> None:
    code, out = _cli("-r", str(tmp_path / "missing.pcap"), "-o", str(tmp_path / "o"))
    assert code == 1 and "missing.pcap" in out and "-r" in out and "Traceback" not in out
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    code, out = _cli("-r", str(CAPTURES / "http.pcap"), "-o", str(blocker / "sub"))
    assert code == 1 and "-o" in out and "Traceback" not in out
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        code, out = _cli("-r", str(CAPTURES / "http.pcap"), "-o", str(locked / "sub"))
        assert code == 1 and "Permission denied" in out
    code, out = _cli("-r", str(CAPTURES / "http.pcap"), "-o", str(tmp_path / "p"), "tcp", "port")
    assert code == 1 and "filter" in out and "Traceback" not in out
