"""802.11: radiotap, the 802.11 header and management frame bodies."""

from __future__ import annotations

import struct

import dpkt
from dpkt import (
    ieee80211,
    radiotap,
)

from ...protocols.names import NAMES
from ..model import Field, Layer
from .core import Bad, DecoderTable, Decoding, Step, require, unpack_header
from .fields import flag_field, hex_text, mac_text

_RADIOTAP_FLAG_FCS = 0x10
_RADIOTAP_FLAG_DATAPAD = 0x20

# Pcap4J's RadiotapPacket: the named present bits (RadiotapPresentBitNumber), each field's alignment and
# size, and the name its IllegalRawDataException gives the field's class when the header ends inside it.
_RT_BIT_NAMES = NAMES["RadiotapPresentBitNumber"]
_RT_VHT_BANDWIDTHS = NAMES["RadiotapVhtBandwidth"]
_RT_ALIGN = {0: 8, 3: 2, 7: 2, 8: 2, 9: 2, 14: 2, 20: 4, 21: 2}  # the others (and unknown bits): 1
_RT_FIELDS = {
    0: (8, "RadiotapTsft"), 1: (1, "RadiotapFlags"), 2: (1, "RadiotapRate"), 3: (4, "RadiotapChannel"),
    4: (2, "RadiotapFhss"), 5: (1, "RadiotapAntennaSignal"), 6: (1, "RadiotapAntennaNoise"),
    7: (2, "RadiotapLockQuality"), 8: (2, "RadiotapTxAttenuation"), 9: (2, "RadiotapDbTxAttenuation"),
    10: (1, "RadiotapDbmTxPower"), 11: (1, "RadiotapRate"),  # sic: RadiotapDataAntenna's message
    12: (1, "RadiotapDbAntennaSignal"), 13: (1, "RadiotapDbAntennaNoise"), 14: (2, "RadiotapRxFlags"),
    19: (3, "RadiotapMcs"), 20: (8, "RadiotapAMpduStatus"), 21: (12, "RadiotapVht"),
}  # fmt: skip
_RT_FLAG_LABELS = {
    1: ("CFP", "Short Preamble", "WEP", "Fragmented", "FCS", "PAD", "Bad FCS", "Short Guard Interval"),
    3: ("LSB of flags", "2nd LSB of flags", "3rd LSB of flags", "4th LSB of flags", "Turbo", "CCK", "OFDM",
        "2 GHz spectrum", "5 GHz spectrum", "Only passive scan", "Dynamic CCK-OFDM", "GFSK", "GSM",
        "Static Turbo", "Half rate", "Quarter rate"),
    14: ("LSB", "Bad PLCP CRC", *(f"{n}th LSB" if n > 3 else "3rd LSB" for n in range(3, 17))),
    20: ("driver reports 0-length subframes", "0-length subframe", "last subframe is known",
         "last subframe", "delimiter CRC error", "delimiter CRC value is known",
         *(f"{n}th MSB of flags" for n in range(10, 3, -1)), "3rd MSB of flags", "2nd MSB of flags",
         "MSB of flags"),
    21: ("STBC known", "TXOP_PS_NOT_ALLOWED known", "Guard interval known",
         "Short GI NSYM disambiguation known", "LDPC extra OFDM symbol known", "Beamformed known",
         "Bandwidth known", "Group ID known", "Partial AID known",
         *(f"{n}th MSB of known" for n in range(7, 3, -1)), "3rd MSB of known", "2nd MSB of known",
         "MSB of known", "STBC", "TXOP_PS_NOT_ALLOWED", "Short Guard interval",
         "Short GI NSYM disambiguation", "LDPC extra OFDM symbol", "Beamformed", "2nd MSB of flags",
         "MSB of flags"),
    19: ("bandwidth known", "MCS index known", "guard interval known", "HT format known", "FEC type known",
         "STBC known", "Ness known", "Ness data known"),
}  # fmt: skip
_RT_MCS_BANDWIDTHS = ("0 (20)", "1 (40)", "2 (20L)", "3 (20U)")


