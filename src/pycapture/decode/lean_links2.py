"""More link types for the lean decoder: NFLOG, Frame Relay (tcpdump's fr_print), FRF.16 (MFR), ATM
RFC 1483 (LLC), Classical IP over ATM, Linux vsock, raw IPv4/IPv6, and the Juniper PIC headers
(lean_juniper).

Each header tcpdump prints as a fixed text becomes a ``("said", text, eflag_text, length)`` layer (the
text without and with -e), followed by the layers of what it carries; ``length`` is that payload's wire
length.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from ..protocols.numbers import TCPDUMP_ETHERTYPE_NAMES
from . import lean as _lean
from .lean_ether import llc_payload
from .lean_layers import Layers, SaidLayer
from .lean_links import NLPID_CLNP, NLPID_ESIS, NLPID_IP, NLPID_IP6, NLPID_ISIS, NLPID_PPP, osi, ppp

_u16 = struct.Struct("!H").unpack_from

# tcpdump's nlpid_values (nlpid.c)
_NLPID_NAMES = {
    0x00: "NULL", 0x08: "Q.933", 0x09: "LMI", 0x80: "SNAP", 0x81: "CLNP", 0x82: "ES-IS", 0x83: "IS-IS",
    0x84: "CONS", 0x85: "IDRP", 0x8A: "X25 ES-IS", 0x8E: "IPv6", 0xB1: "FRF.15", 0xCC: "IPv4", 0xCF: "PPP",
}  # fmt: skip
_NLPID_SNAP, _NLPID_Q933, _NLPID_MFR = 0x80, 0x08, 0xB1
_LLC_UI = 0x03
_ETHERTYPE_CALM_FAST = 0x1111
_OUI_CISCO, _OUI_RFC2684, _PID_BPDU = 0x00000C, 0x0080C2, 0x000E
_CISCO_PIDS = frozenset((0x2000, 0x2003, 0x2004, 0x0111, 0x010B, 0x010C))  # print-llc.c's snap_print
# print-fr.c's fr_header_flag_values, in its order: (bit of the flags word, name)
_FR_FLAGS = (
    (0x02000000, "C!"),
    (0x00020000, "DE"),
    (0x00040000, "BECN"),
    (0x00080000, "FECN"),
    (0x02, "sdlcore"),
)
_FRF_FLAGS = ((0x80, "Begin"), (0x40, "End"), (0x20, "Control"))
_MFR_MESSAGES = {1: "Add Link", 2: "Add Link ACK", 3: "Add Link Reject", 4: "Hello", 5: "Hello ACK",
                 6: "Remove Link", 7: "Remove Link ACK"}  # fmt: skip
_AF_INET, _AF_INET6 = 2, 10  # Linux's, as NFLOG records them
_NFLOG_FAMILIES = {_AF_INET: "IPv4", _AF_INET6: "IPv6"}
_NFULA_PAYLOAD = 9


def said(text: str, eflag_text: str | None = None, length: int = 0, header: int = 0) -> SaidLayer:
    """A ``said`` layer: ``text`` (``eflag_text`` with -e, the same when None), then what follows;
    ``header`` the link-layer bytes tcpdump counts (0 where it stops, or dumps the whole frame)."""
    return ("said", text, text if eflag_text is None else eflag_text, length, header)


def bit_names(value: int, table: tuple[tuple[int, str], ...]) -> str:
    """tcpdump's bittok2str: the names of the bits set, comma-separated, or ``none``."""
    names = [name for bit, name in table if value & bit]
    return ", ".join(names) if names else "none"


def wrong_ip_version(expected: int, version: int) -> SaidLayer:
    """What ip_print (``expected`` 4) or ip6_print (6) prints of a header of IP version ``version``."""
    if expected == 4:
        text = "IP6, wrong link-layer encapsulation" if version == 6 else f"IP{version}"
        return said(text + " (invalid)")
    return said(f"IP6 version error: {version} != 6", f"version error: {version} != 6")


def _trunc(layers: Layers, name: str) -> None:
    layers.append(("trunc", name))


# the cuts tcpdump's printers reach through a GET_ macro's longjmp, which skips the link printer's count of
# its header: -x then dumps the whole frame
_LONGJMP_CUTS = frozenset(("ip", "chdlc", "pppoe", "ppp"))


