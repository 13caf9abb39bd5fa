"""Replaying saved captures: sending their packets onto an interface, paced as asked.

:func:`replay` (and :class:`Replayer`, which can be stopped from a signal handler) sends the packets of
one or more files and returns :class:`ReplayStats`. The timing is :class:`~pycapture.replay.pacer.Pacer`'s.

A classic pcap file goes out through the compiled sender (``pycapture.replay._burst``, Linux): its
records are read in place from the mapped file and every record that is due is sent in one ``sendmmsg``
on an AF_PACKET socket, a batch ending at the first record not yet due. Anything else (pcapng, a
filter, another platform, a build without the extension) is sent with ``pcap_sendpacket``, one packet at
a time, as tcpreplay sends.
"""

from __future__ import annotations

import array
import errno
import os
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypedDict

from .. import checks
from ..capture import linux
from ..capture.handle import PcapHandle, open_offline
from ..decode import linktype_name
from ..errors import PcapError, PcapNativeError
from ..savefile.format import RECORD_HEADER, RECORD_HEADER_SIZE
from ..savefile.reader import RecordBuffers
from .pacer import DURATION, Pace
from .verify import Receiver, Sent, VerifyReport, verify

try:
    from . import _burst  # type: ignore[attr-defined]
except ImportError:  # not built: libpcap sends
    _burst = None

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing's from Python 3.11; only the type checker reads it

PROGRESS_INTERVAL_S = 0.25

LINKTYPE_ETHERNET = 1
_VLAN_ETHERTYPES = (b"\x81\x00", b"\x88\xa8", b"\x91\x00")
_MAX_COUNT = (1 << 63) - 1
_LOG_RECORDS = 4096  # records a verified burst call reads at most: its log's room


@dataclass(frozen=True)
class ReplaySettings:
    """What to replay and how: the rate (:class:`~pycapture.replay.pacer.Pace`), ``loop`` passes over the
    files (0: until stopped), at most ``count`` packets and ``duration_s`` seconds (None: no limit), and
    only the packets ``bpf_filter`` matches. Each is checked here (ValueError, TypeError); the rate when
    its pacer is made."""

    pace: Pace = field(default_factory=Pace)
    loop: int = 1
    count: int | None = None
    duration_s: float | None = None
    bpf_filter: str | None = None

    def __post_init__(self) -> None:
        loop = checks.integer("loop", self.loop, -_MAX_COUNT, _MAX_COUNT)
        if loop < 0:
            raise ValueError(f"loop must be 0 (until stopped) or more passes, not {self.loop}")
        count = None if self.count is None else checks.integer("count", self.count, -_MAX_COUNT, _MAX_COUNT)
        if count is not None and count < 1:
            raise ValueError(f"count must be 1 or more packets (None: no limit), not {self.count}")
        duration_s = None if self.duration_s is None else DURATION.check("duration_s", self.duration_s)
        bpf_filter = None if self.bpf_filter is None else checks.text("bpf_filter", self.bpf_filter)
        object.__setattr__(self, "loop", loop)
        object.__setattr__(self, "count", count)
        object.__setattr__(self, "duration_s", duration_s)
        object.__setattr__(self, "bpf_filter", bpf_filter)


@dataclass
class ReplayStats:
    """What a replay did. ``failed`` counts packets the interface refused; ``skipped_*`` those not tried."""

    sent: int = 0
    failed: int = 0
    bytes_sent: int = 0
    skipped_too_big: int = 0
    skipped_linktype: int = 0
    truncated: int = 0  # captured shorter than on the wire: sent as captured, as tcpreplay does
    retried: int = 0  # sends the kernel refused for a full queue (ENOBUFS), tried again until sent
    elapsed_s: float = 0.0
    planned: int | None = None  # packets the files hold (after filter and count), when counted first
    late_us_mean: float = 0.0  # how late, on average, each paced packet left
    late_us_max: float = 0.0
    stopped: bool = False
    messages: list[str] = field(default_factory=list)
    verify: VerifyReport | None = None  # with a verify interface: what arrived there

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


