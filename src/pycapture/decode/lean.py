"""The lean header decoder: only the header fields a one-line summary needs, with ``struct``.

This is pycapture's fast path (gopacket's DecodingLayerParser idea): no object per layer, no
payload copies, just one tuple per header in wire order. Full dpkt objects cost about five times
as much per packet, too much to keep pace with tcpdump; the rich decoder builds those when asked.

``decode(linktype, data, length)`` returns the frame's layers in wire order, one plain tuple per
header whose first item names it; ``lean_layers`` gives each kind's type and layout.
"""

from __future__ import annotations

import re
import socket
import struct

from ..protocols.numbers import (
    ARCNET_DECODERS,
    ARCNET_UNSPLIT,
    ETHERTYPE_ARP,
    ETHERTYPE_IP,
    ETHERTYPE_IP6,
    ETHERTYPE_MPLS,
    ETHERTYPE_QINQ,
    ETHERTYPE_QINQ_OLD,
    ETHERTYPE_TEB,
    ETHERTYPE_VLAN,
    IP_DECODERS,
    IPPROTO_GRE,
    TCPDUMP_ETHERTYPE_NAMES,
    TCPDUMP_HTTP_PORTS,
    TCPDUMP_IP_PROTOCOL_NAMES,
)
from .lean_ether import ETHER_PRINTERS, arp_is_plain, ether_protocol, llc_payload, snap_decoded_here
from .lean_ip import ip_payload, ipv6_chain
from .lean_layers import DnsAnswer, DnsQuestion, Layers, TruncLayer
from .lean_links import ETHERTYPE_DECODERS as _LINK_ETHERTYPES
from .lean_links import LINK_DECODERS as _SERIAL_LINKS
from .lean_links2 import LINK_DECODERS as _MORE_LINKS
from .lean_links2 import wrong_ip_version
from .lean_misc import IP_MISC, gre_carried, misc_ip_payload
from .lean_tcp import tcp_app, tcp_printer
from .lean_udp import decode_udp_app, udp_printer
from .lean_wlan import link_decoders as _wlan_link_decoders
from .walk import BOOTP_PORTS

_IP_PROTOCOL_BY_NAME = {name: number for number, name in TCPDUMP_IP_PROTOCOL_NAMES.items()}
_IGMP, _PIM, _OSPF, _VRRP = (_IP_PROTOCOL_BY_NAME[name] for name in ("igmp", "pim", "ospf", "vrrp"))
_EIGRP = {decoder: number for number, decoder in IP_DECODERS.items()}["eigrp"]
_OSPF_AUTH_MD5 = 2  # RFC 2328 D.3: cryptographic authentication
_ETHERTYPE_BY_NAME = {name: number for number, name in TCPDUMP_ETHERTYPE_NAMES.items()}
_GRE_ISO = 0x00FE  # print-gre.c's ETHERTYPE_GRE_ISO: OSI network layer PDUs, not an EtherType
# what tcpdump's GREv0 printer hands on that this decoder does not read: MPLS, IPX, AppleTalk, OSI, Ethernet
_GRE_DECODED_ELSEWHERE = frozenset(
    (ETHERTYPE_MPLS, _ETHERTYPE_BY_NAME["IPX"], _ETHERTYPE_BY_NAME["Appletalk"], _GRE_ISO, ETHERTYPE_TEB)
)

_u16 = struct.Struct("!H").unpack_from
_eth = struct.Struct("!6s6sH").unpack_from
_ip = struct.Struct("!BBHHHBBH4s4s").unpack_from
_ip6 = struct.Struct("!IHBB16s16s").unpack_from
_udp = struct.Struct("!HHH").unpack_from
_tcp = struct.Struct("!HHIIBBH").unpack_from
_icmp = struct.Struct("!BBHI").unpack_from
_arp = struct.Struct("!HHBBH").unpack_from
_hh = struct.Struct("!HH").unpack_from

_VLAN_TYPES = frozenset((ETHERTYPE_VLAN, ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD))


# Link types tcpdump 4.99 has no printer for (it prints "UNSUPPORTED" and the frame in hex and ASCII),
# found by reading a one-frame file of each type 0-299 with it.
TCPDUMP_UNSUPPORTED = frozenset((
    110, 111, 115, 116, 118, 120, 121, 124, 125, 126, 128, *range(139, 149), *range(150, 163), 165,
    *range(169, 178), *range(183, 189), 190, 191, 193, 194, *range(196, 201), *range(202, 220), 221, 222,
    223, 224, 225, 227, *range(231, 239), *range(243, 258), *range(259, 271), *range(272, 276),
    *range(277, 281), *range(286, 290),
))  # fmt: skip


def decode(linktype: int, data: bytes, length: int) -> Layers:
    """Decode the headers of one frame; never raises, whatever the bytes."""
    layers: Layers = []
    handler = _LINK_DECODERS.get(linktype)
    if handler is None:
        if linktype in TCPDUMP_UNSUPPORTED:
            layers.append(("unsupported", linktype, length, bytes(data)))
        else:
            layers.append(("other", "linktype", linktype, length))
        return layers
    try:
        handler(data, length, layers)
    except (struct.error, IndexError, ValueError) as exc:  # a check we missed: malformed, not fatal
        layers.append(("bad", layers[-1][0] if layers else "frame", f"undecodable ({exc})"))
    return layers


# --- link layers -------------------------------------------------------------------------------


