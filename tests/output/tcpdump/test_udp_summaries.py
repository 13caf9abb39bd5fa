"""BOOTP/DHCP, NTP, syslog and DNS (TXT strings, answers the capture cuts, names of types, classes,
opcodes and rcodes, multicast DNS) print as tcpdump prints them.

Every version and mode of NTP, syslog priorities of every facility with the malformed and cut forms,
DNS responses with TXT strings, empty and overlong strings, captures cut at several points inside the
answers, every DNS type, class, opcode and rcode, and mDNS's QU/QM and cache-flush bits, each compared
with tcpdump's own line on the compiled and the Python path.
"""

from __future__ import annotations

import os
import struct
import subprocess

import pytest

from pycapture import craft
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import run_cli, tool
from support.frames import ether, ipv4, ipv6, udp
from support.tcpdump_compare import assert_tcpdump_lines, timestamped, write_capture

V4 = ("192.0.2.1", "198.51.100.2")
MACS = ("02:00:00:00:00:02", "02:00:00:00:00:01")


def _frame(payload: bytes, sport: int, dport: int) -> bytes:
    return craft.over_ethernet(craft.udp(*V4, sport, dport, payload), *MACS, pad=False)


def _ntp_frames() -> list[bytes]:
    frames = [
        _frame(bytes([version << 3 | mode]) + bytes(47), 40000, 123)
        for version in range(8)
        for mode in range(8)
    ]
    frames += [_frame(bytes([0x23]) + bytes(n), 123, 123) for n in (0, 1, 9, 59)]
    frames.append(_frame(b"", 123, 40000))  # no message at all: [|ntp]
    frames.append(_frame(bytes([0x26, 0x02]) + bytes(10), 123, 40000))  # a control message
    return frames


def _syslog_frames() -> list[bytes]:
    texts = [f"<{facility * 8 + facility % 8}>x".encode() for facility in range(26)]
    texts += [b"<13>hello", b"<0>x", b"<191>x", b"<1234>x", b"<>x", b"13>x", b"<13x", b"<13", b"<", b"",
              b"<999>", b"<013>a", b"<7>"]  # fmt: skip
    return [_frame(text, 40000, 514) for text in texts]


_QUESTION = b"\x07example\x03com\x00" + struct.pack("!HH", 16, 1)


def _response(rdatas: list[tuple[bytes, int | None]], extra: bytes = b"") -> bytes:
    message = struct.pack("!6H", 7, 0x8180, 1, len(rdatas), 0, 0) + _QUESTION
    for rdata, rdlen in rdatas:
        length = len(rdata) if rdlen is None else rdlen
        message += b"\xc0\x0c" + struct.pack("!HHIH", 16, 1, 60, length) + rdata
    return message + extra


def _dns_frames() -> list[bytes]:
    responses = [
        _response([(b"\x05hello", None)]),
        _response([(b"\x05hello\x03abc", None)]),
        _response([(b"", None)]),
        _response([(b"\x05hel", 6)]),  # the data runs past the message
        _response([(b"\x09hello", None)]),  # a string longer than the message
        _response([(b"\x05he\nl\xe9", None)]),  # bytes that are not printable
        _response([(b"\x05hello", None), (b"\x02hi", None)]),
        _response([(b"\x0ahello", 6)], b"world!"),  # a string longer than its record
        _response([(b"\x05hello", None)])[:-8] + b"\x00\x01",  # two answers announced, one there
        struct.pack("!6H", 9, 0x8180, 1, 2, 0, 0) + _QUESTION,  # answers announced, none there
    ]
    return [_frame(message, 53, 40000) for message in responses]


def _dns_table_frames() -> list[bytes]:
    """Every type and class name, opcode and rcode, the header flags, multicast DNS's class bits, and
    messages shorter than a DNS header."""
    frames = []
    for qtype in [*range(300), 32768, 32769, 65535]:
        query = struct.pack("!6H", qtype, 0x0100, 1, 0, 0, 0) + b"\x01a\x00" + struct.pack("!HH", qtype, 1)
        frames.append(_frame(query, 40000, 53))
    for port in (53, 5353):
        for qclass in (0, 1, 2, 3, 4, 7, 254, 255, 256, 0x7FFF, 0x8001, 0x8003, 0xFFFF):
            query = (
                struct.pack("!6H", 1, 0, 1, 0, 0, 0) + b"\x01a\x05local\x00" + struct.pack("!HH", 1, qclass)
            )
            answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, qclass, 120, 4) + bytes([192, 0, 2, 1])
            response = struct.pack("!6H", 2, 0x8400, 1, 1, 0, 0) + query[12:] + answer
            frames += [_frame(query, port, port), _frame(response, port, 40000)]
    for flags in [0x8080 | op << 11 for op in range(16)] + [0x8080 | rcode for rcode in range(16)]:
        frames.append(_frame(struct.pack("!6H", 5, flags, 0, 0, 0, 0), 53, 40000))
    for flags in (0x8020, 0x8010, 0x8040, 0x87A0, 0x0020, 0x0040, 0x0120, 0x0030, 0x06CF):
        frames.append(_frame(struct.pack("!6H", 5, flags, 1, 1, 1, 1), 53, 40000))
    frames += [_frame(bytes(size), 53, 40000) for size in (0, 1, 11)]
    return frames


