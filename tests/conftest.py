"""Shared fixtures: local time in UTC, live-capture rights, the shared corpus, netns hosts.

What the fixtures use (paths, the command as a subprocess, namespaces) lives in ``tests/support/``.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.commands import can_capture, needs
from support.corpus import corpus_rows
from support.netns import NetnsPair
from support.netns import netns_pair as make_netns_pair
from support.traffic import make_capture


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC in this process, as for the tcpdump it is compared with."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def live() -> None:
    """A test that captures real packets on this machine."""
    needs(can_capture(), "no permission to capture (run as root or grant CAP_NET_RAW)")


@pytest.fixture(scope="session")
def corpus() -> list[dict[str, str]]:
    """The rows of ../shared/corpus/MANIFEST.tsv; skipped where the corpus is absent (a user's clone)."""
    rows = corpus_rows()
    if not rows:
        pytest.skip("../shared/corpus is not present")
    return rows


@pytest.fixture
def netns_pair() -> Iterator[NetnsPair]:
    """Two namespaces of the test's own joined by a veth pair, deleted whatever happens."""
    needs(shutil.which("ip") is not None, "iproute2's ip is not installed")
    needs(os.geteuid() == 0, "network namespaces need root")
    with make_netns_pair() as pair:
        yield pair


@pytest.fixture(scope="session")
def mix_capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 packets of the benchmark's traffic mix (TCP, HTTP, TLS, DNS, RTP, ICMP, ARP, VLAN, IPv6)."""
    return make_capture(tmp_path_factory.mktemp("mix") / "mix.pcap", 20000)
