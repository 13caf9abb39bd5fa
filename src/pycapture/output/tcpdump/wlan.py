"""tcpdump's one-line text of IEEE 802.11 frames and the radiotap header before them (print-802_11.c,
without -v or -e), made from the lean decoder's 802.11 layers (:mod:`pycapture.decode.lean_wlan`).

A radiotap header shows each field it has, each followed by a space (``1.0 Mb/s 2412 MHz 11b -40dBm
signal antenna 1 ``); then the frame: a management frame's subtype and what its fixed fields and
elements say (``Beacon (SSID) [1.0* 2.0* 5.5 11.0 Mbit] ESS CH: 1, PRIVACY``), a control frame's
subtype and address (``Acknowledgment RA:00:0d:93:82:36:3a ``), a protected data frame's IV
(``Data IV:  1 Pad 20 KeyID 0``); an unprotected data frame shows what its LLC/SNAP header carries,
as the Ethernet printers do (``IP 10.0.0.1 > 10.0.0.2: ...``).
"""

from __future__ import annotations

from typing import Callable

from ...decode.lean import printable_text
from ...decode.lean_layers import Layers, WlanCtrlLayer, WlanElements, WlanMgmtLayer
from ..hexdump import hex_lines
from .ether_protocols import llc_text

# tcpdump's status_text and reason_text: the status codes of responses, the reason codes of
# deauthentications and disassociations (IEEE 802.11-2016 tables 9-46 and 9-45, as tcpdump words them)
_STATUS_TEXT = (
    "Successful",
    "Unspecified failure",
    "TDLS wakeup schedule rejected but alternative schedule provided",
    "TDLS wakeup schedule rejected",
    "Reserved",
    "Security disabled",
    "Unacceptable lifetime",
    "Not in same BSS",
    "Reserved",
    "Reserved",
    "Cannot Support all requested capabilities in the Capability Information field",
    "Reassociation denied due to inability to confirm that association exists",
    "Association denied due to reason outside the scope of this standard",
    "Responding STA does not support the specified authentication algorithm",
    (
        "Received an Authentication frame with authentication transaction sequence number out of expected"
        " sequence"
    ),
    "Authentication rejected because of challenge failure",
    "Authentication rejected due to timeout waiting for next frame in sequence",
    "Association denied because AP is unable to handle additional associated STAs",
    (
        "Association denied due to requesting STA not supporting all of the data rates in the "
        "BSSBasicRateSet parameter, the Basic HT-MCS Set field of the HT Operation parameter, or the "
        "Basic VHT-MCS and NSS Set field in the VHT Operation parameter"
    ),
    "Association denied due to requesting STA not supporting the short preamble option",
    "Reserved",
    "Reserved",
    "Association request rejected because Spectrum Management capability is required",
    "Association request rejected because the information in the Power Capability element is unacceptable",
    "Association request rejected because the information in the Supported Channels element is unacceptable",
    "Association denied due to requesting STA not supporting the Short Slot Time option",
    "Reserved",
    "Association denied because the requested STA does not support HT features",
    "R0KH unreachable",
    (
        "Association denied because the requesting STA does not support the phased coexistence operation "
        "(PCO) transition time required by the AP"
    ),
    "Association request rejected temporarily; try again later",
    "Robust management frame policy violation",
    "Unspecified, QoS-related failure",
    "Association denied because QoS AP or PCP has insufficient bandwidth to handle another QoS STA",
    (
        "Association denied due to excessive frame loss rates and/or poor conditions on current operating"
        " channel"
    ),
    "Association (with QoS BSS) denied because the requesting STA does not support the QoS facility",
    "Reserved",
    "The request has been declined",
    "The request has not been successful as one or more parameters have invalid values",
    (
        "The allocation or TS has not been created because the request cannot be honored; however, a "
        "suggested TSPEC/DMG TSPEC is provided so that the initiating STA can attempt to set another "
        "allocation or TS with the suggested changes to the TSPEC/DMG TSPEC"
    ),
    (
        "Invalid element, i.e., an element defined in this standard for which the content does not meet "
        "the specifications in Clause 9"
    ),
    "Invalid group cipher",
    "Invalid pairwise cipher",
    "Invalid AKMP",
    "Unsupported RSNE version",
    "Invalid RSNE capabilities",
    "Cipher suite rejected because of security policy",
    (
        "The TS or allocation has not been created; however, the HC or PCP might be capable of creating a"
        " TS or allocation, in response to a request, after the time indicated in the TS Delay element"
    ),
    "Direct Link is not allowed in the BSS by policy",
    "The Destination STA is not present within this BSS",
    "The Destination STA is not a QoS STA",
    "Association denied because the listen interval is too large",
    "Invalid FT Action frame count",
    "Invalid pairwise master key identifier (PMKID)",
    "Invalid MDE",
    "Invalid FTE",
    "Requested TCLAS processing is not supported by the AP or PCP",
    "The AP or PCP has insufficient TCLAS processing resources to satisfy the request",
    (
        "The TS has not been created because the request cannot be honored; however, the HC or PCP "
        "suggests that the STA transition to a different BSS to set up the TS"
    ),
    "GAS Advertisement Protocol not supported",
    "No outstanding GAS request",
    "GAS Response not received from the Advertisement Server",
    "STA timed out waiting for GAS Query Response",
    "LARGE GAS Response is larger than query response length limit",
    "Request refused because home network does not support request",
    "Advertisement Server in the network is not currently reachable",
    "Reserved",
    "Request refused due to permissions received via SSPN interface",
    "Request refused because the AP or PCP does not support unauthenticated access",
    "Reserved",
    "Reserved",
    "Reserved",
    "Invalid contents of RSNE",
    "U-APSD coexistence is not supported",
    "Requested U-APSD coexistence mode is not supported",
    "Requested Interval/Duration value cannot be supported with U-APSD coexistence",
    "Authentication is rejected because an Anti-Clogging Token is required",
    "Authentication is rejected because the offered finite cyclic group is not supported",
    "The TBTT adjustment request has not been successful because the STA could not find an alternative TBTT",
    "Transmission failure",
    "Requested TCLAS Not Supported",
    "TCLAS Resources Exhausted",
    "Rejected with Suggested BSS transition",
    "Reject with recommended schedule",
    "Reject because no wakeup schedule specified",
    "Success, the destination STA is in power save mode",
    "FST pending, in process of admitting FST session",
    "Performing FST now",
    "FST pending, gap(s) in block ack window",
    "Reject because of U-PID setting",
    "Reserved",
    "Reserved",
    "(Re)Association refused for some external reason",
    "(Re)Association refused because of memory limits at the AP",
    "(Re)Association refused because emergency services are not supported at the AP",
    "GAS query response not yet received",
    (
        "Reject since the request is for transition to a frequency band subject to DSE procedures and FST"
        " Initiator is a dependent STA"
    ),
    "Requested TCLAS processing has been terminated by the AP",
    "The TS schedule conflicts with an existing schedule; an alternative schedule is provided",
    (
        "The association has been denied; however, one or more Multi-band elements are included that can "
        "be used by the receiving STA to join the BSS"
    ),
    "The request failed due to a reservation conflict",
    "The request failed due to exceeded MAF limit",
    "The request failed due to exceeded MCCA track limit",
    "Association denied because the information in theSpectrum Management field is unacceptable",
    "Association denied because the requesting STA does not support VHT features",
    "Enablement denied",
    "Enablement denied due to restriction from an authorized GDB",
    "Authorization deenabled",
)
_REASON_TEXT = (
    "Reserved",
    "Unspecified reason",
    "Previous authentication no longer valid",
    "Deauthenticated because sending STA is leaving (or has left) IBSS or ESS",
    "Disassociated due to inactivity",
    "Disassociated because AP is unable to handle all currently  associated STAs",
    "Class 2 frame received from nonauthenticated STA",
    "Class 3 frame received from nonassociated STA",
    "Disassociated because sending STA is leaving (or has left) BSS",
    "STA requesting (re)association is not authenticated with responding STA",
    "Disassociated because the information in the Power Capability element is unacceptable",
    "Disassociated because the information in the Supported Channels element is unacceptable",
    "Disassociated due to BSS transition management",
    (
        "Invalid element, i.e., an element defined in this standard for which the content does not meet "
        "the specifications in Clause 9"
    ),
    "Message integrity code (MIC) failure",
    "4-Way Handshake timeout",
    "Group key handshake timeout",
    (
        "Information element in 4-Way Handshake different from (Re)AssociationRequest/Probe "
        "Response/Beacon frame"
    ),
    "Invalid group cipher",
    "Invalid pairwise cipher",
    "Invalid AKMP",
    "Unsupported RSNE version",
    "Invalid RSNE capabilities",
    "IEEE 802.1X authentication failed",
    "Cipher suite rejected because of the security policy",
    "TDLS direct-link teardown due to TDLS peer STA unreachable via the TDLS direct link",
    "TDLS direct-link teardown for unspecified reason",
    "Disassociated because session terminated by SSP request",
    "Disassociated because of lack of SSP roaming agreement",
    "Requested service rejected because of SSP cipher suite or AKM requirement",
    "Requested service not authorized in this location",
    (
        "TS deleted because QoS AP lacks sufficient bandwidth for this QoS STA due to a change in BSS "
        "service characteristics or operational mode (e.g. an HT BSS change from 40 MHz channel to 20 MHz"
        " channel)"
    ),
    "Disassociated for unspecified, QoS-related reason",
    "Disassociated because QoS AP lacks sufficient bandwidth for this QoS STA",
    (
        "Disassociated because of excessive number of frames that need to be acknowledged, but are not "
        "acknowledged due to AP transmissions and/or poor channel conditions"
    ),
    "Disassociated because STA is transmitting outside the limits of its TXOPs",
    "Requested from peer STA as the STA is leaving the BSS (or resetting)",
    "Requested from peer STA as it does not want to use the mechanism",
    "Requested from peer STA as the STA received frames using the mechanism for which a set up is required",
    "Requested from peer STA due to time out",
    "Reserved",
    "Reserved",
    "Reserved",
    "Reserved",
    "Reserved",
    "Peer STA does not support the requested cipher suite",
    (
        "In a DLS Teardown frame: The teardown was initiated by the DLS peer. In a Disassociation frame: "
        "Disassociated because authorized access limit reached"
    ),
    (
        "In a DLS Teardown frame: The teardown was initiated by the AP. In a Disassociation frame: "
        "Disassociated due to external service requirements"
    ),
    "Invalid FT Action frame count",
    "Invalid pairwise master key identifier (PMKID)",
    "Invalid MDE",
    "Invalid FTE",
    "Mesh peering canceled for unknown reasons",
    "The mesh STA has reached the supported maximum number of peer mesh STAs",
    "The received information violates the Mesh Configuration policy configured in the mesh STA profile",
    "The mesh STA has received a Mesh Peering Close frame requesting to close the mesh peering",
    (
        "The mesh STA has resent dot11MeshMaxRetries Mesh Peering Open frames, without receiving a Mesh "
        "Peering Confirm frame"
    ),
    "The confirmTimer for the mesh peering instance times out",
    "The mesh STA fails to unwrap the GTK or the values in the wrapped contents do not match",
    (
        "The mesh STA receives inconsistent information about the mesh parameters between mesh peering "
        "Management frames"
    ),
    (
        "The mesh STA fails the authenticated mesh peering exchange because due to failure in selecting "
        "either the pairwise ciphersuite or group ciphersuite"
    ),
    "The mesh STA does not have proxy information for this external destination",
    "The mesh STA does not have forwarding information for this destination",
    (
        "The mesh STA determines that the link to the next hop of an active path in its forwarding "
        "information is no longer usable"
    ),
    "The Deauthentication frame was sent because the MAC address of the STA already exists in the mesh BSS",
    "The mesh STA performs channel switch to meet regulatory requirements",
    "The mesh STA performs channel switching with unspecified reason",
)
# tcpdump's ieee80211_float_htrates as it prints them: per MCS index 0-76, the rate in Mb/s at 20 MHz
# (long, short guard interval) and at 40 MHz (long, short); 0.0 where the combination has none
_HT_RATES = (
    ("6.5", "7.2", "13.5", "15.0"),
    ("13.0", "14.4", "27.0", "30.0"),
    ("19.5", "21.7", "40.5", "45.0"),
    ("26.0", "28.9", "54.0", "60.0"),
    ("39.0", "43.3", "81.0", "90.0"),
    ("52.0", "57.8", "108.0", "120.0"),
    ("58.5", "65.0", "121.5", "135.0"),
    ("65.0", "72.2", "135.0", "150.0"),
    ("13.0", "14.4", "27.0", "30.0"),
    ("26.0", "28.9", "54.0", "60.0"),
    ("39.0", "43.3", "81.0", "90.0"),
    ("52.0", "57.8", "108.0", "120.0"),
    ("78.0", "86.7", "162.0", "180.0"),
    ("104.0", "115.6", "216.0", "240.0"),
    ("117.0", "130.0", "243.0", "270.0"),
    ("130.0", "144.4", "270.0", "300.0"),
    ("19.5", "21.7", "40.5", "45.0"),
    ("39.0", "43.3", "81.0", "90.0"),
    ("58.5", "65.0", "121.5", "135.0"),
    ("78.0", "86.7", "162.0", "180.0"),
    ("117.0", "130.0", "243.0", "270.0"),
    ("156.0", "173.3", "324.0", "360.0"),
    ("175.5", "195.0", "364.5", "405.0"),
    ("195.0", "216.7", "405.0", "450.0"),
    ("26.0", "28.9", "54.0", "60.0"),
    ("52.0", "57.8", "108.0", "120.0"),
    ("78.0", "86.7", "162.0", "180.0"),
    ("104.0", "115.6", "216.0", "240.0"),
    ("156.0", "173.3", "324.0", "360.0"),
    ("208.0", "231.1", "432.0", "480.0"),
    ("234.0", "260.0", "486.0", "540.0"),
    ("260.0", "288.9", "540.0", "600.0"),
    ("0.0", "0.0", "6.0", "6.7"),
    ("39.0", "43.3", "81.0", "90.0"),
    ("52.0", "57.8", "108.0", "120.0"),
    ("65.0", "72.2", "135.0", "150.0"),
    ("58.5", "65.0", "121.5", "135.0"),
    ("78.0", "86.7", "162.0", "180.0"),
    ("97.5", "108.3", "202.5", "225.0"),
    ("52.0", "57.8", "108.0", "120.0"),
    ("65.0", "72.2", "135.0", "150.0"),
    ("65.0", "72.2", "135.0", "150.0"),
    ("78.0", "86.7", "162.0", "180.0"),
    ("91.0", "101.1", "189.0", "210.0"),
    ("91.0", "101.1", "189.0", "210.0"),
    ("104.0", "115.6", "216.0", "240.0"),
    ("78.0", "86.7", "162.0", "180.0"),
    ("97.5", "108.3", "202.5", "225.0"),
    ("97.5", "108.3", "202.5", "225.0"),
    ("117.0", "130.0", "243.0", "270.0"),
    ("136.5", "151.7", "283.5", "315.0"),
    ("136.5", "151.7", "283.5", "315.0"),
    ("156.0", "173.3", "324.0", "360.0"),
    ("65.0", "72.2", "135.0", "150.0"),
    ("78.0", "86.7", "162.0", "180.0"),
    ("91.0", "101.1", "189.0", "210.0"),
    ("78.0", "86.7", "162.0", "180.0"),
    ("91.0", "101.1", "189.0", "210.0"),
    ("104.0", "115.6", "216.0", "240.0"),
    ("117.0", "130.0", "243.0", "270.0"),
    ("104.0", "115.6", "216.0", "240.0"),
    ("117.0", "130.0", "243.0", "270.0"),
    ("130.0", "144.4", "270.0", "300.0"),
    ("130.0", "144.4", "270.0", "300.0"),
    ("143.0", "158.9", "297.0", "330.0"),
    ("97.5", "108.3", "202.5", "225.0"),
    ("117.0", "130.0", "243.0", "270.0"),
    ("136.5", "151.7", "283.5", "315.0"),
    ("117.0", "130.0", "243.0", "270.0"),
    ("136.5", "151.7", "283.5", "315.0"),
    ("156.0", "173.3", "324.0", "360.0"),
    ("175.5", "195.0", "364.5", "405.0"),
    ("156.0", "173.3", "324.0", "360.0"),
    ("175.5", "195.0", "364.5", "405.0"),
    ("195.0", "216.7", "405.0", "450.0"),
    ("195.0", "216.7", "405.0", "450.0"),
    ("214.5", "238.3", "445.5", "495.0"),
)