def _signed8(value: int) -> int:
    return value - 256 if value > 127 else value


def _java_bools(labels: tuple[str, ...], bits: int) -> list[str]:
    return [f"  {label}: {'true' if bits >> i & 1 else 'false'}" for i, label in enumerate(labels)]


def _radiotap_data_lines(bit: int, raw: bytes) -> list[str]:
    """Pcap4J's RadiotapData{bit}.toString("") lines for a field of its full size, ``raw``."""
    if bit == 0:
        return ["TSFT: ", f"  MAC timestamp: {int.from_bytes(raw, 'little')} microseconds"]
    if bit == 1:
        return ["Flags: ", *_java_bools(_RT_FLAG_LABELS[1], raw[0])]
    if bit == 2:
        return ["Rate: ", f"  Rate: {raw[0] * 500} Kbps"]
    if bit == 3:
        return [
            "Channel: ",
            f"  Frequency: {int.from_bytes(raw[:2], 'little')} MHz",
            *_java_bools(_RT_FLAG_LABELS[3], int.from_bytes(raw[2:4], "little")),
        ]
    if bit == 4:
        return ["FHSS: ", f"  Hop set: {raw[0]}", f"  Hop pattern: {raw[1]}"]
    if bit == 5:
        return ["Antenna signal: ", f"  Antenna signal: {_signed8(raw[0])} dBm"]
    if bit == 6:
        return ["Antenna noise: ", f"  Antenna noise: {_signed8(raw[0])} dBm"]
    if bit == 7:
        return ["Lock quality: ", f"  Lock quality: {int.from_bytes(raw, 'little')}"]
    if bit == 8:
        return ["TX attenuation: ", f"  TX attenuation: {int.from_bytes(raw, 'little')}"]
    if bit == 9:
        return ["dB TX attenuation: ", f"  TX attenuation: {int.from_bytes(raw, 'little')} dB"]
    if bit == 10:
        return ["dBm TX power: ", f"  TX power: {_signed8(raw[0])} dBm"]
    if bit == 11:
        return ["Antenna: ", f"  Antenna: {raw[0]}"]
    if bit == 12:
        return ["dB antenna signal: ", f"  Antenna signal: {raw[0]} dB"]
    if bit == 13:
        return ["dB antenna noise: ", f"  Antenna noise: {raw[0]} dB"]
    if bit == 14:
        return ["RX flags: ", *_java_bools(_RT_FLAG_LABELS[14], int.from_bytes(raw, "little"))]
    if bit == 19:
        flags = raw[1]
        return [
            "MCS: ",
            *_java_bools(_RT_FLAG_LABELS[19], raw[0]),
            f"  bandwidth: {_RT_MCS_BANDWIDTHS[flags & 0x03]}",
            f"  short guard interval: {'true' if flags & 0x04 else 'false'}",
            f"  HT format: {'GREENFIELD' if flags & 0x08 else 'MIXED'}",
            f"  FEC type: {'LDPC' if flags & 0x10 else 'BCC'}",
            f"  Number of STBC streams: {(flags & 0x60) >> 5}",
            f"  Ness: {'true' if flags & 0x80 else 'false'}",
            f"  MCS rate index: {raw[2]}",
        ]
    if bit == 20:
        return [
            "A-MPDU status: ",
            f"  reference number: {int.from_bytes(raw[:4], 'little')}",
            *_java_bools(_RT_FLAG_LABELS[20], int.from_bytes(raw[4:6], "little")),
            f"  delimiter CRC value: 0x{raw[6]:02x}",
            f"  reserved: 0x{raw[7]:02x}",
        ]
    # 21: VHT
    bandwidth = raw[3]
    coding = raw[8]
    return [
        "VHT: ",
        *_java_bools(_RT_FLAG_LABELS[21], int.from_bytes(raw[:3], "little")),
        f"  Bandwidth: {bandwidth} ({_RT_VHT_BANDWIDTHS.get(_signed8(bandwidth), 'unknown')})",
        *(f"  NSS-{i}: {raw[4 + i] & 0x0F}" for i in range(4)),
        *(f"  MCS-{i}: {raw[4 + i] >> 4}" for i in range(4)),
        *(f"  FEC-{i}: {'LDPC' if coding >> i & 1 else 'BCC'}" for i in range(4)),
        f"  Group ID: {raw[9]}",
        f"  Partial AID: {int.from_bytes(raw[10:12], 'little')}",
    ]


