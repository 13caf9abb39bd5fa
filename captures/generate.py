"""Write the small sample captures in this folder: http, dns, icmp, arp, ipv6 and mixed ``.pcap`` files,
and ``mixed.pcapng`` and ``mixed-nano.pcap``, the formats that WinPcap's libpcap 1.0 does not read.

Every ``.pcap`` file but one is a classic pcap (microsecond timestamps, link type 1 = Ethernet) whose first
packet is stamped 2026-01-02T03:04:05Z; later packets follow at small fixed increments. ``mixed.pcap`` holds
the packets of all the others merged in timestamp order, plus one 802.1Q-tagged frame (VLAN 100).
``mixed.pcapng`` holds the same packets with the same timestamps as pcapng (a section header, one
interface description, Enhanced Packet Blocks: what Wireshark and ``pktmon etl2pcap`` write), and
``mixed-nano.pcap`` as a nanosecond pcap (magic 0xa1b23c4d, as ``tcpdump --nano -w`` writes) in which the
Nth packet's timestamp is N nanoseconds later, so that a reader that drops the nanoseconds shows it.

The packets use only documentation addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32,
fe80::/10) and locally administered MAC addresses; broadcast and multicast destinations are the ones the
protocols require. dpkt fills in every length and checksum.

Nothing here is random or read from the clock, so the output is byte-identical on every run. Regenerate with:

    python captures/generate.py [OUTPUT_DIR]    # OUTPUT_DIR defaults to this script's folder
"""

from __future__ import annotations

import argparse
import datetime
import socket
import struct
import sys
from collections.abc import Sequence
from pathlib import Path

import dpkt

# --- addresses ------------------------------------------------------------------------------------------

HOST_MAC = bytes.fromhex("02000000000a")  # the capturing host
ROUTER_MAC = bytes.fromhex("020000000001")  # its default router
BROADCAST_MAC = b"\xff" * 6
ZERO_MAC = b"\x00" * 6

HOST_IP = "192.0.2.10"
ROUTER_IP = "192.0.2.1"
WEB_IP = "198.51.100.20"  # example.com A, in these samples
DNS_IP = "203.0.113.53"

HOST_LL6 = "fe80::ff:fe00:a"  # EUI-64 link-local addresses of HOST_MAC and ROUTER_MAC
ROUTER_LL6 = "fe80::ff:fe00:1"
HOST_IP6 = "2001:db8:1::10"
WEB_IP6 = "2001:db8:2::20"  # example.com AAAA, in these samples

VLAN_ID = 100
VLAN_SRC_MAC = bytes.fromhex("02000000640a")
VLAN_DST_MAC = bytes.fromhex("020000006414")
VLAN_SRC_IP = "203.0.113.10"
VLAN_DST_IP = "203.0.113.20"

# --- time -----------------------------------------------------------------------------------------------

START = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
START_SEC = int(START.timestamp())  # 1767323045
MS = 1_000  # offsets are integer microseconds after START, so no float rounding creeps in
SECOND = 1_000_000
RTT = 250  # round-trip time to every peer, in microseconds

SNAPLEN = 262144
HOPS = 8  # between the host and the remote peers: their packets arrive with TTL/hop limit 64 - 8

Capture = list[tuple[int, bytes]]  # (microseconds after START, Ethernet frame), in time order


def ip4(addr: str) -> bytes:
    return socket.inet_pton(socket.AF_INET, addr)


def ip6(addr: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6, addr)


def ether(dst: bytes, src: bytes, data: dpkt.Packet, pad: bool = False) -> bytes:
    """An Ethernet frame around DATA; PAD fills it to the 60-byte minimum (no FCS), as NICs do."""
    frame = bytes(dpkt.ethernet.Ethernet(dst=dst, src=src, data=data))
    return frame.ljust(60, b"\x00") if pad else frame