def count_header(layers: Layers, start: int, header: int) -> None:
    """Make ``header`` the link-layer bytes of the ``said`` layer at ``start`` (a frame's first), or 0
    where the printing after it stopped through a longjmp."""
    first = layers[start] if start < len(layers) else None
    if first is None or first[0] != "said":
        return
    if any(t[0] == "trunc" and len(t) == 2 and t[1] in _LONGJMP_CUTS for t in layers[start:]):
        header = 0
    layers[start] = ("said", first[1], first[2], first[3], header)


def _counted(decoder: Callable[[bytes, int, Layers], None]) -> Callable[[bytes, int, Layers], None]:
    """``decoder``, its first ``said`` layer's header count cleared where a longjmp would clear it."""

    def decode(data: bytes, length: int, layers: Layers) -> None:
        start = len(layers)
        decoder(data, length, layers)
        first = layers[start] if start < len(layers) else None
        if first is not None and first[0] == "said":
            count_header(layers, start, first[4])

    decode.__doc__ = decoder.__doc__
    return decode


# --- NFLOG (print-nflog.c) -----------------------------------------------------------------------------


def nflog(data: bytes, length: int, layers: Layers) -> None:
    """Linux NFLOG: a 4-byte header (family, version, resource ID), TLVs in host order, the payload's last."""
    if len(data) < 4:  # nflog_if_print counts what there is
        layers.append(said(" [|nflog]", header=len(data)))
        return
    family, version, rid = data[0], data[1], _u16(data, 2)[0]
    if version != 0:
        layers.append(said(f"version {version} (unknown)", header=4))
        return

    def header(size: int) -> str:
        name = _NFLOG_FAMILIES.get(family, "Unknown")
        return f"version {version}, resource ID {rid}, family {name} ({family}), length {size}: "

    eflag = header(length)
    pos, left, caplen = 4, length - 4, len(data) - 4
    while left > 0:
        if caplen < 4:
            layers.append(said(" [|nflog]", eflag + " [|nflog]", header=pos))
            return
        size = int.from_bytes(data[pos : pos + 2], "little")
        tlv_type = int.from_bytes(data[pos + 2 : pos + 4], "little")
        size += -size % 4
        if size < 4 or caplen < size:
            layers.append(said(" [|nflog]", eflag + " [|nflog]", header=pos))
            return
        if tlv_type == _NFULA_PAYLOAD:
            pos, left, caplen = pos + 4, left - 4, caplen - 4
            break
        pos, left, caplen = pos + size, left - size, caplen - size
    if family == _AF_INET:
        layers.append(said("", eflag, pos + left, pos))
        _lean._ipv4(data, pos, layers, left)
    elif family == _AF_INET6:
        layers.append(said("", eflag, pos + left, pos))
        _lean._ipv6(data, pos, layers, left)
    else:
        layers.append(said(header(left + 4), eflag, left, pos))
        layers.append(("data", data[pos:]))


# --- Frame Relay (print-fr.c) --------------------------------------------------------------------------


def _q922(data: bytes, offset: int, length: int) -> tuple[int, int, int, int]:
    """print-fr.c's parse_q922_header: (result, dlci, address length, flags); result -1 cut, 0 invalid."""
    end = len(data)
    if offset >= end or length < 1:
        return -1, 0, 0, 0
    if data[offset] & 1:
        return 0, 0, 0, 0
    if offset + 1 >= end or length < 2:
        return -1, 0, 0, 0
    a, b = data[offset], data[offset + 1]
    size = 2
    dlci = ((a & 0xFC) << 2) | ((b & 0xF0) >> 4)
    flags = ((a & 0x02) << 24) | ((b & 0x0E) << 16)
    if b & 1:
        return 1, dlci, size, flags
    p, length = offset + 2, length - 2
    if p >= end or length < 1:
        return -1, dlci, size, flags
    size += 1
    if not data[p] & 1:
        dlci = (dlci << 7) | (data[p] >> 1)
        size += 1
        p += 1
        length -= 1
    if p >= end or length < 1:
        return -1, dlci, size, flags
    if not data[p] & 1:
        return 0, dlci, size, flags
    flags |= data[p] & 0x02
    dlci = (dlci << 6) | (data[p] >> 2)
    return 1, dlci, size, flags


