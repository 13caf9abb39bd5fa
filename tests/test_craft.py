"""Packet builders (pycapture.craft): every frame is parsed back with dpkt, its lengths and checksums
recomputed here from the raw bytes with a one's-complement sum of our own, then read by tcpdump (which
must call every checksum correct) and by pycapture's rich decoder (which must find no malformed layer).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import dpkt
import pytest

from pycapture import craft
from pycapture.decode.rich import decode
from pycapture.savefile.pcap_writer import PcapWriter
from support.env import IN_CI

MAC_A, MAC_B = "02:00:00:00:00:01", "02:00:00:00:00:02"
RAW_MAC_A, RAW_MAC_B = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
A4, B4 = "192.0.2.1", "192.0.2.2"
A6, B6 = "2001:db8::1", "2001:db8::2"
LINKTYPE_ETHERNET = 1

families = pytest.mark.parametrize(("src", "dst"), [(A4, B4), (A6, B6)], ids=["ipv4", "ipv6"])


# --- the internet checksum, written out independently of dpkt ----------------------------------


def ones_complement_sum(data: bytes) -> int:
    """RFC 1071: 16-bit big-endian words (an odd last byte padded with zero), carries folded back in."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def checksum_with_field_zeroed(data: bytes, offset: int) -> int:
    """The checksum a sender computes over ``data`` with its checksum field (at ``offset``) zeroed."""
    zeroed = data[:offset] + b"\x00\x00" + data[offset + 2 :]
    return ~ones_complement_sum(zeroed) & 0xFFFF


def split_ip(raw: bytes) -> tuple[bytes, bytes, int]:
    """(pseudo-header, transport bytes, protocol) of an IPv4 or IPv6 packet, from its raw bytes alone."""
    version = raw[0] >> 4
    if version == 4:
        hl = (raw[0] & 0x0F) * 4
        (total,) = struct.unpack_from("!H", raw, 2)
        proto, segment = raw[9], raw[hl:total]
        pseudo = raw[12:20] + struct.pack("!BBH", 0, proto, len(segment))
    else:
        assert version == 6
        (plen,) = struct.unpack_from("!H", raw, 4)
        proto, segment = raw[6], raw[40 : 40 + plen]
        pseudo = raw[8:40] + struct.pack("!IxxxB", len(segment), proto)
    return pseudo, segment, proto


def assert_ipv4_header_checksum(raw: bytes) -> None:
    header = raw[: (raw[0] & 0x0F) * 4]
    assert ones_complement_sum(header) == 0xFFFF
    assert struct.unpack_from("!H", header, 10)[0] == checksum_with_field_zeroed(header, 10)


def assert_transport_checksum(raw: bytes, offset: int) -> int:
    """Check the TCP/UDP/ICMPv6 checksum (at ``offset`` in the segment) over pseudo-header + segment."""
    pseudo, segment, _ = split_ip(raw)
    stored = struct.unpack_from("!H", segment, offset)[0]
    assert ones_complement_sum(pseudo + segment) == 0xFFFF, f"checksum {stored:#06x} does not add up"
    expected = checksum_with_field_zeroed(pseudo + segment, len(pseudo) + offset)
    assert stored == (expected or 0xFFFF)  # a UDP sum of 0 goes out as 0xffff; 0 would mean "none"
    return stored


# --- IPv4 and IPv6 ------------------------------------------------------------------------------


