"""Tables of pcapng files whose interfaces differ in link type or snapshot length (libpcap refuses them):
read by pycapture's own reader, each row decoded by its packet's own link type, as tshark reads them.
The rows are checked against ``tshark -T fields`` on the corpus's such files, and on a crafted file of
Ethernet and BSD loopback packets.
"""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest

from pycapture.savefile.reader import mixed_interfaces
from pycapture.table.reader import read_table
from support.commands import tool
from support.env import CORPUS

_FIELDS = (
    "frame.interface_id",
    "frame.len",
    "frame.cap_len",
    "eth.src",
    "ip.src",
    "ip.dst",
    "udp.srcport",
    "tcp.srcport",
)


def _tshark_rows(path: str) -> list[tuple[str | None, ...]]:
    """tshark's fields of each packet: lengths, Ethernet source, IPv4 addresses, UDP and TCP source port."""
    out = subprocess.run(
        [tool("tshark"), "-n", "-r", path, "-T", "fields", "-E", "occurrence=f"]
        + [arg for field in _FIELDS for arg in ("-e", field)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [tuple(value or None for value in line.split("\t")) for line in out.splitlines()]
    # custom blocks: tshark 4.0 shows each as a frame of "data" on no interface
    return [row[1:] for row in rows if row[0] is not None]


def _our_rows(path: str) -> list[tuple[str | None, ...]]:
    """The same fields from pycapture's table of ``path``."""
    columns = ["len", "cap_len", "eth_src", "ip_version", "ip_src", "ip_dst", "ip_proto", "src_port"]
    rows = read_table(path, columns).to_pylist()

    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return [
        (
            str(row["len"]),
            str(row["cap_len"]),
            text(row["eth_src"]),
            text(row["ip_src"]) if row["ip_version"] == 4 else None,
            text(row["ip_dst"]) if row["ip_version"] == 4 else None,
            text(row["src_port"]) if row["ip_proto"] == 17 else None,
            text(row["src_port"]) if row["ip_proto"] == 6 else None,
        )
        for row in rows
    ]


def _shb() -> bytes:
    body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    return struct.pack("<II", 0x0A0D0D0A, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


def _block(btype: int, body: bytes) -> bytes:
    body += bytes(-len(body) % 4)
    return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


def _epb(interface: int, frame: bytes) -> bytes:
    return _block(6, struct.pack("<IIIII", interface, 0, 1_000_000, len(frame), len(frame)) + frame)


def _udp_ip(src: bytes, dst: bytes, sport: int, dport: int) -> bytes:
    udp = struct.pack(">HHHH", sport, dport, 12, 0) + b"abcd"
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, src, dst)
    return ip + udp


def test_crafted_mixed_file_rows_are_tsharks(tmp_path: Path) -> None:
    """An Ethernet interface and a BSD loopback one: each row by its own link type (the loopback's
    packets read as Ethernet would have no addresses)."""
    ether = bytes.fromhex("020000000002 020000000001 0800") + _udp_ip(b"\x0a\0\0\1", b"\x0a\0\0\2", 53, 999)
    loop = struct.pack("<I", 2) + _udp_ip(b"\xc0\xa8\0\1", b"\xc0\xa8\0\2", 1234, 53)
    path = tmp_path / "mixed.pcapng"
    path.write_bytes(
        _shb()
        + _block(1, struct.pack("<HHI", 1, 0, 0))
        + _block(1, struct.pack("<HHI", 0, 0, 0))
        + _epb(0, ether)
        + _epb(1, loop)
        + _epb(0, ether)
    )
    assert mixed_interfaces(str(path)) is not None
    table = read_table(str(path))
    assert table.column("linktype").to_pylist() == ["EN10MB", "NULL", "EN10MB"]
    assert table.column("ip_src").to_pylist() == ["10.0.0.1", "192.168.0.1", "10.0.0.1"]
    assert _our_rows(str(path)) == _tshark_rows(str(path))
    filtered = read_table(str(path), filter="udp port 53")  # each link type's own filter program
    assert filtered.num_rows == 3


def _corpus_mixed() -> list[str]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    names = [line.split("\t", 1)[0] for line in manifest.read_text().splitlines()[1:]]
    return [n for n in names if n.endswith(".pcapng") and mixed_interfaces(str(CORPUS / n)) is not None]


@pytest.mark.parametrize("name", _corpus_mixed())
def test_corpus_mixed_file_rows_are_tsharks(name: str) -> None:
    path = str(CORPUS / name)
    assert _our_rows(path) == _tshark_rows(path)


def test_cli_tables_of_a_mixed_file(tmp_path: Path) -> None:
    """``pycapture sql`` and ``-w FILE.parquet`` read such a file too, each row by its own link type."""
    import pyarrow.parquet as pq

    from support.commands import run_cli

    names = _corpus_mixed()
    if not names:
        pytest.skip("corpus not available")
    path = str(CORPUS / names[0])
    expected = _tshark_rows(path)
    query = "select len, ip_src from packets order by frame_number"
    res = run_cli("sql", "--format", "csv", query, path, text=True)
    assert res.returncode == 0, res.stderr
    got = [line.replace('"', "") for line in res.stdout.splitlines()[1:]]
    assert got == [f"{row[0]},{row[3] or ''}" for row in expected]
    out = tmp_path / "rows.parquet"
    res = run_cli("-r", path, "-w", str(out), text=True)
    assert res.returncode == 0, res.stderr
    table = pq.read_table(out)
    assert [str(n) for n in table.column("len").to_pylist()] == [row[0] for row in expected]