def _calm_fast(data: bytes, p: int, length: int, layers: Layers) -> None:
    """print-calm-fast.c's calm_fast_print with no source address: the two network references."""
    text = "CALM FAST; "
    if length < 2:
        text += f" (length {length} < 2) (invalid)"
        layers.append(said(text + (" [|calm_fast]" if len(data) < p + max(length, 0) else "")))
        return
    for name, at in (("SrcNwref", p), ("DstNwref", p + 1)):
        if at >= len(data):
            layers.append(said(text + " [|calm_fast]"))
            return
        text += f"{name}:{data[at]}; "
    layers.append(said(text))


def _fr_header(length: int, size: int, dlci: int, flags: int, proto: int) -> str:
    """print-fr.c's fr_hdr_print (without -q): an NLPID below 256, else a Cisco ethertype."""
    head = f"Q.922, hdr-len {size}, DLCI {dlci}, Flags [{bit_names(flags, _FR_FLAGS)}], "
    if proto <= 0xFF:
        return head + f"NLPID {_NLPID_NAMES.get(proto, 'unknown')} (0x{proto:02x}), length {length}: "
    name = TCPDUMP_ETHERTYPE_NAMES.get(proto, "unknown")
    return head + f"cisco-ethertype {name} (0x{proto:04x}), length {length}: "


def frelay(data: bytes, length: int, layers: Layers) -> None:
    """DLT_FRELAY: tcpdump's fr_if_print."""
    if len(data) < 4:  # fr_if_print counts what there is
        layers.append(said(" [|fr]", header=len(data)))
        return
    fr(data, 0, length, layers, counted=True)


def fr(data: bytes, offset: int, length: int, layers: Layers, counted: bool = False) -> None:
    """tcpdump's fr_print of a Q.922 frame at ``offset``, ``length`` bytes long on the wire; ``counted``:
    its header is the frame's link layer (DLT_FRELAY), which -x skips."""
    ret, dlci, size, flags = _q922(data, offset, length)
    if ret == -1:
        _trunc(layers, "fr")
        return
    if ret == 0:
        layers.append(said("Q.922, invalid address"))
        return
    end = len(data)
    if offset + size >= end or length < size + 1:
        _trunc(layers, "fr")
        return
    prefix = eprefix = ""  # without and with -e
    control = data[offset + size]
    if control != _LLC_UI and dlci != 0:
        if offset + size + 2 <= end and length >= size + 2:
            etype = _u16(data, offset + size)[0]
            carried: Layers = []
            start = offset + size + 2
            if etype == _ETHERTYPE_CALM_FAST:
                _calm_fast(data, start, length - size - 2, carried)
            else:
                _lean._ethertype(data, start, start + length - size - 2, etype, carried)
            if not carried or carried[0][:2] != ("other", "ethertype"):
                cisco = _fr_header(length, size, dlci, flags, etype)
                cut = carried[0][0] == "said" and carried[0][1].endswith(" [|calm_fast]")  # a longjmp
                layers.append(said("", cisco, length - size - 2, 0 if cut else (size + 2) * counted))
                layers.extend(carried)
                return
            # an EtherType ethertype_print does not know: -e printed the header with it already
            eprefix = _fr_header(length, size, dlci, flags, etype)
        prefix = f"UI {control:02x}! "
        eprefix += prefix
    if offset + size + 1 >= end or length < size + 2:
        layers.append(said(prefix + " [|fr]", eprefix + " [|fr]"))
        return
    if data[offset + size + 1] == 0:
        if size != 3:
            prefix, eprefix = prefix + "Pad! ", eprefix + "Pad! "
        hdr = size + 3
    else:
        if size == 3:
            prefix, eprefix = prefix + "No pad! ", eprefix + "No pad! "
        hdr = size + 2
    if offset + hdr - 1 >= end or length < hdr:
        layers.append(said(prefix + " [|fr]", eprefix + " [|fr]"))
        return
    nlpid = data[offset + hdr - 1]
    skip = hdr * counted  # fr_print's return: the header, whatever follows
    eflag = eprefix + _fr_header(length, size, dlci, flags, nlpid)
    p, left = offset + hdr, length - hdr
    if nlpid == NLPID_IP:
        layers.append(said(prefix, eflag, left, skip))
        _lean._ipv4(data, p, layers, left)
    elif nlpid == NLPID_IP6:
        layers.append(said(prefix, eflag, left, skip))
        _lean._ipv6(data, p, layers, left)
    elif nlpid in (NLPID_CLNP, NLPID_ESIS, NLPID_ISIS):
        layers.append(said(prefix, eflag, left + 1, skip))
        osi(data, p - 1, left + 1, layers)
    elif nlpid == NLPID_PPP:
        layers.append(said(prefix, eflag, left, skip))
        ppp(data, p, left, layers)
    elif nlpid == _NLPID_MFR:
        if left < 2:  # frf15_print's own check: fr_print returns its header
            layers.append(said(prefix + " [|fr]", eflag + " [|fr]", header=skip))
            return
        if p + 1 >= end:
            layers.append(said(prefix + " [|fr]", eflag + " [|fr]"))
            return
        sequence = (data[p] & 0x1E) << 7 | data[p + 1]
        kind = "Interface" if data[p] & 0x01 else "End-to-End"
        text = f"FRF.15, seq 0x{sequence:03x}, Flags [{bit_names(data[p] & 0xE0, _FRF_FLAGS)}],"
        text += f"{kind} Fragmentation, length {left}"
        layers.append(said(prefix + text, eflag + text, header=skip))
    elif nlpid == _NLPID_Q933:
        text, eflag_text = q933_text(data, p, left, False), q933_text(data, p, left, True)
        longjmp = text.endswith(_Q933_LONGJMP)  # then tcpdump's -x dumps the whole frame
        text, eflag_text = text.rstrip("\x00"), eflag_text.rstrip("\x00")
        layers.append(said(prefix + text, eflag + eflag_text, header=0 if longjmp else skip))
    elif nlpid == _NLPID_SNAP:
        _fr_snap(data, p, left, layers, (prefix, eflag), _fr_header(length, hdr, dlci, flags, nlpid), skip)
    else:  # NLPIDs tcpdump does not read: the header, then the payload in hex
        head = _fr_header(length, size, dlci, flags, nlpid)
        layers.append(said(prefix + head, eflag, left, skip))
        layers.append(("data", data[p : p + max(left, 0)]))
        if len(data) < p + left:  # the default print's dump stops at the capture's end, then says so
            _trunc(layers, "fr")