def test_ipv4_sets_total_length_and_header_checksum():
    raw = craft.ipv4(A4, B4, 253, b"hello", ttl=7, ident=0x1234, tos=0x10)
    assert len(raw) == 25
    h = dpkt.ip.IP(raw)
    assert (h.v, h.hl, h.len, h.id, h.ttl, h.p, h.tos) == (4, 5, 25, 0x1234, 7, 253, 0x10)
    assert (h.df, h.mf, h.offset) == (1, 0, 0)
    assert (h.src, h.dst) == (bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    assert h.data == b"hello"
    assert_ipv4_header_checksum(raw)


def test_ipv4_may_fragment():
    raw = craft.ipv4(A4, B4, 253, b"", dont_fragment=False)
    assert raw[6:8] == b"\x00\x00"
    assert struct.unpack_from("!H", raw, 2)[0] == 20
    assert_ipv4_header_checksum(raw)


def test_ipv4_carries_its_payload_as_given():
    segment = bytes(dpkt.udp.UDP(sport=1, dport=2, ulen=8, sum=0x1234))
    raw = craft.ipv4(A4, B4, 17, segment)
    assert raw[20:] == segment  # the checksum inside is left alone


def test_ipv6_sets_payload_length_and_header_fields():
    raw = craft.ipv6(A6, B6, 253, b"hello", hop_limit=9, flow_label=0xABCDE, traffic_class=0xB8)
    assert len(raw) == 45
    h = dpkt.ip6.IP6(raw)
    assert (h.v, h.plen, h.nxt, h.hlim, h.flow, h.fc) == (6, 5, 253, 9, 0xABCDE, 0xB8)
    assert h.src == bytes.fromhex("20010db8000000000000000000000001")
    assert h.dst == bytes.fromhex("20010db8000000000000000000000002")
    assert raw[40:] == b"hello"


# --- UDP ----------------------------------------------------------------------------------------


@families
@pytest.mark.parametrize("payload", [b"", b"abc", b"\xff" * 1001], ids=["empty", "odd", "long"])
def test_udp_length_and_pseudo_header_checksum(src, dst, payload):
    raw = craft.udp(src, dst, 40000, 5001, payload, ttl=3)
    _, segment, proto = split_ip(raw)
    assert proto == 17
    u = dpkt.udp.UDP(segment)
    assert (u.sport, u.dport, u.ulen) == (40000, 5001, 8 + len(payload))
    assert u.data == payload
    assert assert_transport_checksum(raw, 6) != 0
    if src == A4:
        assert_ipv4_header_checksum(raw)
        assert raw[8] == 3
    else:
        assert raw[7] == 3


def zero_sum_payload(src: str, dst: str) -> bytes:
    """A two-byte UDP payload making every word add up to 0xffff, so the checksum computes to 0.

    It is the checksum of the same datagram with a zero payload: one's complement adds it back to 0xffff.
    """
    _, segment, _ = split_ip(craft.udp(src, dst, 40000, 5001, b"\x00\x00"))
    return segment[6:8]


@families
def test_udp_checksum_adding_up_to_zero_goes_out_as_ffff(src, dst):
    # a computed 0 must be sent as 0xffff: 0 means "no checksum", which IPv6 forbids
    raw = craft.udp(src, dst, 40000, 5001, zero_sum_payload(src, dst))
    _, segment, _ = split_ip(raw)
    assert segment[6:8] == b"\xff\xff"
    assert_transport_checksum(raw, 6)


# --- TCP ----------------------------------------------------------------------------------------


def tcp_segment(raw: bytes) -> dpkt.tcp.TCP:
    _, segment, proto = split_ip(raw)
    assert proto == 6
    return dpkt.tcp.TCP(segment)


@families
def test_tcp_syn_default_options_as_linux_sends_them(src, dst):
    raw = craft.tcp_syn(src, dst, 40000, 80, seq=0xDEADBEEF)
    t = tcp_segment(raw)
    assert (t.sport, t.dport, t.seq, t.ack, t.win) == (40000, 80, 0xDEADBEEF, 0, 64240)
    assert t.flags == dpkt.tcp.TH_SYN
    nop = (1, b"")
    assert dpkt.tcp.parse_opts(t.opts) == [(2, b"\x05\xb4"), nop, nop, (4, b""), nop, (3, b"\x07")]
    assert t.off * 4 == 20 + len(t.opts) == 32
    assert t.data == b""
    assert_transport_checksum(raw, 16)


@families
def test_tcp_syn_with_timestamps(src, dst):
    raw = craft.tcp_syn(src, dst, 1, 2, mss=1220, wscale=14, timestamps=(123456789, 0))
    t = tcp_segment(raw)
    assert dpkt.tcp.parse_opts(t.opts) == [
        (2, struct.pack("!H", 1220)),
        (4, b""),
        (8, struct.pack("!II", 123456789, 0)),
        (1, b""),
        (3, b"\x0e"),
    ]
    assert t.off == 10
    assert_transport_checksum(raw, 16)


def test_tcp_syn_without_options():
    raw = craft.tcp_syn(A4, B4, 1, 2, mss=None, wscale=None, sack_permitted=False)
    t = tcp_segment(raw)
    assert (t.off, t.opts) == (5, b"")
    assert len(raw) == 40
    assert_transport_checksum(raw, 16)


@families
def test_tcp_flags_ack_and_payload(src, dst):
    raw = craft.tcp(src, dst, 443, 51000, flags="P.", seq=7, ack=0xFFFFFFFF, window=512, payload=b"hello")
    t = tcp_segment(raw)
    assert t.flags == dpkt.tcp.TH_PUSH | dpkt.tcp.TH_ACK
    assert (t.seq, t.ack, t.win, t.off, t.data) == (7, 0xFFFFFFFF, 512, 5, b"hello")
    assert_transport_checksum(raw, 16)


def test_tcp_flags_as_bits_and_letters_agree():
    bits = craft.tcp(A4, B4, 1, 2, flags=dpkt.tcp.TH_SYN | dpkt.tcp.TH_ACK | dpkt.tcp.TH_ECE)
    assert craft.tcp(A4, B4, 1, 2, flags="SAE") == bits
    assert craft.tcp(A4, B4, 1, 2, flags="S.E") == bits


def test_tcp_raw_options_are_padded_to_32_bits():
    raw = craft.tcp(A6, B6, 1, 2, flags="S", options=b"\x02\x04\x05\xb4\x01")
    t = tcp_segment(raw)
    assert t.opts == b"\x02\x04\x05\xb4\x01\x00\x00\x00"
    assert t.off == 7
    assert_transport_checksum(raw, 16)


# --- ICMP echo ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("reply", "kind"), [(False, 8), (True, 0)], ids=["request", "reply"])
def test_icmpv4_echo(reply, kind):
    raw = craft.icmp_echo(A4, B4, 0x4242, 7, b"ping!", reply=reply)
    assert_ipv4_header_checksum(raw)
    _, message, proto = split_ip(raw)
    assert proto == 1
    assert (message[0], message[1]) == (kind, 0)
    assert struct.unpack_from("!HH", message, 4) == (0x4242, 7)
    assert message[8:] == b"ping!"
    assert ones_complement_sum(message) == 0xFFFF  # ICMPv4: over the message alone
    assert struct.unpack_from("!H", message, 2)[0] == checksum_with_field_zeroed(message, 2)


@pytest.mark.parametrize(("reply", "kind"), [(False, 128), (True, 129)], ids=["request", "reply"])
def test_icmpv6_echo_checksum_covers_the_pseudo_header(reply, kind):
    raw = craft.icmp_echo(A6, B6, 0x4242, 7, b"ping!", reply=reply)
    _, message, proto = split_ip(raw)
    assert proto == 58
    assert struct.unpack_from("!H", raw, 4)[0] == len(message) == 13
    assert (message[0], message[1]) == (kind, 0)
    assert struct.unpack_from("!HH", message, 4) == (0x4242, 7)
    assert message[8:] == b"ping!"
    assert_transport_checksum(raw, 2)
    assert ones_complement_sum(message) != 0xFFFF  # not summed like ICMPv4, over the message alone


# --- Ethernet and ARP ---------------------------------------------------------------------------


def test_ethernet_pads_a_short_frame_to_60_bytes():
    frame = craft.ethernet(MAC_B, MAC_A, b"xyz", 0x88B5)
    assert len(frame) == 60
    assert frame[:17] == RAW_MAC_B + RAW_MAC_A + b"\x88\xb5xyz"
    assert frame[17:] == bytes(43)


def test_ethernet_without_padding_and_with_a_long_payload():
    assert craft.ethernet(MAC_B, MAC_A, b"xyz", 0x88B5, pad=False) == RAW_MAC_B + RAW_MAC_A + b"\x88\xb5xyz"
    long = craft.ethernet(MAC_B, MAC_A, bytes(100), 0x88B5)
    assert len(long) == 114


def test_ethernet_vlan_tag():
    frame = craft.ethernet(MAC_B, MAC_A, b"xyz", 0x0800, vlan=100)
    assert frame[12:18] == b"\x81\x00" + struct.pack("!H", 100) + b"\x08\x00"
    assert frame[18:21] == b"xyz"
    assert len(frame) == 60
    eth = dpkt.ethernet.Ethernet(frame)
    assert [tag.id for tag in eth.vlan_tags] == [100]


def test_ethernet_accepts_uppercase_and_dashed_macs():
    assert craft.ethernet("02-00-00-00-00-0A", MAC_A, b"", 0x88B5)[:6] == bytes.fromhex("02000000000a")


@pytest.mark.parametrize(
    ("packet", "ethertype"),
    [(craft.udp(A4, B4, 1, 2), b"\x08\x00"), (craft.udp(A6, B6, 1, 2), b"\x86\xdd")],
    ids=["ipv4", "ipv6"],
)
def test_over_ethernet_types_the_frame_by_ip_version(packet, ethertype):
    frame = craft.over_ethernet(packet, MAC_B, MAC_A)
    assert frame[12:14] == ethertype
    assert frame[14 : 14 + len(packet)] == packet
    assert len(frame) == max(60, 14 + len(packet))


def test_arp_request_is_a_padded_broadcast_who_has():
    frame = craft.arp_request(MAC_A, A4, B4)
    assert len(frame) == 60
    assert frame[:6] == b"\xff" * 6
    assert frame[6:12] == RAW_MAC_A
    assert frame[12:14] == b"\x08\x06"
    a = dpkt.arp.ARP(frame[14:42])
    assert (a.hrd, a.pro, a.hln, a.pln, a.op) == (1, 0x0800, 6, 4, 1)
    assert (a.sha, a.spa) == (RAW_MAC_A, bytes([192, 0, 2, 1]))
    assert (a.tha, a.tpa) == (bytes(6), bytes([192, 0, 2, 2]))
    assert frame[42:] == bytes(18)


def test_arp_reply_goes_to_the_asker():
    frame = craft.arp_reply(MAC_B, B4, MAC_A, A4)
    assert len(frame) == 60
    assert frame[:12] == RAW_MAC_A + RAW_MAC_B
    a = dpkt.arp.ARP(frame[14:42])
    assert a.op == 2
    assert (a.sha, a.spa) == (RAW_MAC_B, bytes([192, 0, 2, 2]))
    assert (a.tha, a.tpa) == (RAW_MAC_A, bytes([192, 0, 2, 1]))


def test_arp_in_a_vlan():
    frame = craft.arp_request(MAC_A, A4, B4, vlan=7)
    assert frame[12:18] == b"\x81\x00\x00\x07\x08\x06"
    assert dpkt.arp.ARP(frame[18:46]).op == 1


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: craft.udp("10.0.0.256", B4, 1, 2), "bad source address '10.0.0.256'"),
        (lambda: craft.udp(A4, "nowhere", 1, 2), "bad destination address 'nowhere'"),
        (lambda: craft.udp(A4, B6, 1, 2), "source 192.0.2.1 is IPv4 but destination 2001:db8::2 is IPv6"),
        (lambda: craft.ipv4(A6, B4, 17, b""), "an IPv6 address where IPv4 is needed"),
        (lambda: craft.ipv6(A6, B4, 17, b""), "an IPv4 address where IPv6 is needed"),
        (lambda: craft.udp(A4, B4, 65536, 2), r"source port out of range: 65536 \(0-65535\)"),
        (lambda: craft.tcp_syn(A4, B4, 1, -1), r"destination port out of range: -1"),
        (
            lambda: craft.ipv4(A4, B4, 17, bytes(65516)),
            "payload too long for IPv4: 65516 bytes, at most 65515",
        ),
        (lambda: craft.udp(A4, B4, 1, 2, bytes(65508)), "UDP payload too long for IPv4: 65508 bytes"),
        (lambda: craft.udp(A6, B6, 1, 2, bytes(65528)), "UDP payload too long for IPv6: 65528 bytes"),
        (lambda: craft.ipv6(A6, B6, 17, bytes(65536)), "payload too long for IPv6"),
        (lambda: craft.ethernet("02:00:00:00:00", MAC_A, b"", 0x800), "bad destination MAC address"),
        (lambda: craft.arp_request("zz:00:00:00:00:01", A4, B4), "bad source MAC address"),
        (lambda: craft.ethernet(MAC_B, MAC_A, b"", 0x800, vlan=4095), "4095 is reserved"),
        (lambda: craft.ethernet(MAC_B, MAC_A, b"", 0x10000), "ethertype out of range"),
        (lambda: craft.over_ethernet(b"\x50\x00", MAC_B, MAC_A), "not an IP packet: version 5"),
        (lambda: craft.over_ethernet(b"", MAC_B, MAC_A), "not an IP packet: it is empty"),
        (lambda: craft.tcp(A4, B4, 1, 2, flags="SX"), "bad TCP flags 'SX'"),
        (lambda: craft.tcp(A4, B4, 1, 2, flags="S", options=bytes(41)), "TCP options too long: 41"),
        (lambda: craft.tcp_syn(A4, B4, 1, 2, wscale=15), "window scale out of range: 15"),
        (lambda: craft.tcp_syn(A4, B4, 1, 2, timestamps=(1,)), "timestamps must be a"),
        (lambda: craft.ipv4(A4, B4, 17, b"", ttl=256), "TTL out of range"),
        (lambda: craft.ipv6(A6, B6, 17, b"", flow_label=1 << 20), "flow label out of range"),
        (lambda: craft.icmp_echo(A4, B4, 70000, 1), "echo identifier out of range"),
        (lambda: craft.udp(A4, B4, 1, 2, "text"), "payload must be bytes"),
    ],
)
def test_bad_input_is_a_value_error_naming_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_largest_ipv4_payload_fits():
    raw = craft.udp(A4, B4, 1, 2, bytes(65507))
    assert len(raw) == 65535
    assert_transport_checksum(raw, 6)


