"""The lean decoder's IEEE 802.11 link types: bare 802.11 (DLT 105), radiotap (127), Prism (119) and
AVS (163) headers before it.

What is read is what tcpdump 4.99's print-802_11.c reads without -v or -e: each radiotap field it
prints (at the alignment radiotap gives it, counted from the start of the radiotap header), the frame
control, and of a management frame the fixed fields and the elements its one-line text shows (the first
SSID, the first non-empty rates, the DS channel), where a control frame's addresses are, and whether a
data frame is protected (its IV then) or carries LLC, which the lean decoder's LLC/SNAP reading takes
on. Where tcpdump stops for want of captured bytes, a ``("trunc", "802.11")`` follows what it printed.
"""

from __future__ import annotations

import struct
from typing import Callable

from .lean_layers import Layers, RadiotapField, WlanElements

LlcHandoff = Callable[[bytes, int, int, int, Layers], None]
"""lean's ``_llc(data, offset, length, frame_length, layers)``: an LLC header and what it carries."""

LinkDecoder = Callable[[bytes, int, Layers], None]

_le16 = struct.Struct("<H").unpack_from
_le32 = struct.Struct("<I").unpack_from
_be32 = struct.Struct(">I").unpack_from


def _u32(value: int) -> int:
    """``value`` as tcpdump's unsigned lengths hold it: a record shorter on the wire than captured wraps."""
    return value & 0xFFFFFFFF


RADIOTAP_TRUNC = -1
"""The bit number of a radiotap item that stands for tcpdump's `` [|802.11_radio]``."""

# radiotap fields tcpdump 4.99.3 reads: bit -> (alignment, size, struct format of the values)
_RADIOTAP_FIELDS: dict[int, tuple[int, int, str]] = {
    0: (8, 8, "<Q"),  # TSFT
    1: (1, 1, "<B"),  # flags
    2: (1, 1, "<B"),  # rate
    3: (2, 4, "<HH"),  # channel: frequency, flags
    4: (1, 2, "<BB"),  # FHSS: hop set, hop pattern
    5: (1, 1, "<b"),  # dBm antenna signal
    6: (1, 1, "<b"),  # dBm antenna noise
    7: (2, 2, "<H"),  # lock quality
    8: (2, 2, "<h"),  # TX attenuation
    9: (1, 1, "<b"),  # dB TX attenuation (4.99.3 reads one signed byte)
    10: (1, 1, "<b"),  # dBm TX power
    11: (1, 1, "<B"),  # antenna
    12: (1, 1, "<B"),  # dB antenna signal
    13: (1, 1, "<B"),  # dB antenna noise
    14: (2, 2, "<H"),  # RX flags
    18: (4, 8, "<IHBB"),  # XChannel: flags, frequency, channel, max power
    19: (1, 3, "<BBB"),  # MCS: known, flags, index
    20: (4, 8, "<IHBB"),  # A-MPDU status
    21: (2, 12, "<HBBBBBBBBH"),  # VHT: known, flags, bandwidth, 4 MCS/NSS, coding, group, partial AID
}
_CHANNEL, _XCHANNEL, _MCS = 3, 18, 19
_NAMESPACE, _VENDOR_NAMESPACE, _EXT = 29, 30, 31
_F_FCS, _F_DATAPAD = 0x10, 0x20  # radiotap flags

_T_MGMT, _T_CTRL, _T_DATA = 0, 1, 2
# control frames: subtype -> header length (the fields tcpdump checks are captured before it prints)
_CTRL_HEADER = {7: 16, 8: 20, 9: 10, 10: 16, 11: 16, 12: 10, 13: 10, 14: 16, 15: 16}
_PRISM_HEADER = 144
_AVS_COOKIES = (0x80211001, 0x80211002)


def link_decoders(llc: LlcHandoff) -> dict[int, LinkDecoder]:
    """The 802.11 link types' decoders for lean's table; ``llc`` reads a data frame's payload."""

    def bare(data: bytes, length: int, layers: Layers) -> None:
        ieee80211(data, length, len(data), False, 0, layers, llc)

    def radio(data: bytes, length: int, layers: Layers) -> None:
        radiotap(data, length, layers, llc)

    def prism_header(data: bytes, length: int, layers: Layers) -> None:
        prism(data, length, layers, llc)

    def avs_header(data: bytes, length: int, layers: Layers) -> None:
        avs(data, length, layers, llc)

    return {105: bare, 119: prism_header, 127: radio, 163: avs_header}


