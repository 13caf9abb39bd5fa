"""What tcpdump reads from a link header's raw bytes: ``-e`` text the lean layers do not carry (Linux
ARCNET, SunATM), and the length of the link-level header ``-x``/``-X`` skip (``ndo_ll_hdr_len``).
"""

from __future__ import annotations

from collections.abc import Callable

from ...decode.lean_layers import Layers

# print-arcnet.c's arctypemap
_ARCTYPE_NAMES = {
    0xF0: "oldip",
    0xF1: "oldarp",
    0xD4: "ip",
    0xD5: "arp",
    0xD6: "rarp",
    0xDD: "atalk",
    0xF7: "banyan",
    0xFA: "ipx",
    0xC4: "ipv6",
    0x80: "diag",
}
_ARCTYPE_SHORT_HEADER = frozenset((0xF0, 0xF1, 0x80))  # old IP, old ARP, diagnose: a 5-byte header
_ARCNET_LINUX = 129
_SUNATM = 123


def raw_link_prefix(linktype: int, data: bytes, length: int) -> str | None:
    """tcpdump's ``-e`` text of a Linux ARCNET or SunATM header, from its bytes; None for other link
    types, and where tcpdump stops before printing it."""
    if linktype == _ARCNET_LINUX:
        if len(data) < 5 or len(data) < (5 if data[4] in _ARCTYPE_SHORT_HEADER else 8):
            return None
        # arcnet_print reads the type through the non-Linux header: the first byte of Linux's offset
        kind = _ARCTYPE_NAMES.get(data[2], f"{data[2]:02x}")
        return f"{data[0]:02x} {data[1]:02x} {kind} {length}: "
    if linktype == _SUNATM:
        if not data:
            return None
        direction = "Tx: " if data[0] & 0x80 else "Rx: "
        if len(data) < 4:  # the VPI and VCI are cut: tcpdump stops after the direction
            return direction
        return f"{direction}VPI:{data[1]} VCI:{data[2] << 8 | data[3]} "
    return None


# --- -x/-X: where tcpdump's dump starts (print.c: the frame less ndo_ll_hdr_len bytes) ------------------

# print-802_11.c's control frame header lengths, by subtype: wrapper, BAR, BA, PS-Poll, RTS, CTS, ACK,
# CF-End, CF-End+CF-Ack
_WLAN_CTRL_LENGTHS = {7: 16, 8: 20, 9: 10, 10: 16, 11: 16, 12: 10, 13: 10, 14: 16, 15: 16}
_RADIOTAP_F_FCS, _RADIOTAP_F_DATAPAD = 0x10, 0x20
_PRISM_HDR_LEN = 144
_AVS_COOKIES = (0x80211001, 0x80211002)
_PPI_HDR_LEN = 8
_PKTAP_HDR_LEN = 108
_PPP_ADDRESS = 0xFF
_CHDLC_ADDRESSES = (0x0F, 0x8F)
_SWITCH_TAG_LENGTHS = {281: 4, 284: 4, 285: 8}  # Broadcom, Marvell DSA and EDSA tags, after the addresses
_BRCM_PREPEND = 282
_WPAN_LINKTYPES = (195, 230)  # 802.15.4 with and without FCS


def _llc_length(data: bytes, length: int) -> int:
    """print-llc.c's llc_print's return: the LLC header's length (with SNAP's 5 bytes), 0 for Novell's
    raw 802.3, or what the capture or the wire holds when shorter."""
    if len(data) < 3:
        return len(data)
    if length < 3:
        return length
    dsap, ssap, control = data[0], data[1], data[2]
    if control & 0x03 == 0x03:
        size = 3
    elif len(data) < 4 or length < 4:
        return min(len(data), length)
    else:
        size = 4
    if dsap == ssap == 0xFF:
        return 0
    if dsap & 0xFE == ssap & 0xFE == 0xAA and control == 0x03:
        return size + 5
    return size


def _wlan_length(data: bytes, length: int, pad: bool = False, fcslen: int = 0) -> int:
    """print-802_11.c's ieee802_11_print's return: the MAC header (padded to 4 bytes with Atheros'
    padding), and a data frame's LLC header."""
    caplen = len(data)
    if length < fcslen:
        return caplen
    length -= fcslen
    if caplen < 2:
        return caplen
    caplen = min(caplen, length)
    fc = data[0] | data[1] << 8
    ftype, subtype = fc >> 2 & 3, fc >> 4 & 0xF
    if ftype == 0:
        size = 24
    elif ftype == 1:
        size = _WLAN_CTRL_LENGTHS.get(subtype, 0)
    elif ftype == 2:
        size = (30 if fc & 0x0300 == 0x0300 else 24) + (2 if subtype & 0x08 else 0)
    else:
        size = 0
    if size == 0:  # an unknown type or control subtype
        return 0
    if pad:
        size = (size + 3) & ~3
    if caplen < size or ftype != 2 or subtype & 0x04 or fc & 0x4000:  # cut, no data, no-data, protected
        return size
    return size + _llc_length(data[size:caplen], length - size)


