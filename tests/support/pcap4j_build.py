"""Packets built from one spec by Pcap4J's Builders (``java/Pcap4jBuild.java``) and by pycapture's.

A spec is one line per packet: its headers outermost first, separated by `` | ``, each a kind and
``key=value`` fields, as ``Pcap4jBuild.java`` reads them. :func:`python_builder` makes the same stack of
:mod:`pycapture.decode.builders`, told to compute lengths, checksums and padding as the harness tells
Pcap4J's; :func:`java_build` runs the harness.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import tempfile
from typing import Any, Callable

from pycapture.decode import builders as b
from support.pcap4j_names import CLASSPATH, HERE, SHARED
from support.pcap4j_names import missing as _names_missing

JAR = SHARED / "pcap4j" / "pcap4j-1.8.2.jar"

MAC1, MAC2 = "02:00:00:00:00:01", "02:00:00:00:00:02"
ETH = f"eth dst={MAC2} src={MAC1}"
V4 = "src=192.0.2.1 dst=192.0.2.2"
V6 = "src=2001:db8::1 dst=2001:db8::2"

CASES = {
    "ipv4_tcp_options": f"{ETH} type=0x0800 | ipv4 id=1 df=1 ttl=64 proto=6 {V4} "
    "| tcp sport=40000 dport=80 "
    "seq=1 ack=0 syn=1 window=64240 opts=020405b4,01,030307,0402 | raw data=68656c6c6f",
    "ipv4_tcp_psh_ack": f"{ETH} type=0x0800 | ipv4 id=7 tos=0x10 ttl=128 proto=6 {V4} "
    "| tcp sport=80 dport=40000 seq=4000000000 ack=2 ackf=1 psh=1 window=512 | raw data=" + "48545450" * 20,
    "ipv4_udp": f"{ETH} type=0x0800 | ipv4 id=2 ttl=64 proto=17 {V4} | udp sport=40000 dport=9999 "
    "| raw data=000102030405060708090a0b0c0d0e0f10111213141516",
    "ipv4_udp_odd": f"{ETH} type=0x0800 | ipv4 id=3 ttl=1 proto=17 {V4} | udp sport=1 dport=2 "
    "| raw data=" + "ab" * 61,
    "ipv4_udp_empty_padded": f"{ETH} type=0x0800 | ipv4 id=4 ttl=64 proto=17 {V4} | udp sport=7 dport=9",
    "ipv4_fragment": f"{ETH} type=0x0800 | ipv4 id=5 mf=1 offset=0 ttl=64 proto=17 {V4} | raw data="
    + "00" * 24,
    "ipv6_udp": f"{ETH} type=0x86dd | ipv6 tc=0 flow=0x12345 nh=17 hlim=64 {V6} "
    "| udp sport=40001 dport=40002 | raw data=0102030405",
    "ipv6_tcp": f"{ETH} type=0x86dd | ipv6 nh=6 hlim=255 {V6} | tcp sport=443 dport=50000 seq=99 ack=100 "
    "ackf=1 fin=1 window=1000 opts=01,01,080a0000000100000002 | raw data=00",
    "icmpv4_echo": f"{ETH} type=0x0800 | ipv4 id=6 ttl=64 proto=1 {V4} | icmp4echo type=8 id=0x1234 seq=1 "
    "| raw data=6162636465666768",
    "icmpv4_echo_reply": f"{ETH} type=0x0800 | ipv4 id=6 ttl=64 proto=1 {V4} "
    "| icmp4echo type=0 id=0x1234 seq=1",
    "icmpv4_unreachable": f"{ETH} type=0x0800 | ipv4 id=8 ttl=64 proto=1 src=192.0.2.2 dst=192.0.2.1 "
    f"| icmp4unreach code=3 | ipv4 id=9 ttl=63 proto=17 {V4} | udp sport=40000 dport=33434 | raw data=0000",
    "icmpv6_echo": f"{ETH} type=0x86dd | ipv6 nh=58 hlim=64 {V6} | icmp6echo type=128 id=7 seq=9 "
    "| raw data=70696e67",
    "icmpv6_echo_reply": f"{ETH} type=0x86dd | ipv6 nh=58 hlim=64 {V6} | icmp6echo type=129 id=7 seq=9",
    "arp_request": f"eth dst=ff:ff:ff:ff:ff:ff src={MAC1} type=0x0806 | arp op=1 sha={MAC1} spa=192.0.2.1 "
    "tha=00:00:00:00:00:00 tpa=192.0.2.2",
    "arp_reply": f"{ETH} type=0x0806 | arp op=2 sha={MAC2} spa=192.0.2.2 tha={MAC1} tpa=192.0.2.1",
    "vlan": f"{ETH} type=0x8100 | vlan priority=5 cfi=1 vid=100 type=0x0800 "
    f"| ipv4 id=10 ttl=64 proto=17 {V4} "
    "| udp sport=1000 dport=2000 | raw data=" + "11" * 30,
    "llc_snap": f"{ETH} type=0x0027 | llc dsap=0xaa ssap=0xaa control=3 | snap oui=0 pid=0x0800 "
    f"| ipv4 id=11 ttl=64 proto=17 {V4} | udp sport=1 dport=2",
}
"""The packets both builders make, by name."""

V4R = "src=192.0.2.254 dst=192.0.2.1"  # a router's reply to V4's sender
V6R = "src=2001:db8::fe dst=2001:db8::1"
QUOTED4 = f"ipv4 id=12 ttl=63 proto=17 {V4} | udp sport=40000 dport=33434 | raw data=00010203"
QUOTED6 = f"ipv6 nh=17 hlim=63 {V6} | udp sport=40000 dport=33434 | raw data=00010203"
SLLA = "0101020000000001"  # an ND Source Link-Layer Address option for MAC1
CASES.update(
    {
        "icmpv4_redirect": f"{ETH} type=0x0800 | ipv4 id=20 ttl=64 proto=1 {V4R} "
        f"| icmp4redirect code=1 gw=192.0.2.253 | {QUOTED4}",
        "icmpv4_parameter_problem": f"{ETH} type=0x0800 | ipv4 id=21 ttl=64 proto=1 {V4R} "
        f"| icmp4param pointer=9 | {QUOTED4}",
        "icmpv4_source_quench": f"{ETH} type=0x0800 | ipv4 id=22 ttl=64 proto=1 {V4R} "
        f"| icmp4quench | {QUOTED4}",
        "icmpv4_timestamp": f"{ETH} type=0x0800 | ipv4 id=23 ttl=64 proto=1 {V4} "
        "| icmp4timestamp type=13 id=0x4242 seq=1 ots=36000000",
        "icmpv4_timestamp_reply": f"{ETH} type=0x0800 | ipv4 id=24 ttl=64 proto=1 {V4R} "
        "| icmp4timestamp type=14 id=0x4242 seq=1 ots=36000000 rts=36000100 tts=36000101",
        "icmpv6_unreachable": f"{ETH} type=0x86dd | ipv6 nh=58 hlim=64 {V6R} | icmp6error type=1 code=4 "
        f"| {QUOTED6}",
        "icmpv6_packet_too_big": f"{ETH} type=0x86dd | ipv6 nh=58 hlim=64 {V6R} "
        f"| icmp6error type=2 value=1280 | {QUOTED6}",
        "icmpv6_time_exceeded": f"{ETH} type=0x86dd | ipv6 nh=58 hlim=64 {V6R} | icmp6error type=3 "
        f"| {QUOTED6}",
        "icmpv6_parameter_problem": f"{ETH} type=0x86dd | ipv6 nh=58 hlim=64 {V6R} "
        f"| icmp6error type=4 code=1 value=40 | {QUOTED6}",
        "icmpv6_router_solicitation": f"{ETH} type=0x86dd | ipv6 nh=58 hlim=255 src=fe80::1 dst=ff02::2 "
        f"| icmp6rs opts={SLLA}",
        "icmpv6_router_advertisement": f"{ETH} type=0x86dd | ipv6 nh=58 hlim=255 src=fe80::fe dst=ff02::1 "
        f"| icmp6ra hlim=64 m=1 lifetime=1800 reachable=30000 retrans=1000 opts={SLLA},0501000000000500",
        "icmpv6_redirect": f"{ETH} type=0x86dd | ipv6 nh=58 hlim=255 src=fe80::fe dst=2001:db8::1 "
        "| icmp6redirect target=fe80::2 dest=2001:db8::3 opts=0201020000000002",
        "ipv6_fragment": f"{ETH} type=0x86dd | ipv6 nh=44 hlim=64 {V6} | ipv6frag nh=17 id=0x12345678 "
        "| udp sport=40000 dport=9999 | raw data=" + "5a" * 24,
        "ipv4_sctp": f"{ETH} type=0x0800 | ipv4 id=25 ttl=64 proto=132 {V4} | sctp sport=5000 dport=5001 "
        "vtag=0x12345678 chunks=0003001400000001000000000000000061626364,"
        "0003001100000002000100010000000078000000",
        "ipv4_dns_query": f"{ETH} type=0x0800 | ipv4 id=26 ttl=64 proto=17 {V4} | udp sport=40000 dport=53 "
        "| dns id=0x1234 rd=1 name=www.example.com",
        "ipv4_dns_response": f"{ETH} type=0x0800 | ipv4 id=27 ttl=64 proto=17 src=192.0.2.2 dst=192.0.2.1 "
        "| udp sport=53 dport=40000 | dns id=0x1234 qr=1 rd=1 ra=1 name=www.example.com a=192.0.2.80 ttl=300",
        "sll_ipv4_udp": f"sll pkttype=4 addr={MAC1} type=0x0800 | ipv4 id=28 ttl=64 proto=17 {V4} "
        "| udp sport=1 dport=2 | raw data=0102",
        "null_ipv4_icmp": "null family=2 | ipv4 id=29 ttl=64 proto=1 src=127.0.0.1 dst=127.0.0.1 "
        "| icmp4echo type=8 id=1 seq=1 | raw data=70696e67",
        "radiotap_probe_request": f"radiotap rate=2 antenna=1 | dot11probe seq=7 a1=ff:ff:ff:ff:ff:ff "
        f"a2={MAC1} a3=ff:ff:ff:ff:ff:ff ssid=pycapture",
    }
)

LINKTYPES = {"eth": 1, "sll": 113, "null": 0, "radiotap": 127}
"""The pcap link type of a spec line, by its first header's kind."""


