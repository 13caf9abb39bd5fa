"""End to end: the -v dump of a real Ethernet/IPv4/TCP SYN is the text Pcap4J prints for it.

The expected text follows Pcap4J 2's buildString() methods (PcapPacket, EthernetPacket,
IpV4Packet, TcpPacket and its option classes) for the first frame of captures/http.pcap.
"""

from __future__ import annotations

import os

from support.commands import run_cli
from support.env import CAPTURES
from support.hostile import write_pcap

PCAP4J_SYN = """\
Captured at: 2026-01-02T03:04:05Z[UTC]
Original length: 74 bytes
[Ethernet Header (14 bytes)]
  Destination address: 02:00:00:00:00:01
  Source address: 02:00:00:00:00:0a
  Type: 0x0800 (IPv4)
[IPv4 Header (20 bytes)]
  Version: 4 (IPv4)
  IHL: 5 (20 [bytes])
  TOS: [precedence: 0 (Routine)] [tos: 0 (Default)] [mbz: 0]
  Total length: 60 [bytes]
  Identification: 19713
  Flags: (Reserved, Don't Fragment, More Fragment) = (false, true, false)
  Fragment offset: 0 (0 [bytes])
  TTL: 64
  Protocol: 6 (TCP)
  Header checksum: 0x0169
  Source address: /192.0.2.10
  Destination address: /198.51.100.20
[TCP Header (40 bytes)]
  Source port: 51000 (unknown)
  Destination port: 80 (HTTP)
  Sequence Number: 439041101
  Acknowledgment Number: 0
  Data Offset: 10 (40 [bytes])
  Reserved: 0
  URG: false
  ACK: false
  PSH: false
  RST: false
  SYN: true
  FIN: false
  Window: 64240
  Checksum: 0xbc1a
  Urgent Pointer: 0
  Option: [Kind: 2 (Maximum Segment Size)] [Length: 4 bytes] [Maximum Segment Size: 1460 bytes]
  Option: [Kind: 4 (SACK Permitted)] [Length: 2 bytes]
  Option: [Kind: 8 (Timestamps)] [Length: 10 bytes] [TS Value: 100000] [TS Echo Reply: 0]
  Option: [Kind: 1 (No Operation)]
  Option: [Kind: 3 (Window Scale)] [Length: 3 bytes] [Shift Count: 7]

"""


def test_verbose_dump_of_a_syn_is_pcap4j_text():
    res = run_cli("-v", "-c", "1", "-r", str(CAPTURES / "http.pcap"), env={**os.environ, "TZ": "UTC"})
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode() == PCAP4J_SYN


def test_verbose_dump_of_a_truncated_frame_shows_the_illegal_rest(tmp_path):
    frame = (CAPTURES / "http.pcap").read_bytes()[24 + 16 : 24 + 16 + 40]  # Ethernet + IPv4 + 6 of TCP
    path = tmp_path / "cut.pcap"
    write_pcap(path, [frame])
    out = run_cli("-v", "-r", str(path), env={**os.environ, "TZ": "UTC"}).stdout.decode()
    assert "[IPv4 Header (20 bytes)]" in out
    assert "[Illegal Packet (6 bytes)]" in out
    assert "  Cause: " in out and "TCP" in out
    assert out.count("[") == out.count("]")
