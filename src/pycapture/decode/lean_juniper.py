"""The Juniper PIC link types for the lean decoder: tcpdump's print-juniper.c.

Every Juniper frame starts with the same header (juniper_parse_header): the magic ``MGC``, a flags
byte, optional extension TLVs, then (for the PICs of its cookie table) a cookie and a protocol; each
link type then reads its own header and hands the packet on. The texts are ``said`` layers
(lean_links2), the -e text included.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from . import lean as _lean
from .lean_layers import Layers
from .lean_links import chdlc, mpls, osi, ppp
from .lean_links2 import count_header, fr, llc_frame, llc_header_length, mfr, said

_MAGIC = b"MGC"
_FLAG_IN, _FLAG_NO_L2, _FLAG_EXT = 0x01, 0x02, 0x80
_LS_COOKIE, _AS_COOKIE = 0x54, 0x47

# DLT -> (ndo_protocol name, cookie-table entry (cookie length, PIC name) or None)
_PICS: dict[int, tuple[str, tuple[int, str] | None]] = {
    130: ("juniper_mlppp", (2, "MLPPP")),
    131: ("juniper_mlfr", (2, "MLFR")),
    134: ("juniper_mfr", (4, "MFR")),
    135: ("juniper_atm2", (8, "ATM2")),
    168: ("juniper_pppoe_atm", (0, "PPPoE ATM")),
    178: ("juniper_ether", None),
    132: ("juniper_es", (0, "ES")),
    133: ("juniper_ggsn", (8, "GGSN")),
    136: ("juniper_services", (8, "AS")),
    137: ("juniper_atm1", (4, "ATM1")),
    164: ("juniper_monitor", (8, "MONITOR")),
    167: ("juniper_pppoe", (0, "PPPoE")),
    179: ("juniper_ppp", None),
    180: ("juniper_frelay", None),
    181: ("juniper_chdlc", None),
}
_MLPPP, _MLFR, _MFR, _ATM2, _ETHER = 130, 131, 134, 135, 178
_VCI_OAM_F4_END = 4  # an OAM VCI: what makes the atm layer an OAM cell
# the layer-3 protocol an AS PIC's cookie gives (its byte 5, print-juniper.c's JUNIPER_LSQ_L3_PROTO_*)
_LSQ_MASK, _LSQ_IPV4, _LSQ_IPV6, _LSQ_MPLS, _LSQ_ISO = 0x70, 0x00, 0x10, 0x20, 0x30
_PPP_OSI, _PPP_HDLC = 0x0023, 0xFF03
# the PPP protocols juniper_ppp_heuristic_guess recognises
_PPP_GUESSED = frozenset((
    0x0021, 0x0023, 0x0281, 0x0283, 0x8021, 0x8023, 0x8281, 0xC021, 0xC023, 0xC223, 0x003D, 0x0057, 0x8057,
))  # fmt: skip
_IPSEC_TYPES = {1: "ESP ENCR-AUTH", 2: "ESP ENCR-AH AUTH", 3: "ESP AUTH", 4: "AH AUTH", 5: "ESP ENCR"}
_GGSN_PROTOCOLS = {1: "Null", 2: "IPv4", 6: "IPv6"}


class _Stop(Exception):
    """The header says no more: its text is in the layers already; ``header`` the bytes tcpdump counts
    as link layer then (0 where a cut stops it: it dumps the whole frame)."""

    def __init__(self, header: int = 0) -> None:
        super().__init__(header)
        self.header = header


class _Header:
    """What juniper_parse_header learnt: where the payload starts, its wire length, the cookie, the
    protocol, and the -e text so far."""

    def __init__(self, offset: int, length: int, cookie: bytes, proto: int, eflag: str, flags: int) -> None:
        self.offset, self.length, self.proto, self.eflag, self.flags = offset, length, proto, eflag, flags
        self.cookie = cookie.ljust(8, b"\x00")  # tcpdump's 8-byte cookie array, zeroed
        self.cookie_len = len(cookie)

    @property
    def bundle(self) -> int:
        """The bundle a multilink PIC's cookie names."""
        kind = self.cookie[0] if self.cookie_len else 0
        if kind == _LS_COOKIE:
            return self.cookie[1]
        if kind == _AS_COOKIE:
            return (int.from_bytes(self.cookie[6:8], "big") >> 3) & 0xFFF
        return self.cookie[0]


