"""Captures as Arrow record batches: :func:`read_batches`, :func:`read_table` and :func:`read_range`.

The definition of a row is the rich decoder's JSON view of the frame (``decode(linktype, data,
dump=False)``, the layers and keys of ``--json``): one extractor per layer name copies the fields the
schema wants into the frame's row (a list, one slot per column). A column no frame has is null; a field a
frame carries more than once gives its first, outermost occurrence. The schema is
:data:`pycapture.table.schema.SCHEMA` (docs/TABLE.md).

With the C extension built, rows go into a columnar store in C (``_fastline.Columns``, in
``output/tcpdump/_tablesink.h``): a classic pcap file is read in place (no Python object per packet),
and every frame the header walk takes and whose application the C follows (plain TCP and UDP, TLS
records and a Client Hello's name, HTTP request and status lines, DNS and NTP over UDP, ICMP echoes,
Neighbor Discovery, ARP) is written straight into Arrow buffers; the C stops at any other frame, whose
row is made here and appended. Without the extension (or with ``PYCAPTURE_PURE_PYTHON=1``) every row is
made here and each batch built with ``pa.array``. ``tests/table/test_columns.py`` holds the two to the
same table over the corpus and over damaged frames of each kind.

A damaged file: the rows before the damage are yielded (as a last, shorter batch), then the handle's
:class:`~pycapture.CaptureFileError` is raised, and the files after it are not read. To go on past a
damaged file, read the files one by one.
"""

from __future__ import annotations

import glob as _glob
import os
import socket
from collections.abc import Generator, Iterable, Iterator
from typing import Any, Callable, Union

import pyarrow as pa

from ..capture.handle import PcapHandle, open_offline
from ..capture.source import BaseHandle
from ..decode.rich import decode
from ..decode.rich.transport import plain_segment, tcp_options
from ..errors import CaptureFileError, PcapError
from ..output.tcpdump import fastsummary
from ..output.tcpdump.fastsummary import walk_fields
from ..packet import Record, frame_linktype
from ..protocols.linktypes import linktype_name
from ..savefile.format import RECORD_HEADER
from ..savefile.reader import RecordBuffers, mixed_interfaces
from .community_id import ICMP_COUNTERPARTS, ICMPV6_COUNTERPARTS, community_id
from .schema import COLUMNS, SCHEMA

Source = Union[str, "os.PathLike[str]", PcapHandle, Iterable[Union[str, "os.PathLike[str]"]]]
Transform = Callable[[int, bool], Callable[[list[Record]], list[Record]]]
"""read_batches' ``transform``: (link type, nanosecond times) -> a map of each batch of records."""

_INDEX = {name: i for i, name in enumerate(COLUMNS)}
_N = len(COLUMNS)
_INDEX = {name: at for at, name in enumerate(COLUMNS)}
(
    FILE, FRAME_NUMBER, TS, LEN, CAP_LEN, LINKTYPE, INTERFACE,
    ETH_SRC, ETH_DST, ETH_TYPE, VLAN_ID,
    IP_VERSION, IP_SRC, IP_DST, IP_PROTO, IP_TTL, IP_ID, IP_FRAG_OFFSET, IP_MORE_FRAGMENTS,
    SRC_PORT, DST_PORT, TCP_FLAGS, TCP_SEQ, TCP_ACK, TCP_WINDOW, PAYLOAD_LEN,
    ICMP_TYPE, ICMP_CODE,
    DNS_ID, DNS_QRY_NAME, DNS_RCODE, TLS_SNI, HTTP_METHOD, HTTP_HOST, HTTP_URI,
    PROTOCOLS, COMMUNITY_ID, MALFORMED,
) = range(_N)  # fmt: skip
assert COLUMNS[MALFORMED] == "malformed" and _N == 38

_FRAME_COLUMNS = frozenset((FILE, FRAME_NUMBER, TS, LEN, CAP_LEN, LINKTYPE, INTERFACE))
"""The columns that need no decoding."""

