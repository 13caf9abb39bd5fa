"""Sinks that print the rich model: Pcap4J's layered dump (-v) and JSON Lines (--json).

Kept apart from :mod:`pycapture.output.printer` so that the one-line path never imports the rich
decoder (dpkt's full classes) it does not use.
"""

from __future__ import annotations

from typing import TextIO

from ..decode.rich import decode
from ..packet import Record, frame_comments, frame_linktype
from ..protocols.linktypes import linktype_name
from ..savefile.format import RECORD_HEADER, RECORD_HEADER_SIZE
from .hexdump import hex_lines
from .jsonfast import batch_text, records_text, walk_layers
from .jsonl import to_dict, to_json, utc_time_text
from .pcap4j import format_packet, packet_head, with_comments
from .pcap4jfast import walk_dump
from .tcpdump.fastsummary import walk_fields


class Pcap4jPrinter:
    """Print each packet as Pcap4J's GetNextPacketEx sample does: the layered dump, then a blank line.

    With ``hex_ascii``/``hex_level`` the tcpdump-style hex dump of the whole frame follows (-v -X).
    ``nano``: the second argument of each call is nanoseconds, not microseconds.
    """

    def __init__(
        self,
        linktype: int,
        out: TextIO,
        *,
        flush_each: bool = False,
        utc: bool = False,
        hex_level: int = 0,
        hex_ascii: bool = False,
        nano: bool = False,
    ) -> None:
        self._nano = nano
        self._linktype = linktype
        self._write = out.write
        self._flush = out.flush if flush_each else None
        self._utc = utc
        self._hex_level = hex_level
        self._hex_ascii = hex_ascii

    def __call__(self, ts_sec: int, ts_usec: int, length: int, data: bytes) -> None:
        linktype = self._linktype if type(data) is bytes else frame_linktype(data, self._linktype)
        walked = walk_fields(linktype, data)
        blocks = None if walked is None else walk_dump(data, walked)
        if blocks is None:
            decoded = decode(linktype, data)
            text = format_packet(decoded, ts_sec, ts_usec, length, len(data), utc=self._utc, nano=self._nano)
        else:  # the fast path: the blocks of format_packet, written from the walk
            text = f"{packet_head(ts_sec, ts_usec, length, utc=self._utc, nano=self._nano)}\n{blocks}"
        if type(data) is not bytes:
            text = with_comments(text, frame_comments(data))
        if self._hex_level:
            text += hex_lines(data, self._hex_ascii) + "\n"
        self._write(text + "\n")
        if self._flush is not None:
            self._flush()


class JsonLinesPrinter:
    """Print one JSON object per packet (the schema is in the README and :mod:`pycapture.output.jsonl`).

    Ethernet frames go to the compiled sink of :mod:`pycapture.output.jsonfast` first (a whole classic
    pcap file read in place, :meth:`format_records`, or a batch of records), and the Python writes each
    frame it leaves: the walk's layers (:func:`~pycapture.output.jsonfast.walk_layers`) where they apply,
    else the rich decoder's. ``compiled=False`` keeps the compiled sink out (the tests compare the two).
    """

    def __init__(
        self,
        linktype: int,
        out: TextIO,
        *,
        flush_each: bool = False,
        nano: bool = False,
        compiled: bool = True,
    ) -> None:
        self._nano = nano
        self._linktype = linktype
        self._linktype_name = linktype_name(linktype)
        self._linktype_json = to_json(self._linktype_name)
        self._out = out
        self._write = out.write
        self._flush = out.flush if flush_each else None
        self._number = 0
        ethernet = compiled and linktype == 1
        self._records_text = records_text if ethernet else None
        self._batch_text = batch_text if ethernet else None

    @property
    def out(self) -> TextIO:
        """The stream the lines go to."""
        return self._out

    @property
    def reads_in_place(self) -> bool:
        """True when :meth:`format_records` may print the packets: the compiled sink takes the link type,
        and no line is flushed on its own."""
        return self._records_text is not None and self._flush is None

    def format_records(self, buf: bytes | memoryview, max_caplen: int) -> tuple[str, int, int]:
        """The lines of the classic pcap records (native byte order) at the start of ``buf``, read in
        place: ``(text, bytes used, records)``. Stops before a record that does not fit in ``buf`` or whose
        captured length exceeds ``max_caplen``; only when :attr:`reads_in_place`."""
        records = self._records_text
        assert records is not None
        header = RECORD_HEADER.unpack_from
        out: list[str] = []
        p = count = 0
        while True:
            text, p, n, left = records(buf, p, max_caplen, self._number, self._linktype_json, self._nano)
            out.append(text)
            self._number += n
            count += n
            if not left:
                return "".join(out), p, count
            sec, frac, caplen, length = header(buf, p)
            start = p + RECORD_HEADER_SIZE
            out.append(self._line(sec, frac, length, bytes(buf[start : start + caplen])))  # whole: checked
            count += 1
            p = start + caplen

    def write_batch(self, records: list[Record]) -> None:
        """Print a list of ``(ts_sec, ts_usec, original_length, data)`` records in one write."""
        batch = self._batch_text
        if batch is None:
            text = "".join([self._line(*record) for record in records])
        else:
            if not isinstance(records, list):
                records = list(records)
            out: list[str] = []
            i = 0
            total = len(records)
            while True:
                text, end = batch(records, i, self._number, self._linktype_json, self._nano)
                out.append(text)
                self._number += end - i
                if end >= total:
                    break
                out.append(self._line(*records[end]))
                i = end + 1
            text = "".join(out)
        self._write(text)
        if self._flush is not None:
            self._flush()

    def __call__(self, ts_sec: int, ts_usec: int, length: int, data: bytes) -> None:
        self._write(self._line(ts_sec, ts_usec, length, data))
        if self._flush is not None:
            self._flush()

    def _line(self, ts_sec: int, ts_usec: int, length: int, data: bytes) -> str:
        """The next frame's line, with its newline, written in Python."""
        self._number += 1
        if type(data) is not bytes:  # a pcapng packet with its own interface's link type, or comments
            return self._frame_line(ts_sec, ts_usec, length, data)
        walked = walk_fields(self._linktype, data)
        layers = None if walked is None else walk_layers(data, walked)
        if layers is None:
            decoded = decode(self._linktype, data, dump=False)
            line = to_json(
                to_dict(
                    decoded, self._number, ts_sec, ts_usec, length, len(data), self._linktype_name, self._nano
                )
            )
        else:  # the fast path: the frame object of to_dict, written around the walk's layers
            time = utc_time_text(ts_sec, ts_usec, self._nano)
            stamp = "null" if time is None else f'"{time}"'
            line = (
                f'{{"frame":{{"number":{self._number},"time":{stamp},'
                f'"len":{length},"cap_len":{len(data)},"linktype":{self._linktype_json},"malformed":false}},'
                f'"layers":{layers}}}'
            )
        return line + "\n"

    def _frame_line(self, ts_sec: int, ts_usec: int, length: int, data: bytes) -> str:
        """:meth:`_line` for a :class:`~pycapture.packet.Frame`: decoded with its own link type, and its
        comments as ``frame.comment`` (a list, as tshark -T ek gives them)."""
        linktype = frame_linktype(data, self._linktype)
        decoded = decode(linktype, data, dump=False)
        frame = to_dict(
            decoded, self._number, ts_sec, ts_usec, length, len(data), linktype_name(linktype), self._nano
        )
        comments = frame_comments(data)
        if comments:
            frame["frame"]["comment"] = list(comments)
        return to_json(frame) + "\n"