def ipv4(src: str, dst: str, payload: dpkt.Packet, ident: int, ttl: int = 64, tos: int = 0) -> dpkt.ip.IP:
    """An IPv4 packet with DF set; dpkt computes the length and checksums when it is packed."""
    proto = {
        dpkt.tcp.TCP: dpkt.ip.IP_PROTO_TCP,
        dpkt.udp.UDP: dpkt.ip.IP_PROTO_UDP,
        dpkt.icmp.ICMP: dpkt.ip.IP_PROTO_ICMP,
    }[type(payload)]
    return dpkt.ip.IP(src=ip4(src), dst=ip4(dst), p=proto, id=ident, ttl=ttl, tos=tos, df=1, data=payload)


def ipv6(src: str, dst: str, payload: dpkt.Packet, hlim: int = 64) -> dpkt.ip6.IP6:
    """An IPv6 packet; dpkt computes the upper-layer checksum (with the pseudo-header) when it is packed."""
    nxt = {
        dpkt.tcp.TCP: dpkt.ip.IP_PROTO_TCP,
        dpkt.udp.UDP: dpkt.ip.IP_PROTO_UDP,
        dpkt.icmp6.ICMP6: dpkt.ip.IP_PROTO_ICMP6,
    }[type(payload)]
    return dpkt.ip6.IP6(src=ip6(src), dst=ip6(dst), nxt=nxt, hlim=hlim, plen=len(payload), data=payload)


def udp(sport: int, dport: int, payload: bytes) -> dpkt.udp.UDP:
    return dpkt.udp.UDP(sport=sport, dport=dport, ulen=8 + len(payload), data=payload)


def tcp_syn_options(mss: int, tsval: int, tsecr: int, wscale: int) -> bytes:
    """MSS, SACK permitted, timestamps, NOP, window scale: the order Linux puts them in (20 bytes)."""
    return (
        struct.pack("!BBH", dpkt.tcp.TCP_OPT_MSS, 4, mss)
        + struct.pack("!BB", dpkt.tcp.TCP_OPT_SACKOK, 2)
        + struct.pack("!BBII", dpkt.tcp.TCP_OPT_TIMESTAMP, 10, tsval, tsecr)
        + struct.pack("!BBBB", dpkt.tcp.TCP_OPT_NOP, dpkt.tcp.TCP_OPT_WSCALE, 3, wscale)
    )


def tcp_ts_options(tsval: int, tsecr: int) -> bytes:
    """NOP, NOP, timestamps: what every segment carries once timestamps are agreed (12 bytes)."""
    return struct.pack(
        "!BBBBII", dpkt.tcp.TCP_OPT_NOP, dpkt.tcp.TCP_OPT_NOP, dpkt.tcp.TCP_OPT_TIMESTAMP, 10, tsval, tsecr
    )


def tcp(
    sport: int, dport: int, seq: int, ack: int, flags: int, win: int, opts: bytes, payload: bytes = b""
) -> dpkt.tcp.TCP:
    assert len(opts) % 4 == 0
    return dpkt.tcp.TCP(
        sport=sport,
        dport=dport,
        seq=seq,
        ack=ack,
        flags=flags,
        win=win,
        off=5 + len(opts) // 4,
        opts=opts,
        data=payload,
    )


def ping_payload(sent_usec: int) -> bytes:
    """56 bytes like Linux ping: the send time as a 64-bit timeval, then the bytes 0x10..0x37."""
    sec, usec = divmod(START_SEC * SECOND + sent_usec, SECOND)
    return struct.pack("<qq", sec, usec) + bytes(range(0x10, 0x38))


# --- the captures ---------------------------------------------------------------------------------------