_TS_MAX = (1 << 63) - 1
_IPV6_EXTENSIONS = frozenset(("ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts"))
_TRANSPORT_HEADER = {"tcp": None, "udp": 8}  # None: the TCP header's own hdr_len

# key -> column, per layer name: the fields copied as they are, each the first time it is seen
_COPY: dict[str, dict[str, int]] = {
    "eth": {"src": ETH_SRC, "dst": ETH_DST, "type": ETH_TYPE},
    "vlan": {"id": VLAN_ID},
    "tcp": {
        "srcport": SRC_PORT, "dstport": DST_PORT, "flags": TCP_FLAGS, "seq": TCP_SEQ, "ack": TCP_ACK,
        "window_size": TCP_WINDOW,
    },
    "udp": {"srcport": SRC_PORT, "dstport": DST_PORT},
    "sctp": {"srcport": SRC_PORT, "dstport": DST_PORT},
    "icmp": {"type": ICMP_TYPE, "code": ICMP_CODE},
    "icmpv6": {"type": ICMP_TYPE, "code": ICMP_CODE},
    "dns": {"id": DNS_ID, "rcode": DNS_RCODE},
    "tls": {"handshake.extensions_server_name": TLS_SNI},
    "http": {"request.method": HTTP_METHOD, "request.uri": HTTP_URI},
}  # fmt: skip
_IPV4 = {
    "version": IP_VERSION, "src": IP_SRC, "dst": IP_DST, "proto": IP_PROTO, "ttl": IP_TTL, "id": IP_ID,
    "frag_offset": IP_FRAG_OFFSET,
}  # fmt: skip
_IPV6 = {"version": IP_VERSION, "src": IP_SRC, "dst": IP_DST, "nxt": IP_PROTO, "hlim": IP_TTL}
_FRAGHDR = {"ident": IP_ID, "offset": IP_FRAG_OFFSET, "more": IP_MORE_FRAGMENTS}


def _check_columns(columns: object) -> list[int]:
    if columns is None:
        return list(range(_N))
    if isinstance(columns, (str, bytes)) or not isinstance(columns, Iterable):
        raise TypeError(f"columns must be a list of column names or None, not {type(columns).__name__}")
    wanted: list[int] = []
    for name in columns:
        if not isinstance(name, str):
            raise TypeError(f"a column name must be a str, not {type(name).__name__}: {name!r}")
        index = _INDEX.get(name)
        if index is None:
            raise ValueError(f"unknown column {name!r}; the columns are: {', '.join(COLUMNS)}")
        if index not in wanted:
            wanted.append(index)
    return wanted


def _check_paths(source: object) -> list[str] | None:
    """The files of ``source`` (globs expanded, in order), or None for a handle; raises TypeError."""
    if isinstance(source, (PcapHandle, BaseHandle)):
        return None
    items: list[object]
    if isinstance(source, (str, os.PathLike)):
        items = [source]
    elif isinstance(source, (list, tuple)):
        items = list(source)
    else:
        raise TypeError(
            "source must be a path (str or Path), a glob, a list of those, or an open PcapHandle, "
            f"not {type(source).__name__}"
        )
    paths: list[str] = []
    for item in items:
        if isinstance(item, os.PathLike):
            item = os.fspath(item)
        if not isinstance(item, str):
            raise TypeError(f"a source path must be a str or a Path, not {type(item).__name__}: {item!r}")
        if _glob.has_magic(item) and not os.path.exists(item):
            matches = sorted(_glob.glob(item))
            if not matches:
                raise FileNotFoundError(f"{item}: no file matches this pattern")
            paths += matches
        else:
            paths.append(item)
    return paths