def _radiotap_pcap4j_lines(frame: bytes, start: int, length: int) -> list[str]:
    """The lines Pcap4J's RadiotapHeader prints after its Length line (each without the dump's two-space
    indent): every present bitmask, then "Data Fields" with one block per field as RadiotapHeader reads
    them (``frame[start:]`` is the header; ``frame`` the whole frame, which its exceptions quote)."""
    lines: list[str] = []
    masks: list[list[int]] = []
    namespace, bit_offset = "", 0
    remaining, pos = length - 4, start + 4
    while remaining >= 4:
        word = int.from_bytes(frame[pos : pos + 4], "little")
        bits = [bit_offset + i for i in range(29) if word >> i & 1]
        rt_next, vendor_next, more = bool(word & 1 << 29), bool(word & 1 << 30), bool(word & 1 << 31)
        # RadiotapPresentBitmask.getRawData(): the named bits, and bit 31 set from the Radiotap NS bit
        raw = (
            sum(1 << (b % 32) for b in bits)
            | (0xA0000000 if rt_next else 0)
            | (0x40000000 if vendor_next else 0)
        )
        lines.append(f"Present Bitmask ({raw.to_bytes(4, 'little').hex(' ')}):")
        lines.append("  Present Fields: ")
        for b in bits:
            name = _RT_BIT_NAMES.get(b, "unknown") if not namespace else "unknown"
            lines.append(f"    {namespace}{'/' if namespace else ''}{b} ({name})")
        lines.append(f"  Radiotap NS Next: {'true' if rt_next else 'false'}")
        lines.append(f"  Vendor NS Next: {'true' if vendor_next else 'false'}")
        lines.append(f"  Another Bitmap Follows: {'true' if more else 'false'}")
        masks.append(bits if not namespace else [-1 - b for b in bits])
        pos += 4
        remaining -= 4
        if not more:
            break
        if rt_next:
            namespace, bit_offset = "", 0
        elif vendor_next:
            namespace, bit_offset = "unknown", 0
        else:
            bit_offset += 32
    data: list[list[str]] = []
    stop = False
    for bits in masks:
        if stop:
            break
        for b in bits:
            vendor = b < 0
            bit = -1 - b if vendor else b  # a vendor namespace's bit: alignment 1, read as the same number
            alignment = 1 if vendor else _RT_ALIGN.get(bit, 1)
            pad = -(pos - start) % alignment
            if pad:
                if remaining < pad:
                    stop = True
                    break
                data.append(["Pad: ", f"  data: {frame[pos : pos + pad].hex(' ')}"])
                pos += pad
                remaining -= pad
            if remaining == 0:
                stop = True
                break
            known = _RT_FIELDS.get(bit)
            if known is None:
                size = remaining
                data.append(["Unknown Data: ", f"  data: {frame[pos : pos + size].hex()}"])
            elif remaining < known[0]:
                size = remaining
                data.append(
                    [
                        "Illegal Data: ",
                        f"  data: {frame[pos : pos + size].hex()}",
                        "  cause: org.pcap4j.packet.IllegalRawDataException: The data is too short to "
                        f"build a {known[1]} ({known[0]} bytes). data: {frame.hex(' ')}, offset: {pos}, "
                        f"length: {remaining}",
                    ]
                )
            else:
                size = known[0]
                data.append(_radiotap_data_lines(bit, frame[pos : pos + size]))
            pos += size
            remaining -= size
    if remaining > 0:
        data.append(["Unknown Data: ", f"  data: {frame[pos : pos + remaining].hex()}"])
    lines.append("Data Fields: ")
    lines += [f"  {line}" for block in data for line in block]  # RadiotapData.toString("    ")
    return lines