_AUTH_ALGORITHMS = ("Open System", "Shared Key", "EAP")
_MGMT_NAMES = {
    0: "Assoc Request", 1: "Assoc Response", 2: "ReAssoc Request", 3: "ReAssoc Response", 4: "Probe Request",
    5: "Probe Response", 8: "Beacon", 9: "ATIM", 10: "Disassociation", 11: "Authentication",
    12: "DeAuthentication", 13: "Action",
}  # fmt: skip
_CTRL_NAMES = {
    7: "Control Wrapper", 8: "BAR", 9: "BA", 10: "Power Save-Poll", 11: "Request-To-Send",
    12: "Clear-To-Send", 13: "Acknowledgment", 14: "CF-End", 15: "CF-End+CF-Ack",
}  # fmt: skip
# action frames: category -> (name, names of its actions); an action it does not name shows as Act#N
_ACTION_CATEGORIES: dict[int, tuple[str, tuple[str, ...]]] = {
    0: ("Spectrum Management ", ()),
    1: ("QoS ", ()),
    2: ("DLS ", ()),
    3: ("BA ", ("ADDBA Request", "ADDBA Response", "DELBA")),
    7: ("HT ", ("TxChWidth", "MIMOPwrSave")),
    13: ("MeshAction ", ("MeshLink", "HWMP", "Gate Announcement", "Congestion Control", "MCCA Setup Request",
                         "MCCA Setup Reply", "MCCA Advertisement Request", "MCCA Advertisement",
                         "MCCA Teardown", "TBTT Adjustment Request", "TBTT Adjustment Response")),
    14: ("MultiohopAction ", ("Proxy Update", "Proxy Update Confirmation")),
    15: ("SelfprotectAction ", ("", "Peering Open", "Peering Confirm", "Peering Close", "Group Key Inform",
                                "Group Key Acknowledge")),
    127: ("Vendor ", ()),
}  # fmt: skip
_VHT_BANDWIDTHS = (
    "20 MHz", "40 MHz", "20 MHz (L)", "20 MHz (U)", "80 MHz", "80 MHz (L)", "80 MHz (U)", "80 MHz (LL)",
    "80 MHz (LU)", "80 MHz (UL)", "80 MHz (UU)", "160 MHz", "160 MHz (L)", "160 MHz (U)", "160 MHz (LL)",
    "160 MHz (LU)", "160 MHz (UL)", "160 MHz (UU)", "160 MHz (LLL)", "160 MHz (LLU)", "160 MHz (LUL)",
    "160 MHz (UUU)", "160 MHz (ULL)", "160 MHz (ULU)", "160 MHz (UUL)", "160 MHz (UUU)", "unknown (26)",
    "unknown (27)", "unknown (28)", "unknown (29)", "unknown (30)", "unknown (31)",
)  # fmt: skip
_HT_BANDWIDTHS = ("20 MHz", "40 MHz", "20 MHz (L)", "20 MHz (U)")
_RADIOTAP_FLAGS = ((0x01, "cfp "), (0x02, "short preamble "), (0x04, "wep "), (0x08, "fragmented "),
                   (0x40, "bad-fcs "))  # fmt: skip