_Q933_MESSAGES = {
    0x00: "ESC to National", 0x01: "Alert", 0x02: "Call proceeding", 0x07: "Connect", 0x0F: "Connect ACK",
    0x03: "Progress", 0x05: "Setup", 0x45: "Disconnect", 0x4D: "Release", 0x5A: "Release Complete",
    0x46: "Restart", 0x4E: "Restart ACK", 0x7D: "Status Reply", 0x75: "Status Enquiry",
}  # fmt: skip
_LMI_REPORT_TYPE, _LMI_LINK_VERIFY, _LMI_PVC_STATUS = (0x01, 0x51), (0x03, 0x53, 0x19), (0x07, 0x57)


class _Cut(Exception):
    """A read past the capture (a GET_ macro's longjmp): tcpdump's " [|q.933]"."""


_Q933_LONGJMP = " [|q.933]\x00"  # q933_text's mark of a cut through a longjmp, taken off by its caller


def q933_text(data: bytes, p: int, length: int, eflag: bool) -> str:
    """print-fr.c's q933_print without -v: the Q.933 (LMI) signalling message at ``p``."""
    out = ["" if eflag else "Q.933"]
    sep = "" if eflag else ", "
    end = len(data)

    def byte(at: int) -> int:
        if at >= end:
            raise _Cut
        return data[at]

    try:
        return _q933(data, p, length, out, sep, byte)
    except _Cut:
        return "".join(out) + _Q933_LONGJMP


