"""Table rows equal the --json records (PcapPacket.to_dict) field by field, on captures/ and the corpus.

The expected values are taken from the JSON records by the rules docs/TABLE.md states (first occurrence
of a field; IP columns from the outermost IP header), independently of the reader's own extraction.
"""

from __future__ import annotations

import calendar
from pathlib import Path
from typing import Any, Callable

import pytest

from support.traffic import make_capture

IPV6_EXTENSIONS = ("ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts")

# column -> (layer names, key): the first layer of those names that has the key gives the value
ONE_TO_ONE: dict[str, tuple[tuple[str, ...], str]] = {
    "eth_src": (("eth",), "src"),
    "eth_dst": (("eth",), "dst"),
    "eth_type": (("eth",), "type"),
    "vlan_id": (("vlan",), "id"),
    "src_port": (("tcp", "udp", "sctp"), "srcport"),
    "dst_port": (("tcp", "udp", "sctp"), "dstport"),
    "tcp_flags": (("tcp",), "flags"),
    "tcp_seq": (("tcp",), "seq"),
    "tcp_ack": (("tcp",), "ack"),
    "tcp_window": (("tcp",), "window_size"),
    "icmp_type": (("icmp", "icmpv6"), "type"),
    "icmp_code": (("icmp", "icmpv6"), "code"),
    "dns_id": (("dns",), "id"),
    "dns_rcode": (("dns",), "rcode"),
    "tls_sni": (("tls",), "handshake.extensions_server_name"),
    "http_method": (("http",), "request.method"),
    "http_uri": (("http",), "request.uri"),
}


def _value(value: Any) -> Any:
    return value[0] if type(value).__name__ == "_Repeated" else value  # a key a layer gave twice: its first


def _first(layers: list[dict[str, Any]], names: tuple[str, ...], key: str) -> Any:
    for layer in layers:
        if layer["layer"] in names and key in layer:
            return _value(layer[key])
    return None


def _time_ns(text: str | None) -> int | None:
    if text is None:
        return None
    whole, frac = text.rstrip("Z").split(".")
    sec = calendar.timegm((*(int(x) for x in whole.replace("T", "-").replace(":", "-").split("-")), 0, 0, 0))
    return sec * 1_000_000_000 + int(frac.ljust(9, "0"))


def expected_row(record: dict[str, Any], file: str) -> dict[str, Any]:
    """The table row docs/TABLE.md promises for one --json record (the columns it maps 1:1)."""
    frame = record["frame"]
    layers = [layer for layer in record["layers"] if layer["layer"] != "_malformed"]
    row: dict[str, Any] = {
        "file": file,
        "frame_number": frame["number"],
        "ts": _time_ns(frame["time"]),
        "len": frame["len"],
        "cap_len": frame["cap_len"],
        "linktype": frame["linktype"],
        "interface": None,
        "malformed": frame["malformed"],
        "protocols": ":".join(layer["layer"] for layer in layers),
    }
    for column, (names, key) in ONE_TO_ONE.items():
        row[column] = _first(layers, names, key)
    queries = _first(layers, ("dns",), "queries")
    row["dns_qry_name"] = queries[0]["name"] if queries else None
    ip_columns = (
        "ip_version",
        "ip_src",
        "ip_dst",
        "ip_proto",
        "ip_ttl",
        "ip_id",
        "ip_frag_offset",
        "ip_more_fragments",
    )
    row.update(dict.fromkeys(ip_columns))
    for at, layer in enumerate(layers):
        name = layer["layer"]
        if name == "ip":
            row.update(ip_version=layer["version"], ip_src=layer["src"], ip_dst=layer["dst"])
            row.update(ip_proto=layer["proto"], ip_ttl=layer["ttl"], ip_id=layer["id"])
            row.update(ip_frag_offset=layer["frag_offset"], ip_more_fragments=bool(layer["flags"] & 1))
        elif name == "ipv6":
            row.update(ip_version=layer["version"], ip_src=layer["src"], ip_dst=layer["dst"])
            row.update(ip_proto=layer["nxt"], ip_ttl=layer["hlim"])
            for ext in layers[at + 1 :]:
                if ext["layer"] not in IPV6_EXTENSIONS:
                    break
                if ext["layer"] == "ipv6.fraghdr":
                    row.update(
                        ip_id=ext["ident"], ip_frag_offset=ext["offset"], ip_more_fragments=ext["more"]
                    )
                    break
        else:
            continue
        break
    return row


def compare(path: Path, frames: Callable[[Path], Any]) -> tuple[int, list[str]]:
    """How many rows were compared, and the differences (at most a few per file)."""
    rows, records, _error = frames(path)
    problems: list[str] = []
    if len(rows) != len(records):
        problems.append(f"{path.name}: {len(rows)} rows, {len(records)} --json records")
    for row, record in zip(rows, records):
        want = expected_row(record, str(path))
        got = row
        for column, value in want.items():
            if got[column] != value or isinstance(value, bool) is not isinstance(got[column], bool):
                problems.append(
                    f"{path.name} #{record['frame']['number']} {column}: {got[column]!r} != {value!r}"
                )
        if len(problems) > 5:
            break
    return len(records), problems


def test_rows_equal_json_records_on_the_captures(capture_files: list[Path], frames: Any) -> None:
    total, problems = 0, []
    for path in capture_files:
        n, p = compare(path, frames)
        total += n
        problems += p
    assert not problems, "\n".join(problems[:40])
    assert total >= 80


def test_rows_equal_json_records_on_the_corpus(corpus_files: list[Path], frames: Any) -> None:
    if not corpus_files:
        pytest.skip("../shared/corpus is not present")
    total, problems = 0, []
    for path in corpus_files:
        n, p = compare(path, frames)
        total += n
        problems += p
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:40])
    assert total >= 10000


def test_ts_keeps_nanoseconds(capture_files: list[Path]) -> None:
    import pyarrow as pa

    from pycapture.table import read_table

    path = next(p for p in capture_files if p.name == "mixed-nano.pcap")
    table = read_table(path, columns=["ts"])
    ns = table.column("ts").cast(pa.int64()).to_pylist()
    assert any(v % 1000 for v in ns), "a nanosecond capture keeps its nanoseconds"


def test_rows_equal_json_records_on_the_benchmark_mix(
    tmp_path_factory: pytest.TempPathFactory, frames: Any
) -> None:
    """The traffic of benchmarks/make_capture.py, whose rows the compiled reader writes in C."""
    path = make_capture(tmp_path_factory.mktemp("mix") / "mix.pcap", 5000)
    total, problems = compare(path, frames)
    assert not problems, "\n".join(problems[:40])
    assert total == 5000
