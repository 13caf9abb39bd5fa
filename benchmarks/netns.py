"""What the network benchmarks share: the generated capture, and two namespaces joined by a veth pair."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def generated_capture(packets: int) -> Path:
    """benchmarks/out/capture-N.pcap, written by make_capture.py when missing or older than the script."""
    path = OUT / f"capture-{packets}.pcap"
    if not path.exists() or path.stat().st_mtime < (HERE / "make_capture.py").stat().st_mtime:
        OUT.mkdir(exist_ok=True)
        subprocess.run(
            [sys.executable, str(HERE / "make_capture.py"), str(path), "--packets", str(packets)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@contextlib.contextmanager
def veth_pair(prefix: str) -> Iterator[tuple[str, str, str, str]]:
    """Yield (ns_a, if_a, ns_b, if_b): two new namespaces joined by an up veth pair; deleted at the end."""
    tag = uuid.uuid4().hex[:6]
    ns_a, ns_b, if_a, if_b = (
        f"{prefix}-{tag}-a",
        f"{prefix}-{tag}-b",
        f"{prefix[:3]}a{tag}",
        f"{prefix[:3]}b{tag}",
    )
    created = []
    try:
        for ns in (ns_a, ns_b):
            _ip("netns", "add", ns)
            created.append(ns)
        _ip("link", "add", if_a, "type", "veth", "peer", "name", if_b)
        _ip("link", "set", if_a, "netns", ns_a)
        _ip("link", "set", if_b, "netns", ns_b)
        for ns, ifname in ((ns_a, if_a), (ns_b, if_b)):
            _ip("-n", ns, "link", "set", ifname, "up")
        yield ns_a, if_a, ns_b, if_b
    finally:
        for ns in created:  # deleting a namespace deletes its end of the veth, and so the pair
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
