"""The command and outside programs as subprocesses, and the rule that live tests run (never skip) in CI."""

from __future__ import annotations

import select
import shutil
import subprocess
import sys
import time

import pytest

from support.env import IN_CI


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
    """Whether this process may open the loopback interface for capture."""
    from pycapture import PcapError, open_live

    try:
        open_live("lo", timeout_ms=10).close()
    except PcapError:
        return False
    return True


def tool(name: str) -> str:
    """The path of an outside program a test compares against; skipped (failed in CI) when absent."""
    path = shutil.which(name)
    needs(path is not None, f"{name} is not installed")
    return path  # type: ignore[return-value]


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
