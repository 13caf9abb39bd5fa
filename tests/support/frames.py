"""Frames of every protocol and link type the decoders know, built with dpkt and struct: ``SAMPLES`` maps
each link type to frames of it, and the builders make more. The decoder, printer and fuzz tests share them.
"""

from __future__ import annotations

import socket
import struct

import dpkt

from pycapture.decode import lean, rich
from pycapture.protocols.linktypes import LINKTYPES

MAC_A = b"\x02\x00\x00\x00\x00\x01"
MAC_B = b"\x02\x00\x00\x00\x00\x02"
IP_A, IP_B = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])
IP6_A = socket.inet_pton(socket.AF_INET6, "2001:db8::1")
IP6_B = socket.inet_pton(socket.AF_INET6, "2001:db8::2")


# --- frame builders ----------------------------------------------------------------------------


def udp(sport: int, dport: int, payload: bytes = b"") -> bytes:
    return bytes(dpkt.udp.UDP(sport=sport, dport=dport, ulen=8 + len(payload), data=payload))


def tcp(
    sport: int, dport: int, flags: int = dpkt.tcp.TH_SYN, payload: bytes = b"", opts: bytes = b""
) -> bytes:
    segment = dpkt.tcp.TCP(
        sport=sport, dport=dport, seq=1000, ack=0, flags=flags, win=65535, opts=opts, data=payload
    )
    segment.off = 5 + len(opts) // 4
    return bytes(segment)


def ipv4(proto: int, payload: bytes, **fields) -> bytes:
    return bytes(dpkt.ip.IP(src=IP_A, dst=IP_B, p=proto, ttl=64, id=0x1234, data=payload, **fields))


def ipv6(nxt: int, payload: bytes, src: bytes = IP6_A, dst: bytes = IP6_B) -> bytes:
    return bytes(dpkt.ip6.IP6(src=src, dst=dst, nxt=nxt, hlim=64, plen=len(payload), data=payload))


def ether(etype: int, payload: bytes, dst: bytes = MAC_B, src: bytes = MAC_A) -> bytes:
    return dst + src + struct.pack("!H", etype) + payload


def vlan_tag(vid: int, etype: int, pri: int = 0) -> bytes:
    return struct.pack("!HH", (pri << 13) | vid, etype)


def icmp_echo(ident: int = 7, seq: int = 9) -> bytes:
    return bytes(dpkt.icmp.ICMP(type=8, data=dpkt.icmp.ICMP.Echo(id=ident, seq=seq, data=b"ping")))


def dns_query(name: str = "www.example.com", qid: int = 0x1234) -> bytes:
    return bytes(dpkt.dns.DNS(id=qid, qd=[dpkt.dns.DNS.Q(name=name, type=dpkt.dns.DNS_A)]))


def dns_answer(name: str = "www.example.com", addr: bytes = IP_B) -> bytes:
    rr = dpkt.dns.DNS.RR(name=name, type=dpkt.dns.DNS_A, ttl=300, rdata=addr)
    return bytes(dpkt.dns.DNS(id=0x1234, op=0x8180, qd=[dpkt.dns.DNS.Q(name=name)], an=[rr]))


def tls_client_hello(server_name: str) -> bytes:
    name = server_name.encode()
    sni = struct.pack("!HBH", len(name) + 3, 0, len(name)) + name
    alpn = b"\x00\x0c\x02h2\x08http/1.1"
    extensions = struct.pack("!HH", 0, len(sni)) + sni + struct.pack("!HH", 16, len(alpn)) + alpn
    hello = (
        struct.pack("!H", 0x0303) + bytes(32) + b"\x00" + struct.pack("!H", 2) + b"\x13\x01" + b"\x01\x00"
        + struct.pack("!H", len(extensions)) + extensions
    )  # fmt: skip
    handshake = b"\x01" + len(hello).to_bytes(3, "big") + hello
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def gtpu(inner: bytes, teid: int = 0x11223344) -> bytes:
    return struct.pack("!BBHI", 0x30, 255, len(inner), teid) + inner


