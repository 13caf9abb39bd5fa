"""pycapture's one-line output beside tcpdump's own, line for line.

Link types tcpdump has no printer for print as it prints them ("UNSUPPORTED" and the frame in hex and
ASCII), under every dump option; and over ../shared/corpus the first line of each packet is tcpdump's
except where expected_differences.tsv (next to this file) lists it with its cause: mostly protocols
tcpdump decodes deeper, such as AFS, PTP, VRRP, OSPF, Babel. A difference not listed fails, and so does
a listed one that no longer occurs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from pycapture.decode.lean import TCPDUMP_UNSUPPORTED
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import run_cli, tool
from support.env import CORPUS
from support.expected import packets, ranges, read_expected, unlisted_rows


@pytest.mark.parametrize("options", [[], ["-x"], ["-X"], ["-xx"], ["-XX"], ["-e"]], ids=str)
@pytest.mark.parametrize("linktype", [227, 147, 165, 231])  # CAN, DLT_USER0, BACnet MS/TP, D-Bus
def test_unsupported_link_types_print_as_tcpdump_prints_them(tmp_path, linktype, options):
    tcpdump = tool("tcpdump")
    path = tmp_path / "frames.pcap"
    writer = PcapWriter(str(path), linktype)
    for number, size in enumerate((1, 15, 16, 17, 40), 1):  # tcpdump stops at a record of 0 bytes
        writer.write(number, 0, size, bytes((number * 7 + i) % 256 for i in range(size)))
    writer.close()
    env = dict(os.environ, TZ="UTC")
    expected = subprocess.run(
        [tcpdump, "-n", *options, "-r", str(path)], capture_output=True, text=True, env=env
    )
    got = run_cli("-n", *options, "-r", str(path), text=True, env=env)
    assert got.returncode == 0, got.stderr
    assert linktype in TCPDUMP_UNSUPPORTED
    assert got.stdout == expected.stdout
    assert "UNSUPPORTED" in got.stdout


EXPECTED = Path(__file__).with_name("expected_differences.tsv")


def _first_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line[:2].isdigit()]


def _expected() -> tuple[dict[str, str], dict[tuple[str, int], str]]:
    return read_expected(EXPECTED)


def test_every_expected_difference_has_a_cause_and_every_cause_a_difference():
    causes, listed = _expected()
    assert set(listed.values()) == set(causes)
    assert packets("1-3,7,9-10") == [1, 2, 3, 7, 9, 10] and ranges([10, 1, 2, 3, 7, 9]) == "1-3,7,9-10"


PER_FILE_FLOOR = 0.97
"""The mean over corpus files of the share of a file's packets whose line is tcpdump's: issue 19 asks for at
least 0.5; the floor is today's (97.66%; 93.4% at the stop before, 18.9% before issue 19's printers), so that
it only rises.
``python -m support.parity_regen`` (from tests/) prints it and keeps expected_differences.tsv true."""


def test_corpus_first_lines_are_tcpdumps_but_for_the_expected_differences(corpus, capsys):
    """Each packet's first line against tcpdump's, and the per-file parity (issue 19's measure: each
    file's share of identical lines, averaged over files, so the few captures with thousands of packets
    weigh no more than any other)."""
    tcpdump = tool("tcpdump")
    _causes, expected = _expected()
    env = dict(os.environ, TZ="UTC")
    differing: dict[str, list[int]] = {}
    shares: list[float] = []
    total = 0
    for row in corpus:
        path = str(CORPUS / row["file"])
        theirs = _first_lines(
            subprocess.run([tcpdump, "-n", "-r", path], capture_output=True, env=env).stdout.decode("latin-1")
        )
        ours = _first_lines(run_cli("-n", "-r", path, env=env).stdout.decode("latin-1"))
        lines = max(len(ours), len(theirs))
        total += lines
        for number in range(1, lines + 1):
            if ours[number - 1 : number] != theirs[number - 1 : number]:
                differing.setdefault(row["file"], []).append(number)
        if lines:
            shares.append(1 - len(differing.get(row["file"], ())) / lines)
    assert total > 20000
    per_file = sum(shares) / len(shares)
    same = total - sum(len(numbers) for numbers in differing.values())
    with capsys.disabled():
        print(f"\ntcpdump parity: {per_file:.1%} per file (mean of {len(shares)})", end="")
        print(f", {same / total:.1%} per packet")
    assert per_file >= PER_FILE_FLOOR
    found = {(name, number) for name, numbers in differing.items() for number in numbers}
    gone = sorted(expected.keys() - found)
    assert found <= expected.keys(), "differences not in expected_differences.tsv:\n" + unlisted_rows(
        found, expected
    )
    assert not gone, f"listed in expected_differences.tsv but now the same as tcpdump's: {gone}"
