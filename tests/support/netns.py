"""Two network namespaces of the test's own, joined by a veth pair (needs root and iproute2)."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class NetnsPair:
    """Two network namespaces joined by a veth pair; ``a`` routes its default traffic via ``b``."""

    ns_a: str
    ns_b: str
    if_a: str
    if_b: str
    addr_a: str
    addr_b: str

    def exec_prefix(self, ns: str) -> list[str]:
        """The command prefix that runs a program inside namespace ``ns``."""
        return ["ip", "netns", "exec", ns]

    def silence_ipv6(self) -> None:
        """Turn IPv6 off on both ends, so that the kernel sends no more of its own frames (duplicate
        address detection, MLD reports, router solicitations) for a second or two after link-up: a test
        counting what the kernel saw, filter or not, must not count those."""
        for ns, ifname in ((self.ns_a, self.if_a), (self.ns_b, self.if_b)):
            knob = f"/proc/sys/net/ipv6/conf/{ifname}/disable_ipv6"
            subprocess.run(
                [*self.exec_prefix(ns), "sh", "-c", f"echo 1 > {knob}"],
                check=True,
                capture_output=True,
                timeout=20,
            )


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=20)


@contextmanager
def netns_pair() -> Iterator[NetnsPair]:
    """Make two namespaces of our own joined by a veth pair, and delete them whatever happens."""
    tag = uuid.uuid4().hex[:6]
    octet = int(tag[:2], 16) % 250 + 1
    pair = NetnsPair(
        f"pyc-{tag}-a", f"pyc-{tag}-b", f"pyca{tag}", f"pycb{tag}", f"10.213.{octet}.1", f"10.213.{octet}.2"
    )
    created: list[str] = []
    try:
        for ns in (pair.ns_a, pair.ns_b):
            _ip("netns", "add", ns)
            created.append(ns)
        _ip("link", "add", pair.if_a, "type", "veth", "peer", "name", pair.if_b)
        _ip("link", "set", pair.if_a, "netns", pair.ns_a)
        _ip("link", "set", pair.if_b, "netns", pair.ns_b)
        for ns, ifname, addr in ((pair.ns_a, pair.if_a, pair.addr_a), (pair.ns_b, pair.if_b, pair.addr_b)):
            _ip("-n", ns, "addr", "add", f"{addr}/24", "dev", ifname)
            _ip("-n", ns, "link", "set", ifname, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
        _ip("-n", pair.ns_a, "route", "add", "default", "via", pair.addr_b)
        yield pair
    finally:
        for ns in created:  # deleting a namespace deletes its end of the veth, and so the pair
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=20, check=False)