def dot11_data(payload: bytes, qos: bool = False) -> bytes:
    """An 802.11 data frame from the AP (From DS): addr1 = DA, addr2 = BSSID, addr3 = SA."""
    subtype = 8 if qos else 0
    header = (
        bytes([(subtype << 4) | (2 << 2), 0x02]) + struct.pack("<H", 44) + MAC_B + b"\x02\xaa" * 3 + MAC_A
    )
    header += struct.pack("<H", (42 << 4) | 0)
    if qos:
        header += struct.pack("<H", 5)
    return header + payload


# TCP payloads of an SSH port: banners, binary packets whose header the rich decoder reads or not, and
# payloads of TLS's and HTTP's shape, which tcp_application gives to those first.
SSH_PAYLOADS = [
    b"SSH-2.0-OpenSSH_9.6\r\n",
    b'SSH-2.0-caf\xc3\xa9 "quoted"\r\n',
    struct.pack("!IBB", 12, 4, 20) + bytes(10),  # one whole packet
    struct.pack("!IBB", 300, 7, 21) + bytes(40),  # a plausible length and padding
    struct.pack("!IBB", 300, 250, 21) + bytes(40),  # padding past the length
    struct.pack("!IBB", 30, 30, 21) + bytes(40),  # padding as long as the packet
    struct.pack("!IBB", 40000, 4, 21) + bytes(40),  # an implausible length
    bytes(range(200, 256)) * 3,  # encrypted
    b"\x00\x00\x00",
    b"\x00\x00\x00\x08\xfeSMB" + bytes(60),  # an NBSS session message
    b"\x85\x00\x00\x00",  # an NBSS keep-alive
    b"\x86\x00\x00\x00",  # no NBSS type
    b"\x17\x03\x03\x00\x02hi",
    b"GET / HTTP/1.1\r\n\r\n",
]
# TCP payloads of TLS records after a segment's first: whole records of each content type Wireshark takes
# (20 to 25), an encrypted handshake after a Change Cipher Spec, a later handshake in the clear, records cut
# by the segment, bytes that are not a record, and hundreds of empty records.
TLS_RECORD_RUNS = [
    bytes([20, 3, 3, 0, 1, 1, 22, 3, 3, 0, 40]) + bytes(40) + bytes([23, 3, 3, 0, 10]) + bytes(4),
    bytes([23, 3, 3, 0, 2, 1, 2, 23, 3, 3, 0, 3, 1, 2, 3, 21, 3, 3, 0, 2, 1, 2]),
    bytes([23, 3, 3, 0, 2, 1, 2]) + b"garbage here",
    bytes([23, 3, 3, 0, 2, 1, 2, 23, 3, 3]),
    bytes([23, 3, 3, 0, 2, 1, 2, 25, 3, 3, 0, 1, 1, 26, 3, 3, 0, 1, 1]),
    bytes([23, 3, 3, 0, 2, 1, 2, 23, 2, 0, 0, 1, 1, 24, 3, 9, 0, 1, 1]),
    bytes([23, 3, 3, 0, 2, 1, 2, 22, 3, 1, 0, 4, 14, 0, 0, 0]),
    bytes([21, 3, 3, 0, 2, 1, 2, 23, 3, 3, 0, 40]) + bytes(10),
    bytes([23, 3, 3, 0, 0]) * 290,
]

# Port pairs around SSH's and NBSS's: tcp_application tries DNS, TLS and HTTP first, then the lower port's
# decoder.
SSH_PORT_PAIRS = [
    (22, 40000), (40000, 22), (22, 179), (179, 22), (179, 40000), (22, 80), (22, 53), (22, 22),
    (445, 40000), (139, 445), (22, 445), (40000, 139),
]  # fmt: skip


SNAP_IP = b"\xaa\xaa\x03\x00\x00\x00\x08\x00"