_SIMPLE_FIELDS = {
    0: "{}us tsft ", 4: "fhset {} fhpat {} ", 5: "{}dBm signal ", 6: "{}dBm noise ", 7: "{} sq ",
    10: "{}dBm tx power ", 11: "antenna {} ", 12: "{}dB signal ", 13: "{}dB noise ",
}  # fmt: skip
_NUL = b"\x00"  # tcpdump prints an SSID as a C string: to its first NUL
_SILENT_FIELDS = frozenset((14, 20))  # RX flags and A-MPDU status: read, not shown


def _mac(raw: bytes) -> str:
    return raw.hex(":")


def _status(code: int) -> str:
    return _STATUS_TEXT[code] if code < len(_STATUS_TEXT) else "n/a"


def _reason(code: int) -> str:
    return _REASON_TEXT[code] if code < len(_REASON_TEXT) else "Reserved"


def _channel_text(freq: int, flags: int, mcs: int) -> str:
    """print_chaninfo: the frequency, then the band as the channel flags (or an MCS field) tell it."""
    text = f"{freq} MHz"
    if mcs:
        text += " 11n"
    else:
        if flags & 0x0880 == 0x0880:
            text += " FHSS"
        if flags & 0x0140 == 0x0140:  # 5 GHz OFDM
            text += " 11a/10Mhz" if flags & 0x4000 else " 11a/5Mhz" if flags & 0x8000 else " 11a"
        if flags & 0x00C0 == 0x00C0 or flags & 0x0480 == 0x0480:  # 2 GHz OFDM, or dynamic CCK-OFDM
            text += " 11g/10Mhz" if flags & 0x4000 else " 11g/5Mhz" if flags & 0x8000 else " 11g"
        elif flags & 0x00A0 == 0x00A0:  # 2 GHz CCK
            text += " 11b"
        if flags & 0x0010:
            text += " Turbo"
    if flags & 0x10000:
        text += " ht/20"
    elif flags & 0x40000:
        text += " ht/40-"
    elif flags & 0x20000:
        text += " ht/40+"
    return text + " "


