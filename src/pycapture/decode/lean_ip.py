"""The lean decoder's IP-level protocols past TCP, UDP and ICMP: what tcpdump 4.99 prints of them
without -v.

IPsec (AH, ESP, IPComp), SCTP, DCCP, PGM, RSVP, IGRP, IP in IP, Ethernet in IPv6, and IPv6's
extension headers (hop-by-hop and destination options, routing, fragment, mobility) as print-ip6.c walks
them, jumbograms included.
Each becomes an ``("ipx", kind, raw, next, length, note)`` layer (``lean_layers.IpxLayer``): the bytes
tcpdump reads of the header, the protocol it hands on to (``-1``: tcpdump's line ends with this header)
and the length it hands on; the printer (``output.tcpdump.ip_protocols``) makes the text from them.
"""

from __future__ import annotations

from typing import Callable

from ..protocols.numbers import (
    IP_DECODERS,
    IPPROTO_AH,
    IPPROTO_DCCP,
    IPPROTO_DSTOPTS,
    IPPROTO_ESP,
    IPPROTO_ETHERNET,
    IPPROTO_FRAGMENT,
    IPPROTO_HOPOPTS,
    IPPROTO_IGRP,
    IPPROTO_IPCOMP,
    IPPROTO_IPIP,
    IPPROTO_IPV6,
    IPPROTO_MOBILITY,
    IPPROTO_PGM,
    IPPROTO_ROUTING,
    IPPROTO_SCTP,
)
from .lean_layers import Ip6Fragment, Layers

Transport = Callable[[bytes, int, int, int, Layers], None]
"""lean's ``_transport(data, offset, proto, length, layers)``."""

_RSVP = {decoder: number for number, decoder in IP_DECODERS.items()}["rsvp"]
# the protocols whose printers read the rest of the packet (from the bytes in the layer) and end the line
_WHOLE = {
    IPPROTO_ESP: "esp", IPPROTO_IPCOMP: "ipcomp", IPPROTO_SCTP: "sctp", IPPROTO_DCCP: "dccp",
    IPPROTO_PGM: "pgm", _RSVP: "rsvp", IPPROTO_IGRP: "igrp",
}  # fmt: skip
_MOBILITY_OLD = 62  # print-ip6.c's IPPROTO_MOBILITY_OLD
_IP6_HEADER = 40
# the next headers ipv6_chain walks as extension headers (the rest end the chain)
_IP6_CHAINED = frozenset(
    (IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_FRAGMENT, IPPROTO_MOBILITY, _MOBILITY_OLD, IPPROTO_ROUTING)
)
_JUMBO_MIN = 65536
_IP6OPT_PAD1, _IP6OPT_PADN, _IP6OPT_JUMBO, _IP6OPT_RTALERT, _IP6OPT_HOME = 0x00, 0x01, 0xC2, 0x05, 0xC9


def ip_payload(
    data: bytes, offset: int, proto: int, length: int, layers: Layers, transport: Transport
) -> bool:
    """The protocols print-ip-demux.c decodes that lean's ``_transport`` does not: appends their layers
    and returns True, or returns False for a protocol tcpdump prints as ``ip-proto-N``."""
    end = min(len(data), offset + max(length, 0))
    if proto == IPPROTO_AH:
        if offset >= end:
            layers.append(("trunc", "ah"))
            return True
        size = (data[offset + 1] + 2) * 4 if offset + 1 < end else 8
        raw = data[offset : min(end, offset + size)]
        if len(raw) < size:
            layers.append(("ipx", "ah", raw, -1, length, ""))
            return True
        nxt = data[offset]
        layers.append(("ipx", "ah", raw, nxt, length - size, ""))
        _demux(data[:end], offset + size, nxt, length - size, layers, transport)
        return True
    kind = _WHOLE.get(proto)
    if kind is not None:
        layers.append(("ipx", kind, data[offset:end], -1, length, ""))
        return True
    if proto == IPPROTO_ETHERNET:  # SRv6's L2 VPNs (RFC 8986): tcpdump reads the frame only after IPv6
        from . import lean

        if next((layer[0] for layer in reversed(layers) if layer[0] in ("ip", "ip6")), "") == "ip6":
            lean._ethernet(data[offset:end], length, layers)
        else:
            layers.append(("ipx", "ether-needs-ipv6", b"", -1, length, ""))
        return True
    if proto in (IPPROTO_IPIP, IPPROTO_IPV6):
        from . import lean  # lean imports this module: the IP decoders are read at call time

        if proto == IPPROTO_IPIP:
            lean._ipv4(data[:end], offset, layers, length)
        else:
            lean._ipv6(data[:end], offset, layers)
        return True
    return False