def _q933(data: bytes, p: int, length: int, out: list[str], sep: str, byte: Callable[[int], int]) -> str:
    end = len(data)
    if length == 0 or p >= end:
        return "".join(out) + f"{sep}length {length} [|q.933]"
    olen = length
    call_ref_length = data[p] & 0x0F
    p, length = p + 1, length - 1
    call_ref = b""
    for _ in range(call_ref_length):
        if length == 0 or p >= end:
            return "".join(out) + f"{sep}length {olen} [|q.933]"
        call_ref += data[p : p + 1]
        p, length = p + 1, length - 1
    if length == 0 or p >= end:
        return "".join(out) + f"{sep}length {olen} [|q.933]"
    msgtype = data[p]
    p, length = p + 1, length - 1
    codeset, is_ansi, non_locking, unshift = 0, False, 0, 0
    if length:
        if p >= end:
            return "".join(out) + f"{sep}length {olen} [|q.933]"
        iecode = data[p]
        if iecode & 0xF0 == 0x90:  # a shift
            p, length = p + 1, length - 1
            codeset = iecode & 0x07
            if not iecode & 0x08:
                is_ansi = is_ansi or codeset == 5
            else:
                non_locking, unshift = 1, 0
    out.append(f"{sep}{'ANSI' if is_ansi else 'CCITT'}, codeset {codeset}")
    if call_ref_length and (call_ref_length > 1 or byte(p) != 0):
        out.append(f", Call Ref: 0x{call_ref.hex()}")
    out.append(f", {_Q933_MESSAGES.get(msgtype, f'unknown message 0x{msgtype:02x}')}")
    while length:
        if non_locking == 1:
            non_locking = 2
        elif non_locking == 2:
            codeset, non_locking = unshift, 0
        if p >= end:
            return "".join(out) + f", length {olen} [|q.933]"
        iecode = data[p]
        p, length = p + 1, length - 1
        if iecode & 0x80:  # a single-octet IE
            if iecode & 0xF0 == 0x90:
                if not iecode & 0x08:
                    non_locking = 0
                else:
                    non_locking, unshift = 1, codeset
                codeset = iecode & 0x07
            continue
        if length == 0 or p >= end:
            return "".join(out) + f", length {olen} [|q.933]"
        ielength = data[p]
        p, length = p + 1, length - 1
        if iecode == 0 or ielength == 0:
            return "".join(out)
        if length < ielength or p + ielength > end:
            return "".join(out) + f", length {olen} [|q.933]"
        if codeset in (0, 5):
            out.append(_lmi_ie(data, p, iecode, ielength))
        p, length = p + ielength, length - ielength
    return "".join(out) + f", length {olen}"


def _lmi_ie(data: bytes, p: int, iecode: int, ielength: int) -> str:
    """print-fr.c's fr_q933_print_ie_codeset_0_5 without -v: the LMI elements' text."""
    if iecode in _LMI_REPORT_TYPE:
        return "" if ielength >= 1 else ", Invalid REPORT TYPE IE"
    if iecode in _LMI_LINK_VERIFY:
        if ielength < 2:
            return ", Invalid LINK VERIFY IE"
        return f", TX Seq: {data[p]:3d}, RX Seq: {data[p + 1]:3d}"
    if iecode in _LMI_PVC_STATUS:
        ie = data[p : p + ielength]
        if (
            ielength < 3
            or ielength > 5
            or ie[0] & 0x80
            or (ielength == 3 and not ie[1] & 0x80)
            or (ielength == 4 and (ie[1] & 0x80 or not ie[2] & 0x80))
            or (ielength == 5 and (ie[1] & 0x80 or ie[2] & 0x80 or not ie[3] & 0x80))
            or not ie[-1] & 0x80
        ):
            return ", Invalid DLCI in PVC STATUS IE"
        dlci = ((ie[0] & 0x3F) << 4) | ((ie[1] & 0x78) >> 3)
        if ielength == 4:
            dlci = (dlci << 6) | ((ie[2] & 0x7E) >> 1)
        elif ielength == 5:
            dlci = (dlci << 13) | (ie[2] & 0x7F) | ((ie[3] & 0x7E) >> 1)
        new = "New, " if ie[-1] & 0x08 else ""
        return f", DLCI {dlci}: status {new}{'Active' if ie[-1] & 0x02 else 'Inactive'}"
    return ""