def _mcs_text(known: int, flags: int, index: int) -> str:
    text = ""
    if known & 0x02:
        rate = "0.0"
        if index < len(_HT_RATES) and known & 0x05:
            rate = _HT_RATES[index][(2 if flags & 0x03 == 1 else 0) + (1 if flags & 0x04 else 0)]
        text += f"MCS {index} " if rate == "0.0" else f"{rate} Mb/s MCS {index} "
    if known & 0x01:
        text += _HT_BANDWIDTHS[flags & 0x03] + " "
    if known & 0x04:
        text += "short GI " if flags & 0x04 else "long GI "
    if known & 0x08:
        text += "greenfield " if flags & 0x08 else "mixed "
    if known & 0x10:
        text += "LDPC FEC " if flags & 0x10 else "BCC FEC "
    if known & 0x20:
        text += f"RX-STBC{(flags & 0x60) >> 5} "
    return text


def _vht_text(values: list[int]) -> str:
    known, flags, bandwidth = values[0], values[1], values[2]
    coding = values[7]
    text = ""
    for user, mcs_nss in enumerate(values[3:7]):
        if mcs_nss & 0x0F:
            text += f"User {user} MCS {mcs_nss >> 4} {'LDPC' if coding >> user & 1 else 'BCC'} FEC "
    if known & 0x0040:
        text += _VHT_BANDWIDTHS[bandwidth & 0x1F] + " "
    if known & 0x0004:
        text += "short GI " if flags & 0x04 else "long GI "
    return text


