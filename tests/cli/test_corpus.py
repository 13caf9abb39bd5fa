"""Every capture of ../shared/corpus/ (real files from tcpdump's, libpcap's, gopacket's... test suites):
one line per frame, the frame count tshark found (MANIFEST.tsv), and never a traceback.

Where the libpcap that pcapy-ng vendors (1.9.1) cannot read a file, tcpdump cannot either (MANIFEST's
tcpdump_exit): then pycapture must print what it could read and one error line, and exit 1.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from pycapture.cli.main import command
from pycapture.savefile.reader import mixed_interfaces
from support.corpus import PARTIAL_READS, TSHARK_CUSTOM_BLOCKS, corpus_rows
from support.env import CORPUS

ROWS = corpus_rows()
PACKET_LINE = re.compile(r"\d\d:\d\d:\d\d\.\d{6,} |\[Invalid header|\[Error converting time\]")


@pytest.mark.skipif(not ROWS, reason="../shared/corpus is not present")
@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_corpus_file(row: dict[str, str]) -> None:
    res = CliRunner().invoke(command, ["-r", str(CORPUS / row["file"])])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(f"{row['file']}: {res.exception!r}") from res.exception
    assert "Traceback" not in res.stderr
    # one line per packet, starting with its time; after it, what tcpdump prints there (the hex dump of a
    # link type or payload it does not decode, a tunnel's inner frame, a few protocols' further lines)
    lines = [line for line in res.stdout.splitlines() if PACKET_LINE.match(line)]
    if row["tcpdump_exit"] == "0" or mixed_interfaces(str(CORPUS / row["file"])):  # the latter: as tshark
        assert res.exit_code == 0, res.stderr
        expected = PARTIAL_READS.get(row["file"], (int(row["packets"]), ""))[0]
        expected -= TSHARK_CUSTOM_BLOCKS.get(row["file"], 0)
        assert len(lines) == expected
    else:
        assert res.exit_code == 1
        errors = [line for line in res.stderr.splitlines() if line.startswith("pycapture: ") and ";" in line]
        assert len(errors) == 1, res.stderr
        assert len(lines) <= int(row["packets"])  # what came before the damage, no more
