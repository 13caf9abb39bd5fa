"""802.11: radiotap, the 802.11 header and management frame bodies."""

from __future__ import annotations

import struct
from collections.abc import Callable

import dpkt
from dpkt import (
    ieee80211,
    radiotap,
)

from ...protocols.names import NAMES
from ..model import Field, Layer
from .core import Bad, DecoderTable, Decoding, Step, require, unpack_header
from .fields import flag_field, hex_text, line_fields, mac_text

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
        *line_fields(
            "pcap4j", [f"  {line}" for line in _radiotap_pcap4j_lines(outer + buf, len(outer), length)]
        ),
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


# Pcap4J's Dot11ProbeRequestPacket: the only 802.11 frame Pcap4J 2.0.0-alpha.6 decodes (any other it shows
# as [data]). It dumps the whole frame as one block: the management header (Dot11ManagementHeader), the
# information elements it knows, each read only in its own place of a fixed order, then the next 4 bytes
# (whatever they are) as the FCS; the bytes after those it drops.
_PROBE_TITLE = "IEEE802.11 Probe Request header"
_IE_NAMES = NAMES["Dot11InformationElementId"]
_FRAME_TYPE_NAMES = NAMES["Dot11FrameType"]
_BSS_SELECTORS = NAMES["Dot11BssMembershipSelector"]
_SERVICE_GRANULARITY = NAMES["Dot11ServiceIntervalGranularity"]
_CHANNEL_USAGE_MODES = NAMES["Dot11ChannelUsageMode"]
_ACCESS_NETWORK_TYPES = NAMES["Dot11AccessNetworkType"]
_VENUE_GROUPS = NAMES["Dot11VenueGroup"]
_VENUE_INFOS = NAMES["Dot11VenueInfo"]
_FC_FLAGS = ("To DS", "From DS", "More Fragments", "Retry", "Power Management", "More Data",
             "Protected Frame", "Order")  # fmt: skip
_HTC_CALIBRATION_POSITIONS = ("0 (not a calibration frame)", "1 (calibration start)", "2 (sounding response)",
                              "3 (sounding complete)")  # fmt: skip
_HTC_CSI_STEERING = ("0 (No feedback required)", "1 (CSI)", "2 (Noncompressed beamforming)",
                     "3 (Compressed beamforming)")  # fmt: skip
_ASEL_COMMANDS = ("0 (TXASSI)", "1 (TXASSR)", "2 (RXASSI)", "3 (RXASSR)", "4 (Sounding Label)",
                  "5 (No Feedback)", "6 (TXASSI-CSI)", "7 (Reserved)")  # fmt: skip
_EXT_CAP_BITS = (
    ("20/40 BSS Coexistence Management Supported", "Bit1", "Extended Channel Switching Supported", "Bit3",
     "PSMP Operation Supported", "Bit5", "Scheduled PSMP Supported", "Event Activated"),
    ("Diagnostics Activated", "Multicast Diagnostics Activated", "Location Tracking Activated",
     "FMS Activated", "Proxy ARP Service Activated", "Collocated Interference Reporting Activated",
     "RM Civic Measurement Activated", "RM LCI Measurement Activated"),
    ("TFS Activated", "WNM Sleep Mode Activated", "TIM Broadcast Activated", "BSS Transition Activated",
     "QoS Traffic Capability Activated", "AC Station Count Activated", "Multi BSS ID Activated",
     "Timing Measurement Activated"),
    ("Channel Usage Activated", "SSID List Activated", "DMS Activated", "UTC TSF Offset Activated",
     "TDLS Peer U-APSD Buffer STA Supported", "TDLS Peer PSM Supported", "TDLS Channel Switching Activated",
     "Interworking Service Activated"),
    ("QoS Map Activated", "EBR Activated", "SSPN Interface Activated", "Bit35", "MSGCF Activated",
     "TDLS Supported", "TDLS Prohibited", "TDLS Channel Switching Prohibited"),
)  # fmt: skip
_BSS_COEXISTENCE_BITS = ("Information Requested", "40 MHz Intolerant", "20 MHz BSS Width Requested",
                         "OBSS Scanning Exemption Requested", "OBSS Scanning Exemption Granted", "Bit 5",
                         "Bit 6", "Bit 7")  # fmt: skip
