"""The lean decoder's serial, switch-tag and other link types: Cisco HDLC, PPP, MPLS label stacks, OSI
NLPIDs, SLIP, SunATM, Linux ARCNET, PKTAP, IEEE 802.15.4, Broadcom and Marvell switch tags.

Each function reads one header as tcpdump 4.99's printer does (print-chdlc.c, print-ppp.c,
print-mpls.c, print-isoclns.c's ``isoclns_print``, print-sl.c, print-atm.c, print-arcnet.c, print-pktap.c,
print-802_15_4.c, print-brcmtag.c, print-dsa.c) and appends lean layers, then hands the payload on to
the lean decoder's IPv4, IPv6 and Ethernet readers. ``("trunc", name)`` carries tcpdump's
``ndo_protocol`` where it would stop (``[|chdlc]``, ``[|ppp_hdlc]``...).
"""

from __future__ import annotations

from ..protocols.numbers import (
    ETHERTYPE_ARP,
    ETHERTYPE_IP,
    ETHERTYPE_IP6,
    ETHERTYPE_MPLS,
    ETHERTYPE_MPLS_MULTICAST,
    ETHERTYPE_PPP,
    ETHERTYPE_RARP,
    TCPDUMP_ETHERTYPE_NAMES,
)
from . import lean as _lean
from .lean_layers import Layers

# --- numbers (RFC 1661 and IANA's PPP DLL protocol numbers, Cisco HDLC, ISO/IEC TR 9577 NLPIDs) -----

CHDLC_SLARP = ETHERTYPE_RARP  # Cisco's Serial Line ARP, under the number of RARP
CHDLC_ISO = 0xFEFE  # OSI: an NLPID follows (after a padding byte)
CHDLC_UNICAST, CHDLC_BCAST = 0x0F, 0x8F  # Cisco HDLC's address byte
ETHERTYPE_IPX = {name: number for number, name in TCPDUMP_ETHERTYPE_NAMES.items()}["IPX"]

PPP_ADDRESS, PPP_CONTROL = 0xFF, 0x03
PPP_IP, PPP_OSI, PPP_IPX, PPP_VJNC, PPP_ML, PPP_IPV6, PPP_COMP = 0x21, 0x23, 0x2B, 0x2F, 0x3D, 0x57, 0xFD
PPP_MPLS_UCAST, PPP_MPLS_MCAST = 0x0281, 0x0283
PPP_LCP, PPP_PAP, PPP_CHAP, PPP_BAP = 0xC021, 0xC023, 0xC223, 0xC02D
PPP_CONTROL_PROTOCOLS = frozenset((PPP_LCP, 0x8021, 0x8023, 0x8281, 0x8057, 0x80FD, 0xC02B))
"""The control protocols tcpdump reads as RFC 1661 packets: LCP, IPCP, OSICP, MPLSCP, IP6CP, CCP, BACP."""

NLPID_CLNP, NLPID_ESIS, NLPID_ISIS = 0x81, 0x82, 0x83
NLPID_IP, NLPID_IP6, NLPID_PPP = 0xCC, 0x8E, 0xCF
NLPID_HANDED_ON = frozenset((NLPID_IP, NLPID_IP6, NLPID_PPP))
"""OSI NLPIDs after which tcpdump's isoclns_print hands the packet on to another printer."""

_ESCAPE = 0x7D  # RFC 1662's control escape
_MAX_DEPTH = 32  # PPP in OSI in PPP...: a bound on the nesting a crafted frame can ask for


def _trunc(layers: Layers, name: str) -> None:
    layers.append(("trunc", name))


# --- Cisco HDLC --------------------------------------------------------------------------------------


def chdlc(data: bytes, length: int, layers: Layers) -> None:
    """LINKTYPE_C_HDLC: address, control, a 2-byte protocol (an EtherType, SLARP or OSI)."""
    _chdlc_at(data, 0, length, layers, 0)


