"""tcpdump's timestamp styles (default, -t ... -ttttt) against fixed values and real tcpdump output, and the
Pcap4J dump's "Captured at" against Java's text."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess

import pytest

from pycapture import open_offline
from pycapture.decode.lean import decode
from pycapture.output.pcap4j import captured_at_text
from pycapture.output.tcpdump.fastsummary import SummaryCache, summary_batch, summary_records
from pycapture.output.tcpdump.text import summary_line
from pycapture.output.tcpdump.timestamps import second_prefix_function, time_formatter
from pycapture.packet import PcapPacket
from support import hostile
from support.env import CORPUS

TS = 1767323045  # 2026-01-02 03:04:05 UTC


def test_default_and_date_styles_in_utc() -> None:
    assert time_formatter(0, utc=True)(TS, 123) == "03:04:05.000123 "
    assert time_formatter(4, utc=True)(TS, 123) == "2026-01-02 03:04:05.000123 "


def test_no_timestamp_and_epoch() -> None:
    assert time_formatter(1)(TS, 123) == ""
    assert time_formatter(2)(TS, 123) == "1767323045.000123 "


def test_delta_since_previous_packet() -> None:
    fmt = time_formatter(3)
    assert [fmt(TS, 100), fmt(TS, 223), fmt(TS + 2, 0), fmt(TS + 1, 999_999)] == [
        " 00:00:00.000000 ",
        " 00:00:00.000123 ",
        " 00:00:01.999777 ",
        "-00:00:00.000001 ",
    ]


def test_delta_since_first_packet() -> None:
    fmt = time_formatter(5)
    assert [fmt(TS, 100), fmt(TS, 223), fmt(TS + 3661, 100), fmt(TS - 1, 100)] == [
        " 00:00:00.000000 ",
        " 00:00:00.000123 ",
        " 01:01:01.000000 ",
        "-00:00:01.000000 ",
    ]


def test_delta_hours_wrap_after_a_day_as_in_tcpdump() -> None:
    fmt = time_formatter(3)
    fmt(TS, 0)
    assert fmt(TS + 86_400 + 60, 0) == " 00:01:00.000000 "


def test_a_zero_timestamp_is_no_reference() -> None:
    fmt = time_formatter(5)
    assert fmt(0, 0) == " 00:00:00.000000 "
    assert fmt(TS, 5) == " 00:00:00.000000 "  # tcpdump takes 0.000000 for "no reference yet"
    assert fmt(TS + 1, 5) == " 00:00:01.000000 "


def test_times_before_the_epoch_cannot_be_converted() -> None:
    for style in (0, 2, 4):
        assert time_formatter(style, utc=True)(-2117514496, 0) == "[Error converting time] "


# tcpdump 4.99.3's util-print.c rules; test_repro_timestamps.py (here) and
# tests/capture/backends/test_dpkt_file.py hold the whole output to the real tcpdump on files with
# these values


def test_the_fraction_prints_as_an_unsigned_32_bit_number() -> None:
    """ts_frac_print: printf("%06u", (unsigned)usec), so -1 is 4294967295 and 10^6 is 1000000."""
    for style, head in ((0, "00:16:40."), (2, "1000."), (4, "1970-01-01 00:16:40.")):
        fmt = time_formatter(style, utc=True)
        assert fmt(1000, -1) == f"{head}4294967295 "
        assert fmt(1000, 1_000_000) == f"{head}1000000 "
        assert fmt(1000, 134615982000) == f"{head}1471995824 "  # the low 32 bits
    assert time_formatter(0, utc=True, nano=True)(1000, -1000) == "00:16:40.4294966296 "


def test_bit_31_of_the_seconds_means_an_error_whatever_the_other_bits() -> None:
    """ts_date_hmsfrac_print and ts_unix_print refuse (unsigned)sec & 0x80000000, and -tt prints
    (unsigned)sec: the low 32 bits of a 64-bit pcapng time."""
    epoch, clock, date = time_formatter(2), time_formatter(0, utc=True), time_formatter(4, utc=True)
    for sec in (-1, 1 << 31, (1 << 32) + (1 << 31), -(1 << 63) + (1 << 31)):
        assert {epoch(sec, 0), clock(sec, 0), date(sec, 0)} == {"[Error converting time] "}
    assert epoch(-(1 << 63), 0) == "0.000000 "  # (ng_tsresol_pow2.pcapng) bit 31 is clear,
    assert clock(-(1 << 63), 0) == "[Error converting time] "  # but gmtime cannot convert it
    assert epoch(1 << 32, 7) == "0.000007 "
    assert epoch(-(1 << 32) + 5, 7) == "5.000007 "
    assert clock(1 << 32, 7) == "06:28:16.000007 "
    assert date(1 << 40, 0) == "36812-02-20 00:36:16.000000 "
    assert date(-(1 << 32), 0) == "1833-11-24 17:31:44.000000 "


def test_a_year_past_a_c_int_prints_as_glibc_wraps_it() -> None:
    """gmtime still converts the last seconds of year 2147485547; glibc's strftime computes the year
    as tm_year + 1900 in an int, which wraps."""
    date = time_formatter(4, utc=True)
    assert date(67768036191676799, 0) == "-2147481749-12-31 23:59:59.000000 "
    assert time_formatter(0, utc=True)(67768036191676799, 0) == "23:59:59.000000 "
    assert date(67768036191676800, 0) == "[Error converting time] "  # gmtime fails


def test_deltas_subtract_seconds_and_fractions_apart() -> None:
    """netdissect_timevalsub: a fraction of 10^6 or more is not carried into the seconds, and one
    second is borrowed only when the fraction goes negative."""
    fmt = time_formatter(3)
    assert [fmt(1000, 999_999), fmt(1000, 1_000_000), fmt(1000, 134615982), fmt(1000, -1)] == [
        " 00:00:00.000000 ",
        " 00:00:00.000001 ",
        " 00:00:00.133615982 ",
        "-00:00:00.134615983 ",
    ]
    fmt = time_formatter(5, nano=True)
    assert [fmt(10, 500), fmt(9, 2_000_000_000), fmt(11, 400)] == [
        " 00:00:00.000000000 ",
        "-00:00:00.3294967796 ",  # 1 s and 500 - 2000000000 ns: borrow, then (unsigned)-999999500
        " 00:00:00.999999900 ",
    ]


def test_a_delta_of_2_to_the_31_seconds_or_more_cannot_be_converted() -> None:
    fmt = time_formatter(5)
    assert fmt(1, 0) == " 00:00:00.000000 "
    assert fmt((1 << 31) + 1, 0) == " [Error converting time] "
    assert fmt((1 << 32) + 1, 5) == " 06:28:16.000005 "  # gmtime of 2^32 s
    assert fmt(-(1 << 31) + 1, 0) == "-[Error converting time] "


def test_a_reference_is_set_when_either_field_is_not_zero() -> None:
    """netdissect_timevalisset looks at the two fields, not at the instant they make together."""
    fmt = time_formatter(5)
    assert fmt(-1, 1_000_000) == " 00:00:00.000000 "  # the instant 0.000000, but a reference
    assert fmt(5, 0) == " 00:00:05.000000 "


def test_the_compiled_and_python_summaries_print_the_fraction_alike() -> None:
    """The shortcut of the summary printer (C and Python) takes the seconds' text from second_prefix
    and writes the fraction itself: the same text as the formatter, error included."""
    fmt = time_formatter(0, utc=True)
    prefix = second_prefix_function(fmt)
    assert prefix is not None and prefix(1 << 31) is None and prefix(1 << 32) == "06:28:16."
    frame = hostile.FRAMES[0]
    stamps = [(1000, -1), (1000, 1_000_000), (1 << 31, 5), (1 << 32, 134615982), (-1, -1), (7, 999_999)]
    records = [(sec, frac, len(frame), frame) for sec, frac in stamps]
    line = summary_line(decode(1, frame, len(frame)), len(frame)) + "\n"
    expected = "".join(fmt(sec, frac) + line for sec, frac in stamps)
    for compiled in (True, False):
        cache = SummaryCache()
        assert summary_batch(1, records, fmt, prefix, cache, compiled) == expected, compiled
    in_file = [r for r in records if -(1 << 31) <= r[0] < 1 << 31]  # what a pcap record's fields hold
    buf = b"".join(
        struct.pack("=iiII", sec, frac, len(data), length) + data for sec, frac, length, data in in_file
    )
    for compiled in (True, False):
        text, used, count = summary_records(1, buf, 262144, fmt, prefix, SummaryCache(), compiled)
        assert (used, count) == (len(buf), len(in_file))
        assert text == "".join(fmt(sec, frac) + line for sec, frac, _, _ in in_file), compiled


def test_the_clock_text_is_cached_per_second_but_right() -> None:
    fmt = time_formatter(0, utc=True)
    assert fmt(TS, 1) == "03:04:05.000001 "
    assert fmt(TS, 2) == "03:04:05.000002 "
    assert fmt(TS + 1, 0) == "03:04:06.000000 "
    assert fmt(TS, 3) == "03:04:05.000003 "


def test_styles_are_zero_to_five() -> None:
    with pytest.raises(ValueError, match="0 to 5"):
        time_formatter(6)


@pytest.fixture
def new_york() -> None:
    import time

    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_local_time_follows_tz(new_york: None) -> None:
    assert time_formatter(0)(TS, 7) == "22:04:05.000007 "
    assert time_formatter(4)(TS, 7) == "2026-01-01 22:04:05.000007 "


# --- against tcpdump ------------------------------------------------------------------------------

TCPDUMP = shutil.which("tcpdump")
FILES = [
    "whois.pcap",  # ordinary: sub-second deltas
    "babel_update_oobr.pcap",  # deltas over a day, negative deltas, 0.000000 stamps
    "gopacket-le-test016.pcapng",  # 0.000000 stamps between ordinary ones
    "time_2038_max.pcap",
    "time_2039.pcap",  # after 2038 in a 32-bit file: libpcap hands on negative seconds
    "dpkt-nb6-http.pcap",
]


def _tcpdump_lines(path: str, flags: list[str], tz: str) -> list[str]:
    out = subprocess.run(
        [TCPDUMP, *flags, "-nn", "-r", path],
        capture_output=True,
        env={**os.environ, "TZ": tz},
        timeout=60,
        check=False,
    ).stdout
    return out.decode("latin-1").split("\n")


@pytest.mark.skipif(TCPDUMP is None, reason="tcpdump is not installed")
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize("style", [0, 2, 3, 4, 5])
@pytest.mark.parametrize("name", FILES)
def test_same_as_tcpdump(name: str, style: int) -> None:
    path = str(CORPUS / name)
    # Lines with a timestamp differ from the -t output by exactly that prefix; the others (a
    # protocol's second line, "[Invalid header...]") are the same in both.
    plain = _tcpdump_lines(path, ["-t"], "UTC")
    stamped = _tcpdump_lines(path, ["-" + "t" * style] if style else [], "UTC")
    assert len(plain) == len(stamped)
    pairs = iter([(s, p) for s, p in zip(stamped, plain) if s != p])
    fmt = time_formatter(style, utc=True)
    checked = 0
    for sec, usec, length, data in open_offline(path).records():
        if not data or length == 0 or length < len(data):
            continue  # tcpdump prints "[Invalid header: ...]" with no timestamp
        s, p = next(pairs)
        assert s == fmt(sec, usec) + p
        checked += 1
    assert checked and next(pairs, None) is None


@pytest.mark.skipif(TCPDUMP is None, reason="tcpdump is not installed")
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize("style", [0, 4])
def test_local_time_same_as_tcpdump(new_york: None, style: int) -> None:
    path = str(CORPUS / "whois.pcap")
    flags = ["-" + "t" * style] if style else []
    lines = _tcpdump_lines(path, flags, "America/New_York")
    fmt = time_formatter(style)
    for (sec, usec, _length, _data), line in zip(open_offline(path).records(), lines):
        assert line.startswith(fmt(sec, usec))
        assert line[len(fmt(sec, usec)) :].startswith("IP ")


# --- the Pcap4J dump's "Captured at" ---------------------------------------------------------------------

# Java's text for each time, from OpenJDK 17: ZonedDateTime.ofInstant(Instant.ofEpochSecond(sec, 5000),
# ZoneOffset.UTC).toString(); None where Java throws DateTimeException (a year past +-999999999)
JAVA_TEXTS = [
    (1099511627776, "+36812-02-20T00:36:16.000005Z"),
    (-1099511627776, "-32873-11-12T23:23:44.000005Z"),
    (-62167132800, "0000-01-02T00:00:00.000005Z"),
    (-62101036800, "0002-02-05T00:00:00.000005Z"),
    (253402300800, "+10000-01-01T00:00:00.000005Z"),
    (31556889830000000, "+999999999-11-29T19:33:20.000005Z"),
    (-31557014135000000, "-999999999-01-07T21:46:40.000005Z"),
    (31556889864403199, None),
    (-31557014167219200, None),
    (-(1 << 63), None),
]


@pytest.mark.parametrize(("sec", "java"), JAVA_TEXTS)
def test_captured_at_writes_years_as_java_does(sec: int, java: str | None) -> None:
    text = captured_at_text(sec, 5, utc=True)
    assert text == (java or f"{sec}.000005 (seconds since 1970-01-01T00:00Z)")


# --- a packet's own time properties ----------------------------------------------------------------------


def test_a_packets_datetime_is_a_value_error_outside_years_1_to_9999() -> None:
    assert PcapPacket(b"", 253402300799, 5, 0, 1).datetime.isoformat() == "9999-12-31T23:59:59.000005+00:00"
    for sec in (253402300800, 1 << 62, -(1 << 63)):
        packet = PcapPacket(b"", sec, 5, 0, 1)
        with pytest.raises(ValueError, match="outside the years 1 to 9999"):
            packet.datetime  # noqa: B018 - the property is what is tested
        assert packet.timestamp == sec * 10**9 + 5000


def test_microseconds_of_a_nanosecond_packet_are_cut_toward_zero_as_libpcap_cuts_them() -> None:
    assert [PcapPacket(b"", 0, ns, 0, 1, nanosecond=True).ts_usec for ns in (1999, -1, -1999)] == [1, 0, -1]