def _http_host(payload: bytes) -> str | None:
    """The Host header among the header lines that follow an HTTP request line, if the frame holds it."""
    for line in payload.split(b"\n", 100):
        if not line.strip():
            return None  # the end of the headers
        name, sep, value = line.partition(b":")
        if sep and name.strip().lower() == b"host":
            return value.strip().decode("latin-1")
    return None


def _fill(row: list[Any], layers: list[Any], payload: bytes) -> list[str]:
    """Copy the fields of ``layers`` into ``row``; return the layer names (for ``protocols``)."""
    names: list[str] = []
    seen_ip = False
    chain = False  # within the outermost IP header and its IPv6 extension headers
    flow_proto: int | None = None  # the protocol the outermost IP header carries, past its extensions
    flow_ports: tuple[int, int] | None = None
    remaining: int | None = None  # the bytes after the latest IP header (and its extensions so far)
    transport_done = False
    for layer in layers:
        name = layer.name
        names.append(name)
        if name == "ip" or name == "ipv6":
            ip = name == "ip"
            total = hdr = 0
            if not seen_ip:
                header_keys = _IPV4 if ip else _IPV6
                for f in layer.fields:
                    i = header_keys.get(f.key)
                    if i is not None:
                        if row[i] is None:
                            row[i] = f.value
                    elif ip:
                        if f.key == "flags" and row[IP_MORE_FRAGMENTS] is None:
                            row[IP_MORE_FRAGMENTS] = bool(f.value & 1)
                        elif f.key == "len":
                            total = f.value
                        elif f.key == "hdr_len":
                            hdr = f.value
                    elif f.key == "plen":
                        total = f.value
                flow_proto = row[IP_PROTO]
                seen_ip = chain = True
            else:
                chain = False
                for f in layer.fields:
                    k = f.key
                    if k == "len" or k == "plen":
                        total = f.value
                    elif ip and k == "hdr_len":
                        hdr = f.value
            remaining = total - hdr if total and total >= hdr else None
            continue
        if name in _IPV6_EXTENSIONS:
            nxt = layer.get("nxt")
            if chain:
                flow_proto = nxt
                if name == "ipv6.fraghdr" and row[IP_ID] is None:
                    for f in layer.fields:
                        i = _FRAGHDR.get(f.key)
                        if i is not None:
                            row[i] = f.value
            if remaining is not None:
                remaining = remaining - layer.length if remaining >= layer.length else None
            continue
        keys = _COPY.get(name)
        if keys is not None:
            for f in layer.fields:
                i = keys.get(f.key)
                if i is not None and row[i] is None:
                    row[i] = f.value
            if chain and (name == "tcp" or name == "udp" or name == "sctp"):
                flow_ports = (layer.get("srcport"), layer.get("dstport"))
            elif chain and (name == "icmp" or name == "icmpv6"):
                flow_ports = (layer.get("type"), layer.get("code"))
            if name in _TRANSPORT_HEADER and not transport_done:
                transport_done = True
                size = _TRANSPORT_HEADER[name]
                if size is None:
                    size = layer.get("hdr_len") or 0
                if remaining is not None and remaining >= size:
                    row[PAYLOAD_LEN] = remaining - size
            elif name == "dns" and row[DNS_QRY_NAME] is None:
                queries = layer.get("queries")
                if queries:
                    row[DNS_QRY_NAME] = queries[0].get("name")
            elif name == "http" and row[HTTP_HOST] is None and layer.get("request.method") is not None:
                row[HTTP_HOST] = _http_host(payload)
        chain = False
    if flow_proto is not None:
        if flow_ports is None:
            row[COMMUNITY_ID] = community_id(row[IP_SRC], row[IP_DST], flow_proto)
        else:
            row[COMMUNITY_ID] = community_id(row[IP_SRC], row[IP_DST], flow_proto, *flow_ports)
    return names


def _compiled() -> Any:
    """The compiled columnar store's module (``_fastline``), or None: not built, or turned off with
    ``PYCAPTURE_PURE_PYTHON=1``."""
    return fastsummary.FASTLINE