def _ethernet(data: bytes, length: int, layers: Layers) -> None:
    if len(data) < 14:
        layers.append(("trunc", "ether"))
        return
    dst, src, etype = _eth(data, 0)
    layers.append(("eth", dst, src, etype))
    offset = 14
    while etype in _VLAN_TYPES:
        if len(data) < offset + 4:
            layers.append(("trunc", "vlan"))
            return
        tci, etype = _hh(data, offset)
        layers.append(("vlan", tci, etype))
        offset += 4
    if etype < 0x0600:
        _llc(data, offset, length, etype, layers)
        return
    _ethertype(data, offset, length, etype, layers)


# the EtherTypes after SNAP read as layers here; tcpdump's llc_print reads the other LLC frames whole
_SNAP_DECODED = frozenset((ETHERTYPE_IP, ETHERTYPE_IP6, ETHERTYPE_ARP, *_LINK_ETHERTYPES))


def _llc(data: bytes, offset: int, length: int, frame_length: int, layers: Layers) -> None:
    if len(data) < offset + 3:
        layers.append(("trunc", "llc"))
        return
    dsap, ssap, control = data[offset], data[offset + 1], data[offset + 2]
    if snap_decoded_here(data, offset, _SNAP_DECODED):
        # SNAP: OUI then an ethertype, the way 802.11 and some LANs carry IP
        etype = _u16(data, offset + 6)[0]
        layers.append(("llc", dsap, ssap, control, frame_length))
        _ethertype(data, offset + 8, length, etype, layers)
        return
    layers.append(("llc", dsap, ssap, control, frame_length))
    llc_payload(data, offset, min(frame_length, length - offset), layers)


def _ethertype(data: bytes, offset: int, length: int, etype: int, layers: Layers) -> None:
    if etype == ETHERTYPE_IP:
        _ipv4(data, offset, layers, length - offset)
    elif etype == ETHERTYPE_IP6:
        _ipv6(data, offset, layers, length - offset)
    elif etype == ETHERTYPE_ARP and arp_is_plain(data, offset):
        _arp_packet(data, offset, length - offset, layers)
    elif etype in ETHER_PRINTERS:  # PTP, AoE, DECnet, IPX, LLDP, ...: tcpdump reads them whole
        ether_protocol(data, offset, length - offset, etype, layers, _ethertype)
    elif etype in _LINK_ETHERTYPES:  # MPLS, PPP
        _LINK_ETHERTYPES[etype](data, offset, length - offset, layers)
    else:
        layers.append(("other", "ethertype", etype, length - offset))
        layers.append(("data", data[offset:]))


def _linux_sll(data: bytes, length: int, layers: Layers) -> None:
    if len(data) < 16:
        layers.append(("trunc", "sll"))
        return
    packet_type = _u16(data, 0)[0]
    proto = _u16(data, 14)[0]
    layers.append(("sll", packet_type, proto, data[6 : 6 + min(_u16(data, 4)[0], 8)]))
    _sll_payload(data, 16, length, proto, layers)


def _linux_sll2(data: bytes, length: int, layers: Layers) -> None:
    if len(data) < 20:
        layers.append(("trunc", "sll2"))
        return
    proto = _u16(data, 0)[0]
    address = data[12 : 12 + min(data[11], 8)]
    layers.append(("sll2", data[10], proto, address, int.from_bytes(data[4:8], "big")))
    _sll_payload(data, 20, length, proto, layers)


def _sll_payload(data: bytes, offset: int, length: int, proto: int, layers: Layers) -> None:
    if proto >= 0x0600:
        while proto in _VLAN_TYPES:
            if len(data) < offset + 4:
                layers.append(("trunc", "vlan"))
                return
            tci, proto = _hh(data, offset)
            layers.append(("vlan", tci, proto))
            offset += 4
        _ethertype(data, offset, length, proto, layers)
    elif proto == 0x0004:  # LINUX_SLL_P_802_2: an LLC frame follows
        _llc(data, offset, length, length - offset, layers)
    else:
        layers.append(("other", "sll-protocol", proto, length - offset))
        layers.append(("data", data[offset:]))


def _raw_ip(data: bytes, length: int, layers: Layers) -> None:
    if not data:
        layers.append(("trunc", "ip"))
        return
    version = data[0] >> 4
    if version == 4:
        _ipv4(data, 0, layers, length)
    elif version == 6:
        _ipv6(data, 0, layers, length)
    else:
        layers.append(("bad", "ip", f"unknown ip {version}"))  # print-ip.c's ipN_print


def _raw_ipv4(data: bytes, length: int, layers: Layers) -> None:
    _ipv4(data, 0, layers, length)


def _raw_ipv6(data: bytes, length: int, layers: Layers) -> None:
    _ipv6(data, 0, layers, length)


def _null(data: bytes, length: int, layers: Layers) -> None:
    if len(data) < 4:
        layers.append(("trunc", "null"))
        return
    # DLT_NULL's family is in the capturing host's byte order; AF_INET is 2 everywhere,
    # AF_INET6 is 10, 24, 28 or 30 depending on the OS.
    family = int.from_bytes(data[:4], "little")
    if family > 0xFFFF:
        family = int.from_bytes(data[:4], "big")
    _family_payload(data, length, family, layers)


def _loop(data: bytes, length: int, layers: Layers) -> None:
    if len(data) < 4:
        layers.append(("trunc", "loop"))
        return
    _family_payload(data, length, int.from_bytes(data[:4], "big"), layers)


def _family_payload(data: bytes, length: int, family: int, layers: Layers) -> None:
    layers.append(("null", family))
    if family == 2:
        _ipv4(data, 4, layers, length - 4)
    elif family in (10, 24, 28, 30):
        _ipv6(data, 4, layers, length - 4)
    else:
        layers.append(("other", "family", family, length - 4))
        layers.append(("data", data[4:]))


