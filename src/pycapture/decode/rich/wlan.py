"""802.11: radiotap, the 802.11 header and management frame bodies."""

from __future__ import annotations

import struct

import dpkt
from dpkt import (
    ieee80211,
    radiotap,
)

from ..model import Field, Layer
from .core import Bad, DecoderTable, Decoding, Step, require, unpack_header
from .fields import flag_field, hex_text, mac_text

_RADIOTAP_FLAG_FCS = 0x10
_RADIOTAP_FLAG_DATAPAD = 0x20


def _radiotap(d: Decoding, buf: bytes) -> Step:
    head = unpack_header(radiotap.Radiotap, buf, "radiotap", "a radiotap header")
    length = head.length
    if length < 8:
        raise Bad("radiotap", f"bad radiotap length {length}: less than the 8-byte minimum")
    require(buf, length, "radiotap", "the radiotap header")
    present = int.from_bytes(buf[4:8], "little")
    fields = [
        Field("version", "Version", head.version),
        Field("pad", "Pad", head.pad, text=str(head.pad - 256 if head.pad > 127 else head.pad)),  # signed
        Field("length", "Length", length),
        Field("present.word", "Present", present, text=hex_text(present, 8)),
    ]
    flags = 0
    try:
        full = radiotap.Radiotap(buf[:length])
    except (dpkt.Error, struct.error, IndexError):
        full = None  # fields dpkt cannot read (vendor namespaces...): the 802.11 frame still follows
    if full is not None:
        if full.tsft_present:
            fields.append(Field("mactime", "TSFT", full.tsft.usecs))
        if full.flags_present:
            flags = full.flags.val
            fields.append(Field("flags", "Flags", flags, text=hex_text(flags, 2)))
        if full.rate_present:
            fields.append(Field("datarate", "Rate", full.rate.val / 2, text=f"{full.rate.val / 2} Mb/s"))
        if full.channel_present:
            fields.append(
                Field("channel.freq", "Channel Frequency", full.channel.freq, text=f"{full.channel.freq} MHz")
            )
            fields.append(
                Field("channel.flags", "Channel Flags", full.channel.flags, text=hex_text(full.channel.flags))
            )
        if full.ant_sig_present:
            fields.append(
                Field("dbm_antsignal", "Antenna Signal", full.ant_sig.db, text=f"{full.ant_sig.db} dBm")
            )
        if full.ant_noise_present:
            fields.append(
                Field("dbm_antnoise", "Antenna Noise", full.ant_noise.db, text=f"{full.ant_noise.db} dBm")
            )
        if full.ant_present:
            fields.append(Field("antenna", "Antenna", full.ant.index))
    frame = buf[length:]
    if flags & _RADIOTAP_FLAG_FCS and len(frame) >= 4:
        d.wlan_fcs, frame = frame[-4:], frame[:-4]
    d.wlan_datapad = bool(flags & _RADIOTAP_FLAG_DATAPAD)
    d.add(Layer("radiotap", "Radiotap header", length, fields))
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
    d.add(Layer("wlan.mgt", "IEEE802.11 Management Frame Body", pos, fields))
    if problem is not None:
        raise Bad("wlan.mgt", problem, buf[pos:], truncated=True)
    return None, buf[pos:]


DECODERS: DecoderTable = {
    "radiotap": ("radiotap", "a radiotap header", _radiotap),
    "wlan": ("wlan", "an 802.11 header", _wlan),
    "wlan.mgt": ("wlan.mgt", "an 802.11 management frame body", _wlan_mgt),
}