def _demux(data: bytes, offset: int, proto: int, length: int, layers: Layers, transport: Transport) -> None:
    """print-ip-demux.c after a header that hands on (AH): lean's transport, or the IPv6 chain."""
    if proto in (IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT):
        # only ip6_print walks these; ip_demux_print has no case for them
        layers.append(("other", "ip-proto", proto, length))
        return
    transport(data, offset, proto, length, layers)


def _options(raw: bytes, hop_by_hop: bool, payload_length: int) -> tuple[bool, int | None, str]:
    """print-ip6opts.c's ip6_opt_process without -v over the options ``raw``: (ok, jumbo length, what it
    prints). Only a malformed option prints without -v; a valid Jumbo Payload option sets the length."""
    i, n, jumbo, found = 0, len(raw), None, False
    while i < n:
        kind = raw[i]
        if kind == _IP6OPT_PAD1:
            size = 1
        elif i + 1 < n:
            size = raw[i + 1] + 2
        else:
            return False, jumbo, ""
        if i + size > n:
            return False, jumbo, ""
        if kind == _IP6OPT_PADN and n - i < 2:
            return False, jumbo, "(padn: trunc)"
        if kind == _IP6OPT_RTALERT:
            if n - i < 4:
                return False, jumbo, "(rtalert: trunc)"
            if raw[i + 1] != 2:
                return False, jumbo, f"(rtalert: invalid len {raw[i + 1]})"
        elif kind == _IP6OPT_JUMBO:
            if n - i < 6:
                return False, jumbo, "(jumbo: trunc)"
            if raw[i + 1] != 4:
                return False, jumbo, f"(jumbo: invalid len {raw[i + 1]})"
            value = int.from_bytes(raw[i + 2 : i + 6], "big")
            if not found:
                found = True
                if hop_by_hop and payload_length == 0 and value >= _JUMBO_MIN:
                    jumbo = value
        elif kind == _IP6OPT_HOME:
            if n - i < 18:
                return False, jumbo, "(homeaddr: trunc)"
            if raw[i + 1] < 16:
                return False, jumbo, f"(homeaddr: invalid len {raw[i + 1]})"
        elif kind not in (_IP6OPT_PAD1, _IP6OPT_PADN) and n - i < 2:
            return False, jumbo, f"(type {kind}: trunc)"
        i += size
    return True, jumbo, ""


