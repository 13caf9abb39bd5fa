"""Sinks that print the rich model: Pcap4J's layered dump (-v) and JSON Lines (--json).

Kept apart from :mod:`pycapture.output.printer` so that the one-line path never imports the rich
decoder (dpkt's full classes) it does not use.
"""

from __future__ import annotations

from typing import TextIO

from ..decode.rich import decode
from ..protocols.linktypes import linktype_name
from .hexdump import hex_lines
from .jsonfast import walk_layers
from .jsonl import to_dict, to_json, utc_time_text
from .pcap4j import format_packet, packet_head
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
        walked = walk_fields(self._linktype, data)
        blocks = None if walked is None else walk_dump(data, walked)
        if blocks is None:
            decoded = decode(self._linktype, data)
            text = format_packet(decoded, ts_sec, ts_usec, length, len(data), utc=self._utc, nano=self._nano)
        else:  # the fast path: the blocks of format_packet, written from the walk
            text = f"{packet_head(ts_sec, ts_usec, length, utc=self._utc, nano=self._nano)}\n{blocks}"
        if self._hex_level:
            text += hex_lines(data, self._hex_ascii) + "\n"
        self._write(text + "\n")
        if self._flush is not None:
            self._flush()


class JsonLinesPrinter:
    """Print one JSON object per packet (the schema is in the README and :mod:`pycapture.output.jsonl`)."""

    def __init__(self, linktype: int, out: TextIO, *, flush_each: bool = False, nano: bool = False) -> None:
        self._nano = nano
        self._linktype = linktype
        self._linktype_name = linktype_name(linktype)
        self._linktype_json = to_json(self._linktype_name)
        self._write = out.write
        self._flush = out.flush if flush_each else None
        self._number = 0

    def __call__(self, ts_sec: int, ts_usec: int, length: int, data: bytes) -> None:
        self._number += 1
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
        self._write(line + "\n")
        if self._flush is not None:
            self._flush()