# --- headers before the 802.11 frame ------------------------------------------------------------------


def radiotap(data: bytes, length: int, layers: Layers, llc: LlcHandoff) -> None:
    """A radiotap header (ieee802_11_radio_print), then its 802.11 frame."""
    caplen = len(data)
    if caplen < 8:
        layers.append(("trunc", "802.11_radio"))
        return
    size = _le16(data, 2)[0]
    if size < 8 or caplen < size:
        layers.append(("trunc", "802.11_radio"))
        return
    last = 4  # offset of the last presence word
    while last + 4 <= size and _le32(data, last)[0] >> _EXT & 1:
        last += 4
    if last + 4 > size:
        layers.append(("trunc", "802.11_radio"))
        return
    items: list[RadiotapField] = []
    pos = last + 4
    bit0 = 0
    vendor = False
    skip = 0
    flags = 0
    for word_at in range(4, last + 4, 4):
        present = _le32(data, word_at)[0]
        if vendor:
            if pos + skip > size:
                break
            pos += skip
            skip = 0
        else:
            stopped, pos, flags = _radiotap_namespace(data, size, pos, present, bit0, flags, items)
            if stopped:
                break
        switch = present & (1 << _NAMESPACE | 1 << _VENDOR_NAMESPACE)
        if switch == 0:
            bit0 += 32
        elif switch == 1 << _NAMESPACE:
            bit0, vendor, skip = 0, False, 0
        elif switch == 1 << _VENDOR_NAMESPACE:
            bit0, vendor = 0, True
            length_field, pos = _vendor_namespace(data, size, pos)
            if length_field is None:
                items.append((RADIOTAP_TRUNC, []))
            else:
                skip = length_field
    layers.append(("radiotap", items))
    ieee80211(data[size:], _u32(length - size), caplen - size, bool(flags & _F_DATAPAD),
              4 if flags & _F_FCS else 0, layers, llc)  # fmt: skip


def _radiotap_namespace(
    data: bytes, size: int, pos: int, present: int, bit0: int, flags: int, items: list[RadiotapField]
) -> tuple[bool, int, int]:
    """The fields one presence word of the radiotap namespace announces: ``(stopped, pos, flags)``,
    ``stopped`` where tcpdump reads no further in the header (a field cut short, or one it does not
    know the size of)."""
    for bitno in range(_NAMESPACE):
        if not present >> bitno & 1:
            continue
        bit = bit0 + bitno
        field = _RADIOTAP_FIELDS.get(bit)
        if field is None:
            items.append((bit, []))
            return True, pos, flags
        align, width, fmt = field
        at = pos + (-pos % align)
        if at + width > size:
            items.append((RADIOTAP_TRUNC, []))
            return True, pos, flags
        values = list(struct.unpack_from(fmt, data, at))
        pos = at + width
        if bit == 1:
            flags = values[0]
        if bit == _CHANNEL and present >> _XCHANNEL & 1:
            continue  # tcpdump shows XChannel's instead
        if bit in (_CHANNEL, _XCHANNEL):
            values.append(present >> _MCS & 1)
        items.append((bit, values))
    return False, pos, flags


def _vendor_namespace(data: bytes, size: int, pos: int) -> tuple[int | None, int]:
    """A vendor namespace's OUI, sub-namespace and data length, read as tcpdump reads them:
    ``(skip_length, pos after)``, skip_length None where the header ends first."""
    if pos + (-pos % 2) + 2 > size:  # tcpdump makes room for 2 bytes, then reads from where it was
        return None, pos
    for _ in range(4):  # the OUI and sub-namespace, one byte at a time
        if pos >= size:
            return None, pos
        pos += 1
    at = pos + (-pos % 2)
    if at + 2 > size:
        return None, pos
    return _le16(data, at)[0], at + 2