# --- other link types: a header of its own, then IP, ARP or a frame of another link type ---------------

# the network layers lean reads after ARCNET, as the EtherType that announces the same one
_ARCNET_ETHERTYPES = {
    proto: {"ip": ETHERTYPE_IP, "ipv6": ETHERTYPE_IP6, "arp": ETHERTYPE_ARP}[decoder]
    for proto, decoder in ARCNET_DECODERS.items()
    if decoder != "llc"
}


def _arcnet(data: bytes, length: int, layers: Layers) -> None:
    if len(data) < 5:
        layers.append(("trunc", "arcnet"))
        return
    proto = data[4]
    size = 5 if proto in ARCNET_UNSPLIT else 8
    if len(data) < size:
        layers.append(("trunc", "arcnet"))
        return
    layers.append(("link", "arcnet", size, proto))
    split = data[5] if size == 8 else 0
    if split and not split & 1:  # a later fragment of a split packet: no header of its own
        layers.append(("other", "arcnet-fragment", proto, length - size))
    elif proto in _ARCNET_ETHERTYPES:
        _ethertype(data, size, length, _ARCNET_ETHERTYPES[proto], layers)
    else:
        layers.append(("other", "arcnet-protocol", proto, length - size))


_IPOIB_TYPES = frozenset((ETHERTYPE_IP, ETHERTYPE_IP6, ETHERTYPE_ARP, 0x8035))


def _ipoib(data: bytes, length: int, layers: Layers) -> None:
    # Linux writes 40 bytes (a GRH, or the destination hardware address) before RFC 4391's 4-byte
    # header; a frame starting with a known ethertype and 2 zero bytes has that header alone
    if len(data) < 4:
        layers.append(("trunc", "ipoib"))
        return
    size = 4 if data[2:4] == b"\x00\x00" and _u16(data, 0)[0] in _IPOIB_TYPES else 44
    if len(data) < size:
        layers.append(("trunc", "ipoib"))
        return
    etype = _u16(data, size - 4)[0]
    layers.append(("link", "ipoib", size, etype))
    _ethertype(data, size, length, etype, layers)


def _ipnet(data: bytes, length: int, layers: Layers) -> None:
    if len(data) < 24:
        layers.append(("trunc", "ipnet"))
        return
    family = data[1]
    layers.append(("link", "ipnet", 24, family))
    if family == 2:
        _ipv4(data, 24, layers)
    elif family == 26:  # Solaris' AF_INET6
        _ipv6(data, 24, layers)
    else:
        layers.append(("other", "family", family, length - 24))


def _inner_frame(data: bytes, length: int, size: int, dlt: int, layers: Layers) -> None:
    """The frame after a PPI or PKTAP header; such headers do not nest, which bounds the recursion."""
    handler = _LINK_DECODERS.get(dlt) if dlt not in _WRAPPERS else None
    if handler is None:
        layers.append(("other", "linktype", dlt, length - size))
    else:
        handler(data[size:], length - size, layers)


def _wrapper_header(name: str, data: bytes, size: int, least: int, dlt: int, layers: Layers) -> bool:
    """The checks a PPI or PKTAP header shares: its own length ``size`` is at least ``least`` and was
    captured whole. Appends the link layer and returns True when the frame after it can be read; else
    appends why not and returns False."""
    if size < least:
        layers.append(("bad", name, f"bad-hlen {size}"))
        return False
    if len(data) < size:
        layers.append(("trunc", name))
        return False
    layers.append(("link", name, size, dlt))
    return True


def _ppi(data: bytes, length: int, layers: Layers) -> None:
    if len(data) < 8:
        layers.append(("trunc", "ppi"))
        return
    size = int.from_bytes(data[2:4], "little")
    dlt = int.from_bytes(data[4:8], "little")
    if _wrapper_header("ppi", data, size, 8, dlt, layers):
        _inner_frame(data, length, size, dlt, layers)


def _pktap(data: bytes, length: int, layers: Layers) -> None:
    if len(data) < 12:
        layers.append(("trunc", "pktap"))
        return
    size = int.from_bytes(data[0:4], "little")
    rectype = int.from_bytes(data[4:8], "little")
    dlt = int.from_bytes(data[8:12], "little")
    if not _wrapper_header("pktap", data, size, 108, dlt, layers):
        return
    if rectype != 1:  # not a packet record
        layers.append(("other", "pktap-record", rectype, length - size))
        return
    _inner_frame(data, length, size, dlt, layers)


# --- network layers ----------------------------------------------------------------------------


def _ipv4(data: bytes, offset: int, layers: Layers, wire: int | None = None) -> None:
    """``wire``: the bytes from ``offset`` to the frame's end on the wire, where known."""
    if len(data) > offset and data[offset] >> 4 != 4:  # ip_print checks the version first
        layers.append(wrong_ip_version(4, data[offset] >> 4))
        return
    if len(data) < offset + 20:
        layers.append(("trunc", "ip", data[offset] >> 4) if len(data) > offset else ("trunc", "ip"))
        return
    vhl, _tos, total, ident, frag, ttl, proto, _sum, src, dst = _ip(data, offset)
    if vhl >> 4 != 4:
        layers.append(("bad", "ip", f"IP version {vhl >> 4}"))
        return
    hl = (vhl & 0x0F) * 4
    if hl < 20:
        layers.append(("bad", "ip", f"bad-hlen {hl}"))
        return
    if total < hl:
        layers.append(("bad", "ip", f"bad-len {total}"))
        return
    payload_length = total - hl
    layers.append(("ip", src, dst, proto, payload_length, ttl, ident, frag))
    if wire is not None and wire < total:  # tcpdump's "truncated-ip - N bytes missing!"
        layers.append(("ipx", "ip-missing", b"", proto, total - wire, ""))
    if frag & 0x1FFF:  # not the first fragment: no transport header here
        layers.append(("other", "fragment", proto, payload_length))
        return
    _transport(data, offset + hl, proto, payload_length, layers)


