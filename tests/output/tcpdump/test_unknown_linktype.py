"""A link type tcpdump knows nothing about: one error line and exit status 1, as tcpdump does.

tcpdump compiles a filter program for every capture, an empty one when none is given, and libpcap's
compiler refuses a DLT it has no offsets for ("unknown data link type N"), before any packet is read.
The types it knows without a printer of its own still print, as UNSUPPORTED and hex
(test_parity.py).
"""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest

import pycapture
from pycapture.output.tcpdump.printer import tcpdump_prints
from support.commands import run_cli, tool

FRAME = bytes(range(60))
# the LinkType field's low 26 bits are the type for libpcap 1.10; the top bits say the FCS length
HIGH_VALUES = [
    0xFFFF,
    0x10000,
    0x10001,
    0x03FFFFFF,
    0x04000001,
    0x14000001,
    0x08000001,
    0x7FFFFFFF,
    0xFFFFFFFF,
]


def _file(path: Path, linktype: int, count: int = 3) -> Path:
    with path.open("wb") as f:
        f.write(struct.pack("=IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for i in range(count):
            f.write(struct.pack("=IIII", 1000 + i, 0, len(FRAME), len(FRAME)) + FRAME)
    return path


def _tcpdump(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([tool("tcpdump"), *args], capture_output=True, text=True, check=False)


def test_the_rule_refuses_exactly_the_link_types_tcpdump_refuses(tmp_path):
    path = tmp_path / "one.pcap"
    differ = []
    for linktype in [*range(0, 600), *HIGH_VALUES]:
        _file(path, linktype, 1)
        theirs = _tcpdump("-r", str(path))
        refused = theirs.returncode == 1 and "unknown data link type" in theirs.stderr
        assert refused or theirs.returncode == 0, theirs.stderr
        with pycapture.open_offline(str(path)) as handle:
            if tcpdump_prints(handle.datalink) == refused:
                differ.append(linktype)
    assert differ == []


MODES = [[], ["-x"], ["-XX"], ["-e"], ["-c", "1"], ["-v"], ["--json"], ["udp"], ["link[0] = 0"]]


@pytest.mark.parametrize("mode", MODES, ids=" ".join)
@pytest.mark.parametrize("linktype", [1000, 300, 2, 65535])
def test_printing_an_unknown_link_type_is_one_error_line_and_status_1(tmp_path, linktype, mode):
    path = _file(tmp_path / "unknown.pcap", linktype)
    if mode != ["--json"]:  # (tcpdump has no JSON)
        theirs = _tcpdump("-r", str(path), *mode)
        assert theirs.returncode == 1 and f"unknown data link type {linktype}" in theirs.stderr
        assert theirs.stdout == ""
    ours = run_cli("-r", str(path), *mode, text=True)
    assert ours.returncode == 1
    assert ours.stdout == ""
    assert ours.stderr.splitlines() == [ours.stderr.strip()]
    assert ours.stderr.startswith(f"pycapture: {path}: unknown data link type {linktype}; ")
    assert "copy the packets as they are with -w FILE" in ours.stderr


def test_writing_it_unfiltered_copies_it_and_filtering_or_printing_it_is_refused(tmp_path):
    """tcpdump refuses -w too (its empty filter does not compile); pycapture's writer needs no filter,
    so it copies the packets, the one thing left to do with them."""
    path = _file(tmp_path / "unknown.pcap", 1000)
    out = tmp_path / "copy.pcap"
    copied = run_cli("-r", str(path), "-w", str(out), "-c", "2", text=True)
    assert copied.returncode == 0, copied.stderr
    assert out.read_bytes() == path.read_bytes()[: 24 + 2 * (16 + len(FRAME))]
    for extra in (["udp"], ["--print"]):
        refused = run_cli("-r", str(path), "-w", str(tmp_path / "x.pcap"), *extra, text=True)
        assert refused.returncode == 1 and "unknown data link type 1000" in refused.stderr
        assert len(refused.stderr.splitlines()) == 1
        assert not (tmp_path / "x.pcap").exists()
    replayed = run_cli("replay", str(path), "--topspeed", text=True)
    assert replayed.returncode == 1 and replayed.stdout == ""
    assert len(replayed.stderr.splitlines()) == 1 and "unknown data link type 1000" in replayed.stderr


@pytest.mark.parametrize("linktype", [8, 99, 147, 289])  # SLIP, Symantec firewall, USER0, the last one
def test_a_link_type_tcpdump_knows_is_not_refused(tmp_path, linktype):
    path = _file(tmp_path / "known.pcap", linktype)
    assert _tcpdump("-r", str(path)).returncode == 0
    ours = run_cli("-r", str(path), text=True)
    assert ours.returncode == 0, ours.stderr
    assert len(ours.stdout.splitlines()) >= 3