def http_capture() -> Capture:
    """TCP handshake, GET / and its 200 OK, then the client closes: 9 packets."""
    cport, sport = 51000, 80
    cisn, sisn = 0x1A2B3C4D, 0x5E6F7081
    request = (
        b"GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: pycapture-sample/1.0\r\nAccept: */*\r\n\r\n"
    )
    body = b"<!doctype html>\n<html><head><title>Example</title></head><body><p>Sample.</p></body></html>\n"
    response = (
        b"HTTP/1.1 200 OK\r\n"
        b"Date: Fri, 02 Jan 2026 03:04:05 GMT\r\n"
        b"Content-Type: text/html; charset=UTF-8\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n"
        b"\r\n" + body
    )
    c_ts, s_ts = 100_000, 200_000  # TCP timestamp clocks of the two ends
    ttl_in = 64 - HOPS
    syn, ack, psh, fin = dpkt.tcp.TH_SYN, dpkt.tcp.TH_ACK, dpkt.tcp.TH_PUSH, dpkt.tcp.TH_FIN

    def out(t: int, ident: int, seg: dpkt.tcp.TCP) -> tuple[int, bytes]:
        return t, ether(ROUTER_MAC, HOST_MAC, ipv4(HOST_IP, WEB_IP, seg, ident))

    def back(t: int, ident: int, seg: dpkt.tcp.TCP) -> tuple[int, bytes]:
        return t, ether(HOST_MAC, ROUTER_MAC, ipv4(WEB_IP, HOST_IP, seg, ident, ttl=ttl_in))

    c_opts, s_opts = tcp_ts_options(c_ts, s_ts), tcp_ts_options(s_ts, c_ts)
    c1, s1 = cisn + 1, sisn + 1  # after the SYNs
    c2, s2 = c1 + len(request), s1 + len(response)  # after the data
    return [
        out(0, 0x4D01, tcp(cport, sport, cisn, 0, syn, 64240, tcp_syn_options(1460, c_ts, 0, 7))),
        back(RTT, 0, tcp(sport, cport, sisn, c1, syn | ack, 65160, tcp_syn_options(1460, s_ts, c_ts, 7))),
        out(RTT + 50, 0x4D02, tcp(cport, sport, c1, s1, ack, 502, c_opts)),
        out(RTT + 100, 0x4D03, tcp(cport, sport, c1, s1, psh | ack, 502, c_opts, request)),
        back(2 * RTT + 100, 0x8E01, tcp(sport, cport, s1, c2, psh | ack, 509, s_opts, response)),
        out(2 * RTT + 150, 0x4D04, tcp(cport, sport, c2, s2, ack, 501, c_opts)),
        out(2 * RTT + 200, 0x4D05, tcp(cport, sport, c2, s2, fin | ack, 501, c_opts)),
        back(3 * RTT + 200, 0x8E02, tcp(sport, cport, s2, c2 + 1, fin | ack, 509, s_opts)),
        out(3 * RTT + 250, 0x4D06, tcp(cport, sport, c2 + 1, s2 + 1, ack, 501, c_opts)),
    ]


def dns_capture() -> Capture:
    """example.com A and AAAA, each a query and a one-record answer: 4 packets."""
    name, cport = "example.com", 41000
    packets: Capture = []
    for i, (qtype, rdata) in enumerate(((dpkt.dns.DNS_A, ip4(WEB_IP)), (dpkt.dns.DNS_AAAA, ip6(WEB_IP6)))):
        t = i * 400
        question = dpkt.dns.DNS.Q(name=name, type=qtype, cls=dpkt.dns.DNS_IN)
        query = dpkt.dns.DNS(id=0x1A2B + i, op=dpkt.dns.DNS_RD, qd=[question])
        answer = dpkt.dns.DNS.RR(name=name, type=qtype, cls=dpkt.dns.DNS_IN, ttl=300, rdata=rdata)
        reply = dpkt.dns.DNS(
            id=0x1A2B + i, op=dpkt.dns.DNS_QR | dpkt.dns.DNS_RD | dpkt.dns.DNS_RA, qd=[question], an=[answer]
        )
        query_packet = ipv4(HOST_IP, DNS_IP, udp(cport, 53, bytes(query)), 0x5A01 + i)
        reply_packet = ipv4(DNS_IP, HOST_IP, udp(53, cport, bytes(reply)), 0x9C01 + i, ttl=64 - HOPS)
        packets.append((t, ether(ROUTER_MAC, HOST_MAC, query_packet)))
        packets.append((t + RTT, ether(HOST_MAC, ROUTER_MAC, reply_packet)))
    return packets


