"""The ``-v`` dump of the transport and application headers Pcap4J decodes (TCP options, SCTP chunks,
DNS, GTPv1), line for line as pcap4j-dump (Pcap4J 2.0.0-alpha.6) prints the same frames."""

from __future__ import annotations

import struct

import pytest

from pycapture.decode import rich
from pycapture.output.pcap4j import format_packet
from support.frames import ether, ipv4, tcp, udp


def _name(*labels: bytes, pointer: int | None = None) -> bytes:
    raw = b"".join(bytes([len(label)]) + label for label in labels)
    return raw + (struct.pack("!H", 0xC000 | pointer) if pointer is not None else b"\x00")


def _record(name: bytes, rtype: int, rdata: bytes) -> bytes:
    return name + struct.pack("!HHIH", rtype, 1, 300, len(rdata)) + rdata


DNS_RESPONSE = (
    struct.pack("!HH4H", 0xBEEF, 0x8180, 1, 2, 0, 1)
    + _name(b"www", b"example", b"com")
    + struct.pack("!HH", 1, 1)
    + _record(_name(pointer=12), 5, _name(b"cdn", pointer=16))
    + _record(_name(pointer=12), 1, bytes([192, 0, 2, 7]))
    + _record(_name(), 41, b"\x00\x0a\x00\x02\xab\xcd")
)

FRAMES = {
    "dns": ether(0x0800, ipv4(17, udp(53, 40000, DNS_RESPONSE))),
    "dns_trailer": ether(0x0800, ipv4(17, udp(53, 40000, DNS_RESPONSE + b"\x01\x02"))),
    "tcp_padding": ether(0x0800, ipv4(6, tcp(1234, 80, opts=b"\x02\x04\x05\xb4\x01\x00\x00\x00"))),
    "tcp_illegal": ether(0x0800, ipv4(6, tcp(1234, 80, opts=b"\x01\x05\x03\x00\x00\x00\x00\x00"))),
    "sctp": ether(
        0x0800,
        ipv4(
            132,
            struct.pack("!HHII", 2905, 80, 0xDEADBEEF, 0x01020304)
            + b"\x00\x03\x00\x11"
            + bytes(range(13))
            + b"\x00\x00\x00"
            + b"\x0b\x00\x00\x04",
        ),
    ),
    "gtp": ether(0x0800, ipv4(17, udp(1234, 2123, struct.pack("!BBHIHBB", 0x32, 1, 4, 1234567890, 7, 0, 0)))),
}

