"""The typed packet model: layer classes, their attributes, header bytes, links, and named numbers.

The attributes read the decoded fields; here they are checked against the header's own bytes (cut by
the walk) and against the dump's text, which the Pcap4J conformance test holds to Pcap4J's.
"""

from __future__ import annotations

import ipaddress
import pickle
import struct

import pytest

from pycapture import PcapError, PcapPacket, open_offline
from pycapture.decode.model import Layer
from pycapture.decode.rich import decode
from pycapture.layers import (
    ARP,
    DNS,
    SNAP,
    TCP,
    UDP,
    VLAN,
    Ethernet,
    EtherType,
    ICMPv4,
    IcmpV4Code,
    ICMPv4Echo,
    ICMPv4EchoReply,
    ICMPv4Error,
    ICMPv6,
    ICMPv6NeighborSolicitation,
    IpNumber,
    IPv4,
    IPv6,
    NamedNumber,
    TcpPort,
    UdpPort,
    named_number_class,
)
from pycapture.protocols.pcap4j_names import CONSTANTS, NAMES
from support.corpus import corpus_rows
from support.env import CAPTURES, CORPUS

ETHERNET = 1


def _packets(limit_per_file: int = 200):
    files = sorted(str(p) for p in CAPTURES.glob("*.pcap*"))
    files += [str(CORPUS / row["file"]) for row in corpus_rows()]
    for path in files:
        try:
            with open_offline(path) as handle:
                for n, packet in enumerate(handle):
                    if n == limit_per_file:
                        break
                    yield path, packet
        except PcapError:
            continue  # a damaged file: what libpcap reads of it is checked elsewhere


def _first(path: str, kind: type[Layer]) -> PcapPacket:
    with open_offline(str(CAPTURES / path)) as handle:
        for packet in handle:
            if packet.contains(kind):
                return packet
    raise AssertionError(f"no {kind.__name__} in {path}")


# --- named numbers ---------------------------------------------------------------------------------


def test_named_numbers_are_ints_with_pcap4js_names_and_texts() -> None:
    assert EtherType.IPV4 == 0x0800 and isinstance(EtherType.IPV4, int)
    assert str(EtherType.IPV4) == "0x0800 (IPv4)" and repr(EtherType.IPV4) == "EtherType.IPV4"
    assert str(EtherType(0x1234)) == "0x1234 (unknown)" and repr(EtherType(0x1234)) == "EtherType(0x1234)"
    assert str(IpNumber.TCP) == "6 (TCP)" and IpNumber.get_instance(17) is not IpNumber.UDP
    assert IpNumber.get_instance(17) == IpNumber.UDP and {IpNumber.UDP: 1}[17] == 1
    assert str(UdpPort.DOMAIN) == "53 (Domain Name Server)" and TcpPort.HTTP.name == "HTTP"
    assert str(IcmpV4Code(1, 3)) == "1 (Host Unreachable)"
    assert f"{TcpPort.HTTP}" == "80 (HTTP)" and f"{TcpPort.HTTP:5d}" == "   80"
    assert pickle.loads(pickle.dumps(IcmpV4Code(1, 3))).name == "Host Unreachable"
    assert str(named_number_class("Oui")(0x00000C)) == "00-00-0c (Cisco)"
    with pytest.raises(TypeError):
        EtherType("0x0800")  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        named_number_class("NoSuchClass")


def test_every_constant_of_the_jar_is_a_class_attribute() -> None:
    checked = 0
    for kind, constants in CONSTANTS.items():
        cls = named_number_class(kind)
        for java_name, value in constants.items():
            constant = getattr(cls, java_name)
            assert type(constant) is cls and constant == value
            assert constant.name == NAMES[kind].get(value, "unknown")
            checked += 1
    assert checked > (2000 if corpus_rows() else 50)


# --- the model on real captures ----------------------------------------------------------------------