_inet_ntoa = socket.inet_ntoa
_inet_ntop = socket.inet_ntop
_AF_INET6 = socket.AF_INET6
_ETHERNET = 1
_option_ok: dict[bytes, bool] = {}  # TCP options by their bytes: whether the rich decoder reads them whole


def _options_whole(raw: bytes) -> bool:
    ok = _option_ok.get(raw)
    if ok is None:
        if len(_option_ok) >= 4096:
            _option_ok.clear()
        ok = _option_ok[raw] = tcp_options(raw)[1] is None
    return ok


def _fill_walked(row: list[Any], data: bytes, walked: tuple) -> bool:
    """Fill ``row`` from the header walk, as :func:`_fill` would from the rich decoder, for a frame the
    walk takes with TCP or UDP and no application the rich decoder decodes (:func:`plain_segment`); False
    (``row`` untouched) for any other frame. ``tests/table/test_walked_rows.py`` holds the two equal on
    the corpus."""
    plain = plain_segment(data, walked)
    if plain is None:
        return False
    (_, vlan, _, version, addresses, ttl, proto, ip_payload, ident, frag, t,
     sport, dport, seq, ack, _, win, hl, _, _, _, _, _, _) = walked  # fmt: skip
    _, start, stop = plain
    if proto == 6:
        if hl > 20 and not _options_whole(data[t + 20 : t + hl]):
            return False
        left = ip_payload - hl
    else:
        left = ip_payload - 8
    if version == 4:
        src, dst = (
            _inet_ntoa(data[addresses : addresses + 4]),
            _inet_ntoa(data[addresses + 4 : addresses + 8]),
        )
    else:
        src = _inet_ntop(_AF_INET6, data[addresses : addresses + 16])
        dst = _inet_ntop(_AF_INET6, data[addresses + 16 : addresses + 32])
    row[ETH_DST] = data[0:6].hex(":")
    row[ETH_SRC] = data[6:12].hex(":")
    row[ETH_TYPE] = data[12] << 8 | data[13]
    layers = "eth:vlan:" if vlan >= 0 else "eth:"
    if vlan >= 0:
        row[VLAN_ID] = vlan & 0xFFF
    row[IP_VERSION] = version
    row[IP_SRC], row[IP_DST] = src, dst
    row[IP_PROTO] = proto
    row[IP_TTL] = ttl
    if version == 4:
        row[IP_ID] = ident
        row[IP_FRAG_OFFSET] = 0
        row[IP_MORE_FRAGMENTS] = bool(frag & 0x2000)
        layers += "ip:"
    else:
        layers += "ipv6:"
    row[SRC_PORT], row[DST_PORT] = sport, dport
    if proto == 6:
        row[TCP_FLAGS] = (data[t + 12] << 8 | data[t + 13]) & 0x0FFF
        row[TCP_SEQ], row[TCP_ACK], row[TCP_WINDOW] = seq, ack, win
        layers += "tcp"
    else:
        layers += "udp"
    if left >= 0:
        row[PAYLOAD_LEN] = left
    row[PROTOCOLS] = layers + ":data" if stop > start else layers
    row[COMMUNITY_ID] = community_id(src, dst, proto, sport, dport)
    return True


def _fill_rich(row: list[Any], linktype: int, data: bytes) -> None:
    """Fill ``row`` from the rich decoder's JSON view of the frame ``data``."""
    packet = decode(linktype, data, dump=False)
    payload = packet.payload
    names = _fill(row, packet.layers, payload)
    if payload:
        names.append("data")
    row[PROTOCOLS] = ":".join(names)
    row[MALFORMED] = packet.malformed is not None


