"""The compiled columnar store gives the table the pure-Python reader gives, on every file.

With the C extension built, :func:`pycapture.table.read_batches` fills Arrow buffers in C for the frames the
header walk takes (``_tablesink.h``), appends rows made in Python for the others, and reads classic pcap
files in place; without it (or with ``PYCAPTURE_PURE_PYTHON=1``) every row is a Python list made into
arrays with ``pa.array``. The two must give equal tables, batch boundaries aside: on captures/ and every
file of the corpus (damaged ones included, up to the same error), with all columns, a few, small batches,
a filter, and pcapng.
"""

from __future__ import annotations

import random
import struct
from pathlib import Path
from typing import Any

import dpkt
import pyarrow as pa
import pytest

from pycapture import PcapError
from pycapture.output.tcpdump.fastsummary import FASTLINE
from pycapture.savefile.reader import record_splits
from pycapture.table import reader
from pycapture.table.schema import COLUMNS
from support import frames as frames_mod
from support.corpus import corpus_rows
from support.env import CAPTURES, CORPUS
from support.traffic import make_capture

pytestmark = pytest.mark.skipif(FASTLINE is None, reason="the C extension is not built")


def _table(path: str, compiled: bool, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> tuple[pa.Table, str]:
    """The table of ``path`` and the error that ended it ('' for none)."""
    monkeypatch.setattr(reader, "_compiled", (lambda: FASTLINE) if compiled else (lambda: None))
    batches: list[pa.RecordBatch] = []
    error = ""
    try:
        for batch in reader.read_batches(path, **kwargs):
            batches.append(batch)
    except PcapError as exc:
        error = f"{type(exc).__name__}: {exc}"
    schema = reader.pa.schema([reader.SCHEMA.field(c) for c in kwargs.get("columns") or COLUMNS])
    return pa.Table.from_batches(batches, schema=schema), error


def _same(path: str, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> int:
    fast, fast_error = _table(path, True, monkeypatch, **kwargs)
    slow, slow_error = _table(path, False, monkeypatch, **kwargs)
    assert fast_error == slow_error, path
    if not fast.equals(slow):
        for name in fast.column_names:
            a, b = fast.column(name).to_pylist(), slow.column(name).to_pylist()
            for i, (x, y) in enumerate(zip(a, b)):
                assert x == y, (path, name, i + 1, x, y)
        assert fast.num_rows == slow.num_rows, path
        raise AssertionError(f"{path}: equal values but unequal tables")
    return fast.num_rows


def _files() -> list[str]:
    files = sorted(str(p) for p in CAPTURES.glob("*.pcap*"))
    return files + [str(CORPUS / row["file"]) for row in corpus_rows()]


def test_every_file_all_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = sum(_same(path, monkeypatch) for path in _files())
    assert rows > (20_000 if corpus_rows() else 500)


def test_columns_subsets_batches_and_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(str(p) for p in CAPTURES.glob("*.pcap*"))
    assert files
    for path in files:
        _same(path, monkeypatch, columns=["community_id", "ts", "ip_src", "protocols", "malformed"])
        _same(path, monkeypatch, columns=["frame_number", "len"], batch_size=7)
        _same(path, monkeypatch, batch_size=3)
        _same(path, monkeypatch, filter="tcp or udp", batch_size=50)


def test_batches_are_cut_at_batch_size(monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(sorted(CAPTURES.glob("*.pcap"))[0])
    monkeypatch.setattr(reader, "_compiled", lambda: FASTLINE)
    sizes = [b.num_rows for b in reader.read_batches(path, batch_size=5)]
    assert sizes and all(n == 5 for n in sizes[:-1]) and 0 < sizes[-1] <= 5


def _client_hello(names: list[tuple[int, bytes]], cut: int = 0) -> bytes:
    """A TLS record of a Client Hello whose server_name extension lists ``names`` (type, name), its
    extensions' total length ``cut`` bytes short of what they take."""
    listed = b"".join(struct.pack("!BH", kind, len(name)) + name for kind, name in names)
    sni = struct.pack("!H", len(listed)) + listed
    extensions = struct.pack("!HH", 0, len(sni)) + sni
    hello = bytes([3, 3]) + bytes(32) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00"
    hello += struct.pack("!H", len(extensions) - cut) + extensions
    handshake = b"\x01" + len(hello).to_bytes(3, "big") + hello
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def _messages() -> list[bytes]:
    """Ethernet frames of the kinds the compiled rows take (and their near misses): DNS with every record
    type dpkt parses, TLS records, HTTP lines and bodies, ICMP echoes, over IPv4, IPv6 and a VLAN tag."""
    rng = random.Random(17)
    frames: list[bytes] = []
    rrs = [
        dpkt.dns.DNS.RR(name="a.example", type=1, ip=bytes(4)),
        dpkt.dns.DNS.RR(name="a.example", type=28, ip6=bytes(16)),
        dpkt.dns.DNS.RR(name="a.example", type=5, cname="b.example"),
        dpkt.dns.DNS.RR(name="a.example", type=12, ptrname="p.example"),
        dpkt.dns.DNS.RR(name="a.example", type=2, nsname="ns.example"),
        dpkt.dns.DNS.RR(name="a.example", type=15, preference=10, mxname="mx.example"),
        dpkt.dns.DNS.RR(name="a.example", type=16, text=[b"v=spf1 -all", b"x"]),
        dpkt.dns.DNS.RR(name="a.example", type=33, priority=1, weight=2, port=3, srvname="s.example"),
        dpkt.dns.DNS.RR(
            name="a.example", type=6, mname="m.example", rname="r.example", serial=1, refresh=2, retry=3,
            expire=4, minimum=5,
        ),
        dpkt.dns.DNS.RR(name="a.example", type=46, rdata=b"\x01\x02\x03"),  # RRSIG, kept raw
    ]  # fmt: skip
    for i in range(len(rrs)):
        message = dpkt.dns.DNS(
            id=i, qr=1, rcode=i % 6, qd=[dpkt.dns.DNS.Q(name="q.example")], an=rrs[i : i + 3]
        )
        frames.append(bytes(message))
    frames.append(bytes(dpkt.dns.DNS(id=9, qd=[])))
    tls = [
        bytes([23, 3, 3, 0, 40]) + bytes(40),
        bytes([21, 3, 3, 0, 2, 2, 40]),
        bytes([23, 3, 3, 1, 0]) + bytes(9),
        bytes([23, 3, 3, 0, 1, 0, 23, 3, 3, 0, 1, 0]),
        frames_mod.tls_client_hello("www.example.com"),
        frames_mod.tls_client_hello("h\u00e9.example"),
        frames_mod.tls_client_hello("a.example") + bytes([23, 3, 3, 0, 1, 0]),
        bytes([22, 3, 3, 0, 42, 2, 0, 0, 38, 3, 3]) + bytes(32) + b"\x00\x13\x01",  # a Server Hello
        _client_hello([(1, b"not.a.host"), (0, b"host.example")]),
        _client_hello([(0, b"host.example")], cut=1),
        _client_hello([(0, b"")]),
        _client_hello([]),
        *frames_mod.TLS_RECORD_RUNS,
        frames_mod.tls_client_hello("a.example") + bytes([22, 3, 3, 0, 4, 14, 0, 0, 0]),
        bytes([23, 3, 3, 0, 1, 0]) + frames_mod.tls_client_hello("later.example"),
    ]
    http = [
        b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\nbody", b"<html>\nbody\n",
        b"binary\x00\x01", b"POST / HTTP/1.0\n", b"no newline here", b"GET /0.9\n", b" \x1cPUT\xff x\n",
        b"GET /a?b=c HTTP/1.1\r\nUser-Agent: x\r\n HoSt :  h\xe9.example \r\nAccept: */*\r\n\r\n",
        b"GET / HTTP/1.1\r\nA: b\r\n\r\nHost: late\r\n", b"HEAD / HTTPS\r\nHost: x\r\n",
        b"HTTP/1.1 2x0 OK\r\n", b"HTTP/1.0 404\r\nServer: s\r\n",
        b"GET / HTTP/1.1\r\n" + b"X: y\n" * 120 + b"Host: far\n",
    ]  # fmt: skip
    out: list[bytes] = []
    for payload in frames:
        for port in (53, 5353, 67):
            out.append(frames_mod.ether(0x0800, frames_mod.ipv4(17, frames_mod.udp(40000, port, payload))))
            out.append(frames_mod.ether(0x86DD, frames_mod.ipv6(17, frames_mod.udp(port, 40001, payload))))
    for payload in tls:
        for port in (443, 8888):
            out.append(
                frames_mod.ether(0x0800, frames_mod.ipv4(6, frames_mod.tcp(40000, port, 0x18, payload)))
            )
    for payload in http:
        for port in (80, 8888, 53):
            out.append(
                frames_mod.ether(0x0800, frames_mod.ipv4(6, frames_mod.tcp(40000, port, 0x18, payload)))
            )
    for payload in frames_mod.SSH_PAYLOADS:
        for sport, dport in frames_mod.SSH_PORT_PAIRS:
            out.append(
                frames_mod.ether(0x0800, frames_mod.ipv4(6, frames_mod.tcp(sport, dport, 0x18, payload)))
            )
    for v6 in (False, True):
        for kind in (0, 8, 3, 128, 129, 135):
            body = bytes([kind, 0, 0, 0, 0, 7, 0, 9]) + b"ping"
            ip = frames_mod.ipv6(58, body) if v6 else frames_mod.ipv4(1, body)
            out.append(frames_mod.ether(0x86DD if v6 else 0x0800, ip))
    for opts in (
        b"\x01\x01\x01\x08",
        b"\x00\x08\x01\x01",
        b"\x02\x04\x05\xb4",
        b"\x05\x01\x00\x00",
        b"\x08" * 8,
    ):
        out.append(frames_mod.ether(0x0800, frames_mod.ipv4(6, frames_mod.tcp(40000, 5000, 0x02, b"", opts))))
    mac_option = bytes([1, 1]) + frames_mod.MAC_A
    for kind, fixed in ((133, 4), (134, 12), (135, 20), (136, 20), (137, 36)):
        for options in (
            b"",
            mac_option,
            mac_option + bytes([3, 4]) + bytes(30),
            bytes([1, 0]) + bytes(6),
            b"\x01",
        ):
            body = bytes([kind, 0, 0, 0]) + bytes(fixed) + options
            out.append(frames_mod.ether(0x86DD, frames_mod.ipv6(58, body)))
    for first in (0x23, 0x1B, 0x26, 0x27, 0xE3):  # client, v3, control, private, unsynchronised server
        for size in (48, 60, 47, 1):
            ntp = bytes([first]) + bytes(range(size - 1))
            out.append(frames_mod.ether(0x0800, frames_mod.ipv4(17, frames_mod.udp(123, 123, ntp))))
            out.append(frames_mod.ether(0x0800, frames_mod.ipv4(17, frames_mod.udp(40000, 123, ntp))))
            out.append(frames_mod.ether(0x0800, frames_mod.ipv4(17, frames_mod.udp(53, 123, ntp))))
    arp = bytes(dpkt.arp.ARP(sha=frames_mod.MAC_A, spa=frames_mod.IP_A, tpa=frames_mod.IP_B))
    for body in (arp, arp + bytes(18), arp[:20], arp[:7], bytes([0, 1, 8, 0, 6, 4, 0, 1])):
        out.append(frames_mod.ether(0x0806, body))
        out.append(frames_mod.ether(0x8100, frames_mod.vlan_tag(7, 0x0806) + body))
    out.append(frames_mod.ether(0x88A8, frames_mod.vlan_tag(7, 0x0806) + arp))
    tagged = [frames_mod.ether(0x8100, frames_mod.vlan_tag(10, 0x0800) + f[14:]) for f in out[::5]]
    out += tagged
    # each frame again with bytes past the IP header changed, and cut short
    mutated = []
    for frame in out:
        for _ in range(20):
            b = bytearray(frame)
            start = min(
                len(b) - 1, 14 + (40 if b[12:14] == b"\x86\xdd" else 20 if b[12:14] == b"\x08\x00" else 0)
            )
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(start, len(b))
                b[at] = rng.choice((0, 0xFF, 0xC0, 0x3F, 0x80, rng.randrange(256)))
            mutated.append(bytes(b))
        mutated.append(frame[: rng.randrange(14, len(frame))])
    return out + mutated


def test_damaged_application_frames(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "damaged.pcap"
    with path.open("wb") as f:
        writer = dpkt.pcap.Writer(f)
        for i, frame in enumerate(_messages()):
            writer.writepkt(frame, ts=1_700_000_000 + i / 1000)
    assert _same(str(path), monkeypatch) > 1000


def test_read_range_pure_and_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(CAPTURES / "mixed.pcap")
    splits = record_splits(path, 500)
    assert splits is not None and len(splits) > 3
    whole = reader.read_table(path)
    for compiled in (True, False):
        monkeypatch.setattr(reader, "_compiled", (lambda: FASTLINE) if compiled else (lambda: None))
        parts = [
            b
            for start, stop, before in splits
            for b in reader.read_range(path, start, stop, before, batch_size=9)
        ]
        assert pa.Table.from_batches(parts).equals(whole), compiled


def test_a_handle_read_in_place_counts_its_packets(monkeypatch: pytest.MonkeyPatch) -> None:
    from pycapture import open_offline

    path = str(CAPTURES / "mixed.pcap")
    for compiled in (True, False):
        monkeypatch.setattr(reader, "_compiled", (lambda: FASTLINE) if compiled else (lambda: None))
        with open_offline(path) as handle:
            rows = sum(b.num_rows for b in reader.read_batches(handle))
            assert handle.captured == rows > 0


def test_the_benchmark_mix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The traffic of benchmarks/make_capture.py (HTTP, TLS, DNS, NTP, ICMP, ARP, Neighbor Discovery, VLAN
    tags, IPv6), where every row comes from C."""
    path = make_capture(tmp_path / "mix.pcap", 20000)
    assert _same(str(path), monkeypatch) == 20000


def test_times_are_signed_as_libpcap_reads_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A record's seconds and fraction are signed 32-bit numbers in a file of this machine's byte order
    (a damaged file's fraction past 2**31 is negative): read in place, by libpcap and in Python alike."""
    frame = frames_mod.ether(0x0800, frames_mod.UDP_DATAGRAM)
    path = tmp_path / "times.pcap"
    with path.open("wb") as f:
        f.write(struct.pack("=IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for sec, frac in ((1, 0xFFFFFFF0), (0x80000001, 5), (0x7FFFFFFF, 999999), (0, 0x80000000)):
            f.write(struct.pack("=IIII", sec, frac, len(frame), len(frame)) + frame)
    rows = _same(str(path), monkeypatch)
    assert rows == 4
    monkeypatch.setattr(reader, "_compiled", lambda: FASTLINE)
    in_place = reader.read_table(str(path), columns=["ts"])
    through_libpcap = reader.read_table(str(path), columns=["ts"], filter="udp")
    assert in_place.equals(through_libpcap)
    assert in_place.column("ts").cast(pa.int64()).to_pylist()[0] == 1_000_000_000 - 16_000
