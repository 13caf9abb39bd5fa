"""``--workers N``: one live capture spread over N processes with Linux's PACKET_FANOUT.

Each worker is a forked process that opens the interface itself and joins one fanout group in hash mode,
so the kernel hands each flow to one worker, and runs the ordinary capture (:func:`pycapture.run.run`)
on its share: the decoding sinks (``--json``, ``-v``, tcpdump lines, tables) then use every core. Lines
go to the shared standard output a whole line at a time under one lock, so lines of different workers
never mix (their order across workers is the kernel's). ``-w FILE`` writes one file per worker, named as
tcpdump names ``-W`` rotation files (``FILE0``, ``FILE1``...). At the end the statistics are summed
over the workers and shown for each. A stop signal sent to the process group, or to this process alone,
stops every worker, and each closes its own files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from .capture.handle import PcapStat
from .capture.pcapy import pcapy
from .errors import PcapError
from .output.tcpdump.printer import statistics_lines
from .output.whole import write_all
from .run import CaptureConfig, checked_live, run

WHY_NO_FANOUT = "--workers needs Linux's PACKET_FANOUT (and fork): on this platform capture with one process"
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def fanout_available() -> bool:
    """Whether this platform and pcapy-ng can spread a capture with PACKET_FANOUT (pcapy-ng is looked at
    only now: the command must start without it)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        return hasattr(pcapy, "PACKET_FANOUT_HASH")
    except PcapError:  # pcapy-ng itself cannot be imported
        return False


def worker_path(path: str, index: int, workers: int) -> str:
    """Worker ``index``'s ``-w`` file: ``path`` and its number, zero-padded as tcpdump pads ``-W`` files."""
    return f"{path}{index:0{len(str(workers - 1))}d}"


class _LineWriter(io.RawIOBase):
    """Standard output for one worker: bytes are held until a line ends, and whole lines are written
    under a lock the workers share, so that no line is cut by another worker's."""

    def __init__(self, fd: int, lock: Any) -> None:
        self._fd = fd
        self._lock = lock
        self._pending = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._pending += data
        end = self._pending.rfind(b"\n") + 1
        if end:
            self._out(self._pending[:end])
            del self._pending[:end]
        return len(data)

    def _out(self, data: bytes | bytearray) -> None:
        with self._lock:
            write_all(self._fd, data)

    def close(self) -> None:
        if self._pending:
            self._out(self._pending)
            self._pending.clear()
        super().close()


def run_workers(
    config: CaptureConfig,
    workers: int,
    errors: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
) -> bool:
    """Run ``config`` (a live capture) in ``workers`` processes joined by PACKET_FANOUT; print the summed
    and per-worker statistics; return True when a signal ended it. ``errors`` wraps each worker's run
    (the command's one-line error reporting)."""
    if not fanout_available():
        raise PcapError(WHY_NO_FANOUT, "leave out --workers")
    with errors():  # a missing interface, or no permission, is told once, not by every worker
        config = checked_live(config)
    group = os.getpid() & 0xFFFF
    lock = multiprocessing.get_context("fork").Lock()
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pids = []
    for index in range(workers):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the worker
            os.close(read_end)
            os._exit(_worker(config, index, workers, group, lock, write_end, errors))
        pids.append(pid)
    os.close(write_end)
    stopped = False

    def forward(signum: int, _frame: object) -> None:
        nonlocal stopped
        stopped = True
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)

    previous = {sig: signal.signal(sig, forward) for sig in _STOP_SIGNALS}
    try:
        with os.fdopen(read_end, "rb") as reports:
            lines = reports.read().splitlines()
        statuses = [os.waitpid(pid, 0)[1] for pid in pids]
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    stats = [json.loads(line) for line in lines]
    _print_statistics(sorted(stats, key=lambda s: s["worker"]))
    failed = [os.waitstatus_to_exitcode(status) for status in statuses if status]
    if failed:
        sys.exit(max(failed) if max(failed) > 0 else 1)
    return stopped or any(s["stopped"] for s in stats)


def _worker(
    config: CaptureConfig,
    index: int,
    workers: int,
    group: int,
    lock: Any,
    report_fd: int,
    errors: Callable[[], AbstractContextManager[None]],
) -> int:  # pragma: no cover - runs in the worker, which the tests see through its output
    """One worker's capture; its exit status."""
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(_LineWriter(1, lock), 1 << 16), write_through=False)
    write_file = config.write_file
    if write_file is not None and write_file != "-":
        write_file = worker_path(write_file, index, workers)
    statistics: dict[str, Any] = {"worker": index, "stopped": False}

    def report(stat: PcapStat) -> None:
        statistics.update(captured=stat.captured, received=stat.received, dropped=stat.dropped)
        statistics["dropped_by_if"] = stat.dropped_by_if

    mine = dataclasses.replace(
        config, write_file=write_file, fanout_group=group, worker=index, report_statistics=report
    )
    status = 0
    try:
        with errors():
            statistics["stopped"] = run(mine)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stdout.close()
        with contextlib.suppress(OSError):
            os.write(report_fd, json.dumps(statistics).encode() + b"\n")
    return status


def _print_statistics(stats: list[dict[str, Any]]) -> None:
    """tcpdump's three lines for the sum over the workers, then one line for each worker."""
    counted = [s for s in stats if "captured" in s]
    if not counted:
        return

    def total(key: str) -> int | None:
        values = [s.get(key) for s in counted]
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)

    captured = total("captured") or 0
    for line in statistics_lines(captured, total("received"), total("dropped"), total("dropped_by_if") or 0):
        print(line, file=sys.stderr)
    for s in counted:
        print(
            f"worker {s['worker']}: {s['captured']} packets captured, {s['received']} received by filter, "
            f"{s['dropped']} dropped by kernel",
            file=sys.stderr,
        )
