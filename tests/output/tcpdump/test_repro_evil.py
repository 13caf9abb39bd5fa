"""The reproducers whose packets carry terminal escapes, CR/LF and bidi characters in printed fields
(../shared/repro/evil_*): every output form stays one line per packet with no control character, as
tcpdump's, and the summary lines are tcpdump's own where pycapture prints that protocol."""

from __future__ import annotations

import re
import subprocess

import pytest

from support.commands import run_cli, tool
from support.env import REPRO

EVIL = sorted(REPRO.glob("evil_*")) if REPRO.is_dir() else []
# files with frames pycapture does not print as deeply as tcpdump yet (issue 19: NFLOG, radiotap, and the
# LLDP and CDP frames in evil_eth.pcap): their lines are pycapture's own, so only their number is compared
NOT_DECODED = {"evil_nflog.pcap", "evil_radiotap.pcap", "evil_eth.pcap"}
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
FORMS = [["-n"], ["-n", "-v"], ["--json"], ["-n", "-e"], ["-n", "-x"], ["-n", "-X"], ["-n", "-tttt"]]


def _ids(paths: list) -> list[str]:
    return [p.name for p in paths]


@pytest.fixture(autouse=True)
def _repro_present() -> None:
    if not EVIL:
        pytest.skip("../shared/repro is not present")


@pytest.mark.parametrize("path", EVIL, ids=_ids(EVIL))
@pytest.mark.parametrize("form", FORMS, ids=[" ".join(f) for f in FORMS])
def test_no_control_character_reaches_the_terminal(path, form: list[str]) -> None:
    proc = run_cli(*form, "-r", str(path))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode("utf-8")  # also: the output is valid UTF-8
    bad = UNSAFE.search(out)
    context = out[max(0, bad.start() - 60) : bad.start() + 20] if bad else ""
    assert bad is None, f"{bad.group()!r} in {context!r}"


@pytest.mark.parametrize("path", EVIL, ids=_ids(EVIL))
def test_one_line_per_packet_as_tcpdump(path) -> None:
    tcpdump = tool("tcpdump")
    theirs = subprocess.run([tcpdump, "-n", "-r", str(path)], capture_output=True)
    ours = run_cli("-n", "-r", str(path))
    assert ours.returncode == theirs.returncode
    assert len(ours.stdout.splitlines()) == len(theirs.stdout.splitlines())
    if path.name not in NOT_DECODED:
        assert ours.stdout == theirs.stdout