def _chdlc_at(data: bytes, offset: int, length: int, layers: Layers, depth: int) -> None:
    if length < 4 or len(data) < offset + 4:
        _trunc(layers, "chdlc")
        return
    proto = int.from_bytes(data[offset + 2 : offset + 4], "big")
    layers.append(("chdlc", data[offset], proto, length))
    offset += 4
    length -= 4
    if proto == ETHERTYPE_IP:
        _lean._ipv4(data, offset, layers, wire=length)
    elif proto == ETHERTYPE_IP6:
        _lean._ipv6(data, offset, layers, wire=length)
    elif proto == CHDLC_SLARP:
        layers.append(("slarp", bytes(data[offset : offset + length]), length))
    elif proto in (ETHERTYPE_MPLS, ETHERTYPE_MPLS_MULTICAST):
        mpls(data, offset, length, layers, depth + 1)
    elif proto == CHDLC_ISO:
        if length < 2 or len(data) < offset + 2:
            _trunc(layers, "chdlc")
            return
        if data[offset + 1] in (NLPID_CLNP, NLPID_ESIS, NLPID_ISIS):  # the padding byte is there
            osi(data, offset + 1, length - 1, layers, depth + 1)
        else:
            osi(data, offset, length, layers, depth + 1)


# --- OSI: isoclns_print -------------------------------------------------------------------------------


def osi(data: bytes, offset: int, length: int, layers: Layers, depth: int = 0) -> None:
    """An OSI network-layer PDU (``("osi", nlpid, length, pdu)``), and the packet it carries where its
    NLPID says IPv4, IPv6 or PPP."""
    if offset >= len(data):
        _trunc(layers, "isoclns")
        return
    if depth > _MAX_DEPTH:
        layers.append(("bad", "isoclns", "nested too deep"))
        return
    nlpid = data[offset]
    if nlpid not in NLPID_HANDED_ON:  # IS-IS, ES-IS, CLNP...: tcpdump's isoclns_print reads the PDU
        layers.append(("osi", nlpid, length, bytes(data[offset : offset + max(length, 0)])))
        return
    layers.append(("osi", nlpid, length, b""))
    if nlpid == NLPID_IP:
        _lean._ipv4(data, offset + 1, layers, wire=length - 1)
    elif nlpid == NLPID_IP6:
        _lean._ipv6(data, offset + 1, layers, wire=length - 1)
    else:
        ppp(data, offset + 1, length - 1, layers, depth + 1)


# --- MPLS: print-mpls.c ------------------------------------------------------------------------------


def mpls(data: bytes, offset: int, length: int, layers: Layers, depth: int = 0) -> None:
    """An MPLS label stack (``("mpls", stack, end, rest)``), then the packet tcpdump guesses under it:
    IPv4 or IPv6 by the bottom label (0, 2, 3) or the first nibble, OSI by its NLPID."""
    start = offset
    while True:
        if length < 4:
            stack = bytes(data[start:offset])
            cut = len(data) < offset + length
            layers.append(("mpls", stack, "invalid-cut" if cut else "invalid", b""))
            return
        if len(data) < offset + 4:
            layers.append(("mpls", bytes(data[start:offset]), "cut", b""))
            return
        bottom = data[offset + 2] & 0x01
        offset += 4
        length -= 4
        if bottom:
            break
    stack = bytes(data[start:offset])
    label = int.from_bytes(stack[-4:-1], "big") >> 4
    if label in (0, 3):
        kind = "ip"
    elif label == 2:
        kind = "ip6"
    elif length < 1:
        layers.append(("mpls", stack, "empty", b""))
        return
    elif offset >= len(data):  # tcpdump's GET_U_1 fails: the label stack prints, then [|mpls]
        layers.append(("mpls", stack, "cut", b""))
        return
    else:
        first = data[offset]
        kind = "ip" if 0x45 <= first <= 0x4F else "ip6" if 0x60 <= first <= 0x6F else ""
        if 0x81 <= first <= 0x83:
            kind = "osi"
    if not kind:
        layers.append(("mpls", stack, "unknown", bytes(data[offset : offset + length])))
        return
    layers.append(("mpls", stack, "", b""))
    if kind == "ip":
        _lean._ipv4(data, offset, layers, wire=length)
    elif kind == "ip6":
        _lean._ipv6(data, offset, layers, wire=length)
    else:
        osi(data, offset, length, layers, depth + 1)


