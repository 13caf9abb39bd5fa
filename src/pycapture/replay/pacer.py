"""Pacing saved packets by their own timestamps, or at a fixed rate: the clock of a replay.

:class:`Pacer` decides when each packet is due and waits for it. It schedules every packet against one
origin on the monotonic clock, so rounding never accumulates into drift however long the file; it sleeps
through long gaps in slices (so a stop request is seen within :data:`SLICE_S`) and busy-waits only the
last :data:`SPIN_S`, because ``time.sleep`` overshoots by 0.1-0.25 ms on Linux.
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import cast

from ..packet import Record

SPIN_S = 0.0005
SLICE_S = 0.05


@dataclass(frozen=True)
class Bounds:
    """The values a pacing setting takes, ``low`` to ``high`` inclusive, in ``unit``."""

    low: float
    high: float
    unit: str

    def check(self, name: str, value: object) -> float:
        """``value`` as a float within the bounds: TypeError for what is not a real number, ValueError for
        one outside them (NaN and the infinities included), with the range in the message."""
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a number, not {type(value).__name__}")
        real = cast(float, value)  # an int, a float or another real: each compares with a float
        if not self.low <= real <= self.high:  # NaN fails every comparison
            raise ValueError(f"{name} must be {self}, not {value!r}")
        return float(real)

    def __str__(self) -> str:
        return f"{self.low:.3g} to {self.high:.3g} {self.unit}"


# The pacer schedules in whole nanoseconds: 10^9 times the recorded pace makes a recorded second one
# nanosecond, and 10^9 packets/s is one a nanosecond; 10^6 Mbit/s is a terabit a second, past any
# interface. The low ends of pps and mbps are tcpreplay's, which counts packets per hour and bits per
# second; a millionth of the recorded pace makes a second eleven days. A duration is a millisecond
# to some thirty years.
SPEED = Bounds(1e-6, 1e9, "times the recorded pace")
PPS = Bounds(1 / 3600, 1e9, "packets/s (one an hour to one a nanosecond)")
MBPS = Bounds(1e-6, 1e6, "Mbit/s")
DURATION = Bounds(1e-3, 1e9, "seconds")
SLACK = Bounds(0, 1e6, "µs (up to a second)")


class Pacer:
    """Wait until each packet is due: at the recorded pace times ``speed``, at ``pps``, at ``mbps``, or now.

    Exactly one rate applies: ``topspeed`` wins, then ``pps``, then ``mbps``, else ``speed`` (1.0 is the
    recorded pace). Call :meth:`restart` at the start of each file or loop: the first packet after it is
    due at once and the rest are timed from it. ``stopped`` is polled while waiting; when it returns
    true, :meth:`wait` returns False at once. Each rate given must be within :data:`SPEED`,
    :data:`PPS` or :data:`MBPS` (ValueError otherwise, TypeError for what is not a number).

    ``slack_us`` (within :data:`SLACK`) lets a packet leave up to that long before its due time: the
    packets due within it leave together, and the pacer sleeps between them instead of busy-waiting, as
    tcpreplay's ``--pps-multi`` with ``-T nano`` does. Less CPU (a paced sender otherwise spins a core at
    high rates), coarser timing; 0, the default, times each packet.
    """

    def __init__(
        self,
        *,
        speed: float = 1.0,
        pps: float | None = None,
        mbps: float | None = None,
        topspeed: bool = False,
        slack_us: float = 0.0,
        stopped: Callable[[], bool] = lambda: False,
    ) -> None:
        speed = SPEED.check("speed", speed)
        self.slack_ns = int(SLACK.check("slack_us", slack_us) * 1000)
        pps = None if pps is None else PPS.check("pps", pps)
        mbps = None if mbps is None else MBPS.check("mbps", mbps)
        self.speed = speed
        self.pps = None if topspeed else pps
        self.mbps = None if topspeed or pps else mbps
        self.topspeed = topspeed
        self._stopped = stopped
        self.last_due = 0  # the due time (monotonic ns) of the packet wait() waited for last
        self.late_ns_total = 0  # how late the waits ended, summed: the achieved accuracy
        self.late_ns_max = 0
        self.waits = 0
        self.restart()

    def stopped_by(self, stopped: Callable[[], bool]) -> None:
        """Poll ``stopped`` while waiting (for a pacer made before the handle it paces)."""
        self._stopped = stopped

    def restart(self) -> None:
        """Time the next packet as the first: due at once, the ones after it relative to it."""
        self._origin_clock = -1
        self._origin_ts = 0
        self._sent = 0  # packets (pps) or bits (mbps) scheduled since the origin

    def due(self, ts_ns: int, nbytes: int) -> int:
        """The monotonic time (ns) at which this packet should leave; also advances the schedule."""
        if self._origin_clock < 0:
            self._origin_clock = time.monotonic_ns()
            self._origin_ts = ts_ns
        if self.pps is not None:
            offset = self._sent * 1_000_000_000 / self.pps
            self._sent += 1
        elif self.mbps is not None:
            offset = self._sent * 1_000 / self.mbps  # bits already on the wire, at mbps * 1e6 bits/s
            self._sent += nbytes * 8
        else:
            offset = max(0, ts_ns - self._origin_ts) / self.speed
        return self._origin_clock + int(offset)

    def wait(self, ts_ns: int, nbytes: int) -> bool:
        """Block until the packet is due; False if ``stopped()`` became true first."""
        if self.topspeed:
            return not self._stopped()
        deadline = self.last_due = self.due(ts_ns, nbytes)
        if self.slack_ns and deadline - self.slack_ns <= time.monotonic_ns():  # leaves with the one before
            if self._stopped():
                return False
        elif not self.sleep_until(deadline):
            return False
        late = time.monotonic_ns() - deadline
        self.late_ns_total += late
        self.late_ns_max = max(self.late_ns_max, late)
        self.waits += 1
        return True

    def sleep_until(self, deadline: int) -> bool:
        """Block until the monotonic time ``deadline`` (ns): sleep in slices, then spin the last
        :data:`SPIN_S`; with a slack, only sleep (whatever else the slack covers then leaves with
        it). False if ``stopped()`` became true first."""
        spin_ns = 0 if self.slack_ns else int(SPIN_S * 1e9)
        while True:
            if self._stopped():
                return False
            left = deadline - time.monotonic_ns()
            if left <= spin_ns:
                break
            time.sleep(min(left - spin_ns, SLICE_S * 1e9) / 1e9)
        while time.monotonic_ns() < deadline:
            pass
        return True

    @property
    def mode(self) -> tuple[int, float]:
        """The rate as the compiled sender (``replay._burst``) takes it: ``(mode, rate)``, mode 0
        topspeed, 1 the recorded pace times ``speed``, 2 ``pps``, 3 ``mbps``."""
        if self.topspeed:
            return 0, 0.0
        if self.pps is not None:
            return 2, self.pps
        if self.mbps is not None:
            return 3, self.mbps
        return 1, self.speed

    def schedule(self) -> list[int | float]:
        """The schedule and accuracy counters as the compiled sender reads and updates them in place:
        ``[origin_clock, origin_ts, scheduled, late_ns_total, late_ns_max, waits]``; give the list back to
        :meth:`take_schedule` after."""
        return [self._origin_clock, self._origin_ts, float(self._sent), self.late_ns_total,
                self.late_ns_max, self.waits]  # fmt: skip

    def take_schedule(self, schedule: list[int | float]) -> None:
        """Take back a list of :meth:`schedule` the compiled sender has moved on."""
        origin_clock, origin_ts, sent, total, late_max, waits = schedule
        self._origin_clock, self._origin_ts, self._sent = int(origin_clock), int(origin_ts), int(sent)
        self.late_ns_total, self.late_ns_max, self.waits = int(total), int(late_max), int(waits)

    def paced(self, records: Iterable[Record], nanosecond: bool) -> Iterator[Record]:
        """Yield ``records`` (as from :meth:`PcapHandle.records`) each at its due time."""
        scale = 1 if nanosecond else 1000
        for record in records:
            sec, frac, _length, data = record
            if not self.wait(sec * 1_000_000_000 + frac * scale, len(data)):
                return
            yield record


@dataclass(frozen=True)
class Pace:
    """A rate to replay at, as :class:`Pacer` takes it (checked when :meth:`pacer` makes one): the
    recorded pace times ``speed``, ``pps`` packets/s, ``mbps`` Mbit/s, or ``topspeed``."""

    speed: float = 1.0
    pps: float | None = None
    mbps: float | None = None
    topspeed: bool = False
    slack_us: float = 0.0

    def pacer(self, stopped: Callable[[], bool] = lambda: False) -> Pacer:
        """A :class:`Pacer` for this rate; ValueError or TypeError for a rate outside its bounds."""
        return Pacer(
            speed=self.speed,
            pps=self.pps,
            mbps=self.mbps,
            topspeed=self.topspeed,
            slack_us=self.slack_us,
            stopped=stopped,
        )