def prism(data: bytes, length: int, layers: Layers, llc: LlcHandoff) -> None:
    """A Prism header (prism_if_print): 144 bytes, or an AVS header when it starts with AVS's cookie."""
    if len(data) < 4:
        layers.append(("trunc", "prism"))
        return
    if _be32(data, 0)[0] in _AVS_COOKIES:
        avs(data, length, layers, llc)
        return
    if len(data) < _PRISM_HEADER:
        layers.append(("trunc", "prism"))
        return
    ieee80211(
        data[_PRISM_HEADER:], _u32(length - _PRISM_HEADER), len(data) - _PRISM_HEADER, False, 0, layers, llc
    )


def avs(data: bytes, length: int, layers: Layers, llc: LlcHandoff) -> None:
    """An AVS capture header (ieee802_11_radio_avs_print): its length is its second 32-bit word."""
    if len(data) < 8:
        layers.append(("trunc", "802.11_radio_avs"))
        return
    size = _be32(data, 4)[0]
    if size < 8 or len(data) < size:
        layers.append(("trunc", "802.11_radio_avs"))
        return
    ieee80211(data[size:], _u32(length - size), len(data) - size, False, 0, layers, llc)


# --- the 802.11 frame ---------------------------------------------------------------------------------


def ieee80211(
    data: bytes, length: int, caplen: int, pad: bool, fcslen: int, layers: Layers, llc: LlcHandoff
) -> None:
    """An 802.11 frame (ieee802_11_print); ``pad``: the body starts on a 4-byte boundary, ``fcslen``:
    bytes of frame check sequence that end it."""
    if length < fcslen:
        layers.append(("trunc", "802.11"))
        return
    length -= fcslen
    caplen = min(caplen, length)
    data = data[:caplen]
    if caplen < 2:
        layers.append(("trunc", "802.11"))
        return
    fc = _le16(data, 0)[0]
    ftype, subtype = fc >> 2 & 3, fc >> 4 & 0xF
    protected = bool(fc & 0x4000)
    if ftype == _T_MGMT:
        hdrlen = 24
    elif ftype == _T_CTRL:
        hdrlen = _CTRL_HEADER.get(subtype, 0)
    elif ftype == _T_DATA:
        hdrlen = (30 if fc & 0x0300 == 0x0300 else 24) + (2 if subtype & 8 else 0)
    else:
        hdrlen = 0
    if hdrlen == 0:
        layers.append(("wlan-unknown", ftype, subtype))
        return
    if pad:
        hdrlen = (hdrlen + 3) & ~3
    if caplen < hdrlen:
        layers.append(("trunc", "802.11"))
        return
    if ftype == _T_MGMT:
        _management(data, hdrlen, length, subtype, protected, layers)
    elif ftype == _T_CTRL:
        _control(data, subtype, layers)
    elif subtype & 4:  # no data
        layers.append(("wlan-data", subtype, protected, None, b"", b""))
    elif protected:
        iv = _le32(data, hdrlen)[0] if caplen >= hdrlen + 4 else None
        layers.append(("wlan-data", subtype, True, iv, b"", b""))
        if iv is None:
            layers.append(("trunc", "802.11"))
    else:
        src, dst = _data_addresses(data, fc)
        layers.append(("wlan-data", subtype, False, None, src, dst))
        _llc_payload(data, hdrlen, length, layers, llc)


def _data_addresses(data: bytes, fc: int) -> tuple[bytes, bytes]:
    """get_data_src_dst_mac: a data frame's source and destination, which of its addresses the DS bits
    say (with both set, the source is the fourth address)."""
    ds = fc >> 8 & 3
    if ds == 0:
        return data[10:16], data[4:10]
    if ds == 1:  # to the distribution system
        return data[10:16], data[16:22]
    if ds == 2:  # from it
        return data[16:22], data[4:10]
    return data[24:30], data[16:22]


def _llc_payload(data: bytes, start: int, length: int, layers: Layers, llc: LlcHandoff) -> None:
    if len(data) < start + 3 or length < start + 3:
        layers.append(("trunc", "llc"))
        layers.append(("data", data[start:]))  # tcpdump dumps what there is
        return
    llc(data, start, length, length - start, layers)