def icmp_capture() -> Capture:
    """Three pings a second apart, then a port unreachable for a UDP probe to port 33434: 7 packets."""
    ident = 0x1234  # 4660
    packets: Capture = []
    for seq in (1, 2, 3):
        t = (seq - 1) * SECOND
        echo = dpkt.icmp.ICMP.Echo(id=ident, seq=seq, data=ping_payload(t))  # the reply echoes it back
        request = dpkt.icmp.ICMP(type=dpkt.icmp.ICMP_ECHO, code=0, data=echo)
        reply = dpkt.icmp.ICMP(type=dpkt.icmp.ICMP_ECHOREPLY, code=0, data=dpkt.icmp.ICMP.Echo(bytes(echo)))
        out = ipv4(HOST_IP, WEB_IP, request, 0x6B00 + seq)
        back = ipv4(WEB_IP, HOST_IP, reply, 0xA100 + seq, ttl=64 - HOPS)
        packets.append((t, ether(ROUTER_MAC, HOST_MAC, out)))
        packets.append((t + RTT, ether(HOST_MAC, ROUTER_MAC, back)))

    # The probe as the peer received it (TTL already lowered by the routers), quoted whole in the error.
    probe_payload = bytes(range(0x40, 0x60))  # traceroute's 32 bytes "@ABC...^_"
    probe = ipv4(HOST_IP, WEB_IP, udp(41234, 33434, probe_payload), 0x6B10, ttl=64 - HOPS)
    unreach = dpkt.icmp.ICMP(
        type=dpkt.icmp.ICMP_UNREACH,
        code=dpkt.icmp.ICMP_UNREACH_PORT,
        data=dpkt.icmp.ICMP.Unreach(data=bytes(probe)),
    )
    error = ipv4(WEB_IP, HOST_IP, unreach, 0xA110, ttl=64 - HOPS, tos=0xC0)
    packets.append((3 * SECOND, ether(HOST_MAC, ROUTER_MAC, error)))
    return packets


def arp_capture() -> Capture:
    """Who has 192.0.2.1? and the router's answer, both padded to 60 bytes: 2 packets."""
    request = dpkt.arp.ARP(
        op=dpkt.arp.ARP_OP_REQUEST, sha=HOST_MAC, spa=ip4(HOST_IP), tha=ZERO_MAC, tpa=ip4(ROUTER_IP)
    )
    reply = dpkt.arp.ARP(
        op=dpkt.arp.ARP_OP_REPLY, sha=ROUTER_MAC, spa=ip4(ROUTER_IP), tha=HOST_MAC, tpa=ip4(HOST_IP)
    )
    return [
        (0, ether(BROADCAST_MAC, HOST_MAC, request, pad=True)),
        (120, ether(HOST_MAC, ROUTER_MAC, reply, pad=True)),
    ]


