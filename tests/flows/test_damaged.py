"""A capture cut short: -z tables, followed streams and tcpflow's files hold what came before the damage,
as tshark and tcpflow do, and the command still ends with the one-line error and exit status 1."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from support.commands import run_cli, tool

CAPTURES = Path(__file__).parents[2] / "captures"


@pytest.fixture
def cut(tmp_path: Path) -> Path:
    """captures/mixed.pcap cut inside the 28th record's header."""
    path = tmp_path / "cut.pcap"
    path.write_bytes((CAPTURES / "mixed.pcap").read_bytes()[:3000])
    return path


@pytest.mark.parametrize("spec", ["conv,udp", "endpoints,ip", "follow,tcp,raw,0"])
@pytest.mark.parametrize("quiet", [True, False])
def test_statistics_of_what_was_read(cut: Path, spec: str, quiet: bool) -> None:
    args = ["-n", "-r", str(cut), *(["-q"] if quiet else []), "-z", spec]
    ours = run_cli(*args, text=True)
    assert ours.returncode == 1
    last = ours.stderr.strip().splitlines()[-1]
    assert "packet 28 at byte offset 2985" in last and "Traceback" not in ours.stderr
    theirs = subprocess.run([tool("tshark"), *args, "-q"], capture_output=True, text=True).stdout
    table = theirs[theirs.index("\n=") :] if theirs.startswith("\n") else theirs[theirs.index("=") :]
    assert ours.stdout.endswith(table)
    assert ours.stdout.count("\n") > table.count("\n") or quiet


def test_flow_files_of_what_was_read(cut: Path, tmp_path: Path) -> None:
    ours = run_cli("flows", "-r", str(cut), "-o", str(tmp_path / "ours"), text=True)
    assert ours.returncode == 1 and "packet 28" in ours.stderr and "Traceback" not in ours.stderr
    subprocess.run([tool("tcpflow"), "-r", str(cut), "-o", str(tmp_path / "theirs")], capture_output=True)
    names = sorted(p.name for p in (tmp_path / "theirs").iterdir() if p.name != "report.xml")
    assert names and sorted(p.name for p in (tmp_path / "ours").iterdir()) == names
    for name in names:
        assert (tmp_path / "ours" / name).read_bytes() == (tmp_path / "theirs" / name).read_bytes()