def _lines_as_fields(key: str, lines: list[str]) -> list[Field]:
    """Dump-only fields that print ``lines`` (each after the dump's two-space indent): a line ``label:
    text`` ends a field; the lines before it with no text (headings, bare values) join its label."""
    fields: list[Field] = []
    pending: list[str] = []
    for line in lines:
        head, sep, tail = line.partition(": ")
        if sep and tail:
            fields.append(Field(key, "\n  ".join([*pending, head]), None, text=tail, json=False))
            pending = []
        else:
            pending.append(line)
    if pending:
        last = pending.pop()
        fields.append(
            Field(
                key,
                "\n  ".join([*pending, last[:-2] if last.endswith(": ") else last]),
                None,
                text="",
                json=False,
            )
        )
    return fields


def _radiotap(d: Decoding, buf: bytes) -> Step:
    head = unpack_header(radiotap.Radiotap, buf, "radiotap", "a radiotap header")
    length = head.length
    if length < 8:
        raise Bad("radiotap", f"bad radiotap length {length}: less than the 8-byte minimum")
    require(buf, length, "radiotap", "the radiotap header")
    present = int.from_bytes(buf[4:8], "little")
    outer = b"".join(layer.header for layer in d.layers)  # Pcap4J's exceptions quote the whole frame
    fields = [
        Field("version", "Version", head.version),
        Field("pad", "Pad", head.pad, text=str(_signed8(head.pad))),  # signed
        Field("length", "Length", length),
        Field("present.word", "Present", present, text=hex_text(present, 8), dump=False),
        *_lines_as_fields("pcap4j", _radiotap_pcap4j_lines(outer + buf, len(outer), length)),
    ]
    flags = 0
    try:
        full = radiotap.Radiotap(buf[:length])
    except (dpkt.Error, struct.error, IndexError):
        full = None  # fields dpkt cannot read (vendor namespaces...): the 802.11 frame still follows
    if full is not None:
        if full.tsft_present:
            fields.append(Field("mactime", "TSFT", full.tsft.usecs, dump=False))
        if full.flags_present:
            flags = full.flags.val
            fields.append(Field("flags", "Flags", flags, text=hex_text(flags, 2), dump=False))
        if full.rate_present:
            fields.append(
                Field("datarate", "Rate", full.rate.val / 2, text=f"{full.rate.val / 2} Mb/s", dump=False)
            )
        if full.channel_present:
            fields.append(
                Field(
                    "channel.freq",
                    "Channel Frequency",
                    full.channel.freq,
                    text=f"{full.channel.freq} MHz",
                    dump=False,
                )
            )
            fields.append(
                Field(
                    "channel.flags",
                    "Channel Flags",
                    full.channel.flags,
                    text=hex_text(full.channel.flags),
                    dump=False,
                )
            )
        if full.ant_sig_present:
            fields.append(
                Field(
                    "dbm_antsignal",
                    "Antenna Signal",
                    full.ant_sig.db,
                    text=f"{full.ant_sig.db} dBm",
                    dump=False,
                )
            )
        if full.ant_noise_present:
            fields.append(
                Field(
                    "dbm_antnoise",
                    "Antenna Noise",
                    full.ant_noise.db,
                    text=f"{full.ant_noise.db} dBm",
                    dump=False,
                )
            )
        if full.ant_present:
            fields.append(Field("antenna", "Antenna", full.ant.index, dump=False))
    frame = buf[length:]
    if flags & _RADIOTAP_FLAG_FCS and len(frame) >= 4:
        d.wlan_fcs, frame = frame[-4:], frame[:-4]
    d.wlan_datapad = bool(flags & _RADIOTAP_FLAG_DATAPAD)
    d.add(Layer("radiotap", "Radiotap header", length, fields), buf)
    return ("wlan" if frame else None), frame