def _fr_snap(
    data: bytes, p: int, left: int, layers: Layers, texts: tuple[str, str], header: str, skip: int
) -> None:
    """NLPID SNAP: an OUI and a protocol; an ethertype (OUI 0) is printed as such. ``texts``: what comes
    before without and with -e; ``header`` fr_hdr_print's text; ``skip`` the link-layer bytes."""
    prefix, eflag = texts
    if len(data) < p + 5 or left < 5:
        layers.append(said(prefix + " [|snap]", eflag + " [|snap]", header=skip))
        return
    if data[p : p + 3] == b"\x00\x00\x00":
        carried: Layers = []
        etype = _u16(data, p + 3)[0]
        _lean._ethertype(data, p + 5, p + left, etype, carried)
        if not carried or carried[0][:2] != ("other", "ethertype"):
            layers.append(said(prefix, eflag, left, skip))
            layers.append(said("", snap_ether_header(etype, left - 5), left - 5))
            layers.extend(carried)
            return
    oui, pid = int.from_bytes(data[p : p + 3], "big"), _u16(data, p + 3)[0]
    if (oui == _OUI_CISCO and pid in _CISCO_PIDS) or (oui == _OUI_RFC2684 and pid == _PID_BPDU):
        # Cisco's CDP, VTP, DTP, UDLD and PVST, 802.1D: the LLC printer's SNAP part reads them
        layers.append(said(prefix, eflag, left, skip))
        llc_payload(b"\xaa\xaa\x03" + data[p : p + left], 0, left + 3, layers)
        return
    # an OUI snap_print does not read: the header, then the frame from the Q.922 address on in hex
    layers.append(said(prefix + header, eflag, left, skip))
    start = p - int(header.split("hdr-len ")[1].split(",")[0])
    layers.append(("data", data[start : p + left]))


def mfr(data: bytes, length: int, layers: Layers) -> None:
    """DLT_MFR: tcpdump's mfr_print of an FRF.16 frame (without -v: no control IEs)."""
    if len(data) < 2:  # mfr_if_print counts what there is
        layers.append(said(" [|mfr]", header=len(data)))
        return
    if length < 4:
        layers.append(said(f"[length {length} < 4] (invalid)", header=length))
        return
    if len(data) < 4:
        _trunc(layers, "mfr")
        return
    bec = data[0] & 0xE0
    flags = bit_names(bec, _FRF_FLAGS)
    if bec == 0xE0 and data[1] == 0:
        message = _MFR_MESSAGES.get(data[2], f"Unknown Message (0x{data[2]:02x})")
        layers.append(said(f"FRF.16 Control, Flags [{flags}], {message}, length {length}", header=3))
        return
    sequence = (data[0] & 0x1E) << 7 | data[1]
    if bec in (0xC0, 0x80):  # a whole packet or a first fragment
        text = f"FRF.16 Frag, seq {sequence}, Flags [{flags}], "
        layers.append(said(text, text, length - 2, 2))
        fr(data, 2, length - 2, layers)
        return
    layers.append(said(f"FRF.16 Frag, seq {sequence}, Flags [{flags}]"))
    layers.append(("data", data[:length]))


def snap_ether_header(etype: int, length: int) -> str:
    """print-llc.c's snap_print -e text of a SNAP header carrying EtherType ``etype`` and ``length`` bytes."""
    name = TCPDUMP_ETHERTYPE_NAMES.get(etype, "Unknown")
    return f"oui Ethernet (0x000000), ethertype {name} (0x{etype:04x}), length {length}: "


def llc_header_length(data: bytes, offset: int) -> int:
    """What llc_print returns (as a length) for the 802.2 header at ``offset``: 3 or 4 bytes, and SNAP's 5."""
    if len(data) < offset + 3:
        return 0
    control = data[offset + 2]
    size = 3 if control & 3 == 3 else 4
    return size + 5 if data[offset] == data[offset + 1] == 0xAA and control == _LLC_UI else size


def llc_frame(data: bytes, offset: int, left: int, layers: Layers, header: int = 0) -> None:
    """tcpdump's llc_print of the 802.2 frame at ``offset`` (``left`` bytes on the wire): SNAP carrying an
    EtherType tcpdump prints is that packet alone; anything else the LLC printer reads. ``header``: the
    link-layer bytes -x skips, where this is the frame's first header."""
    if data[offset : offset + 6] == _RFC_LLC and len(data) >= offset + 8 and left >= 8:
        carried: Layers = []
        etype = _u16(data, offset + 6)[0]
        _lean._ethertype(data, offset + 8, offset + left, etype, carried)
        if not carried or carried[0][:2] != ("other", "ethertype"):
            llc = "LLC, dsap SNAP (0xaa) Individual, ssap SNAP (0xaa) Command, ctrl 0x03: "
            layers.append(said("", llc + snap_ether_header(etype, left - 8), left - 8, header))
            layers.extend(carried)
            return
    if header:
        layers.append(said("", "", left, header))
    llc_payload(data, offset, left, layers)