def _ipv6(data: bytes, offset: int, layers: Layers, wire: int | None = None) -> None:
    """``wire``: the bytes from ``offset`` to the frame's end on the wire, where known."""
    if len(data) < offset + 40:
        layers.append(("trunc", "ip6"))
        return
    vfl, _plen, _nxt, hlim, src, dst = _ip6(data, offset)
    if vfl >> 28 != 6:
        layers.append(wrong_ip_version(6, vfl >> 28))
        return
    ipv6_chain(data, offset, (src, dst, hlim), layers, _transport, wire)


def _arp_packet(data: bytes, offset: int, length: int, layers: Layers) -> None:
    if len(data) < offset + 8:
        layers.append(("trunc", "arp"))
        return
    hrd, pro, hln, pln, op = _arp(data, offset)
    end = offset + 8 + 2 * (hln + pln)
    if len(data) < end:
        layers.append(("trunc", "arp"))
        return
    p = offset + 8
    sha = data[p : p + hln]
    spa = data[p + hln : p + hln + pln]
    tha = data[p + hln + pln : p + 2 * hln + pln]
    tpa = data[p + 2 * hln + pln : end]
    layers.append(("arp", op, hrd, pro, sha, spa, tha, tpa, length))


# --- transport layers --------------------------------------------------------------------------


def _transport(data: bytes, offset: int, proto: int, length: int, layers: Layers) -> None:
    if proto == 6:
        if len(data) < offset + 20 or length < 20:  # tcpdump reads no further than the IP packet's end
            layers.append(_cut_ports(data[: offset + max(length, 0)], offset, "tcp"))
            return
        sport, dport, seq, ack, off, flags, win = _tcp(data, offset)
        hl = (off >> 4) * 4
        urgent, short = data[offset + 18] << 8 | data[offset + 19], len(data) < offset + length
        if hl < 20:  # the text says so ("bad hdr length"), and tcpdump reads no further
            layers.append(("tcp", sport, dport, seq, ack, flags, win, length - hl, b"", urgent, hl, short))
            return
        flags |= (off & 0x01) << 8  # the NS/AE bit
        # and the byte after them, when the segment has one and the capture holds it: tcpdump may read an
        # option's length there
        options = data[offset + 20 : offset + hl + (hl < length)]
        layers.append(("tcp", sport, dport, seq, ack, flags, win, length - hl, options, urgent, hl, short))
        if len(options) < hl - 20:
            layers.append(("trunc", "tcp"))
        elif length > hl:
            start = offset + hl
            printer = tcp_printer(sport, dport)
            if printer is not None:
                tcp_app(printer, data, start, min(len(data), offset + length), length - hl, layers)
            elif (sport == 53 or dport == 53) and len(data) < start + 2:
                layers.append(("trunc", "domain", "length"))
            elif sport == 53 or dport == 53:
                # after the 2-byte length prefix
                decode_dns(data, start + 2, min(length - hl, len(data) - start) - 2, layers)
            elif sport in _HTTP_PORTS or dport in _HTTP_PORTS:
                _http(data, start, length - hl, layers)
    elif proto == 17:
        # print-udp.c's udp_print: it reads no further than the IP packet's end, and says which length fell
        # short (the IP payload's, "truncated-udp", or the UDP header's own, "truncated-udplength")
        end = min(len(data), offset + max(length, 0))
        if end < offset + 4:
            layers.append(("trunc", "udp"))
            return
        sport, dport = _hh(data, offset)
        if length < 8:
            layers.append(("udp", sport, dport, length - 8))
            layers.append(("bad", "udp", f"truncated-udp {length}"))
            return
        if end < offset + 6:
            layers.append(("trunc", "udp", sport, dport))
            return
        ulen = data[offset + 4] << 8 | data[offset + 5]
        if ulen == 0 and length > 0xFFFF:  # a jumbogram's length lives elsewhere (RFC 2675)
            ulen = length
        if ulen < 8:
            layers.append(("udp", sport, dport, length - 8))
            layers.append(("bad", "udp", f"truncated-udplength {ulen}"))
            return
        if end < offset + 8:
            layers.append(("trunc", "udp", sport, dport))
            return
        layers.append(("udp", sport, dport, ulen - 8))
        if (app := udp_printer(sport, dport, data[offset + 8 : min(end, offset + 16)])) is not None:
            decode_udp_app(app, data, offset + 8, end, min(ulen, length) - 8, layers, sport, dport)
        elif sport == 53 or dport == 53 or sport == 5353 or dport == 5353:
            size = min(ulen, length) - 8  # print-udp.c hands on the shorter of the two
            mdns = (sport == 5353 or dport == 5353) and sport != 53 and dport != 53
            decode_dns(data, offset + 8, min(size, len(data) - offset - 8), layers, size, mdns)
        elif sport in BOOTP_PORTS or dport in BOOTP_PORTS:
            _bootp(data, offset + 8, min(len(data), offset + length), layers)
        elif sport == 123 or dport == 123:
            _ntp(data, offset + 8, min(len(data), offset + length), layers)
        elif sport == 514 or dport == 514:
            _syslog(data, offset + 8, min(len(data), offset + length), layers)
        elif ulen > length and not _fragmented(layers):
            layers.append(("bad", "udp", f"bad length {ulen - 8} > {length - 8}"))
    elif proto in IP_MISC and misc_ip_payload(data, offset, proto, length, layers):  # EGP, Mobile IP...
        pass
    elif proto == 1 or proto == 58:  # the message's bytes to the IP length: its printer reads them
        raw = data[offset : offset + max(length, 0)]
        if proto == 58 and length == 0:  # print-icmp6.c's "length 0 (invalid)" reads nothing
            layers.append(("icmp6", 0, 0, 0, 0, b""))
            return
        if len(raw) < (2 if proto == 1 else 1):
            layers.append(("trunc", "icmp") if proto == 1 else ("trunc", "icmp6"))
            return
        rest = int.from_bytes(raw[4:8], "big") if len(raw) >= 8 else 0
        code = raw[1] if len(raw) > 1 else 0
        if proto == 1:
            layers.append(("icmp", raw[0], code, rest, length, raw))
        else:
            layers.append(("icmp6", raw[0], code, rest, length, raw))
    elif proto == _PIM:
        end = min(len(data), offset + length)
        layers.append(("pim", data[offset] >> 4, data[offset] & 0x0F) if offset < end else ("trunc", "pim"))
    elif proto == IPPROTO_GRE:
        _gre(data, offset, length, layers)
    elif proto == _EIGRP:  # tcpdump reads its 20-byte common header whole, or none of it
        end = min(len(data), offset + length)
        layers.append(("eigrp", data[offset], data[offset + 1]) if end >= offset + 20 else ("trunc", "eigrp"))
    elif proto == _IGMP:  # what of the first twelve bytes tcpdump reads; DVMRP, PIMv1, mtrace whole
        whole = offset < len(data) and data[offset] in (0x13, 0x14, 0x1E, 0x1F)
        end = min(len(data), offset + length, offset + (length if whole else 12))
        layers.append(("igmp", data[offset:end], length))
    elif proto == _VRRP:  # what of the first six bytes tcpdump reads is there
        layers.append(("vrrp", data[offset : min(len(data), offset + length, offset + 6)]))
    elif proto == _OSPF:
        over_ipv6 = next((layer[0] for layer in reversed(layers) if layer[0] in ("ip", "ip6")), "") == "ip6"
        _ospf(data, offset, min(len(data), offset + length), over_ipv6, layers)
    elif not ip_payload(data, offset, proto, length, layers, _transport):
        layers.append(("other", "ip-proto", proto, length))