_WLAN_SUBTYPES = {
    (0, 0): "Association Request", (0, 1): "Association Response", (0, 2): "Reassociation Request",
    (0, 3): "Reassociation Response", (0, 4): "Probe Request", (0, 5): "Probe Response",
    (0, 6): "Timing Advertisement", (0, 8): "Beacon", (0, 9): "ATIM", (0, 10): "Disassociation",
    (0, 11): "Authentication", (0, 12): "Deauthentication", (0, 13): "Action", (0, 14): "Action No Ack",
    (1, 2): "Trigger", (1, 4): "Beamforming Report Poll", (1, 5): "VHT NDP Announcement",
    (1, 7): "Control Wrapper", (1, 8): "Block Ack Request", (1, 9): "Block Ack", (1, 10): "PS-Poll",
    (1, 11): "RTS", (1, 12): "CTS", (1, 13): "ACK", (1, 14): "CF-End", (1, 15): "CF-End + CF-Ack",
    (2, 0): "Data", (2, 1): "Data + CF-Ack", (2, 2): "Data + CF-Poll", (2, 3): "Data + CF-Ack + CF-Poll",
    (2, 4): "Null Function", (2, 5): "CF-Ack", (2, 6): "CF-Poll", (2, 7): "CF-Ack + CF-Poll",
    (2, 8): "QoS Data", (2, 9): "QoS Data + CF-Ack", (2, 10): "QoS Data + CF-Poll",
    (2, 11): "QoS Data + CF-Ack + CF-Poll", (2, 12): "QoS Null", (2, 14): "QoS CF-Poll",
    (2, 15): "QoS CF-Ack + CF-Poll",
}  # fmt: skip
_DATA_CLASSES = {
    0: ieee80211.IEEE80211.Data, 1: ieee80211.IEEE80211.DataFromDS, 10: ieee80211.IEEE80211.DataToDS,
    11: ieee80211.IEEE80211.DataInterDS,
}  # fmt: skip


def _wlan_addresses(frame_type: int, subtype: int, ds: int, buf: bytes, what: str) -> tuple[list, int]:
    """Address fields and the MAC header length (before QoS, HT control and padding)."""
    ieee = ieee80211.IEEE80211
    if frame_type == 1:
        if subtype in (12, 13, 7):  # CTS, ACK, control wrapper: receiver only
            require(buf, 10, "wlan", what)
            a = unpack_header(ieee.ACK, buf[4:], "wlan", what)
            return [Field("ra", "Receiver address", mac_text(a.dst))], 10
        require(buf, 16, "wlan", what)
        a = unpack_header(ieee.RTS, buf[4:], "wlan", what)
        return [
            Field("ra", "Receiver address", mac_text(a.dst)),
            Field("ta", "Transmitter address", mac_text(a.src)),
        ], 16
    if frame_type == 0:
        require(buf, 24, "wlan", what)
        m = unpack_header(ieee.MGMT_Frame, buf[4:], "wlan", what)
        return [
            Field("da", "Destination address", mac_text(m.dst)),
            Field("sa", "Source address", mac_text(m.src)),
            Field("bssid", "BSS Id", mac_text(m.bssid)),
            Field("seq", "Sequence number", m.sequence_number),
            Field("frag", "Fragment number", m.fragment_number),
        ], 24
    require(buf, 30 if ds == 11 else 24, "wlan", what)
    h = unpack_header(_DATA_CLASSES[ds], buf[4:], "wlan", what)
    # dpkt names each address by its role: which of addr1..addr4 is which depends on To DS and From DS
    addrs: tuple[tuple[str, bytes], ...]
    if ds == 0:
        addrs = (("ra", h.dst), ("ta", h.src), ("da", h.dst), ("sa", h.src), ("bssid", h.bssid))
    elif ds == 1:
        addrs = (("ra", h.dst), ("ta", h.bssid), ("da", h.dst), ("sa", h.src), ("bssid", h.bssid))
    elif ds == 10:
        addrs = (("ra", h.bssid), ("ta", h.src), ("da", h.dst), ("sa", h.src), ("bssid", h.bssid))
    else:
        addrs = (("ra", h.dst), ("ta", h.src), ("da", h.da), ("sa", h.sa))
    labels = {
        "ra": "Receiver address",
        "ta": "Transmitter address",
        "da": "Destination address",
        "sa": "Source address",
        "bssid": "BSS Id",
    }
    fields = [Field(key, labels[key], mac_text(raw)) for key, raw in addrs]
    fields.append(Field("seq", "Sequence number", h.sequence_number))
    fields.append(Field("frag", "Fragment number", h.fragment_number))
    return fields, (30 if ds == 11 else 24)


