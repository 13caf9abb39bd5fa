"""The JSON fast path: the layers of a JSON line written from the header walk, a sink of
:mod:`pycapture.decode.walk` as the tcpdump line is.

For a frame the walk takes (Ethernet with at most one 802.1Q tag, IPv4 without options or IPv6 without
extension headers, then TCP, UDP, an ICMP echo or an ICMPv6 echo) and whose payload names no application
the rich decoder would decode, :func:`walk_layers` writes the ``"layers"`` list straight from the walk's
offsets: the same bytes :func:`pycapture.output.jsonl.to_dict` and :func:`~pycapture.output.jsonl.to_json`
give through :func:`pycapture.decode.rich.decode` (``tests/output/test_jsonfast.py`` holds the two equal
on every frame of the corpus), without building a layer, a field or a dict. Any other frame gives None
and takes the rich path, which decides everything the walk does not carry.

The same lines also exist compiled (``_jsonsink.h`` in the walk's extension): :data:`records_text` and
:data:`batch_text` write whole lines, frame object included, for the frames :func:`walk_layers` takes and
for some the rich decoder decodes further, where its output is certain: TLS records other than handshakes,
HTTP ports' payloads whose first line no HTTP parser takes, and DNS over UDP with A, AAAA, NS, CNAME and
PTR records. They stop at any other frame for the Python to write, and are None without the extension or
with ``PYCAPTURE_PURE_PYTHON=1``; ``tests/output/test_jsonsink.py`` holds the lines to the Python's.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..decode.rich.transport import plain_segment, tcp_options
from ..decode.walk import TIMESTAMPS_ONLY
from ..packet import Record
from ..protocols.numbers import tcp_flag_letters
from .jsonl import second_text, to_json
from .tcpdump.fastsummary import COMPILED

_inet_ntoa = socket.inet_ntoa
_inet_ntop = socket.inet_ntop
_AF_INET6 = socket.AF_INET6
_CACHE_LIMIT = 1 << 12

# The echoes the fast path writes, by (IP protocol, ICMP type): the rich layer's name and its keys for
# the identifier and the sequence number.
_ICMP4_ECHO = ("icmp", "ident", "seq")
_ICMP6_ECHO = ("icmpv6", "echo.identifier", "echo.sequence_number")
_ECHOES = {(1, 0): _ICMP4_ECHO, (1, 8): _ICMP4_ECHO, (58, 128): _ICMP6_ECHO, (58, 129): _ICMP6_ECHO}

# The TCP fields that follow from the 12 low bits of the offset-and-flags word alone, by those bits.
_flag_texts: dict[int, str] = {}
# The options' JSON text by their bytes (handshakes repeat a few sets), "" for options the rich path takes.
_option_texts: dict[bytes, str | None] = {}


def _flag_text(bits: int) -> str:
    flags = bits & 0x0FFF
    text = _flag_texts.get(flags)
    if text is None:
        bools = ",".join(
            f'"flags.{name}":{"true" if flags & bit else "false"}'
            for name, bit in (
                ("urg", 0x20),
                ("ack", 0x10),
                ("push", 0x08),
                ("reset", 0x04),
                ("syn", 0x02),
                ("fin", 0x01),
            )
        )
        letters = to_json(tcp_flag_letters(flags))
        text = f'"flags.res":{(bits >> 6) & 0x3F},{bools},"flags":{flags},"flags_str":{letters}'
        _flag_texts[flags] = text
    return text


def _options_text(raw: bytes) -> str | None:
    """The options' members of the TCP object (each after a comma), or None where the rich path must
    decide (an option cut short, or one key given twice)."""
    text = _option_texts.get(raw, "")
    if text != "":
        return text
    fields, problem = tcp_options(raw)
    shown = [f for f in fields if f.json]
    keys = {f.key for f in shown}
    if problem is not None or len(keys) < len(shown):
        text = None
    else:
        text = "".join(f',"{f.key}":{to_json(f.value)}' for f in shown)
    if len(_option_texts) >= _CACHE_LIMIT:
        _option_texts.clear()
    _option_texts[raw] = text
    return text


def walk_layers(data: bytes, walked: tuple) -> str | None:
    """The JSON text of the ``"layers"`` list (brackets included) of the frame ``data`` whose walk gave
    ``walked`` (the fields of :class:`~pycapture.decode.walk.Walk`), or None for the rich path."""
    (etype, vlan, o, version, addresses, ttl, proto, ip_payload, ident, frag, t,
     sport, dport, seq, ack, _flags, win, hl, itype, code, rest, _payload, _plen, _app) = walked  # fmt: skip
    n = len(data)
    if proto == 6 or proto == 17:
        plain = plain_segment(data, walked)
        if plain is None:
            return None
        end, start, stop = plain
        payload = data[start:stop]
    elif proto == (1 if version == 4 else 58) and (version == 4 or ip_payload):  # 0: a jumbogram's
        # the rich decoder cuts the IP payload at the datagram's own length: the ICMP header must fit
        end = min(o + (20 if version == 4 else 40) + ip_payload, n)
        if end - t < 8:
            return None
        payload = data[t + 8 : end]
    else:
        return None
    if version == 4:
        ip = (
            f'{{"layer":"ip","version":4,"hdr_len":20,"dsfield":{data[o + 1]},"len":{ip_payload + 20},'
            f'"id":{ident},"flags":{frag >> 13},"frag_offset":0,"ttl":{ttl},"proto":{proto},'
            f'"checksum":{data[o + 10] << 8 | data[o + 11]},'
            f'"src":"{_inet_ntoa(data[addresses : addresses + 4])}",'
            f'"dst":"{_inet_ntoa(data[addresses + 4 : addresses + 8])}"}}'
        )
    else:
        word = int.from_bytes(data[o : o + 4], "big")
        ip = (
            f'{{"layer":"ipv6","version":6,"tclass":{(word >> 20) & 0xFF},"flow":{word & 0xFFFFF},'
            f'"plen":{ip_payload},"nxt":{proto},"hlim":{ttl},'
            f'"src":"{_inet_ntop(_AF_INET6, data[addresses : addresses + 16])}",'
            f'"dst":"{_inet_ntop(_AF_INET6, data[addresses + 16 : addresses + 32])}"}}'
        )
    if proto == 6:
        if hl == 20:
            options = ""
        elif hl == 32 and data[t + 20 : t + 24] == TIMESTAMPS_ONLY:
            options = (
                f',"options.timestamp":{{"tsval":{int.from_bytes(data[t + 24 : t + 28], "big")},'
                f'"tsecr":{int.from_bytes(data[t + 28 : t + 32], "big")}}}'
            )
        else:
            found = _options_text(data[t + 20 : t + hl])
            if found is None:
                return None
            options = found
        transport = (
            f'{{"layer":"tcp","srcport":{sport},"dstport":{dport},"seq":{seq},"ack":{ack},"hdr_len":{hl},'
            f"{_flag_text(data[t + 12] << 8 | data[t + 13])},"
            f'"window_size":{win},"checksum":{data[t + 16] << 8 | data[t + 17]},'
            f'"urgent_pointer":{data[t + 18] << 8 | data[t + 19]}{options}}}'
        )
    elif proto == 17:
        ulen = data[t + 4] << 8 | data[t + 5]
        transport = (
            f'{{"layer":"udp","srcport":{sport},"dstport":{dport},"length":{ulen},'
            f'"checksum":{data[t + 6] << 8 | data[t + 7]}}}'
        )
    else:
        echo = _ECHOES.get((proto, itype))
        if echo is None:
            return None
        layer, ident, sequence = echo
        transport = (
            f'{{"layer":"{layer}","type":{itype},"code":{code},"checksum":{data[t + 2] << 8 | data[t + 3]},'
            f'"{ident}":{rest >> 16},"{sequence}":{rest & 0xFFFF}}}'
        )
    pad = f',"padding":"{data[end:].hex(":")}"' if end < n else ""
    link = (
        f'{{"layer":"eth","dst":"{data[0:6].hex(":")}","src":"{data[6:12].hex(":")}",'
        f'"type":{data[12] << 8 | data[13]}{pad}}}'
    )
    if vlan >= 0:
        link += (
            f',{{"layer":"vlan","priority":{vlan >> 13},"dei":{(vlan >> 12) & 1},"id":{vlan & 0xFFF},'
            f'"etype":{etype}}}'
        )
    if payload:
        return f'[{link},{ip},{transport},{{"layer":"data","len":{len(payload)}}}]'
    return f"[{link},{ip},{transport}]"


if TYPE_CHECKING:  # (bytes | memoryview is not a value before Python 3.10)
    _RecordsText = Callable[[bytes | memoryview, int, int, int, str, bool], tuple[str, int, int, bool]]
    _BatchText = Callable[[list[Record], int, int, str, bool], tuple[str, int]]

records_text: _RecordsText | None = None
"""``records_text(buf, pos, max_caplen, number, linktype_json, nano)``: the compiled lines of the classic
pcap records of ``buf`` from byte ``pos`` on, the first numbered ``number + 1``, as ``(text, pos, count,
stopped_at_frame)``. It stops before a record that does not fit in ``buf`` or whose captured length
exceeds ``max_caplen`` (``stopped_at_frame`` False), or at a whole record it leaves to the Python (True;
``pos`` is that record's). None without the compiled extension."""
batch_text: _BatchText | None = None
"""``batch_text(records, start, number, linktype_json, nano)``: the compiled lines of the Ethernet
``records`` from index ``start`` on, the first numbered ``number + 1``, as ``(text, index)``, index that
of the first record left to the Python. None without the compiled extension."""

if COMPILED:  # fastsummary has passed the extension its tables
    from .tcpdump import _fastline

    def _records_text(
        buf: bytes | memoryview, pos: int, max_caplen: int, number: int, linktype_json: str, nano: bool
    ) -> tuple[str, int, int, bool]:
        return _fastline.json_records(
            buf, pos, max_caplen, number, linktype_json, nano, second_text, _flag_text
        )

    def _batch_text(
        records: list[Record], start: int, number: int, linktype_json: str, nano: bool
    ) -> tuple[str, int]:
        return _fastline.json_batch(records, start, number, linktype_json, nano, second_text, _flag_text)

    records_text, batch_text = _records_text, _batch_text

__all__ = ["batch_text", "records_text", "walk_layers"]
