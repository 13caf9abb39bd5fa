"""Shared fixtures: the command as a subprocess, the shared corpus, live-capture rights, netns hosts."""

from __future__ import annotations

import csv
import os
import select
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "captures"
CORPUS = ROOT.parent / "shared" / "corpus"
IN_CI = os.environ.get("CI", "").lower() == "true"


def run_cli(*args: str, stdin: bytes | None = None, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    """Run ``python -m pycapture ARGS`` and capture its output as text (stdout as bytes if asked)."""
    return subprocess.run(
        [sys.executable, "-m", "pycapture", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
        **kw,
    )


def needs(condition: bool, why: str) -> None:
    """Skip a live test outside CI when the machine cannot run it; in CI, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {why}: live tests must run in CI")
    pytest.skip(why)


def can_capture() -> bool:
    from pycapture import PcapError, open_live

    try:
        open_live("lo", timeout_ms=10).close()
    except PcapError:
        return False
    return True


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


def tool(name: str) -> str:
    """The path of an outside program a test compares against; skipped (failed in CI) when absent."""
    path = shutil.which(name)
    needs(path is not None, f"{name} is not installed")
    return path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def corpus() -> list[dict[str, str]]:
    """The rows of ../shared/corpus/MANIFEST.tsv; skipped where the corpus is absent (a user's clone)."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        pytest.skip("../shared/corpus is not present")
    with manifest.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


class Capture:
    """A running ``pycapture`` process, started once its banner says it is listening."""

    def __init__(
        self,
        args: list[str],
        prefix: list[str] | None = None,
        ready: str = "listening on",
        command: list[str] | None = None,
    ) -> None:
        """Start ``pycapture ARGS`` (or ``command ARGS``: tcpdump, an example script) under ``prefix``."""
        self.proc = subprocess.Popen(
            [*(prefix or []), *(command or [sys.executable, "-m", "pycapture"]), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.banner: list[str] = []
        deadline = time.monotonic() + 20
        assert self.proc.stderr is not None
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline().decode()
            if not line:
                break
            self.banner.append(line)
            if ready in line:
                return
        _, err = self.proc.communicate(timeout=10)
        raise AssertionError(f"capture did not start: {''.join(self.banner)}{err.decode()}")

    def stdout_line(self, timeout: float = 10) -> str:
        """The next line on stdout; fails after ``timeout`` seconds instead of blocking the suite."""
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        assert ready, f"no line on stdout within {timeout} s"
        return self.proc.stdout.readline().decode()

    def finish(self, timeout: float = 20) -> tuple[int, str, str]:
        """Wait for the process; return (exit status, stdout, all of stderr)."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise
        return self.proc.returncode, out.decode(), "".join(self.banner) + err.decode()


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
        return ["ip", "netns", "exec", ns]


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=20)


@pytest.fixture
def netns_pair() -> NetnsPair:
    """Make two namespaces of our own joined by a veth pair, and delete them whatever happens."""
    needs(shutil.which("ip") is not None, "iproute2's ip is not installed")
    needs(os.geteuid() == 0, "network namespaces need root")
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