def linktype(line: str) -> int:
    """The pcap link type a spec line's packet is written with."""
    return LINKTYPES[line.split()[0]]


def missing() -> str | None:
    """Why the harness cannot run here, or None when it can."""
    if not JAR.is_file():
        return f"{JAR} is not present"
    return _names_missing()


def java_build(lines: list[str]) -> list[bytes]:
    """Pcap4J 1.8.2's bytes of each spec line."""
    with tempfile.TemporaryDirectory() as classes:
        subprocess.run(
            ["javac", "-d", classes, "-cp", str(JAR), str(HERE / "java" / "Pcap4jBuild.java")], check=True
        )
        out = subprocess.run(
            ["java", "-cp", os.pathsep.join((classes, str(JAR), *CLASSPATH)), "Pcap4jBuild"],
            input="\n".join(lines) + "\n",
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    return [bytes.fromhex(line) for line in out]


def _parse(layer: str) -> tuple[str, dict[str, str]]:
    kind, *words = layer.split()
    return kind, dict(word.split("=", 1) for word in words)


def _n(fields: dict[str, str], key: str, default: int = 0) -> int:
    return int(fields[key], 0) if key in fields else default


def _flag(fields: dict[str, str], key: str) -> bool:
    return fields.get(key) == "1"


def _hex(fields: dict[str, str], key: str) -> bytes:
    return bytes.fromhex(fields.get(key, "").replace(",", ""))


def _icmp6_error(f: dict[str, str], payload: b.Builder | None) -> b.Builder:
    kind = _n(f, "type", 1)
    common: dict[str, Any] = {
        "code": _n(f, "code"),
        "payload_builder": payload,
        "correct_checksum_at_build": True,
    }
    if kind == 2:
        return b.IcmpV6PacketTooBigBuilder(mtu=_n(f, "value"), **common)
    if kind == 4:
        return b.IcmpV6ParameterProblemBuilder(pointer=_n(f, "value"), **common)
    error = b.IcmpV6TimeExceededBuilder if kind == 3 else b.IcmpV6DestinationUnreachableBuilder
    return error(unused=_n(f, "value"), **common)


def _dns(f: dict[str, str]) -> b.Builder:
    name = f["name"]
    answers = ()
    if "a" in f:
        address = ipaddress.IPv4Address(f["a"]).packed
        answers = (b.DnsResourceRecord(name, 1, 1, _n(f, "ttl"), address),)
    return b.DnsBuilder(
        id=_n(f, "id"),
        response=_flag(f, "qr"),
        recursion_desired=_flag(f, "rd"),
        recursion_available=_flag(f, "ra"),
        questions=(b.DnsQuestion(name, 1, 1),),
        answers=answers,
        correct_length_at_build=True,
    )


def _make(kind: str, f: dict[str, str], payload: b.Builder | None) -> b.Builder:
    makers: dict[str, Callable[[], b.Builder]] = {
        "raw": lambda: b.RawBuilder(bytes.fromhex(f["data"])),
        "eth": lambda: b.EthernetBuilder(
            dst_addr=f["dst"],
            src_addr=f["src"],
            type=_n(f, "type"),
            payload_builder=payload,
            padding_at_build=True,
        ),
        "vlan": lambda: b.VlanBuilder(
            priority=_n(f, "priority"),
            cfi=_flag(f, "cfi"),
            vid=_n(f, "vid"),
            type=_n(f, "type"),
            payload_builder=payload,
        ),
        "arp": lambda: b.ArpBuilder(
            operation=_n(f, "op", 1),
            src_hardware_addr=f["sha"],
            src_protocol_addr=f["spa"],
            dst_hardware_addr=f["tha"],
            dst_protocol_addr=f["tpa"],
            correct_length_at_build=True,
        ),
        "ipv4": lambda: b.IPv4Builder(
            tos=_n(f, "tos"),
            identification=_n(f, "id"),
            dont_fragment_flag=_flag(f, "df"),
            more_fragment_flag=_flag(f, "mf"),
            fragment_offset=_n(f, "offset"),
            ttl=_n(f, "ttl", 64),
            protocol=_n(f, "proto"),
            src_addr=f["src"],
            dst_addr=f["dst"],
            payload_builder=payload,
            correct_checksum_at_build=True,
            correct_length_at_build=True,
            padding_at_build=True,
        ),
        "ipv6": lambda: b.IPv6Builder(
            traffic_class=_n(f, "tc"),
            flow_label=_n(f, "flow"),
            next_header=_n(f, "nh"),
            hop_limit=_n(f, "hlim", 64),
            src_addr=f["src"],
            dst_addr=f["dst"],
            payload_builder=payload,
            correct_length_at_build=True,
        ),
        "tcp": lambda: b.TcpBuilder(
            src_port=_n(f, "sport"),
            dst_port=_n(f, "dport"),
            sequence_number=_n(f, "seq"),
            acknowledgment_number=_n(f, "ack"),
            urg=_flag(f, "urg"),
            ack=_flag(f, "ackf"),
            psh=_flag(f, "psh"),
            rst=_flag(f, "rst"),
            syn=_flag(f, "syn"),
            fin=_flag(f, "fin"),
            window=_n(f, "window"),
            urgent_pointer=_n(f, "urgp"),
            options=bytes.fromhex(f.get("opts", "").replace(",", "")),
            payload_builder=payload,
            correct_checksum_at_build=True,
            correct_length_at_build=True,
            padding_at_build=True,
        ),
        "udp": lambda: b.UdpBuilder(
            src_port=_n(f, "sport"),
            dst_port=_n(f, "dport"),
            payload_builder=payload,
            correct_checksum_at_build=True,
            correct_length_at_build=True,
        ),
        "icmp4echo": lambda: (b.IcmpV4EchoReplyBuilder if _n(f, "type", 8) == 0 else b.IcmpV4EchoBuilder)(
            identifier=_n(f, "id"),
            sequence_number=_n(f, "seq"),
            payload_builder=payload,
            correct_checksum_at_build=True,
        ),
        "icmp4unreach": lambda: b.IcmpV4DestinationUnreachableBuilder(
            code=_n(f, "code"), payload_builder=payload, correct_checksum_at_build=True
        ),
        "icmp6echo": lambda: (
            b.IcmpV6EchoReplyBuilder if _n(f, "type", 128) == 129 else b.IcmpV6EchoRequestBuilder
        )(
            identifier=_n(f, "id"),
            sequence_number=_n(f, "seq"),
            payload_builder=payload,
            correct_checksum_at_build=True,
        ),
        "llc": lambda: b.LlcBuilder(
            dsap=_n(f, "dsap", 0xAA),
            ssap=_n(f, "ssap", 0xAA),
            control=_n(f, "control", 3),
            payload_builder=payload,
        ),
        "snap": lambda: b.SnapBuilder(oui=_n(f, "oui"), protocol_id=_n(f, "pid"), payload_builder=payload),
        "icmp4redirect": lambda: b.IcmpV4RedirectBuilder(
            code=_n(f, "code"),
            gateway_internet_address=f["gw"],
            payload_builder=payload,
            correct_checksum_at_build=True,
        ),
        "icmp4param": lambda: b.IcmpV4ParameterProblemBuilder(
            code=_n(f, "code"),
            pointer=_n(f, "pointer"),
            payload_builder=payload,
            correct_checksum_at_build=True,
        ),
        "icmp4quench": lambda: b.IcmpV4SourceQuenchBuilder(
            code=_n(f, "code"), payload_builder=payload, correct_checksum_at_build=True
        ),
        "icmp4timestamp": lambda: (
            b.IcmpV4TimestampReplyBuilder if _n(f, "type", 13) == 14 else b.IcmpV4TimestampBuilder
        )(
            identifier=_n(f, "id"),
            sequence_number=_n(f, "seq"),
            originate_timestamp=_n(f, "ots"),
            receive_timestamp=_n(f, "rts"),
            transmit_timestamp=_n(f, "tts"),
            payload_builder=payload,
            correct_checksum_at_build=True,
        ),
        "icmp6error": lambda: _icmp6_error(f, payload),
        "icmp6rs": lambda: b.IcmpV6RouterSolicitationBuilder(
            options=_hex(f, "opts"), payload_builder=payload, correct_checksum_at_build=True
        ),
        "icmp6ra": lambda: b.IcmpV6RouterAdvertisementBuilder(
            cur_hop_limit=_n(f, "hlim"),
            managed_address_configuration_flag=_flag(f, "m"),
            other_configuration_flag=_flag(f, "o"),
            router_lifetime=_n(f, "lifetime"),
            reachable_time=_n(f, "reachable"),
            retrans_timer=_n(f, "retrans"),
            options=_hex(f, "opts"),
            payload_builder=payload,
            correct_checksum_at_build=True,
        ),
        "icmp6redirect": lambda: b.IcmpV6RedirectBuilder(
            target_address=f["target"],
            destination_address=f["dest"],
            options=_hex(f, "opts"),
            payload_builder=payload,
            correct_checksum_at_build=True,
        ),
        "ipv6frag": lambda: b.IPv6FragmentBuilder(
            next_header=_n(f, "nh"),
            fragment_offset=_n(f, "offset"),
            m=_flag(f, "m"),
            identification=_n(f, "id"),
            payload_builder=payload,
        ),
        "sctp": lambda: b.SctpBuilder(
            src_port=_n(f, "sport"),
            dst_port=_n(f, "dport"),
            verification_tag=_n(f, "vtag"),
            chunks=_hex(f, "chunks"),
            payload_builder=payload,
            correct_checksum_at_build=True,
        ),
        "dns": lambda: _dns(f),
        "sll": lambda: b.SllBuilder(
            packet_type=_n(f, "pkttype"),
            address=bytes.fromhex(f["addr"].replace(":", "")),
            protocol=_n(f, "type"),
            payload_builder=payload,
        ),
        "null": lambda: b.NullBuilder(protocol_family=_n(f, "family", 2), payload_builder=payload),
        "radiotap": lambda: b.RadiotapBuilder(
            present=1 << 1 | 1 << 2 | 1 << 11,  # Flags, Rate and Antenna, as the harness gives them
            data=bytes([0x12, _n(f, "rate", 2), _n(f, "antenna")]),  # Flags: short preamble, FCS at end
            payload_builder=payload,
            correct_length_at_build=True,
        ),
        "dot11probe": lambda: b.Dot11ProbeRequestBuilder(
            duration=_n(f, "duration"),
            address1=f["a1"],
            address2=f["a2"],
            address3=f["a3"],
            sequence_number=_n(f, "seq"),
            elements=bytes([0, len(f["ssid"])]) + f["ssid"].encode(),
            payload_builder=payload,
            correct_checksum_at_build=True,
        ),
    }
    return makers[kind]()


def python_builder(line: str) -> b.Builder:
    """The pycapture builders of one spec line, the outermost returned."""
    builder: Any = None
    for layer in reversed(line.split(" | ")):
        builder = _make(*_parse(layer), builder)
    return builder