def _wlan(d: Decoding, buf: bytes) -> Step:
    w = unpack_header(ieee80211.IEEE80211, buf, "wlan", "an 802.11 header")
    frame_type, subtype, flags = w.type, w.subtype, buf[1]
    frame_control = int.from_bytes(buf[:2], "big")  # as Wireshark shows it: the bytes in wire order
    name = _WLAN_SUBTYPES.get((frame_type, subtype), f"Type {frame_type} Subtype {subtype}")
    what = f"an 802.11 {name} header"
    fields = [
        Field(
            "fc.type_subtype",
            "Type/Subtype",
            (frame_type << 4) | subtype,
            text=f"{name} ({frame_type}/{subtype})",
        ),
        Field("fc", "Frame Control", frame_control, text=hex_text(frame_control)),
        Field("flags", "Flags", flags, text=hex_text(flags, 2)),
        flag_field("fc.tods", "To DS", w.to_ds),
        flag_field("fc.fromds", "From DS", w.from_ds),
        flag_field("fc.protected", "Protected Frame", w.wep),
        Field("duration", "Duration", int.from_bytes(buf[2:4], "little")),
    ]
    if frame_type == 3:
        return None, d.add_header(buf, "wlan", f"IEEE802.11 {name} header", 4, fields)
    addresses, size = _wlan_addresses(frame_type, subtype, w.to_ds * 10 + w.from_ds, buf, what)
    fields += addresses
    qos = None
    if frame_type == 2 and subtype & 0x08:
        require(buf, size + 2, "wlan", what)
        qos = int.from_bytes(buf[size : size + 2], "little")
        fields.append(Field("qos", "QoS Control", qos, text=hex_text(qos)))
        size += 2
    if w.order and (qos is not None or frame_type == 0):  # +HTC: 4 bytes of HT control
        require(buf, size + 4, "wlan", what)
        htc = int.from_bytes(buf[size : size + 4], "little")
        fields.append(Field("htc", "HT Control", htc, text=hex_text(htc, 8)))
        size += 4
    if d.wlan_datapad and frame_type == 2:
        size = (size + 3) & ~3
    if d.wlan_fcs is not None:
        fcs = int.from_bytes(d.wlan_fcs, "little")
        fields.append(Field("fcs", "Frame Check Sequence", fcs, text=hex_text(fcs, 8)))
    require(buf, size, "wlan", what)
    body = d.add_header(buf, "wlan", f"IEEE802.11 {name} header", size, fields)
    if frame_type == 0 and not w.wep:
        return ("wlan.mgt" if body else None), body
    if frame_type != 2 or w.wep or subtype & 0x04 or not body:
        return None, body  # control frames, encrypted bodies, null and CF-only frames: nothing to open
    if qos is not None and qos & 0x80:
        return None, body  # an A-MSDU: several subframes, left undecoded
    return "llc", body