def _bootp_frames() -> list[bytes]:
    """Requests and replies, Ethernet and other hardware types, unknown ops, and messages the capture
    cuts before the op, the hardware fields and the client address (tcpdump's [|bootp])."""
    chaddr = bytes.fromhex("000b8201fc42")
    frames = []
    for op in (1, 2, 3, 0xFF):
        for htype, hlen in ((1, 6), (6, 6), (1, 8)):
            message = bytes([op, htype, hlen, 0]) + bytes(24) + chaddr + bytes(10 + 192) + b"\x63\x82\x53\x63"
            frames += [_frame(message, 68, 67), _frame(message, 67, 68)]
    request = bytes([1, 1, 6, 0]) + bytes(24) + chaddr + bytes(10)
    frames += [_frame(request[:n], 68, 67) for n in (0, 1, 2, 3, 28, 33, 34)]
    frames.append(_frame(request, 53, 67))  # DNS's port wins, as print-udp.c tests it first
    frames.append(_frame(request, 67, 123))  # BOOTP's wins over NTP's
    return frames


def _write(path, frames: list[bytes], cuts: tuple[int, ...] = (0,)) -> int:
    writer = PcapWriter(str(path), 1)
    count = 0
    for number, frame in enumerate(frames, 1):
        for cut in cuts:
            if cut < len(frame) - 42:  # keep the UDP header: these are about its payload
                writer.write(number, cut, len(frame), frame[: len(frame) - cut])
                count += 1
    writer.close()
    return count


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
@pytest.mark.parametrize("kind", ["bootp", "ntp", "syslog", "dns", "dns-tables"])
def test_udp_summaries_are_tcpdumps(tmp_path, kind, pure):
    tcpdump = tool("tcpdump")
    frames = {
        "bootp": _bootp_frames,
        "ntp": _ntp_frames,
        "syslog": _syslog_frames,
        "dns": _dns_frames,
        "dns-tables": _dns_table_frames,
    }[kind]()
    path = tmp_path / f"{kind}.pcap"
    count = _write(path, frames, (0, 1, 3, 6, 9, 14) if kind == "dns" else (0, 2))
    expected = subprocess.run(
        [tcpdump, "-n", "-tt", "-r", str(path)], capture_output=True, text=True, check=True
    ).stdout
    env = dict(os.environ, PYCAPTURE_PURE_PYTHON=pure)
    got = run_cli("-n", "-tt", "-r", str(path), text=True, env=env)
    assert got.returncode == 0, got.stderr
    assert len(got.stdout.splitlines()) == count
    differ = [(g, w) for g, w in zip(got.stdout.splitlines(), expected.splitlines()) if g != w]
    assert not differ, differ[:3]


def _udp_length_frames() -> list[bytes]:
    """UDP datagrams whose IP packet ends inside the UDP header, whose own length is under 8, or whose
    length runs past the IP packet (not a fragment, then a first fragment): print-udp.c's complaints."""
    frames = []
    for total in (20, 21, 23, 24, 25, 27, 28, 33):  # an IPv4 total length from the header alone up
        frame = bytearray(ether(0x0800, ipv4(17, udp(40000, 9999, b"hello"))) + bytes(8))
        frame[16:18] = total.to_bytes(2, "big")
        frames.append(bytes(frame))
    for plen in (0, 1, 3, 4, 7, 8, 12):
        frame = bytearray(ether(0x86DD, ipv6(17, udp(40000, 9999, b"hello"))) + bytes(8))
        frame[18:20] = plen.to_bytes(2, "big")
        frames.append(bytes(frame))
    for ulen in (0, 1, 7, 8, 13, 14, 200):  # the UDP header's own length
        frame = bytearray(ether(0x0800, ipv4(17, udp(40000, 9999, b"hello"))))
        frame[38:40] = ulen.to_bytes(2, "big")
        frames.append(bytes(frame))
        more = bytearray(frame)
        more[20] |= 0x20  # the first fragment of several: a length past its end is no error
        frames.append(bytes(more))
    return frames


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
def test_udp_lengths_that_do_not_add_up_are_tcpdumps_complaints(tmp_path, pure):
    path = write_capture(tmp_path / "udp-lengths.pcap", [(frame, 0) for frame in _udp_length_frames()])
    lines = assert_tcpdump_lines(path, pure, keep=timestamped)
    assert any("truncated-udp 4" in line for line in lines)
    assert any("truncated-udplength 7" in line for line in lines)
    assert any("UDP, bad length 192 > 5" in line for line in lines)
    assert any(line.endswith(":  [|udp]") for line in lines)