def ipv6_chain(
    data: bytes,
    offset: int,
    head: tuple[bytes, bytes, int],
    layers: Layers,
    transport: Transport,
    wire: int | None = None,
) -> None:
    """print-ip6.c's walk of an IPv6 packet at ``offset`` (its 40-byte header captured): the ``ip6``
    layer, one ``ipx`` layer for each extension header tcpdump prints, then what it hands on to.
    ``head``: the source, destination and hop limit; ``wire``: the bytes from ``offset`` to the frame's
    end on the wire, where known (else what the capture holds stands for it)."""
    src, dst, hlim = head
    payload_length = data[offset + 4] << 8 | data[offset + 5]
    nh = data[offset + 6]
    known = wire is not None
    wire = len(data) - offset if wire is None else wire
    total = payload_length + _IP6_HEADER if payload_length else wire + _IP6_HEADER
    if payload_length and nh not in _IP6_CHAINED and not (known and wire < total):
        # no extension header and nothing missing: what the walk below makes of it, without walking
        layers.append(("ip6", src, dst, nh, payload_length, hlim, None))
        if nh != 59:  # no next header: the line ends
            transport(data[: offset + total], offset + _IP6_HEADER, nh, payload_length, layers)
        return
    exts: Layers = []
    if payload_length:
        data = data[: offset + total]
        if known and wire < total:  # tcpdump's "truncated-ip6 - N bytes missing!"
            exts.append(("ipx", "ip6-missing", b"", nh, total - wire, ""))
    snapend = len(data)
    fragment: Ip6Fragment | None = None
    pos, advance, remaining, walked = offset, _IP6_HEADER, total, 0
    ph, found_hbh, found_ext, jumbo = 255, False, False, None

    def finish(nxt: int, length: int, trunc: bool = False) -> None:
        layers.append(("ip6", src, dst, nxt, length, hlim, fragment))
        layers.extend(exts)
        if trunc:
            layers.append(("trunc", "ip6"))

    while pos < snapend and advance > 0:
        if remaining < advance:
            finish(nh, remaining, True)
            return
        pos += advance
        remaining -= advance
        walked += advance
        if nh == IPPROTO_HOPOPTS:
            if found_hbh or ph != 255:
                why = "was already found" if found_hbh else "don't follow the IPv6 header"
                exts.append(("ipx", "hbh-misplaced", b"", -1, 0, why))
                finish(nh, remaining)
                return
            if pos + 2 > snapend or pos + (data[pos + 1] + 1) * 8 > snapend:
                exts.append(("ipx", "hbh", data[pos:snapend], -1, 0, "cut"))
                finish(nh, remaining)
                return
            size = (data[pos + 1] + 1) * 8
            ok, jumbo_value, note = _options(data[pos + 2 : pos + size], True, payload_length)
            if jumbo_value is not None:
                jumbo = jumbo_value
            if payload_length == 0 and jumbo is None:
                exts.append(
                    (
                        "ipx",
                        "hbh",
                        data[pos : pos + size],
                        data[pos],
                        0,
                        note + (" [|hbhopt]" if not ok else ""),
                    )
                )
                exts.append(("ipx", "no-jumbo", b"", -1, 0, ""))
                finish(nh, remaining)
                return
            if not ok:
                exts.append(("ipx", "hbh", data[pos : pos + size], -1, 0, note + " [|hbhopt]"))
                finish(nh, remaining)
                return
            found_hbh = found_ext = True
            nxt = data[pos]
            exts.append(("ipx", "hbh", data[pos : pos + size], nxt, 0, ""))
            advance = size
        elif nh == IPPROTO_DSTOPTS:
            if pos + 2 > snapend or pos + (data[pos + 1] + 1) * 8 > snapend:
                exts.append(("ipx", "dstopt", b"", -1, 0, "cut"))
                finish(nh, remaining)
                return
            size = (data[pos + 1] + 1) * 8
            found_ext = True
            nxt = data[pos]
            exts.append(("ipx", "dstopt", data[pos : pos + size], nxt, 0, ""))
            advance = size
        elif nh == IPPROTO_FRAGMENT:
            if pos + 4 > snapend:
                exts.append(("ipx", "frag", b"", -1, 0, "cut"))
                finish(nh, remaining)
                return
            off_flags = data[pos + 2] << 8 | data[pos + 3]
            shown = (_IP6_HEADER + payload_length - (pos - offset) - 8) % (1 << 64)
            if pos + 8 <= snapend:
                fragment = (
                    off_flags & 0xFFF8,
                    bool(off_flags & 1),
                    int.from_bytes(data[pos + 4 : pos + 8], "big"),
                )
            if off_flags & 0xFFF8 or snapend <= pos + 8:
                exts.append(("ipx", "frag", data[pos : pos + 4], -1, shown, ""))
                finish(data[pos], remaining - 8)
                return
            found_ext = True
            nxt = data[pos]
            exts.append(("ipx", "frag", data[pos : pos + 4], nxt, shown, ""))
            advance = 8
        elif nh in (IPPROTO_MOBILITY, _MOBILITY_OLD):
            exts.append(("ipx", "mobility", data[pos:snapend], -1, 0, ""))
            finish(nh, remaining)
            return
        elif nh == IPPROTO_ROUTING:
            raw = (
                data[pos : min(snapend, pos + (data[pos + 1] + 1) * 8)]
                if pos + 1 < snapend
                else data[pos:snapend]
            )
            size = (raw[1] + 1) * 8 if len(raw) > 1 else 0
            kind = raw[2] if len(raw) > 2 else -1
            valid = len(raw) == size and kind in (0, 2, 4) and not raw[1] & 1
            if not valid:
                exts.append(("ipx", "rt6", raw, -1, 0, ""))
                finish(nh, remaining)
                return
            found_ext = True
            nxt = raw[0]
            exts.append(("ipx", "rt6", raw, nxt, 0, ""))
            advance = size
        else:
            if jumbo is not None:
                total = jumbo + _IP6_HEADER
                if total < walked:
                    finish(nh, remaining, True)
                    return
                if wire < total:
                    exts.append(("ipx", "jumbo-missing", b"", nh, total - wire, ""))
                remaining = total - walked
            elif payload_length == 0:
                if found_ext:
                    finish(nh, remaining, True)
                    return
                remaining = 0
                data = data[:pos]
            finish(nh, remaining)
            if nh in (IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT):
                layers.append(("other", "ip-proto", nh, remaining))
                return
            if nh == 59:  # no next header: the line ends
                return
            transport(data, pos, nh, remaining, layers)
            return
        ph = nh
        nh = nxt
    # the capture ended after an extension header: tcpdump prints no more
    finish(nh, remaining)
    if exts:
        last = layers[-1]
        if last[0] == "ipx" and last[1] != "ip6-missing":
            layers[-1] = ("ipx", last[1], last[2], -1, last[4], last[5])


__all__ = ["Transport", "ip_payload", "ipv6_chain"]
