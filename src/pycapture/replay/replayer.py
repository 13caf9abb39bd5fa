"""Replaying saved captures: pacing packets by their own timestamps, and sending them onto an interface.

:class:`Pacer` decides when each packet is due and waits for it. It schedules every packet against one
origin on the monotonic clock, so rounding never accumulates into drift however long the file; it sleeps
through long gaps in slices (so a stop request is seen within :data:`SLICE_S`) and busy-waits only the
last :data:`SPIN_S`, because ``time.sleep`` overshoots by 0.1-0.25 ms on Linux.

:func:`replay` (and :class:`Replayer`, which can be stopped from a signal handler) sends the packets of
one or more files with ``pcap_sendpacket``, as tcpreplay does, and returns :class:`ReplayStats`.
"""

from __future__ import annotations

import numbers
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

from .. import checks
from ..capture.handle import PcapHandle, Record, open_offline
from ..decode import linktype_name
from ..errors import PcapError, PcapNativeError

SPIN_S = 0.0005
SLICE_S = 0.05
PROGRESS_INTERVAL_S = 0.25

LINKTYPE_ETHERNET = 1
_VLAN_ETHERTYPES = (b"\x81\x00", b"\x88\xa8", b"\x91\x00")
_MAX_COUNT = (1 << 63) - 1


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


class Pacer:
    """Wait until each packet is due: at the recorded pace times ``speed``, at ``pps``, at ``mbps``, or now.

    Exactly one rate applies: ``topspeed`` wins, then ``pps``, then ``mbps``, else ``speed`` (1.0 is the
    recorded pace). Call :meth:`restart` at the start of each file or loop: the first packet after it is
    due at once and the rest are timed from it. ``stopped`` is polled while waiting; when it returns
    true, :meth:`wait` returns False at once. Each rate given must be within :data:`SPEED`,
    :data:`PPS` or :data:`MBPS` (ValueError otherwise, TypeError for what is not a number).
    """

    def __init__(
        self,
        *,
        speed: float = 1.0,
        pps: float | None = None,
        mbps: float | None = None,
        topspeed: bool = False,
        stopped: Callable[[], bool] = lambda: False,
    ) -> None:
        speed = SPEED.check("speed", speed)
        pps = None if pps is None else PPS.check("pps", pps)
        mbps = None if mbps is None else MBPS.check("mbps", mbps)
        self.speed = speed
        self.pps = None if topspeed else pps
        self.mbps = None if topspeed or pps else mbps
        self.topspeed = topspeed
        self._stopped = stopped
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
        deadline = self.due(ts_ns, nbytes)
        spin_ns = int(SPIN_S * 1e9)
        while True:
            if self._stopped():
                return False
            left = deadline - time.monotonic_ns()
            if left <= spin_ns:
                break
            time.sleep(min(left - spin_ns, SLICE_S * 1e9) / 1e9)
        now = time.monotonic_ns()
        while now < deadline:
            now = time.monotonic_ns()
        late = now - deadline
        self.late_ns_total += late
        self.late_ns_max = max(self.late_ns_max, late)
        self.waits += 1
        return True

    def paced(self, records: Iterable[Record], nanosecond: bool) -> Iterator[Record]:
        """Yield ``records`` (as from :meth:`PcapHandle.records`) each at its due time."""
        scale = 1 if nanosecond else 1000
        for record in records:
            sec, frac, _length, data = record
            if not self.wait(sec * 1_000_000_000 + frac * scale, len(data)):
                return
            yield record


@dataclass
class ReplayStats:
    """What a replay did. ``failed`` counts packets the interface refused; ``skipped_*`` those not tried."""

    sent: int = 0
    failed: int = 0
    bytes_sent: int = 0
    skipped_too_big: int = 0
    skipped_linktype: int = 0
    truncated: int = 0  # captured shorter than on the wire: sent as captured, as tcpreplay does
    elapsed_s: float = 0.0
    planned: int | None = None  # packets the files hold (after filter and count), when counted first
    late_us_mean: float = 0.0  # how late, on average, each paced packet left
    late_us_max: float = 0.0
    stopped: bool = False
    messages: list[str] = field(default_factory=list)

    @property
    def pps(self) -> float:
        """Packets sent per second of the run."""
        return self.sent / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def mbps(self) -> float:
        """Megabits (10^6 bits) sent per second of the run."""
        return self.bytes_sent * 8 / 1e6 / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def not_sent(self) -> int:
        """Packets not sent: refused by the interface, too big for its MTU, or of another link type."""
        return self.failed + self.skipped_too_big + self.skipped_linktype


def interface_mtu(interface: str) -> int | None:
    """The interface's MTU from sysfs (Linux), or None where that is not known."""
    try:
        with open(f"/sys/class/net/{interface}/mtu") as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def frame_limit(linktype: int, mtu: int | None, frame: bytes) -> int | None:
    """The largest frame the kernel accepts for ``frame``: MTU plus the link header (and one VLAN tag).

    This is the check Linux's packet socket applies (``dev->mtu + dev->hard_header_len``, plus 4 for a
    frame that carries an 802.1Q tag); None when it is not known for this link type.
    """
    if mtu is None or linktype != LINKTYPE_ETHERNET:
        return None
    return mtu + 14 + (4 if frame[12:14] in _VLAN_ETHERTYPES else 0)