def _radiotap_field(bit: int, values: list[int]) -> str:
    """One radiotap field as print_radiotap_field prints it, its trailing space included."""
    if bit < 0:
        return " [|802.11_radio]"
    simple = _SIMPLE_FIELDS.get(bit)
    if simple is not None:
        return simple.format(*values)
    if bit == 1:
        return "".join(text for mask, text in _RADIOTAP_FLAGS if values[0] & mask)
    if bit == 2:
        rate = values[0]
        return f"MCS {rate & 0x7F} " if 0x80 <= rate <= 0x8F else f"{0.5 * rate:2.1f} Mb/s "
    if bit == 3:
        return _channel_text(values[0], values[1], values[2])
    if bit == 8:
        return f"{-values[0]} tx power "
    if bit == 9:
        return f"{-values[0]}dB tx attenuation "
    if bit == 18:
        return _channel_text(values[1], values[0], values[4])
    if bit == 19:
        return _mcs_text(*values)
    if bit == 21:
        return _vht_text(values)
    if bit in _SILENT_FIELDS:
        return ""
    return f"[bit {bit}] "


def _ssid_rates(elements: WlanElements) -> str:
    """PRINT_SSID and PRINT_RATES: `` (SSID)`` and `` [1.0* 2.0 Mbit]``, each where the frame has it."""
    ssid, rates, _channel = elements
    text = ""
    if ssid is not None:
        text += f" ({printable_text(ssid.partition(_NUL)[0])})"
    if rates:
        shown = " ".join(f"{0.5 * (r & 0x7F):2.1f}{'*' if r & 0x80 else ''}" for r in rates)
        text += f" [{shown} Mbit]"
    return text