_GRE_CP, _GRE_RP, _GRE_KP, _GRE_SP, _GRE_AP = 0x8000, 0x4000, 0x2000, 0x1000, 0x0080  # RFC 1701, 2637
_GRE_INNER = {ETHERTYPE_IP: _ipv4, ETHERTYPE_IP6: _ipv6}


def _gre(data: bytes, offset: int, length: int, layers: Layers) -> None:
    """tcpdump's one-line GRE (print-gre.c without -v): ``("gre", version, fields, proto, inner, cut)``:
    the fields it prints after the version (``, key=0x2``...), the protocol, whether the IP packet it
    carries follows as layers, and whether the capture or the length ends in the header. Source routes
    (RFC 1701's R bit) and the protocols tcpdump decodes but this decoder does not (IPX, AppleTalk)
    are ``("other", "ip-proto", ...)``, as before; MPLS, OSI, Ethernet and PPTP's PPP follow as their
    layers (lean_misc.gre_carried)."""
    end = min(len(data), offset + length)  # tcpdump stops at the capture's end or at the GRE length
    if end < offset + 2:
        layers.append(("trunc", "gre"))
        return
    flags = data[offset] << 8 | data[offset + 1]
    version = flags & 0x07
    if version > 1:  # print-gre.c names the version, then refuses it
        layers.append(("gre", version, "", 0, False, False))
        return
    if flags & _GRE_RP:
        layers.append(("other", "ip-proto", IPPROTO_GRE, length))
        return
    if end < offset + 4:
        layers.append(("gre", version, "", 0, False, True))
        return
    proto = data[offset + 2] << 8 | data[offset + 3]
    at, fields = offset + 4, ""

    def word(size: int) -> int | None:
        nonlocal at
        if at + size > end:
            return None
        value = int.from_bytes(data[at : at + size], "big")
        at += size
        return value

    if version == 0:
        if flags & _GRE_CP:
            if word(2) is None or (off := word(2)) is None:
                layers.append(("gre", version, fields, proto, False, True))
                return
            fields += f", off 0x{off:x}"
        for bit, text in ((_GRE_KP, ", key=0x{:x}"), (_GRE_SP, ", seq {}")):
            if flags & bit:
                value = word(4)
                if value is None:
                    layers.append(("gre", version, fields, proto, False, True))
                    return
                fields += text.format(value)
    else:
        for bit, text in ((_GRE_KP, ", call {}"), (_GRE_SP, ", seq {}"), (_GRE_AP, ", ack {}")):
            if flags & bit:
                value = word(4)
                if value is None:
                    layers.append(("gre", version, fields, proto, False, True))
                    return
                fields += text.format(value & 0xFFFF if bit == _GRE_KP else value)
        if not flags & _GRE_SP:
            layers.append(("gre", version, fields + ", no-payload", proto, False, False))
            return
        if gre_carried(data, offset, at, length, version, fields, proto, layers):  # PPTP's PPP
            return
    inner = _GRE_INNER.get(proto) if version == 0 else None
    if version == 0 and gre_carried(data, offset, at, length, version, fields, proto, layers):
        return
    if version == 0 and proto in _GRE_DECODED_ELSEWHERE:
        layers.append(("other", "ip-proto", IPPROTO_GRE, length))
        return
    layers.append(("gre", version, fields, proto, inner is not None, False))
    if inner is not None:
        inner(data, at, layers)