# --- PPP: print-ppp.c ------------------------------------------------------------------------------


def ppp_frame(data: bytes, length: int, layers: Layers) -> None:
    """LINKTYPE_PPP (and PPP_PPPD): tcpdump's ppp_if_print."""
    if len(data) < 4:
        _trunc(layers, "ppp")
        return
    ppp(data, 0, length, layers)


def ppp_serial(data: bytes, length: int, layers: Layers) -> None:
    """LINKTYPE_PPP_HDLC (PPP_SERIAL): RFC 1662 framing, or Cisco HDLC (tcpdump's ppp_hdlc_if_print)."""
    if len(data) < 2:
        _trunc(layers, "ppp_hdlc")
        return
    address = data[0]
    if address in (CHDLC_UNICAST, CHDLC_BCAST):
        _chdlc_at(data, 0, length, layers, 0)
        return
    if len(data) < 4:
        _trunc(layers, "ppp_hdlc")
        return
    if address != PPP_ADDRESS:
        layers.append(("ppp", "unknown-addr", data[2] << 8 | data[3], length, address << 8 | data[1]))
        return
    proto = data[2] << 8 | data[3]
    layers.append(("ppp", "serial", proto, length, address << 8 | data[1]))
    _handle(data, 4, length - 4, proto, layers, "ppp_hdlc", 0)


def ppp_ethertype(data: bytes, offset: int, length: int, layers: Layers) -> None:
    """PPP after Ethernet's EtherType 0x880b (tcpdump prints ``: `` then the PPP frame)."""
    if length <= 0:
        layers.append(("ppp", "empty", 0, 0, -1))
        return
    layers.append(("ppp", "ether", 0, length, -1))
    ppp(data, offset, length, layers)


def ppp(data: bytes, offset: int, length: int, layers: Layers, depth: int = 0) -> None:
    """tcpdump's ppp_print: optional address and control (or pppd's direction), a 1- or 2-byte protocol."""
    if depth > _MAX_DEPTH:
        layers.append(("bad", "ppp", "nested too deep"))
        return
    name = "ppp"  # tcpdump's protocol name for a cut frame, whoever calls ppp_print
    if length < 2 or len(data) < offset + 2:
        _trunc(layers, name)
        return
    header = data[offset] << 8 | data[offset + 1]
    whole = length
    direction = 0
    if header in (0x0003, 0x0103, PPP_ADDRESS << 8 | PPP_CONTROL):
        direction = {0x0003: 1, 0x0103: 2}.get(header, 0)
        offset += 2
        length -= 2
    if length < 2 or len(data) < offset + 1:
        _trunc(layers, name)
        return
    if data[offset] & 1:  # protocol field compression
        proto = data[offset]
        offset += 1
        length -= 1
    else:
        if len(data) < offset + 2:
            _trunc(layers, name)
            return
        proto = data[offset] << 8 | data[offset + 1]
        offset += 2
        length -= 2
    layers.append(("ppp", ("ppp", "ppp-in", "ppp-out")[direction], proto, whole, header))
    _handle(data, offset, length, proto, layers, name, depth)


def _handle(data: bytes, offset: int, length: int, proto: int, layers: Layers, name: str, depth: int) -> None:
    """tcpdump's handle_ppp: the payload of PPP protocol ``proto``."""
    if proto & 0xFF00 == 0x7E00:  # a flag byte: HDLC framing with its escapes still in
        _unescaped(data, offset - 1, length, layers, name, depth)
    elif proto in (PPP_IP, PPP_VJNC, ETHERTYPE_IP):
        _lean._ipv4(data, offset, layers, wire=length)
    elif proto in (PPP_IPV6, ETHERTYPE_IP6):
        _lean._ipv6(data, offset, layers, wire=length)
    elif proto == PPP_OSI:
        osi(data, offset, length, layers, depth + 1)
    elif proto in (PPP_MPLS_UCAST, PPP_MPLS_MCAST):
        mpls(data, offset, length, layers, depth + 1)
    elif proto in (PPP_IPX, ETHERTYPE_IPX):
        layers.append(("other", "ppp-protocol", proto, length))
    else:  # control protocols, authentication, multilink, and the rest: one message the printer reads
        layers.append(("pppmsg", proto, bytes(data[offset : offset + max(length, 0)]), length, name))


