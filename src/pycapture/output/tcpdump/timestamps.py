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

A formatter takes ``(ts_sec, ts_frac)`` as libpcap hands them on, whatever they are: a classic pcap
file's fields are signed 32-bit numbers (after 2038 the seconds are negative, and a fraction field of
0xffffffff is -1), a pcapng file's seconds are a 64-bit ``time_t``, and neither fraction need be
below one second. tcpdump 4.99.3 (``util-print.c``) prints them by these rules, and so does this
module:

- the fraction is printed as a C ``(unsigned)``: its low 32 bits, ``%06u`` (``%09u`` with nano), so -1
  prints ``.4294967295`` and 1000000 prints ``.1000000``;
- whenever bit 31 of the seconds' low 32 bits is set, the text is ``[Error converting time]``; else the
  clock styles show ``localtime``/``gmtime`` of the whole 64-bit number (the same error where that
  fails), and ``-tt`` shows the low 32 bits of the seconds;
- the deltas subtract the seconds and the fractions apart (``netdissect_timevalsub``), borrowing one
  second only when the fraction goes negative, and are printed as a time of day in UTC by the rules
  above (so a fraction of one second or more is not carried into the seconds).
"""

from __future__ import annotations

import time
from typing import Callable

from ...checks import U32_MAX  # C's (unsigned) of a number, its low 32 bits: how tcpdump prints fractions

TimestampFormatter = Callable[[int, int], str]

_BAD_SECOND = 0x80000000  # tcpdump refuses a time whose seconds have this bit set, as (unsigned)
_TIME_T = 1 << 64  # the seconds of a delta are a 64-bit time_t, which wraps
_ERROR = "[Error converting time]"
_DAY = 86_400
_TIME_OF_DAY = "%H:%M:%S"
_DATE_AND_TIME = "%Y-%m-%d %H:%M:%S"


def time_formatter(style: int, utc: bool = False, nano: bool = False) -> TimestampFormatter:
    """A function ``(ts_sec, ts_frac) -> prefix`` for tcpdump's timestamp style ``style``.

    ``style`` is the number of ``t`` flags given (0 to 5, see the module docstring); ``utc`` makes
    styles 0 and 4 show UTC instead of local time (tcpdump follows TZ). Styles 3 and 5 remember the
    packets they have seen, so make one formatter per capture.
    """
    digits = 9 if nano else 6
    if style == 0:
        return _ClockFormatter(_TIME_OF_DAY, utc, digits)
    if style == 1:
        return _no_time
    if style == 2:
        return _epoch_time_nano if nano else _epoch_time
    if style == 3:
        return _DeltaFormatter(since_first=False, digits=digits)
    if style == 4:
        return _ClockFormatter(_DATE_AND_TIME, utc, digits)
    if style == 5:
        return _DeltaFormatter(since_first=True, digits=digits)
    raise ValueError(f"timestamp style must be 0 to 5 (the number of -t flags), not {style}")


def _no_time(sec: int, frac: int) -> str:
    return ""


def _epoch_time(sec: int, frac: int) -> str:
    # tcpdump prints (unsigned)sec: after 2106-02-07 06:28:15 the count starts again from 0
    if sec & _BAD_SECOND:
        return _ERROR + " "
    return f"{sec & U32_MAX}.{frac & U32_MAX:06d} "


def _epoch_time_nano(sec: int, frac: int) -> str:
    if sec & _BAD_SECOND:
        return _ERROR + " "
    return f"{sec & U32_MAX}.{frac & U32_MAX:09d} "


class _ClockFormatter:
    """Wall-clock time (``strftime`` pattern + ``.uuuuuu``), the strftime part cached per second."""

    __slots__ = ("_convert", "_digits", "_last_sec", "_last_text", "_pattern")

    def __init__(self, pattern: str, utc: bool, digits: int = 6) -> None:
        self._pattern = pattern
        self._digits = digits
        self._convert = time.gmtime if utc else time.localtime
        self._last_sec: int | None = None
        self._last_text: str | None = None  # None: this second cannot be shown

    def __call__(self, sec: int, frac: int) -> str:
        if sec != self._last_sec:
            self._last_text = self._seconds_text(sec)
            self._last_sec = sec
        if self._last_text is None:
            return _ERROR + " "
        return f"{self._last_text}.{frac & U32_MAX:0{self._digits}d} "

    def second_prefix(self, sec: int) -> str | None:
        """The text before the fraction (``"17:25:19."``), or None where :meth:`__call__` prints an error."""
        if sec != self._last_sec:
            self._last_text = self._seconds_text(sec)
            self._last_sec = sec
        return None if self._last_text is None else self._last_text + "."

    def _seconds_text(self, sec: int) -> str | None:
        return _clock_text(self._pattern, self._convert, sec)


def _clock_text(pattern: str, convert: Callable[[int], time.struct_time], sec: int) -> str | None:
    """``strftime(pattern, convert(sec))`` as tcpdump's ts_date_hmsfrac_print makes it, or None where
    tcpdump prints ``[Error converting time]``."""
    if sec & _BAD_SECOND:
        return None
    try:
        tm = convert(sec)
    except (OverflowError, OSError, ValueError):  # beyond what localtime/gmtime can convert
        return None
    try:
        return time.strftime(pattern, tm)
    except (OverflowError, ValueError):
        # a year that fits no C int: glibc's strftime prints tm_year + 1900 computed as an int, wrapped
        year = (tm.tm_year + (1 << 31)) % (1 << 32) - (1 << 31)
        text = f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"
        return f"{year}-{tm.tm_mon:02d}-{tm.tm_mday:02d} {text}" if pattern == _DATE_AND_TIME else text


class _DeltaFormatter:
    """Time since the previous packet (``-ttt``) or the first one (``-ttttt``): ``[ -]HH:MM:SS.uuuuuu``.

    As tcpdump's ts_print: the seconds and the fractions are subtracted apart, the later time from
    the earlier; a packet older than the reference gets a minus sign instead of the leading space; the
    hours wrap after a day (the delta is shown as a time of day, by gmtime); and a packet stamped
    0.000000 cannot be the reference (the next packet becomes it).
    """

    __slots__ = ("_digits", "_ref_frac", "_ref_sec", "_since_first", "_unit")

    def __init__(self, since_first: bool, digits: int = 6) -> None:
        self._since_first = since_first
        self._ref_sec = 0
        self._ref_frac = 0  # (0, 0): no reference yet, as tcpdump's timevalisset
        self._digits = digits
        self._unit = 10**digits

    def __call__(self, sec: int, frac: int) -> str:
        if not (self._ref_sec or self._ref_frac):
            self._ref_sec, self._ref_frac = sec, frac
        ref_sec, ref_frac = self._ref_sec, self._ref_frac
        if not self._since_first:
            self._ref_sec, self._ref_frac = sec, frac
        negative = sec < ref_sec if sec != ref_sec else frac < ref_frac
        if negative:
            secs, part = ref_sec - sec, ref_frac - frac
        else:
            secs, part = sec - ref_sec, frac - ref_frac
        if part < 0:
            secs -= 1
            part += self._unit
        sign = "-" if negative else " "
        if not 0 <= secs < _BAD_SECOND:  # rare: a delta of 68 years or more, or one that wrapped
            secs = (secs + _TIME_T // 2) % _TIME_T - _TIME_T // 2
            text = _clock_text(_TIME_OF_DAY, time.gmtime, secs)
            if text is None:
                return f"{sign}{_ERROR} "
            return f"{sign}{text}.{part & U32_MAX:0{self._digits}d} "
        hours, rest = divmod(secs % _DAY, 3600)
        return f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{part & U32_MAX:0{self._digits}d} "


def second_prefix_function(formatter: TimestampFormatter) -> Callable[[int], str | None] | None:
    """For a wall-clock formatter with microseconds, a function ``sec -> "HH:MM:SS."`` (None where the
    formatter prints an error); the caller appends ``frac & U32_MAX`` in six digits and a space.
    Else None."""
    if isinstance(formatter, _ClockFormatter) and formatter._digits == 6:
        return formatter.second_prefix
    return None


__all__ = ["TimestampFormatter", "second_prefix_function", "time_formatter"]