class ReplayOptions(TypedDict, total=False):
    """The keyword options of :class:`Replayer` and :func:`replay`, each optional: the defaults are those
    of :class:`~pycapture.replay.pacer.Pace` (the rate) and :class:`ReplaySettings` (the rest).

    ``speed`` scales the recorded timing (2.0 is twice as fast); ``pps`` or ``mbps`` send at a fixed
    rate instead; ``topspeed`` sends as fast as possible. ``slack_us`` lets packets leave up to that long
    early, in batches, with the sender sleeping between them rather than busy-waiting (see
    :class:`~pycapture.replay.pacer.Pacer`). ``loop`` passes over the files (0: until
    stopped); ``count`` and ``duration_s`` end the run early; ``bpf_filter`` sends only matching packets.
    ``progress`` is called with the running :class:`ReplayStats` at most every
    :data:`PROGRESS_INTERVAL_S` while sending. ``qdisc_bypass`` sends past the interface's queueing
    discipline (Linux's PACKET_QDISC_BYPASS: faster, but no traffic shaping and no queue to absorb a burst).
    ``verify`` names an interface the packets should arrive on (a veth peer, a looped cable): it is
    captured while they are sent, and :attr:`ReplayStats.verify` says what arrived
    (:mod:`pycapture.replay.verify`).

    The rates take the ranges of :data:`SPEED`, :data:`PPS` and :data:`MBPS`, ``slack_us`` that of
    :data:`~pycapture.replay.pacer.SLACK`, ``duration_s`` that of
    :data:`DURATION`; ``loop`` is 0 or more and ``count`` 1 or more. A value outside its range raises
    ValueError, a wrong type TypeError, and a filter that does not compile FilterError (a ValueError).
    """

    speed: float
    pps: float | None
    mbps: float | None
    topspeed: bool
    slack_us: float
    loop: int
    count: int | None
    duration_s: float | None
    bpf_filter: str | None
    progress: ProgressCallback | None
    qdisc_bypass: bool
    verify: str | None


_PACE_FIELDS = frozenset(f.name for f in fields(Pace))


def _check_keywords(function: str, options: Mapping[str, object]) -> None:
    """TypeError, in Python's own words, for a keyword that is not one of :class:`ReplayOptions`'."""
    unknown = [name for name in options if name not in ReplayOptions.__annotations__]
    if unknown:
        raise TypeError(f"{function}() got an unexpected keyword argument {unknown[0]!r}")


def _settings(options: Mapping[str, Any]) -> ReplaySettings:
    """The :class:`ReplaySettings` of :class:`ReplayOptions`' rate and limits (``progress`` left out)."""
    pace = {name: value for name, value in options.items() if name in _PACE_FIELDS}
    limits = {name: value for name, value in options.items() if name not in _PACE_FIELDS}
    return ReplaySettings(Pace(**pace), **limits)