def _radiotap_flags(layers: Layers) -> int:
    for t in layers:
        if t[0] == "radiotap":
            for bit, values in t[1]:
                if bit == 1 and values:
                    return values[0]
            break
    return 0


def _radiotap_length(data: bytes, length: int, layers: Layers) -> int:
    caplen = len(data)
    if caplen < 8:
        return caplen
    size = data[2] | data[3] << 8
    if size < 8 or caplen < size:
        return caplen
    last = 4
    while last + 4 <= size and data[last + 3] & 0x80:  # the present bitmaps' extension bit
        last += 4
    if last + 4 > size:
        return caplen
    flags = _radiotap_flags(layers)
    fcslen = 4 if flags & _RADIOTAP_F_FCS else 0
    return size + _wlan_length(data[size:], length - size, bool(flags & _RADIOTAP_F_DATAPAD), fcslen)


def _avs_length(data: bytes, length: int) -> int:
    if len(data) < 8:
        return len(data)
    size = int.from_bytes(data[4:8], "big")
    if size < 8 or len(data) < size:
        return len(data)
    return size + _wlan_length(data[size:], length - size)


def _prism_length(data: bytes, length: int) -> int:
    if len(data) < 4:
        return len(data)
    if int.from_bytes(data[:4], "big") in _AVS_COOKIES:
        return _avs_length(data, length)
    if len(data) < _PRISM_HDR_LEN:
        return len(data)
    return _PRISM_HDR_LEN + _wlan_length(data[_PRISM_HDR_LEN:], length - _PRISM_HDR_LEN)


def _inner(dlt: int, data: bytes, length: int, layers: Layers, fallback: Callable[[Layers], int]) -> int:
    start = hex_start(dlt, data, length, layers, fallback)
    return fallback(layers) if start is None else start


def _ppi_length(data: bytes, length: int, layers: Layers, fallback: Callable[[Layers], int]) -> int:
    if len(data) < _PPI_HDR_LEN:
        return len(data)
    size = data[2] | data[3] << 8
    if size < _PPI_HDR_LEN or size > 65532 or len(data) < size:
        return len(data)
    if not layers or layers[0][:2] != ("link", "ppi") or len(layers) < 2 or layers[1][0] == "linkdata":
        return size  # no printer for the DLT inside: the dump starts after the PPI header
    dlt = int.from_bytes(data[4:8], "little")
    # print-ppi.c adds the inner printer's header length to ndo_ll_hdr_len, which already holds it
    return size + 2 * _inner(dlt, data[size:], length - size, layers[1:], fallback)


def _pktap_length(data: bytes, length: int, layers: Layers, fallback: Callable[[Layers], int]) -> int:
    if length < _PKTAP_HDR_LEN or len(data) < 12:
        return 0
    size = int.from_bytes(data[0:4], "little")
    if size < _PKTAP_HDR_LEN or size > length or len(data) < size:
        return 0
    rectype = int.from_bytes(data[4:8], "little")
    if rectype != 1 or len(layers) < 2 or layers[1][0] in ("pktap", "other"):
        return size
    dlt = int.from_bytes(data[8:12], "little")
    # as print-ppi.c, the inner header's length counts twice
    return size + 2 * _inner(dlt, data[size:], length - size, layers[1:], fallback)


def _ppp_hdlc_length(data: bytes, length: int) -> int:
    if len(data) < 2:
        return len(data)
    if data[0] in _CHDLC_ADDRESSES:
        return _chdlc_length(data, length)
    if len(data) < 4:
        return len(data)
    return 4 if data[0] == _PPP_ADDRESS else 2


def _chdlc_length(data: bytes, length: int) -> int:
    if length < 4:  # print-chdlc.c's own check: what the capture holds
        return len(data)
    return 0 if len(data) < 4 else 4  # the protocol read past the capture


# The printers whose truncation marker in tcpdump 4.99.3 comes from a GET_ macro's longjmp (print.c then
# dumps the whole frame), as the installed tcpdump shows on captures cut inside each of them; the
# others (IP, IPv6, TCP, UDP, DNS, LLDP...) mostly stop themselves and keep the link header's length.
_LONGJMP_MARKERS = frozenset((
    "ah", "arp", "atm", "cdp", "chdlc_slarp", "cip", "cisco_autorp", "decnet", "fr", "geonet", "hsrp", "icmp",
    "igrp", "ipcomp", "isakmp_rfc3948", "isoclns", "juniper_atm1", "juniper_es", "l2tp", "mpls", "msnlb",
    "oam", "pimv1", "q.933", "rt6", "rx", "slip", "ssh", "stp", "telnet", "timed", "vrrp", "vtp", "zephyr",
))  # fmt: skip