def _management(data: bytes, start: int, length: int, subtype: int, protected: bool, layers: Layers) -> None:
    """A management frame's body: the fixed fields its subtype has, then its elements."""
    src = data[10:16]
    body = data[start:]
    size = length - start
    if protected:
        iv = [_le32(body, 0)[0]] if len(body) >= 4 else []
        layers.append(("wlan-mgmt", subtype, True, src, iv, None, bool(iv)))
        return
    fixed_size, fmt = _MGMT_FIXED.get(subtype, (0, ""))
    if len(body) < fixed_size or size < fixed_size:
        layers.append(("wlan-mgmt", subtype, False, src, [], None, False))
        return
    fixed = list(struct.unpack_from(fmt, body, 0)) if fmt else []
    if subtype == 2:  # a reassociation request names the current AP
        fixed.append(int.from_bytes(body[4:10], "big"))
    if subtype in _MGMT_ELEMENTS:
        elements, ok = _elements(body, fixed_size, size - fixed_size)
        layers.append(("wlan-mgmt", subtype, False, src, fixed, elements, ok))
    else:
        layers.append(("wlan-mgmt", subtype, False, src, fixed, None, True))


# management subtype -> (bytes of fixed fields tcpdump reads, what of them it keeps)
_MGMT_FIXED = {
    0: (4, "<HH"),  # assoc request: capability, listen interval
    1: (6, "<HHH"),  # assoc response: capability, status, AID
    2: (10, "<HH"),  # reassoc request: capability, listen interval (and the current AP)
    3: (6, "<HHH"),  # reassoc response, as assoc response
    5: (12, "<8xHH"),  # probe response: timestamp, beacon interval, capability
    8: (12, "<8xHH"),  # beacon
    10: (2, "<H"),  # disassociation: reason
    11: (6, "<HHH"),  # authentication: algorithm, transaction sequence, status
    12: (2, "<H"),  # deauthentication: reason
    13: (2, "<BB"),  # action: category, action
}
_MGMT_ELEMENTS = frozenset((0, 1, 2, 3, 4, 5, 8, 11))  # the subtypes tcpdump reads elements of


def _elements(body: bytes, offset: int, length: int) -> tuple[WlanElements, bool]:
    """parse_elements: the first SSID, the first non-empty rates and the first DS channel, and whether
    all elements were there whole (tcpdump's `` [|802.11]`` follows the text otherwise)."""
    ssid: bytes | None = None
    rates: bytes | None = None
    channel: int | None = None
    ok = False
    while True:
        if length == 0:
            ok = True
            break
        if offset + 2 > len(body) or length < 2:
            break
        eid, elen = body[offset], body[offset + 1]
        if offset + 2 + elen > len(body) or length < elen + 2:
            break
        value = body[offset + 2 : offset + 2 + elen]
        if eid == 0:  # SSID
            if elen > 32:
                break
            if ssid is None:
                ssid = value
        elif eid == 1:  # supported rates
            if elen > 16:
                break
            if rates is None and elen:
                rates = value
        elif eid == 3:  # DS parameter set
            if elen == 1 and channel is None:
                channel = value[0]
        elif (eid == 5 and elen > 254) or (
            eid == 16 and elen > 253
        ):  # TIM, challenge: past tcpdump's buffers
            break
        offset += 2 + elen
        length -= 2 + elen
    return (ssid, rates, channel), ok


def _control(data: bytes, subtype: int, layers: Layers) -> None:
    """A control frame: the addresses and numbers tcpdump shows of it (its header is captured)."""
    if subtype == 8:  # BAR: RA, TA, control, sequence
        layers.append(
            ("wlan-ctrl", subtype, [data[4:10], data[10:16]], [_le16(data, 16)[0], _le16(data, 18)[0]])
        )
    elif subtype == 10:  # PS-Poll: AID
        layers.append(("wlan-ctrl", subtype, [], [_le16(data, 2)[0]]))
    elif subtype == 11:  # RTS: TA
        layers.append(("wlan-ctrl", subtype, [data[10:16]], []))
    elif subtype == 7:  # control wrapper
        layers.append(("wlan-ctrl", subtype, [], []))
    else:  # BA, CTS, ACK, CF-End, CF-End+CF-Ack: RA
        layers.append(("wlan-ctrl", subtype, [data[4:10]], []))
