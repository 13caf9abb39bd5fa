"""What tcpdump prints where it decodes no further, and where it prints no packet at all.

- After a link header whose payload it does not decode (an unknown ethertype, behind VLAN tags or not, a
  Linux cooked protocol, a BSD address family), tcpdump prints the header's text, ``: `` and then its
  default printer's hex and ASCII dump of the payload on the lines below, unless -x or -X dump the
  frame themselves (print-ether.c, print-sll.c, print-null.c, print.c's ndo_default_print).
- A record whose lengths cannot be (a captured or wire length of 0, a wire length below the captured
  one, either above 262144) is ``[Invalid header: ...]``, with no timestamp (print.c's sanity checks).

Each is compared with tcpdump itself, under the dump and time options, on the compiled and Python paths.
"""

from __future__ import annotations

import os
import struct
import subprocess
from pathlib import Path

import pytest

from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import run_cli, tool

PAYLOAD = bytes(range(20))
MACS = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
OPTIONS = [[], ["-e"], ["-x"], ["-X"], ["-xx"], ["-XX"], ["-t"], ["-e", "-x"]]


def _write(path: Path, linktype: int, frames: list[tuple[bytes, int]]) -> str:
    writer = PcapWriter(str(path), linktype)
    for number, (frame, length) in enumerate(frames, 1):
        writer.write(number, 0, length, frame)
    writer.close()
    return str(path)


def _raw_records(path: Path, records: list[tuple[int, int, bytes]]) -> str:
    """A classic pcap file whose records' captured and wire lengths are given as they are, sound or not."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    for number, (caplen, length, data) in enumerate(records, 1):
        out += struct.pack("<IIII", number, 0, caplen, length) + data
    path.write_bytes(out)
    return str(path)


def _files(tmp_path: Path) -> list[str]:
    ether = [
        MACS + b"\x30\x30" + PAYLOAD,  # an unknown ethertype
        MACS + b"\x88\xb5" + PAYLOAD[:1],  # a local experimental one, one byte of payload
        MACS + b"\x30\x30",  # nothing after the header
        MACS + b"\x81\x00\x00\x05\x30\x31" + PAYLOAD,  # behind an 802.1Q tag
        MACS + b"\x88\xa8\x00\x07\x81\x00\x00\x05\x30\x32" + PAYLOAD,  # behind two tags
    ]
    sll = struct.pack("!HHH8sH", 0, 1, 6, b"\x01" * 8, 0x3030) + PAYLOAD
    sll_proto = struct.pack("!HHH8sH", 4, 1, 6, b"\x01" * 8, 0x0003) + PAYLOAD  # ETH_P_ALL: no protocol
    null = struct.pack("<I", 99) + PAYLOAD
    return [
        _write(tmp_path / "ether.pcap", 1, [(f, len(f)) for f in ether] + [(ether[0], 1000)]),
        _write(tmp_path / "sll.pcap", 113, [(sll, len(sll)), (sll_proto, len(sll_proto))]),
        _write(tmp_path / "null.pcap", 0, [(null, len(null))]),
    ]


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_undecoded_payloads_are_dumped_as_tcpdumps_default_printer_dumps_them(tmp_path, options, pure):
    tcpdump = tool("tcpdump")
    env = dict(os.environ, TZ="UTC", PYCAPTURE_PURE_PYTHON=pure)
    for path in _files(tmp_path):
        theirs = subprocess.run(
            [tcpdump, "-n", *options, "-r", path], capture_output=True, text=True, env=env
        )
        ours = run_cli("-n", *options, "-r", path, text=True, env=env)
        assert ours.returncode == 0, ours.stderr
        assert ours.stdout == theirs.stdout, path
        if not options or options == ["-t"]:
            assert "\t0x0000:  0001 0203" in ours.stdout  # the dump is there, not only the same absence


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
@pytest.mark.parametrize("options", [[], ["-e"], ["-x"], ["-S"]], ids=str)
def test_records_with_impossible_lengths_print_tcpdumps_invalid_header_line(tmp_path, options, pure):
    tcpdump = tool("tcpdump")
    frame = MACS + b"\x08\x00" + bytes.fromhex("450000140001000040110000010203040506070800")[:20]
    path = _raw_records(
        tmp_path / "lengths.pcap",
        [
            (34, 34, frame),
            (0, 0, b""),
            (0, 60, b""),
            (34, 20, frame),  # a wire length below the captured one
            (34, 0, frame),
            (34, 262145, frame),  # above tcpdump's MAXIMUM_SNAPLEN
            (34, 262144, frame),  # at it: printed
            (34, 34, frame),
        ],
    )
    env = dict(os.environ, TZ="UTC", PYCAPTURE_PURE_PYTHON=pure)
    theirs = subprocess.run([tcpdump, "-n", *options, "-r", path], capture_output=True, text=True, env=env)
    ours = run_cli("-n", *options, "-r", path, text=True, env=env)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    assert ours.stdout.count("[Invalid header:") == 5