def _unescaped(data: bytes, offset: int, length: int, layers: Layers, name: str, depth: int) -> None:
    """tcpdump's ppp_hdlc: undo RFC 1662's escapes in what was captured, then guess the protocol."""
    if offset >= len(data) or length == 0:
        return
    out = bytearray()
    src = data[offset:]
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        i += 1
        if c == _ESCAPE:
            if i >= n:
                break
            c = src[i] ^ 0x20
            i += 1
        out.append(c)
    b = bytes(out)
    size = len(b)
    if size < 1:
        _trunc(layers, name)
        return
    if b[0] == PPP_IP:
        _lean._ipv4(b, 1, layers, wire=size - 1)
        return
    if b[0] == PPP_IPV6:
        _lean._ipv6(b, 1, layers, wire=size - 1)
        return
    if size < 2:
        _trunc(layers, name)
        return
    proto, start = b[0] << 8 | b[1], 2
    if proto == PPP_ADDRESS << 8 | PPP_CONTROL:
        if size < 4:
            _trunc(layers, name)
            return
        proto, start = b[2] << 8 | b[3], 4
    if proto & 0xFF00 == 0x7E00:
        layers.append(("ppp", "invalid", proto, size, -1))
        return
    layers.append(("ppp", "hdlc", proto, size - start, -1))
    _handle(b, start, size - start, proto, layers, name, depth + 1)


# --- SLIP: print-sl.c -----------------------------------------------------------------------------------

SLIP_HDRLEN = 16  # BPF's SLIP pseudo-header: direction, then the compressed TCP/IP header as received


def slip(data: bytes, length: int, layers: Layers) -> None:
    """LINKTYPE_SLIP: BPF's 16-byte pseudo-header, then IPv4 or IPv6 by the version nibble."""
    if len(data) < SLIP_HDRLEN:
        _trunc(layers, "slip")
        return
    if len(data) == SLIP_HDRLEN:  # tcpdump reads the version byte unchecked past the capture
        layers.append(("slip", -1, bytes(data), True))
        _trunc(layers, "slip")
        return
    version = data[SLIP_HDRLEN] >> 4
    captured = len(data) - SLIP_HDRLEN
    tcp_cut = captured < 20 or captured < (data[SLIP_HDRLEN] & 0x0F) * 4 + 20
    layers.append(("slip", version, bytes(data[:SLIP_HDRLEN]), tcp_cut))
    if version == 4:
        _lean._ipv4(data, SLIP_HDRLEN, layers, wire=length - SLIP_HDRLEN)
    elif version == 6:
        _lean._ipv6(data, SLIP_HDRLEN, layers, wire=length - SLIP_HDRLEN)


# --- Linux ARCNET: print-arcnet.c's arcnet_linux_if_print --------------------------------------------

ARC_LINUX_HDRLEN, ARC_LINUX_HDRNEWLEN = 5, 8
ARCTYPE_SHORT_HEADER = frozenset((0xF0, 0xF1, 0x80))  # old IP, old ARP, diagnose: no split flag
ARCTYPE_ETHERTYPES = {
    0xF0: ETHERTYPE_IP,
    0xD4: ETHERTYPE_IP,
    0xC4: ETHERTYPE_IP6,
    0xF1: ETHERTYPE_ARP,
    0xD5: ETHERTYPE_ARP,
}
"""The ARCNET types tcpdump hands to its IP, IPv6 and ARP printers, as the EtherType of the same."""
ARCTYPE_ELSEWHERE = frozenset((0xD6, 0xDD, 0xFA))  # RARP, AppleTalk, IPX: printers this decoder lacks