def _ospf(data: bytes, start: int, end: int, over_ipv6: bool, layers: Layers) -> None:
    """tcpdump's one-line OSPF (not verbose): over IPv6 print-ospf6.c's, over IPv4 print-ospf.c's,
    whatever the version byte says. ``("ospf", version, type, md5, over_ipv6)``; ``md5`` where an
    OSPFv2 header's authentication type says a 16-byte MD5 digest trails the packet (tcpdump then gives
    the length without it). Over IPv4 tcpdump reads the authentication type before it prints
    anything; over IPv6 the version and type only."""
    if over_ipv6 and start + 2 <= end:
        layers.append(("ospf", data[start], data[start + 1], False, True))
    elif not over_ipv6 and start + 16 <= end:
        md5 = data[start + 14] << 8 | data[start + 15] == _OSPF_AUTH_MD5
        layers.append(("ospf", data[start], data[start + 1], md5, False))
    else:
        layers.append(("trunc", "ospf3" if over_ipv6 else "ospf2"))  # tcpdump's names for the two


def _fragmented(layers: Layers) -> bool:
    """Whether the innermost IP packet so far is a first fragment (IPv4's more-fragments flag, or an
    IPv6 fragment header): tcpdump then takes a UDP length past the packet's end as no error."""
    for layer in reversed(layers):
        if layer[0] == "ip":
            return bool(layer[7] & 0x2000)
        if layer[0] == "ip6":
            return layer[6] is not None
    return False


def _cut_ports(data: bytes, offset: int, layer: str) -> TruncLayer:
    """The trunc marker of a TCP or UDP header the capture ends in: with its ports when they are there."""
    return ("trunc", layer, *_hh(data, offset)) if len(data) >= offset + 4 else ("trunc", layer)


_LINK_DECODERS = {
    0: _null,
    1: _ethernet,
    12: _raw_ip,
    14: _raw_ip,
    101: _raw_ip,
    108: _loop,
    113: _linux_sll,
    129: _arcnet,
    192: _ppi,
    226: _ipnet,
    228: _raw_ipv4,
    229: _raw_ipv6,
    242: _ipoib,
    258: _pktap,
    276: _linux_sll2,
    **_SERIAL_LINKS,  # lean_links: PPP, C_HDLC, SLIP, SunATM, 802.15.4, switch tags; its ARCNET and PKTAP win
    **_wlan_link_decoders(_llc),  # 802.11: 105, 119, 127, 163
    **_MORE_LINKS,  # lean_links2: NFLOG, Juniper, Frame Relay, MFR, ATM, CIP, vsock, raw IPv4/IPv6
}
_WRAPPERS = frozenset((192, 258))  # PPI and PKTAP: a header, then a frame of the link type it names

SUPPORTED_LINKTYPES = frozenset(_LINK_DECODERS)


# --- application summaries: the little of DNS and HTTP that tcpdump's one-line output shows --------------

_HTTP_PORTS = TCPDUMP_HTTP_PORTS
HTTP_STARTS = (b"GET ", b"POST ", b"HEAD ", b"PUT ", b"DELETE ", b"OPTIONS ", b"TRACE ", b"CONNECT ",
               b"PATCH ", b"HTTP/")  # fmt: skip
"""How an HTTP message starts (a request method and its space, or a status line's ``HTTP/``), as tcpdump
4.99's print-http.c tells HTTP from other data on an HTTP port."""
_dns_header = struct.Struct("!HHHHHH").unpack_from
_rr_fixed = struct.Struct("!HHIH").unpack_from


def _bootp(data: bytes, start: int, end: int, layers: Layers) -> None:
    """tcpdump's one-line BOOTP/DHCP (print-bootp.c, not verbose): ``("bootp", op, chaddr or None, cut)``,
    the client's hardware address when a request names an Ethernet one, and whether the bytes tcpdump
    reads end first (it then prints what it has and `` [|bootp]``)."""
    if start >= end:
        layers.append(("trunc", "bootp"))
        return
    op = data[start]
    if start + 3 > end:
        layers.append(("bootp", op, None, True))
        return
    if data[start + 1] == 1 and data[start + 2] == 6 and op == 1:  # Ethernet, 6 bytes, a request
        if start + 34 > end:
            layers.append(("bootp", op, None, True))
            return
        layers.append(("bootp", op, data[start + 28 : start + 34], False))
        return
    layers.append(("bootp", op, None, False))


def _ntp(data: bytes, start: int, end: int, layers: Layers) -> None:
    """tcpdump's one-line NTP: version and mode from the first byte (print-ntp.c, not verbose)."""
    if start >= end:
        layers.append(("trunc", "ntp"))
        return
    first = data[start]
    layers.append(("ntp", (first >> 3) & 7, first & 7))


def _syslog(data: bytes, start: int, end: int, layers: Layers) -> None:
    """tcpdump's one-line syslog (print-syslog.c): the priority between ``<`` and ``>``, at most three
    digits; ``("syslog", None)`` where that is not there (tcpdump's ``(invalid)``)."""
    if start >= end:
        layers.append(("trunc", "syslog"))
        return
    if data[start] != 0x3C:  # "<"
        layers.append(("syslog", None))
        return
    at, priority = start + 1, 0
    while at <= start + 3:
        if at >= end:
            layers.append(("trunc", "syslog"))
            return
        if not 0x30 <= data[at] <= 0x39:
            break
        priority = priority * 10 + data[at] - 0x30
        at += 1
    if at >= end:
        layers.append(("trunc", "syslog"))
    elif data[at] != 0x3E:  # ">"
        layers.append(("syslog", None))
    else:
        layers.append(("syslog", priority))