def radiotap(frame: bytes, fcs: bool = False) -> bytes:
    """Radiotap with flags, rate, channel and antenna signal, then the 802.11 frame."""
    flags = 0x10 if fcs else 0
    fields = struct.pack("<BBHHb", flags, 12, 2412, 0x00A0, -42)
    head = struct.pack("<BBHI", 0, 0, 8 + len(fields), 0x2E) + fields
    return head + frame + (b"\xde\xad\xbe\xef" if fcs else b"")


def pppoe_session(ppp_payload: bytes, session: int = 0x1234) -> bytes:
    return struct.pack("!BBHH", 0x11, 0, session, len(ppp_payload)) + ppp_payload


UDP_DATAGRAM = ipv4(17, udp(40000, 9999, b"hello"))
TCP_SYN = ipv4(6, tcp(40000, 80, opts=b"\x02\x04\x05\xb4\x01\x03\x03\x07\x04\x02\x00\x00"))
IP6_UDP = ipv6(17, udp(40000, 9999, b"hello"))


def arcnet(proto: int, payload: bytes, split: int = 0, src: int = 0xBE, dst: int = 0x50) -> bytes:
    """LINKTYPE_ARCNET_LINUX: source, destination, 2-byte offset, protocol ID (+ RFC 1201 split fields)."""
    head = bytes([src, dst, 0xEA, 0x08, proto])
    if proto not in (0xF0, 0xF1, 0x80, 0xCD):  # RFC 1051 IP and ARP, diagnostics, BACnet: no split flag
        head += struct.pack("!BH", split, 357)
    return head + payload


def q922(dlci: int, fecn: bool = False) -> bytes:
    """A 2-octet Frame Relay address."""
    return bytes([(dlci >> 4) << 2, ((dlci & 0x0F) << 4) | (0x08 if fecn else 0) | 0x01])


def ipoib(etype: int, payload: bytes, qpn: int = 0x550, dgid: bytes = IP6_B) -> bytes:
    """LINKTYPE_IPOIB as Linux writes it: 20 zero bytes, the destination address, then RFC 4391's header."""
    return bytes(20) + struct.pack("!I", 0x80000000 | qpn) + dgid + struct.pack("!HH", etype, 0) + payload


def ipnet(family: int, payload: bytes, hook: int = 0) -> bytes:
    return struct.pack("!BBHIIIII", 1, family, hook, len(payload), 2, 0, 0xFFFFFFFF, 0) + payload


def ppi(dlt: int, frame: bytes, fields: bytes = b"") -> bytes:
    return struct.pack("<BBHI", 0, 0, 8 + len(fields), dlt) + fields + frame


def ppi_80211_common(fcs: bool) -> bytes:
    body = struct.pack("<QHHHHBBbb", 4090330723, 1 if fcs else 0, 108, 2437, 0x00C0, 0, 0, -56, -96)
    return struct.pack("<HH", 2, len(body)) + body


def pktap(dlt: int, frame: bytes, header_length: int = 108, rectype: int = 1) -> bytes:
    head = struct.pack("<III24sIIIIi20sIHHi20s", header_length, rectype, dlt, b"en0", 0x2, 2, 14, 0, 512,
                       b"curl", 0, 6, 0, -1, b"")  # fmt: skip
    return head.ljust(header_length, b"\x00") + frame


JUNIPER_IF_INDEXES = b"\x01\x02\x8c\x00\x04\x04\x4c\x01\x00\x00"  # TLVs: device 140, logical 332


def juniper(frame: bytes, flags: int = 0x80, extensions: bytes = JUNIPER_IF_INDEXES) -> bytes:
    """DLT_JUNIPER_ETHER: magic, flags, and with flag 0x80 the extension TLVs."""
    head = b"MGC" + bytes([flags])
    if flags & 0x80:
        head += struct.pack("!H", len(extensions)) + extensions
    return head + frame