_HT_SM_POWER_SAVE = ("0 (STATIC)", "1 (DYNAMIC)", "2 (RESERVED)", "3 (DISABLED)")
_HT_STBC = ("0 (No support)", "1 (One spatial stream is supported)",
            "2 (One and two spatial streams are supported)",
            "3 (One, two and three spatial streams are supported)")  # fmt: skip
_HT_A_MPDU_LENGTHS = ("0 (8191 octets)", "1 (16383 octets)", "2 (32767 octets)", "3 (65535 octets)")
_HT_MPDU_SPACINGS = ("0 (No restriction)", "1 (1/4 us)", "2 (1/2 us)", "3 (1 us)", "4 (2 us)", "5 (4 us)",
                     "6 (8 us)", "7 (16 us)")  # fmt: skip
_HT_SPATIAL_STREAMS = ("0 (1 spatial stream)", "1 (2 spatial stream)", "2 (3 spatial stream)",
                       "3 (4 spatial stream)")  # fmt: skip
_HT_PCO_TIMES = ("0 (No transition)", "1 (400 us)", "2 (1.5 ms)", "3 (5 ms)")
_HT_MCS_FEEDBACK = (
    "0 (No Feedback)",
    "1 (reserved)",
    "2 (Only unsolicited)",
    "3 (Unsolicited and solicited)",
)
_HT_CALIBRATIONS = ("0 (Not supported)", "1 (Respond)", "2 (reserved)", "3 (Initiate and respond)")
_HT_BF_FEEDBACK = ("0 (Not supported)", "1 (Delayed)", "2 (Immediate)", "3 (Delayed and immediate)")
_HT_GROUPINGS = ("0 (No grouping)", "1 (Groups of 1, 2)", "2 (Groups of 1, 4)", "3 (Groups of 1, 2, 4)")
_HT_BF_ANTENNAS = ("0 (Single Tx antenna sounding)", "1 (2 Tx antenna sounding)", "2 (3 Tx antenna sounding)",
                   "3 (4 Tx antenna sounding)")  # fmt: skip
_HT_CSI_ROWS = ("0 (Single row of CSI)", "1 (2 rows of CSI)", "2 (3 rows of CSI)", "3 (4 rows of CSI)")
_HT_CHANNEL_ESTIMATIONS = ("0 (1 space-time stream)", "1 (2 space-time streams)", "2 (3 space-time streams)",
                           "3 (4 space-time streams)")  # fmt: skip


class _Illegal(Exception):
    """Pcap4J's IllegalRawDataException: the message its IllegalPacket's Cause line quotes."""


def _jb(value: int) -> str:
    return "true" if value else "false"


def _ie_text(element_id: int) -> str:
    return f"{element_id} ({_IE_NAMES.get(element_id, 'unknown')})"


def _utf8_length(text: str) -> int:
    """The length of Java's String.getBytes(UTF-8) of ``text`` (a lone surrogate is one byte, '?')."""
    return len(text.encode("utf-8", "replace"))


def _element_head(frame: bytes, pos: int, length: int, name: str, element_id: int) -> tuple[int, list[str]]:
    """Dot11InformationElement's checks (the ID is already known to match): the length field, and the
    element's first lines."""
    if length < 2:
        raise _Illegal(
            f"The raw data length must be more than 1. rawData: {frame.hex(' ')}, offset: {pos}, "
            f"length: {length}"
        )
    size = frame[pos + 1]
    if size > length - 2:
        raise _Illegal(
            f"rawData is too short. length field: {size}, rawData: {frame.hex(' ')}, offset: {pos}, "
            f"length: {length}"
        )
    return size, [f"    {name}:", f"      Element ID: {_ie_text(element_id)}", f"      Length: {size} bytes"]


def _ssid(frame: bytes, pos: int, size: int) -> str:
    # Java's new String(bytes, UTF-8): each malformed sequence becomes U+FFFD, as Python's "replace"
    return frame[pos + 2 : pos + 2 + size].decode("utf-8", "replace")


