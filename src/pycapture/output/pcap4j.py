"""The layered text dump Pcap4J prints for a captured packet (``System.out.println(packet)``).

Pcap4J 2's ``PcapPacket.toString()`` (what its GetNextPacketEx sample prints) is::

    Captured at: 2017-10-07T17:25:19.066204Z[Etc/UTC]
    Original length: 74 bytes
    [Ethernet Header (14 bytes)]
      Destination address: 52:54:00:12:35:02
      Source address: 08:00:27:3e:ac:31
      Type: 0x0800 (IPv4)
    [IPv4 Header (20 bytes)]
      Version: 4 (IPv4)
      ...
    [data (13 bytes)]
      Hex stream: 65 78 61 6d 70 6c 65 2e 63 6f 6d 0d 0a

one block per header (``[Title (N bytes)]``, then ``  Label: text`` per field), the bytes no header
claimed as ``[data (N bytes)]`` with a ``Hex stream``, and bytes that could not be decoded as
``[Illegal Packet (N bytes)]`` with a ``Hex stream`` and a ``Cause``. The titles, labels and texts
come from the decoder (:mod:`pycapture.decode.model`); this module only lays them out.

"Captured at" is Java's ``ZonedDateTime.toString()`` in the system time zone: ISO-8601 with the
fraction cut to 3, 6 or 9 digits (or left out when zero, the seconds too when both are zero), the
offset (``Z`` for UTC) and the zone's name in brackets. A time outside the range of Java's dates (a
pcapng file's 64-bit seconds reach far beyond it) is shown as its number of seconds instead.
"""

from __future__ import annotations

import functools
import os
import time

from ..decode.model import DecodedPacket, escaped

_USEC = 1_000_000
_JAVA_MAX_YEAR = 999_999_999  # java.time.LocalDateTime's range, and so ZonedDateTime's: +-999999999


def format_packet(
    decoded: DecodedPacket,
    ts_sec: int,
    ts_usec: int,
    original_length: int,
    captured_length: int,
    *,
    utc: bool = False,
    nano: bool = False,
) -> str:
    """Pcap4J's dump of one packet; every line ends with ``\\n``.

    Pcap4J's sample prints this with ``println``, so a blank line separates packets; print it with
    ``print()`` to get the same. ``captured_length`` is not shown (Pcap4J's dump has no line for
    it) but is taken so that every rich formatter reads the same frame facts. ``utc`` shows the
    time in UTC (``...Z``) instead of the system time zone.
    """
    # Every "[" below is closed on the same line, whatever the decoder's texts: some Pcap4J
    # versions' toString() leave brackets unbalanced, which trips up anyone parsing the dump.
    lines = [packet_head(ts_sec, ts_usec, original_length, utc=utc, nano=nano)]
    pads: list[str] = []
    for layer in decoded.layers:
        pad = layer.dump_lines(lines)
        if pad is not None:
            pads.append(pad)
    if decoded.payload:
        kind = "Fragmented data" if _fragment_payload(decoded) else "data"
        lines.append(f"[{kind} ({len(decoded.payload)} bytes)]")
        lines.append(f"  Hex stream: {hex_stream(decoded.payload)}")
    bad = decoded.malformed
    if bad is not None:
        lines.append(f"[Illegal Packet ({len(bad.data)} bytes)]")
        lines.append(f"  Hex stream: {hex_stream(bad.data)}")
        lines.append(f"  Cause: {escaped(bad.cause)}")
    for pad in reversed(pads):  # each Ethernet frame's after its payload: the innermost first
        lines.append(f"[Ethernet Pad ({(len(pad) + 1) // 3} bytes)]")
        lines.append(f"  Hex stream: {pad}")
    lines.append("")
    return "\n".join(lines)


def packet_head(
    ts_sec: int, ts_usec: int, original_length: int, *, utc: bool = False, nano: bool = False
) -> str:
    """The dump's first two lines, ``Captured at:`` and ``Original length:``, joined by a newline."""
    at = captured_at_text(ts_sec, ts_usec, utc=utc, nano=nano)
    return f"Captured at: {at}\nOriginal length: {original_length} bytes"


def with_comments(text: str, comments: tuple[str, ...]) -> str:
    """A packet's dump with a ``Comment:`` line for each of its pcapng comments (opt_comment, tshark's
    frame.comment), after the ``Original length:`` line: pycapture's own line, Pcap4J reads no pcapng."""
    if not comments:
        return text
    head, sep, rest = text.partition("\n")
    second, sep2, rest = rest.partition("\n")
    lines = "".join(f"Comment: {escaped(comment)}\n" for comment in comments)
    return f"{head}{sep}{second}{sep2}{lines}{rest}"


