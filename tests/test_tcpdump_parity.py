"""pycapture's one-line output beside tcpdump's own, line for line.

Link types tcpdump has no printer for print as it prints them ("UNSUPPORTED" and the frame in hex and
ASCII), under every dump option; and over ../shared/corpus the first line of each packet must be
tcpdump's for at least as many packets as measured when this test was written (79.06%: the rest are
protocols tcpdump decodes deeper, such as AFS, PTP, VRRP, OSPF, Babel).
"""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import CORPUS, run_cli, tool
from pycapture.decode.lean import TCPDUMP_UNSUPPORTED
from pycapture.savefile.pcap_writer import PcapWriter


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


def _first_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line[:2].isdigit()]


def test_corpus_first_lines_are_tcpdumps(corpus):
    tcpdump = tool("tcpdump")
    env = dict(os.environ, TZ="UTC")
    same = total = 0
    for row in corpus:
        path = str(CORPUS / row["file"])
        theirs = _first_lines(
            subprocess.run([tcpdump, "-n", "-r", path], capture_output=True, env=env).stdout.decode("latin-1")
        )
        ours = _first_lines(run_cli("-n", "-r", path, env=env).stdout.decode("latin-1"))
        same += sum(a == b for a, b in zip(ours, theirs))
        total += max(len(ours), len(theirs))
    assert total > 20000
    assert same / total >= 0.79, f"{same} of {total} lines are tcpdump's"
