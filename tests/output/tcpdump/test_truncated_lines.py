"""Lines of frames the capture cuts short, cut at every length from the link header to the whole frame:
the same as tcpdump's own (relative TCP sequence numbers, its default), on the in-place path and on the
path of ``-c`` in one process."""

from __future__ import annotations

import os
import subprocess

import dpkt
import pytest

from pycapture import craft
from pycapture.decode.lean import decode
from pycapture.output.tcpdump.text import summary_line
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import run_cli, tool

V4 = ("192.0.2.1", "192.0.2.2")
V6 = ("2001:db8::1", "2001:db8::2")
MACS = ("02:00:00:00:00:02", "02:00:00:00:00:01")


def _dns_query() -> bytes:
    query = dpkt.dns.DNS(id=0x1A2B, qd=[dpkt.dns.DNS.Q(name="example.com", type=1, cls=1)])
    query.op = 0x0100  # recursion desired
    return bytes(query)


def _frame(kind: str, addresses: tuple[str, str]) -> bytes:
    if kind == "udp":
        packet = craft.udp(*addresses, 1234, 5000, b"x" * 12)
    elif kind == "dns":
        packet = craft.udp(*addresses, 1234, 53, _dns_query())
    elif kind == "syn":  # mss, sackOK, TS, nop, wscale: options of every shape
        packet = craft.tcp_syn(*addresses, 1234, 80, timestamps=(1, 0))
    elif kind == "sack":  # two SACK blocks, an option tcpdump does not know, then the end of the list
        options = b"\x01\x01\x05\x12" + bytes(range(1, 17)) + b"\x09\x04\xab\xcd\x03\x03\x07"
        packet = craft.tcp(*addresses, 1234, 80, flags=".", seq=5, ack=7, options=options)
    elif kind == "tcpdns":  # a 2-byte length, then the message
        query = _dns_query()
        payload = len(query).to_bytes(2, "big") + query
        packet = craft.tcp(*addresses, 1234, 53, flags="P.", seq=5, ack=7, payload=payload)
    elif kind == "http":
        payload = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        packet = craft.tcp(*addresses, 1234, 80, flags="P.", seq=5, ack=7, payload=payload)
    else:
        packet = craft.icmp_echo(*addresses, 7, 9, b"p" * 16)
    return craft.over_ethernet(packet, *MACS, pad=False)


KINDS = ("udp", "dns", "syn", "sack", "tcpdns", "http", "icmp")
CASES = [(kind, version) for kind in KINDS for version in ("4", "6")]


def _lines(output: str) -> list[str]:
    return [line.split(" ", 1)[1] for line in output.splitlines()]  # without the -tt timestamp


@pytest.mark.parametrize(("kind", "version"), CASES, ids=[f"{k}{v}" for k, v in CASES])
@pytest.mark.parametrize("path", ["in-place", "one-process"])
def test_every_cut_prints_what_tcpdump_prints(tmp_path, kind, version, path):
    tcpdump = tool("tcpdump")
    frame = _frame(kind, V4 if version == "4" else V6)
    capture = tmp_path / "cut.pcap"
    writer = PcapWriter(str(capture), 1)
    cuts = range(1, len(frame) + 1)  # tcpdump stops at a record of 0 bytes: "Invalid header"
    for cut in cuts:
        writer.write(cut, 0, len(frame), frame[:cut])
    writer.close()
    expected = subprocess.run(
        [tcpdump, "-n", "-tt", "-r", str(capture)], capture_output=True, text=True, check=True
    ).stdout
    if path == "in-place":
        result = run_cli("-n", "-tt", "-r", str(capture), text=True)
    else:
        env = dict(os.environ, PYCAPTURE_WORKERS="1")
        result = run_cli("-n", "-tt", "-r", str(capture), "-c", "1000", text=True, env=env)
    assert result.returncode == 0, result.stderr
    got = _lines(result.stdout)
    want = _lines(expected)
    assert len(got) == len(want) == len(cuts)
    differ = [f"cut {cut}: {g!r} where tcpdump has {w!r}" for cut, g, w in zip(cuts, got, want) if g != w]
    assert not differ, "\n".join(differ)


@pytest.mark.parametrize(
    ("kind", "addresses", "cut", "line"),
    [
        ("udp", V4, 36, "IP 192.0.2.1 > 192.0.2.2:  [|udp]"),
        ("udp", V4, 39, "IP 192.0.2.1.1234 > 192.0.2.2.5000:  [|udp]"),
        ("dns", V4, 42, "IP 192.0.2.1.1234 > 192.0.2.2.53:  [|domain]"),
        ("dns", V4, 60, "IP 192.0.2.1.1234 > 192.0.2.2.53: 6699+ [|domain]"),
        ("syn", V4, 36, "IP 192.0.2.1 > 192.0.2.2: [|tcp]"),
        ("syn", V4, 45, "IP 192.0.2.1.1234 > 192.0.2.2.80:  [|tcp]"),
        ("syn", V4, 54, "IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 0, win 64240, options [ [|tcp]"),
        ("syn", V4, 56, "IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 0, win 64240, options [mss [|tcp]"),
        ("syn", V4, 63, "IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 0, win 64240, "
                        "options [mss 1460,sackOK,TS [|tcp]>"),
        ("syn", V6, 80, "IP6 2001:db8::1.1234 > 2001:db8::2.80: Flags [S], seq 0, win 64240, "
                        "options [mss 1460,sackOK, [|tcp]"),
        ("sack", V4, 62, "IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.], ack 7, win 64240, "
                         "options [nop,nop,sack 2  [|tcp]>"),
        ("tcpdns", V4, 55, "IP 192.0.2.1.1234 > 192.0.2.2.53: Flags [P.], seq 5:36, ack 7, win 64240, "
                           "length 31 [|domain]"),
        ("tcpdns", V4, 60, "IP 192.0.2.1.1234 > 192.0.2.2.53: Flags [P.], seq 5:36, ack 7, win 64240, "
                           "length 31  [|domain]"),
        ("http", V4, 60, "IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [P.], seq 5:32, ack 7, win 64240, "
                         "length 27: HTTP [|http]"),
        ("icmp", V6, 55, "IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo request [|icmp6]"),
        ("icmp", V4, 20, "IP  [|ip]"),
        ("icmp", V6, 20, " [|ip6]"),
        ("icmp", V4, 5, " [|ether]"),
    ],
)  # fmt: skip
def test_cut_lines_as_tcpdump_4_99_prints_them(kind, addresses, cut, line):
    """The lean path alone, with no tcpdump at hand: lines tcpdump 4.99 printed for these cuts."""
    frame = _frame(kind, addresses)
    assert summary_line(decode(1, frame[:cut], len(frame)), len(frame)) == line
