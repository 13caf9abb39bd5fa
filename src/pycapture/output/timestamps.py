"""tcpdump's timestamp styles for the one-line output: the default and ``-t`` to ``-ttttt``.

Each formatter returns the text that goes before the packet's summary, *including* the space that
separates them, so that ``-t`` (no timestamp) is the empty string and the caller always writes
``prefix + summary``. The texts are tcpdump 4.99's:

====  ==========  ==================================================================
0     (default)   ``17:25:19.066204 `` local time of day
1     ``-t``      nothing
2     ``-tt``     ``1507397119.066204 `` seconds since the Unix epoch
3     ``-ttt``    `` 00:00:00.116805 `` delta since the previous packet, after a sign
                  column (``" "`` or ``"-"``); the first packet shows zero
4     ``-tttt``   ``2017-10-07 17:25:19.066204 `` local date and time
5     ``-ttttt``  `` 00:00:00.117039 `` delta since the first packet, with the sign column
====  ==========  ==================================================================

With ``nano`` the fraction has nine digits (tcpdump's ``--nano``) and the formatter takes
nanoseconds; otherwise six digits and microseconds.

A time before the epoch (libpcap hands a 32-bit file's timestamps after 2038 on as negative
seconds) prints ``[Error converting time]`` in styles 0, 2 and 4, as tcpdump 4.99.3 does.
"""

from __future__ import annotations

import time
from typing import Callable

TimestampFormatter = Callable[[int, int], str]

_ERROR = "[Error converting time] "


def time_formatter(style: int, utc: bool = False, nano: bool = False) -> TimestampFormatter:
    """A function ``(ts_sec, ts_frac) -> prefix`` for tcpdump's timestamp style ``style``.

    ``style`` is the number of ``t`` flags given (0 to 5, see the module docstring); ``utc`` makes
    styles 0 and 4 show UTC instead of local time (tcpdump follows TZ). Styles 3 and 5 remember the
    packets they have seen, so make one formatter per capture.
    """
    digits = 9 if nano else 6
    if style == 0:
        return _ClockFormatter("%H:%M:%S", utc, digits)
    if style == 1:
        return _no_time
    if style == 2:
        return _epoch_time_nano if nano else _epoch_time
    if style == 3:
        return _DeltaFormatter(since_first=False, digits=digits)
    if style == 4:
        return _ClockFormatter("%Y-%m-%d %H:%M:%S", utc, digits)
    if style == 5:
        return _DeltaFormatter(since_first=True, digits=digits)
    raise ValueError(f"timestamp style must be 0 to 5 (the number of -t flags), not {style}")


def _no_time(sec: int, usec: int) -> str:
    return ""


def _epoch_time(sec: int, usec: int) -> str:
    # tcpdump 4.99.3 casts the seconds to a 32-bit unsigned int here, so it prints 0.000000 for
    # 2106-02-07 06:28:16; printing the true number is more useful than copying that overflow.
    if sec < 0:
        return _ERROR
    return f"{sec}.{usec:06d} "


def _epoch_time_nano(sec: int, nsec: int) -> str:
    if sec < 0:
        return _ERROR
    return f"{sec}.{nsec:09d} "


class _ClockFormatter:
    """Wall-clock time (``strftime`` pattern + ``.uuuuuu``), the strftime part cached per second."""

    __slots__ = ("_convert", "_digits", "_last_sec", "_last_text", "_pattern")

    def __init__(self, pattern: str, utc: bool, digits: int = 6) -> None:
        self._pattern = pattern
        self._digits = digits
        self._convert = time.gmtime if utc else time.localtime
        self._last_sec: int | None = None
        self._last_text: str | None = None  # None: this second cannot be shown

    def __call__(self, sec: int, usec: int) -> str:
        if sec != self._last_sec:
            self._last_text = self._seconds_text(sec)
            self._last_sec = sec
        if self._last_text is None:
            return _ERROR
        return f"{self._last_text}.{usec:0{self._digits}d} "

    def second_prefix(self, sec: int) -> str | None:
        """The text before the fraction (``"17:25:19."``), or None where :meth:`__call__` prints an error."""
        if sec != self._last_sec:
            self._last_text = self._seconds_text(sec)
            self._last_sec = sec
        return None if self._last_text is None else self._last_text + "."

    def _seconds_text(self, sec: int) -> str | None:
        if sec < 0:
            return None
        try:
            return time.strftime(self._pattern, self._convert(sec))
        except (OverflowError, OSError, ValueError):
            return None


class _DeltaFormatter:
    """Time since the previous packet (``-ttt``) or the first one (``-ttttt``): ``[ -]HH:MM:SS.uuuuuu``.

    Like tcpdump, the hours wrap after a day (tcpdump formats the delta with gmtime), a packet
    older than the reference gets a minus sign instead of the leading space, and a packet stamped
    0.000000 cannot be the reference (the next packet becomes it).
    """

    __slots__ = ("_digits", "_ref", "_since_first", "_unit")

    def __init__(self, since_first: bool, digits: int = 6) -> None:
        self._since_first = since_first
        self._ref: int | None = None
        self._digits = digits
        self._unit = 10**digits

    def __call__(self, sec: int, usec: int) -> str:
        unit = self._unit
        now = sec * unit + usec
        ref = self._ref
        if not ref:  # tcpdump takes a zero reference for "not set yet": a 0.000000 packet is no reference
            ref = now
        if not self._since_first or not self._ref:
            self._ref = now
        delta = now - ref
        sign = " "
        if delta < 0:
            sign = "-"
            delta = -delta
        secs, frac = divmod(delta % (86_400 * unit), unit)
        hours, rest = divmod(secs, 3600)
        return f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{frac:0{self._digits}d} "


def second_prefix_function(formatter: TimestampFormatter) -> Callable[[int], str | None] | None:
    """For a wall-clock formatter with microseconds, a function ``sec -> "HH:MM:SS."`` (None where the
    formatter prints an error); the caller appends the six-digit fraction and a space. Else None."""
    if isinstance(formatter, _ClockFormatter) and formatter._digits == 6:
        return formatter.second_prefix
    return None


__all__ = ["TimestampFormatter", "second_prefix_function", "time_formatter"]
