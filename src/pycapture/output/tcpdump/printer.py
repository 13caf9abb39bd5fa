"""Sinks that print: one tcpdump-style line per packet (with -e, -x/-X, -t... as asked), and statistics."""

from __future__ import annotations

import sys
from typing import TextIO

from ...decode.lean import decode
from ...decode.lean_layers import Layers
from ...packet import frame_linktype
from ..hexdump import hex_lines
from .fastsummary import SummaryCache, summary_batch, summary_records
from .linkheaders import hex_start, raw_link_prefix, stopped_by_longjmp
from .linklevel import link_prefix
from .text import TcpSequences, invalid_header, summary_line
from .timestamps import second_prefix_function, time_formatter

_LINK_HEADER_BYTES = {"eth": 14, "vlan": 4, "sll": 16, "sll2": 20, "null": 4}

# tcpdump compiles a filter for every capture (an empty one when none is given), and libpcap's compiler
# (gencode.c, init_linktype) stops with "unknown data link type N" for a DLT it has no offsets for. It
# takes every DLT of the "matching range" (DLT_MATCHING_MIN..DLT_MATCHING_MAX in libpcap 1.10; there
# only link[N:M] filters work, and tcpdump prints what it has no printer for as UNSUPPORTED hex) and,
# below it, the DLTs its switch names, at their Linux values: NULL, EN10MB, IEEE802, ARCNET, SLIP, PPP,
# FDDI, ATM_RFC1483, RAW, SLIP_BSDOS, PPP_BSDOS, ATM_CLIP, PPP_SERIAL, PPP_ETHER, SYMANTEC_FIREWALL.
DLT_MATCHING_MIN = 104
DLT_MATCHING_MAX = 289
_COMPILER_DLTS = frozenset((0, 1, 6, 7, 8, 9, 10, 11, 12, 15, 16, 19, 50, 51, 99))


def tcpdump_prints(datalink: int) -> bool:
    """Whether tcpdump prints packets of this DLT at all; False where it stops at once with
    "unknown data link type", printing no packet (with -w, -c, a filter or -x alike)."""
    return DLT_MATCHING_MIN <= datalink <= DLT_MATCHING_MAX or datalink in _COMPILER_DLTS


def lean_link_header_length(layers: Layers) -> int:
    """How many bytes of link-layer header tcpdump's -x/-X skip, from the lean decoder's layers."""
    total = 0
    for t in layers:
        if t[0] == "llc":
            dsap, ssap, control = t[1], t[2], t[3]
            if dsap == ssap == 0xAA and control == 0x03:
                total += 8  # LLC + SNAP
            else:
                total += 3 if control & 0x03 == 0x03 else 4  # U-frames have a one-byte control field
            break
        if t[0] == "link":
            total += t[2]
            continue
        if t[0] == "said":  # lean_links2's headers count their own link layer
            return total + t[4]
        size = _LINK_HEADER_BYTES.get(t[0])
        if size is None:
            break
        total += size
    return total