def _cut(layers: Layers, name: str, eflag: str) -> None:
    layers.append(said(f" [|{name}]", f"{eflag} [|{name}]"))
    raise _Stop


def _ip_guess(data: bytes, offset: int, length: int, layers: Layers, text: str, eflag: str) -> bool:
    """print-juniper.c's ip_heuristic_guess: IPv4 or IPv6 by the first byte; False if neither."""
    first = data[offset]
    if 0x45 <= first <= 0x4F:
        layers.append(said(text, eflag, length))
        _lean._ipv4(data, offset, layers, length)
    elif 0x60 <= first <= 0x6F:
        layers.append(said(text, eflag, length))
        _lean._ipv6(data, offset, layers, length)
    else:
        return False
    return True


def _parse(dlt: int, data: bytes, length: int, layers: Layers) -> _Header:
    name, pic = _PICS[dlt]
    if len(data) < 4:
        _cut(layers, name, "")
    if data[:3] != _MAGIC:
        layers.append(said("no magic-number found!"))
        raise _Stop(0)
    flags = data[3]
    eflag = f"{'In' if flags & _FLAG_IN else 'Out':>3} "
    size = 4
    if flags & _FLAG_EXT:
        if len(data) < 6:
            _cut(layers, name, eflag)
        left = int.from_bytes(data[4:6], "big")
        size = 6 + left
        if len(data) < size:
            _cut(layers, name, eflag)
        pos = 6
        while left > 2:
            tlv_type, tlv_len = data[pos], data[pos + 1]
            if tlv_type == 0 or tlv_len == 0:
                break
            if left < tlv_len + 2:
                text = f" [extension_length {left} < {tlv_len + 2}] (invalid)"
                layers.append(said(text, eflag + text))
                raise _Stop
            pos += 2 + tlv_len
            left -= tlv_len + 2
    if flags & _FLAG_NO_L2:
        eflag += "no-L2-hdr, "
        at = size + 4
        if len(data) <= at:
            _cut(layers, name, eflag)
        if not _ip_guess(data, at, length - at, layers, "", eflag):
            layers.append(said("no IP-hdr found!", eflag + "no IP-hdr found!"))
        raise _Stop(at)
    offset, left = size, length - size
    cookie, proto = b"", 0
    if pic is not None:
        cookie_len, pic_name = pic
        if len(data) <= offset:
            _cut(layers, name, eflag)
        kind = data[offset]
        if kind == _LS_COOKIE:
            cookie_len += 2
        elif kind == _AS_COOKIE:
            cookie_len = 8
        if dlt == _MFR and kind & 0xC0 == 0xC0:  # FRF.16 begin and end bits: no cookie
            cookie_len = 0
        eflag += f"{pic_name}-PIC, cookie-len {cookie_len}"
        if cookie_len > 8:
            layers.append(said(" (invalid)", eflag + " (invalid)"))
            raise _Stop(offset + cookie_len)
        if len(data) < offset + cookie_len:
            _cut(layers, name, eflag)
        cookie = data[offset : offset + cookie_len]
        if cookie_len:
            eflag += f", cookie 0x{cookie.hex()}"
        eflag += ": "
        if len(data) < offset + cookie_len + 2:
            _cut(layers, name, eflag)
        proto = int.from_bytes(data[offset + cookie_len : offset + cookie_len + 2], "big")
        offset += cookie_len
        left -= cookie_len
        as_proto = cookie[5] & _LSQ_MASK if kind == _AS_COOKIE and cookie_len > 5 else None
        if dlt in (_MLPPP, _MLFR, _MFR) and as_proto is not None:
            proto = as_proto
        elif dlt == _MLFR or (dlt == _MFR and kind == _LS_COOKIE):  # the protocol field, 2 bytes more
            offset, left = offset + 2, left - 2
        elif dlt == _ATM2:
            if len(data) < offset + 4:
                _cut(layers, name, eflag)
            if cookie[7:8] and cookie[7] & 0x70:
                word = int.from_bytes(data[offset : offset + 4], "big")
                if word in (0, 0x08000000, 0x08380000):  # a control word (with the cell length)
                    offset += 4
                eflag += f"control-word 0x{word:08x} "
    eflag += f"hlen {offset}, proto 0x{proto:04x}, "
    return _Header(offset, left, cookie, proto, eflag, flags)