def _row(
    template: list[Any], number: int, ts: int, length: int, data: bytes, linktype: int, decoded: bool
) -> list[Any]:
    """The row of one frame in Python: from the header walk where it takes the frame, else from the rich
    decoder."""
    row = template.copy()
    row[FRAME_NUMBER] = number
    row[TS] = ts if -_TS_MAX <= ts <= _TS_MAX else None
    row[LEN] = length
    row[CAP_LEN] = len(data)
    if decoded:
        if linktype == _ETHERNET:
            walked = walk_fields(_ETHERNET, data)
            if walked is not None and _fill_walked(row, data, walked):
                return row
        _fill_rich(row, linktype, data)
    return row


class _PythonRows:
    """The rows of a batch as Python lists, built into arrays with ``pa.array`` (the pure-Python store)."""

    def __init__(self, wanted: list[int]) -> None:
        self._rows: list[list[Any]] = []
        self._on = sorted(wanted)
        self.append_row = self._rows.append

    def __len__(self) -> int:
        return len(self._rows)

    def arrays(self) -> dict[int, pa.Array]:
        rows = self._rows.copy()
        self._rows.clear()  # in place: callers hold its bound append
        return {i: pa.array([r[i] for r in rows], type=SCHEMA.field(i).type) for i in self._on}


class _CompiledRows:
    """The rows of a batch in the compiled columnar store (``_fastline.Columns``): Arrow buffers filled in
    C for the frames the walk takes, and rows made in Python appended for the others."""

    def __init__(self, compiled: Any, wanted: list[int]) -> None:
        on = set(wanted)
        self.columns = compiled.Columns(
            _KINDS, [i in on for i in range(_N)], ICMP_COUNTERPARTS, ICMPV6_COUNTERPARTS, COLUMNS
        )
        self._on = sorted(wanted)
        self.append_row = self.columns.append_row

    def __len__(self) -> int:
        return len(self.columns)

    def arrays(self) -> dict[int, pa.Array]:
        out: dict[int, pa.Array] = {}
        for i, (rows, nulls, valid, values, offsets) in zip(self._on, self.columns.finish()):
            validity = pa.py_buffer(valid) if nulls else None
            buffers = [validity, pa.py_buffer(values)]
            if offsets is not None:
                buffers.insert(1, pa.py_buffer(offsets))
            out[i] = pa.Array.from_buffers(SCHEMA.field(i).type, rows, buffers, null_count=nulls)
        return out


_Rows = Union[_PythonRows, _CompiledRows]


def _kind(t: pa.DataType) -> int:
    """A column's kind for the compiled store: its width in bytes, -1 for a boolean, -2 for a string."""
    if pa.types.is_boolean(t):
        return -1
    if pa.types.is_string(t):
        return -2
    return int(t.bit_width) // 8


_KINDS = [_kind(field.type) for field in SCHEMA]