ProgressCallback = Callable[[ReplayStats], object]
_NEVER = float("inf")


class Replayer:
    """Send saved captures onto an interface; :meth:`break_loop` stops it (from a signal handler too)."""

    def __init__(
        self,
        interface: str,
        *,
        speed: float = 1.0,
        pps: float | None = None,
        mbps: float | None = None,
        topspeed: bool = False,
        loop: int = 1,
        count: int | None = None,
        duration_s: float | None = None,
        bpf_filter: str | None = None,
        progress: ProgressCallback | None = None,
        count_first: bool = False,
    ) -> None:
        self.interface = checks.text("interface", interface)
        self.loop = checks.integer("loop", loop, -_MAX_COUNT, _MAX_COUNT)
        if self.loop < 0:
            raise ValueError(f"loop must be 0 (until stopped) or more passes, not {loop}")
        self.count = None if count is None else checks.integer("count", count, -_MAX_COUNT, _MAX_COUNT)
        if self.count is not None and self.count < 1:
            raise ValueError(f"count must be 1 or more packets (None: no limit), not {count}")
        self.duration_s = None if duration_s is None else DURATION.check("duration_s", duration_s)
        self.bpf_filter = None if bpf_filter is None else checks.text("bpf_filter", bpf_filter)
        self.progress = None if progress is None else checks.function("progress", progress)
        self.count_first = count_first
        self._stop = False
        self.pacer = Pacer(speed=speed, pps=pps, mbps=mbps, topspeed=topspeed, stopped=self._should_stop)
        self._deadline = _NEVER
        self._next_progress = 0.0

    def break_loop(self) -> None:
        """Stop after the packet being sent; safe from another thread or a signal handler."""
        self._stop = True

    def _should_stop(self) -> bool:
        return self._stop or time.monotonic() >= self._deadline

    def _open(self, path: str) -> PcapHandle:
        handle = open_offline(path)
        if self.bpf_filter:
            try:
                handle.set_filter(self.bpf_filter)
            except BaseException:
                handle.close()
                raise
        return handle

    def plan(self, files: Sequence[str]) -> int:
        """Packets one pass over ``files`` will offer (after the filter), times the loops, capped by count."""
        total = 0
        for path in files:
            with self._open(path) as handle:
                for _ in handle.records():
                    total += 1
        if self.loop > 1:
            total *= self.loop
        if self.count is not None:
            total = min(total, self.count)
        return total

    def run(self, files: Sequence[str]) -> ReplayStats:
        """Send every packet of ``files`` (``loop`` times over; 0 is forever) and return the statistics."""
        stats = ReplayStats()
        for path in files:  # fail before sending anything if a file cannot be opened or filtered
            self._open(path).close()
        if self.count_first and self.loop:
            stats.planned = self.plan(files)
        with (
            PcapHandle.Builder(self.interface).snaplen(128).promiscuous(False).timeout_ms(100).build() as out
        ):
            out.set_filter("less 1")  # a sending handle: keep its capture buffer empty
            start = time.monotonic()
            if self.duration_s is not None:
                self._deadline = start + self.duration_s
            self._next_progress = start + PROGRESS_INTERVAL_S
            try:
                self._run(files, out, stats, start)
            finally:
                stats.elapsed_s = time.monotonic() - start
                stats.stopped = self._stop
                if self.pacer.waits:
                    stats.late_us_mean = self.pacer.late_ns_total / self.pacer.waits / 1e3
                    stats.late_us_max = self.pacer.late_ns_max / 1e3
        return stats

    def _run(self, files: Sequence[str], out: PcapHandle, stats: ReplayStats, start: float) -> None:
        send = out.sender()
        remaining = self.count if self.count is not None else -1
        passes = 0
        while self.loop == 0 or passes < self.loop:
            passes += 1
            for path in files:
                if not remaining or self._should_stop():
                    return
                with self._open(path) as handle:
                    if handle.datalink != out.datalink:
                        skipped = self._skip_file(handle, out, stats, remaining)
                        if remaining > 0:
                            remaining -= skipped
                        continue
                    remaining = self._send_file(handle, send, stats, remaining, start)
            if stats.sent == 0 and stats.failed == 0:
                return  # nothing here can be sent: looping again would spin

    def _send_file(
        self,
        handle: PcapHandle,
        send: Callable[[bytes], None],
        stats: ReplayStats,
        remaining: int,
        start: float,
    ) -> int:
        """Send one opened file's packets; return how many of ``count`` remain.

        The hot loop: counters live in locals and go back to ``stats`` at each progress report and at
        the end; the clock is read once per packet only when pacing.
        """
        pacer = self.pacer
        wait = None if pacer.topspeed else pacer.wait
        pacer.restart()
        scale = 1 if handle.nanosecond else 1000
        mtu = interface_mtu(self.interface)
        limit = mtu + 14 if mtu is not None and handle.datalink == LINKTYPE_ETHERNET else 1 << 62
        sent = nbytes = 0
        progress, every = self.progress, (256 if wait is None else 1)
        monotonic = time.monotonic
        try:
            for sec, frac, length, data in handle.records():
                if not remaining:
                    break
                size = len(data)
                if wait is not None:
                    if not wait(sec * 1_000_000_000 + frac * scale, size):
                        break
                elif self._stop or (self._deadline != _NEVER and monotonic() >= self._deadline):
                    break
                remaining -= 1
                if size > limit and size > (frame_limit(handle.datalink, mtu, data) or 0):
                    self._too_big(handle.source, size, mtu, stats)
                    continue
                if length > size:
                    stats.truncated += 1
                try:
                    send(data)
                except PcapNativeError as exc:
                    stats.failed += 1
                    if stats.failed == 1:
                        stats.messages.append(f"sending failed: {exc}")
                    continue
                sent += 1
                nbytes += size
                if progress is not None and not sent % every:
                    stats.sent += sent
                    stats.bytes_sent += nbytes
                    sent = nbytes = 0
                    now = monotonic()
                    if now >= self._next_progress:
                        self._next_progress = now + PROGRESS_INTERVAL_S
                        stats.elapsed_s = now - start
                        progress(stats)
        finally:
            stats.sent += sent
            stats.bytes_sent += nbytes
        return remaining

    def _too_big(self, source: str, size: int, mtu: int | None, stats: ReplayStats) -> None:
        stats.skipped_too_big += 1
        if stats.skipped_too_big == 1:
            stats.messages.append(
                f"{source}: a {size}-byte frame is larger than {self.interface}'s MTU of {mtu} allows "
                "(with the link header); such frames are counted as too big and not sent (raise the MTU "
                "with 'ip link set dev IF mtu N', or cut them with tcprewrite --mtu-trunc)"
            )

    def _skip_file(self, handle: PcapHandle, out: PcapHandle, stats: ReplayStats, remaining: int) -> int:
        skipped = 0
        for _ in handle.records(remaining):
            skipped += 1
        stats.skipped_linktype += skipped
        stats.messages.append(
            f"{handle.source}: link-type {linktype_name(handle.datalink)} does not match "
            f"{self.interface}'s {linktype_name(out.datalink)}; its {skipped} packets are counted as "
            "skipped and not sent (rewrite the file's link layer first, e.g. with tcprewrite --dlt)"
        )
        return skipped


