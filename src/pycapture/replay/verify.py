"""A verified replay: what arrived at the far end of a replay, packet by packet.

:class:`Receiver` captures on the interface the replayed packets should reach (a veth peer, the far end
of a looped cable) while they are sent; :func:`verify` then matches what it captured against what was
sent and returns a :class:`VerifyReport`: each sent packet received, lost, duplicated, reordered or
altered (with the offsets of the bytes that differ), frames that were never sent ("foreign": the far
end's own traffic), and the one-way timing error of each paced packet against its schedule.

Matching: a received frame equal to a sent one is that packet (equal frames in the order they were
sent); a received frame equal to none is paired, in order, with an unmatched sent frame of the same
length that it differs from in at most a quarter of its bytes (altered); what is left of the sent
frames is lost, and of the received ones foreign. A packet is reordered when it arrives after one
sent later than it. :attr:`VerifyReport.packets` holds the outcome of every sent packet, for a report
file (``replay --verify-report``).
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import TextIO

from ..capture.handle import PcapHandle
from ..errors import PcapError

RECEIVE_BUFFER_BYTES = 256 << 20  # a burst of 200,000 frames must fit while the reader catches up
SETTLE_S = 0.5  # after the last packet is sent, how long the far end may stay quiet before it is over
SETTLE_MAX_S = 5.0
_ALTERED_SHARE = 4  # a frame differing in at most 1/4 of its bytes is an altered copy, not another frame
_SHOWN = 10  # packet numbers named in each line of the report
_CANDIDATES = 64  # missing frames of its length an unknown frame is compared with, first sent first


@dataclass
class Sent:
    """One replayed packet: its number in the replay (1-based, over every file and loop), its frame, and
    when it was due (monotonic ns; at top speed when it was handed to the kernel)."""

    number: int
    frame: bytes
    due_ns: int


@dataclass(frozen=True)
class PacketOutcome:
    """What became of one sent packet: ``outcome`` is ``received``, ``altered`` (``altered_bytes`` the
    offsets that differ) or ``lost``; ``duplicates`` extra copies arrived; ``reordered`` when it arrived
    after a packet sent later; ``delay_us`` its one-way time, arrival minus due (None when lost)."""

    number: int
    outcome: str
    delay_us: float | None = None
    duplicates: int = 0
    reordered: bool = False
    altered_bytes: tuple[int, ...] = ()


@dataclass
class VerifyReport:
    """What arrived, by packet number (see the module docstring). ``timing_us``: the one-way error of
    the paced packets that arrived (arrival minus due time) as ``(p50, p99, max)`` microseconds, None at
    top speed or when none arrived."""

    sent: int = 0
    received: int = 0
    lost: list[int] = field(default_factory=list)
    duplicated: list[int] = field(default_factory=list)
    reordered: list[int] = field(default_factory=list)
    altered: list[tuple[int, list[int]]] = field(default_factory=list)
    foreign: int = 0
    timing_us: tuple[float, float, float] | None = None
    dropped_by_capture: int = 0
    packets: list[PacketOutcome] = field(default_factory=list, repr=False)

    @property
    def intact(self) -> bool:
        """Whether every sent packet arrived once, unaltered and in order (and the capture lost none)."""
        return not (self.lost or self.duplicated or self.reordered or self.altered or self.dropped_by_capture)

    def lines(self) -> list[str]:
        """The report as printed after a verified replay."""
        out = [
            f"verify: {self.sent} sent, {self.received} received, {len(self.lost)} lost, "
            f"{len(self.duplicated)} duplicated, {len(self.reordered)} reordered, "
            f"{len(self.altered)} altered, {self.foreign} foreign"
        ]
        for name, numbers in (
            ("lost", self.lost),
            ("duplicated", self.duplicated),
            ("reordered", self.reordered),
        ):
            if numbers:
                out.append(f"verify: {name}: packets {_ranges(numbers)}")
        for number, offsets in self.altered[:_SHOWN]:
            out.append(f"verify: altered: packet {number}, bytes at {_ranges(offsets)}")
        if len(self.altered) > _SHOWN:
            out.append(f"verify: altered: {len(self.altered) - _SHOWN} more packets")
        if self.dropped_by_capture:
            out.append(
                f"verify: the capture on the far end dropped {self.dropped_by_capture} packets: "
                "those are not known to be lost (a slower rate, or a bigger buffer, tells)"
            )
        if self.timing_us is not None:
            p50, p99, worst = self.timing_us
            out.append(
                f"verify: one-way timing error against the schedule: p50 {p50:.0f} µs, p99 {p99:.0f} µs, "
                f"max {worst:.0f} µs"
            )
        out.append("verify: intact" if self.intact else "verify: NOT intact")
        return out


def write_packets(report: VerifyReport, out: TextIO) -> None:
    """Write one JSON object per sent packet (its :class:`PacketOutcome`) to ``out``, in sending order."""
    for p in report.packets:
        out.write(json.dumps(dataclasses.asdict(p), separators=(",", ":")) + "\n")


def _ranges(numbers: list[int]) -> str:
    """``1, 3-5, 9`` for at most :data:`_SHOWN` runs, then how many more."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs[:_SHOWN])
    return text + (f" and {len(runs) - _SHOWN} more runs" if len(runs) > _SHOWN else "")


