"""Sinks that print the rich model: Pcap4J's layered dump (-v) and JSON Lines (--json).

Kept apart from :mod:`pycapture.output.printer` so that the one-line path never imports the rich
decoder (dpkt's full classes) it does not use.
"""

from __future__ import annotations

from typing import TextIO

from ..decode.rich import decode
from ..protocols.linktypes import linktype_name
from .hexdump import hex_lines
from .jsonl import to_dict, to_json
from .pcap4j import format_packet


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
        decoded = decode(self._linktype, data)
        text = format_packet(decoded, ts_sec, ts_usec, length, len(data), utc=self._utc, nano=self._nano)
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
        self._write = out.write
        self._flush = out.flush if flush_each else None
        self._number = 0

    def __call__(self, ts_sec: int, ts_usec: int, length: int, data: bytes) -> None:
        self._number += 1
        decoded = decode(self._linktype, data)
        line = to_json(
            to_dict(
                decoded, self._number, ts_sec, ts_usec, length, len(data), self._linktype_name, self._nano
            )
        )
        self._write(line + "\n")
        if self._flush is not None:
            self._flush()
