"""Every capture of ../shared/corpus/ (real files from tcpdump's, libpcap's, gopacket's... test suites):
one line per frame, the frame count tshark found (MANIFEST.tsv), and never a traceback.

Where the libpcap that pcapy-ng vendors (1.9.1) cannot read a file, tcpdump cannot either (MANIFEST's
tcpdump_exit): then pycapture must print what it could read and one error line, and exit 1.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pycapture.cli.main import command
from support.corpus import PARTIAL_READS, corpus_rows
from support.env import CORPUS

ROWS = corpus_rows()


@pytest.mark.skipif(not ROWS, reason="../shared/corpus is not present")
@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_corpus_file(row: dict[str, str]) -> None:
    res = CliRunner().invoke(command, ["-r", str(CORPUS / row["file"])])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(f"{row['file']}: {res.exception!r}") from res.exception
    assert "Traceback" not in res.stderr
    # one line per packet, and under it the hex dump of a link type tcpdump has no printer for
    lines = [line for line in res.stdout.splitlines() if not line.startswith("\t0x")]
    if row["tcpdump_exit"] == "0":
        assert res.exit_code == 0, res.stderr
        expected = PARTIAL_READS.get(row["file"], (int(row["packets"]), ""))[0]
        assert len(lines) == expected
    else:
        assert res.exit_code == 1
        errors = [line for line in res.stderr.splitlines() if line.startswith("pycapture: ") and ";" in line]
        assert len(errors) == 1, res.stderr
        assert len(lines) <= int(row["packets"])  # what came before the damage, no more
    assert all(line.strip() for line in lines)