def _juniper(dlt: int, data: bytes, length: int, layers: Layers) -> None:
    start = len(layers)
    try:
        head = _parse(dlt, data, length, layers)
        _PAYLOADS[dlt](data, head, layers)
        header = head.offset
        if dlt == _ETHER:  # and ether_print's header (with its VLAN tags and 802.2 header), or what there is
            vlans = sum(1 for layer in layers[start:] if layer[0] == "vlan")
            at = header + 12 + 4 * vlans
            llc = (
                llc_header_length(data, at + 2)
                if len(data) >= at + 2 and data[at] << 8 | data[at + 1] <= 1500
                else 0
            )
            header = min(at + 2 + llc, len(data))
    except _Stop as stop:
        header = stop.header
    count_header(layers, start, header)  # the frame's link layer, for -x


def _oam(data: bytes, h: _Header, layers: Layers) -> None:
    """oam_print of a cell without its HEC byte: the ``atm`` layer (links.py) reads it after one."""
    layers.append(said("", h.eflag, h.length))
    layers.append(("atm", _VCI_OAM_F4_END, b"\x00" + data[h.offset : h.offset + 7], h.length))


def _atm1(data: bytes, h: _Header, layers: Layers) -> None:
    p, eflag = h.offset, h.eflag
    if h.cookie[0] == 0x80:  # an OAM cell
        _oam(data, h, layers)
        return
    if len(data) < p + 3:
        _cut(layers, "juniper_atm1", eflag)
    if data[p : p + 3] in (b"\xfe\xfe\x03", b"\xaa\xaa\x03"):
        layers.append(said("", eflag, h.length))
        llc_frame(data, p, h.length, layers)
        return
    if data[p] == 0x03:  # Cisco's NLPID encapsulation
        layers.append(said("", eflag, h.length - 1))
        osi(data, p + 1, h.length - 1, layers)
        return
    if not _ip_guess(data, p, h.length, layers, "", eflag):
        layers.append(said("", eflag))


def _es(data: bytes, h: _Header, layers: Layers) -> None:
    p, eflag = h.offset, h.eflag
    if len(data) < p + 16:  # the IPsec header: SA index, TTL, type, SPI, tunnel addresses
        _cut(layers, "juniper_es", eflag)
    kind = data[p + 3]
    if kind in (1, 2):
        rewrite, bundle = 0, True
    elif kind in (3, 4, 5):
        rewrite, bundle = 16, False
    else:
        text = f"ES Invalid type {kind}, length {h.length}"
        layers.append(said(text, eflag + text))
        return
    left = h.length - rewrite
    sa = f"ES SA, index {int.from_bytes(data[p : p + 2], 'big')}, ttl {data[p + 2]} type "
    sa += f"{_IPSEC_TYPES[kind]} ({kind}), "
    if not bundle:
        spi = int.from_bytes(data[p + 4 : p + 8], "big")
        src, dst = socket.inet_ntoa(data[p + 8 : p + 12]), socket.inet_ntoa(data[p + 12 : p + 16])
        sa += f"spi {spi}, Tunnel {src} > {dst}, "
    layers.append(said("", f"{eflag}{sa}length {left}\n", left))
    _lean._ipv4(data, p + rewrite, layers, left)


def _monitor(data: bytes, h: _Header, layers: Layers) -> None:
    p, eflag = h.offset, h.eflag
    if len(data) < p + 8:
        _cut(layers, "juniper_monitor", eflag)
    service = int.from_bytes(data[p + 4 : p + 8], "big")
    eflag += f"service-id {service}, iif {int.from_bytes(data[p + 2 : p + 4], 'big')}, pkt-type {data[p]}: "
    if not _ip_guess(data, p, h.length, layers, "", eflag):
        layers.append(said("", eflag))


