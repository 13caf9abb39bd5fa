"""The schema is stable and documented: SCHEMA, COLUMNS and docs/TABLE.md's table agree."""

from __future__ import annotations

import re
import subprocess
import sys

import pyarrow as pa

from pycapture.table import COLUMNS, SCHEMA, SCHEMA_COLUMNS
from support.env import ROOT

# The stable schema, written out once more: a change here is a change to every user's queries.
STABLE = [
    ("file", "string"), ("frame_number", "uint64"), ("ts", "timestamp[ns, tz=UTC]"), ("len", "uint32"),
    ("cap_len", "uint32"), ("linktype", "string"), ("interface", "string"),
    ("eth_src", "string"), ("eth_dst", "string"), ("eth_type", "uint16"), ("vlan_id", "uint16"),
    ("ip_version", "uint8"), ("ip_src", "string"), ("ip_dst", "string"), ("ip_proto", "uint8"),
    ("ip_ttl", "uint8"),
    ("ip_id", "uint32"), ("ip_frag_offset", "uint16"), ("ip_more_fragments", "bool"),
    ("src_port", "uint16"), ("dst_port", "uint16"), ("tcp_flags", "uint16"), ("tcp_seq", "int64"),
    ("tcp_ack", "int64"), ("tcp_window", "uint16"), ("payload_len", "uint32"),
    ("icmp_type", "uint8"), ("icmp_code", "uint8"),
    ("dns_id", "uint16"), ("dns_qry_name", "string"), ("dns_rcode", "uint8"), ("tls_sni", "string"),
    ("http_method", "string"), ("http_host", "string"), ("http_uri", "string"),
    ("protocols", "string"), ("community_id", "string"), ("malformed", "bool"),
]  # fmt: skip


def test_schema_is_the_stable_one() -> None:
    assert [(f.name, str(f.type)) for f in SCHEMA] == STABLE
    assert list(COLUMNS) == [name for name, _ in STABLE]
    assert isinstance(SCHEMA, pa.Schema)
    assert [c.name for c in SCHEMA_COLUMNS] == list(COLUMNS)
    assert len(set(COLUMNS)) == len(COLUMNS)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", name) for name in COLUMNS)
    assert [f.nullable for f in SCHEMA] == [name != "malformed" for name in COLUMNS]


def test_docs_table_matches_the_schema() -> None:
    text = (ROOT / "docs" / "TABLE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9_]+)` \| `([^`]+)` \| ([^|]+) \| ([^|]+) \|$", text, re.M)
    assert [(name, type_) for name, type_, _, _ in rows] == [(c.name, str(c.type)) for c in SCHEMA_COLUMNS]
    for (_, _, source, meaning), column in zip(rows, SCHEMA_COLUMNS):
        assert (source.strip(), meaning.strip()) == (column.source, column.meaning)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )


def test_base_package_does_not_import_pyarrow() -> None:
    code = (
        "import sys, pycapture, pycapture.cli.main, pycapture.decode.rich, pycapture.output.jsonl\n"
        "assert 'pyarrow' not in sys.modules, 'pyarrow imported'\n"
        "assert 'pycapture.table' not in sys.modules, 'pycapture.table imported'\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr


def test_without_pyarrow_the_error_says_how_to_install() -> None:
    done = _run("import sys\nsys.modules['pyarrow'] = None\nimport pycapture.table\n")
    assert done.returncode != 0
    assert "ImportError" in done.stderr
    assert "pip install '.[table]'" in done.stderr