def stopped_by_longjmp(line: str) -> bool:
    """Whether the text ``line`` ends with the truncation marker of a printer that stops through a
    longjmp (``... [|arp]``), after which tcpdump's -x dumps the whole frame."""
    if not line.endswith("]"):
        return False
    start = line.rfind(" [|")
    if start < 0:
        return False
    marker = line[start + 3 : -1]
    if marker == "chdlc_slarp":  # print-chdlc.c stops itself right after "SLARP (length: N), "
        return not line[:start].rstrip().endswith(",")
    return marker in _LONGJMP_MARKERS


def _nothing_after(line: str, start: int, caplen: int) -> bool:
    """Whether the IPv4 printer found none of its header: it reads the version through a GET_ macro (a
    longjmp; IPv6's printer checks first)."""
    return start >= caplen and line.endswith(" [|ip]")


def hex_start(
    linktype: int,
    data: bytes,
    length: int,
    layers: Layers,
    fallback: Callable[[Layers], int],
    line: str = "",
) -> int | None:
    """How many bytes of ``data`` (a frame of wire length ``length``) tcpdump's -x/-X skip as its
    link-level header, for the link types whose header length depends on the header's own bytes
    (802.11 and its radio headers, PPI, PKTAP, serial links, SunATM, Linux ARCNET, 802.15.4, switch
    tags); None for the others. ``fallback`` gives the others' length from their lean layers (a PPI or
    PKTAP header's frame); ``line`` is the frame's text, which tells whether a printer stopped.

    Where a printer stops at a cut through its GET_ macros (a longjmp) tcpdump forgets the length and
    dumps the whole frame: 0.
    """
    caplen = len(data)
    if stopped_by_longjmp(line):
        return 0
    start = _link_header(linktype, data, length, layers, fallback, line)
    if start is not None and _nothing_after(line, start, caplen):
        return 0
    return start


def _link_header(
    linktype: int, data: bytes, length: int, layers: Layers, fallback: Callable[[Layers], int], line: str
) -> int | None:
    caplen = len(data)
    if linktype == 105:
        return _wlan_length(data, length)
    if linktype == 127:
        return _radiotap_length(data, length, layers)
    if linktype == 119:
        return _prism_length(data, length)
    if linktype == 163:
        return _avs_length(data, length)
    if linktype == 192:
        return _ppi_length(data, length, layers, fallback)
    if linktype in (149, 258):
        return _pktap_length(data, length, layers, fallback)
    if linktype in (104, 112):
        if caplen >= 4 and line.endswith(" [|chdlc]"):  # the ISO payload's second byte: read, or checked
            return 0 if length >= 6 else caplen
        return _chdlc_length(data, length)
    if linktype in (9, 166):
        if caplen < 4:
            return caplen
        return 0 if line.endswith(" [|ppp]") else 4  # handle_ppp's printers read through GET_ macros
    if linktype == 50:
        start = _ppp_hdlc_length(data, length)
        return 0 if caplen >= 4 and line.endswith(" [|ppp_hdlc]") else start
    if linktype == 8:
        return 16 if caplen >= 16 else 0
    if linktype == _SUNATM:
        # the signalling and OAM printers read through GET_ macros
        return 4 if caplen >= 4 and not line.endswith(" [|atm]") else 0
    if linktype in _WPAN_LINKTYPES:
        # ieee802_15_4_print returns 1 for a frame it printed to the end, else 0
        if caplen < 2:
            return caplen
        fatal = any(text in line for text in ("[ERROR: Truncated before dst", "before MIC]", "address mode]"))
        printed = caplen >= 2 and data[0] & 0x07 in (0, 1, 2, 3, 5) and not fatal
        return 1 if printed and "[|" not in line else 0
    if linktype == _ARCNET_LINUX:
        if caplen < 5:
            return 0
        size = 5 if data[4] in _ARCTYPE_SHORT_HEADER else 8
        return size if caplen >= size else 0
    tag = _SWITCH_TAG_LENGTHS.get(linktype)
    if (tag is not None or linktype == _BRCM_PREPEND) and line.endswith(" [|ether]"):
        return caplen  # ether_print returns what the capture holds
    if tag is not None:  # ether_switch_tag_print returns what the capture holds when it is cut
        return tag + fallback(layers[1:]) if layers and layers[0][0] == "swtag" else caplen
    if linktype == _BRCM_PREPEND:
        return 4 + fallback(layers[1:]) if layers and layers[0][0] == "swtag" else 0
    return None


__all__ = ["hex_start", "raw_link_prefix", "stopped_by_longjmp"]
