"""``-z io,phs`` (:class:`pycapture.flows.phs.ProtocolHierarchy`) against tshark 4.0's table on the
project's captures, and the tree rules on their own."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from pycapture.flows.phs import ProtocolHierarchy, tree_path
from pycapture.table import read_batches
from support.commands import run_cli, tool

CAPTURES = Path(__file__).parents[2] / "captures"
FILES = sorted(p.name for p in CAPTURES.iterdir() if p.suffix in (".pcap", ".pcapng"))

# tshark names an HTTP message body by its Content-Type (data-text-lines for text/html) and shows a request
# without a body as http alone; pycapture's layers (and so the table's protocols) end an HTTP frame with
# "data" either way. The decoder's depth is issue 19's; only those lines may differ.
HTTP_BODY = ("data-text-lines", "data")


def _ours(path: Path) -> ProtocolHierarchy:
    phs = ProtocolHierarchy()
    for batch in read_batches(path, columns=list(phs.columns)):
        phs.add_batch(batch)
    return phs


def _tshark(path: Path) -> str:
    return subprocess.run(
        [tool("tshark"), "-n", "-q", "-r", str(path), "-z", "io,phs"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize("name", FILES)
def test_same_table_as_tshark(name: str) -> None:
    ours, theirs = _ours(CAPTURES / name).text().splitlines(), _tshark(CAPTURES / name).splitlines()
    if any("http" in line for line in theirs):
        # drop the body lines under http on both sides; everything else must be identical
        def strip(lines: list[str]) -> list[str]:
            return [line for line in lines if line.split()[:1] not in ([name] for name in HTTP_BODY)]

        ours, theirs = strip(ours), strip(theirs)
    assert ours == theirs


def test_tree_path_puts_icmp_payloads_in_icmp() -> None:
    assert tree_path("eth:ip:icmp:data") == ("eth", "ip", "icmp")
    assert tree_path("eth:ipv6:icmpv6:data") == ("eth", "ipv6", "icmpv6")
    # an ICMP error quoting a UDP datagram: tshark's data dissector puts its payload at the top level
    assert tree_path("eth:ip:icmp:ip:udp:data") == ("eth", "ip", "icmp", "data")
    assert tree_path("eth:ip:icmp:ip:tcp") == ("eth", "ip", "icmp")
    assert tree_path("eth:ip:udp:dns") == ("eth", "ip", "udp", "dns")
    assert tree_path("") == ()
    # IPv6 extension headers are drawn inside the IPv6 header's tree, not as nodes of the hierarchy
    assert tree_path("eth:ipv6:ipv6.hopopts:ipv6.fraghdr:udp:dns") == ("eth", "ipv6", "udp", "dns")


def test_children_keep_first_seen_order_and_sum() -> None:
    phs = ProtocolHierarchy()
    frames = [("eth:ipv6:udp", 80), ("eth:ip:tcp", 60), ("eth:ipv6:tcp", 70), ("eth:ip:tcp", 60)]
    for protocols, length in frames:
        phs.add(protocols, length)
    assert phs.text().splitlines()[5:-1] == [
        "eth                                      frames:4 bytes:270",
        "  ipv6                                   frames:2 bytes:150",
        "    udp                                  frames:1 bytes:80",
        "    tcp                                  frames:1 bytes:70",
        "  ip                                     frames:2 bytes:120",
        "    tcp                                  frames:2 bytes:120",
    ]
    tree = phs.to_json()["protocols"]
    assert [(n["protocol"], n["frames"], n["bytes"]) for n in tree[0]["protocols"]] == [
        ("ipv6", 2, 150),
        ("ip", 2, 120),
    ]


def test_deep_paths_are_cut_as_tshark_cuts_them() -> None:
    phs = ProtocolHierarchy()
    phs.add(":".join(f"p{i}" for i in range(18)), 1)
    lines = phs.text().splitlines()
    assert lines[5 + 16].startswith("  " * 16 + "p16")
    assert lines[5 + 17].startswith("  " * 16 + "...p17")


@pytest.mark.parametrize("name", ["dns.pcap", "icmp.pcap"])
def test_cli_prints_tshark_table_after_conv(name: str) -> None:
    """``-q -z io,phs -z conv,udp``: both tables in tshark's order (the last -z first), as tshark prints."""
    args = ("-r", str(CAPTURES / name), "-q", "-z", "io,phs", "-z", "conv,udp")
    ours = run_cli(*args)
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run([tool("tshark"), "-n", *args], capture_output=True, check=True)
    assert ours.stdout == theirs.stdout
