"""Bytes from the wire that reach a summary line as text (an HTTP request line, DNS labels) are printed
as tcpdump prints them, never as raw control characters: a packet cannot end its line early, forge the
next one, or send escape sequences to the terminal.

tcpdump's rules: an HTTP first line is printed only when it is printable ASCII or tabs up to LF or CR LF
(else just ``HTTP``), with ``[|http]`` when the message or the capture ends first; a DNS label's other
bytes become ``M-`` (high bit) and ``^X`` (control). Each case is compared with tcpdump's own line, in
both output paths (the compiled shortcut where built, and the Python).
"""

from __future__ import annotations

import os
import struct
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pycapture import craft
from pycapture.decode.lean import decode, printable_text
from pycapture.output.tcpdump.text import summary_line
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import run_cli, tool

V4 = ("192.0.2.1", "192.0.2.2")
MACS = ("02:00:00:00:00:02", "02:00:00:00:00:01")

HTTP_PAYLOADS = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n",  # a control character: binary, no line
    b"GET /\xe9 HTTP/1.1\r\n\r\n",  # the high bit: binary
    b"GET /\tb HTTP/1.1\r\n\r\n",  # a tab is printed as it is
    b"GET /a\rb HTTP/1.1\r\n\r\n",  # CR without LF: binary
    b"GET /a\r",  # CR at the end of the message
    b"GET /a HTTP/1.1\nHost: x\n\n",  # LF alone ends the line
    b"GET /abc",  # no line end in the message: the line, then [|http]
    b"GET /" + b"a" * 700 + b" HTTP/1.1\r\n\r\n",  # longer than any fixed buffer
    b"HTTP/1.1 200 OK\r\n\x00\x01",
    b"POST /x HTTP/1.1\r\n\x1b[2J\r\n",  # an escape sequence after the first line is not printed
]


def _dns_message(labels: list[bytes], response: bool = False) -> bytes:
    name = b"".join(bytes([len(label)]) + label for label in labels) + b"\x00"
    flags = 0x8180 if response else 0x0100
    counts = (1, 1 if response else 0, 0, 0)
    message = struct.pack("!6H", 0x1A2B, flags, *counts) + name + struct.pack("!HH", 1, 1)
    if response:
        message += b"\xc0\x0c" + struct.pack("!HHIH", 5, 1, 60, 7) + b"\x02\x0a\x1b\xc0\x0c"  # CNAME, cut
    return message


DNS_MESSAGES = [
    _dns_message([b"a\nb", b"c.d"]),  # a newline and a dot inside labels
    _dns_message([b"\x1b[31mred\x1b[0m", b"example", b"com"]),  # an ANSI escape sequence
    _dns_message([b"\xe9t\xe9", b"\x7f\x00\x80\xff"]),
    _dns_message([b"www", b"example", b"com"], response=True),
]


def _frames() -> list[bytes]:
    frames = []
    for payload in HTTP_PAYLOADS:
        packet = craft.tcp(*V4, 40000, 80, flags="P.", seq=5, ack=7, payload=payload)
        frames.append(craft.over_ethernet(packet, *MACS, pad=False))
    for message in DNS_MESSAGES:
        frames.append(craft.over_ethernet(craft.udp(*V4, 40000, 53, message), *MACS, pad=False))
    return frames


def _write(path, records) -> None:
    writer = PcapWriter(str(path), 1)
    for number, (frame, cut) in enumerate(records, 1):
        writer.write(number, 0, len(frame), frame[:cut])
    writer.close()


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
def test_lines_with_untrusted_bytes_are_tcpdumps(tmp_path, pure):
    tcpdump = tool("tcpdump")
    records = [(frame, len(frame)) for frame in _frames()]
    records += [(frame, len(frame) - 3) for frame in _frames()]  # the capture ends inside the text
    capture = tmp_path / "text.pcap"
    _write(capture, records)
    expected = subprocess.run(
        [tcpdump, "-n", "-tt", "-r", str(capture)], capture_output=True, text=True, check=True
    ).stdout
    env = dict(os.environ, PYCAPTURE_PURE_PYTHON=pure)
    got = run_cli("-n", "-tt", "-r", str(capture), text=True, env=env)
    assert got.returncode == 0, got.stderr
    assert got.stdout.count("\n") == len(records)
    differ = [(g, w) for g, w in zip(got.stdout.splitlines(), expected.splitlines()) if g != w]
    assert not differ
    assert "\x1b" not in got.stdout and "a^Jb.c.d." in got.stdout and "M-it" in got.stdout


@settings(max_examples=500, deadline=None)
@given(
    body=st.lists(
        st.sampled_from([b"a", b" ", b"\t", b"\r", b"\n", b"\x01", b"\x1b", b"\xe9", b"\x7f"]), max_size=40
    ),
    method=st.sampled_from([b"GET ", b"HTTP/", b"PUT ", b"get "]),
    cut=st.integers(0, 60),
)
def test_no_http_line_holds_a_control_character(body, method, cut):
    payload = method + b"".join(body)
    packet = craft.tcp(*V4, 40000, 8080, flags="P.", payload=payload)
    frame = craft.over_ethernet(packet, *MACS, pad=False)
    frame = frame[: len(frame) - min(cut, len(payload))]
    line = summary_line(decode(1, frame, len(frame)), len(frame))
    assert all(c == "\t" or 0x20 <= ord(c) <= 0x7E for c in line), line


@given(st.binary(max_size=64))
def test_printable_text_escapes_every_byte_as_tcpdump_does(raw):
    text = printable_text(raw)
    assert all(0x20 <= ord(c) <= 0x7E for c in text)
    assert text.count("^") + text.count("M-") >= sum(1 for b in raw if not 0x20 <= b <= 0x7E)
    if all(0x20 <= b <= 0x7E for b in raw):
        assert text == raw.decode("ascii")


def test_layered_dump_escapes_control_characters(tmp_path):
    """-v prints decoded texts (a DNS question here) with control characters escaped: one line each."""
    message = _dns_message([b"a\nb\x1b[31m", b"com"])
    frame = craft.over_ethernet(craft.udp(*V4, 40000, 53, message), *MACS, pad=False)
    capture = tmp_path / "ctl.pcap"
    _write(capture, [(frame, len(frame))])
    got = run_cli("-v", "-r", str(capture), text=True)
    assert got.returncode == 0, got.stderr
    assert "\x1b" not in got.stdout
    assert "    QNAME: a\\x0ab\\x1b[31m.com" in got.stdout.splitlines()
    heads = ("Captured at: ", "Original length: ", "[", "  ")
    assert all(line.startswith(heads) for line in got.stdout.splitlines() if line)


def test_escaping_keeps_printable_text_and_escapes_bidi_overrides():
    from pycapture.decode.model import escaped as _escaped

    assert _escaped("caf\u00e9 \u65e5\u672c") == "caf\u00e9 \u65e5\u672c"
    assert _escaped("evil\u202etxt.exe\r\n") == "evil\\u202etxt.exe\\x0d\\x0a"