def _ds_channel(elements: WlanElements, capability: int) -> str:
    """PRINT_DS_CHANNEL: `` CH: 1`` where the frame names its channel, then ``, PRIVACY``."""
    channel = elements[2]
    text = f" CH: {channel}" if channel is not None else ""
    return text + (", PRIVACY" if capability & 0x10 else "")


def _iv_text(iv: int) -> str:
    return f" IV:{iv & 0xFFFFFF:3x} Pad {(iv >> 24) & 0x3F:x} KeyID {(iv >> 30) & 0x03:x}"


def _mgmt_text(layer: WlanMgmtLayer) -> str:
    _, subtype, protected, src, fixed, elements, whole = layer
    name = _MGMT_NAMES.get(subtype, f"Unhandled Management subtype({subtype:x})")
    cut = "" if whole else " [|802.11]"
    if protected:
        return name + (_iv_text(fixed[0]) if fixed else "") + cut
    if not whole and elements is None:  # the capture ends in the fixed fields
        return name + cut
    if elements is None:
        elements = (None, None, None)
    if subtype == 0 or subtype == 4:  # association or probe request
        body = _ssid_rates(elements)
    elif subtype == 1 or subtype == 3:  # (re)association response
        capability, status, aid = fixed
        privacy = " PRIVACY " if capability & 0x10 else ""
        body = f" AID({aid & 0x3FFF:x}) :{privacy}: {_status(status)}"
    elif subtype == 2:
        body = f"{_ssid_rates((elements[0], None, None))} AP : {_mac(fixed[2].to_bytes(6, 'big'))}"
    elif subtype == 5:
        body = _ssid_rates(elements) + _ds_channel(elements, fixed[1])
    elif subtype == 8:
        capability = fixed[1]
        network = "ESS" if capability & 0x01 else "IBSS"
        body = f"{_ssid_rates(elements)} {network}{_ds_channel(elements, capability)}"
    elif subtype == 10:
        body = f": {_reason(fixed[0])}"
    elif subtype == 11:
        algorithm, sequence, status = fixed
        alg = _AUTH_ALGORITHMS[algorithm] if algorithm < len(_AUTH_ALGORITHMS) else "Reserved"
        shown = _status(status) if sequence % 2 else ""
        if algorithm == 1 and sequence in (2, 3):
            body = f" ({alg})-{sequence:x} [Challenge Text] {shown}"
        else:
            body = f" ({alg})-{sequence:x}: {shown}"
    elif subtype == 12:
        body = f" ({_mac(src)}): {_reason(fixed[0])}"
    elif subtype == 13:
        category, action = fixed
        known = _ACTION_CATEGORIES.get(category)
        if known is None:
            text = f"Reserved({category}) Act#{action}"
        else:
            names = known[1]
            text = known[0] + (names[action] if action < len(names) and names[action] else f"Act#{action}")
        body = f" ({_mac(src)}): {text}"
    else:
        body = ""
    return name + body + cut