def _rows_of(
    handle: PcapHandle,
    file: str | None,
    interface: str | None,
    decoded: bool,
    rows: _Rows,
    flush: Callable[[], Iterator[pa.RecordBatch]],
    batch_size: int,
    transform: Transform | None = None,
) -> Iterator[pa.RecordBatch]:
    """Append a row per packet of ``handle`` to ``rows``, yielding batches from ``flush`` as they fill.

    ``transform``: made for this handle, it maps each batch of records before they become rows."""
    linktype = handle.datalink
    lt_name = linktype_name(linktype)
    scale = 1 if handle.nanosecond else 1000
    template: list[Any] = [None] * _N
    template[FILE] = file
    template[LINKTYPE] = lt_name
    template[INTERFACE] = interface
    template[MALFORMED] = False
    number = 0
    append = rows.append_row
    compiled = rows.columns if isinstance(rows, _CompiledRows) else None
    ethernet = linktype == _ETHERNET
    change = None if transform is None else transform(linktype, handle.nanosecond)
    if compiled is not None:
        compiled.set_input(file, lt_name, interface)
    if compiled is not None and change is None:
        buffers = handle.in_place_buffers()
        if buffers is not None:
            try:
                number = yield from _rows_in_place(
                    buffers, compiled, template, scale, linktype, decoded, rows, flush, batch_size
                )
            finally:
                buffers.close()
            if not buffers.irregular:
                handle.captured += number  # read in place: counted as libpcap's reads would be
                return
            handle.skip_records(number)  # libpcap reads on from the irregular record, and says what it is
    # a live handle's batch comes when the capture waits: hand its rows on then, however few
    threshold = 1 if handle.live else batch_size
    for batch in handle.record_batches(size=min(batch_size, 4096)):
        held: dict[int, tuple[bytes, dict[str, Any]]] = {}
        if change is not None:
            batch = change(batch)
            held = getattr(change, "held", None) or {}
        i, total = 0, len(batch)
        while i < total:
            if i in held:  # a record the transform has rows made of other bytes for (--defrag)
                sec, frac, length, _ = batch[i]
                view, keep = held[i]
                i += 1
                number += 1
                ts = sec * 1_000_000_000 + frac * scale
                row = _row(template, number, ts, length, view, linktype, decoded)
                for name, value in keep.items():
                    row[_INDEX[name]] = value
                append(row)
                if len(rows) >= batch_size:
                    yield from flush()
                continue
            if compiled is not None:
                upto = min((k for k in held if k > i), default=total)
                part = batch if upto == total else batch[:upto]
                j = compiled.batch(part, i, number, scale, ethernet, batch_size)
                number += j - i
                i = j
                if len(rows) >= batch_size:
                    yield from flush()
                    continue
                if i >= upto:  # the end, or a held record next
                    continue
            sec, frac, length, data = batch[i]
            i += 1
            number += 1
            append(
                _row(template, number, sec * 1_000_000_000 + frac * scale, length, data, linktype, decoded)
            )
            if len(rows) >= batch_size:
                yield from flush()
        if len(rows) >= threshold:
            yield from flush()


def _open_mixed(path: str) -> Any:
    from ..capture.backends import dpkt_file

    return dpkt_file.open_offline(path, tshark=True)


def _rows_of_mixed(
    handle: Any,
    decoded: bool,
    rows: _Rows,
    flush: Callable[[], Iterator[pa.RecordBatch]],
    batch_size: int,
    transform: Transform | None,
) -> Iterator[pa.RecordBatch]:
    """The rows of a pcapng file whose interfaces differ in link type or snapshot length, read by
    pycapture's own reader (:mod:`pycapture.capture.backends.dpkt_file`), each packet decoded by its own
    interface's link type as tshark does (``transform``, made for one link type, cannot apply)."""
    if transform is not None:
        raise PcapError(
            f"{handle.source}: its interfaces have different link types, which a transform cannot take"
        )
    scale = 1 if handle.nanosecond else 1000
    template: list[Any] = [None] * _N
    template[FILE] = handle.source
    template[MALFORMED] = False
    names: dict[int, str] = {}
    for number, (sec, frac, length, data) in enumerate(handle.records(), 1):
        linktype = frame_linktype(data, handle.datalink)
        name = names.get(linktype)
        if name is None:
            name = names[linktype] = linktype_name(linktype)
        template[LINKTYPE] = name
        ts = sec * 1_000_000_000 + frac * scale
        rows.append_row(_row(template, number, ts, length, bytes(data), linktype, decoded))
        if len(rows) >= batch_size:
            yield from flush()