_TEXT_RUN = re.compile(rb"[\t\x20-\x7e]*")  # what tcpdump prints of a text protocol's line as it is
_PRINTABLE = re.compile(rb"[\x20-\x7e]*")


def http_first_line(data: bytes, start: int, length: int, end: int) -> tuple[str | None, bool]:
    """The first line of the HTTP message of ``length`` bytes at ``start``, of which the capture holds
    what lies before ``end``, as tcpdump's print_txt_line reads it: ``(line, cut)``.

    The line ends at LF or CR LF. A byte that is neither printable ASCII nor a tab before the line ends, or
    a CR followed by anything else, makes it binary data: no line. ``cut`` when the capture ends before the
    line does (no line), or when the message ends with no line end (the line so far, then ``[|http]``).
    """
    limit = start + length
    cap = min(end, limit)
    j = _TEXT_RUN.match(data, start, cap).end()  # type: ignore[union-attr]  # the pattern matches the empty string, so there is always a match
    if j == limit:
        return data[start:j].decode("ascii"), True
    if j == cap:
        return None, True
    c = data[j]
    if c == 10:
        return data[start:j].decode("ascii"), False
    if c == 13:
        if j + 1 >= limit:
            return None, False
        if j + 1 >= cap:
            return None, True
        if data[j + 1] == 10:
            return data[start:j].decode("ascii"), False
    return None, False


def _char_text(c: int) -> str:
    """tcpdump's fn_print_char: ``M-`` for the high bit, ``^`` and the letter for a control character."""
    text = ""
    if c >= 0x80:
        c &= 0x7F
        text = "M-"
    if c < 0x20 or c == 0x7F:
        return f"{text}^{chr(c ^ 0x40)}"
    return text + chr(c)


_ESCAPES = {c: _char_text(c) for c in range(256) if not 0x20 <= c <= 0x7E}


def printable_text(raw: bytes) -> str:
    """``raw`` as tcpdump prints untrusted bytes (a DNS label, say): no byte can end the line or reach
    the terminal as a control character."""
    if _PRINTABLE.fullmatch(raw):
        return raw.decode("ascii")
    return raw.decode("latin-1").translate(_ESCAPES)


class _DNSError(Exception):
    pass


def _dns_name(data: bytes, pos: int, base: int, end: int) -> tuple[str, int]:
    """Read a possibly compressed name; return (dotted name, position after it in the message).

    ``base`` is where the DNS message starts: compression pointers count from there.
    """
    labels: list[str] = []
    after = -1
    jumps = 0
    while True:
        if pos >= end:
            raise _DNSError("name past the end")
        n = data[pos]
        if n == 0:
            pos += 1
            break
        if n & 0xC0 == 0xC0:
            if pos + 1 >= end or jumps > 32:
                raise _DNSError("bad compression pointer")
            if after < 0:
                after = pos + 2
            pos = ((n & 0x3F) << 8 | data[pos + 1]) + base
            jumps += 1
            continue
        if n & 0xC0 or pos + 1 + n > end:
            raise _DNSError("bad label")
        labels.append(printable_text(data[pos + 1 : pos + 1 + n]))
        pos += 1 + n
    return ".".join(labels) + ".", (after if after >= 0 else pos)


def _dns_skip(data: bytes, pos: int, end: int) -> int | None:
    """Where a name starting at ``pos`` ends, as tcpdump's ns_nskip finds it: labels are stepped over
    and a compression pointer ends the name without being followed; None where a length byte is past
    ``end`` or a label type is not one it knows."""
    if pos >= end:
        return None
    n = data[pos]
    pos += 1
    while n:
        if n & 0xC0 == 0xC0:
            return pos + 1
        if n & 0xC0:
            return None
        pos += n
        if pos >= end:
            return None
        n = data[pos]
        pos += 1
    return pos


def dns_extended_rcode(data: bytes, pos: int, end: int, counts: tuple[int, int, int, int]) -> int:
    """The upper eight bits of a response's rcode, from the first OPT record of its additional section,
    found as print-domain.c's first pass steps over the sections (0 where it stops before one)."""
    qd, an, ns, ar = counts
    for _ in range(qd):
        after = _dns_skip(data, pos, end)
        if after is None or after + 4 >= end:
            return 0
        pos = after + 4
    for _ in range(an + ns):
        after = _dns_skip(data, pos, end)
        if after is None or after + 10 > end:
            return 0
        pos = after + 10 + _u16(data, after + 8)[0]
        if pos >= end:
            return 0
    for _ in range(ar):
        after = _dns_skip(data, pos, end)
        if after is None or after + 5 > end:
            return 0
        if _u16(data, after)[0] == 41:  # OPT: its TTL's first byte extends the rcode
            return data[after + 4]
        if after + 10 > end:
            return 0
        pos = after + 10 + _u16(data, after + 8)[0]
        if pos >= end:
            return 0
    return 0


