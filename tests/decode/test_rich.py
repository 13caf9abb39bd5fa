"""The rich decoder (pycapture.decode.rich): layers, fields and Pcap4J texts for every protocol and link
type it knows, built with dpkt; then the real captures of ../shared/corpus, where it must never raise
and must agree with the lean decoder on addresses, ports and protocols.
"""

from __future__ import annotations

import json
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator

import dpkt
import pytest

from pycapture.decode import lean, rich
from pycapture.decode.model import DecodedPacket, Field, Layer
from pycapture.decode.rich import core
from support.env import CORPUS
from support.frames import (
    ARCNET_ARP,
    IP6_A,
    IP6_B,
    IP6_UDP,
    IP_A,
    IP_B,
    MAC_A,
    MAC_B,
    SAMPLES,
    SNAP_IP,
    TCP_SYN,
    UDP_DATAGRAM,
    arcnet,
    arista_timestamp,
    dns_answer,
    dns_query,
    dot11_data,
    erspan2,
    ether,
    gtpu,
    icmp_echo,
    ipnet,
    ipoib,
    ipv4,
    ipv6,
    juniper,
    l2tp_data,
    pktap,
    ppi,
    ppi_80211_common,
    pppoe_session,
    q922,
    radiotap,
    tcp,
    tls_client_hello,
    udp,
    vlan_tag,
)
from support.traffic import libpcap_records


def names(packet: DecodedPacket) -> list[str]:
    return [layer.name for layer in packet.layers]


def decode_ok(linktype: int, frame: bytes) -> DecodedPacket:
    """Decode a frame that must be well formed: no malformed, and every byte accounted for."""
    packet = rich.decode(linktype, frame)
    assert packet.malformed is None, packet.malformed
    pad = next((f.value for layer in packet.layers for f in layer.fields if f.key == "padding"), "")
    pad_len = len(bytes.fromhex(pad.replace(":", "")))
    used = sum(layer.length for layer in packet.layers) + len(packet.payload) + pad_len
    fcs = 4 if any(layer.get("fcs") is not None for layer in packet.layers) else 0
    if fcs and packet.layers[0].name == "wpan":  # IEEE 802.15.4's FCS is 16 bits
        fcs = 2
    assert used + fcs == len(frame), (names(packet), used, len(frame))
    json.dumps([[f.value for f in layer.fields] for layer in packet.layers])  # JSON-ready values
    return packet


def field(layer: Layer | None, key: str):
    assert layer is not None
    for f in layer.fields:
        if f.key == key:
            return f
    raise AssertionError(f"{layer.name} has no field {key}: {[f.key for f in layer.fields]}")


# --- module behaviour --------------------------------------------------------------------------


def test_importing_rich_does_not_import_scapy():
    code = "import sys, pycapture.decode.rich; print(any(m.split('.')[0] == 'scapy' for m in sys.modules))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "False"