def _services(data: bytes, h: _Header, layers: Layers) -> None:
    p, eflag = h.offset, h.eflag
    if len(data) < p + 8:
        _cut(layers, "juniper_services", eflag)
    service_set, iif = int.from_bytes(data[p + 2 : p + 4], "big"), int.from_bytes(data[p + 5 : p + 8], "big")
    eflag += f"service-id {data[p]} flags 0x{data[p + 1]:02x} service-set-id 0x{service_set:04x} iif {iif}: "
    if not _ip_guess(data, p, h.length, layers, "", eflag):
        layers.append(said("", eflag))


def _ggsn(data: bytes, h: _Header, layers: Layers) -> None:
    cookie = h.cookie.ljust(8, b"\x00")
    proto = cookie[2]
    vlan = int.from_bytes(cookie[4:6], "big")
    eflag = h.eflag + f"proto {_GGSN_PROTOCOLS.get(proto, 'Unknown')} ({proto}), vlan {vlan}: "
    if proto == 2:
        layers.append(said("", eflag, h.length))
        _lean._ipv4(data, h.offset, layers, h.length)
    elif proto == 6:
        layers.append(said("", eflag, h.length))
        _lean._ipv6(data, h.offset, layers, h.length)
    else:
        layers.append(said(f"unknown GGSN proto ({proto})", eflag))


def _ppp(data: bytes, h: _Header, layers: Layers) -> None:
    layers.append(said("", h.eflag, h.length))
    ppp(data, h.offset, h.length, layers)


def _chdlc(data: bytes, h: _Header, layers: Layers) -> None:
    layers.append(said("", h.eflag, h.length))
    chdlc(data[h.offset :], h.length, layers)


def _frelay(data: bytes, h: _Header, layers: Layers) -> None:
    layers.append(said("", h.eflag, h.length))
    fr(data, h.offset, h.length, layers)


def _pppoe(data: bytes, h: _Header, layers: Layers) -> None:
    layers.append(said("", h.eflag, h.length))
    _lean._ethernet(data[h.offset :], h.length, layers)


def _lsq(data: bytes, h: _Header, layers: Layers, eflag: str) -> bool:
    """An AS PIC's layer-3 protocol (IPv4, IPv6, MPLS, OSI); False for another."""
    p, left = h.offset, h.length
    if h.proto == _LSQ_IPV4:
        layers.append(said("", eflag, left))
        _lean._ipv4(data, p, layers, left)
    elif h.proto == _LSQ_IPV6:
        layers.append(said("", eflag, left))
        _lean._ipv6(data, p, layers, left)
    elif h.proto == _LSQ_MPLS:
        layers.append(said("", eflag, left))
        mpls(data, p, left, layers)
    elif h.proto == _LSQ_ISO:
        layers.append(said("", eflag, left))
        osi(data, p, left, layers)
    else:
        return False
    return True


def _mlppp(data: bytes, h: _Header, layers: Layers) -> None:
    eflag, head = h.eflag, int.from_bytes(h.cookie[:2], "big")
    if head not in (_PPP_OSI, _PPP_HDLC):
        eflag += f"Bundle-ID {h.bundle}: "
    p, left = h.offset, h.length
    if h.proto == _LSQ_IPV4 and h.cookie[4] == 0x0C:  # from the routing engine: a PPP frame
        layers.append(said("", eflag, left))
        ppp(data, p, left, layers)
    elif _lsq(data, h, layers, eflag):
        pass
    elif head == _PPP_OSI:
        layers.append(said("", eflag, left + 2))
        ppp(data, p - 2, left + 2, layers)
    else:
        layers.append(said("", eflag, left))
        ppp(data, p, left, layers)


def _unknown_protocol(h: _Header, layers: Layers, eflag: str) -> None:
    text = f"unknown protocol 0x{h.proto:04x}, length {h.length}"
    layers.append(said(text, eflag + text))


def _mlfr(data: bytes, h: _Header, layers: Layers) -> None:
    eflag = h.eflag
    if int.from_bytes(h.cookie[:4], "big") != 1:
        eflag += f"Bundle-ID {h.bundle}, "
    p, left = h.offset, h.length
    if h.proto in (0x0003, 0x0300):
        layers.append(said("", eflag, left))
        osi(data, p, left, layers)
    elif h.proto in (0x0308, 0x03CC, 0x038E):  # UI, then the NLPID the OSI printer reads
        layers.append(said("", eflag, left + 1))
        osi(data, p - 1, left + 1, layers)
    else:
        _unknown_protocol(h, layers, eflag)