def _fragment_payload(decoded: DecodedPacket) -> bool:
    """Whether the payload is what Pcap4J shows as a ``FragmentedPacket``: the payload of an IPv4
    fragment (More Fragments set or a nonzero offset) or of an IPv6 fragment header, straight after it."""
    if not decoded.layers:
        return False
    last = decoded.layers[-1]
    if last.name == "ip":
        flags, offset = last.get("flags"), last.get("frag_offset")
        return (isinstance(flags, int) and flags & 1 == 1) or (isinstance(offset, int) and offset != 0)
    return last.name == "ipv6.fraghdr"


def hex_stream(data: bytes) -> str:
    """``48 65 6c``: lowercase hex pairs separated by spaces, Pcap4J's ``toHexString(data, " ")``."""
    return bytes(data).hex(" ")


def captured_at_text(ts_sec: int, ts_usec: int, *, utc: bool = False, nano: bool = False) -> str:
    """The time as Java's ``ZonedDateTime.toString()``: ``2026-01-02T03:04:05.000123+09:00[Asia/Tokyo]``.

    With ``utc`` (or when the system zone has no name) the bracketed zone is left out, as for a
    ``ZonedDateTime`` in ``ZoneOffset.UTC``: ``2026-01-02T03:04:05.000123Z``.
    """
    if not nano and not 0 <= ts_usec < _USEC:
        # Pcap4J's Instant.ofEpochSecond(tv_sec, tv_usec.intValue() * 1000): a 32-bit int product,
        # so a damaged record's microseconds of a million and more wrap around 2^32 nanoseconds.
        ts_usec = ((ts_usec & 0xFFFFFFFF) * 1000) & 0xFFFFFFFF
        ts_usec -= (ts_usec & 0x80000000) << 1
        nano = True
    if nano:  # Java's Instant prints 3, 6 or 9 digits: as few as the value needs
        sec, nsec = divmod(ts_sec * 1_000_000_000 + ts_usec, 1_000_000_000)
        if nsec % 1000:
            return _captured_at(sec, 0, utc, f".{nsec:09d}")
        ts_sec, ts_usec = sec, nsec // 1000
    sec, usec = divmod(ts_sec * _USEC + ts_usec, _USEC)
    return _captured_at(sec, usec, utc)


def _captured_at(sec: int, usec: int, utc: bool, fraction: str = "") -> str:
    parts = _second(sec, utc, None if utc else os.environ.get("TZ"))
    if parts is None:  # no ZonedDateTime in Java: say the number
        return f"{sec}{fraction or f'.{usec:06d}'} (seconds since 1970-01-01T00:00Z)"
    minute, second, zone = parts
    text = minute
    if second or usec or fraction:
        text += f":{second:02d}"
    text += fraction
    if usec:
        text += f".{usec // 1000:03d}" if usec % 1000 == 0 else f".{usec:06d}"
    return text + zone


@functools.lru_cache(maxsize=1024)
def _second(sec: int, utc: bool, tz_env: str | None) -> tuple[str, int, str] | None:
    """The parts of the time ``sec`` that do not depend on the fraction: the text up to the minute, the
    seconds, and the zone (``Z``, or the offset and the bracketed name); None outside Java's years.

    Packets come many to a second, so one call serves many; ``tz_env`` ($TZ, for local time) is part of
    the key because ``time.localtime`` follows it.
    """
    try:
        tm = time.gmtime(sec) if utc else time.localtime(sec)
    except (OverflowError, OSError, ValueError):
        return None
    if abs(tm.tm_year) > _JAVA_MAX_YEAR:
        return None
    minute = f"{_java_year(tm.tm_year)}-{tm.tm_mon:02d}-{tm.tm_mday:02d}T{tm.tm_hour:02d}:{tm.tm_min:02d}"
    if utc:
        return minute, tm.tm_sec, "Z"
    zone = _zone_id_for(tz_env)
    return minute, tm.tm_sec, _offset_text(tm.tm_gmtoff or 0) + (f"[{zone}]" if zone else "")


def _java_year(year: int) -> str:
    """The year as Java's ``LocalDate.toString()`` writes it: four digits at least, ``+`` past 9999."""
    if abs(year) < 1000:
        return f"{year:05d}" if year < 0 else f"{year:04d}"
    return f"+{year}" if year > 9999 else str(year)


def _offset_text(seconds: int) -> str:
    """Java's ``ZoneOffset.toString()``: ``Z``, ``+09:00``, ``-03:30``, ``+05:53:28``."""
    if seconds == 0:
        return "Z"
    sign = "+" if seconds > 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


@functools.lru_cache(maxsize=4)
def _zone_id_for(tz_env: str | None) -> str:
    """The zone name Java's ``ZoneId.systemDefault()`` finds on Linux, or ``""``."""
    if tz_env:
        return tz_env.lstrip(":")
    try:
        with open("/etc/timezone", encoding="utf-8") as f:
            name = f.read().strip()
        if name:
            return name
    except OSError:
        pass
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return ""
    marker = "zoneinfo/"
    return target[target.index(marker) + len(marker) :] if marker in target else ""


__all__ = ["captured_at_text", "format_packet", "hex_stream"]
