"""tcpdump's timestamp styles (default, -t ... -ttttt), against fixed values and real tcpdump output."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import CORPUS
from pycapture import open_offline
from pycapture.output.timestamps import time_formatter

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