def arista_timestamp(etype: int, payload: bytes, version: int = 0x0010) -> bytes:
    stamp = (
        struct.pack("!II", 1559162199, 944724424) if version & 0xF0 == 0x10 else struct.pack("!HI", 60821, 7)
    )
    return struct.pack("!HH", 1, version) + stamp + struct.pack("!H", etype) + payload


def erspan2(inner: bytes, vlan: int = 101, span: int = 1, index: int = 540773) -> bytes:
    """GRE with a sequence number and protocol 0x88be, then the ERSPAN type II header and the frame."""
    gre_header = struct.pack("!HHI", 0x1000, 0x88BE, 1086760)
    return gre_header + struct.pack("!HHI", (1 << 12) | vlan, (6 << 13) | span, index) + inner


def l2tp_data(ppp_frame: bytes, tunnel: int = 0x4A32, session: int = 0xD35E) -> bytes:
    """An L2TPv2 data message with the offset field (of 0), as dpkt-nb6-http.pcap has them."""
    return struct.pack("!HHHH", 0x0202, tunnel, session, 0) + ppp_frame


# an ARP request over ARCNET: hardware type 7, one-byte hardware addresses
ARCNET_ARP = struct.pack("!HHBBH", 7, 0x0800, 1, 4, 1) + b"\xbe" + IP_A + b"\x00" + IP_B