# --- outside opinions: tcpdump and pycapture's own decoder --------------------------------------


def sample_frames() -> list[tuple[str, bytes, str | None]]:
    """(name, frame, what tcpdump -vvv says of a good checksum, if it says anything).

    tcpdump names a good TCP, UDP or ICMPv6 checksum; of the IPv4 header and ICMPv4 it speaks only when
    they are wrong ("bad cksum", "wrong icmp cksum"). It calls an IPv6 UDP checksum of 0 "ok" too, so
    the 0xffff case is guarded by test_udp_checksum_adding_up_to_zero_goes_out_as_ffff, not here.
    """

    def eth(packet: bytes, vlan: int | None = None) -> bytes:
        return craft.over_ethernet(packet, MAC_B, MAC_A, vlan=vlan)

    return [
        ("arp request", craft.arp_request(MAC_A, A4, B4), None),
        ("arp reply", craft.arp_reply(MAC_B, B4, MAC_A, A4), None),
        ("ipv4 raw", eth(craft.ipv4(A4, B4, 253, b"xyz")), None),
        ("ipv4 udp", eth(craft.udp(A4, B4, 40000, 5001, b"abc")), "[udp sum ok]"),
        ("ipv6 udp", eth(craft.udp(A6, B6, 40000, 5001, b"abcd")), "[udp sum ok]"),
        ("ipv6 udp ffff", eth(craft.udp(A6, B6, 40000, 5001, zero_sum_payload(A6, B6))), "[udp sum ok]"),
        ("ipv4 syn", eth(craft.tcp_syn(A4, B4, 40000, 80, seq=1, timestamps=(5, 0))), "(correct)"),
        ("ipv6 syn vlan", eth(craft.tcp_syn(A6, B6, 40000, 80, seq=1), vlan=42), "(correct)"),
        (
            "ipv4 push",
            eth(craft.tcp(A4, B4, 80, 40000, flags="P.", seq=9, ack=2, payload=b"odd")),
            "(correct)",
        ),
        ("ipv6 push", eth(craft.tcp(A6, B6, 80, 40000, flags="FA", payload=b"even")), "(correct)"),
        ("ipv4 ping", eth(craft.icmp_echo(A4, B4, 1, 2, b"ping")), None),
        ("ipv4 pong", eth(craft.icmp_echo(B4, A4, 1, 2, b"ping", reply=True)), None),
        ("ipv6 ping", eth(craft.icmp_echo(A6, B6, 1, 2, b"ping")), "[icmp6 sum ok]"),
        ("ipv6 pong", eth(craft.icmp_echo(B6, A6, 1, 2, b"pong!", reply=True)), "[icmp6 sum ok]"),
    ]


