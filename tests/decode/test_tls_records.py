"""Every TLS record a segment starts is in its ``tls`` layer, as tshark dissects them without reassembly.

The first record (cut by the segment or not), then each whole record after it whose content type
Wireshark takes (20 to 25); a key the records repeat lists each record's value, as tshark's ``-T fields``
does. Compared with tshark on crafted segments, through the compiled JSON sink and the pure-Python path.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from support.commands import run_cli, tool
from support.frames import TLS_RECORD_RUNS, ether, ipv4, tcp, tls_client_hello
from support.tcpdump_compare import write_capture

FIELDS = {
    "tls.record.content_type": "record.content_type",
    "tls.record.version": "record.version",
    "tls.record.length": "record.length",
    "tls.handshake.type": "handshake.type",
}

PAYLOADS = [
    *TLS_RECORD_RUNS,
    bytes([23, 3, 3, 0, 5]) + bytes(5),  # one record, the segment's whole payload
    tls_client_hello("www.example.com") + bytes([23, 3, 3, 0, 1, 0]),
]


def _theirs(path: Path) -> list[dict[str, list[int]]]:
    args = [tool("tshark"), "-n", "-r", str(path), "-o", "tcp.desegment_tcp_streams:FALSE", "-T", "fields"]
    args += ["-E", "separator=/t", "-E", "aggregator=,"]
    for name in FIELDS:
        args += ["-e", name]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        values = line.split("\t")
        rows.append(
            {key: [int(v, 0) for v in values[i].split(",") if v] for i, key in enumerate(FIELDS.values())}
        )
    return rows


def _ours(path: Path, pure: str) -> list[dict[str, list[int]]]:
    got = run_cli("--json", "-r", str(path), env=dict(os.environ, PYCAPTURE_PURE_PYTHON=pure), text=True)
    assert got.returncode == 0, got.stderr
    rows = []
    for line in got.stdout.splitlines():
        tls = [layer for layer in json.loads(line)["layers"] if layer["layer"] == "tls"]
        row = {}
        for key in FIELDS.values():
            value = tls[0].get(key) if tls else None
            row[key] = [] if value is None else value if isinstance(value, list) else [value]
        rows.append(row)
    return rows


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
def test_records_after_the_first_are_tsharks(tmp_path: Path, pure: str) -> None:
    # each segment its own connection: tshark would take a repeated sequence number for a retransmission
    frames = [(ether(0x0800, ipv4(6, tcp(443, 40000 + i, payload=p))), 0) for i, p in enumerate(PAYLOADS)]
    path = write_capture(tmp_path / "tls.pcap", frames)
    theirs, ours = _theirs(path), _ours(path, pure)
    assert len(theirs) == len(ours) == len(PAYLOADS)
    for number, (their, our) in enumerate(zip(theirs, ours), 1):
        assert our == their, (number, our, their)
    assert sum(len(row["record.content_type"]) > 1 for row in ours) >= 6
