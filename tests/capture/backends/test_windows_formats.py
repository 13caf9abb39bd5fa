"""Reading what Windows users have with WinPcap's libpcap 1.0, which reads neither pcapng (what
``pktmon etl2pcap`` and Wireshark write) nor nanosecond pcap: ``-r`` falls back to pycapture's own reader,
says so in one line, and prints what libpcap 1.10 prints here. The fake replays libpcap 1.0's refusal."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pycapture.cli.main import command
from support.commands import run_cli, tool
from support.env import CAPTURES
from support.windows_fakes import BAD_DUMP_FILE_FORMAT, WINPCAP_LIB_VERSION, FakeLibpcap10


@pytest.fixture(scope="module")
def windows_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """captures/mixed.pcap as pcapng (written by pycapture) and as nanosecond pcap (written by tcpdump)."""
    folder = tmp_path_factory.mktemp("windows")
    source = CAPTURES / "mixed.pcap"
    ng, nano = folder / "mixed.pcapng", folder / "mixed-nano.pcap"
    assert run_cli("-r", str(source), "-w", str(ng), "--pcapng").returncode == 0
    tcpdump = [tool("tcpdump"), "--nano", "-r", str(source), "-w", str(nano)]
    subprocess.run(tcpdump, check=True, capture_output=True)
    return {"pcapng": ng, "nanosecond": nano}


@pytest.mark.parametrize("kind", ["pcapng", "nanosecond"])
@pytest.mark.parametrize(
    "args",
    [["-n"], ["-n", "-v"], ["--json"], ["-n", "udp or icmp6"], ["-n", "greater 100"]],
    ids=["plain", "-v", "--json", "filter", "filter on the original length"],
)
def test_a_format_libpcap_1_0_refuses_is_read_by_the_file_backend(
    monkeypatch: pytest.MonkeyPatch, windows_files: dict[str, Path], kind: str, args: list[str]
) -> None:
    path = str(windows_files[kind])
    expected = CliRunner().invoke(command, ["-r", path, *args])  # libpcap 1.10 reads it itself
    assert expected.exit_code == 0, expected.output
    FakeLibpcap10().install(monkeypatch)
    result = CliRunner().invoke(command, ["-r", path, *args])
    assert result.exit_code == 0, result.output
    assert result.stdout == expected.stdout
    notes = [line for line in result.stderr.splitlines() if "file backend" in line]
    assert len(notes) == 1
    assert BAD_DUMP_FILE_FORMAT in notes[0] and WINPCAP_LIB_VERSION in notes[0]
    assert "Traceback" not in result.stderr


def test_a_microsecond_pcap_still_goes_through_libpcap(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeLibpcap10().install(monkeypatch)
    result = CliRunner().invoke(command, ["-n", "-r", str(CAPTURES / "mixed.pcap")])
    assert result.exit_code == 0 and "file backend" not in result.stderr


def test_an_explicit_libpcap_backend_says_how_to_read_it(
    monkeypatch: pytest.MonkeyPatch, windows_files: dict[str, Path]
) -> None:
    FakeLibpcap10().install(monkeypatch)
    result = CliRunner().invoke(command, ["--backend", "pcapy", "-n", "-r", str(windows_files["pcapng"])])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("pycapture: ")]
    assert len(lines) == 1 and BAD_DUMP_FILE_FORMAT in lines[0] and "--backend file" in lines[0]


def test_a_file_no_reader_can_read_keeps_libpcaps_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    FakeLibpcap10().install(monkeypatch)
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"\xde\xad\xbe\xef" + bytes(40))
    result = CliRunner().invoke(command, ["-n", "-r", str(junk)])
    assert result.exit_code == 1 and "file backend" not in result.stderr
    assert "Traceback" not in result.stderr


def test_version_says_which_backend_auto_falls_back_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """An image whose pcapy-ng build failed says so: --version names the backend auto uses, and why."""
    from pycapture.capture import pcapy as _pcapy

    monkeypatch.setattr(_pcapy, "AVAILABLE", False)
    monkeypatch.setattr(_pcapy, "IMPORT_ERROR", "No module named 'pcapy'")
    result = CliRunner().invoke(command, ["--version"])
    assert result.exit_code == 0
    (line,) = [line for line in result.output.splitlines() if line.startswith("backend: ")]
    assert line.startswith("backend: scapy (pcapy: pcapy-ng cannot be imported: No module named 'pcapy'")