def test_scapy_is_imported_only_for_a_packet_that_needs_it():
    solicit = b"\x01\xab\xcd\xef" + struct.pack("!HH", 8, 2) + b"\x00\x00"  # Solicit, elapsed time 0
    frame = ether(0x86DD, ipv6(17, udp(546, 547, solicit)))
    code = (
        "import sys; from pycapture.decode import rich\n"
        f"rich.decode(1, {ether(0x0800, UDP_DATAGRAM)!r}); print('scapy' in sys.modules)\n"
        f"p = rich.decode(1, {frame!r}); print('scapy' in sys.modules)\n"
        "l = p.get('dhcpv6'); print(l.get('msgtype'), l.get('xid'), [o['code'] for o in l.get('options')])\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.split("\n")[:3] == ["False", "True", f"1 {0xABCDEF} [8]"]


def test_by_version_sends_the_bytes_on_by_their_version():
    decoder = core.by_version("x", "an X header", 5, {1: "xv1", 2: "xv2"}, "unknown X version")
    d = core.Decoding()
    assert decoder(d, b"\x40\x01") == ("xv2", b"\x40\x01") and d.layers == []
    with pytest.raises(core.Bad) as unknown:
        decoder(d, b"\xe0")
    assert (unknown.value.layer, unknown.value.cause) == ("x", "unknown X version 7")
    with pytest.raises(core.Bad) as cut:
        decoder(d, b"")
    assert (cut.value.cause, cut.value.truncated) == ("too short for an X header: 0 of 1 bytes", True)


def test_add_header_adds_the_layer_and_returns_the_bytes_after_it():
    d = core.Decoding()
    fields = [Field("a", "A", 1)]
    assert d.add_header(b"\x01\x02\x03", "x", "X Header", 2, fields) == b"\x03"
    assert d.layers == [Layer("x", "X Header", 2, fields, header=b"\x01\x02")]


def test_unknown_link_type_gives_the_bytes_as_payload():
    packet = rich.decode(147, b"\x01\x02\x03")
    assert packet.layers == [] and packet.payload == b"\x01\x02\x03" and packet.malformed is None
    assert packet.linktype == 147


def test_supported_link_types():
    assert {0, 1, 9, 12, 14, 50, 51, 101, 104, 105, 108, 113, 127, 228, 229, 276} <= rich.SUPPORTED_LINKTYPES
    assert {107, 129, 178, 192, 226, 242, 258} <= rich.SUPPORTED_LINKTYPES  # ARCNET, Frame Relay, IPoIB...
    assert {165, 195, 227, 230, 231, 271} <= rich.SUPPORTED_LINKTYPES  # MS/TP, 802.15.4, SocketCAN...
    assert set(SAMPLES) == rich.SUPPORTED_LINKTYPES


@pytest.mark.parametrize("linktype", sorted(SAMPLES))
def test_every_sample_decodes_whole(linktype):
    for frame in SAMPLES[linktype]:
        decode_ok(linktype, frame)


# --- Ethernet, VLAN, LLC, ARP ------------------------------------------------------------------


def test_ethernet_ipv4_tcp_fields_and_pcap4j_texts():
    p = decode_ok(1, ether(0x0800, TCP_SYN))
    assert names(p) == ["eth", "ip", "tcp"]
    eth, ip, t = p.layers
    assert (eth.title, eth.length) == ("Ethernet Header", 14)
    assert eth.get("src") == "02:00:00:00:00:01" and eth.get("dst") == "02:00:00:00:00:02"
    assert field(eth, "type").label == "Type" and field(eth, "type").display() == "0x0800 (IPv4)"
    assert (ip.title, ip.length) == ("IPv4 Header", 20)
    assert ip.get("src") == "192.0.2.1" and field(ip, "src").display() == "/192.0.2.1"
    assert field(ip, "src").label == "Source address" and field(ip, "dst").label == "Destination address"
    assert field(ip, "proto").display() == "6 (TCP)" and ip.get("ttl") == 64 and ip.get("id") == 0x1234
    assert ip.get("len") == len(TCP_SYN) and field(ip, "hdr_len").display() == "5 (20 [bytes])"
    assert [f.label for f in ip.fields][:12] == [
        "Version", "IHL", "TOS", "Total length", "Identification", "Flags", "Fragment offset", "TTL",
        "Protocol", "Header checksum", "Source address", "Destination address",
    ]  # fmt: skip
    assert (t.title, t.length) == ("TCP Header", 32)
    assert t.get("srcport") == 40000 and t.get("dstport") == 80
    assert field(t, "dstport").display() == "80 (HTTP)" and field(t, "srcport").display() == "40000 (unknown)"
    assert t.get("seq") == 1000 and t.get("hdr_len") == 32 and t.get("window_size") == 65535
    assert t.get("flags") == 0x002 and t.get("flags_str") == "S" and t.get("flags.syn") is True
    assert t.get("options.mss_val") == 1460 and t.get("options.wscale.shift") == 7
    assert t.get("options.sack_perm") is True
    option_lines = [f for f in t.fields if f.key == "options.text"]  # the dump's, as Pcap4J prints them
    assert [f.label for f in option_lines] == ["Option"] * 5 and not any(f.json for f in option_lines)
    assert option_lines[0].display() == (
        "[Kind: 2 (Maximum Segment Size)] [Length: 4 bytes] [Maximum Segment Size: 1460 bytes]"
    )


def test_tcp_flags_letters_follow_tcpdump():
    synack = dpkt.tcp.TH_SYN | dpkt.tcp.TH_ACK
    timestamps = b"\x08\x0a" + struct.pack("!II", 5, 6)
    sack = b"\x05\x0a" + struct.pack("!II", 1, 2)
    opts = b"\x01\x01" + timestamps + b"\x01\x01" + sack + b"\x00\x00"
    p = decode_ok(1, ether(0x0800, ipv4(6, tcp(80, 40000, synack, opts=opts))))
    t = p.get("tcp")
    assert t.get("flags_str") == "S." and t.get("flags") == 0x012
    assert t.get("options.timestamp") == {"tsval": 5, "tsecr": 6}
    assert t.get("options.sack") == [[1, 2]]
    assert rich.tcp_flags_letters(0) == "none"
    assert rich.tcp_flags_letters(dpkt.tcp.TH_FIN | dpkt.tcp.TH_PUSH | dpkt.tcp.TH_ACK) == "FP."


def test_ethernet_padding_is_a_field_of_the_ethernet_layer():
    arp = bytes(dpkt.arp.ARP(sha=MAC_A, spa=IP_A, tha=bytes(6), tpa=IP_B, op=dpkt.arp.ARP_OP_REQUEST))
    p = decode_ok(1, ether(0x0806, arp + bytes(18)))
    assert names(p) == ["eth", "arp"]
    pad = field(p.get("eth"), "padding")
    assert pad.label == "Pad" and pad.value == ":".join(["00"] * 18)
    a = p.get("arp")
    assert (a.title, a.length) == ("ARP Header", 28)
    assert a.get("opcode") == 1 and field(a, "opcode").display() == "1 (REQUEST)"
    assert a.get("src.hw_mac") == "02:00:00:00:00:01" and a.get("src.proto_ipv4") == "192.0.2.1"
    assert a.get("dst.proto_ipv4") == "192.0.2.2" and field(a, "dst.proto_ipv4").display() == "/192.0.2.2"
    # an IPv4 datagram shorter than the 60-byte minimum frame
    p = decode_ok(1, ether(0x0800, UDP_DATAGRAM) + b"\x00" * 9)
    assert p.get("eth").get("padding") == ":".join(["00"] * 9) and p.payload == b"hello"


def test_vlan_and_qinq():
    p = decode_ok(1, ether(0x8100, vlan_tag(100, 0x0800, pri=5) + UDP_DATAGRAM))
    assert names(p) == ["eth", "vlan", "ip", "udp"]
    v = p.get("vlan")
    assert (v.get("id"), v.get("priority"), v.get("dei"), v.get("etype")) == (100, 5, 0, 0x0800)
    assert [f.label for f in v.fields] == ["Priority", "CFI", "VID", "Type"]
    for outer in (0x88A8, 0x9100):
        p = decode_ok(1, ether(outer, vlan_tag(10, 0x8100) + vlan_tag(20, 0x86DD) + IP6_UDP))
        assert names(p) == ["eth", "vlan", "vlan", "ipv6", "udp"]
        assert [layer.get("id") for layer in p.layers[1:3]] == [10, 20]


def test_llc_snap_and_stp():
    frame = SNAP_IP + UDP_DATAGRAM
    p = decode_ok(1, ether(len(frame), frame))
    assert names(p) == ["eth", "llc", "ip", "udp"]
    assert p.get("eth").title == "Ethernet Header" and p.get("eth").get("len") == len(frame)
    assert field(p.get("eth"), "len").display() == f"Length ({len(frame)} bytes)"  # Pcap4J's EtherType text
    llc = p.get("llc")
    assert [f.display() for f in llc.fields] == [
        "170 (SNAP)", "170 (SNAP)", "[modifier function: 0 (UI)] [P/F bit: 0]", "00-00-00 (unknown)",
        "0x0800 (IPv4)",
    ]  # fmt: skip
    assert llc.blocks == ((0, "Logical Link Control header", 3), (3, "Subnetwork Access Protocol header", 5))
    assert (llc.get("dsap"), llc.get("ssap"), llc.get("control"), llc.get("oui"), llc.get("pid")) == (
        0xAA, 0xAA, 3, "00:00:00", 0x0800,
    )  # fmt: skip
    bpdu = bytes(dpkt.stp.STP(root_id=b"\x80\x00" + MAC_A, bridge_id=b"\x80\x00" + MAC_B, port_id=0x8001))
    stp_frame = b"\x42\x42\x03" + bpdu
    p = decode_ok(1, ether(len(stp_frame), stp_frame, dst=b"\x01\x80\xc2\x00\x00\x00") + bytes(4))
    assert names(p) == ["eth", "llc", "stp"]
    assert p.get("stp").get("root.hw") == "02:00:00:00:00:01" and p.get("stp").get("port") == 0x8001


# --- IPv4, IPv6 --------------------------------------------------------------------------------


def test_ipv4_options_and_fragments():
    datagram = bytes(
        dpkt.ip.IP(src=IP_A, dst=IP_B, p=17, hl=6, opts=b"\x94\x04\x00\x00", data=udp(1, 2, b"x"))
    )
    p = decode_ok(1, ether(0x0800, datagram))
    ip = p.get("ip")
    assert ip.length == 24 and ip.get("hdr_len") == 24
    assert ip.get("options") == [{"type": 148, "name": "Router Alert", "length": 4, "data": "0000"}]
    assert names(p) == ["eth", "ip", "udp"]
    # the dump: Pcap4J's line per option (IpV4Option toString()), then what follows them as padding
    dumped = [(f.label, f.display()) for f in ip.fields if f.dump][-1:]
    assert dumped == [
        ("Option", "[option-type: 148 (Router Alert)] [option-length: 4 bytes] [option-data: 0x0000]")
    ]
    lsrr = b"\x83\x07\x04\x0a\x00\x00\x01\x00"  # loose source route via 10.0.0.1, then End of Option List
    datagram = bytes(
        dpkt.ip.IP(src=IP_A, dst=IP_B, p=17, hl=8, opts=lsrr + b"\xff" * 4, data=udp(1, 2, b"x"))
    )
    ip = decode_ok(1, ether(0x0800, datagram)).get("ip")
    assert [(f.label, f.display()) for f in ip.fields if f.dump][-3:] == [
        (
            "Option",
            "[option-type: 131 (Loose Source Routing)] [option-length: 7 bytes] [pointer: 4] "
            "[route data: /10.0.0.1]",
        ),
        ("Option", "[option-type: 0 (End of Option List)]"),
        ("Padding", "0xff ff ff ff"),
    ]

    first = ipv4(17, udp(1, 2, b"x" * 40), mf=1)
    p = decode_ok(1, ether(0x0800, first))
    assert names(p) == ["eth", "ip", "udp"] and p.get("ip").get("flags") == 0x1
    later = ipv4(17, b"y" * 24, offset=5)
    p = decode_ok(1, ether(0x0800, later))
    assert names(p) == ["eth", "ip"] and p.payload == b"y" * 24
    assert p.get("ip").get("frag_offset") == 5
    assert field(p.get("ip"), "frag_offset").display() == "5 (40 [bytes])"
    df = decode_ok(1, ether(0x0800, ipv4(17, udp(1, 2), df=1))).get("ip")
    assert df.get("flags") == 0x2
    assert field(df, "flags").display() == "(Reserved, Don't Fragment, More Fragment) = (false, true, false)"


def test_ipv6_and_its_extension_headers():
    p = decode_ok(1, ether(0x86DD, IP6_UDP))
    ip6 = p.get("ipv6")
    assert (ip6.title, ip6.length) == ("IPv6 Header", 40)
    assert (ip6.get("src"), ip6.get("dst"), ip6.get("nxt"), ip6.get("hlim")) == (
        "2001:db8::1",
        "2001:db8::2",
        17,
        64,
    )
    assert ip6.get("plen") == len(udp(40000, 9999, b"hello"))
    assert field(ip6, "src").display() == "/2001:db8:0:0:0:0:0:1"

    hop = b"\x2b\x00\x01\x04\x00\x00\x00\x00"  # next: routing; PadN
    routing = b"\x2c\x00\x00\x00\x00\x00\x00\x00"  # next: fragment; type 0, no addresses
    fragment = struct.pack("!BBHI", 60, 0, 0x0001, 0xCAFE)  # next: destination options; offset 0, M set
    dstopts = b"\x11\x00\x01\x04\x00\x00\x00\x00"  # next: UDP
    chain = hop + routing + fragment + dstopts + udp(5000, 6000, b"data")
    p = decode_ok(1, ether(0x86DD, ipv6(0, chain)))
    assert names(p) == ["eth", "ipv6", "ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts", "udp"]
    frag = p.get("ipv6.fraghdr")
    assert (frag.get("nxt"), frag.get("offset"), frag.get("more"), frag.get("ident")) == (60, 0, True, 0xCAFE)
    assert [f.display() for f in frag.fields if f.dump] == [
        "60 (Destination Options for IPv6)",
        "00",
        "0",
        "00",
        "true",
        "51966",
    ]
    assert [f.display() for f in p.get("ipv6.hopopts").fields if f.dump][-2:] == [
        "",
        "0x01 (PadN)] [Option Data Len: 4 bytes] [Option Data: 0x00000000]",
    ]
    assert field(p.get("ipv6.routing"), "data").display() == "[reserved: 0] [addresses:]"
    assert p.get("udp").get("dstport") == 6000

    later = struct.pack("!BBHI", 17, 0, (8 << 3), 0xCAFE) + b"z" * 16  # offset 8 (64 bytes)
    p = decode_ok(1, ether(0x86DD, ipv6(44, later)))
    assert names(p) == ["eth", "ipv6", "ipv6.fraghdr"] and p.payload == b"z" * 16


def test_ipv6_next_header_ethernet_and_ip_in_ip():
    p = decode_ok(1, ether(0x0800, ipv4(41, IP6_UDP)))
    assert names(p) == ["eth", "ip", "ipv6", "udp"]
    p = decode_ok(1, ether(0x86DD, ipv6(143, ether(0x0800, UDP_DATAGRAM))))
    assert names(p) == ["eth", "ipv6", "eth", "ip", "udp"]


# --- ICMP, ICMPv6 ------------------------------------------------------------------------------


def test_icmp_echo():
    p = decode_ok(1, ether(0x0800, ipv4(1, icmp_echo(ident=7, seq=9))))
    icmp = p.get("icmp")
    assert names(p) == ["eth", "ip", "icmp"] and icmp.title == "ICMPv4 Common Header"
    assert (icmp.get("type"), icmp.get("code"), icmp.get("ident"), icmp.get("seq")) == (8, 0, 7, 9)
    assert field(icmp, "type").display() == "8 (Echo)" and p.payload == b"ping"


def test_icmp_error_decodes_the_invoking_packet_after_it():
    invoking = ipv4(17, udp(40000, 53, dns_query()))[:28]  # the IP header and 8 bytes, as routers quote
    error = bytes(dpkt.icmp.ICMP(type=3, code=3, data=dpkt.icmp.ICMP.Unreach(data=invoking)))
    p = decode_ok(1, ether(0x0800, ipv4(1, error)))
    assert names(p) == ["eth", "ip", "icmp", "ip", "udp"]
    assert field(p.get("icmp"), "code").display() == "3 (Port Unreachable)"
    assert p.layers[3].get("dst") == "192.0.2.2" and p.layers[4].get("dstport") == 53
    # a quoted TCP header is cut at 8 bytes: that is the quote ending, not a malformed packet
    tcp_invoking = ipv4(6, tcp(40000, 80))[:28]
    error = bytes(dpkt.icmp.ICMP(type=11, code=0, data=dpkt.icmp.ICMP.TimeExceed(data=tcp_invoking)))
    p = rich.decode(1, ether(0x0800, ipv4(1, error)))
    assert names(p) == ["eth", "ip", "icmp", "ip"] and p.malformed is None and len(p.payload) == 8


def _icmpv6(icmp_type: int, body: bytes, code: int = 0) -> bytes:
    return bytes([icmp_type, code]) + b"\x00\x00" + body


def test_icmpv6_neighbor_discovery():
    target = socket.inet_pton(socket.AF_INET6, "fe80::1")
    ns = _icmpv6(135, bytes(4) + target + b"\x01\x01" + MAC_A)
    p = decode_ok(1, ether(0x86DD, ipv6(58, ns)))
    nd = p.get("icmpv6")
    assert names(p) == ["eth", "ipv6", "icmpv6"] and nd.length == 32
    assert nd.get("type") == 135 and field(nd, "type").display() == "135 (Neighbor Solicitation)"
    assert nd.get("nd.target") == "fe80::1" and nd.get("opt.src_linkaddr") == "02:00:00:00:00:01"

    na = _icmpv6(136, struct.pack("!I", 0x60000000) + target + b"\x02\x01" + MAC_B)
    nd = decode_ok(1, ether(0x86DD, ipv6(58, na))).get("icmpv6")
    assert (nd.get("nd.na.flag.r"), nd.get("nd.na.flag.s"), nd.get("nd.na.flag.o")) == (False, True, True)
    assert nd.get("opt.target_linkaddr") == "02:00:00:00:00:02"

    prefix = b"\x03\x04\x40\xc0" + struct.pack("!III", 86400, 14400, 0) + IP6_A[:8] + bytes(8)
    ra = _icmpv6(
        134, struct.pack("!BBHII", 64, 0x80, 1800, 0, 0) + prefix + b"\x05\x01\x00\x00\x00\x00\x05\xdc"
    )
    nd = decode_ok(1, ether(0x86DD, ipv6(58, ra))).get("icmpv6")
    assert nd.get("nd.ra.cur_hop_limit") == 64 and nd.get("nd.ra.flag.m") is True
    assert nd.get("opt.prefix") == "2001:db8::/64" and nd.get("opt.mtu") == 1500
    assert nd.length == 4 + 12 + 32 + 8

    rs = _icmpv6(133, struct.pack("!I", 7) + b"\x01\x01" + MAC_A)
    nd = decode_ok(1, ether(0x86DD, ipv6(58, rs))).get("icmpv6")
    assert (nd.get("reserved"), nd.get("opt.src_linkaddr"), nd.length) == (7, "02:00:00:00:00:01", 16)
    redirect = _icmpv6(137, bytes(4) + target + IP6_B)
    nd = decode_ok(1, ether(0x86DD, ipv6(58, redirect))).get("icmpv6")
    assert (nd.get("nd.target"), nd.get("nd.rd.dst"), nd.length) == ("fe80::1", "2001:db8::2", 40)
    cut = rich.decode(1, ether(0x86DD, ipv6(58, _icmpv6(134, bytes(8)))))
    assert cut.malformed.cause == "too short for an ICMPv6 Router Advertisement message: 8 of 12 bytes"


def test_icmpv6_echo_and_error():
    echo = _icmpv6(128, struct.pack("!HH", 3, 4) + b"abc")
    nd = decode_ok(1, ether(0x86DD, ipv6(58, echo))).get("icmpv6")
    assert (nd.get("echo.identifier"), nd.get("echo.sequence_number")) == (3, 4)
    error = _icmpv6(1, bytes(4) + ipv6(17, udp(1000, 2000, b"q"), src=IP6_B, dst=IP6_A), code=4)
    p = decode_ok(1, ether(0x86DD, ipv6(58, error)))
    assert names(p) == ["eth", "ipv6", "icmpv6", "ipv6", "udp"] and p.layers[4].get("srcport") == 1000


# --- malformed ---------------------------------------------------------------------------------


def test_a_cut_tcp_header_keeps_the_layers_before_it():
    frame = ether(0x0800, ipv4(6, tcp(1, 2))[:26])
    p = rich.decode(1, frame)
    assert names(p) == ["eth", "ip"]  # a cut TCP header is not named (walk.py's _NOT_NAMED says why)
    assert p.malformed is not None and p.malformed.layer == "tcp"
    assert p.malformed.cause == "too short for a TCP header: 6 of 20 bytes"
    assert p.malformed.data == frame[-6:]


@pytest.mark.parametrize(
    ("frame", "layer", "cause"),
    [
        (b"\x00" * 10, "eth", "too short for an Ethernet header: 10 of 14 bytes"),
        (ether(0x0800, b"\x65" + bytes(19)), "ip", "not an IPv4 header: version 6"),
        (ether(0x0800, b"\x43" + bytes(19)), "ip", "bad IPv4 header length: 12 bytes (IHL 3), less than 20"),
        (ether(0x0800, ipv4(17, b"\x00\x01\x00\x02\x00\x05\x00\x00")), "udp",
         "bad UDP length 5: less than the 8-byte header"),
        (ether(0x86DD, IP6_UDP[:30]), "ipv6", "too short for an IPv6 header: 30 of 40 bytes"),
        (ether(0x8100, b"\x00"), "vlan", "too short for an 802.1Q tag: 1 of 4 bytes"),
        (ether(0x0800, ipv4(47, struct.pack("!HHI", 0x1000, 0x88BE, 5) + b"\x30" + bytes(11))), "erspan",
         "unknown ERSPAN version 3"),
        (ether(0x0800, ipv4(47, struct.pack("!HHI", 0x1000, 0x88BE, 5))), "erspan",
         "too short for an ERSPAN header: 0 of 1 bytes"),
        (ether(0x0800, ipv4(17, udp(2152, 2152, b"\x60" + bytes(11)))), "gtp", "unsupported GTP version 3"),
    ],
)  # fmt: skip
def test_malformed_causes(frame, layer, cause):
    p = rich.decode(1, frame)
    assert p.malformed is not None
    assert (p.malformed.layer, p.malformed.cause) == (layer, cause)


def test_a_bad_tcp_option_is_malformed_but_keeps_the_payload():
    p = rich.decode(1, ether(0x0800, ipv4(6, tcp(1, 2, dpkt.tcp.TH_PUSH, b"data", opts=b"\x01\x01\x01\x02"))))
    assert names(p) == ["eth", "ip", "tcp"]
    assert (p.malformed.layer, p.malformed.cause, p.malformed.data) == (
        "tcp",
        "a TCP option is cut short",
        b"data",
    )


def test_cut_tcp_options_keep_the_tcp_layer_as_lean_does():
    frame = ether(0x0800, TCP_SYN)[:-4]  # 8 of the 12 option bytes
    p = rich.decode(1, frame)
    assert names(p) == ["eth", "ip", "tcp"] and p.get("tcp").get("dstport") == 80
    assert p.malformed.cause == "too short for the TCP options: 28 of 32 header bytes"


# --- transport and above -----------------------------------------------------------------------


def test_udp_and_dns_over_udp():
    p = decode_ok(1, ether(0x0800, ipv4(17, udp(33000, 53, dns_answer()))))
    assert names(p) == ["eth", "ip", "udp", "dns"]
    u = p.get("udp")
    assert (u.title, u.get("srcport"), u.get("dstport")) == ("UDP Header", 33000, 53)
    assert field(u, "dstport").display() == "53 (Domain Name Server)"
    assert u.get("length") == 8 + len(dns_answer())
    dns = p.get("dns")
    assert (dns.get("id"), dns.get("qr"), dns.get("opcode"), dns.get("rcode")) == (0x1234, True, 0, 0)
    assert dns.get("flags") == 0x8180 and dns.get("rd") is True and dns.get("ra") is True
    assert dns.get("queries") == [{"name": "www.example.com", "type": 1, "class": 1}]
    assert dns.get("answers") == [
        {"name": "www.example.com", "type": 1, "class": 1, "ttl": 300, "data": "192.0.2.2"}
    ]


def test_dns_over_tcp_has_a_length_prefix():
    message = dns_query("example.org")
    p = decode_ok(
        1, ether(0x0800, ipv4(6, tcp(40000, 53, dpkt.tcp.TH_PUSH, struct.pack("!H", len(message)) + message)))
    )
    assert names(p) == ["eth", "ip", "tcp", "dns"]
    assert p.get("dns").get("length") == len(message) and p.get("dns").get("qr") is False
    assert p.get("dns").get("queries")[0]["name"] == "example.org"
    # a message split across segments stays payload
    cut = struct.pack("!H", len(message)) + message[:10]
    p = decode_ok(1, ether(0x0800, ipv4(6, tcp(40000, 53, dpkt.tcp.TH_PUSH, cut))))
    assert names(p) == ["eth", "ip", "tcp"] and p.payload == cut


def test_dns_records_dpkt_does_not_know_keep_their_data():
    rrsig = dpkt.dns.DNS.RR(name="example.com", type=46, rdata=b"\x01\x02\x03")
    message = bytes(dpkt.dns.DNS(id=1, op=0x8180, qd=[dpkt.dns.DNS.Q(name="example.com")], an=[rrsig]))
    dns = decode_ok(1, ether(0x0800, ipv4(17, udp(53, 40000, message)))).get("dns")
    assert dns.get("answers")[0]["type"] == 46 and dns.get("answers")[0]["data"] == "010203"


def test_sctp_chunks():
    init = struct.pack("!BBH", 1, 0, 20) + struct.pack("!IIHHI", 0xABCD, 65535, 10, 10, 1)
    data = struct.pack("!BBH", 0, 3, 21) + struct.pack("!IHHI", 7, 1, 2, 46) + b"hello" + b"\x00" * 3
    p = decode_ok(1, ether(0x0800, ipv4(132, struct.pack("!HHII", 2905, 2905, 0xDEADBEEF, 0) + init + data)))
    assert names(p) == ["eth", "ip", "sctp"]
    s = p.get("sctp")
    assert (s.get("srcport"), s.get("dstport"), s.get("verification_tag")) == (2905, 2905, 0xDEADBEEF)
    chunks = s.get("chunks")
    assert [c["name"] for c in chunks] == ["INIT", "DATA"]
    assert chunks[1]["tsn"] == 7 and chunks[1]["ppid"] == 46 and chunks[1]["data_length"] == 5


def test_gtp_u_carries_an_inner_ip_packet():
    p = decode_ok(1, ether(0x0800, ipv4(17, udp(2152, 2152, gtpu(ipv4(6, tcp(1234, 80)))))))
    assert names(p) == ["eth", "ip", "udp", "gtp", "ip", "tcp"]
    g = p.get("gtp")
    assert (g.title, g.length, g.get("teid"), g.get("message")) == ("GTPv1 Header", 8, 0x11223344, 255)
    # with a sequence number and a PDU session container extension header
    ext = struct.pack("!HBB", 9, 0, 0x85) + b"\x01\x00\x01\x00"
    inner = IP6_UDP
    frame = struct.pack("!BBHI", 0x36, 255, len(ext) + len(inner), 5) + ext + inner
    p = decode_ok(1, ether(0x0800, ipv4(17, udp(2152, 2152, frame))))
    assert names(p) == ["eth", "ip", "udp", "gtp", "ipv6", "udp"]
    assert p.get("gtp").get("seq_number") == 9 and p.get("gtp").get("ext_hdr") == [0x85]
    assert p.get("gtp").length == 16


def test_gtpv2_control():
    message = struct.pack("!BBHI", 0x48, 32, 8, 0xAABBCCDD) + struct.pack("!I", 0x00010200)
    p = decode_ok(1, ether(0x0800, ipv4(17, udp(2123, 2123, message))))
    assert names(p) == ["eth", "ip", "udp", "gtpv2"]
    assert p.get("gtpv2").get("teid") == 0xAABBCCDD and p.get("gtpv2").get("seq") == 0x000102


def test_radiotap_80211_data_frame_down_to_ip():
    p = decode_ok(127, radiotap(dot11_data(SNAP_IP + UDP_DATAGRAM)))
    assert names(p) == ["radiotap", "wlan", "llc", "ip", "udp"]
    rt = p.get("radiotap")
    assert rt.length == 15 and rt.get("channel.freq") == 2412 and rt.get("dbm_antsignal") == -42
    assert rt.get("datarate") == 6.0
    w = p.get("wlan")
    assert w.length == 24 and w.get("fc.type_subtype") == 0x20 and w.get("fc.fromds") is True
    assert (w.get("da"), w.get("sa"), w.get("seq")) == ("02:00:00:00:00:02", "02:00:00:00:00:01", 42)
    assert p.get("ip").get("src") == "192.0.2.1"
    # with the FCS at the end of the frame, as the radiotap flags announce
    p = decode_ok(127, radiotap(dot11_data(SNAP_IP + TCP_SYN), fcs=True))
    assert names(p) == ["radiotap", "wlan", "llc", "ip", "tcp"] and p.get("wlan").get("fcs") == 0xEFBEADDE


def test_80211_qos_data_without_radiotap():
    p = decode_ok(105, dot11_data(SNAP_IP + UDP_DATAGRAM, qos=True))
    assert names(p) == ["wlan", "llc", "ip", "udp"]
    assert p.get("wlan").length == 26 and p.get("wlan").get("qos") == 5


def test_80211_beacon_body():
    body = struct.pack("<QHH", 123456, 100, 0x0431) + b"\x00\x04home" + b"\x01\x02\x82\x84" + b"\x03\x01\x06"
    frame = b"\x80\x00\x00\x00" + b"\xff" * 6 + MAC_A + MAC_A + b"\x10\x00" + body
    p = decode_ok(105, frame)
    assert names(p) == ["wlan", "wlan.mgt"]
    mgt = p.get("wlan.mgt")
    assert mgt.get("ssid") == "home" and mgt.get("supported_rates") == [1.0, 2.0]
    assert mgt.get("ds.current_channel") == 6 and mgt.get("fixed.beacon") == 100


def test_mpls_label_stack():
    labels = struct.pack("!II", (100 << 12) | (3 << 9) | 64, (200 << 12) | 0x100 | 63)
    p = decode_ok(1, ether(0x8847, labels + UDP_DATAGRAM))
    assert names(p) == ["eth", "mpls", "mpls", "ip", "udp"]
    first, second = p.layers[1:3]
    assert (first.get("label"), first.get("exp"), first.get("bottom"), first.get("ttl")) == (
        100,
        3,
        False,
        64,
    )
    assert (second.get("label"), second.get("bottom"), second.get("ttl")) == (200, True, 63)


def test_gre_then_inner_packets():
    p = decode_ok(1, ether(0x0800, ipv4(47, struct.pack("!HHI", 0x2000, 0x0800, 77) + UDP_DATAGRAM)))
    assert names(p) == ["eth", "ip", "gre", "ip", "udp"]
    assert p.get("gre").get("key") == 77 and p.get("gre").length == 8
    p = decode_ok(1, ether(0x0800, ipv4(47, struct.pack("!HH", 0, 0x6558) + ether(0x86DD, IP6_UDP))))
    assert names(p) == ["eth", "ip", "gre", "eth", "ipv6", "udp"]


def test_arista_timestamp_header():
    p = decode_ok(1, ether(0xD28B, arista_timestamp(0x0800, UDP_DATAGRAM)))
    assert names(p) == ["eth", "avsp", "ip", "udp"]
    a = p.get("avsp")
    assert (a.get("sub_type"), a.get("ver"), a.get("64sec"), a.get("64ns"), a.get("etype"), a.length) == (
        1, 0x0010, 1559162199, 944724424, 0x0800, 14,
    )  # fmt: skip
    p = decode_ok(1, ether(0xD28B, arista_timestamp(0x8100, vlan_tag(100, 0x0800) + UDP_DATAGRAM, 0x0120)))
    assert names(p) == ["eth", "avsp", "vlan", "ip", "udp"]
    assert (p.get("avsp").get("48sec"), p.get("avsp").length) == (60821, 12)
    unknown = decode_ok(1, ether(0xD28B, arista_timestamp(0x0800, UDP_DATAGRAM, 0x0011)))
    assert names(unknown) == ["eth", "avsp"]  # a timestamp format Wireshark does not know either


def test_erspan_types_behind_gre():
    p = decode_ok(
        1, ether(0x0800, ipv4(47, erspan2(ether(0x0800, UDP_DATAGRAM, dst=b"\x01\x00\x5e\x00\x00\x02"))))
    )
    assert names(p) == ["eth", "ip", "gre", "erspan", "eth", "ip", "udp"]
    e = p.get("erspan")
    assert (e.get("version"), e.get("vlan"), e.get("cos"), e.get("spanid"), e.get("index")) == (
        1,
        101,
        6,
        1,
        540773,
    )
    assert e.title == "ERSPAN Type II Header" and p.layers[4].get("dst") == "01:00:5e:00:00:02"
    type_one = decode_ok(1, ether(0x0800, ipv4(47, struct.pack("!HH", 0, 0x88BE) + ether(0x86DD, IP6_UDP))))
    assert names(type_one) == ["eth", "ip", "gre", "erspan", "eth", "ipv6", "udp"]
    assert type_one.get("erspan").length == 0  # type I has no header of its own
    three = struct.pack("!HHIHH", (2 << 12) | 20, 1, 2740542463, 0, 3 << 1)  # Ethernet frame, gra 3
    p = decode_ok(
        1, ether(0x0800, ipv4(47, struct.pack("!HH", 0, 0x22EB) + three + ether(0x0800, UDP_DATAGRAM)))
    )
    assert names(p) == ["eth", "ip", "gre", "erspan", "eth", "ip", "udp"]
    assert (p.get("erspan").get("version"), p.get("erspan").get("timestamp"), p.get("erspan").get("gra")) == (
        2, 2740542463, 3,
    )  # fmt: skip
    # type III behind 0x88be with a sequence number: the version picks the header
    sequenced = struct.pack("!HHI", 0x1000, 0x88BE, 5) + three + ether(0x0800, UDP_DATAGRAM)
    p = decode_ok(1, ether(0x0800, ipv4(47, sequenced)))
    assert names(p) == ["eth", "ip", "gre", "erspan", "eth", "ip", "udp"]
    assert p.get("erspan").title == "ERSPAN Type III Header"


def test_l2tp_carries_ppp():
    p = decode_ok(1, ether(0x0800, ipv4(17, udp(1701, 1701, l2tp_data(b"\xff\x03\x00\x57" + IP6_UDP)))))
    assert names(p) == ["eth", "ip", "udp", "l2tp", "ppp", "ipv6", "udp"]
    lt = p.get("l2tp")
    assert (lt.get("version"), lt.get("tunnel"), lt.get("session"), lt.get("offset"), lt.length) == (
        2, 0x4A32, 0xD35E, 0, 8,
    )  # fmt: skip
    control = struct.pack("!HHHHHH", 0xC802, 12, 1, 0, 0, 0)  # T, L, S: a control message without AVPs
    p = decode_ok(1, ether(0x0800, ipv4(17, udp(1701, 1701, control))))
    assert names(p) == ["eth", "ip", "udp", "l2tp"] and p.get("l2tp").get("type") == 1
    assert p.get("l2tp").get("length") == 12 and p.get("l2tp").get("Nr") == 0


def test_cisco_hdlc_slarp_is_not_arp():
    slarp = struct.pack("!I", 2) + bytes(14)  # a SLARP keepalive
    p = decode_ok(104, b"\x8f\x00\x80\x35" + slarp)
    assert names(p) == ["chdlc", "slarp"] and p.get("slarp").get("ptype") == 2


def test_vxlan_and_geneve_carry_ethernet():
    inner = ether(0x0800, TCP_SYN, dst=b"\x0a" * 6)
    p = decode_ok(1, ether(0x0800, ipv4(17, udp(50000, 4789, struct.pack("!BxxxI", 8, 42 << 8) + inner))))
    assert names(p) == ["eth", "ip", "udp", "vxlan", "eth", "ip", "tcp"]
    assert p.get("vxlan").get("vni") == 42 and p.layers[4].get("dst") == "0a:0a:0a:0a:0a:0a"
    geneve = struct.pack("!BBHI", 1, 0, 0x6558, 7 << 8) + b"\x01\x02\x03\x00"  # one 4-byte option
    p = decode_ok(1, ether(0x0800, ipv4(17, udp(50000, 6081, geneve + inner))))
    assert names(p) == ["eth", "ip", "udp", "geneve", "eth", "ip", "tcp"]
    assert p.get("geneve").get("vni") == 7 and p.get("geneve").length == 12


def test_pppoe_discovery_and_session():
    tags = struct.pack("!HH", 0x0101, 0) + struct.pack("!HH", 0x0103, 4) + b"\x01\x02\x03\x04"
    padi = struct.pack("!BBHH", 0x11, 0x09, 0, len(tags)) + tags
    p = decode_ok(1, ether(0x8863, padi, dst=b"\xff" * 6))
    assert names(p) == ["eth", "pppoed"]
    d = p.get("pppoed")
    assert d.get("code") == 0x09 and field(d, "code").display() == "0x09 (PADI)"
    assert [t["name"] for t in d.get("tags")] == ["Service-Name", "Host-Uniq"]
    p = decode_ok(1, ether(0x8864, pppoe_session(b"\x00\x21" + UDP_DATAGRAM)))
    assert names(p) == ["eth", "pppoes", "ppp", "ip", "udp"]
    assert p.get("pppoes").get("session_id") == 0x1234 and p.get("ppp").get("protocol") == 0x21
    p = decode_ok(51, pppoe_session(b"\x00\x57" + IP6_UDP))
    assert names(p) == ["pppoes", "ppp", "ipv6", "udp"]


def test_ppp_link_types():
    p = decode_ok(9, b"\xff\x03\x00\x21" + UDP_DATAGRAM)
    assert names(p) == ["ppp", "ip", "udp"] and p.get("ppp").get("address") == 0xFF
    assert field(p.get("ppp"), "protocol").display() == "0x0021 (IPv4)"
    assert names(decode_ok(9, b"\xff\x03\x21" + UDP_DATAGRAM)) == ["ppp", "ip", "udp"]  # compressed protocol
    assert names(decode_ok(9, b"\x00\x57" + IP6_UDP)) == ["ppp", "ipv6", "udp"]  # no address and control
    lcp = decode_ok(50, b"\xff\x03\xc0\x21\x01\x01\x00\x04")
    assert names(lcp) == ["ppp", "lcp"] and lcp.get("lcp").get("code") == 1
    assert field(lcp.get("ppp"), "protocol").display() == "0xc021 (Link Control Protocol)"
    assert names(decode_ok(50, b"\x0f\x00\x08\x00" + UDP_DATAGRAM)) == ["chdlc", "ip", "udp"]
    odd = decode_ok(50, b"\xff\x5f\x7e\x08data")  # PPP_SERIAL always has address and control bytes
    assert names(odd) == ["ppp"] and odd.get("ppp").get("protocol") == 0x7E08 and odd.payload == b"data"
    p = decode_ok(104, b"\x8f\x00\x86\xdd" + IP6_UDP)
    assert names(p) == ["chdlc", "ipv6", "udp"] and p.get("chdlc").get("protocol") == 0x86DD


def test_dhcp_and_ntp():
    discover = bytes(dpkt.dhcp.DHCP(chaddr=MAC_A, xid=0x1234, opts=[(53, b"\x01"), (55, b"\x01\x03\x06")]))
    p = decode_ok(1, ether(0x0800, ipv4(17, udp(68, 67, discover))))
    assert names(p) == ["eth", "ip", "udp", "dhcp"]
    dhcp = p.get("dhcp")
    assert dhcp.get("option.dhcp") == 1 and field(dhcp, "option.dhcp").display() == "1 (Discover)"
    assert dhcp.get("hw.mac_addr") == "02:00:00:00:00:01" and dhcp.get("id") == 0x1234
    assert [o["code"] for o in dhcp.get("options")] == [53, 55]

    request = bytes([0x23, 0, 6, 0xEC]) + bytes(44)  # NTPv4 client, precision -20
    p = decode_ok(1, ether(0x0800, ipv4(17, udp(40000, 123, request))))
    assert names(p) == ["eth", "ip", "udp", "ntp"]
    ntp = p.get("ntp")
    assert (ntp.get("flags.vn"), ntp.get("flags.mode"), ntp.get("precision")) == (4, 3, -20)
    assert field(ntp, "flags.mode").display() == "3 (client)" and ntp.get("xmt") == "NULL"


def test_http_request_and_status_lines():
    request = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n"
    p = decode_ok(1, ether(0x0800, ipv4(6, tcp(40000, 80, dpkt.tcp.TH_PUSH, request))))
    assert names(p) == ["eth", "ip", "tcp", "http"]
    http = p.get("http")
    assert (http.get("request.method"), http.get("request.uri"), http.get("request.version")) == (
        "GET", "/index.html", "HTTP/1.1",
    )  # fmt: skip
    assert http.length == len(b"GET /index.html HTTP/1.1\r\n") and p.payload == b"Host: example.com\r\n\r\n"
    # a status line on a port that is not HTTP's: recognised by how it starts
    response = b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    http = decode_ok(1, ether(0x0800, ipv4(6, tcp(5000, 40000, dpkt.tcp.TH_PUSH, response)))).get("http")
    assert (http.get("response.code"), http.get("response.phrase")) == (404, "Not Found")
    # the middle of a body on port 80 is not HTTP
    p = decode_ok(1, ether(0x0800, ipv4(6, tcp(80, 40000, dpkt.tcp.TH_PUSH, b"<html>\n<body>"))))
    assert names(p) == ["eth", "ip", "tcp"]


def test_tls_client_hello_server_name_on_any_port():
    hello = tls_client_hello("www.example.net")
    p = decode_ok(1, ether(0x0800, ipv4(6, tcp(50000, 9443, dpkt.tcp.TH_PUSH, hello))))
    assert names(p) == ["eth", "ip", "tcp", "tls"]
    tls = p.get("tls")
    assert tls.get("record.content_type") == 22 and tls.get("handshake.type") == 1
    assert tls.get("handshake.extensions_server_name") == "www.example.net"
    # a ClientHello cut by the end of the segment (here in its ALPN extension) still names the server
    p = decode_ok(1, ether(0x0800, ipv4(6, tcp(50000, 443, dpkt.tcp.TH_PUSH, hello[:-6]))))
    assert p.get("tls").get("handshake.extensions_server_name") == "www.example.net"


# --- other link types --------------------------------------------------------------------------


def test_linux_cooked_captures():
    p = decode_ok(113, struct.pack("!HHH8sH", 4, 1, 6, MAC_A + b"\x00\x00", 0x0800) + UDP_DATAGRAM)
    assert names(p) == ["sll", "ip", "udp"]
    sll = p.get("sll")
    assert (sll.get("pkttype"), sll.get("hatype"), sll.get("src.eth"), sll.get("etype")) == (
        4, 1, "02:00:00:00:00:01", 0x0800,
    )  # fmt: skip
    p = decode_ok(276, struct.pack("!HHiHBB8s", 0x86DD, 0, 3, 1, 4, 6, MAC_A) + IP6_UDP)
    assert names(p) == ["sll", "ipv6", "udp"] and p.get("sll").get("ifindex") == 3
    assert p.get("sll").title == "Linux SLL2 Header"


def test_loopback_and_raw_ip():
    assert names(decode_ok(0, struct.pack("<I", 2) + UDP_DATAGRAM)) == ["null", "ip", "udp"]
    p = decode_ok(0, struct.pack(">I", 30) + IP6_UDP)  # big-endian family from another host
    assert names(p) == ["null", "ipv6", "udp"] and p.get("null").get("family") == 30
    assert names(decode_ok(108, struct.pack(">I", 2) + UDP_DATAGRAM)) == ["null", "ip", "udp"]
    for linktype in (12, 14, 101):
        assert names(decode_ok(linktype, UDP_DATAGRAM)) == ["ip", "udp"]
    assert names(decode_ok(101, IP6_UDP)) == ["ipv6", "udp"]
    assert names(decode_ok(228, UDP_DATAGRAM)) == ["ip", "udp"]
    assert names(decode_ok(229, IP6_UDP)) == ["ipv6", "udp"]
    assert rich.decode(12, b"\x50" + bytes(30)).malformed.cause == "not an IP packet: version 5"


def test_arcnet_rfc1051_and_rfc1201_headers():
    p = decode_ok(129, arcnet(0xF0, TCP_SYN))  # RFC 1051: the packet right after the protocol ID
    assert names(p) == ["arcnet", "ip", "tcp"] and p.get("arcnet").length == 5
    a = p.get("arcnet")
    assert (a.get("src"), a.get("dst"), a.get("offset"), a.get("protID")) == (0xBE, 0x50, "ea08", 0xF0)
    assert field(a, "protID").display() == "0xf0 (RFC 1051 IP)" and a.title == "ARCNET Header"
    p = decode_ok(129, arcnet(0xD4, UDP_DATAGRAM))  # RFC 1201: split flag and sequence number first
    assert names(p) == ["arcnet", "ip", "udp"] and p.get("arcnet").length == 8
    assert (p.get("arcnet").get("split_flag"), p.get("arcnet").get("sequence")) == (0, 357)
    p = decode_ok(129, arcnet(0xD5, ARCNET_ARP))
    assert names(p) == ["arcnet", "arp"]
    assert (p.get("arp").get("src.hw"), p.get("arp").get("src.proto_ipv4")) == ("be", "192.0.2.1")
    assert names(decode_ok(129, arcnet(0xC4, IP6_UDP))) == ["arcnet", "ipv6", "udp"]
    assert names(decode_ok(129, arcnet(0xD4, UDP_DATAGRAM, split=1))) == ["arcnet", "ip", "udp"]
    later = decode_ok(129, arcnet(0xD4, b"rest of a split packet", split=2))  # no IP header in it
    assert names(later) == ["arcnet"] and later.payload == b"rest of a split packet"
    assert rich.decode(129, arcnet(0xD4, b"")[:6]).malformed.cause == (
        "too short for an RFC 1201 ARCNET header: 1 of 3 bytes"
    )


def test_frame_relay_encapsulations():
    p = decode_ok(107, q922(302) + b"\x86\xdd" + IP6_UDP)  # Cisco: an ethertype after the address
    assert names(p) == ["fr", "ipv6", "udp"] and p.get("fr").title == "Frame Relay Header"
    fr = p.get("fr")
    assert (fr.get("dlci"), fr.get("chdlctype"), fr.length) == (302, 0x86DD, 4)
    assert field(fr, "chdlctype").display() == "0x86dd (IPv6)"
    p = decode_ok(107, q922(16, fecn=True) + b"\x03\xcc" + UDP_DATAGRAM)  # RFC 2427: UI, NLPID IPv4
    assert names(p) == ["fr", "ip", "udp"]
    fr = p.get("fr")
    assert (fr.get("dlci"), fr.get("fecn"), fr.get("control"), fr.get("nlpid"), fr.length) == (
        16,
        True,
        3,
        0xCC,
        4,
    )
    p = decode_ok(107, q922(16) + b"\x03\x00\x80\x00\x00\x00\x08\x00" + TCP_SYN)  # pad, SNAP, OUI 0
    assert (
        names(p) == ["fr", "ip", "tcp"] and p.get("fr").get("snaptype") == 0x0800 and p.get("fr").length == 10
    )
    assert names(decode_ok(107, q922(16) + b"\x03\x8e" + IP6_UDP)) == ["fr", "ipv6", "udp"]
    isis = decode_ok(107, q922(16) + b"\x03\x83\x14\x01\x00\x11\x01\x00\x00")  # OSI: the NLPID is the PDU's
    assert names(isis) == ["fr", "isis", "isis.hello"] and isis.get("fr").get("nlpid") == 0x83  # first byte
    p = decode_ok(107, b"\x80\xea\x9d\x08\x00" + UDP_DATAGRAM)  # a 3-octet address, from tcpdump's tests
    assert names(p) == ["fr", "ip", "udp"]
    assert (p.get("fr").get("dlci"), p.get("fr").get("de"), p.get("fr").length) == (33703, True, 5)
    lmi = decode_ok(107, q922(0) + b"\x01\x00\x75\x95")  # DLCI 0, not UI: LAPF signalling, left undecoded
    assert names(lmi) == ["fr"] and lmi.payload == b"\x00\x75\x95"
    assert rich.decode(107, b"\x01\x02\x03").malformed.cause == (
        "bad Q.922 address: the EA bit of its first octet is set"
    )


def test_ipoib_pseudo_header_then_ip():
    p = decode_ok(242, ipoib(0x0800, TCP_SYN))
    assert names(p) == ["ipoib", "ip", "tcp"]
    ib = p.get("ipoib")
    assert (ib.length, ib.get("type"), ib.get("daddr.qpn"), ib.get("dgid")) == (
        44,
        0x0800,
        0x550,
        "2001:db8::2",
    )
    assert ib.title == "IPoIB Header" and field(ib, "type").display() == "0x0800 (IPv4)"
    assert names(decode_ok(242, ipoib(0x86DD, IP6_UDP))) == ["ipoib", "ipv6", "udp"]
    grh = struct.pack("!II", 0x60000000, 0x12) + IP6_A + IP6_B  # with a GRH: the sender's QPN and GID
    p = decode_ok(242, grh + struct.pack("!HH", 0x0800, 0) + UDP_DATAGRAM)
    assert (p.get("ipoib").get("grh.sqpn"), p.get("ipoib").get("grh.sgid")) == (0x12, "2001:db8::1")
    assert rich.decode(242, ipoib(0x0800, b"")[:30]).malformed.cause == (
        "too short for an IPoIB pseudo-header and header: 30 of 44 bytes"
    )
    p = decode_ok(
        242, struct.pack("!HH", 0x0800, 0) + UDP_DATAGRAM
    )  # RFC 4391's header alone, no pseudo-header
    assert names(p) == ["ipoib", "ip", "udp"] and p.get("ipoib").length == 4
    assert lean.decode(242, struct.pack("!HH", 0x86DD, 0) + IP6_UDP, 44)[0] == ("link", "ipoib", 4, 0x86DD)


def test_solaris_ipnet():
    p = decode_ok(226, ipnet(2, UDP_DATAGRAM))
    assert names(p) == ["ipnet", "ip", "udp"]
    n = p.get("ipnet")
    assert (n.get("family"), n.get("pktlen"), n.get("ifindex"), n.get("zsrc"), n.length) == (
        2, len(UDP_DATAGRAM), 2, 0xFFFFFFFF, 24,
    )  # fmt: skip
    assert field(n, "family").display() == "2 (AF_INET)" and n.title == "IPNET Header"
    p = decode_ok(226, ipnet(26, IP6_UDP, hook=1))
    assert names(p) == ["ipnet", "ipv6", "udp"] and field(p.get("ipnet"), "htype").display() == "1 (Outbound)"
    assert names(decode_ok(226, ipnet(17, b"\x00\x01"))) == ["ipnet"]  # an address family it does not name


def test_ppi_then_the_frame_of_its_dlt():
    p = decode_ok(192, ppi(1, ether(0x0800, UDP_DATAGRAM)))
    assert names(p) == ["ppi", "eth", "ip", "udp"]
    assert field(p.get("ppi"), "dlt").display() == "1 (EN10MB)" and p.get("ppi").length == 8
    frame = dot11_data(SNAP_IP + UDP_DATAGRAM, qos=True) + b"\xde\xad\xbe\xef"
    p = decode_ok(192, ppi(105, frame, ppi_80211_common(fcs=True)))  # 802.11-Common says: an FCS at the end
    assert names(p) == ["ppi", "wlan", "llc", "ip", "udp"]
    assert (
        p.get("ppi").get("80211-common.flags") == 1 and p.get("ppi").get("80211-common.dbm.antsignal") == -56
    )
    assert p.get("wlan").get("fcs") == 0xEFBEADDE and p.get("ppi").get("field_type") == [2]
    assert rich.decode(192, struct.pack("<BBHI", 0, 0, 4, 1)).malformed.cause == (
        "bad PPI header length 4: less than the 8-byte minimum"
    )
    assert names(decode_ok(192, ppi(147, b"user data"))) == ["ppi"]  # a DLT the decoder does not know


def test_pktap_then_the_frame_of_its_dlt():
    p = decode_ok(258, pktap(1, ether(0x0800, UDP_DATAGRAM)))
    assert names(p) == ["pktap", "eth", "ip", "udp"]
    t = p.get("pktap")
    assert (t.get("ifname"), t.get("cmdname"), t.get("pid"), t.get("epid"), t.get("llhdrlen")) == (
        "en0", "curl", 512, 0xFFFFFFFF, 14,
    )  # fmt: skip
    assert t.length == 108 and t.title == "PKTAP Header"
    assert names(decode_ok(258, pktap(1, ether(0x0800, UDP_DATAGRAM), header_length=112))) == [
        "pktap", "eth", "ip", "udp",
    ]  # fmt: skip
    assert names(decode_ok(258, pktap(1, b"metadata", rectype=2))) == ["pktap"]  # not a packet record
    assert rich.decode(258, pktap(1, b"", header_length=100)).malformed.cause == (
        "bad PKTAP header length 100: less than 108"
    )


def test_juniper_ethernet():
    p = decode_ok(178, juniper(ether(0x0800, TCP_SYN)))
    assert names(p) == ["juniper", "eth", "ip", "tcp"]
    j = p.get("juniper")
    assert (j.length, j.get("ext_total_len"), j.get("ext.ifd"), j.get("ext.ifl"), j.get("direction")) == (
        16, 10, 140, 332, 0,
    )  # fmt: skip
    assert p.get("eth").get("src") == "02:00:00:00:00:01"
    assert names(decode_ok(178, juniper(ether(0x86DD, IP6_UDP), flags=0x01))) == [
        "juniper",
        "eth",
        "ipv6",
        "udp",
    ]
    p = decode_ok(178, juniper(struct.pack("<I", 2) + UDP_DATAGRAM, flags=0x02))  # no layer-2 header
    assert names(p) == ["juniper", "ip", "udp"] and p.get("juniper").get("proto") == 2
    assert rich.decode(178, b"XYZ\x00" + bytes(20)).malformed.cause == (
        "no Juniper magic number: 0x58595a, not 0x4d4743"
    )


def test_other_link_types_agree_with_the_lean_decoder():
    for linktype in (107, 129, 178, 192, 226, 242, 258):
        assert linktype in lean.SUPPORTED_LINKTYPES
        for frame in SAMPLES[linktype]:
            layers = lean.decode(linktype, frame, len(frame))
            found, expected = _rich_facts(rich.decode(linktype, frame)), _lean_facts(layers)
            network = any(t[0] in ("ip", "ip6", "arp") or t[:2] == ("ethproto", "arp") for t in layers)
            assert found == expected and network, (linktype, layers)
    layers = lean.decode(242, ipoib(0x0800, TCP_SYN), 44 + len(TCP_SYN))
    assert layers[0] == ("link", "ipoib", 44, 0x0800) and layers[1][0] == "ip"
    layers = lean.decode(258, pktap(1, ether(0x0800, UDP_DATAGRAM)), 200)
    assert [t[0] for t in layers] == ["link", "eth", "ip", "udp"] and layers[0][1:] == ("pktap", 108, 1)
    nested = pktap(258, pktap(1, ether(0x0800, UDP_DATAGRAM)))  # PKTAP in PKTAP: lean does not recurse
    assert lean.decode(258, nested, len(nested))[1][:3] == ("other", "linktype", 258)


# --- the corpus --------------------------------------------------------------------------------


def read_capture(path) -> Iterator[tuple[int, bytes, int]]:
    """(linktype, bytes, original length) of each packet libpcap can read; stops at the first damage."""
    linktype, records = libpcap_records(path)
    for _sec, _frac, length, data in records:
        yield linktype, data, length


def corpus_packets(name: str) -> list[DecodedPacket]:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in ../shared/corpus")
    return [rich.decode(linktype, data) for linktype, data, _ in read_capture(path)]


def test_corpus_radiotap_80211_data_frame_down_to_dhcp():
    first = corpus_packets("ieee802.11_htc.pcap")[0]  # a QoS data frame with +HTC, from tshark's test
    assert names(first) == ["radiotap", "wlan", "llc", "ip", "udp", "dhcp"] and first.malformed is None
    assert first.get("wlan").get("htc") == 0xFFFFFFFF and first.get("wlan").get("da") == "ff:ff:ff:ff:ff:ff"
    assert first.get("ip").get("dst") == "255.255.255.255" and first.get("dhcp").get("option.dhcp") == 1


def test_corpus_80211_management_frames():
    packets = corpus_packets("libpcap-Network_Join_Nokia_Mobile.pcap")
    assert packets[0].get("wlan.mgt").get("ssid") == "martinet3"  # a probe request, as tcpdump shows it
    assert all(p.malformed is None for p in packets)


def test_corpus_sctp_has_chunks():
    packets = corpus_packets("isup.pcap")
    sctp = packets[0].get("sctp")
    assert sctp is not None and [c["name"] for c in sctp.get("chunks")] == ["DATA"]
    assert sctp.get("chunks")[0]["ppid"] == 3  # M3UA


def test_corpus_gtp():
    # Pcap4J's GTPv1 sample is a control message (port 2123): no inner packet, an S and a PN flag
    gtp = corpus_packets("pcap4j-GtpV1PacketTest.pcap")[0].get("gtp")
    assert gtp.get("teid") == 1234567890 and gtp.get("flags.s") is True and gtp.get("flags.e") is False
    assert gtp.get("seq_number") == 0x10E1


def test_corpus_dns_names():
    udp_packets = corpus_packets("dns_udp.pcap")
    assert udp_packets[0].get("dns").get("queries")[0]["name"] == "www.tcpdump.org"
    answers = udp_packets[1].get("dns").get("answers")
    assert [a["data"] for a in answers] == ["192.139.46.66", "198.199.88.104"]
    tcp_answers = [p.get("dns") for p in corpus_packets("dns_tcp.pcap") if p.get("dns")]
    assert [d.get("count.answers") for d in tcp_answers] == [0, 2]
    pppoe = corpus_packets("dpkt-nb6-http.pcap")[1]
    assert names(pppoe) == ["eth", "pppoes", "ppp", "ip", "udp", "dns"]
    assert pppoe.get("dns").get("answers")[0]["data"] == "http.service-ncdn.sfr.net"


def test_corpus_vxlan_carries_ipv6():
    packets = corpus_packets("gso-ipv4-vxlan-ipv6.pcap")
    assert any(names(p)[:7] == ["eth", "ip", "udp", "vxlan", "eth", "ipv6", "tcp"] for p in packets)


# (file, packet number from 1): the layers down to IP, the first IP source address, and one header
# field, as tshark 4.0 shows them
CORPUS_LINK_TYPES = [
    ("arcnet-rfc1051-arp-icmp-http.pcap", 3, ["arcnet", "ip", "icmp"], "10.80.131.1",
     ("arcnet", "protID", 0xF0)),
    ("arcnet-rfc1201-arp-icmp-http.pcap", 3, ["arcnet", "ip", "icmp"], "10.80.131.1",
     ("arcnet", "sequence", 358)),
    ("OSPFv3_NBMA_adjacencies.pcap", 1, ["fr", "ipv6"], "fe80::3", ("fr", "dlci", 302)),
    ("icmp-icmp_print-oobr-2.pcap", 1, ["fr", "ip"], "250.219.91.20", ("fr", "dlci", 33703)),
    ("ipoib.pcap", 1, ["ipoib", "ip", "icmp"], "192.168.56.10", ("ipoib", "daddr.qpn", 0x550)),
    ("e1000g.pcap", 1, ["ipnet", "ip", "icmp"], "129.146.106.55", ("ipnet", "zsrc", 4294967295)),
    ("libpcap-http_PPI.pcap", 1, ["ppi", "wlan", "llc", "ip", "udp", "dns"], "192.168.1.132",
     ("ppi", "dlt", 105)),
    ("LINKTYPE_PKTAP.pcap", 1, ["pktap", "eth", "ip", "udp", "dns"], "10.32.4.27",
     ("pktap", "ifname", "en0")),
    ("bgp-aigp.pcap", 1, ["juniper", "eth", "ip", "tcp"], "172.16.20.5", ("juniper", "ext.ifd", 140)),
    ("arista_ether.pcap", 1, ["eth", "avsp", "ip"], "10.136.1.32", ("avsp", "64sec", 1559162199)),
    ("arista_ether.pcap", 11, ["eth", "avsp", "mpls", "ip"], "10.136.1.32", ("avsp", "48sec", 60822)),
    ("erspan-type-ii-2.pcap", 1, ["eth", "ip", "gre", "erspan", "eth", "ip", "udp"], "192.168.195.67",
     ("erspan", "index", 540773)),
    ("dpkt-nb6-http.pcap", 53, ["eth", "pppoes", "ppp", "ip", "udp", "l2tp", "ppp", "ipv6", "tcp"],
     "95.136.242.99", ("l2tp", "session", 8298)),
]  # fmt: skip


# the layer a frame above is malformed in, past the layers it checks: icmp-icmp_print-oobr-2's VRRP header
# is cut to 2 bytes (tshark too: "[Malformed Packet: VRRP]")
CORPUS_MALFORMED_BEYOND = {"icmp-icmp_print-oobr-2.pcap": "vrrp"}


@pytest.mark.parametrize(("name", "number", "layers", "src", "check"), CORPUS_LINK_TYPES)
def test_corpus_link_types_and_encapsulations_down_to_ip(name, number, layers, src, check):
    packet = corpus_packets(name)[number - 1]
    assert names(packet)[: len(layers)] == layers
    beyond = CORPUS_MALFORMED_BEYOND.get(name)
    assert (packet.malformed.layer if packet.malformed else None) == beyond
    assert (packet.get("ip") or packet.get("ipv6")).get("src") == src
    layer, key, value = check
    assert packet.get(layer).get(key) == value


_IP6_CHAIN = ("hbh", "dstopt", "rt6", "frag", "ah")  # lean's "ipx" kinds of IPv6's extension headers


def _lean_facts(layers: list[tuple]) -> list[tuple]:
    def text(raw: bytes) -> str:
        return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)

    facts = []
    for i, layer in enumerate(layers):
        if layer[0] in ("ip", "ip6"):
            proto = layer[3]
            if layer[0] == "ip6":  # the protocol after the extension headers (and AH), as rich's facts say
                for ext in layers[i + 1 :]:
                    if ext[0] != "ipx" or ext[1] not in _IP6_CHAIN or ext[3] < 0:
                        break
                    proto = ext[3]
                    if ext[1] == "frag":
                        break
            facts.append((layer[0], text(layer[1]), text(layer[2]), proto))
        elif layer[0] in ("tcp", "udp"):
            facts.append((layer[0], layer[1], layer[2]))
    return facts