def _ie_ssid(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
    size, lines = _element_head(frame, pos, length, "SSID", 0)
    ssid = _ssid(frame, pos, size)
    lines.append(f"      SSID: {ssid}")
    return 2 + _utf8_length(ssid), lines  # length() re-encodes the SSID


def _ie_rates(name: str, element_id: int) -> Callable[[bytes, int, int], tuple[int, list[str]]]:
    def parse(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
        size, lines = _element_head(frame, pos, length, name, element_id)
        for byte in frame[pos + 2 : pos + 2 + size]:
            value, basic = byte & 0x7F, " (basic)" if byte & 0x80 else " (non-basic)"
            selector = _BSS_SELECTORS.get(value)
            if selector is not None:
                lines.append(f"      BSS Membership Selector: {value} ({selector}){basic}")
            else:
                lines.append(f"      Supported Rate: {value * 0.5} Mbit/sec{basic}")
        return 2 + size, lines

    return parse


def _ie_request(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
    size, lines = _element_head(frame, pos, length, "Request", 10)
    lines += [f"      Requested Element: {_ie_text(b)}" for b in frame[pos + 2 : pos + 2 + size]]
    return 2 + size, lines


def _ie_dsss(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
    size, lines = _element_head(frame, pos, length, "DSSS Parameter Set", 3)
    if size != 1:
        raise _Illegal(f"The length must be 1 but is actually: {size}")
    lines.append(f"      Current Channel: {frame[pos + 2]}")
    return 3, lines


def _ie_operating_classes(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
    size, lines = _element_head(frame, pos, length, "Supported Operating Classes", 59)
    if size < 1:
        raise _Illegal(f"The length must be more than 0 but is actually: {size}")
    lines.append(f"      Current Operating Class: {frame[pos + 2]}")
    lines += [f"      Operating Class: {b}" for b in frame[pos + 3 : pos + 2 + size]]
    return 2 + size, lines


def _ie_ht_capabilities(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
    size, lines = _element_head(frame, pos, length, "HT Capabilities", 45)
    if size != 26:
        raise _Illegal(f"The length must be 26 but is actually: {size}")
    b = frame[pos + 2 : pos + 28]
    info, ampdu = b[0] | b[1] << 8, b[2]
    mcs = int.from_bytes(b[3:13], "little")
    # Java ORs the low byte in as a signed byte: bits 8 and 9 are set when its top bit is
    rate = (b[13] | b[14] << 8 | (0x300 if b[13] & 0x80 else 0)) & 0x3FF
    ext = b[19] | b[20] << 8
    txbf = b[21] | int.from_bytes(b[22:26], "little") << 8  # the 4 TxBF bytes, then the ASEL byte
    i8 = "        "
    lines += [
        "      HT Capabilities Info:",
        f"{i8}LDPC Coding is Supported: {_jb(info & 0x01)}",
        f"{i8}Supported Channel Width Set: {'20 MHz and 40 MHz' if info & 0x02 else '20 MHz'}",
        f"{i8}SM Power Save: {_HT_SM_POWER_SAVE[info >> 2 & 3]}",
        f"{i8}HT-Greenfield is Supported: {_jb(info & 0x10)}",
        f"{i8}Short GI for 20 MHz is Supported: {_jb(info & 0x20)}",
        f"{i8}Short GI for 40 MHz is Supported: {_jb(info & 0x40)}",
        f"{i8}Tx STBC is Supported: {_jb(info & 0x80)}",
        f"{i8}Rx STBC Support: {_HT_STBC[info >> 8 & 3]}",
        f"{i8}HT-Delayed Block Ack is Supported: {_jb(info & 0x400)}",
        f"{i8}Max A-MSDU Length: {'1 (7935 octets)' if info & 0x800 else '0 (3839 octets)'} octets",
        f"{i8}DSSS/CCK Mode in 40 MHz is Supported: {_jb(info & 0x1000)}",
        f"{i8}Bit 13: {_jb(info & 0x2000)}",
        f"{i8}40 MHz is Intolerant: {_jb(info & 0x4000)}",
        f"{i8}L-SIG TXOP Protection is Supported: {_jb(info & 0x8000)}",
        "      A-MPDU Parameters:",
        f"{i8}Max A-MPDU Length: {_HT_A_MPDU_LENGTHS[ampdu & 3]} octets",
        f"{i8}Min MPDU Start Spacing: {_HT_MPDU_SPACINGS[ampdu >> 2 & 7]}",
        *(f"{i8}Bit {n}: {_jb(ampdu >> n & 1)}" for n in (5, 6, 7)),
        "      Supported MCS Set:",
        f"{i8}Supported Rx MCS Indexes: {', '.join(str(n) for n in range(77) if mcs >> n & 1)}",
        *(f"{i8}Bit {n}: {_jb(mcs >> n & 1)}" for n in (77, 78, 79)),
        f"{i8}Rx Highest Supported Data Rate: {rate} Mb/s",
        *(f"{i8}Bit {n}: {_jb(b[14] >> (n - 88) & 1)}" for n in range(90, 96)),
        f"{i8}Tx MCS Set is Defined: {_jb(b[15] & 0x01)}",
        f"{i8}Tx Rx MCS Set Not Equal: {_jb(b[15] & 0x02)}",
        f"{i8}Tx Max Number Spatial Streams Supported: {_HT_SPATIAL_STREAMS[b[15] >> 2 & 3]}",
        f"{i8}Tx Unequal Modulation is Supported: {_jb(b[15] & 0x10)}",
        *(f"{i8}Bit {n}: {_jb(int.from_bytes(b[15:19], 'little') >> (n - 96) & 1)}" for n in range(101, 128)),
        "      HT Extended Capabilities:",
        f"{i8}PCO is Supported: {_jb(ext & 0x01)}",
        f"{i8}PCO Transition Time: {_HT_PCO_TIMES[ext >> 1 & 3]}",
        *(f"{i8}Bit {n}: {_jb(ext >> n & 1)}" for n in range(3, 8)),
        f"{i8}MCS Feedback: {_HT_MCS_FEEDBACK[ext >> 8 & 3]}",
        f"{i8}HT Control Field is Support: {_jb(ext & 0x400)}",
        f"{i8}RD Responder is Supported: {_jb(ext & 0x800)}",
        *(f"{i8}Bit {n}: {_jb(ext >> n & 1)}" for n in range(12, 16)),
        "      Transmit Beamforming Capabilities:",
        f"{i8}Implicit Tx Beamforming Receiving is Supported: {_jb(txbf & 0x01)}",
        f"{i8}Rx Staggered Sounding is Supported: {_jb(txbf & 0x02)}",
        f"{i8}Tx Staggered Sounding is Supported: {_jb(txbf & 0x04)}",
        f"{i8}Rx NDP is Supported: {_jb(txbf & 0x08)}",
        f"{i8}Tx NDP is Supported: {_jb(txbf & 0x10)}",
        f"{i8}Implicit Tx Beamforming is Supported: {_jb(txbf & 0x20)}",
        f"{i8}Calibration: {_HT_CALIBRATIONS[txbf >> 6 & 3]}",
        f"{i8}Explicit CSI Tx Beamforming is Supported: {_jb(txbf & 0x100)}",
        f"{i8}Explicit Noncompressed Steering is Supported: {_jb(txbf & 0x200)}",
        f"{i8}Explicit Compressed Steering is Supported: {_jb(txbf & 0x400)}",
        f"{i8}Explicit Tx Beamforming CSI Feedback: {_HT_BF_FEEDBACK[txbf >> 11 & 3]}",
        f"{i8}Explicit Noncompressed Beamforming Feedback: {_HT_BF_FEEDBACK[txbf >> 13 & 3]}",
        f"{i8}Explicit Compressed Beamforming Feedback: {_HT_BF_FEEDBACK[txbf >> 15 & 3]}",
        f"{i8}Min Grouping: {_HT_GROUPINGS[txbf >> 17 & 3]}",
        f"{i8}CSI Number of Beamformer Antennas Supported: {_HT_BF_ANTENNAS[txbf >> 19 & 3]}",
        f"{i8}Noncompressed Steering Number of Beamformer Antennas Supported: "
        f"{_HT_BF_ANTENNAS[txbf >> 21 & 3]}",
        f"{i8}Compressed Steering Number of Beamformer Antennas Supported: {_HT_BF_ANTENNAS[txbf >> 23 & 3]}",
        f"{i8}CSI Max Number of Rows Beamformer Supported: {_HT_CSI_ROWS[txbf >> 25 & 3]}",
        f"{i8}Channel Estimation: {_HT_CHANNEL_ESTIMATIONS[txbf >> 27 & 3]}",
        *(f"{i8}Bit {n}: {_jb(txbf >> n & 1)}" for n in (29, 30, 31)),
        "      ASEL Capabilities:",
        f"{i8}Antenna Selection is Supported: {_jb(b[25] & 0x01)}",
        f"{i8}Explicit CSI Feedback Based Tx ASEL is Supported: {_jb(b[25] & 0x02)}",
        f"{i8}Antenna Indices Feedback Based Tx ASEL is Supported: {_jb(b[25] & 0x04)}",
        f"{i8}Explicit CSI Feedback is Supported: {_jb(b[25] & 0x08)}",
        f"{i8}Antenna Indices Feedback is Supported: {_jb(b[25] & 0x10)}",
        f"{i8}Rx ASEL is Supported: {_jb(b[25] & 0x20)}",
        f"{i8}Tx Sounding PPDUs is Supported: {_jb(b[25] & 0x40)}",
        f"{i8}Bit 7: {_jb(b[25] & 0x80)}",
    ]
    return 28, lines


def _ie_bss_coexistence(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
    size, lines = _element_head(frame, pos, length, "20/40 BSS Coexistence", 72)
    if size != 1:
        raise _Illegal(f"The length must be 1 but is actually: {size}")
    bits = frame[pos + 2]
    lines += [f"      {label}: {_jb(bits >> i & 1)}" for i, label in enumerate(_BSS_COEXISTENCE_BITS)]
    return 3, lines


def _ie_extended_capabilities(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
    size, lines = _element_head(frame, pos, length, "Extended Capabilities", 127)
    data = frame[pos + 2 : pos + 2 + size]
    for octet, labels in zip(data, _EXT_CAP_BITS):
        lines += [f"      {label}: {_jb(octet >> i & 1)}" for i, label in enumerate(labels)]
    if size > 5:
        octet = data[5]
        granularity = octet >> 1 & 7
        lines += [
            f"      Rejecting Unadmitted Traffic: {_jb(octet & 0x01)}",
            f"      Service Interval Granularity: {granularity} "
            f"({_SERVICE_GRANULARITY.get(granularity, 'unknown')})",
            f"      RM Identifier Measurement Activated: {_jb(octet & 0x10)}",
            f"      U-APSD Coexistence Activated: {_jb(octet & 0x20)}",
            f"      WNM-Notification Activated: {_jb(octet & 0x40)}",
            f"      Bit47: {_jb(octet & 0x80)}",
        ]
    if size > 6:
        octet = data[6]
        lines.append(f"      UTF-8 SSID: {_jb(octet & 0x01)}")
        lines += [f"      Bit{n}: {_jb(octet >> (n - 48) & 1)}" for n in range(49, 56)]
    if size > 7:
        lines.append(f"      Trailing Data: 0x{data[7:].hex()}")
    return 2 + size, lines


def _ie_ssid_list(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
    size, lines = _element_head(frame, pos, length, "SSID List", 84)
    total, at, left = 2, pos + 2, size
    while left > 0:  # Dot11SsidElement.newInstance(rawData, at, left) for each
        if left < 2:
            raise _Illegal(
                f"The raw data length must be more than 1. rawData: {frame.hex(' ')}, offset: {at}, "
                f"length: {left}"
            )
        if frame[at] != 0:
            raise _Illegal(
                f"The element ID must be 0 but is actually {_signed8(frame[at])}. rawData: {frame.hex(' ')}, "
                f"offset: {at}, length: {left}"
            )
        if frame[at + 1] > left - 2:
            raise _Illegal(
                f"rawData is too short. length field: {frame[at + 1]}, rawData: {frame.hex(' ')}, "
                f"offset: {at}, length: {left}"
            )
        ssid = _ssid(frame, at, frame[at + 1])
        lines.append(f"      SSID: {ssid}")
        step = 2 + _utf8_length(ssid)
        total, at, left = total + step, at + step, left - step
    return total, lines


def _ie_channel_usage(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
    size, lines = _element_head(frame, pos, length, "Channel Usage", 97)
    if size < 1:
        raise _Illegal(f"The length must be more than 0 but is actually: {size}")
    if (size - 1) % 2:
        raise _Illegal(f"The ((length - 1) % 2) must be 0. length: {size}")
    mode = frame[pos + 2]
    lines.append(f"      Usage Mode: {mode} ({_CHANNEL_USAGE_MODES.get(mode, 'unknown')})")
    lines += [
        f"      Channel Entry: [Operating Class: {frame[i]}, Channel: {frame[i + 1]}]"
        for i in range(pos + 3, pos + 2 + size, 2)
    ]
    return 2 + size, lines


def _ie_interworking(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
    size, lines = _element_head(frame, pos, length, "Interworking", 107)
    if size not in (1, 3, 7, 9):
        raise _Illegal(f"The length must be 1 or 3 or 7 or 9 but is actually: {size}")
    options = frame[pos + 2]
    kind = options & 0x0F
    lines += [
        f"      Access Network Type: {kind} ({_ACCESS_NETWORK_TYPES.get(kind, 'unknown')})",
        f"      Internet Accessible: {_jb(options & 0x10)}",
        f"      ASRA: {_jb(options & 0x20)}",
        f"      ESR: {_jb(options & 0x40)}",
        f"      UESA: {_jb(options & 0x80)}",
    ]
    if size in (3, 9):
        venue = int.from_bytes(frame[pos + 3 : pos + 5], "big")
        group = _VENUE_GROUPS.get(venue >> 8, "unknown")
        lines.append(f"      Venue Info: {group}/{_VENUE_INFOS.get(venue, 'unknown')} (0x{venue:04x})")
    if size > 3:
        lines.append(f"      HESSID: 0x{frame[pos + size - 4 : pos + size + 2].hex()}")
    return 2 + size, lines


def _ie_mesh_id(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
    size, lines = _element_head(frame, pos, length, "Mesh ID", 114)
    raw = frame[pos + 2 : pos + 2 + size]
    lines.append(f"      Mesh ID: {raw.decode('utf-8', 'replace')} (0x{raw.hex()})")
    return 2 + size, lines


def _ie_vendor(frame: bytes, pos: int, length: int) -> tuple[int, list[str]]:
    size, lines = _element_head(frame, pos, length, "Vendor Specific", 221)
    lines.append(f"      Information: 0x{frame[pos + 2 : pos + 2 + size].hex()}")
    return 2 + size, lines


# Dot11ProbeRequestHeader reads each of these at most once, in this order, and stops at the first element
# out of it; then any number of vendor specific elements.
_PROBE_ELEMENTS: tuple[tuple[int, Callable[[bytes, int, int], tuple[int, list[str]]]], ...] = (
    (0, _ie_ssid), (1, _ie_rates("Supported Rates", 1)), (10, _ie_request),
    (50, _ie_rates("Extended Supported Rates", 50)), (3, _ie_dsss), (59, _ie_operating_classes),
    (45, _ie_ht_capabilities), (72, _ie_bss_coexistence), (127, _ie_extended_capabilities),
    (84, _ie_ssid_list), (97, _ie_channel_usage), (107, _ie_interworking), (114, _ie_mesh_id),
)  # fmt: skip


def _ht_control_lines(raw: bytes) -> list[str]:
    """Dot11HtControl.toString("    ")."""
    first, second, third, fourth = raw
    mai = first >> 2 & 0x0F
    mfsi = (first >> 6 & 3) | (second & 1) << 2
    mfb = second >> 1 & 0x7F
    if mai == 14:  # ASELI
        asel = f"[ASEL Command: {_ASEL_COMMANDS[mfb & 7]}, ASEL Data: {mfb >> 3 & 0x0F}]"
        lac = f"ASELI: true, MFSI: {mfsi}, ASELC: {asel}"
    else:
        lac = (
            f"ASELI: false, MAI: [MRQ: {_jb(first & 0x04)}, MSI: {first >> 3 & 7}], MFSI: {mfsi}, MFB: {mfb}"
        )
    return [
        f"    Link Adaptation Control: [VHT_MFB: {_jb(first & 1)}, TRQ: {_jb(first & 2)}, {lac}]",
        f"    Calibration Position: {_HTC_CALIBRATION_POSITIONS[third & 3]}",
        f"    Calibration Sequence: {third >> 2 & 3}",
        f"    Bit 20: {_jb(third & 0x10)}",
        f"    Bit 21: {_jb(third & 0x20)}",
        f"    CSI/Steering: {_HTC_CSI_STEERING[third >> 6 & 3]}",
        f"    NDP Announcement: {_jb(fourth & 0x01)}",
        *(f"    Bit {n}: {_jb(fourth >> (n - 24) & 1)}" for n in range(25, 30)),
        f"    AC Constraint: {_jb(fourth & 0x40)}",
        f"    RDG/More PPDU: {_jb(fourth & 0x80)}",
    ]


def _probe_request_pcap4j(frame: bytes, start: int) -> tuple[str, int, list[str]]:
    """Pcap4J's dump of the probe request at ``frame[start:]`` (``frame`` is the whole captured frame, which
    its exceptions quote): its block's title, byte count and lines, the lines whole (with the two-space
    indent of a field, or none for the FCS block's title)."""
    length = len(frame) - start
    try:
        if length < 24:
            raise _Illegal(
                f"The data is too short to build a Dot11ManagementHeader (24 bytes). data: {frame.hex(' ')}, "
                f"offset: {start}, length: {length}"
            )
        fc, flags = frame[start], frame[start + 1]
        size = 28 if flags & 0x80 else 24
        if length < size:
            raise _Illegal(
                f"The data is too short to build a Dot11ManagementHeader (28 bytes). data: {frame.hex(' ')}, "
                f"offset: {start}, length: {length}"
            )
        kind = (fc << 2 & 0x30) | fc >> 4
        sequence = int.from_bytes(frame[start + 22 : start + 24], "little")
        lines = [
            "  Frame Control:",
            f"    Protocol Version: V{fc & 3}",
            f"    Type/Subtype: {kind} ({_FRAME_TYPE_NAMES.get(kind, 'unknown')})",
            *(f"    {label}: {_jb(flags >> i & 1)}" for i, label in enumerate(_FC_FLAGS)),
            f"  Duration: {int.from_bytes(frame[start + 2 : start + 4], 'little')}",
            f"  Address1: {mac_text(frame[start + 4 : start + 10])}",
            f"  Address2: {mac_text(frame[start + 10 : start + 16])}",
            f"  Address3: {mac_text(frame[start + 16 : start + 22])}",
            f"  Sequence Control: [Fragment Number: {sequence & 0x0F}, Sequence Number: {sequence >> 4}]",
        ]
        if size == 28:
            lines.append("  HT Control:")
            lines += _ht_control_lines(frame[start + 24 : start + 28])
        lines.append("  Tags:")
        pos, left = start + size, length - size
        for element_id, parse in _PROBE_ELEMENTS:
            if left > 0 and frame[pos] == element_id:
                step, element = parse(frame, pos, left)
                lines += element
                size, pos, left = size + step, pos + step, left - step
        while left > 0 and frame[pos] == 221:
            step, element = _ie_vendor(frame, pos, left)
            lines += element
            size, pos, left = size + step, pos + step, left - step
    except _Illegal as e:
        return (
            "Illegal Packet",
            length,
            [
                f"  Hex stream: {frame[start:].hex(' ')}",
                f"  Cause: org.pcap4j.packet.IllegalRawDataException: {e}",
            ],
        )
    if length - size >= 4:  # Dot11ManagementPacket: the 4 bytes after the header, whatever they are
        lines.append("[IEEE802.11 Management Packet FCS]")
        lines.append(f"  FCS: 0x{int.from_bytes(frame[start + size : start + size + 4], 'little'):08x}")
    return _PROBE_TITLE, size, lines


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
    if buf[0] & 0xFC == 0x40:  # a probe request, whatever its protocol version: Pcap4J's one 802.11 frame
        for f in fields:
            f.dump = False
        outer = b"".join(layer.header for layer in d.layers)  # Pcap4J's exceptions quote the whole frame
        title, length, lines = _probe_request_pcap4j(outer + buf + (d.wlan_fcs or b""), len(outer))
        fields += line_fields("pcap4j", lines)
        d.add(Layer("wlan", f"IEEE802.11 {name} header", size, fields, ((0, title, length),)), buf)
        body = buf[size:]
    else:
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
    title = "IEEE802.11 Management Frame Body"
    if subtype == 4:  # a probe request's body: Pcap4J dumps it in the block of its header (see _wlan)
        title = ""
        for field in fields:
            field.dump = False
    d.add(Layer("wlan.mgt", title, pos, fields), buf)
    if problem is not None:
        raise Bad("wlan.mgt", problem, buf[pos:], truncated=True)
    return None, buf[pos:]


DECODERS: DecoderTable = {
    "radiotap": ("radiotap", "a radiotap header", _radiotap),
    "wlan": ("wlan", "an 802.11 header", _wlan),
    "wlan.mgt": ("wlan.mgt", "an 802.11 management frame body", _wlan_mgt),
}
