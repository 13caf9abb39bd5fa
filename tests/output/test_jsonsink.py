"""The compiled JSON sink (``_jsonsink.h``) writes exactly the lines the Python writes.

``pycapture -r F --json`` is run in-process (the printer, fed by :func:`pycapture.flow.pump.pump`) with the
compiled sink and without it (``compiled=False``: what ``PYCAPTURE_PURE_PYTHON=1`` gives) over every file
of captures/ and of the shared corpus: a classic pcap file goes through the in-place path, any other
through batches of records. Damaged files give the same lines and the same error either way, in-process
and through the command line.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pycapture import PcapError, open_offline
from pycapture.flow.pump import in_place_printer, pump
from pycapture.output.jsonfast import batch_text, records_text
from pycapture.output.layered import JsonLinesPrinter
from support.corpus import corpus_rows
from support.env import CAPTURES, CORPUS, ROOT
from support.frames import (
    SAMPLES,
    SSH_PAYLOADS,
    SSH_PORT_PAIRS,
    TLS_RECORD_RUNS,
    ether,
    icmp_echo,
    ipv4,
    ipv6,
    tcp,
    udp,
    vlan_tag,
)

pytestmark = pytest.mark.skipif(
    records_text is None, reason="the compiled extension is not built, or PYCAPTURE_PURE_PYTHON is set"
)

ETHERNET = 1


def _json_lines(path: str, compiled: bool) -> tuple[str, str | None]:
    """What ``--json`` writes of ``path`` (the lines, and the error that ended them, if any)."""
    out = io.StringIO()
    try:
        with open_offline(path) as handle:
            printer = JsonLinesPrinter(handle.datalink, out, nano=handle.nanosecond, compiled=compiled)
            assert (in_place_printer([printer], -1) is printer) == (compiled and handle.datalink == ETHERNET)
            pump(handle, [printer])
    except PcapError as exc:
        return out.getvalue(), f"{type(exc).__name__}: {exc}"
    return out.getvalue(), None


def _first_difference(one: str, other: str) -> str | None:
    """None if equal, else the first line that differs (pytest's own diff of megabytes takes minutes)."""
    if one == other:
        return None
    lines, other_lines = one.splitlines(), other.splitlines()
    for number, (line, other_line) in enumerate(zip(lines, other_lines), 1):
        if line != other_line:
            return f"line {number}:\n{line}\n!=\n{other_line}"
    return f"{len(lines)} lines != {len(other_lines)} lines"


def _files() -> list[Path]:
    files = sorted(p for p in CAPTURES.iterdir() if p.suffix in (".pcap", ".pcapng"))
    return files + [CORPUS / row["file"] for row in corpus_rows()]


def test_every_capture_and_corpus_file_gives_the_python_lines() -> None:
    ethernet_lines = 0
    for path in _files():
        compiled, compiled_error = _json_lines(str(path), True)
        python, python_error = _json_lines(str(path), False)
        assert _first_difference(compiled, python) is None, (path.name, _first_difference(compiled, python))
        assert compiled_error == python_error, path.name
        ethernet_lines += compiled.count('"linktype":"EN10MB"')
    assert ethernet_lines > 1000


def _record_starts(raw: bytes) -> list[int]:
    starts, pos = [], 24
    while pos + 16 <= len(raw):
        starts.append(pos)
        pos += 16 + int.from_bytes(raw[pos + 8 : pos + 12], sys.byteorder)
    return starts


def _damaged_files(tmp_path: Path) -> list[Path]:
    raw = (CAPTURES / "mixed.pcap").read_bytes()
    starts = _record_starts(raw)
    middle = starts[len(starts) // 2]
    over = bytearray(raw)
    over[middle + 8 : middle + 12] = (300000).to_bytes(4, sys.byteorder)  # past libpcap's maximum caplen
    signs = bytearray(raw)
    signs[starts[5] : starts[5] + 8] = b"\xff\xff\xff\xff\x40\x42\x0f\x80"  # times libpcap reads as signed
    edits = {
        "cut-in-header.pcap": raw[: middle + 7],
        "cut-in-frame.pcap": raw[: middle + 40],
        "caplen-too-big.pcap": bytes(over),
        "signed-times.pcap": bytes(signs),
    }
    paths = []
    for name, data in edits.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    return paths


@pytest.mark.skipif(sys.byteorder != "little", reason="captures/mixed.pcap is little-endian")
def test_a_damaged_file_gives_the_same_lines_and_error(tmp_path: Path) -> None:
    for path in _damaged_files(tmp_path):
        compiled, compiled_error = _json_lines(str(path), True)
        python, python_error = _json_lines(str(path), False)
        assert _first_difference(compiled, python) is None, path.name
        assert compiled_error == python_error, path.name
        assert compiled.count("\n") > 10


@pytest.mark.skipif(sys.byteorder != "little", reason="captures/mixed.pcap is little-endian")
def test_the_command_gives_the_same_output_as_with_pure_python(tmp_path: Path) -> None:
    for path in [CAPTURES / "mixed.pcap", *_damaged_files(tmp_path)[:2]]:
        runs = []
        for pure in ("", "1"):
            env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYCAPTURE_PURE_PYTHON": pure}
            runs.append(
                subprocess.run(
                    [sys.executable, "-m", "pycapture", "-r", str(path), "--json"],
                    capture_output=True,
                    env=env,
                    timeout=120,
                )
            )
        compiled, python = runs
        assert compiled.returncode == python.returncode, path.name
        assert compiled.stdout == python.stdout, path.name
        assert compiled.stderr == python.stderr, path.name
        assert b"Traceback" not in compiled.stderr


def _name(text: bytes) -> bytes:
    return b"".join(bytes([len(label)]) + label for label in text.split(b".") if label) + b"\x00"


def _dns(flags: int, questions: list[bytes], *sections: list[bytes]) -> bytes:
    counts = [len(questions), *(len(s) for s in sections), 0, 0, 0][:4]
    return (
        struct.pack("!6H", 0x1234, flags, *counts)
        + b"".join(questions)
        + b"".join(b"".join(s) for s in sections)
    )


def _rr(name: bytes, rtype: int, rdata: bytes, rdlen: int | None = None) -> bytes:
    return name + struct.pack("!HHIH", rtype, 1, 3600, len(rdata) if rdlen is None else rdlen) + rdata


_QUESTION = _name(b"www.example.com") + b"\x00\x01\x00\x01"
_AT_QUESTION = b"\xc0\x0c"  # a pointer to the question's name
DNS_MESSAGES = [
    _dns(0x0100, [_QUESTION]),
    _dns(
        0x8180,
        [_QUESTION],
        [_rr(_AT_QUESTION, 1, bytes([192, 0, 2, 1])), _rr(_AT_QUESTION, 28, bytes(15) + b"\x01")],
    ),
    _dns(
        0x8580,
        [_QUESTION],
        [_rr(_AT_QUESTION, 5, b"\x03cdn" + _AT_QUESTION), _rr(b"\x00", 12, _name(b"host.example"))],
        [_rr(_AT_QUESTION, 2, _name(b"ns1.example"))],
        [_rr(_AT_QUESTION, 1, b"\x01\x02\x03\x04\x05")],  # an A record of 5 bytes: hex
    ),
    _dns(0x8180, [_QUESTION], [_rr(_AT_QUESTION, 15, b"\x00\x0a" + _AT_QUESTION)]),  # MX: the Python's
    _dns(0x8180, [_QUESTION], [_rr(_AT_QUESTION, 15, b"\x00")]),  # MX without its preference
    _dns(
        0x8180, [_QUESTION], [_rr(_AT_QUESTION, 6, _AT_QUESTION + _name(b"admin.example") + bytes(range(20)))]
    ),
    _dns(0x8180, [_QUESTION], [_rr(_AT_QUESTION, 6, _AT_QUESTION + _AT_QUESTION + bytes(19))]),  # numbers cut
    _dns(0x8180, [_QUESTION], [_rr(_AT_QUESTION, 16, b"\x05hello\x00\x09v=spf1 -all")]),
    _dns(0x8180, [_QUESTION], [_rr(_AT_QUESTION, 16, b"\x03a\\b")]),  # a backslash: escaped
    _dns(0x8180, [_QUESTION], [_rr(_AT_QUESTION, 13, b"\x03CPU\x02OS"), _rr(_AT_QUESTION, 16, b"\x09cut")]),
    _dns(0x8180, [_QUESTION], [_rr(_AT_QUESTION, 65, b"\x00\x01\x00")]),  # HTTPS: kept raw
    _dns(0x0100, [_name(b'a"b.example') + b"\x00\x01\x00\x01"]),
    _dns(0x0100, [_name(b"caf\xc3\xa9.example") + b"\x00\x01\x00\x01"]),
    _dns(0x0100, [_name(b"del\x7f.example") + b"\x00\x01\x00\x01"]),
    _dns(0x0100, [b"\xc0\x0c\x00\x01\x00\x01"]),  # a pointer to itself
    _dns(0x8180, [_QUESTION], [_rr(_AT_QUESTION, 1, bytes([192, 0, 2, 1]), rdlen=9)]),  # the last data cut
    _dns(
        0x8180,
        [_QUESTION],
        [_rr(_AT_QUESTION, 1, bytes(4)), _rr(_AT_QUESTION, 1, bytes(4), rdlen=40)],
        [b"\x00"],
    ),
]

SSH_FRAMES = [
    ether(0x0800, ipv4(6, tcp(sport, dport, payload=payload)))
    for payload in SSH_PAYLOADS
    for sport, dport in SSH_PORT_PAIRS
] + [ether(0x86DD, ipv6(6, tcp(22, 40000, payload=SSH_PAYLOADS[2])))]


def _arp(op: int, hrd: int = 1, pro: int = 0x0800, hln: int = 6, pln: int = 4) -> bytes:
    return (
        struct.pack("!HHBBH", hrd, pro, hln, pln, op)
        + bytes(range(1, 1 + hln)) + bytes([192, 0, 2, 1] if pln == 4 else range(pln))
        + bytes(range(9, 9 + hln)) + bytes([198, 51, 100, 7] if pln == 4 else range(50, 50 + pln))
    )  # fmt: skip


ARP_FRAMES = [
    ether(0x0806, _arp(1)) + bytes(18),  # padded to 60 bytes
    ether(0x0806, _arp(2)) + b"trailer!",
    ether(0x0806, _arp(1)),
    ether(0x8100, vlan_tag(5, 0x0806, pri=3) + _arp(2)) + bytes(14),
    ether(0x0806, _arp(3, hrd=6)),  # RARP's opcode, on an IEEE 802 hardware type
    ether(0x0806, _arp(1, hln=8)),  # other address sizes: the rich decoder's
    ether(0x0806, _arp(1, pro=0x86DD, pln=16)),
    ether(0x8035, _arp(3)),  # Reverse ARP's own ethertype
]


def _nd(kind: int, flags: int, options: bytes, target: bytes = bytes(15) + b"\x01") -> bytes:
    return bytes([kind, 0, 0x12, 0x34, flags, 0, 0, 0]) + target + options


_LLA_SRC = b"\x01\x01" + bytes.fromhex("020000000042")
_LLA_TARGET = b"\x02\x01" + bytes.fromhex("0200000000aa")
ND_FRAMES = [
    ether(0x86DD, ipv6(58, _nd(135, 0, _LLA_SRC))),
    ether(0x86DD, ipv6(58, _nd(135, 0, b""))),
    ether(0x86DD, ipv6(58, _nd(136, 0xE0, _LLA_TARGET))),
    ether(0x86DD, ipv6(58, _nd(136, 0x40, _LLA_TARGET + _LLA_SRC))) + bytes(6),
    ether(0x86DD, ipv6(58, _nd(136, 0xA0, _LLA_TARGET + _LLA_TARGET))),  # one key twice: the rich path's
    ether(0x86DD, ipv6(58, _nd(135, 0, b"\x01\x02" + bytes(14)))),  # a 16-byte address option
    ether(0x86DD, ipv6(58, _nd(135, 0, b"\x05\x01" + bytes(6)))),  # MTU
    ether(0x86DD, ipv6(58, _nd(135, 0, b"\x01\x00" + bytes(6)))),  # length 0
    ether(0x86DD, ipv6(58, _nd(135, 0, _LLA_SRC + b"\x01"))),  # a byte after the options
    ether(0x86DD, ipv6(58, _nd(136, 0x20, _LLA_TARGET, target=bytes.fromhex("fe80" + "00" * 12 + "0001")))),
    ether(0x86DD, ipv6(58, _nd(133, 0, _LLA_SRC))),  # Router Solicitation: the rich path's
]

SYSLOG_MESSAGES = [
    b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed",
    b"no priority at all",
    b"<1234>four digits",
    b"<>empty",
    b"<12",
    b"<",
    b'<7>"quoted" \\ back\tslash\r\n\x00\x1f\x7f\x08\x0c end',
    "<13>caf\u00e9 \u20ac \U0001f600 \u0800 \uffff".encode(),
    b"<13>bad \xc0\xaf \xe0\x80\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xf0\x9f\x98 \xc2 \xff\xfe \x80",
    b"<13>cut at the end \xe2\x82",
    b"<0>\xf0\x9f",
]


def _ntp(flags: int, stratum: int, refid: bytes, *times: tuple[int, int], delay: int = 0) -> bytes:
    stamps = b"".join(struct.pack("!II", sec, frac) for sec, frac in times)
    return struct.pack("!BBBBII", flags, stratum, 6, 0xEC, delay, 0x1_8000) + refid + stamps


_NTP_TIMES = ((3976398245, 0), (0, 0), (3976398245, 0x80000000), (3976398245, 0xFFFFFFFF))
NTP_MESSAGES = [
    _ntp(0x23, 0, bytes(4), (0, 0), (0, 0), (0, 0), (3976398245, 3964530000)),  # a client's request
    _ntp(0x24, 2, bytes([192, 0, 2, 1]), *_NTP_TIMES, delay=0x0000_0001),
    _ntp(0x1C, 1, b"GPS\x00", *_NTP_TIMES, delay=0x1234_5678),
    _ntp(0x1C, 1, b"\x01\x80A\x00", *reversed(_NTP_TIMES)),
    _ntp(0x1C, 0, b"A\x00B\x00", (1, 1), (2**32 - 1, 2**32 - 1), (2208988800, 2147), (2208988800, 2148)),
    # fractions of an odd multiple of 2**25 are whole microseconds and a half: 7812.5 to even, 23437.5 up
    _ntp(0x24, 2, bytes(4), (3976398245, 2**25), (3976398245, 3 * 2**25), (7, 5 * 2**25), (1, 127 * 2**25)),
    _ntp(0x23, 3, bytes(4), *_NTP_TIMES) + bytes(20),  # an authenticator after the header
    bytes([0x16]) + bytes(11),  # control: the rich path's
    _ntp(0x23, 3, bytes(4), *_NTP_TIMES)[:40],  # short: malformed
]

HTTP_PAYLOADS = [
    b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.0 404 Not  Found \r\n",  # the phrase keeps its inner spaces and loses the last
    b"HTTP/1.1 007\r\n",  # no phrase; a code written without its zeros
    b"HTTP/2 9999999999 Big\r\n",  # a code past 9 digits: the rich path's
    b"HTTP/1.1 2x0 OK\r\n",  # not a status: no layer
    b"HTTP/1.1\r\n",
    b"  GET   /a   HTTP/1.0  extra words\r\r\n",
    b"GET /0.9-style\n",
    b"PROPFIND /dav HTTPS/1.1\r\n",  # a version word starting with HTTP: version 'S/1.1'
    b"GET /x HTTP\r\n",
    b'GET /q?a="b"&c=\\d HTTP/1.1\r\n',  # JSON escapes
    b"get / HTTP/1.1\r\n",  # not one of dpkt's methods
    b"GET\t/a HTTP/1.1\r\n",  # a tab: not plain, the rich path's
    b"GET /\xc3\xa9 HTTP/1.1\r\n",  # non-ASCII: dpkt drops it, the rich path's
    b"GET /\r HTTP/1.1\r\n",
    b"HTTP/1.1 200 \x7f\r\n",
    b"GET /a\tb HTTP/1.1\r\n",  # dpkt splits at the tab: 'b' is no version, so no layer
]
HTTP_FRAMES = [ether(0x0800, ipv4(6, tcp(80, 40000, payload=payload))) for payload in HTTP_PAYLOADS]

FRAMES = [
    *SAMPLES[ETHERNET],
    *HTTP_FRAMES,
    ether(0x86DD, ipv6(6, tcp(40000, 8080, payload=HTTP_PAYLOADS[0]))),
    *(ether(0x0800, ipv4(17, udp(40000, 123, message))) for message in NTP_MESSAGES),
    ether(0x86DD, ipv6(17, udp(123, 123, NTP_MESSAGES[1]))),
    *(ether(0x0800, ipv4(17, udp(40000, 514, message))) for message in SYSLOG_MESSAGES),
    ether(0x86DD, ipv6(17, udp(514, 514, SYSLOG_MESSAGES[0]))),
    ether(0x0800, ipv4(17, udp(514, 53, SYSLOG_MESSAGES[0]))),  # the lower port's: DNS, the rich path's
    *(ether(0x0800, ipv4(17, udp(33000, 53, message))) for message in DNS_MESSAGES),
    ether(0x86DD, ipv6(17, udp(53, 33000, DNS_MESSAGES[2]))),
    ether(0x0800, ipv4(17, udp(5353, 5353, DNS_MESSAGES[1]))),
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x02\x04\x05\xb4\x01\x03\x03\x08\x01\x01\x04\x02"))),
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x02\x04\x05\xb4\x02\x04\x05\xb4"))),  # a key twice
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x1e\x06\x00\x00\x00\x00\x00\x00"))),  # kind 30
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x01\x01\x01\x02"))),  # cut before its length
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x05\x02\x02\x03\x05\x01\x00\x00\x03\x09\x00\x00"))),
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x08\x0a" + bytes(8) + b"\x00\x08\x0a\x00"))),
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x02\x40" + bytes(10)))),  # a length past the options'
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x02\x04\x05\xb4\x02\x05\x05\xb4\x00\x00\x00\x00"))),
    ether(0x0800, ipv4(6, tcp(40000, 5001, payload=b"x" * 40))),
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x01\x01\x08\x0a" + struct.pack("!II", 7, 9)))),
    ether(0x0800, ipv4(6, tcp(40000, 5001, opts=b"\x01\x01\x05\x0a" + struct.pack("!II", 7, 9)))),
    ether(0x0800, ipv4(6, tcp(443, 40000, payload=b"\x17\x03\x03\x00\x05hello, and more"))),
    ether(0x0800, ipv4(6, tcp(443, 40000, payload=b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"))),
    ether(0x0800, ipv4(6, tcp(443, 40000, payload=b"\x15\x03\x03\x40\x00cut by the segment"))),
    ether(0x0800, ipv4(6, tcp(40000, 465, payload=b"\x18\x03\x01\x00\x00"))),
    ether(0x0800, ipv4(6, tcp(80, 40000, payload=b"\x00\x01no line end here"))),
    ether(0x0800, ipv4(6, tcp(80, 40000, payload=b"two words\n"))),
    ether(0x0800, ipv4(6, tcp(3128, 40000, payload=b"GET\r\n"))),
    ether(0x0800, ipv4(6, tcp(8000, 40000, payload=b"POST /a HTTP/1.1\r\nHost: x\r\n\r\n"))),
    ether(0x0800, ipv4(6, tcp(80, 40000, payload=b"GET /a FTP/1.1\r\n"))),
    ether(0x0800, ipv4(6, tcp(80, 40000, payload=b"x" * 8200 + b"\n"))),
    ether(0x0800, ipv4(6, tcp(80, 40000, payload=b"body\x85\xa0 text\r\nmore"))),
    ether(0x0800, ipv4(6, tcp(80, 40000, payload=b"HTTP/1.1 200 OK\r\n\r\n"))),
    ether(0x0800, ipv4(6, tcp(40000, 8080, payload=b" \x1cGE\x80T /x HTTP/1.0\r\n\r\n"))),
    *SSH_FRAMES,
    *(ether(0x0800, ipv4(6, tcp(443, 40000, payload=payload))) for payload in TLS_RECORD_RUNS),
    ether(0x0800, ipv4(1, icmp_echo())),
    ether(0x0800, ipv4(17, udp(40000, 9999, b"pad me"))) + bytes(12),
    ether(0x8100, vlan_tag(7, 0x0800, pri=5) + ipv4(17, udp(40000, 9999))) + bytes(20),
    ether(0x86DD, ipv6(58, bytes([128, 0, 0, 0, 0, 7, 0, 9]) + b"ping")),
    ether(0x86DD, ipv6(58, bytes([135, 0, 0, 0]) + bytes(20))),
    *ARP_FRAMES,
    *ND_FRAMES,
    ether(0x0800, ipv4(17, udp(33000, 53, b"\x12\x34" + bytes(10)))),
]

TIMES = [
    (0, 0),
    (1767323045, 999999),
    (1767323045, 1000001),
    (-1, -5),
    (2**31, 0),
    (2**39, 7),  # past year 9999
    (10**15, 3),
    (-(10**13), 0),
]


def _batch_lines(records: list[tuple[int, int, int, bytes]], compiled: bool, nano: bool) -> str:
    out = io.StringIO()
    printer = JsonLinesPrinter(ETHERNET, out, nano=nano, compiled=compiled)
    printer.write_batch(records[:3])
    printer.write_batch(records[3:])
    return out.getvalue()


def test_batches_of_crafted_frames_cut_at_every_length_and_odd_times() -> None:
    records = []
    for i, frame in enumerate(FRAMES):
        for cut in range(len(frame) + 1):
            sec, frac = TIMES[(i + cut) % len(TIMES)]
            records.append((sec, frac, len(frame) + cut % 3, frame[:cut]))
        records.append((1767323045, 1, len(frame), frame))  # whole, as captured: the compiled sink's case
    for nano in (False, True):
        compiled = _batch_lines(records, True, nano)
        assert _first_difference(compiled, _batch_lines(records, False, nano)) is None
        assert compiled.count("\n") == len(records)


@settings(max_examples=2000, deadline=None)
@given(message=st.binary(min_size=1, max_size=40), utf8=st.text(max_size=12))
def test_any_syslog_message_is_written_as_the_python_writes_it(message: bytes, utf8: str) -> None:
    frame = ether(0x0800, ipv4(17, udp(40000, 514, message + utf8.encode("utf-8", "surrogatepass"))))
    records = [(1767323045, 1, len(frame), frame)]
    assert _batch_lines(records, True, False) == _batch_lines(records, False, False)


@settings(max_examples=2000, deadline=None)
@given(header=st.binary(min_size=16, max_size=16), times=st.lists(st.integers(0, 2**64 - 1), min_size=4,
       max_size=4), extra=st.binary(max_size=24))  # fmt: skip
def test_any_ntp_header_is_written_as_the_python_writes_it(
    header: bytes, times: list[int], extra: bytes
) -> None:
    message = header + b"".join(t.to_bytes(8, "big") for t in times) + extra
    frame = ether(0x0800, ipv4(17, udp(40000, 123, message)))
    records = [(1767323045, 1, len(frame), frame)]
    assert _batch_lines(records, True, False) == _batch_lines(records, False, False)


def test_plain_http_lines_are_written_by_the_compiled_sink_itself() -> None:
    """Request and status lines of printable ASCII never leave the compiled sink (they were the largest
    share of frames it left to the Python); the others go on leaving it."""
    assert batch_text is not None
    plain = [(1767323045, 1, len(frame), frame) for frame in HTTP_FRAMES[:4] + HTTP_FRAMES[5:13]]
    _, index = batch_text(plain, 0, 0, '"EN10MB"', False)
    assert index == len(plain)
    for frame in (HTTP_FRAMES[4], HTTP_FRAMES[13], HTTP_FRAMES[14]):
        assert batch_text([(1767323045, 1, len(frame), frame)], 0, 0, '"EN10MB"', False)[1] == 0


_HTTP_WORDS = [
    "GET",
    "POST",
    "HEAD",
    "M-SEARCH",
    "HTTP/1.1",
    "HTTP/",
    "HTTPS",
    "200",
    "0",
    "OK",
    "/",
    '"',
    "\\",
]


@settings(max_examples=3000, deadline=None)
@given(
    words=st.lists(
        st.one_of(
            st.sampled_from(_HTTP_WORDS), st.text(" \t\r\x1f\x7fa/.1", max_size=3), st.binary(max_size=2)
        ),
        max_size=6,
    ),
    rest=st.binary(max_size=8),
)
def test_any_http_line_is_written_as_the_python_writes_it(words: list[str | bytes], rest: bytes) -> None:
    line = b" ".join(w if isinstance(w, bytes) else w.encode() for w in words) + b"\r\n" + rest
    frame = ether(0x0800, ipv4(6, tcp(40000, 80, payload=line)))
    records = [(1767323045, 1, len(frame), frame)]
    assert _batch_lines(records, True, False) == _batch_lines(records, False, False)


@settings(max_examples=3000, deadline=None)
@given(
    frame=st.sampled_from(FRAMES),
    changes=st.lists(st.tuples(st.integers(0, 160), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_frames_with_bytes_overwritten(frame: bytes, changes: list[tuple[int, int]]) -> None:
    data = bytearray(frame)
    for at, value in changes:
        if at < len(data):
            data[at] = value
    records = [(1767323045, 1, len(data), bytes(data))]
    assert _batch_lines(records, True, False) == _batch_lines(records, False, False)