class SummaryPrinter:
    """Print ``TIME SUMMARY`` for each packet, e.g. ``12:00:01.000123 IP 10.0.0.1.53 > ...``.

    Called as ``printer(ts_sec, ts_usec, original_length, data)``, the same shape as
    :meth:`pycapture.pcapfile.PcapWriter.write`, so a capture loop can feed either.

    ``time_style``: tcpdump's count of -t flags (0 to 5). ``link_level``: -e. ``hex_level``: 1 for
    -x/-X (from the network layer), 2 for -xx/-XX (the whole frame); ``hex_ascii`` for the X forms.
    ``nano``: the second argument is nanoseconds and times show nine digits (tcpdump's --nano).
    ``relative``: TCP sequence numbers relative to each conversation, as tcpdump prints them by default
    (False: absolute, tcpdump's -S).
    """

    def __init__(
        self,
        linktype: int,
        out: TextIO,
        *,
        flush_each: bool = False,
        time_style: int = 0,
        utc: bool = False,
        link_level: bool = False,
        hex_level: int = 0,
        hex_ascii: bool = False,
        nano: bool = False,
        relative: bool = True,
    ) -> None:
        self._linktype = linktype
        self._out = out
        self._write = out.write
        self._flush = out.flush if flush_each else None
        self._time_style = time_style
        self._time = time_formatter(time_style, utc, nano)
        self._link_level = link_level
        self._hex_level = hex_level
        self._hex_ascii = hex_ascii
        self._plain = not link_level and not hex_level
        self._second_prefix = second_prefix_function(self._time)
        self._cache = SummaryCache(TcpSequences() if relative else None)
        # tcpdump starts each run knowing no IKEv1 initiator and no Rx call (their printers remember both)
        udp_apps = sys.modules.get(f"{__package__}.udp_apps")
        if udp_apps is not None:
            udp_apps.reset_isakmp_cookies()
            udp_apps.reset_rx_calls()
        if (rpc := sys.modules.get(f"{__package__}.rpc")) is not None:  # nor an NFS call
            rpc.reset_nfs_calls()

    @property
    def out(self) -> TextIO:
        """The stream the lines go to."""
        return self._out

    @property
    def stateless(self) -> bool:
        """True when each packet's text depends on that packet alone (no -ttt/-ttttt delta, no relative
        TCP sequence numbers) and is short (no hex dump), so that batches may be formatted out of order,
        in parallel."""
        return self._time_style not in (3, 5) and not self._hex_level and self._cache.seqs is None

    def format_batch(self, records: list[tuple[int, int, int, bytes]]) -> str:
        """The lines of a list of ``(ts_sec, ts_usec, original_length, data)`` records, as one string."""
        if self._plain:
            return summary_batch(self._linktype, records, self._time, self._second_prefix, self._cache)
        decorated = self._decorated
        linktype = self._linktype
        return "".join(
            decorated(sec, usec, length, data, decode(linktype, data, length), linktype)
            for sec, usec, length, data in records
        )

    @property
    def flushes_each_line(self) -> bool:
        """True when every line is flushed as it is written (tcpdump's -l, or -U with -w -)."""
        return self._flush is not None

    @property
    def reads_in_place(self) -> bool:
        """True when :meth:`format_records` may print the packets: plain summaries, not flushed per packet."""
        return self._plain and not self.flushes_each_line

    def format_records(self, buf: bytes, max_caplen: int) -> tuple[str, int, int]:
        """The lines of the classic pcap records at the start of ``buf``, read in place: ``(text, bytes
        used, records)``. See :func:`pycapture.output.fastsummary.summary_records`; only when
        :attr:`reads_in_place`."""
        return summary_records(self._linktype, buf, max_caplen, self._time, self._second_prefix, self._cache)

    def write_batch(self, records: list[tuple[int, int, int, bytes]]) -> None:
        """Print a list of records: one write for summaries, one per packet with hex dumps (their text
        is five times the packets' size, too much to hold for a whole batch)."""
        if self._hex_level:
            for record in records:
                self(*record)
            return
        self._write(self.format_batch(records))
        if self._flush is not None:
            self._flush()

    def __call__(self, ts_sec: int, ts_usec: int, length: int, data: bytes) -> None:
        bad = invalid_header(len(data), length)
        if bad is not None:
            self._write(f"{bad}\n")
            return
        # a pcapng packet read by pycapture's own reader carries its own interface's link type
        linktype = self._linktype if type(data) is bytes else frame_linktype(data, self._linktype)
        layers = decode(linktype, data, length)
        if self._plain:
            line = summary_line(layers, length, False, self._cache.seqs)
            self._write(f"{self._time(ts_sec, ts_usec)}{line}\n")
        else:
            self._write(self._decorated(ts_sec, ts_usec, length, data, layers, linktype))
        if self._flush is not None:
            self._flush()

    def _decorated(
        self, ts_sec: int, ts_usec: int, length: int, data: bytes, layers: Layers, linktype: int
    ) -> str:
        bad = invalid_header(len(data), length)
        if bad is not None:
            return f"{bad}\n"
        prefix = ""
        if self._link_level:
            raw = raw_link_prefix(linktype, data, length)
            prefix = link_prefix(layers, length) if raw is None else raw
        # a link type without -e text keeps the summary's own "IP " label
        line = summary_line(layers, length, bool(prefix), self._cache.seqs, not self._hex_level)
        if prefix:
            line = prefix + line
        text = f"{self._time(ts_sec, ts_usec)}{line}\n"
        if self._hex_level:
            start = 0
            if self._hex_level == 1:
                if layers and layers[0][0] == "said":  # lean_links2's headers count their own bytes, and
                    # know their cuts (the last layer's), Frame Relay's too (fr_print checks its lengths)
                    cut = stopped_by_longjmp(line) and layers[-1][0] != "said" and not line.endswith(" [|fr]")
                    known: int | None = 0 if cut else lean_link_header_length(layers)
                else:
                    known = hex_start(linktype, data, length, layers, lean_link_header_length, line)
                if known is None:
                    known = 0 if stopped_by_longjmp(line) else lean_link_header_length(layers)
                start = known
            dump = hex_lines(data[start:], self._hex_ascii)
            if dump:
                text += dump + "\n"
        return text


def statistics_lines(
    captured: int, received: int | None, dropped: int | None, if_dropped: int = 0
) -> list[str]:
    """tcpdump's closing statistics; ``received``/``dropped`` are None for a saved capture."""
    lines = [f"{captured} packet{'s' if captured != 1 else ''} captured"]
    if received is not None:
        lines.append(f"{received} packet{'s' if received != 1 else ''} received by filter")
    if dropped is not None:
        lines.append(f"{dropped} packet{'s' if dropped != 1 else ''} dropped by kernel")
    if if_dropped:
        lines.append(f"{if_dropped} packet{'s' if if_dropped != 1 else ''} dropped by interface")
    return lines
