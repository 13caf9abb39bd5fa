"""read_batches / read_table: sources, columns, filter, batch sizes, bad input and damaged files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import dpkt
import pyarrow as pa
import pytest

import pycapture
from pycapture.savefile.reader import mixed_interfaces
from pycapture.table import COLUMNS, SCHEMA, read_batches, read_table
from support.corpus import corpus_rows
from support.env import CAPTURES, CORPUS

MIXED = CAPTURES / "mixed.pcap"


def _count(path: Path, bpf: str | None = None) -> int:
    with pycapture.open_offline(str(path)) as handle:
        if bpf:
            handle.set_filter(bpf)
        return sum(1 for _ in handle.records())


def test_table_has_the_schema_and_every_packet(capture_files: list[Path]) -> None:
    table = read_table([str(p) for p in capture_files])
    assert table.schema == SCHEMA
    assert table.num_rows == sum(_count(p) for p in capture_files)
    assert table.column("malformed").null_count == 0


def test_sources_path_glob_list_and_handle() -> None:
    by_str = read_table(str(MIXED))
    assert read_table(MIXED).equals(by_str)
    assert read_table([MIXED]).equals(by_str)
    globbed = read_table(str(CAPTURES / "mixed.pcap*"))
    assert globbed.column("file").unique().to_pylist() == [str(MIXED), str(CAPTURES / "mixed.pcapng")]
    both = read_table([str(MIXED), CAPTURES / "dns.pcap"])
    assert both.num_rows == _count(MIXED) + _count(CAPTURES / "dns.pcap")
    with pycapture.open_offline(str(MIXED)) as handle:
        from_handle = read_table(handle)
        assert handle.is_open  # read, not closed
    assert from_handle.equals(by_str)


def test_empty_glob_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no file matches"):
        read_table(str(tmp_path / "*.pcap"))


def test_batches_are_at_most_batch_size() -> None:
    batches = list(read_batches([MIXED, CAPTURES / "http.pcap"], batch_size=7))
    assert all(b.num_rows <= 7 for b in batches)
    assert sum(b.num_rows for b in batches) == _count(MIXED) + _count(CAPTURES / "http.pcap")
    assert pa.Table.from_batches(batches).equals(read_table([MIXED, CAPTURES / "http.pcap"]))


def test_columns_select_and_order() -> None:
    full = read_table(MIXED)
    table = read_table(MIXED, columns=["dst_port", "ip_src", "frame_number"])
    assert table.column_names == ["dst_port", "ip_src", "frame_number"]
    for name in table.column_names:
        assert table.column(name).equals(full.column(name))
    frame_only = read_table(MIXED, columns=["ts", "len"])  # no decoding needed
    assert frame_only.column("len").equals(full.column("len"))
    assert read_table(MIXED, columns=[]).num_columns == 0


def test_unknown_column_names_it_and_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown column 'ip_source'") as info:
        read_table(MIXED, columns=["ip_src", "ip_source"])
    assert ", ".join(COLUMNS) in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"columns": "ip_src"}, "columns must be a list"),
        ({"columns": ["ip_src", 3]}, "a column name must be a str"),
        ({"batch_size": 10.0}, "batch_size must be an int"),
        ({"batch_size": True}, "batch_size must be an int"),
        ({"filter": b"tcp"}, "filter must be a str"),
    ],
)
def test_wrong_types(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(TypeError, match=match):
        read_batches(MIXED, **kwargs)


@pytest.mark.parametrize("source", [3, None, b"captures/mixed.pcap", [MIXED, 3], {"a": 1}])
def test_wrong_source_types(source: Any) -> None:
    with pytest.raises(TypeError):
        read_batches(source)


def test_bad_batch_size_and_filter() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        read_batches(MIXED, batch_size=0)
    with pytest.raises(pycapture.FilterError):
        read_table(MIXED, filter="tcp port nonsense-port-name")
    with pytest.raises(pycapture.CaptureFileError):
        read_table(CAPTURES / "no-such-file.pcap")


@pytest.mark.parametrize("bpf", ["tcp", "udp port 53", "icmp or icmp6", "vlan", "ip6"])
def test_filter(bpf: str) -> None:
    table = read_table(str(MIXED), filter=bpf)
    assert table.num_rows == _count(MIXED, bpf) > 0
    assert table.column("frame_number").to_pylist() == list(range(1, table.num_rows + 1))
    if bpf == "tcp":
        assert all("tcp" in p.split(":") for p in table.column("protocols").to_pylist())
    with pycapture.open_offline(str(MIXED)) as handle:
        assert read_table(handle, filter=bpf).equals(table)


def _damaged(tmp_path: Path) -> Path:
    """mixed.pcap cut in the middle of its sixth record."""
    data = MIXED.read_bytes()
    pos, n = 24, 0
    while n < 5:
        pos += 16 + int.from_bytes(data[pos + 8 : pos + 12], "little")
        n += 1
    path = tmp_path / "cut.pcap"
    path.write_bytes(data[: pos + 16 + 10])
    return path


def test_a_damaged_file_yields_its_rows_then_raises(tmp_path: Path) -> None:
    path = _damaged(tmp_path)
    rows = 0
    with pytest.raises(pycapture.CaptureFileError) as info:
        for batch in read_batches(path, batch_size=4):
            rows += batch.num_rows
    assert rows == 5
    assert str(path) in str(info.value)
    with pytest.raises(pycapture.CaptureFileError):
        read_table(path)
    # the files after it are not read: the caller reads them one by one to go on
    got = []
    with pytest.raises(pycapture.CaptureFileError):
        for batch in read_batches([path, MIXED]):
            got += batch.column("file").to_pylist()
    assert got == [str(path)] * 5


def test_damaged_corpus_files_end_where_the_handle_does() -> None:
    damaged = [
        r["file"] for r in corpus_rows() if r["tcpdump_exit"] != "0" and (CORPUS / r["file"]).is_file()
    ]
    if not damaged:
        pytest.skip("../shared/corpus is not present")
    seen = 0
    for name in damaged:
        path = CORPUS / name
        if mixed_interfaces(str(path)) is not None:  # read as tshark does: test_mixed_pcapng_table
            continue
        try:
            handle = pycapture.open_offline(str(path))
        except pycapture.PcapError:
            continue
        expected, error = 0, None
        with handle:
            try:
                for _ in handle.records():
                    expected += 1
            except pycapture.PcapError as exc:
                error = exc
        if error is None:
            continue
        rows = 0
        with pytest.raises(pycapture.PcapError) as info:
            for batch in read_batches(path):
                rows += batch.num_rows
        assert (rows, str(info.value)) == (expected, str(error)), name
        seen += 1
    assert seen >= 2  # the pcapng files of mixed interfaces libpcap stops at are read whole (left out above)


def test_payload_len_against_dpkt(capture_files: list[Path]) -> None:
    paths = list(capture_files)
    rows = corpus_rows()
    paths += [CORPUS / r["file"] for r in rows if r["linktype"] == "1" and (CORPUS / r["file"]).is_file()]
    checked = 0
    for path in paths:
        if mixed_interfaces(str(path)) is not None:  # libpcap's handle refuses it: test_mixed_pcapng_table
            continue
        try:
            table = read_table(path, columns=["payload_len", "cap_len", "len", "malformed"])
            handle = pycapture.open_offline(str(path))
        except pycapture.PcapError:
            continue
        with handle:
            if handle.datalink != 1:
                continue
            for row, (_s, _f, _l, data) in zip(table.to_pylist(), handle.records()):
                if row["malformed"] or row["cap_len"] != row["len"]:
                    continue
                eth = dpkt.ethernet.Ethernet(data)
                ip = eth.data
                if not isinstance(ip, (dpkt.ip.IP, dpkt.ip6.IP6)) or (
                    isinstance(ip, dpkt.ip.IP) and ip.offset
                ):
                    continue
                if (ip.len if isinstance(ip, dpkt.ip.IP) else ip.plen) == 0:
                    assert row["payload_len"] is None  # BIG TCP / TSO: no length to count from
                    continue
                if (ip.len if isinstance(ip, dpkt.ip.IP) else ip.plen + 40) > len(data) - 14:
                    continue  # a header claiming more than the frame holds (a fuzzed file): its length counts
                transport = ip.data
                if isinstance(ip, dpkt.ip6.IP6) and ip.nxt not in (6, 17):
                    continue  # extension headers: left to the JSON comparison
                if isinstance(transport, dpkt.tcp.TCP):
                    want = len(transport.data)
                elif isinstance(transport, dpkt.udp.UDP):
                    want = len(bytes(transport)) - 8
                else:
                    continue
                assert row["payload_len"] == want, (path.name, row)
                checked += 1
    assert checked >= 60


def test_http_host() -> None:
    table = read_table([MIXED, CAPTURES / "http.pcap"], columns=["http_method", "http_host", "http_uri"])
    requests = [r for r in table.to_pylist() if r["http_method"]]
    assert requests
    for path in (MIXED, CAPTURES / "http.pcap"):
        with pycapture.open_offline(str(path)) as handle:
            hosts = [
                m.group(1).decode()
                for *_, d in handle.records()
                for m in [re.search(rb"\r\nHost: ([^\r]*)", d)]
                if m
            ]
        assert hosts
    assert all(r["http_host"] == "example.com" for r in requests), requests


def test_live_handle_rows(live: None, tmp_path: Path) -> None:
    import socket
    import threading

    with pycapture.PcapHandle.Builder("lo").timeout_ms(50).immediate().build() as handle:

        def send() -> None:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                for _ in range(3):
                    s.sendto(b"pycapture.table", ("127.0.0.1", 47999))

        timer = threading.Timer(0.3, send)
        timer.start()
        rows: list[dict[str, Any]] = []
        for batch in read_batches(
            handle, filter="udp port 47999", columns=["file", "interface", "dst_port", "payload_len"]
        ):
            rows += batch.to_pylist()
            if len(rows) >= 3:
                break
        timer.join()
    assert rows[:3] == [{"file": None, "interface": "lo", "dst_port": 47999, "payload_len": 15}] * 3


def test_copy_of_corpus_is_not_needed(tmp_path: Path) -> None:
    copy = tmp_path / "x[1].pcap"  # a path with glob characters that exists is a path
    shutil.copy(MIXED, copy)
    assert read_table(str(copy)).num_rows == _count(MIXED)