@pytest.fixture(scope="module")
def tcpdump() -> str:
    path = shutil.which("tcpdump", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    if path is None:
        if IN_CI:
            pytest.fail("CI=true but tcpdump is not installed: the checksum cross-check must run in CI")
        pytest.skip("tcpdump is not installed")
    return path


def tcpdump_packets(tcpdump: str, path: Path, frames: list[bytes]) -> list[str]:
    """tcpdump -vvv's text for each of ``frames``, written to a pcap at ``path``."""
    with PcapWriter(str(path), LINKTYPE_ETHERNET) as writer:
        for i, frame in enumerate(frames):
            writer.write(1_700_000_000 + i, 0, len(frame), frame)
    done = subprocess.run(
        [tcpdump, "-vvv", "-n", "-r", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    packets: list[str] = []
    for line in done.stdout.splitlines():
        if line[:1].isspace() and packets:
            packets[-1] += "\n" + line
        else:
            packets.append(line)
    assert len(packets) == len(frames), done.stdout
    return packets


def test_tcpdump_calls_every_checksum_correct(tcpdump, tmp_path):
    samples = sample_frames()
    packets = tcpdump_packets(tcpdump, tmp_path / "built.pcap", [frame for _, frame, _ in samples])
    for (name, _, good), text in zip(samples, packets):
        for complaint in ("incorrect", "bad ", "wrong", "truncated", "[|"):
            assert complaint not in text, f"{name}: {text}"
        if good is not None:
            assert good in text, f"{name}: {text}"
    assert sum("cksum 0x" in text and "(correct)" in text for text in packets) == 4


def test_tcpdump_notices_a_broken_checksum(tcpdump, tmp_path):
    """The cross-check above is worth something only if tcpdump complains when a checksum is off."""

    def broken(frame: bytes, offset: int) -> bytes:
        return frame[:offset] + bytes([frame[offset] ^ 0x01]) + frame[offset + 1 :]

    def eth(packet: bytes) -> bytes:
        return craft.over_ethernet(packet, MAC_B, MAC_A)

    cases = [
        (broken(eth(craft.ipv4(A4, B4, 253, b"xyz")), 14 + 11), "bad cksum"),
        (broken(eth(craft.udp(A4, B4, 1, 5001, b"abc")), 14 + 20 + 7), "bad udp cksum"),
        (broken(eth(craft.udp(A6, B6, 1, 5001, b"abc")), 14 + 40 + 7), "bad udp cksum"),
        (broken(eth(craft.tcp_syn(A4, B4, 1, 80)), 14 + 20 + 17), "(incorrect"),
        (broken(eth(craft.tcp_syn(A6, B6, 1, 80)), 14 + 40 + 17), "(incorrect"),
        (broken(eth(craft.icmp_echo(A4, B4, 1, 2, b"ping")), 14 + 20 + 3), "wrong icmp cksum"),
        (broken(eth(craft.icmp_echo(A6, B6, 1, 2, b"ping")), 14 + 40 + 3), "bad icmp6 cksum"),
    ]
    packets = tcpdump_packets(tcpdump, tmp_path / "broken.pcap", [frame for frame, _ in cases])
    for (_, complaint), text in zip(cases, packets):
        assert complaint in text, text


SAMPLES = sample_frames()


@pytest.mark.parametrize(("name", "frame", "_good"), SAMPLES, ids=[name for name, _, _ in SAMPLES])
def test_rich_decoder_finds_nothing_malformed(name, frame, _good):
    packet = decode(LINKTYPE_ETHERNET, frame)
    assert packet.malformed is None, f"{name}: {packet.malformed}"
    eth = packet.get("eth")
    assert (eth.get("dst"), eth.get("src")) in ((MAC_B, MAC_A), ("ff:ff:ff:ff:ff:ff", MAC_A), (MAC_A, MAC_B))


def test_rich_decoder_reads_back_a_syn():
    frame = craft.over_ethernet(
        craft.tcp_syn(A4, B4, 40000, 443, seq=99, timestamps=(5, 6), ttl=33), MAC_B, MAC_A, vlan=42
    )
    packet = decode(LINKTYPE_ETHERNET, frame)
    assert packet.malformed is None
    assert [layer.name for layer in packet.layers] == ["eth", "vlan", "ip", "tcp"]
    assert packet.get("vlan").get("id") == 42
    ip = packet.get("ip")
    assert (ip.get("src"), ip.get("dst"), ip.get("ttl"), ip.get("proto")) == (A4, B4, 33, 6)
    assert (ip.get("len"), ip.get("flags")) == (60, 0x2)  # DF
    tcp = packet.get("tcp")
    assert (tcp.get("srcport"), tcp.get("dstport"), tcp.get("seq"), tcp.get("ack")) == (40000, 443, 99, 0)
    assert (tcp.get("flags_str"), tcp.get("flags.syn"), tcp.get("flags.ack")) == ("S", True, False)
    assert tcp.get("hdr_len") == 40
    assert tcp.get("window_size") == 64240
    assert tcp.get("options.mss_val") == 1460
    assert tcp.get("options.wscale.shift") == 7
    assert tcp.get("options.sack_perm") is True
    assert tcp.get("options.timestamp") == {"tsval": 5, "tsecr": 6}
    assert packet.payload == b""


def test_rich_decoder_reads_back_udp_over_ipv6():
    frame = craft.over_ethernet(craft.udp(A6, B6, 40000, 5001, b"hello", ttl=5), MAC_B, MAC_A)
    packet = decode(LINKTYPE_ETHERNET, frame)
    assert packet.malformed is None
    assert [layer.name for layer in packet.layers] == ["eth", "ipv6", "udp"]
    ipv6 = packet.get("ipv6")
    assert (ipv6.get("src"), ipv6.get("dst")) == (A6, B6)
    assert (ipv6.get("plen"), ipv6.get("nxt"), ipv6.get("hlim")) == (13, 17, 5)
    udp = packet.get("udp")
    assert (udp.get("srcport"), udp.get("dstport"), udp.get("length")) == (40000, 5001, 13)
    assert packet.payload == b"hello"


def test_rich_decoder_reads_back_echo_and_arp():
    ping = decode(LINKTYPE_ETHERNET, craft.over_ethernet(craft.icmp_echo(A4, B4, 7, 8, b"x"), MAC_B, MAC_A))
    icmp = ping.get("icmp")
    assert (icmp.get("type"), icmp.get("ident"), icmp.get("seq")) == (8, 7, 8)
    assert ping.get("eth").get("padding") == ":".join(["00"] * 17)  # 60 - 14 - 20 - 8 - 1

    pong6 = decode(
        LINKTYPE_ETHERNET, craft.over_ethernet(craft.icmp_echo(A6, B6, 7, 8, reply=True), MAC_B, MAC_A)
    )
    icmpv6 = pong6.get("icmpv6")
    assert icmpv6.get("type") == 129
    assert (icmpv6.get("echo.identifier"), icmpv6.get("echo.sequence_number")) == (7, 8)

    arp = decode(LINKTYPE_ETHERNET, craft.arp_request(MAC_A, A4, B4))
    assert arp.malformed is None
    layer = arp.get("arp")
    assert layer.get("opcode") == 1
    assert (layer.get("src.hw_mac"), layer.get("src.proto_ipv4")) == (MAC_A, A4)
    assert (layer.get("dst.hw_mac"), layer.get("dst.proto_ipv4")) == ("00:00:00:00:00:00", B4)
    assert arp.get("eth").get("padding") == ":".join(["00"] * 18)


# --- IPv4 fragments (Pcap4J's IpV4Helper) and ICMPv4 errors --------------------------------------


def big_echo(size: int = 4000, ip_ident: int = 7) -> bytes:
    """A ``size``-byte IPv4 echo request that may be fragmented (DF clear)."""
    data = bytes(i & 0xFF for i in range(size - 28))
    return craft.icmp_echo(A4, B4, 1, 2, data, ttl=100, ip_ident=ip_ident, dont_fragment=False)


def fragment_fields(raw: bytes) -> tuple[int, bool, int]:
    """(offset in bytes, MF, total length) of an IPv4 packet, with its header checksum checked."""
    hl = (raw[0] & 0x0F) * 4
    assert checksum_with_field_zeroed(raw[:hl], 10) == struct.unpack_from("!H", raw, 10)[0]
    (word, total) = struct.unpack_from("!H", raw, 6)[0], struct.unpack_from("!H", raw, 2)[0]
    assert total == len(raw)
    return (word & 0x1FFF) * 8, bool(word & 0x2000), total


def with_options(packet: bytes, options: bytes) -> bytes:
    """``packet`` (no options) with ``options`` (a multiple of 4 bytes) in its header, lengths fixed."""
    raw = bytearray(packet[:20] + options + packet[20:])
    raw[0] = 0x40 | (20 + len(options)) // 4
    struct.pack_into("!HH", raw, 2, len(raw), struct.unpack_from("!H", raw, 4)[0])
    struct.pack_into("!H", raw, 10, 0)
    struct.pack_into("!H", raw, 10, checksum_with_field_zeroed(bytes(raw[: 20 + len(options)]), 10))
    return bytes(raw)


def test_fragment_as_pcap4j_sample_does():
    fragments = craft.fragment(big_echo(), 1403)
    assert [fragment_fields(f) for f in fragments] == [
        (0, True, 1396),
        (1376, True, 1396),
        (2752, False, 1248),
    ]
    for f in fragments:
        assert f[4:6] == b"\x00\x07" and f[8] == 100 and f[9] == 1 and f[12:20] == big_echo()[12:20]


@pytest.mark.parametrize("mtu", [68, 69, 75, 76, 577, 1000, 1499, 1500, 3999])
def test_fragment_then_defragment_gives_the_packet_back(mtu):
    packet = big_echo()
    fragments = craft.fragment(packet, mtu)
    room = (mtu - 20) // 8 * 8
    assert all(len(f) <= mtu for f in fragments) and len(fragments) == -(-3980 // room)
    offsets = [fragment_fields(f) for f in fragments]
    assert [o for o, _, _ in offsets] == list(range(0, 3980, room))
    assert [more for _, more, _ in offsets] == [True] * (len(fragments) - 1) + [False]
    assert craft.defragment(fragments) == packet
    assert craft.defragment(reversed(fragments)) == packet  # any iterable, any order
    shuffled = fragments[1::2] + fragments[::2]
    assert craft.defragment(shuffled) == packet
    assert craft.defragment([*fragments, fragments[0]]) == packet  # a duplicate counts once


def test_a_packet_that_fits_comes_back_alone():
    packet = big_echo(1500)
    assert craft.fragment(packet, 1500) == [packet]
    assert craft.fragment(packet + bytes(4), 1500) == [packet]  # link padding after the total length
    assert craft.defragment([packet]) == packet
    assert craft.fragment(craft.udp(A4, B4, 1, 2, b"x"), 68) == [craft.udp(A4, B4, 1, 2, b"x")]  # DF, fits


def test_fragments_are_split_further_keeping_their_offsets():
    first, second = craft.fragment(big_echo(), 2020)
    pieces = craft.fragment(second, 1000)  # bytes 2000-3979 of the datagram, MF clear
    assert [fragment_fields(p)[:2] for p in pieces] == [(2000, True), (2976, True), (3952, False)]
    pieces_of_first = craft.fragment(first, 1000)  # MF stays set on the last piece
    assert [fragment_fields(p)[:2] for p in pieces_of_first] == [(0, True), (976, True), (1952, True)]
    assert craft.defragment(pieces + pieces_of_first) == big_echo()


def test_options_with_the_copied_flag_go_into_every_fragment():
    security = bytes([0x82, 11]) + bytes(9)  # copied flag set (RFC 791 security)
    record_route = bytes([0x07, 7, 4]) + bytes(4)  # not copied
    options = bytes([1]) + record_route + security + bytes(1)  # NOP, RR, SEC, EOL: 20 bytes
    packet = with_options(big_echo(1200), options)
    fragments = craft.fragment(packet, 600)
    assert (fragments[0][0] & 0x0F) * 4 == 40 and fragments[0][20:40] == options
    for f in fragments[1:]:
        assert (f[0] & 0x0F) * 4 == 32 and f[20:32] == security + bytes(1)
    assert all(fragment_fields(f)[2] <= 600 for f in fragments)
    assert craft.defragment(fragments) == packet


def test_fragments_pass_tcpdump(tcpdump, tmp_path):
    frames = [craft.over_ethernet(f, MAC_B, MAC_A) for f in craft.fragment(big_echo(), 1403)]
    frames.append(craft.over_ethernet(craft.defragment(craft.fragment(big_echo(), 577)), MAC_B, MAC_A))
    packets = tcpdump_packets(tcpdump, tmp_path / "fragments.pcap", frames)
    for text, (offset, flags) in zip(packets, [(0, "+"), (1376, "+"), (2752, "none"), (0, "none")]):
        assert f"id 7, offset {offset}, flags [{flags}]" in text and "bad cksum" not in text, text
    assert "ICMP echo request, id 1, seq 2, length 3980" in packets[3] and "wrong icmp" not in packets[3]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: craft.fragment("packet", 576), "the packet to fragment must be bytes, not str"),
        (lambda: craft.fragment(big_echo(), 1400.0), "MTU must be an integer, not 1400.0"),
        (lambda: craft.fragment(big_echo(), 67), r"MTU too small: 67 \(at least 68"),
        (lambda: craft.fragment(craft.udp(A4, B4, 1, 2, bytes(100)), 68), "DF .* set .*RFC 791 forbids"),
        (lambda: craft.fragment(craft.udp(A6, B6, 1, 2), 1280), "not an IPv4 packet: version 6"),
        (lambda: craft.fragment(big_echo()[:100], 68), "not a whole IPv4 packet: .*total length 4000"),
        (lambda: craft.fragment(bytes(10), 68), "not an IPv4 packet: 10 bytes"),
        (lambda: craft.fragment(with_options(big_echo(), b"\x44\x09\x05\x00"), 68), "bad IPv4 option 68"),
        (lambda: craft.defragment(big_echo()), "fragments must be a list of IPv4 packets, not bytes"),
        (lambda: craft.defragment(7), "fragments must be a list of IPv4 packets, not int"),
        (lambda: craft.defragment([]), "no fragments to reassemble"),
        (
            lambda: craft.defragment(craft.fragment(big_echo(), 1403)[1:]),
            "missing: nothing carries bytes 0-1375",
        ),
        (lambda: craft.defragment(craft.fragment(big_echo(), 1403)[:2]), "last fragment is missing"),
        (
            lambda: craft.defragment(craft.fragment(big_echo(), 1403)[::2]),
            "missing: nothing carries bytes 1376-2751",
        ),
        (
            lambda: craft.defragment(
                [*craft.fragment(big_echo(), 1403), *craft.fragment(big_echo(), 1003)[1:2]]
            ),
            "overlap",
        ),
        (
            lambda: craft.defragment(
                [*craft.fragment(big_echo(), 1403)[:2], craft.fragment(big_echo(ip_ident=8), 1403)[2]]
            ),
            "fragment 3 belongs to another datagram",
        ),
        (lambda: craft.defragment([big_echo(), big_echo()[:20] + b"x"]), "not a whole IPv4 packet"),
    ],
)
def test_bad_fragments_are_a_value_error_naming_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_defragment_refuses_an_odd_fragment_with_mf_set():
    first, *_ = craft.fragment(big_echo(), 1403)
    odd = bytearray(first[:-1])  # 1375 data bytes, MF still set
    struct.pack_into("!H", odd, 2, len(odd))
    with pytest.raises(ValueError, match="has MF set but carries 1375 bytes, not a multiple of 8"):
        craft.defragment([bytes(odd)])


@pytest.mark.parametrize(
    ("icmp_type", "code", "extra", "rest"),
    [
        (3, 1, {}, bytes(4)),
        (3, 4, {"next_hop_mtu": 1400}, b"\x00\x00\x05\x78"),
        (4, 0, {}, bytes(4)),
        (5, 1, {"gateway": "192.0.2.254"}, bytes([192, 0, 2, 254])),
        (11, 0, {}, bytes(4)),
        (12, 0, {"pointer": 9}, b"\x09\x00\x00\x00"),
    ],
)
def test_icmp_error_quotes_the_invoking_header_and_8_bytes(icmp_type, code, extra, rest):
    invoking = craft.udp(A4, B4, 40000, 53, b"0123456789abcdef")
    raw = craft.icmp_error(icmp_type, code, invoking + bytes(6), **extra)  # link padding is not quoted
    assert raw[12:16] == invoking[16:20] and raw[16:20] == invoking[12:16]  # from its destination, back
    assert raw[9] == 1 and fragment_fields(raw) == (0, False, 20 + 8 + 28)
    message = raw[20:]
    assert message[:2] == bytes([icmp_type, code]) and message[4:8] == rest
    assert checksum_with_field_zeroed(message, 2) == struct.unpack_from("!H", message, 2)[0]
    assert message[8:] == invoking[:28]


def test_icmp_error_quotes_more_up_to_576_bytes():
    invoking = big_echo()
    assert len(craft.icmp_error(11, 0, invoking, data_bytes=100)) == 20 + 8 + 20 + 100
    assert len(craft.icmp_error(11, 0, invoking, data_bytes=None)) == 576
    assert len(craft.icmp_error(11, 0, invoking, data_bytes=5000)) == 576
    short = craft.udp(A4, B4, 1, 2, b"")  # 8 data bytes: quoted whole
    assert craft.icmp_error(3, 3, short, data_bytes=None, src="198.51.100.1")[28:] == short
    assert craft.icmp_error(3, 3, short, src="198.51.100.1")[12:16] == bytes([198, 51, 100, 1])


def test_icmp_errors_pass_tcpdump(tcpdump, tmp_path):
    invoking = craft.udp(A4, B4, 40000, 53, b"query")
    errors = [
        craft.icmp_error(3, 3, invoking),
        craft.icmp_error(11, 0, invoking),
        craft.icmp_error(12, 0, invoking, pointer=8),
        craft.icmp_error(3, 4, big_echo(), next_hop_mtu=1400, data_bytes=None),
    ]
    packets = tcpdump_packets(
        tcpdump, tmp_path / "errors.pcap", [craft.over_ethernet(e, MAC_A, MAC_B) for e in errors]
    )
    says = [
        f"{B4} > {A4}: ICMP {B4} udp port 53 unreachable",
        f"{B4} > {A4}: ICMP time exceeded in-transit",
        f"{B4} > {A4}: ICMP parameter problem - octet 8",
        f"{B4} > {A4}: ICMP {B4} unreachable - need to frag (mtu 1400)",
    ]
    for text, said in zip(packets, says):
        assert said in text, text
        for complaint in ("bad cksum", "wrong icmp cksum", "[|"):
            assert complaint not in text, text


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: craft.icmp_error(0, 0, big_echo()), "ICMP type 0 carries no invoking packet"),
        (lambda: craft.icmp_error(3, 256, big_echo()), "ICMP code out of range"),
        (lambda: craft.icmp_error("3", 1, big_echo()), "ICMP type must be an integer"),
        (lambda: craft.icmp_error(3, 1, "packet"), "the invoking packet must be bytes, not str"),
        (lambda: craft.icmp_error(3, 1, craft.udp(A6, B6, 1, 2)), "not an IPv4 packet: version 6"),
        (lambda: craft.icmp_error(5, 0, big_echo()), "a redirect .* needs the gateway"),
        (
            lambda: craft.icmp_error(3, 1, big_echo(), pointer=1),
            "pointer is not a field of ICMP type 3 code 1",
        ),
        (lambda: craft.icmp_error(3, 1, big_echo(), next_hop_mtu=1), "next_hop_mtu is not a field"),
        (lambda: craft.icmp_error(11, 0, big_echo(), gateway=A4), "gateway is not a field"),
        (lambda: craft.icmp_error(3, 1, big_echo(), data_bytes=7), r"data_bytes too small: 7"),
        (lambda: craft.icmp_error(3, 1, big_echo(), src=A6), "an IPv6 address where IPv4 is needed"),
        (
            lambda: craft.icmp_error(3, 1, craft.icmp_error(3, 1, big_echo())),
            "the invoking packet is an ICMP error",
        ),
        (
            lambda: craft.icmp_error(3, 1, craft.fragment(big_echo(), 1403)[1]),
            "a fragment other than the first",
        ),
        (lambda: craft.icmp_error(3, 1, craft.udp("0.0.0.0", B4, 68, 67)), "comes from 0.0.0.0"),
        (lambda: craft.icmp_error(3, 1, craft.udp("224.0.0.1", B4, 1, 2)), "comes from 224.0.0.1"),
    ],
)
def test_bad_icmp_error_input_is_a_value_error_naming_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_icmp_echo_ip_fields():
    raw = craft.icmp_echo(A4, B4, 1, 2, ip_ident=0x1234, dont_fragment=False)
    assert raw[4:6] == b"\x12\x34" and raw[6:8] == b"\x00\x00"
    assert craft.icmp_echo(A4, B4, 1, 2)[6:8] == b"\x40\x00"  # DF by default, as before
    with pytest.raises(ValueError, match="ip_ident is IPv4's identification field"):
        craft.icmp_echo(A6, B6, 1, 2, ip_ident=1)