def _mfr(data: bytes, h: _Header, layers: Layers) -> None:
    p, left = h.offset, h.length
    if h.cookie_len == 0:
        layers.append(said("", h.eflag, left))
        mfr(data[p:], left, layers)
        return
    if h.cookie_len == 8:
        if not _lsq(data, h, layers, h.eflag):
            layers.append(said("", h.eflag))
        return
    eflag = h.eflag
    if int.from_bytes(h.cookie[:4], "big") != 1:
        eflag += f"Bundle-ID {h.bundle}, "
    if h.proto == 0xFEFE:
        if len(data) <= p:
            _cut(layers, "juniper_mfr", eflag)
        layers.append(said("", eflag, left - 1))
        osi(data, p + 1, left - 1, layers)
    elif h.proto in (0x0308, 0x03CC, 0x038E):
        layers.append(said("", eflag, left + 1))
        osi(data, p - 1, left + 1, layers)
    else:
        _unknown_protocol(h, layers, eflag)


def _atm2(data: bytes, h: _Header, layers: Layers) -> None:
    p, eflag, left = h.offset, h.eflag, h.length
    if h.cookie[7] & 0x70:  # an OAM cell
        _oam(data, h, layers)
        return
    if len(data) < p + 3:
        _cut(layers, "juniper_atm2", eflag)
    if data[p : p + 3] in (b"\xfe\xfe\x03", b"\xaa\xaa\x03"):
        layers.append(said("", eflag, left))
        llc_frame(data, p, left, layers)
    elif not h.flags & _FLAG_IN and int.from_bytes(h.cookie[:4], "big") & 0x3F:  # Ethernet over RFC 1483
        layers.append(said("", eflag, left))
        _lean._ethernet(data[p:], left, layers)
    elif data[p] == 0x03:
        layers.append(said("", eflag, left - 1))
        osi(data, p + 1, left - 1, layers)
    elif int.from_bytes(data[p : p + 2], "big") in _PPP_GUESSED:  # PPP over ATM, VC-multiplexed
        layers.append(said("", eflag, left))
        ppp(data, p, left, layers)
    elif not _ip_guess(data, p, left, layers, "", eflag):
        layers.append(said("", eflag))


def _pppoe_atm(data: bytes, h: _Header, layers: Layers) -> None:
    p, eflag, left = h.offset, h.eflag, h.length
    if len(data) < p + 2:
        _cut(layers, "juniper_pppoe_atm", eflag)
    etype = int.from_bytes(data[p : p + 2], "big")
    carried: Layers = []
    _lean._ethertype(data, p + 2, p + left, etype, carried)
    if carried and carried[0][:2] == ("other", "ethertype"):
        text = f"unknown ethertype 0x{etype:04x}"
        layers.append(said(text, eflag + text))
        return
    layers.append(said("", eflag, left - 2))
    layers.extend(carried)


def _ether(data: bytes, h: _Header, layers: Layers) -> None:
    layers.append(said("", h.eflag, h.length))
    _lean._ethernet(data[h.offset :], h.length, layers)


_PAYLOADS = {
    130: _mlppp,
    131: _mlfr,
    134: _mfr,
    135: _atm2,
    168: _pppoe_atm,
    178: _ether,
    132: _es,
    133: _ggsn,
    136: _services,
    137: _atm1,
    164: _monitor,
    167: _pppoe,
    179: _ppp,
    180: _frelay,
    181: _chdlc,
}


def _decoder(dlt: int) -> Callable[[bytes, int, Layers], None]:
    def decode(data: bytes, length: int, layers: Layers) -> None:
        _juniper(dlt, data, length, layers)

    decode.__doc__ = f"DLT {dlt}: tcpdump's {_PICS[dlt][0]}_if_print."
    return decode


LINK_DECODERS: dict[int, Callable[[bytes, int, Layers], None]] = {dlt: _decoder(dlt) for dlt in _PAYLOADS}
"""The Juniper link types lean reads, by DLT."""