def arcnet_linux(data: bytes, length: int, layers: Layers) -> None:
    """LINKTYPE_ARCNET_LINUX: Linux's ARCNET header (5 bytes for old IP and ARP and diagnostics, else 8),
    then IPv4, IPv6 or ARP, or data tcpdump dumps in hex."""
    if len(data) < ARC_LINUX_HDRLEN:
        _trunc(layers, "arcnet_linux")
        return
    proto = data[4]
    size = ARC_LINUX_HDRLEN if proto in ARCTYPE_SHORT_HEADER else ARC_LINUX_HDRNEWLEN
    if len(data) < size:
        _trunc(layers, "arcnet_linux")
        return
    layers.append(("link", "arcnet", size, proto))
    etype = ARCTYPE_ETHERTYPES.get(proto)
    if etype is not None:
        _lean._ethertype(data, size, length, etype, layers)
    elif proto in ARCTYPE_ELSEWHERE:
        layers.append(("other", "arcnet-protocol", proto, length - size))
    else:
        layers.append(("linkdata", bytes(data[size:])))


# --- PKTAP: print-pktap.c ------------------------------------------------------------------------------

PKTAP_HDRLEN = 108  # sizeof(pktap_header_t)
_PKTAP = (149, 258)  # Apple's DLT_PKTAP (DLT_USER2) and LINKTYPE_PKTAP


def pktap(data: bytes, length: int, layers: Layers) -> None:
    """LINKTYPE_PKTAP: Apple's little-endian header (its length, record type, the inner frame's link
    type...), then a frame of that link type, whose own layers follow."""
    if length < PKTAP_HDRLEN:
        layers.append(("pktap", "short", length, 0))
        return
    if len(data) < 12:
        _trunc(layers, "pktap")
        return
    size = int.from_bytes(data[0:4], "little")
    dlt = int.from_bytes(data[8:12], "little")
    if size < PKTAP_HDRLEN:
        layers.append(("pktap", "small", size, 0))
        return
    if size > length:
        layers.append(("pktap", "big", size, length))
        return
    if len(data) < size:
        _trunc(layers, "pktap")
        return
    rectype = int.from_bytes(data[4:8], "little")
    layers.append(("link", "pktap", size, dlt))
    if rectype == 0:
        layers.append(("pktap", "no-data", 0, 0))
        return
    if rectype != 1:  # not a packet: tcpdump prints nothing more
        layers.append(("pktap", "record", rectype, 0))
        return
    if dlt in _PKTAP or dlt == 192:  # such headers do not nest here, which bounds the recursion
        layers.append(("other", "linktype", dlt, length - size))
        return
    handler = _lean._LINK_DECODERS.get(dlt)
    if handler is None:
        layers.append(("pktap", "dlt", dlt, size))
        layers.append(("linkdata", bytes(data[size:])))
        return
    handler(data[size:], length - size, layers)


# --- IEEE 802.15.4 ---------------------------------------------------------------------------------------


def ieee802_15_4(data: bytes, length: int, layers: Layers) -> None:
    """LINKTYPE_IEEE802_15_4_WITHFCS: the MAC frame, which tcpdump's printer reads whole (``("wpan",
    frame)``)."""
    if len(data) < 2:
        _trunc(layers, "802.15.4")
        return
    layers.append(("wpan", bytes(data)))


# --- SunATM: print-sunatm.c, print-atm.c's atm_print ---------------------------------------------------

SUNATM_HDRLEN = 4  # direction and traffic type, VPI, VCI
ATM_SIGNALLING_VCIS = frozenset((1, 2, 3, 4, 5))  # meta, broadcast, OAM F4 segment and end, point-to-point
ATM_TRAFFIC_LANE, ATM_TRAFFIC_LLC = 0x01, 0x02