def _rows_in_place(
    buffers: RecordBuffers,
    compiled: Any,
    template: list[Any],
    scale: int,
    linktype: int,
    decoded: bool,
    rows: _Rows,
    flush: Callable[[], Iterator[pa.RecordBatch]],
    batch_size: int,
    number: int = 0,
) -> Generator[pa.RecordBatch, None, int]:
    """The rows of a classic pcap file read in place (:class:`~pycapture.savefile.reader.RecordBuffers`),
    numbered from ``number + 1``: in C where ``compiled`` (the store's ``Columns``) takes the record, else
    in Python. Returns the number of the last record read (the rest, if :attr:`buffers.irregular`, are
    libpcap's)."""
    ethernet = linktype == _ETHERNET
    max_caplen = buffers.max_caplen
    header = RECORD_HEADER.unpack_from
    while True:
        buf = buffers.fill()
        if buf is None:
            return number
        pos, end = 0, len(buf)
        while True:
            if compiled is not None:
                pos, count, stopped = compiled.records(
                    buf, pos, max_caplen, number, scale, ethernet, batch_size
                )
                number += count
                if len(rows) >= batch_size:
                    yield from flush()
                    continue
                if not stopped:
                    break
            elif pos + 16 > end:
                break
            sec, frac, caplen, length = header(buf, pos)
            if compiled is None and (pos + 16 + caplen > end or caplen > max_caplen):
                break
            data = bytes(buf[pos + 16 : pos + 16 + caplen])
            pos += 16 + caplen
            number += 1
            rows.append_row(
                _row(template, number, sec * 1_000_000_000 + frac * scale, length, data, linktype, decoded)
            )
            if len(rows) >= batch_size:
                yield from flush()
        buffers.keep(buf, pos)


def _store(wanted: list[int]) -> tuple[_Rows, Callable[[], Iterator[pa.RecordBatch]]]:
    """A row store for the columns ``wanted`` (compiled where it can be), and the function that yields
    its rows as a batch of those columns, in that order, and empties it."""
    schema = pa.schema([SCHEMA.field(i) for i in wanted])
    compiled = _compiled()
    rows: _Rows = _PythonRows(wanted) if compiled is None else _CompiledRows(compiled, wanted)

    def flush() -> Iterator[pa.RecordBatch]:
        if len(rows):
            arrays = rows.arrays()
            yield pa.RecordBatch.from_arrays([arrays[i] for i in wanted], schema=schema)

    return rows, flush


def read_range(
    path: str,
    start: int,
    stop: int,
    records_before: int,
    columns: Iterable[str] | None = None,
    batch_size: int = 65536,
) -> Iterator[pa.RecordBatch]:
    """The rows of the records of the classic pcap file ``path`` in bytes ``[start, stop)``, which
    :func:`~pycapture.savefile.reader.record_splits` found to hold whole records, ``records_before``
    records into the file (their ``frame_number`` goes on from there): a part of what
    :func:`read_batches` gives for the file, for readers that split a file (the Spark data source).

    Raises :class:`~pycapture.CaptureFileError` for a file that cannot be opened or read in place.
    """
    wanted = _check_columns(columns)
    rows, flush = _store(wanted)

    handle = open_offline(path)
    try:
        buffers = RecordBuffers.open(path, handle.nanosecond, start, stop)
        if buffers is None:
            raise CaptureFileError(
                f"{path}: not a classic pcap file that can be read in place from byte {start}"
            )
        linktype = handle.datalink
        template: list[Any] = [None] * _N
        template[FILE] = path
        template[LINKTYPE] = linktype_name(linktype)
        template[MALFORMED] = False
        columns_store = rows.columns if isinstance(rows, _CompiledRows) else None
        if columns_store is not None:
            columns_store.set_input(path, template[LINKTYPE], None)
        try:
            yield from _rows_in_place(
                buffers,
                columns_store,
                template,
                1 if handle.nanosecond else 1000,
                linktype,
                not _FRAME_COLUMNS.issuperset(wanted),
                rows,
                flush,
                batch_size,
                records_before,
            )
            if buffers.irregular:
                raise CaptureFileError(f"{path}: a record in bytes {start} to {stop} is not whole")
        finally:
            buffers.close()
    finally:
        handle.close()
    yield from flush()