# Fixed fields of management frame bodies, by subtype: (key, label, struct format), little-endian.
_MGMT_FIXED = {
    0: (("fixed.capabilities", "Capabilities", "H"), ("fixed.listen_ival", "Listen Interval", "H")),
    1: (("fixed.capabilities", "Capabilities", "H"), ("fixed.status_code", "Status code", "H"),
        ("fixed.aid", "Association ID", "H")),
    2: (("fixed.capabilities", "Capabilities", "H"), ("fixed.listen_ival", "Listen Interval", "H"),
        ("fixed.current_ap", "Current AP", "6s")),
    3: (("fixed.capabilities", "Capabilities", "H"), ("fixed.status_code", "Status code", "H"),
        ("fixed.aid", "Association ID", "H")),
    5: (("fixed.timestamp", "Timestamp", "Q"), ("fixed.beacon", "Beacon Interval", "H"),
        ("fixed.capabilities", "Capabilities", "H")),
    8: (("fixed.timestamp", "Timestamp", "Q"), ("fixed.beacon", "Beacon Interval", "H"),
        ("fixed.capabilities", "Capabilities", "H")),
    10: (("fixed.reason_code", "Reason code", "H"),),
    11: (("fixed.auth.alg", "Authentication Algorithm", "H"), ("fixed.auth_seq", "Authentication SEQ", "H"),
         ("fixed.status_code", "Status code", "H")),
    12: (("fixed.reason_code", "Reason code", "H"),),
    13: (("fixed.category_code", "Category code", "B"),),
    14: (("fixed.category_code", "Category code", "B"),),
}  # fmt: skip
_MGMT_TAGGED = frozenset((0, 1, 2, 3, 4, 5, 8))  # subtypes whose fixed fields are followed by tags


def _wlan_mgt(d: Decoding, buf: bytes) -> Step:
    subtype = d.layers[-1].get("fc.type_subtype", 0) & 0x0F
    fixed = _MGMT_FIXED.get(subtype, ())
    fmt = "<" + "".join(f for _, _, f in fixed)
    size = struct.calcsize(fmt)
    require(buf, size, "wlan.mgt", "the fixed parameters of an 802.11 management frame")
    fields = []
    for (key, label, f), value in zip(fixed, struct.unpack_from(fmt, buf)):
        if f == "6s":
            fields.append(Field(key, label, mac_text(value)))
        elif key == "fixed.capabilities":
            fields.append(Field(key, label, value, text=hex_text(value)))
        else:
            fields.append(Field(key, label, value))
    if subtype not in _MGMT_TAGGED:
        return None, d.add_header(buf, "wlan.mgt", "IEEE802.11 Management Frame Body", size, fields)
    pos, tags, problem = size, [], None
    while pos < len(buf):
        if pos + 2 > len(buf):
            problem = f"a tag header cut short at byte {pos}"
            break
        tag, tag_len = buf[pos], buf[pos + 1]
        value = buf[pos + 2 : pos + 2 + tag_len]
        if len(value) < tag_len:
            problem = (
                f"tag {tag} runs past the end of the frame: {tag_len} bytes declared, {len(value)} present"
            )
            break
        tags.append(tag)
        if tag == 0:
            fields.append(Field("ssid", "SSID", value.decode("utf-8", "backslashreplace")))
        elif tag == 1:
            rates = [(r & 0x7F) / 2 for r in value]
            fields.append(
                Field(
                    "supported_rates",
                    "Supported Rates",
                    rates,
                    text=" ".join(f"{r:g}" for r in rates) + " Mbit/s",
                )
            )
        elif tag == 3 and tag_len >= 1:
            fields.append(Field("ds.current_channel", "Current Channel", value[0]))
        pos += 2 + tag_len
    fields.append(Field("tag.number", "Tags", tags))
    d.add(Layer("wlan.mgt", "IEEE802.11 Management Frame Body", pos, fields), buf)
    if problem is not None:
        raise Bad("wlan.mgt", problem, buf[pos:], truncated=True)
    return None, buf[pos:]


DECODERS: DecoderTable = {
    "radiotap": ("radiotap", "a radiotap header", _radiotap),
    "wlan": ("wlan", "an 802.11 header", _wlan),
    "wlan.mgt": ("wlan.mgt", "an 802.11 management frame body", _wlan_mgt),
}