class Replayer:
    """Send saved captures onto an interface; :meth:`break_loop` stops it (from a signal handler too).

    ``options`` are :class:`ReplayOptions`, checked here as :func:`replay` checks them; ``count_first``
    counts the packets before sending (:attr:`ReplayStats.planned`, for a progress bar).
    """

    def __init__(
        self, interface: str, *, count_first: bool = False, **options: Unpack[ReplayOptions]
    ) -> None:
        _check_keywords("Replayer.__init__", options)
        self.interface = checks.text("interface", interface)
        progress = options.pop("progress", None)
        self.qdisc_bypass = checks.boolean("qdisc_bypass", options.pop("qdisc_bypass", False))
        verify_on = options.pop("verify", None)
        self.verify = None if verify_on is None else checks.text("verify", verify_on)
        self._journal: list[Sent] | None = None  # when verifying: every packet sent
        self._number = 0  # records read for sending, over every file and loop
        self.settings = _settings(options)
        self.progress = None if progress is None else checks.function("progress", progress)
        self.count_first = count_first
        self._stop = False
        self.pacer = self.settings.pace.pacer(stopped=self._should_stop)
        self._deadline = _NEVER
        self._next_progress = 0.0

    @classmethod
    def with_settings(
        cls,
        interface: str,
        settings: ReplaySettings,
        progress: ProgressCallback | None = None,
        count_first: bool = False,
        qdisc_bypass: bool = False,
        verify: str | None = None,
    ) -> Replayer:
        """A replayer for ``settings``; ``progress``, ``count_first``, ``qdisc_bypass`` and ``verify`` as
        for the constructor."""
        options = asdict(settings)  # the options of the constructor, the rate's nested in "pace"
        return cls(
            interface,
            **options.pop("pace"),
            **options,
            progress=progress,
            count_first=count_first,
            qdisc_bypass=qdisc_bypass,
            verify=verify,
        )

    def break_loop(self) -> None:
        """Stop after the packet being sent; safe from another thread or a signal handler."""
        self._stop = True

    def _should_stop(self) -> bool:
        return self._stop or time.monotonic() >= self._deadline

    def _open(self, path: str) -> PcapHandle:
        handle = open_offline(path)
        if self.settings.bpf_filter:
            try:
                handle.set_filter(self.settings.bpf_filter)
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
        if self.settings.loop > 1:
            total *= self.settings.loop
        if self.settings.count is not None:
            total = min(total, self.settings.count)
        return total

    def run(self, files: Sequence[str]) -> ReplayStats:
        """Send every packet of ``files`` (``loop`` times over; 0 is forever) and return the statistics."""
        stats = ReplayStats()
        for path in files:  # fail before sending anything if a file cannot be opened or filtered
            self._open(path).close()
        if self.count_first and self.settings.loop:
            stats.planned = self.plan(files)
        builder = PcapHandle.Builder(self.interface).snaplen(128).promiscuous(False).timeout_ms(100)
        with builder.direction("in").build() as out:  # not handed a clone of each frame it sends
            out.set_filter("less 1")  # a sending handle: keep its capture buffer empty
            start = time.monotonic()
            if self.settings.duration_s is not None:
                self._deadline = start + self.settings.duration_s
            self._next_progress = start + PROGRESS_INTERVAL_S
            receiver = None
            if self.verify is not None:
                receiver = Receiver(self.verify)
                self._journal = []
            clock_offset = time.time_ns() - time.monotonic_ns()
            sock = self._packet_socket(stats)
            try:
                self._run(files, out, stats, start, sock)
            finally:
                # the time ends at the last packet sent, as tcpreplay's does: closing a packet socket
                # waits for the kernel's RCU grace period (about 12 ms here), which is not sending
                stats.elapsed_s = time.monotonic() - start
                if sock is not None:
                    sock.close()
                if receiver is not None and self._journal is not None:
                    received, dropped = receiver.finish(len(self._journal))
                    stats.verify = verify(self._journal, received, not self.pacer.topspeed, clock_offset)
                    stats.verify.dropped_by_capture = dropped
                    self._journal = None
                stats.stopped = self._stop
                if self.pacer.waits:
                    stats.late_us_mean = self.pacer.late_ns_total / self.pacer.waits / 1e3
                    stats.late_us_max = self.pacer.late_ns_max / 1e3
        return stats

    def _packet_socket(self, stats: ReplayStats) -> socket.socket | None:
        """An AF_PACKET socket bound to the interface, for the compiled sender; None where there is no
        compiled sender or no AF_PACKET (libpcap sends then)."""
        if _burst is None or not hasattr(socket, "AF_PACKET"):
            if self.qdisc_bypass:
                stats.messages.append(
                    "--qdisc-bypass needs Linux's AF_PACKET and the compiled sender: not used"
                )
            return None
        try:
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        except OSError:
            return None
        try:
            sock.bind((self.interface, 0))
            if self.qdisc_bypass:
                sock.setsockopt(linux.SOL_PACKET, linux.PACKET_QDISC_BYPASS, 1)
        except OSError:
            sock.close()
            return None
        return sock

    def _run(
        self,
        files: Sequence[str],
        out: PcapHandle,
        stats: ReplayStats,
        start: float,
        sock: socket.socket | None,
    ) -> None:
        send = out.sender()
        remaining = self.settings.count if self.settings.count is not None else -1
        passes = 0
        while self.settings.loop == 0 or passes < self.settings.loop:
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
                    remaining = self._send_file(handle, send, stats, remaining, start, sock)
            if stats.sent == 0 and stats.failed == 0:
                return  # nothing here can be sent: looping again would spin

    def _send_file(
        self,
        handle: PcapHandle,
        send: Callable[[bytes], None],
        stats: ReplayStats,
        remaining: int,
        start: float,
        sock: socket.socket | None,
    ) -> int:
        """Send one opened file's packets; return how many of ``count`` remain.

        A classic pcap file goes to the compiled sender when there is a socket for it; the rest of the
        file (or all of it) goes through libpcap. The hot loop: counters live in locals and go back to
        ``stats`` at each progress report and at the end; the clock is read once per packet only when
        pacing.
        """
        pacer = self.pacer
        pacer.restart()
        buffers = None if sock is None else handle.in_place_buffers()
        if sock is not None and buffers is not None:
            remaining, done, finished = self._burst_file(handle, buffers, sock, stats, remaining, start)
            if finished:
                return remaining
            handle.skip_records(done)  # a record libpcap must judge: it reads on from there
        wait = None if pacer.topspeed else pacer.wait
        scale = 1 if handle.nanosecond else 1000
        mtu = interface_mtu(self.interface)
        limit = mtu + 14 if mtu is not None and handle.datalink == LINKTYPE_ETHERNET else 1 << 62
        sent = nbytes = 0
        journal = self._journal
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
                self._number += 1
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
                if journal is not None:
                    due = time.monotonic_ns() if wait is None else pacer.last_due
                    journal.append(Sent(self._number, bytes(data), due))
                sent += 1
                nbytes += size
                if progress is not None and not sent % every:
                    stats.sent += sent
                    stats.bytes_sent += nbytes
                    sent = nbytes = 0
                    self._progress(stats, start)
        finally:
            stats.sent += sent
            stats.bytes_sent += nbytes
        return remaining

    def _progress(self, stats: ReplayStats, start: float) -> None:
        """Call the progress function if one is set and its interval has passed."""
        now = time.monotonic()
        if self.progress is not None and now >= self._next_progress:
            self._next_progress = now + PROGRESS_INTERVAL_S
            stats.elapsed_s = now - start
            self.progress(stats)

    def _burst_file(
        self,
        handle: PcapHandle,
        buffers: RecordBuffers,
        sock: socket.socket,
        stats: ReplayStats,
        remaining: int,
        start: float,
    ) -> tuple[int, int, bool]:
        """Send a classic pcap file's records through the compiled sender, batch after batch, waiting
        between calls for the first record not yet due. Returns how many of ``count`` remain, how many
        records were read, and whether the file is done (False: at a record left to libpcap)."""
        assert _burst is not None
        pacer = self.pacer
        mode, rate = pacer.mode
        schedule = pacer.schedule()
        mtu = interface_mtu(self.interface)
        limit = vlan_limit = 1 << 62
        if mtu is not None and handle.datalink == LINKTYPE_ETHERNET:
            limit, vlan_limit = mtu + 14, mtu + 18  # frame_limit's, the VLAN tag's 4 bytes included
        stop_ns = 0 if self._deadline == _NEVER else int(self._deadline * 1e9)
        burst, fd, nano, max_caplen = _burst.burst, sock.fileno(), handle.nanosecond, buffers.max_caplen
        journal = self._journal
        log = None if journal is None else array.array("q", bytes(8 * _LOG_RECORDS))
        done = 0
        stopped = False
        try:
            while remaining and not stopped and not self._stop:
                buf = buffers.fill()
                if buf is None:
                    break
                used = 0
                while True:
                    used_now, n, sent, nbytes, too_big, truncated, failed, error, retried, next_due = burst(
                        fd,
                        buf[used:],
                        max_caplen,
                        nano,
                        remaining,
                        limit,
                        vlan_limit,
                        stop_ns,
                        mode,
                        rate,
                        schedule,
                        log,
                        pacer.slack_ns,
                    )
                    if journal is not None and log is not None:
                        self._journal_records(journal, buf[used : used + used_now], log)
                    else:
                        self._number += n
                    used += used_now
                    done += n
                    if remaining > 0:
                        remaining -= n
                    stats.sent += sent
                    stats.bytes_sent += nbytes
                    stats.truncated += truncated
                    stats.retried += retried
                    if too_big:
                        self._too_big(handle.source, None, mtu, stats, too_big)
                    if failed:
                        if not stats.failed:
                            stats.messages.append(
                                f"sending failed: {os.strerror(error)} ({errno.errorcode.get(error, error)})"
                            )
                        stats.failed += failed
                    self._progress(stats, start)
                    if next_due > 0 and remaining:
                        if pacer.sleep_until(next_due):
                            continue
                        stopped = True
                    elif next_due < 0:
                        stopped = True
                    break
                buffers.keep(buf, used)
        finally:
            buffers.close()
            pacer.take_schedule(schedule)
        return remaining, done, stopped or self._stop or not buffers.irregular

    def _journal_records(
        self, journal: list[Sent], records: bytes | memoryview, log: array.array[int]
    ) -> None:
        """Note in ``journal`` the frames of ``records`` (native pcap records) that the compiled sender's
        ``log`` says were sent."""
        pos = 0
        for entry in log:
            if pos + RECORD_HEADER_SIZE > len(records):
                break
            _sec, _frac, caplen, _length = RECORD_HEADER.unpack_from(records, pos)
            start = pos + RECORD_HEADER_SIZE
            pos = start + caplen
            self._number += 1
            if entry >= 0:
                journal.append(Sent(self._number, bytes(records[start:pos]), entry))

    def _too_big(
        self, source: str, size: int | None, mtu: int | None, stats: ReplayStats, count: int = 1
    ) -> None:
        first = not stats.skipped_too_big
        stats.skipped_too_big += count
        if first:
            frame = "a frame" if size is None else f"a {size}-byte frame"
            stats.messages.append(
                f"{source}: {frame} is larger than {self.interface}'s MTU of {mtu} allows "
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
    **options: Unpack[ReplayOptions],
) -> ReplayStats:
    """Send the packets of saved captures out of ``interface``, paced as ``options`` (:class:`ReplayOptions`)
    ask; return the statistics.

    Frames larger than the interface's MTU and files whose link type differs from the interface's are
    counted in the statistics, not sent. Needs the same privileges as live capture. A bad option raises
    before anything is sent.
    """
    _check_keywords("replay", options)
    if isinstance(files, (str, os.PathLike)):
        paths = [_path(files)]
    elif isinstance(files, Sequence):
        paths = [_path(f) for f in files]
    else:
        raise TypeError(f"files must be a path or a sequence of paths, not {type(files).__name__}")
    if not paths:
        raise PcapError("no capture file to replay", "name at least one pcap or pcapng file")
    return Replayer(interface, **options).run(paths)


def _path(value: object) -> str:
    """A capture file's path as a str; TypeError for what is not a str or os.PathLike."""
    path = os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
    if not isinstance(path, str):
        raise TypeError(f"a capture file must be a str or os.PathLike path, not {type(value).__name__}")
    return path