def read_batches(
    source: Source,
    columns: Iterable[str] | None = None,
    batch_size: int = 65536,
    filter: str | None = None,
    transform: Transform | None = None,
) -> Iterator[pa.RecordBatch]:
    """Yield the packets of ``source`` as Arrow record batches of at most ``batch_size`` rows.

    ``source``: a capture file (str or Path), a glob (``"captures/*.pcap"``, in sorted order), a list of
    those, or an open :class:`~pycapture.PcapHandle` (live or offline; it is read, not closed). ``columns``:
    the names to keep, in that order (all of :data:`~pycapture.table.schema.COLUMNS` by default).
    ``filter``: a BPF expression, applied with the handle's ``set_filter``. ``transform``: called with each
    file's (or the handle's) link type and whether its times are in nanoseconds, it returns a function that
    maps each list of records (seconds, fraction, original length, bytes) to the records to make rows of:
    :class:`pycapture.flows.reassembled.Defragmenting` reassembles IP fragments so.

    Raises ValueError for an unknown column (the message lists the valid ones), TypeError for arguments of
    the wrong type, :class:`~pycapture.FilterError` for a bad filter, :class:`~pycapture.CaptureFileError`
    for a file that cannot be opened. A file damaged part-way yields its rows up to the damage, then raises
    the handle's error; later files are not read.
    """
    wanted = _check_columns(columns)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise TypeError(f"batch_size must be an int, not {type(batch_size).__name__}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    if filter is not None and not isinstance(filter, str):
        raise TypeError(f"filter must be a str (a BPF expression) or None, not {type(filter).__name__}")
    if transform is not None and not callable(transform):
        raise TypeError(f"transform must be callable or None, not {type(transform).__name__}")
    paths = _check_paths(source)
    return _read(source, paths, wanted, batch_size, filter, transform)


def _read(
    source: object,
    paths: list[str] | None,
    wanted: list[int],
    batch_size: int,
    bpf: str | None,
    transform: Transform | None = None,
) -> Iterator[pa.RecordBatch]:
    decoded = not _FRAME_COLUMNS.issuperset(wanted)
    rows, flush = _store(wanted)

    try:
        if paths is None and isinstance(source, PcapHandle):
            if bpf is not None:
                source.set_filter(bpf)
            file, interface = (None, source.source) if source.live else (source.source, None)
            yield from _rows_of(source, file, interface, decoded, rows, flush, batch_size, transform)
        elif paths is None:  # pycapture's own reader (on a pcapng file libpcap refuses, say)
            own: Any = source
            if bpf is not None:
                own.set_filter(bpf)
            yield from _rows_of_mixed(own, decoded, rows, flush, batch_size, transform)
        else:
            for path in paths:
                if mixed_interfaces(path) is not None:  # libpcap refuses it: read as tshark does
                    mixed = _open_mixed(path)
                    try:
                        if bpf is not None:
                            mixed.set_filter(bpf)
                        yield from _rows_of_mixed(mixed, decoded, rows, flush, batch_size, transform)
                    finally:
                        mixed.close()
                    continue
                handle = open_offline(path)
                try:
                    if bpf is not None:
                        handle.set_filter(bpf)
                    yield from _rows_of(handle, path, None, decoded, rows, flush, batch_size, transform)
                finally:
                    handle.close()
    except PcapError:
        yield from flush()  # the rows before the damage, then the error
        raise
    yield from flush()


def read_table(
    source: Source,
    columns: Iterable[str] | None = None,
    batch_size: int = 65536,
    filter: str | None = None,
    transform: Transform | None = None,
) -> pa.Table:
    """All of :func:`read_batches` as one ``pyarrow.Table`` (its schema even when there are no rows).

    A damaged file raises its error, as :func:`read_batches` does, and no table is returned.
    """
    wanted = _check_columns(columns)
    schema = pa.schema([SCHEMA.field(i) for i in wanted])
    batches = read_batches(source, columns, batch_size, filter, transform)
    return pa.Table.from_batches(list(batches), schema=schema)


__all__ = ["read_batches", "read_range", "read_table"]
