"""The one-line summaries of a batch of frames, with a shortcut for the frames most traffic is made of.

Most packets on a real link are Ethernet (maybe one 802.1Q tag), then IPv4 with a 20-byte header or
IPv6 without extension headers, then TCP, UDP or an ICMP echo. For those, :func:`summary_batch` takes
the header walk of :mod:`pycapture.decode.walk` (one pass over the headers into a record of offsets
and fields) and writes the line from that record, caching the text that repeats: the
``IP a.b.c.d.p > e.f.g.h.q: `` head of each flow, the TCP flag texts, TCP options that are not just
timestamps. DNS over UDP goes to the lean decoder's DNS parser and text directly. Every other frame, and
any frame the walk does not take or the line leaves (a rarer ICMP type, DNS over TCP, NTP, syslog...),
goes through :func:`pycapture.decode.lean.decode` and :func:`pycapture.output.tcpdump.text.summary_line`,
the one definition of the output. ``tests/output/tcpdump/test_fastsummary.py`` requires the shortcut to
give exactly the same lines as that path, frame by frame, over ../shared/corpus and a generated capture.

:func:`summary_records` does the same on a buffer of classic pcap records read in place
(:mod:`pycapture.savefile.reader`), with no bytes object or tuple per record: the walk reads the frame
at its offset in the buffer, bounded by the record's end.

On the benchmark's generated capture the shortcut covers about 97% of the packets (ARP and neighbor
discovery are most of the rest); see benchmarks/README.md for the times.

The walk and this line also exist compiled, in ``_fastline.c`` (TCP with the options of handshakes and
timestamps, UDP with DNS, NTP and syslog, ICMP echo): when that extension was built, both functions
hand it the records first and print in Python only the frames it leaves (rarer TCP options, everything
not IP). Setting ``PYCAPTURE_PURE_PYTHON=1`` turns it off; the tests hold it to the Python's text frame
by frame.
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Callable, Sequence
from types import ModuleType

import dpkt.http

from ...checks import U32_MAX  # C's (unsigned): how tcpdump prints a fraction
from ...decode.lean import HTTP_STARTS, decode, decode_dns, http_first_line
from ...decode.lean_layers import Layers
from ...decode.walk import (
    APP_BOOTP,
    APP_DNS,
    APP_HTTP,
    APP_LEAN,
    APP_MDNS,
    APP_NONE,
    APP_NTP,
    APP_SYSLOG,
    TCP_APPS,
    TIMESTAMPS_ONLY,
    UDP_APPS,
    walk_ethernet,
)
from ...packet import Record
from ...protocols.numbers import (
    DNS_PORT,
    HTTP_METHODS,
    HTTP_PORTS,
    SYSLOG_FACILITIES,
    SYSLOG_SEVERITIES,
    TCP_DECODERS,
    TCPDUMP_NTP_MODE_NAMES,
    TCPDUMP_TCP_OPTION_NAMES,
    TCPDUMP_TCP_PORT_ORDER,
    TLS_PORTS,
    UDP_DECODERS,
    tcp_flag_letters,
)
from ...savefile.format import RECORD_HEADER
from .text import (
    _DNS_CLASSES,
    _DNS_OPS,
    _DNS_RCODES,
    _DNS_TYPES,
    MAXIMUM_SNAPLEN,
    TcpSequences,
    _dns_text,
    _tcp_options,
    invalid_header,
    summary_line,
)

_ntoa = socket.inet_ntoa
_ntop = socket.inet_ntop
_AF_INET6 = socket.AF_INET6

_u32x2 = struct.Struct("!II").unpack_from

_FLAGS = [f"Flags [{tcp_flag_letters(flags)}]" for flags in range(256)]
_SSH_PORT = next(port for port, name in TCPDUMP_TCP_PORT_ORDER if name == "ssh")
_CACHE_LIMIT = 1 << 13  # flow heads kept; the caches start again when one grows past it

# the request methods dpkt.http.Request takes (a private attribute: the rich decoder parses request lines
# with it, so the C sinks must know which lines it may take)
_DPKT_REQUEST_METHODS: tuple[str, ...] = tuple(getattr(dpkt.http.Request, "_Request__methods", ()))

_fastline: ModuleType | None = None  # the compiled walk and line sink, when built and not turned off
if not os.environ.get("PYCAPTURE_PURE_PYTHON"):
    try:
        from . import _fastline as _compiled
    except ImportError:  # built without a C compiler: the Python below prints everything
        pass
    else:
        _compiled.set_flag_texts(_FLAGS)
        _compiled.set_dns_tables(_DNS_TYPES, _DNS_CLASSES, _DNS_OPS, _DNS_RCODES)
        _compiled.set_names(
            [start.decode("ascii") for start in HTTP_STARTS],
            TCPDUMP_NTP_MODE_NAMES,
            SYSLOG_FACILITIES,
            SYSLOG_SEVERITIES,
            [TCPDUMP_TCP_OPTION_NAMES.get(kind, "") for kind in range(9)],  # the kinds the C prints
        )
        _compiled.set_ports(TCP_APPS, UDP_APPS)
        _compiled.set_rich_apps(
            UDP_DECODERS, HTTP_PORTS, TLS_PORTS, HTTP_METHODS, _DPKT_REQUEST_METHODS, DNS_PORT, TCP_DECODERS
        )
        _fastline = _compiled

COMPILED = _fastline is not None
"""Whether the compiled shortcut is in use."""
FASTLINE: ModuleType | None = _fastline
"""The compiled module (its tables set), for the other sinks of the walk (a table's columns); None when
it is not in use."""


def _walk_python(linktype: int, data: bytes) -> tuple | None:
    return walk_ethernet(data, 0, len(data)) if linktype == 1 else None


walk_fields: Callable[[int, bytes], tuple | None] = _walk_python if _fastline is None else _fastline.walk
"""``walk_fields(linktype, data)``: the fields of :class:`~pycapture.decode.walk.Walk` as a plain tuple,
or None where the walk does not take the frame; compiled when the shortcut is built. For the other sinks
of the walk (the JSON fast path)."""


class SummaryCache:
    """Texts that repeat from packet to packet (flow heads, TCP options), and the TCP conversations of
    relative sequence numbers (``seqs``; None prints them absolute, as ``tcpdump -S``). One per
    capture: the caches may be trimmed, the conversations may not."""

    __slots__ = ("icmp", "options", "seqs", "tcp", "udp")

    def __init__(self, seqs: TcpSequences | None = None) -> None:
        self.tcp: dict[bytes, str] = {}
        self.udp: dict[bytes, str] = {}
        self.icmp: dict[bytes, str] = {}
        self.options: dict[bytes, tuple[str, bool]] = {}
        self.seqs = seqs

    def trim(self) -> None:
        for cache in (self.tcp, self.udp, self.icmp, self.options):
            if len(cache) > _CACHE_LIMIT:
                cache.clear()


def _address_text(raw: bytes) -> str:
    return _ntoa(raw) if len(raw) == 4 else _ntop(_AF_INET6, raw)


def _flow_head(key: bytes, label: str, size: int, sport: int, dport: int) -> str:
    """``IP a.b.c.d.p > e.f.g.h.q: ``: ``key`` holds the two addresses of ``size`` bytes."""
    src, dst = _address_text(key[:size]), _address_text(key[size : 2 * size])
    return f"{label}{src}.{sport} > {dst}.{dport}: "


def _dns_line(head: str, message: bytes, size: int, mdns: bool) -> str | None:
    """``head`` and the DNS summary of ``message`` (at most ``size`` bytes of it), as the lean decoder
    and summary_line give them; None when lean would not call it DNS."""
    layers: Layers = []
    decode_dns(message, 0, min(size, len(message)), layers, size, mdns)
    if layers[0][0] != "dns":
        return None
    cut = len(layers) > 1
    return f"{head}{_dns_text(layers[0], cut)}{' [|domain]' if cut else ''}\n"


def _http_text(data: bytes, start: int, n: int, length: int) -> str:
    """The HTTP part of a line: the message of ``length`` bytes is at ``start``, the frame ends at ``n``."""
    if not data.startswith(HTTP_STARTS, start, min(n, start + length)):
        return ": HTTP"
    line, cut = http_first_line(data, start, length, n)
    return f": HTTP{': ' + line if line else ''}{' [|http]' if cut else ''}"


def _walk_line(data: bytes, n: int, walked: tuple, cache: SummaryCache) -> str | None:
    """The summary line, with its newline, of the frame whose :class:`~pycapture.decode.walk.Walk` fields
    are ``walked``, or None for the general path. TCP is written out here rather than in a function of its
    own: a call per segment costs 3%.

    ``data`` may hold more than the frame (a buffer of records): ``n`` is where the frame ends, and
    every read is checked against it."""
    (_etype, _vlan, _network, version, addresses, _ttl, proto, ip_payload, _ident, _frag, t,
     sport, dport, seq, ack, flags, win, hl, icmp_type, _code, icmp_rest, payload, plen, app,
    ) = walked  # fmt: skip
    if version == 4:
        size, label = 4, "IP "
    else:
        size, label = 16, "IP6 "
    if proto == 6:
        if app == APP_DNS or flags & 0x20:  # URG: lean prints its pointer
            return None
        # a payload on a lean port is lean's, even where DNS or HTTP is the other port: tcpdump's order of
        # ports decides between them; but SSH prints a version banner only, and a payload on its port (and
        # no other printer's) whose first bytes differ from "SSH-" (before the capture or the segment ends)
        # prints nothing more
        if plen and (app == APP_LEAN or TCP_APPS.get(sport) == APP_LEAN or TCP_APPS.get(dport) == APP_LEAN):
            other = dport if sport == _SSH_PORT else sport if dport == _SSH_PORT else -1
            if other < 0 or other in TCP_APPS or b"SSH-".startswith(data[payload : payload + min(plen, 4)]):
                return None
        flags &= 0xFF
        options = ""
        if hl == 32 and data[t + 20 : t + 24] == TIMESTAMPS_ONLY:
            val, ecr = _u32x2(data, t + 24)
            tail = f", options [nop,nop,TS val {val} ecr {ecr}], length {plen}"
        elif hl == 20:
            tail = f", length {plen}"
        else:
            raw = data[t + 20 : t + hl]
            found_options = cache.options.get(raw)
            if found_options is None:
                text, ended = _tcp_options(raw, len(raw))
                # a bad option ends the line (one whose length tcpdump reads past the header is lean's);
                # MPTCP's text depends on the flags, MD5's on the capture's end: lean prints those ("")
                bad = ended and "[bad opt]" in text
                lean = (ended and not bad) or "mptcp" in text or "md5" in text
                shown = "" if lean else f", options {text}" if bad else f", options {text}, length "
                found_options = cache.options[raw] = (shown, "sack " in text)
            options, sack = found_options
            if not options:
                return None
            tail = ""
        key = data[addresses : t + 4]
        head = cache.tcp.get(key)
        if head is None:
            head = cache.tcp[key] = _flow_head(key, label, size, sport, dport)
        sack_base = 0
        if flags & 0x10 and cache.seqs is not None:
            src, dst = key[:size], key[size : 2 * size]
            seq, ack, sack_base = cache.seqs.relative(src, dst, sport, dport, flags, seq, ack)
        if options:
            if sack and sack_base:  # SACK blocks are relative too: this text is the segment's own
                text, ended = _tcp_options(raw, len(raw), 0, sack_base)
                options = f", options {text}" if ended else f", options {text}, length "
            if not options.endswith("length "):  # a bad option ended the line
                tail = options
                app = APP_NONE
            else:
                tail = f"{options}{plen}"
        if app == APP_HTTP and plen:
            tail += _http_text(data, payload, n, plen)
        if flags & 0x10:
            if plen:
                end = (seq + plen) & 0xFFFFFFFF
                return f"{head}{_FLAGS[flags]}, seq {seq}:{end}, ack {ack}, win {win}{tail}\n"
            if flags & 0x07:
                return f"{head}{_FLAGS[flags]}, seq {seq}, ack {ack}, win {win}{tail}\n"
            return f"{head}{_FLAGS[flags]}, ack {ack}, win {win}{tail}\n"
        if plen:
            end = (seq + plen) & 0xFFFFFFFF
            return f"{head}{_FLAGS[flags]}, seq {seq}:{end}, win {win}{tail}\n"
        if flags & 0x07:
            return f"{head}{_FLAGS[flags]}, seq {seq}, win {win}{tail}\n"
        return f"{head}{_FLAGS[flags]}, win {win}{tail}\n"

    if proto == 17:
        if app in (APP_BOOTP, APP_NTP, APP_SYSLOG, APP_LEAN):  # the lean decoder names them
            return None
        key = data[addresses : t + 4]
        head = cache.udp.get(key)
        if head is None:
            head = cache.udp[key] = _flow_head(key, label, size, sport, dport)
        if app == APP_NONE:
            return f"{head}UDP, length {plen}\n"
        # print-udp.c hands DNS the shorter of the UDP and IP lengths
        return _dns_line(head, data[payload:n], min(plen, ip_payload - 8), app == APP_MDNS)
    if ip_payload < 8:  # the id and sequence number past the IP length: the general path's [|icmp]
        return None
    neighbor = proto == 58 and (icmp_type == 135 or icmp_type == 136)
    if neighbor and (ip_payload < 24 or n < t + 24):  # the target cut: the general path's [|icmp6]
        return None
    if proto == 1:
        if icmp_type != 0 and icmp_type != 8:
            return None
        name = "ICMP echo request" if icmp_type else "ICMP echo reply"
    elif neighbor:
        name = (
            "ICMP6, neighbor solicitation, who has "
            if icmp_type == 135
            else "ICMP6, neighbor advertisement, tgt is "
        )
    else:
        if icmp_type != 128 and icmp_type != 129:
            return None
        name = "ICMP6, echo request" if icmp_type == 128 else "ICMP6, echo reply"
    key = data[addresses : addresses + 2 * size]
    head = cache.icmp.get(key)
    if head is None:
        head = cache.icmp[key] = f"{label}{_address_text(key[:size])} > {_address_text(key[size:])}: "
    if neighbor:  # print-icmp6.c without -v: the target, then the length
        return f"{head}{name}{_address_text(data[t + 8 : t + 24])}, length {ip_payload}\n"
    return f"{head}{name}, id {icmp_rest >> 16}, seq {icmp_rest & 0xFFFF}, length {ip_payload}\n"


def _ip_cut(walked: tuple, length: int) -> bool:
    """Whether the IP header of a frame of ``length`` bytes on the wire says more than that: tcpdump then
    says "truncated-ip - N bytes missing!" (or "truncated-ip6 - ..."), which only the general path writes."""
    return bool(length - walked[2] < walked[7] + (20 if walked[3] == 4 else 40))


def frame_summary(linktype: int, data: bytes, length: int, cache: SummaryCache) -> str:
    """The summary line of one frame (no timestamp, no newline), by the shortcut where it applies."""
    if linktype == 1:
        walked = walk_ethernet(data, 0, len(data))
        if walked is not None and not _ip_cut(walked, length):
            line = _walk_line(data, len(data), walked, cache)
            if line is not None:
                return line[:-1]
    return summary_line(decode(linktype, data, length), length, False, cache.seqs)


def summary_batch(
    linktype: int,
    records: Sequence[Record],
    stamp: Callable[[int, int], str],
    second_prefix: Callable[[int], str | None] | None,
    cache: SummaryCache,
    compiled: bool = True,
) -> str:
    """The text (one line per record, each ending in a newline) of a batch of records.

    ``stamp(sec, frac)`` is the timestamp formatter; ``second_prefix(sec)``, when given, returns the
    part of its text that changes only with the second (``"12:00:01."``), or None where ``stamp``
    must be called, and the six-digit fraction (as tcpdump's ``(unsigned)``) and a space follow it.
    ``compiled=False`` keeps the compiled shortcut out (the tests compare the two).
    """
    if compiled and _fastline is not None and linktype == 1 and second_prefix is not None:
        return _summary_batch_compiled(_fastline, records, stamp, second_prefix, cache)
    out: list[str] = []
    append = out.append
    ethernet = linktype == 1
    last_sec = -1
    prefix: str | None = None
    for sec, frac, length, data in records:
        n = len(data)
        if not n or length < n or length > MAXIMUM_SNAPLEN:
            append(f"{invalid_header(n, length)}\n")
            continue
        if second_prefix is not None:
            if sec != last_sec:
                last_sec = sec
                prefix = second_prefix(sec)
            when = f"{prefix}{frac & U32_MAX:06d} " if prefix is not None else stamp(sec, frac)
        else:
            when = stamp(sec, frac)
        line = None
        if ethernet:
            walked = walk_ethernet(data, 0, n)
            if walked is not None and not _ip_cut(walked, length):
                line = _walk_line(data, n, walked, cache)
        if line is None:
            line = summary_line(decode(linktype, data, length), length, False, cache.seqs) + "\n"
        append(when)
        append(line)
    cache.trim()
    return "".join(out)


def summary_records(
    linktype: int,
    buf: bytes | memoryview,
    max_caplen: int,
    stamp: Callable[[int, int], str],
    second_prefix: Callable[[int], str | None] | None,
    cache: SummaryCache,
    compiled: bool = True,
) -> tuple[str, int, int]:
    """The lines of the classic pcap records (16-byte header in native byte order, then the bytes) at
    the start of ``buf``, read in place: ``(text, bytes used, records)``.

    Stops before a record that does not fit in ``buf`` or whose captured length exceeds ``max_caplen``;
    the caller decides what that record is. The lines are those of :func:`summary_batch`.
    """
    if compiled and _fastline is not None and linktype == 1 and second_prefix is not None:
        return _summary_records_compiled(_fastline, buf, max_caplen, stamp, second_prefix, cache)
    if not isinstance(buf, bytes):
        buf = bytes(buf)  # the Python slices the buffer into cache keys: they must be bytes
    return _summary_records(linktype, buf, 0, max_caplen, stamp, second_prefix, cache, -1)


def _summary_records(
    linktype: int,
    buf: bytes,
    p: int,
    max_caplen: int,
    stamp: Callable[[int, int], str],
    second_prefix: Callable[[int], str | None] | None,
    cache: SummaryCache,
    limit: int,
) -> tuple[str, int, int]:
    """:func:`summary_records` in Python, from byte ``p`` on, for at most ``limit`` records (-1: all);
    returns the position after the last record printed rather than a length."""
    records: list[Record] = []
    append = records.append
    header = RECORD_HEADER.unpack_from
    end = len(buf)
    while p + 16 <= end and len(records) != limit:
        sec, frac, caplen, length = header(buf, p)
        d = p + 16
        e = d + caplen
        if e > end or caplen > max_caplen:
            break
        append((sec, frac, length, buf[d:e]))
        p = e
    return summary_batch(linktype, records, stamp, second_prefix, cache, False), p, len(records)


def _summary_records_compiled(
    fastline: ModuleType,
    buf: bytes | memoryview,
    max_caplen: int,
    stamp: Callable[[int, int], str],
    second_prefix: Callable[[int], str | None],
    cache: SummaryCache,
) -> tuple[str, int, int]:
    """:func:`summary_records` of Ethernet records by the compiled shortcut (``fastline``), each record it
    leaves printed by the Python."""
    records = fastline.records
    table = cache.seqs.table if cache.seqs is not None else None
    out: list[str] = []
    p = count = 0
    while True:
        text, p, n, left = records(buf, p, max_caplen, second_prefix, table, TcpSequences.LIMIT)
        out.append(text)
        count += n
        if not left:
            break
        record = bytes(buf[p : p + 16 + RECORD_HEADER.unpack_from(buf, p)[2]])  # whole: the extension checked
        text, used, n = _summary_records(1, record, 0, max_caplen, stamp, second_prefix, cache, 1)
        out.append(text)
        count += n
        p += used
    return "".join(out), p, count


def _summary_batch_compiled(
    fastline: ModuleType,
    records: Sequence[Record],
    stamp: Callable[[int, int], str],
    second_prefix: Callable[[int], str | None],
    cache: SummaryCache,
) -> str:
    """:func:`summary_batch` of Ethernet records by the compiled shortcut (``fastline``), each record it
    leaves printed by the Python."""
    batch = fastline.batch
    if not isinstance(records, list):
        records = list(records)
    table = cache.seqs.table if cache.seqs is not None else None
    out: list[str] = []
    i = 0
    total = len(records)
    while True:
        text, i = batch(records, i, second_prefix, table, TcpSequences.LIMIT)
        out.append(text)
        if i >= total:
            break
        out.append(summary_batch(1, records[i : i + 1], stamp, second_prefix, cache, False))
        i += 1
    return "".join(out)


__all__ = ["COMPILED", "SummaryCache", "frame_summary", "summary_batch", "summary_records", "walk_fields"]