def _rich_facts(packet: DecodedPacket) -> list[tuple]:
    facts = []
    layers = packet.layers
    for i, layer in enumerate(layers):
        if layer.name == "ip":
            facts.append(("ip", layer.get("src"), layer.get("dst"), layer.get("proto")))
        elif layer.name == "ipv6":
            # lean gives the protocol after the extension headers, and stops at the first fragment header
            nxt = layer.get("nxt")
            for ext in layers[i + 1 :]:
                if not (ext.name.startswith("ipv6.") or ext.name == "ah"):
                    break
                nxt = ext.get("nxt")
                if ext.name == "ipv6.fraghdr":
                    break
            facts.append(("ip6", layer.get("src"), layer.get("dst"), nxt))
        elif layer.name in ("tcp", "udp"):
            facts.append((layer.name, layer.get("srcport"), layer.get("dstport")))
    return facts


# (file, packet number from 1): why the lean and the rich decoders may disagree there. Where lean stops
# (tunnels, ICMP quotes, MPLS, PPPoE...), rich goes on, so lean's facts are a prefix; these files are the
# other way round: lean follows tcpdump's printers further than the rich decoder follows tshark's so far.
_SWITCH_TAGS = "a switch tag (DLT 281, 282, 284, 285): lean reads through it to IP, the rich decoder not yet"
_IP6_CHAIN_DAMAGE = (
    "a damaged IPv6 extension chain: lean stops where tcpdump's printer stops, rich where tshark's"
)
KNOWN_DISAGREEMENTS: dict[tuple[str, int], str] = {}
KNOWN_FILE_DISAGREEMENTS: dict[str, str] = {
    **dict.fromkeys(
        (
            "brcm-tag.pcap",
            "brcm-tag-prepend.pcap",
            "dsa.pcap",
            "edsa.pcap",
            "dsa-high-vid.pcap",
            "edsa-high-vid.pcap",
        ),
        _SWITCH_TAGS,
    ),
    "arista_ether.pcap": "Arista's timestamp header: lean reads through it to IP, rich stops at it",
    "nsh.pcap": "NSH: lean reads the packet it carries, the rich decoder stops at it",
    "ppp_ip_udp_dns.pcap": "PPP in HDLC framing (DLT 50): lean reads it, the rich decoder not yet",
    "icmp6_nodeinfo_oobr.pcap": "SLIP (DLT 8): lean reads it, the rich decoder not yet",
    **dict.fromkeys(
        (
            "ip6_frag_asan.pcap",
            "ipv6-next-header-oobr-1.pcap",
            "ipv6-srh-tlv-hmac.pcap",
            "ipv6_missing_jumbo_payload_option.pcap",
        ),
        _IP6_CHAIN_DAMAGE,
    ),
}


def test_corpus_never_raises_and_agrees_with_lean(corpus):
    disagreements = []
    for row in corpus:
        for number, (linktype, data, length) in enumerate(read_capture(CORPUS / row["file"]), 1):
            try:
                packet = rich.decode(linktype, data)
            except Exception as exc:  # the contract: never raises
                raise AssertionError(f"{row['file']} #{number}: {exc!r}") from exc
            assert isinstance(packet, DecodedPacket)
            if packet.malformed is not None:
                assert packet.malformed.cause and "\n" not in packet.malformed.cause
            expected = _lean_facts(lean.decode(linktype, data, length))
            found = _rich_facts(packet)
            known = (row["file"], number) in KNOWN_DISAGREEMENTS or row["file"] in KNOWN_FILE_DISAGREEMENTS
            if found[: len(expected)] != expected and not known:
                disagreements.append((row["file"], number, expected, found))
    assert not disagreements, disagreements[:5]