def _check_typed(layer: Layer) -> int:
    """Compare a typed layer's attributes with the header's own bytes; return how many were compared."""
    h = layer.header
    if isinstance(layer, Ethernet) and len(h) == 14:
        assert layer.dst_addr == h[0:6].hex(":") and layer.src_addr == h[6:12].hex(":")
        assert layer.type == int.from_bytes(h[12:14], "big")
        return 3
    if isinstance(layer, IPv4) and len(h) >= 20:
        assert layer.src_addr == ipaddress.IPv4Address(h[12:16])
        assert layer.dst_addr == ipaddress.IPv4Address(h[16:20])
        assert (layer.ihl, layer.ttl, layer.protocol) == (h[0] & 15, h[8], h[9])
        assert layer.total_length == int.from_bytes(h[2:4], "big") and isinstance(layer.protocol, IpNumber)
        assert layer.dont_fragment_flag == bool(h[6] & 0x40) and layer.more_fragment_flag == bool(h[6] & 0x20)
        return 7
    if isinstance(layer, IPv6) and len(h) >= 40:
        assert layer.src_addr == ipaddress.IPv6Address(h[8:24])
        assert layer.dst_addr == ipaddress.IPv6Address(h[24:40])
        assert (layer.payload_length, layer.next_header, layer.hop_limit) == struct.unpack("!HBB", h[4:8])
        return 5
    if isinstance(layer, TCP) and len(h) >= 20:
        sport, dport, seq, ack, off_flags = struct.unpack("!HHIIH", h[:14])
        assert (layer.src_port, layer.dst_port, layer.sequence_number) == (sport, dport, seq)
        assert (layer.acknowledgment_number, layer.data_offset) == (ack, off_flags >> 12)
        assert (layer.syn, layer.ack) == (bool(off_flags & 2), bool(off_flags & 16))
        assert layer.fin == bool(off_flags & 1)
        assert isinstance(layer.dst_port, TcpPort) and layer.options == h[20:]
        return 8
    if isinstance(layer, UDP) and len(h) == 8:
        fields = (layer.src_port, layer.dst_port, layer.total_length, layer.checksum)
        assert fields == struct.unpack("!HHHH", h)
        return 4
    if isinstance(layer, VLAN) and len(h) == 4:
        tci, etype = struct.unpack("!HH", h)
        assert (layer.priority, layer.vid, layer.type) == (tci >> 13, tci & 0xFFF, etype)
        return 3
    if isinstance(layer, ICMPv4) and len(h) >= 4:
        assert (layer.type, layer.code) == (h[0], h[1]) and layer.checksum == int.from_bytes(h[2:4], "big")
        if isinstance(layer, ICMPv4Echo):
            assert (layer.identifier, layer.sequence_number) == struct.unpack("!HH", h[4:8])
        return 3
    if isinstance(layer, ARP) and len(h) >= 8:
        assert (layer.hardware_type, layer.protocol_type, layer.operation) == struct.unpack("!HH2xH", h[:8])
        return 3
    return 0


def test_typed_attributes_are_the_headers_own_bytes_over_the_captures_and_corpus() -> None:
    compared = typed = 0
    for _path, packet in _packets():
        for layer in packet.layers:
            assert len(layer.header) <= layer.length
            n = _check_typed(layer)
            compared += n
            typed += n > 0
    assert (typed > 3000 and compared > 15000) if corpus_rows() else typed > 100, (typed, compared)


_AS_CAPTURED = frozenset((
    "eth", "vlan", "ip", "ipv6", "tcp", "udp", "icmp", "arp",
    # decode/rich/control.py's, which read the bytes as captured (mptcp: an option of the TCP header)
    "mptcp", "ptp", "bfd", "hsrp", "babel", "pfcp", "doip", "uds", "rx", "afs", "kerberos", "krb4",
    "openflow", "openflow_v1", "ssh", "aoe", "dec_dna", "nbns", "nbdgm", "smb", "browser", "resp", "tftp",
))  # fmt: skip


def test_headers_and_trailer_are_the_frame_in_order() -> None:
    """Where the walk took the bytes as captured, the headers and the payload after them are the frame."""
    checked = 0
    for path, packet in _packets():
        decoded = packet.decoded
        if packet.linktype != ETHERNET or decoded.malformed is not None or not decoded.layers:
            continue
        if any(layer.name not in _AS_CAPTURED for layer in decoded.layers):
            continue
        joined = b"".join(layer.header for layer in decoded.layers) + decoded.layers[-1].trailer
        assert packet.raw.startswith(joined), (path, packet)
        assert decoded.layers[-1].trailer == decoded.payload
        checked += 1
    assert checked > (2000 if corpus_rows() else 50)


def test_each_layer_links_to_the_next_and_prints_its_own_dump_block() -> None:
    packet = _first("http.pcap", TCP)
    layers = packet.layers
    assert [type(layer) for layer in layers] == [Ethernet, IPv4, TCP]
    assert [layer.payload for layer in layers] == [layers[1], layers[2], None]
    dump = str(packet)
    for layer in layers:
        block = str(layer)
        assert block.startswith(f"[{layer.title} (") and block.endswith("\n")
        assert block in dump