def ipv6_capture() -> Capture:
    """Neighbor solicitation and advertisement, ping6 and reply, a UDP datagram, a TCP SYN: 6 packets."""
    target = ip6(ROUTER_LL6)
    # The solicited-node multicast group of the target (ff02::1:ff00:1) and its Ethernet address.
    solicited_node = socket.inet_ntop(socket.AF_INET6, ip6("ff02::1:ff00:0")[:13] + target[13:])
    solicited_mac = b"\x33\x33" + ip6(solicited_node)[12:]

    # NS: reserved, target, source link-layer address option (type 1, length 1 = 8 bytes).
    ns_body = struct.pack("!I", 0) + target + struct.pack("!BB", 1, 1) + HOST_MAC
    ns = dpkt.icmp6.ICMP6(type=dpkt.icmp6.ND_NEIGHBOR_SOLICIT, code=0, data=ns_body)
    # NA: router, solicited and override flags, target, target link-layer address option (type 2).
    na_body = struct.pack("!I", 0xE0000000) + target + struct.pack("!BB", 2, 1) + ROUTER_MAC
    na = dpkt.icmp6.ICMP6(type=dpkt.icmp6.ND_NEIGHBOR_ADVERT, code=0, data=na_body)

    ident = 0x1235
    echo_req = dpkt.icmp6.ICMP6(
        type=dpkt.icmp6.ICMP6_ECHO_REQUEST,
        code=0,
        data=dpkt.icmp6.ICMP6.Echo(id=ident, seq=1, data=ping_payload(MS)),
    )
    echo_rep = dpkt.icmp6.ICMP6(
        type=dpkt.icmp6.ICMP6_ECHO_REPLY,
        code=0,
        data=dpkt.icmp6.ICMP6.Echo(id=ident, seq=1, data=ping_payload(MS)),
    )

    datagram = udp(41001, 9, b"pycapture sample over IPv6\n")  # to the discard port
    syn = tcp(51001, 443, 0x0BADCAFE, 0, dpkt.tcp.TH_SYN, 64800, tcp_syn_options(1440, 300_000, 0, 7))

    return [
        (0, ether(solicited_mac, HOST_MAC, ipv6(HOST_LL6, solicited_node, ns, hlim=255))),
        (RTT, ether(HOST_MAC, ROUTER_MAC, ipv6(ROUTER_LL6, HOST_LL6, na, hlim=255))),
        (MS, ether(ROUTER_MAC, HOST_MAC, ipv6(HOST_IP6, WEB_IP6, echo_req))),
        (MS + RTT, ether(HOST_MAC, ROUTER_MAC, ipv6(WEB_IP6, HOST_IP6, echo_rep, hlim=64 - HOPS))),
        (2 * MS, ether(ROUTER_MAC, HOST_MAC, ipv6(HOST_IP6, WEB_IP6, datagram))),
        (3 * MS, ether(ROUTER_MAC, HOST_MAC, ipv6(HOST_IP6, WEB_IP6, syn))),
    ]


def vlan_frame() -> bytes:
    """One UDP datagram on VLAN 100 (802.1Q tag, priority 0) to the discard port."""
    packet = ipv4(VLAN_SRC_IP, VLAN_DST_IP, udp(41002, 9, b"pycapture sample on VLAN 100\n"), 0x7C01)
    frame = dpkt.ethernet.Ethernet(
        dst=VLAN_DST_MAC, src=VLAN_SRC_MAC, data=packet, vlan_tags=[dpkt.ethernet.VLANtag8021Q(id=VLAN_ID)]
    )
    return bytes(frame)


# --- writing --------------------------------------------------------------------------------------------

NANOSECOND = 1_000  # per microsecond
USERAPPL = "pycapture captures/generate.py"  # the pcapng section header's shb_userappl


def pcap_bytes(packets: Sequence[tuple[int, bytes]]) -> bytes:
    """A classic little-endian microsecond pcap, whatever the byte order of the machine running this."""
    out = [bytes(dpkt.pcap.LEFileHdr(snaplen=SNAPLEN, linktype=dpkt.pcap.DLT_EN10MB))]
    for offset, frame in packets:
        sec, usec = divmod(START_SEC * SECOND + offset, SECOND)
        out.append(bytes(dpkt.pcap.LEPktHdr(tv_sec=sec, tv_usec=usec, caplen=len(frame), len=len(frame))))
        out.append(frame)
    return b"".join(out)