class Receiver:
    """Capture, on ``interface``, what comes in while a replay sends; :meth:`finish` stops and returns
    ``(frames with their arrival times in ns since the epoch, packets the capture dropped)``."""

    def __init__(self, interface: str) -> None:
        self.handle = (
            PcapHandle.Builder(interface)
            .snaplen(262144)
            .promiscuous(True)
            .immediate(True)
            .buffer_size(RECEIVE_BUFFER_BYTES)
            .timestamp_precision("nano")
            .direction("in")
            .build()
        )
        self.frames: list[tuple[int, bytes]] = []
        self.last_arrival = time.monotonic()
        self._thread = threading.Thread(target=self._read, name="pycapture-verify", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        frames = self.frames
        try:
            for batch in self.handle.record_batches():
                for sec, frac, _length, data in batch:
                    frames.append((sec * 1_000_000_000 + frac, data))
                self.last_arrival = time.monotonic()
        except PcapError:  # the handle closed under the reading: finish() has what came
            return

    def finish(self, expected: int) -> tuple[list[tuple[int, bytes]], int]:
        """Wait until ``expected`` frames came or the far end stayed quiet for :data:`SETTLE_S` (at most
        :data:`SETTLE_MAX_S`), then stop the capture."""
        end = time.monotonic() + SETTLE_MAX_S
        while time.monotonic() < end and len(self.frames) < expected:
            if time.monotonic() - self.last_arrival >= SETTLE_S:
                break
            time.sleep(0.02)
        try:
            dropped = self.handle.get_stats().dropped
        except PcapError:  # statistics are best effort
            dropped = 0
        self.handle.break_loop()
        self._thread.join(2.0)
        self.handle.close()
        return self.frames, dropped


def verify(
    sent: list[Sent], received: list[tuple[int, bytes]], paced: bool, clock_offset_ns: int
) -> VerifyReport:
    """Match ``received`` (arrival time in epoch ns, frame) against ``sent``; ``clock_offset_ns`` turns a
    monotonic due time into epoch time (``time.time_ns() - time.monotonic_ns()`` taken once)."""
    report = VerifyReport(sent=len(sent), received=len(received))
    waiting: dict[bytes, deque[int]] = defaultdict(deque)  # frame: indexes in sent not yet received
    for i, s in enumerate(sent):
        waiting[s.frame].append(i)
    matched: dict[bytes, int] = {}  # frame: the index in sent it last matched
    arrivals: list[tuple[int, int]] = []  # (index in sent, arrival ns), in arrival order
    unknown: list[tuple[int, int, bytes]] = []  # (position in arrivals, arrival ns, frame)
    for at, frame in received:
        queue = waiting.get(frame)
        if queue:
            i = matched[frame] = queue.popleft()
            arrivals.append((i, at))
        elif frame in matched:
            report.duplicated.append(sent[matched[frame]].number)
        else:
            unknown.append((len(arrivals), at, frame))
    missing = sorted(i for queue in waiting.values() for i in queue)
    # an unknown frame is an altered copy of the first missing frame of its length that it resembles
    by_length: dict[int, list[int]] = defaultdict(list)
    for i in missing:
        by_length[len(sent[i].frame)].append(i)
    altered_at: list[tuple[int, int, int]] = []
    for position, at, frame in unknown:
        candidates = by_length.get(len(frame), [])
        for k, i in enumerate(candidates[:_CANDIDATES]):
            offsets = [j for j, (a, b) in enumerate(zip(sent[i].frame, frame)) if a != b]
            if len(offsets) * _ALTERED_SHARE <= len(frame):
                del candidates[k]
                report.altered.append((sent[i].number, offsets))
                altered_at.append((position, i, at))
                break
        else:
            report.foreign += 1
    lost = set(missing) - {i for _, i, _ in altered_at}
    report.lost = [sent[i].number for i in sorted(lost)]
    order = list(arrivals)
    for position, i, at in reversed(altered_at):
        order.insert(position, (i, at))
    latest = -1
    for i, _at in order:
        if i < latest:
            report.reordered.append(sent[i].number)
        latest = max(latest, i)
    if paced and arrivals:
        errors = sorted((at - clock_offset_ns - sent[i].due_ns) / 1e3 for i, at in arrivals)
        p99 = errors[min(len(errors) - 1, int(0.99 * len(errors)))]
        report.timing_us = (statistics.median(errors), p99, errors[-1])
    report.packets = _outcomes(sent, order, report, clock_offset_ns)
    report.duplicated.sort()
    report.reordered.sort()
    return report


def _outcomes(
    sent: list[Sent], order: list[tuple[int, int]], report: VerifyReport, clock_offset_ns: int
) -> list[PacketOutcome]:
    """Every sent packet's :class:`PacketOutcome`, from the arrivals in ``order`` (index in sent, arrival
    ns) and the packet numbers ``report`` found duplicated, reordered and altered."""
    arrived = {i: at for i, at in order}
    duplicates: dict[int, int] = defaultdict(int)
    for number in report.duplicated:
        duplicates[number] += 1
    reordered = set(report.reordered)
    altered = dict(report.altered)
    outcomes = []
    for i, s in enumerate(sent):
        at = arrived.get(i)
        if at is None:
            outcomes.append(PacketOutcome(s.number, "lost"))
            continue
        offsets = altered.get(s.number)
        outcomes.append(
            PacketOutcome(
                s.number,
                "received" if offsets is None else "altered",
                (at - clock_offset_ns - s.due_ns) / 1e3,
                duplicates.get(s.number, 0),
                s.number in reordered,
                tuple(offsets or ()),
            )
        )
    return outcomes