def replay(
    files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    interface: str,
    *,
    speed: float = 1.0,
    pps: float | None = None,
    mbps: float | None = None,
    topspeed: bool = False,
    loop: int = 1,
    count: int | None = None,
    duration_s: float | None = None,
    bpf_filter: str | None = None,
    progress: ProgressCallback | None = None,
) -> ReplayStats:
    """Send the packets of saved captures out of ``interface``, paced as asked; return the statistics.

    ``speed`` scales the recorded timing (2.0 is twice as fast); ``pps`` or ``mbps`` send at a fixed
    rate instead; ``topspeed`` sends as fast as possible. ``loop`` passes over the files (0: until
    stopped); ``count`` and ``duration_s`` end the run early; ``bpf_filter`` sends only matching packets.
    Frames larger than the interface's MTU and files whose link type differs from the interface's
    are counted in the statistics, not sent. Needs the same privileges as live capture.

    The rates take the ranges of :data:`SPEED`, :data:`PPS` and :data:`MBPS`, ``duration_s`` that of
    :data:`DURATION`; ``loop`` is 0 or more and ``count`` 1 or more. A value outside its range raises
    ValueError, a wrong type TypeError, and a filter that does not compile FilterError (a ValueError).
    """
    if isinstance(files, (str, os.PathLike)):
        paths = [_path(files)]
    elif isinstance(files, Sequence):
        paths = [_path(f) for f in files]
    else:
        raise TypeError(f"files must be a path or a sequence of paths, not {type(files).__name__}")
    if not paths:
        raise PcapError("no capture file to replay", "name at least one pcap or pcapng file")
    return Replayer(
        interface,
        speed=speed,
        pps=pps,
        mbps=mbps,
        topspeed=topspeed,
        loop=loop,
        count=count,
        duration_s=duration_s,
        bpf_filter=bpf_filter,
        progress=progress,
    ).run(paths)


def _path(value: object) -> str:
    """A capture file's path as a str; TypeError for what is not a str or os.PathLike."""
    path = os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
    if not isinstance(path, str):
        raise TypeError(f"a capture file must be a str or os.PathLike path, not {type(value).__name__}")
    return path


def pump_paced(
    handle: PcapHandle, sinks: Sequence[Callable[[int, int, int, bytes], object]], count: int, pacer: Pacer
) -> int:
    """Feed each packet of ``handle`` to the sinks at its due time; return how many were fed.

    :meth:`PcapHandle.break_loop` (as from a signal) ends the wait for the next packet at once.
    """
    n = 0
    for sec, frac, length, data in pacer.paced(handle.records(count), handle.nanosecond):
        for sink in sinks:
            sink(sec, frac, length, data)
        n += 1
    handle.captured = n  # the packet read while a stop came was not delivered: it does not count
    return n