# pcap4j-dump's lines from the transport header on
EXPECTED = {
    "dns": """\
[UDP Header (8 bytes)]
  Source port: 53 (Domain Name Server)
  Destination port: 40000 (unknown)
  Length: 92 [bytes]
  Checksum: 0x0000
[DNS Header (84 bytes)]
  ID: 0xbeef
  QR: response
  OPCODE: 0 (Query)
  Authoritative Answer: false
  Truncated: false
  Recursion Desired: true
  Recursion Available: true
  Reserved Bit: 0
  Authentic Data: false
  Checking Disabled: false
  RCODE: 0 (No Error)
  QDCOUNT: 1
  ANCOUNT: 2
  NSCOUNT: 0
  ARCOUNT: 1
  Question:
    QNAME: www.example.com
    QTYPE: 1 (A (Host address))
    QCLASS: 1 (Internet (IN))
  Answer:
    NAME: .www.example.com (name: , pointer: 12)
    TYPE: 5 (CNAME (Canonical name for an alias))
    CLASS: 1 (Internet (IN))
    TTL: 300
    RDLENGTH: 6
    RDATA:
      CNAME RDATA:
        CNAME: cdn.example.com (name: cdn, pointer: 16)
  Answer:
    NAME: .www.example.com (name: , pointer: 12)
    TYPE: 1 (A (Host address))
    CLASS: 1 (Internet (IN))
    TTL: 300
    RDLENGTH: 4
    RDATA:
      A RDATA:
        ADDRESS: 192.0.2.7 (encoded)
  Additional:
    NAME: <ROOT>
    TYPE: 41 (OPT)
    CLASS: 1 (Internet (IN))
    TTL: 300
    RDLENGTH: 6
    RDATA:
      Unknown Data:
        data: 000a0002abcd
""",
    "dns_trailer": """\
[Ethernet Pad (2 bytes)]
  Hex stream: 01 02
""",
    "tcp_padding": """\
[TCP Header (28 bytes)]
  Source port: 1234 (unknown)
  Destination port: 80 (HTTP)
  Sequence Number: 1000
  Acknowledgment Number: 0
  Data Offset: 7 (28 [bytes])
  Reserved: 0
  URG: false
  ACK: false
  PSH: false
  RST: false
  SYN: true
  FIN: false
  Window: 65535
  Checksum: 0x0000
  Urgent Pointer: 0
  Option: [Kind: 2 (Maximum Segment Size)] [Length: 4 bytes] [Maximum Segment Size: 1460 bytes]
  Option: [Kind: 1 (No Operation)]
  Option: [Kind: 0 (End of Option List)]
  Padding: 0x00 00
""",
    "tcp_illegal": """\
[TCP Header (28 bytes)]
  Source port: 1234 (unknown)
  Destination port: 80 (HTTP)
  Sequence Number: 1000
  Acknowledgment Number: 0
  Data Offset: 7 (28 [bytes])
  Reserved: 0
  URG: false
  ACK: false
  PSH: false
  RST: false
  SYN: true
  FIN: false
  Window: 65535
  Checksum: 0x0000
  Urgent Pointer: 0
  Option: [Kind: 1 (No Operation)]
  Option: [Kind: 5 (SACK)] [Illegal Raw Data: 0x05030000000000] \
[cause: org.pcap4j.packet.IllegalRawDataException: \
The value of length field must be an integer multiple of 8 octets long but: 3]
""",
    "sctp": """\
[SCTP Header (36 bytes)]
  Source port: 2905 (unknown)
  Destination port: 80 (HTTP)
  Verification tag: 0xdeadbeef
  Checksum: 0x01020304
  Chunks:
    [Type: 0 (Payload Data), Flags: 0x03, Length: 17 bytes, Value: 0x000102030405060708090a0b0c, \
Padding: 0x000000]
    [Type: 11 (Cookie Acknowledgement), Flags: 0x00, Length: 4 bytes]
""",
    "gtp": """\
[UDP Header (8 bytes)]
  Source port: 1234 (unknown)
  Destination port: 2123 (GTP-C)
  Length: 20 [bytes]
  Checksum: 0x0000
[GTPv1 Header (12 bytes)]
  Version: V1
  Protocol Type: GTP
  Reserved Flag: false
  Extension Flag: false
  Sequence Flag: true
  NPDU Flag: false
  Message Type: 1 (Echo Request)
  Length: 4 [bytes]
  Tunnel ID: 1234567890
  Sequence Number: 7
  NPDU Number: 0
  Next Extension Header: 0x00 (No more extension headers)
""",
}


def _dump(frame: bytes) -> str:
    return format_packet(rich.decode(1, frame), 0, 0, len(frame), len(frame), utc=True)


def _from_transport(dump: str) -> str:
    lines = dump.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(("[TCP", "[UDP", "[SCTP")))
    return "".join(lines[start:])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dump_matches_pcap4j(name: str) -> None:
    assert _from_transport(_dump(FRAMES[name])).endswith(EXPECTED[name])


def test_dump_lines_are_not_json() -> None:
    """The nested lines are the dump's only: the JSON keeps its fields as they were."""
    packet = rich.decode(1, FRAMES["dns_trailer"])
    dns = packet.get("dns")
    assert dns is not None and dns.get("qr") is True and dns.get("count.answers") == 2
    assert [a["data"] for a in dns.get("answers")] == ["cdn.example.com", "192.0.2.7"]
    assert all(not f.json for f in dns.fields if f.key == "entry")
    eth = packet.get("eth")
    assert eth is not None and eth.get("padding") == ""  # shown as Pcap4J's Ethernet Pad only
    sctp = rich.decode(1, FRAMES["sctp"]).get("sctp")
    assert sctp is not None and [c["name"] for c in sctp.get("chunks")] == ["DATA", "COOKIE_ACK"]
