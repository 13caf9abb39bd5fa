"""community_id equals the communityid package's value on every IP frame of captures/ and the corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

communityid = pytest.importorskip("communityid")

from pycapture.table import community_id  # noqa: E402
from support.traffic import make_capture  # noqa: E402

IPV6_EXTENSIONS = ("ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts")
PORTS = {"tcp": ("srcport", "dstport"), "udp": ("srcport", "dstport"), "sctp": ("srcport", "dstport")}


def witness(record: dict[str, Any]) -> tuple[str | None, str | None]:
    """(the communityid package's ID for this --json record, its protocol name), or (None, None)."""
    layers = record["layers"]
    at = next((i for i, layer in enumerate(layers) if layer["layer"] in ("ip", "ipv6")), None)
    if at is None:
        return None, None
    layer = layers[at]
    src, dst = layer["src"], layer["dst"]
    proto = layer["proto"] if layer["layer"] == "ip" else layer["nxt"]
    nxt = None
    for nxt in layers[at + 1 :]:
        if nxt["layer"] not in IPV6_EXTENSIONS:
            break
        proto = nxt["nxt"]
    else:
        nxt = None
    name = nxt["layer"] if nxt else None
    try:
        if name in PORTS:
            tpl = communityid.FlowTuple(proto, src, dst, nxt["srcport"], nxt["dstport"])
        elif name == "icmp":
            tpl = communityid.FlowTuple.make_icmp(src, dst, nxt["type"], nxt["code"])
        elif name == "icmpv6":
            tpl = communityid.FlowTuple.make_icmp6(src, dst, nxt["type"], nxt["code"])
        else:
            tpl = communityid.FlowTuple(proto, src, dst)
            name = f"proto {proto}"
    except communityid.FlowTupleError:  # a port protocol without its header: no ID
        return None, name
    return communityid.CommunityID(seed=0).calc(tpl), name


def check(paths: list[Path], frames: Any) -> tuple[dict[str, int], list[str]]:
    counts: dict[str, int] = {}
    problems = []
    for path in paths:
        rows, records, _error = frames(path)
        for row, record in zip(rows, records):
            want, name = witness(record)
            if name is not None:
                counts[name] = counts.get(name, 0) + 1
            if row["community_id"] != want:
                problems.append(
                    f"{path.name} #{row['frame_number']} ({name}): {row['community_id']} != {want}"
                )
    return counts, problems


def test_community_id_matches_the_package_on_the_captures(capture_files: list[Path], frames: Any) -> None:
    counts, problems = check(capture_files, frames)
    assert not problems, "\n".join(problems[:30])
    for name in ("tcp", "udp", "icmp", "icmpv6"):
        assert counts.get(name, 0) >= 3, counts


def test_community_id_matches_the_package_on_the_corpus(corpus_files: list[Path], frames: Any) -> None:
    if not corpus_files:
        pytest.skip("../shared/corpus is not present")
    counts, problems = check(corpus_files, frames)
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:30])
    for name in ("tcp", "udp", "icmp", "icmpv6", "sctp"):
        assert counts.get(name, 0) >= 20, counts


def test_spec_examples() -> None:
    # the spec's baseline (community-id-spec/baseline/baseline_deflt.json)
    assert community_id("128.232.110.120", "66.35.250.204", 6, 34855, 80) == "1:LQU9qZlK+B5F3KDmev6m5PMibrg="
    assert community_id("66.35.250.204", "128.232.110.120", 6, 80, 34855) == "1:LQU9qZlK+B5F3KDmev6m5PMibrg="
    # both directions of an echo share one ID; an unanswered type is one-way
    assert community_id("192.0.2.1", "192.0.2.2", 1, 8, 0) == community_id("192.0.2.2", "192.0.2.1", 1, 0, 0)
    tpl = communityid.FlowTuple.make_icmp("192.0.2.2", "192.0.2.1", 3, 1)
    assert community_id("192.0.2.2", "192.0.2.1", 1, 3, 1) == communityid.CommunityID().calc(tpl)


def test_no_id_without_ports_or_addresses() -> None:
    assert community_id("192.0.2.1", "192.0.2.2", 6) is None  # TCP without its header
    assert community_id("192.0.2.1", "2001:db8::1", 17, 1, 2) is None
    assert community_id("not an address", "192.0.2.2", 47) is None
    tpl = communityid.FlowTuple(47, "192.0.2.9", "192.0.2.2")
    assert community_id("192.0.2.9", "192.0.2.2", 47) == communityid.CommunityID().calc(tpl)


def test_community_id_matches_the_package_on_the_benchmark_mix(
    tmp_path_factory: pytest.TempPathFactory, frames: Any
) -> None:
    """The traffic of benchmarks/make_capture.py, whose rows the compiled reader writes in C."""
    path = make_capture(tmp_path_factory.mktemp("mix") / "mix.pcap", 5000)
    counts, problems = check([path], frames)
    assert not problems, "\n".join(problems[:30])
    for name in ("tcp", "udp", "icmp", "icmpv6"):
        assert counts.get(name, 0) >= 50, counts