def pcap_nano_bytes(packets: Sequence[tuple[int, bytes]]) -> bytes:
    """A classic little-endian nanosecond pcap; the Nth packet (from 1) is stamped N ns after its offset."""
    header = dpkt.pcap.LEFileHdr(
        magic=dpkt.pcap.TCPDUMP_MAGIC_NANO, snaplen=SNAPLEN, linktype=dpkt.pcap.DLT_EN10MB
    )
    out = [bytes(header)]
    for number, (offset, frame) in enumerate(packets, start=1):
        sec, nsec = divmod((START_SEC * SECOND + offset) * NANOSECOND + number, SECOND * NANOSECOND)
        # dpkt names the field tv_usec; with the nanosecond magic it holds nanoseconds
        out.append(bytes(dpkt.pcap.LEPktHdr(tv_sec=sec, tv_usec=nsec, caplen=len(frame), len=len(frame))))
        out.append(frame)
    return b"".join(out)


def _options(*options: tuple[int, bytes]) -> list[dpkt.pcapng.PcapngOptionLE]:
    """pcapng options in order, with the opt_endofopt that must close them."""
    return [
        *(dpkt.pcapng.PcapngOptionLE(code=code, data=data) for code, data in options),
        dpkt.pcapng.PcapngOptionLE(code=dpkt.pcapng.PCAPNG_OPT_ENDOFOPT),
    ]


def pcapng_bytes(packets: Sequence[tuple[int, bytes]]) -> bytes:
    """A little-endian pcapng: a section header, one Ethernet interface (microseconds), one EPB a packet."""
    ng = dpkt.pcapng
    shb = ng.SectionHeaderBlockLE(opts=_options((ng.PCAPNG_OPT_SHB_USERAPPL, USERAPPL.encode())))
    idb = ng.InterfaceDescriptionBlockLE(
        linktype=dpkt.pcap.DLT_EN10MB,
        snaplen=SNAPLEN,
        opts=_options((ng.PCAPNG_OPT_IF_TSRESOL, bytes([6]))),  # 10^-6 s, the default, said explicitly
    )
    out = [bytes(shb), bytes(idb)]
    for offset, frame in packets:
        usec = START_SEC * SECOND + offset
        epb = ng.EnhancedPacketBlockLE(
            iface_id=0, ts_high=usec >> 32, ts_low=usec & 0xFFFFFFFF, pkt_data=frame, opts=[]
        )
        out.append(bytes(epb))
    return b"".join(out)


def build() -> dict[str, Capture]:
    """Every file's packets, by file name."""
    captures: dict[str, Capture] = {
        "arp.pcap": arp_capture(),
        "dns.pcap": dns_capture(),
        "http.pcap": http_capture(),
        "icmp.pcap": icmp_capture(),
        "ipv6.pcap": ipv6_capture(),
    }
    # Merged like mergecap: by time, ties in the order above; the VLAN frame comes after everything.
    merged = sorted(
        (t, n, i, frame)
        for n, packets in enumerate(captures.values())
        for i, (t, frame) in enumerate(packets)
    )
    mixed: Capture = [(t, frame) for t, _, _, frame in merged]
    mixed.append((mixed[-1][0] + SECOND, vlan_frame()))
    captures["mixed.pcap"] = mixed
    return captures


def files() -> dict[str, tuple[int, bytes]]:
    """Every file's packet count and bytes, by file name: the classic pcaps, then mixed in other formats."""
    captures = build()
    written = {name: (len(packets), pcap_bytes(packets)) for name, packets in captures.items()}
    mixed = captures["mixed.pcap"]
    written["mixed.pcapng"] = (len(mixed), pcapng_bytes(mixed))
    written["mixed-nano.pcap"] = (len(mixed), pcap_nano_bytes(mixed))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "output_dir",
        nargs="?",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="where to write the files (default: this script's folder)",
    )
    args = parser.parse_args(argv)
    out_dir: Path = args.output_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, (count, data) in files().items():
        (out_dir / name).write_bytes(data)
        print(f"{out_dir / name}: {count} packets, {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
