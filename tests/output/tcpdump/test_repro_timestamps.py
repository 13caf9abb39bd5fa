"""The timestamp reproducers of issue 13 (../shared/repro/), each held to what tcpdump 4.99.3 does.

Timestamps past 2038 or outside 32 bits print as tcpdump prints them, in every -t style, in micro- and
nanoseconds, whichever way pycapture prints the line (the compiled shortcut, its Python twin, the file
backend); pcapng resolutions libpcap refuses are refused by every backend with libpcap's message; the
pcap 2.0 file whose lengths libpcap swaps is refused as libpcap refuses it; and ``-v`` shows the same
"Captured at" through every backend, never a traceback.
"""

from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner

from pycapture.cli.main import command
from pycapture.output.tcpdump import fastsummary
from support.commands import tool
from support.env import REPRO

TIMESTAMP_FILES = [
    "ts2038.pcap",
    "usec_overflow.pcap",
    "nsec_overflow.pcap",
    "ng_ts_2039_us.pcapng",
    "ng_ts_big_s.pcapng",
    "ng_ts_max_ns.pcapng",
    "ng_ts_max_us.pcapng",
    "ng_tsresol_2_63.pcapng",
    "ng_tsresol_pow2.pcapng",
]
# ts2038.pcap's frames have a UDP length field of 1: tcpdump prints "truncated-udplength 1" and pycapture
# "UDP, length 5 [malformed udp: bad-len 1]", a difference of the UDP printer, not of timestamps; there
# only the timestamps are compared
PREFIX_ONLY = {"ts2038.pcap"}
WAYS = ["compiled", "python", "file"]

pytestmark = pytest.mark.skipif(not REPRO.is_dir(), reason="../shared/repro is not present")


def _tcpdump(name: str, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [tool("tcpdump"), "-n", *flags, "-r", str(REPRO / name)],
        capture_output=True,
        env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )


def _pycapture(name: str, *flags: str, way: str = "compiled") -> tuple[int, str, str]:
    """pycapture in this process: by the compiled shortcut, by its Python twin, or by the file backend."""
    backend = "file" if way == "file" else "pcapy"
    with pytest.MonkeyPatch.context() as patch:
        if way == "python":
            patch.setattr(fastsummary, "_fastline", None)
        res = CliRunner().invoke(command, ["--backend", backend, "-n", *flags, "-r", str(REPRO / name)])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(f"{way}: {res.exception!r}") from res.exception
    assert "Traceback" not in res.stderr
    return res.exit_code, res.stdout, res.stderr


def _prefixes(stamped: str, plain: str) -> list[str]:
    """Each line's timestamp text: the line with it less the same line printed with -t."""
    pairs = list(zip(stamped.splitlines(), plain.splitlines(), strict=True))
    assert all(s.endswith(p) for s, p in pairs), pairs
    return [s[: len(s) - len(p)] for s, p in pairs]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("precision", ["micro", "nano"])
@pytest.mark.parametrize("name", TIMESTAMP_FILES)
def test_timestamps_print_as_tcpdump_prints_them(name: str, precision: str, way: str, utc: None) -> None:
    # asked or not, micro is the default of both
    theirs_flags = ["--nano"] if precision == "nano" else []
    ours_flags = ["--time-stamp-precision", precision] if precision == "nano" else []
    plain_theirs = _tcpdump(name, "-t", *theirs_flags)
    plain_ours = _pycapture(name, "-t", *ours_flags, way=way)
    assert plain_theirs.returncode == plain_ours[0] == 0
    for style in (0, 2, 3, 4, 5):
        flags = ["-" + "t" * style] if style else []
        theirs = _tcpdump(name, *flags, *theirs_flags)
        status, out, _err = _pycapture(name, *flags, *ours_flags, way=way)
        assert status == theirs.returncode == 0
        expected = theirs.stdout.decode()
        if name in PREFIX_ONLY:
            expected_prefixes = _prefixes(expected, plain_theirs.stdout.decode())
            assert _prefixes(out, plain_ours[1]) == expected_prefixes, style
        else:
            assert out == expected, style


def test_a_fraction_of_a_second_or_more_is_not_carried_by_the_delta(utc: None) -> None:
    """The example of the issue: tcpdump subtracts seconds and fractions apart, so -ttt shows
    .133615982 (134615982 - 1000000) rather than 2 minutes 13 seconds."""
    for way in WAYS:
        lines = _pycapture("usec_overflow.pcap", "-ttt", way=way)[1].splitlines()
        assert [line[:20] for line in lines] == [
            " 00:00:00.000000 IP ",
            " 00:00:00.000001 IP ",
            " 00:00:00.133615982 ",
            "-00:00:00.134615983 ",
        ]
        assert lines == _tcpdump("usec_overflow.pcap", "-ttt").stdout.decode().splitlines()


def test_a_fraction_field_of_all_ones_prints_as_tcpdump_prints_it(utc: None) -> None:
    for way in WAYS:
        out = _pycapture("usec_overflow.pcap", way=way)[1]
        assert out.splitlines()[3].startswith("00:16:40.4294967295 ")


@pytest.mark.parametrize(
    ("name", "message", "where"),
    [
        (
            "ng_tsresol_huge.pcapng",
            "Interface Description Block if_tsresol option resolution 10^-127 is too high",
            "byte offset 28, before the first packet: ",
        ),
        (
            "file_backend_caplen.pcap",  # version 2.0: libpcap swaps the lengths, and 9175162 is too long
            "invalid packet capture length 9175162, bigger than snaplen of 65536",
            "packet 1 at byte offset 24: ",
        ),
    ],
)
@pytest.mark.parametrize("backend", ["pcapy", "file", "scapy"])
def test_files_libpcap_refuses_are_refused_by_every_backend(
    name: str, message: str, where: str, backend: str
) -> None:
    theirs = _tcpdump(name)
    assert theirs.returncode == 1 and theirs.stdout == b""
    assert theirs.stderr.decode().rstrip("\n").endswith(message)
    res = CliRunner().invoke(command, ["--backend", backend, "-n", "-r", str(REPRO / name)])
    assert (res.exit_code, res.stdout) == (1, "")
    errors = [line for line in res.stderr.splitlines() if not line.startswith("pycapture: reading from")]
    errors = [line for line in errors if "captured" not in line]
    assert len(errors) == 1 and "Traceback" not in res.stderr
    assert f"{where}" in errors[0] and f"({message})" in errors[0], errors[0]


@pytest.mark.parametrize("name", TIMESTAMP_FILES)
def test_the_pcap4j_dump_agrees_across_backends(name: str, utc: None) -> None:
    outputs = set()
    for backend in ("pcapy", "file", "scapy"):
        res = CliRunner().invoke(command, ["--backend", backend, "-v", "-r", str(REPRO / name)])
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
        assert res.exit_code == 0 and "Traceback" not in res.stderr
        outputs.add(res.stdout)
    assert len(outputs) == 1
    if name == "ng_tsresol_pow2.pcapng":  # 2^63 seconds: a time_t of -2^63, which no Java date holds
        first = next(iter(outputs)).splitlines()[0]
        assert first == "Captured at: -9223372036854775808.000000 (seconds since 1970-01-01T00:00Z)"