def sunatm(data: bytes, length: int, layers: Layers) -> None:
    """LINKTYPE_SUNATM: SunATM's 4-byte header, then an AAL5 PDU: signalling, OAM cells and LLC frames
    (LANE and ILMI are left as before: ``("other", "linktype", ...)``)."""
    if len(data) < SUNATM_HDRLEN:
        _trunc(layers, "sunatm")
        return
    vpi, vci = data[1], data[2] << 8 | data[3]
    traffic = data[0] & 0x0F
    if vpi == 0 and vci in ATM_SIGNALLING_VCIS:
        layers.append(("link", "sunatm", SUNATM_HDRLEN, vci))
        layers.append(("atm", vci, bytes(data[SUNATM_HDRLEN : SUNATM_HDRLEN + 8]), length - SUNATM_HDRLEN))
    elif (vpi == 0 and vci == 16) or traffic == ATM_TRAFFIC_LANE:  # ILMI (SNMP), LAN emulation
        layers.append(("other", "linktype", 123, length))
    else:  # RFC 1483's LLC encapsulation, assumed where the type is unknown
        layers.append(("link", "sunatm", SUNATM_HDRLEN, None))
        _lean._llc(data, SUNATM_HDRLEN, length, length - SUNATM_HDRLEN, layers)


# --- switch tags: print-brcmtag.c, print-dsa.c --------------------------------------------------------

BRCM_TAG_LEN, DSA_LEN, EDSA_LEN = 4, 4, 8


def _switch_tagged(data: bytes, length: int, layers: Layers, kind: str, size: int) -> None:
    """An Ethernet frame with a switch's tag of ``size`` bytes between its source address and type."""
    if len(data) < 14 + size:
        _trunc(layers, kind)
        return
    layers.append(("swtag", kind, bytes(data[12 : 12 + size])))
    _lean._ethernet(data[:12] + data[12 + size :], length - size, layers)


def brcm_tag(data: bytes, length: int, layers: Layers) -> None:
    """LINKTYPE_DSA_TAG_BRCM: a 4-byte Broadcom tag after the source address."""
    _switch_tagged(data, length, layers, "brcm-tag", BRCM_TAG_LEN)


def brcm_tag_prepend(data: bytes, length: int, layers: Layers) -> None:
    """LINKTYPE_DSA_TAG_BRCM_PREPEND: a 4-byte Broadcom tag before the Ethernet frame."""
    if len(data) < BRCM_TAG_LEN:
        _trunc(layers, "brcm-tag-prepend")
        return
    layers.append(("swtag", "brcm-tag-prepend", bytes(data[:BRCM_TAG_LEN])))
    _lean._ethernet(data[BRCM_TAG_LEN:], length - BRCM_TAG_LEN, layers)


def dsa(data: bytes, length: int, layers: Layers) -> None:
    """LINKTYPE_DSA_TAG_DSA: Marvell's 4-byte DSA tag after the source address."""
    _switch_tagged(data, length, layers, "dsa", DSA_LEN)


def edsa(data: bytes, length: int, layers: Layers) -> None:
    """LINKTYPE_DSA_TAG_EDSA: Marvell's 8-byte EtherType DSA tag after the source address."""
    _switch_tagged(data, length, layers, "edsa", EDSA_LEN)


def mpls_ethertype(data: bytes, offset: int, length: int, layers: Layers) -> None:
    """MPLS after an EtherType 0x8847 or 0x8848."""
    mpls(data, offset, length, layers)


ETHERTYPE_DECODERS = {
    ETHERTYPE_MPLS: mpls_ethertype,
    ETHERTYPE_MPLS_MULTICAST: mpls_ethertype,
    ETHERTYPE_PPP: ppp_ethertype,
}
"""The EtherTypes this module reads, for the lean decoder's EtherType dispatch."""

LINK_DECODERS = {
    8: slip,
    9: ppp_frame,
    50: ppp_serial,
    104: chdlc,
    123: sunatm,
    129: arcnet_linux,
    149: pktap,
    166: ppp_frame,
    195: ieee802_15_4,
    258: pktap,
    281: brcm_tag,
    282: brcm_tag_prepend,
    284: dsa,
    285: edsa,
}
"""Link types by number (LINKTYPE_SLIP, PPP, PPP_HDLC, C_HDLC, SUNATM, ARCNET_LINUX, Apple's PKTAP, PPP_PPPD,
IEEE802_15_4_WITHFCS, PKTAP, DSA_TAG_BRCM, DSA_TAG_BRCM_PREPEND, DSA_TAG_DSA, DSA_TAG_EDSA): this
module's readers."""