def decode_dns(
    data: bytes,
    start: int,
    length: int,
    layers: Layers,
    wire_length: int | None = None,
    mdns: bool = False,
) -> None:
    """The DNS message of ``length`` captured bytes at ``start``; ``wire_length`` (its length in the
    packet, what tcpdump prints) defaults to ``length``; ``mdns``: multicast DNS (port 5353), whose
    classes carry a flag in their top bit.

    Read as tcpdump reads it without -v: of a query only the first question; of a response, the
    questions are stepped over (``questions`` None if that fails: ``[|domain]`` comes before the
    counts) and the answers read, where an answer whose name or fixed fields the message does not hold
    ends the reading quietly (a lone comma, if it is not the first); answers left unread then, or data
    cut inside an answer, end the text with ``[|domain]``.
    """
    end = start + length
    shown_length = length if wire_length is None else wire_length
    if wire_length is not None and wire_length < 12:
        layers.append(("dns-short", wire_length))
        return
    if length < 12 or end > len(data):
        layers.append(("trunc", "domain"))
        return
    ident, flags, qd, an, ns, ar = _dns_header(data, start)
    if flags & 0x8000 and ar:
        flags |= dns_extended_rcode(data, start + 12, end, (qd, an, ns, ar)) << 16
    questions: list[DnsQuestion] | None = []
    answers: list[DnsAnswer] = []
    pos = start + 12
    try:
        if not flags & 0x8000:  # a query: tcpdump shows its first question and reads no further
            if qd:
                after = _dns_skip(data, pos, end)
                if after is None or after + 4 > end:
                    raise _DNSError("question past the end")
                qtype, qclass = _hh(data, after)
                questions = [(_dns_name(data, pos, start, end)[0], qtype, qclass)]
            layers.append(("dns", ident, flags, (qd, an, ns, ar), questions, answers, shown_length, mdns))
            return
        for skipped in range(qd):  # a response: tcpdump steps over every question, unchecked past the name
            after = _dns_skip(data, pos, end)
            if after is None:
                questions = None
                answers = [("", None, None, 0)] * skipped  # tcpdump prints a comma before each but the first
                raise _DNSError("question past the end")
            pos = after + 4
        remaining = an
        while remaining and (pos < end or not answers):
            remaining -= 1
            after = _dns_skip(data, pos, end)
            if after is None or after + 10 > end:
                answers.append(("", None, None, 0))  # tcpdump stops reading answers here, quietly
                break
            pos = after
            rtype, rclass, _ttl, rdlen = _rr_fixed(data, pos)
            pos += 10
            try:
                if pos + rdlen > end:
                    raise _DNSError("answer data past the end")
                rdata = _rdata_text(data, pos, rdlen, rtype, start, end)
            except _DNSCut as cut:
                answers.append(("", rtype, cut.shown or None, rclass))
                raise
            except _DNSError:
                answers.append(("", rtype, None, rclass))  # tcpdump prints the type before the data
                raise
            answers.append(("", rtype, rdata, rclass))
            pos += rdlen
        if remaining:
            raise _DNSError("answers past the end")
    except _DNSError:
        layers.append(("dns", ident, flags, (qd, an, ns, ar), questions, answers, shown_length, mdns))
        layers.append(("trunc", "domain"))
        return
    layers.append(("dns", ident, flags, (qd, an, ns, ar), questions, answers, shown_length, mdns))


def _rdata_text(data: bytes, pos: int, rdlen: int, rtype: int, base: int, end: int) -> str | None:
    if rtype == 1 and rdlen == 4:
        return socket.inet_ntoa(data[pos : pos + 4])
    if rtype == 28 and rdlen == 16:
        return socket.inet_ntop(socket.AF_INET6, data[pos : pos + 16])
    if rtype in (2, 5, 12, 39):  # NS, CNAME, PTR, DNAME
        return _dns_name(data, pos, base, end)[0]
    if rtype == 33:  # SRV: the target, then port, priority and weight
        if pos + 6 > end:
            raise _DNSError("SRV fields past the end")
        target = _dns_name(data, pos + 6, base, end)[0]
        return f"{target}:{_u16(data, pos + 4)[0]} {_u16(data, pos)[0]} {_u16(data, pos + 2)[0]}"
    if rtype == 256 and rdlen >= 4:  # URI: priority, weight, then the target's bytes
        target = printable_text(data[pos + 4 : pos + rdlen])
        return f"{_u16(data, pos)[0]} {_u16(data, pos + 2)[0]} {target}"
    if rtype == 15 and rdlen >= 3:  # MX
        return f"{_dns_name(data, pos + 2, base, end)[0]} {_u16(data, pos)[0]}"
    if rtype == 16:
        text, whole = _txt_text(data, pos, pos + rdlen, end)
        if not whole:
            raise _DNSCut(text)
        return text or None
    return None


class _DNSCut(_DNSError):
    """The message ends inside an answer's data, after ``shown`` of it was printed."""

    def __init__(self, shown: str) -> None:
        super().__init__("answer data cut")
        self.shown = shown


def _txt_text(data: bytes, pos: int, stop: int, end: int) -> tuple[str, bool]:
    """A TXT record's strings as tcpdump prints them (``"v=spf1 -all" "x"``), and whether the message
    holds them all; if not, the text so far (an opening quote and the bytes there are)."""
    parts: list[str] = []
    while pos < stop:
        if pos >= end:
            return "".join(parts)[1:], False
        n = data[pos]
        chunk = data[pos + 1 : min(pos + 1 + n, end)]
        parts.append(f' "{printable_text(chunk)}')
        if pos + 1 + n > end:
            return "".join(parts)[1:], False
        parts.append('"')
        pos += 1 + n
    return "".join(parts)[1:], True


def _http(data: bytes, start: int, length: int, layers: Layers) -> None:
    if not data.startswith(HTTP_STARTS, start, start + length):
        layers.append(("http", None))
        return
    line, cut = http_first_line(data, start, length, len(data))
    layers.append(("http", line))
    if cut:
        layers.append(("trunc", "http"))