def test_get_contains_and_get_outer_of_take_a_class_or_a_name() -> None:
    packet = _first("http.pcap", TCP)
    tcp = packet.get(TCP)
    assert tcp is not None and tcp is packet.get("tcp") and tcp.dst_port == TcpPort.HTTP
    assert packet.contains(IPv4) and not packet.contains(UDP) and TCP in packet and "udp" not in packet
    outer = packet.get_outer_of(TCP)
    assert isinstance(outer, IPv4) and outer.protocol == IpNumber.TCP
    assert packet.get_outer_of(Ethernet) is None and packet.get_outer_of(UDP) is None
    with pytest.raises(TypeError):
        packet.get(6)  # type: ignore[call-overload]


def test_icmp_messages_get_the_class_of_their_type_and_errors_quote_the_invoking_packet() -> None:
    kinds = set()
    with open_offline(str(CAPTURES / "icmp.pcap")) as handle:
        for packet in handle:
            icmp = packet.get(ICMPv4)
            if icmp is not None:
                kinds.add(type(icmp))
                assert isinstance(icmp, ICMPv4) and type(icmp) is not ICMPv4
                if isinstance(icmp, ICMPv4Error):
                    assert isinstance(icmp.payload, IPv4)  # the invoking packet's header follows
    assert {ICMPv4Echo, ICMPv4EchoReply} <= kinds


def test_crafted_frames_get_their_classes() -> None:
    from pycapture import craft

    mac = "02:00:00:00:00:01"
    frame = craft.over_ethernet(craft.udp("192.0.2.1", "192.0.2.2", 5353, 53, b"\0" * 12), mac, mac, vlan=7)
    layers = decode(ETHERNET, frame).layers
    assert [type(layer) for layer in layers] == [Ethernet, VLAN, IPv4, UDP, DNS]
    assert layers[1].vid == 7 and layers[1].type == EtherType.IPV4 and layers[3].dst_port == UdpPort.DOMAIN
    ns = bytes.fromhex("8700000000000000") + ipaddress.IPv6Address("fe80::1").packed
    frame = craft.over_ethernet(craft.ipv6("fe80::2", "ff02::1:ff00:1", 58, ns), mac, mac)
    icmp6 = decode(ETHERNET, frame).get(ICMPv6)
    assert isinstance(icmp6, ICMPv6NeighborSolicitation)
    assert icmp6.target_address == ipaddress.IPv6Address("fe80::1")
    llc = decode(ETHERNET, bytes(12) + b"\x00\x26" + bytes.fromhex("aaaa03000000080045")).get(SNAP)
    assert (
        llc is not None
        and llc.protocol_id == EtherType.IPV4
        and llc.oui == 0
        and repr(llc.oui) == "Oui(00-00-00)"
    )


def test_named_attributes_print_as_the_dump_does() -> None:
    """A named number's text is the dump's text for its field, which the conformance test holds to Pcap4J."""
    checked = 0
    attributes = {TCP: ("dst_port", "dstport"), UDP: ("src_port", "srcport"), IPv4: ("protocol", "proto")}
    for _path, packet in _packets(50):
        for layer in packet.layers:
            pair = attributes.get(type(layer))  # type: ignore[call-overload]
            if pair is None:
                continue
            value = getattr(layer, pair[0])
            field = next(f for f in layer.fields if f.key == pair[1])
            assert isinstance(value, NamedNumber) and str(value) == field.text
            checked += 1
    assert checked > (1000 if corpus_rows() else 100)


def test_the_typed_layer_table_of_the_docs_names_real_classes_and_attributes() -> None:
    import re

    import pycapture.layers as layers
    from support.env import ROOT

    text = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    section = text[text.index("### Typed layers") :]
    section = section[: section.index("\n```")]
    rows = re.findall(r"^\| (`[A-Z].+?) \| .+? \| (.+) \|$", section, flags=re.MULTILINE)
    assert len(rows) >= 15
    for classes_cell, attributes_cell in rows:
        classes = [getattr(layers, name) for name in re.findall(r"`(\w+)`", classes_cell)]
        assert all(issubclass(cls, Layer) for cls in classes)
        for name in re.findall(r"`(\w+)`", attributes_cell):
            assert any(hasattr(cls, name) for cls in classes) or hasattr(layers, name), name