def _ctrl_text(layer: WlanCtrlLayer) -> str:
    _, subtype, addresses, numbers = layer
    name = _CTRL_NAMES[subtype]
    if subtype == 8:
        return (
            f"{name} RA:{_mac(addresses[0])} TA:{_mac(addresses[1])} CTL({numbers[0]:x}) SEQ({numbers[1]}) "
        )
    if subtype == 10:
        return f"{name} AID({numbers[0]:x})"
    if subtype == 11:
        return f"{name} TA:{_mac(addresses[0])} "
    if addresses:
        return f"{name} RA:{_mac(addresses[0])} "
    return name


def wlan_text(layers: Layers, i: int, rest: Callable[[Layers], str], default_print: bool = True) -> str:
    """The text of ``layers[i:]``, which start with a radiotap header or an 802.11 frame; ``rest``
    writes the line of what a data frame's LLC/SNAP header carries (IP, ARP...); ``default_print``: a
    payload tcpdump does not decode is dumped in hex below the line."""
    text = ""
    t = layers[i]
    if t[0] == "radiotap":
        text = "".join(_radiotap_field(bit, values) for bit, values in t[1])
        i += 1
        if i >= len(layers):
            return text
        t = layers[i]
    if t[0] == "trunc":
        return f"{text} [|{t[1]}]"
    if t[0] == "wlan-unknown":
        if t[1] == 1:
            return f"{text}unknown 802.11 ctrl frame subtype ({t[2]})"
        return f"{text}unknown 802.11 frame type ({t[1]})"
    if t[0] == "wlan-mgmt":
        return text + _mgmt_text(t)
    if t[0] == "wlan-ctrl":
        return text + _ctrl_text(t)
    if t[0] != "wlan-data":
        return text
    _, subtype, protected, iv, src, dst = t
    if subtype & 4:  # no data
        return text
    if protected:
        return text + "Data" + (_iv_text(iv) if iv is not None else " [|802.11]")
    j = i + 1
    if j + 1 < len(layers) and layers[j] == ("trunc", "llc") and layers[j + 1][0] == "data":
        cut = layers[j + 1]
        # print-llc.c dumps the cut LLC header even with -x (ND_DEFAULTPRINT, not suppressed)
        dump = hex_lines(cut[1], True) if cut[0] == "data" else ""
        return f"{text} [|llc]" + (f"\n{dump}" if dump else "")
    if j + 1 < len(layers) and layers[j][0] == "llc" and layers[j + 1][0] == "ethproto":
        j += 1
    carried = layers[j] if j < len(layers) else None
    if carried is not None and carried[0] == "ethproto" and carried[1] == "llc":
        # an LLC frame tcpdump does not hand on by EtherType: it names the addresses
        return text + llc_text(carried[2], carried[3], (src, dst), False, default_print)
    if carried is not None and carried[0] == "llc" and j + 1 < len(layers):
        return text + rest(layers[j + 1 :])  # SNAP: what its EtherType carries
    return text + rest(layers[j:])