# Valid frames for every link type the rich decoder knows; the property tests truncate and mutate them.
SAMPLES: dict[int, list[bytes]] = {
    1: [
        ether(0x0800, TCP_SYN),
        ether(0x0800, UDP_DATAGRAM),
        ether(0x86DD, IP6_UDP),
        ether(0x8100, vlan_tag(100, 0x0800) + UDP_DATAGRAM),
        ether(0x88A8, vlan_tag(10, 0x8100) + vlan_tag(20, 0x0800) + UDP_DATAGRAM),
        ether(0x0806, bytes(dpkt.arp.ARP(sha=MAC_A, spa=IP_A, tha=bytes(6), tpa=IP_B)) + bytes(18)),
        ether(0x0800, ipv4(1, icmp_echo())),
        ether(0x0800, ipv4(17, udp(33000, 53, dns_query()))),
        ether(0x0800, ipv4(17, udp(2152, 2152, gtpu(UDP_DATAGRAM)))),
        ether(0x0800, ipv4(17, udp(50000, 4789, struct.pack("!BxxxI", 8, 42 << 8) + ether(0x0800, TCP_SYN)))),
        ether(0x8847, struct.pack("!II", (100 << 12) | 64, (200 << 12) | 0x100 | 64) + UDP_DATAGRAM),
        ether(0x0800, ipv4(47, struct.pack("!HHI", 0x2000, 0x0800, 77) + UDP_DATAGRAM)),
        ether(0x8864, pppoe_session(b"\x00\x21" + UDP_DATAGRAM)),
        ether(
            0x0800,
            ipv4(6, tcp(50000, 8443, dpkt.tcp.TH_PUSH | dpkt.tcp.TH_ACK, tls_client_hello("a.example"))),
        ),
        ether(0x0800, ipv4(6, tcp(50000, 80, dpkt.tcp.TH_PUSH, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"))),
        ether(len(SNAP_IP + UDP_DATAGRAM), SNAP_IP + UDP_DATAGRAM),
        ether(0xD28B, arista_timestamp(0x0800, UDP_DATAGRAM)),
        ether(0x0800, ipv4(47, erspan2(ether(0x0800, UDP_DATAGRAM)))),
        ether(0x0800, ipv4(17, udp(1701, 1701, l2tp_data(b"\xff\x03\x00\x57" + IP6_UDP)))),
    ],
    0: [struct.pack("<I", 2) + UDP_DATAGRAM, struct.pack(">I", 24) + IP6_UDP],
    108: [struct.pack(">I", 2) + UDP_DATAGRAM],
    9: [b"\xff\x03\x00\x21" + UDP_DATAGRAM, b"\x00\x57" + IP6_UDP],
    12: [UDP_DATAGRAM, IP6_UDP],
    14: [UDP_DATAGRAM],
    101: [UDP_DATAGRAM, IP6_UDP],
    228: [UDP_DATAGRAM],
    229: [IP6_UDP],
    50: [b"\xff\x03\x00\x21" + UDP_DATAGRAM, b"\x0f\x00\x08\x00" + UDP_DATAGRAM],
    51: [pppoe_session(b"\x00\x21" + UDP_DATAGRAM)],
    104: [b"\x0f\x00\x08\x00" + UDP_DATAGRAM, b"\x8f\x00\x86\xdd" + IP6_UDP],
    105: [dot11_data(SNAP_IP + UDP_DATAGRAM, qos=True)],
    113: [struct.pack("!HHH8sH", 0, 1, 6, MAC_A, 0x0800) + UDP_DATAGRAM],
    127: [radiotap(dot11_data(SNAP_IP + UDP_DATAGRAM)), radiotap(dot11_data(SNAP_IP + TCP_SYN), fcs=True)],
    276: [struct.pack("!HHiHBB8s", 0x86DD, 0, 3, 1, 4, 6, MAC_A) + IP6_UDP],
    107: [
        q922(302) + b"\x86\xdd" + IP6_UDP,  # Cisco's encapsulation: an ethertype after the address
        q922(16) + b"\x03\xcc" + UDP_DATAGRAM,  # RFC 2427: UI control, NLPID
        q922(16) + b"\x03\x00\x80\x00\x00\x00\x08\x00" + TCP_SYN,  # padding, NLPID SNAP, OUI 0
        b"\x80\xea\x9d\x08\x00" + UDP_DATAGRAM,  # a 3-octet address
    ],
    129: [
        arcnet(0xD4, UDP_DATAGRAM),
        arcnet(0xF0, TCP_SYN),
        arcnet(0xD5, ARCNET_ARP),
    ],
    178: [juniper(ether(0x0800, TCP_SYN)), juniper(struct.pack("<I", 2) + UDP_DATAGRAM, flags=0x02)],
    192: [
        ppi(1, ether(0x0800, UDP_DATAGRAM)),
        ppi(
            105,
            dot11_data(SNAP_IP + UDP_DATAGRAM, qos=True) + b"\xde\xad\xbe\xef",
            ppi_80211_common(fcs=True),
        ),
    ],
    226: [ipnet(2, UDP_DATAGRAM), ipnet(26, IP6_UDP, hook=1)],
    242: [ipoib(0x0800, TCP_SYN), ipoib(0x86DD, IP6_UDP), struct.pack("!HH", 0x0800, 0) + UDP_DATAGRAM],
    258: [pktap(1, ether(0x0800, ipv4(17, udp(63538, 53, dns_query()))))],
    # decode/rich/can.py and control.py: SocketCAN (and AUTOSAR NM), 802.15.4 (and 6LoWPAN), MS/TP, D-Bus,
    # vsock, NFLOG
    227: [bytes.fromhex("000007e0080000000210010000000000"), bytes.fromhex("00000000080000001020ff")],
    195: [bytes.fromhex("418801cdabffff01004160000000") + b"\x12\x34"],
    230: [bytes.fromhex("418801cdabffff01007a333a")],
    165: [bytes.fromhex("55ff00010200008c")],
    231: [b"l\x01\x00\x01" + bytes(12)],
    271: [struct.pack("<QQIIHHI", 2, 3, 1024, 5000, 5, 1, 0)],
    239: [b"\x02\x00\x00\x00" + struct.pack("<HH", 4 + len(UDP_DATAGRAM), 9) + UDP_DATAGRAM],
}


# Every link type a printer may be handed: those with a name, those a decoder knows, and two it does not.
ALL_LINKTYPES = sorted(set(LINKTYPES) | lean.SUPPORTED_LINKTYPES | rich.SUPPORTED_LINKTYPES | {147, 65535})