# --- ATM ----------------------------------------------------------------------------------------------

_RFC_LLC = b"\xaa\xaa\x03\x00\x00\x00"


def cip(data: bytes, length: int, layers: Layers) -> None:
    """DLT_ATM_CLIP: tcpdump's cip_if_print, an LLC/SNAP header or IPv4 straight away."""
    eflag = f"{length}: "
    if len(data) < 6:
        layers.append(said(" [|cip]", eflag + " [|cip]"))
        return
    llc = data[:6] == _RFC_LLC
    layers.append(said("", eflag, length, llc_header_length(data, 0) if llc else 0))
    if llc:
        llc_frame(data, 0, length, layers)
    else:
        _lean._ipv4(data, 0, layers, length)


def atm_rfc1483(data: bytes, length: int, layers: Layers) -> None:
    """DLT_ATM_RFC1483: tcpdump's atm_if_print, a Cisco NLPID or an 802.2 header (after a Fore 802.6 one)."""
    if not data:
        _trunc(layers, "atm")
        return
    if data[0] == _LLC_UI:
        layers.append(said("", "CNLPID ", length - 1, 1))
        osi(data, 1, length - 1, layers)
        return
    if len(data) < 3:
        _trunc(layers, "atm")
        return
    offset = 0
    if data[:3] not in (b"\xaa\xaa\x03", b"\xfe\xfe\x03", b"\x06\x06\x03"):
        if len(data) < 16:
            _trunc(layers, "atm")
            return
        words = struct.unpack_from("!4I", data)
        eflag = "{:08x}{:08x} {:08x}{:08x} ".format(*words)
        if len(data) < 20:
            layers.append(said(" [|atm]", eflag + " [|atm]"))
            return
        offset = 20
        layers.append(said("", eflag, length - 20, 20 + llc_header_length(data, 20)))
    llc_frame(data, offset, length - offset, layers, 0 if offset else llc_header_length(data, 0))


_VSOCK_TRANSPORTS = {0: "UNKNOWN", 1: "NO_INFO", 2: "VIRTIO"}
_VSOCK_OPS = {0: "UNKNOWN", 1: "CONNECT", 2: "DISCONNECT", 3: "CONTROL", 4: "PAYLOAD"}


def vsock(data: bytes, length: int, layers: Layers) -> None:
    """DLT_VSOCK: tcpdump's vsock_if_print without -v, the af_vsockmon header (little-endian) alone."""
    if len(data) < 32:  # vsock_if_print counts what there is
        layers.append(said(" [|vsock]", header=len(data)))
        return
    src_cid, dst_cid, sport, dport, op, transport = struct.unpack_from("<QQIIHH", data)
    name = _VSOCK_TRANSPORTS.get(transport, f"Invalid transport ({transport})")
    op_name = _VSOCK_OPS.get(op, f" invalid op ({op})")
    layers.append(
        said(f"{name} {src_cid}.{sport} > {dst_cid}.{dport} {op_name}, length {len(data)}", header=32)
    )


def raw_ip(data: bytes, length: int, layers: Layers) -> None:
    """DLT_IPV4 and DLT_IPV6: tcpdump prints either as raw IP, the version saying which."""
    _lean._raw_ip(data, length, layers)


LINK_DECODERS: dict[int, Callable[[bytes, int, Layers], None]] = {
    11: _counted(atm_rfc1483),
    106: _counted(cip),
    107: _counted(frelay),
    182: mfr,
    228: raw_ip,
    229: raw_ip,
    239: _counted(nflog),
    271: vsock,
}
"""lean_links2's link types, by DLT."""

# the Juniper PICs read fr() and said() from this module, so they load once it is complete
from .lean_juniper import LINK_DECODERS as _JUNIPER  # noqa: E402

LINK_DECODERS.update(_JUNIPER)
