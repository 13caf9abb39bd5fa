"""tshark's conversation and endpoint statistics (``-z conv,TYPE`` and ``-z endpoints,TYPE``).

The tables are made from the rows of :mod:`pycapture.table` (one header walk feeds every output), as
Wireshark 4.0 makes them (``epan/conversation_table.c``, ``ui/cli/tap-iousers.c``,
``ui/cli/tap-endpoints.c``):

- A conversation is keyed by its address pair (and port pair for TCP and UDP; for TCP also its
  ``tcp.stream``, so a reused port pair is a new row), in either direction. Its A side is the source of
  its first frame; "->" counts the frames from A to B, "<-" those from B to A. Bytes are frame lengths.
- An endpoint is an address (and port): each frame counts as sent by its source, then received by its
  destination.
- Rows are listed by total frames, most first; rows with equal totals in order of first appearance.
- "Relative Start" is the first frame's time less the capture's first frame time; "Duration" the last
  less the first.

Where a frame carries a header more than once (IP in IP, an ICMP error quoting a datagram) the rows
give the outermost one only, where tshark counts each occurrence.

:func:`parse_spec` reads a ``-z`` argument; :class:`Statistics` takes batches of rows (with
:data:`COLUMNS`) and gives the tables as tshark's text (:meth:`Statistics.text`) or as JSON documents
(:meth:`Statistics.json_documents`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from .phs import IPV6_EXTENSIONS, ProtocolHierarchy
from .streams import STREAM_FLAGS, TcpStreams

CONV_TYPES = ("eth", "ip", "ipv6", "tcp", "udp")
ENDPOINT_TYPES = CONV_TYPES
PHS = ("io", "phs")
IO_STAT = "io,stat"
IO_STAT_FORM = "io,stat,INTERVAL[,COLUMN...]"
EXPERT = "expert"
EXPERT_LEVELS = ("error", "warn", "note", "chat", "comment")
EXPERT_FORM = f"expert[,{'|'.join(EXPERT_LEVELS)}]"


_NEEDED = {
    "eth": ("eth_src", "eth_dst"),
    "ip": ("ip_version", "ip_src", "ip_dst"),
    "ipv6": ("ip_version", "ip_src", "ip_dst"),
    "tcp": ("ip_src", "ip_dst", "src_port", "dst_port", "tcp_flags", "tcp_seq", "tcp_ack"),
    "udp": ("ip_src", "ip_dst", "src_port", "dst_port"),
}
_TITLES = {"eth": "Ethernet", "ip": "IPv4", "ipv6": "IPv6", "tcp": "TCP", "udp": "UDP"}
_WITH_PORTS = ("tcp", "udp")
_TCP_ROWS = ("ip_src", "src_port", "ip_dst", "dst_port", "tcp_flags", "tcp_seq", "tcp_ack", "len", "rel")
_PAIR_SEP = "|"  # in no address text
_RULE = "=" * 80
FOLLOW = "follow"
FOLLOW_FORM = "follow,tcp|udp,ascii|hex|raw,STREAM"
VALID_FORMS = ", ".join(
    [f"conv,{t}" for t in CONV_TYPES]
    + [f"endpoints,{t}" for t in ENDPOINT_TYPES]
    + [",".join(PHS), IO_STAT_FORM, EXPERT_FORM, FOLLOW_FORM]
)


def is_follow(spec: str) -> bool:
    """Whether the ``-z`` argument ``spec`` follows a stream (read from the frames by
    :func:`pycapture.flows.follow.parse_follow`) rather than asks for a table (:func:`parse_spec`)."""
    return spec.split(",", 1)[0] == FOLLOW


class StatTable(Protocol):
    """A ``-z`` table kept by a module of its own (:class:`pycapture.flows.iostat.IoStat`,
    :class:`pycapture.flows.expert.Expert`)."""

    columns: list[str]
    """The table columns :meth:`feed` reads."""

    def feed(self, batch: Any) -> None:
        """Count one batch of table rows, in frame order."""

    def text(self) -> str:
        """tshark's text of the table, ending with a newline."""

    def to_json(self) -> dict[str, Any]:
        """The table as a JSON-ready document."""


@runtime_checkable
class _Interval(Protocol):
    def completed_text(self, now_ns: int) -> str: ...


class SpecError(ValueError):
    """A ``-z`` argument that is not one of the supported forms."""


@dataclass(frozen=True)
class StatSpec:
    """One ``-z`` table: ``kind`` is ``conv`` or ``endpoints``, ``type`` one of :data:`CONV_TYPES`; or
    the protocol hierarchy, :data:`PHS`; or :data:`IO_STAT` or :data:`EXPERT` with ``type`` the rest of
    its argument (``1,tcp``, ``warn``)."""

    kind: str
    type: str

    @property
    def spec(self) -> str:
        """The ``-z`` argument this table was read from."""
        return f"{self.kind},{self.type}" if self.type else self.kind

    @property
    def title(self) -> str:
        """tshark's title line: ``TCP Conversations``, ``IPv4 Endpoints``."""
        if (self.kind, self.type) == PHS:
            return "Protocol Hierarchy Statistics"
        if self.kind == IO_STAT:
            return "IO Statistics"
        if self.kind == EXPERT:
            return "Expert Information"
        return f"{_TITLES[self.type]} {'Conversations' if self.kind == 'conv' else 'Endpoints'}"


def parse_spec(spec: str) -> StatSpec:
    """Read one ``-z`` argument (``conv,tcp``, ``endpoints,ip``); a bad one raises :class:`SpecError`."""
    parts = spec.split(",")
    kind = parts[0]
    if tuple(parts[:2]) == PHS:
        if len(parts) > 2:
            raise SpecError(
                f"-z {spec}: a display filter after io,phs is not supported; valid forms: {VALID_FORMS}"
            )
        return StatSpec(*PHS)
    if kind in ("conv", "endpoints"):
        if len(parts) < 2 or parts[1] not in CONV_TYPES:
            given = parts[1] if len(parts) > 1 else ""
            raise SpecError(f"-z {spec}: unknown {kind} type '{given}'; valid forms: {VALID_FORMS}")
        if len(parts) > 2:
            raise SpecError(
                f"-z {spec}: a display filter after the type is not supported; valid forms: {VALID_FORMS}"
            )
        return StatSpec(kind, parts[1])
    if spec == IO_STAT or spec.startswith(IO_STAT + ","):
        try:
            from .iostat import parse_io_stat
        except ImportError:  # no pyarrow: the run says so, with the fix
            pass
        else:
            parse_io_stat(spec)
        return StatSpec(IO_STAT, spec[len(IO_STAT) + 1 :])
    if kind == EXPERT:
        from .expert import parse_expert_spec

        parse_expert_spec(spec)
        return StatSpec(EXPERT, spec[len(EXPERT) + 1 :])
    raise SpecError(f"-z {spec}: unknown statistics; valid forms: {VALID_FORMS}")


class _Conversations:
    """One conversation table: rows of [a, port_a, b, port_b, rx_frames, rx_bytes, tx_frames, tx_bytes,
    start_ns, stop_ns]."""

    def __init__(self) -> None:
        self.index: dict[tuple[Any, ...], list[Any]] = {}
        self.rows: list[list[Any]] = []

    def add(self, a: Any, pa: Any, b: Any, pb: Any, conv_id: int, length: int, rel: int) -> None:
        row = self.index.get((a, pa, b, pb, conv_id))
        if row is not None:
            row[6] += 1
            row[7] += length
        else:
            row = self.index.get((b, pb, a, pa, conv_id))
            if row is None:
                row = [a, pa, b, pb, 0, 0, 1, length, rel, rel]
                self.index[(a, pa, b, pb, conv_id)] = row
                self.rows.append(row)
                return
            row[4] += 1
            row[5] += length
        if rel > row[9]:
            row[9] = rel
        elif rel < row[8]:
            row[8] = rel


class _Endpoints:
    """One endpoint table: rows of [address, port, tx_frames, tx_bytes, rx_frames, rx_bytes]."""

    def __init__(self) -> None:
        self.index: dict[tuple[Any, Any], list[Any]] = {}
        self.rows: list[list[Any]] = []

    def add(self, a: Any, pa: Any, b: Any, pb: Any, length: int) -> None:
        index = self.index
        row = index.get((a, pa))
        if row is None:
            row = index[(a, pa)] = [a, pa, 0, 0, 0, 0]
            self.rows.append(row)
        row[2] += 1
        row[3] += length
        row = index.get((b, pb))
        if row is None:
            row = index[(b, pb)] = [b, pb, 0, 0, 0, 0]
            self.rows.append(row)
        row[4] += 1
        row[5] += length


def _layers(protocols: str | None) -> tuple[bool, bool, bool, str | None]:
    """What a frame's layer list feeds: (eth, IPv4, IPv6, the first of tcp/udp when it directly follows
    the outermost IP layer, else None)."""
    if not protocols:
        return False, False, False, None
    names = protocols.split(":")
    ip_at = next((i for i, name in enumerate(names) if name in ("ip", "ipv6")), None)
    transport = None
    if ip_at is not None:
        for name in names[ip_at + 1 :]:
            if name in ("tcp", "udp"):
                transport = name
                break
            if name not in IPV6_EXTENSIONS:
                break
    return "eth" in names, "ip" in names, "ipv6" in names, transport


class Statistics:
    """The tables of some ``-z`` specs, filled from batches of table rows by :meth:`feed`."""

    def __init__(self, specs: list[StatSpec]) -> None:
        self.specs = list(specs)
        self._convs = {s.type: _Conversations() for s in self.specs if s.kind == "conv"}
        self._ends = {s.type: _Endpoints() for s in self.specs if s.kind == "endpoints"}
        self._phs = ProtocolHierarchy() if any((s.kind, s.type) == PHS for s in self.specs) else None
        self._types = {s.type for s in self.specs if s.kind in ("conv", "endpoints")}
        self._others = self._other_tables()
        needed = {"ts", "len", "protocols"}
        for kind in self._types:
            needed.update(_NEEDED[kind])
        for table in self._others.values():
            needed.update(table.columns)
        from ..table.schema import SCHEMA_COLUMNS

        self.columns = [c.name for c in SCHEMA_COLUMNS if c.name in needed]
        """The table columns :meth:`feed` reads for these specs (read_batches' ``columns``)."""
        self._first: int | None = None
        self._streams = TcpStreams()
        self._layer_cache: dict[str | None, tuple[bool, bool, bool, str | None]] = {}
        # directed TCP address and port pairs, numbered: "src|sport|dst|dport" -> number -> the pair
        self._direction_ids: dict[str, int] = {}
        self._directions: list[tuple[Any, int, Any, int]] = []
        # by direction: its conversation row, the index of its direction's frame count there, and its
        # stream: the same as long as no SYN, FIN or RST comes (TcpStreams sees those)
        self._known: list[tuple[list[Any], int, int] | None] = []

    def _other_tables(self) -> dict[int, StatTable]:
        """The tables kept by modules of their own (io,stat), by their place in :attr:`specs`."""
        tables: dict[int, StatTable] = {}
        io_specs = {i: spec for i, spec in enumerate(self.specs) if spec.kind == IO_STAT}
        if io_specs:
            from .iostat import IoStat, parse_io_stat

            parsed = {i: parse_io_stat(spec.spec) for i, spec in io_specs.items()}
            # tshark builds, for every io,stat table, the fields any io,stat filter of the run names
            primed = frozenset().union(*(p.fields for p in parsed.values()))
            tables.update({i: IoStat(p, primed) for i, p in parsed.items()})
        for i, spec in enumerate(self.specs):
            if spec.kind == EXPERT:
                from .expert import Expert

                tables[i] = Expert(spec.spec)
        return tables

    def feed(self, batch: Any) -> None:
        """Count the frames of one Arrow record batch (with at least the :attr:`columns`)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if batch.num_rows == 0:
            return
        for table in self._others.values():
            table.feed(batch)
        if self._phs is not None:
            self._phs.add_batch(batch)
        ts = batch.column("ts").cast(pa.int64())
        if self._first is None:
            valid = ts.drop_null()
            self._first = valid[0].as_py() if len(valid) else 0
        first = self._first
        # relative times in ns; a frame without a time counts at the first frame's
        rel = pc.subtract(ts.fill_null(first), pa.scalar(first, pa.int64()))
        encoded = pc.dictionary_encode(batch.column("protocols").fill_null(""))
        cache = self._layer_cache
        kinds = []
        for name in encoded.dictionary.to_pylist():
            if name not in cache:
                cache[name] = _layers(name)
            kinds.append(cache[name])
        indices = encoded.indices
        columns = {name: batch.column(name) for name in self.columns}
        columns["rel"] = rel

        def rows(mask: Any, *names: str) -> list[list[Any]]:
            """The listed columns of the rows ``mask`` keeps, as Python lists."""
            return [columns[name].filter(mask).to_pylist() for name in names]

        types = self._types
        if "eth" in types:
            has_eth = pa.array([k[0] for k in kinds], pa.bool_()).take(indices)
            has_eth = pc.and_(has_eth, columns["eth_src"].is_valid())
            self._feed_pairs("eth", None, rows(has_eth, "eth_src", "eth_dst", "len", "rel"))
        if types & {"ip", "ipv6"}:
            version = columns["ip_version"].fill_null(0)
            has_src = columns["ip_src"].is_valid()
            for kind, number in (("ip", 4), ("ipv6", 6)):
                if kind in types:
                    mask = pc.and_(pc.equal(version, number), has_src)
                    self._feed_pairs(kind, None, rows(mask, "ip_src", "ip_dst", "len", "rel"))
        if types & {"tcp", "udp"}:
            codes = pa.array([{"tcp": 1, "udp": 2}.get(k[3] or "", 0) for k in kinds], pa.int8())
            transport = pc.if_else(columns["src_port"].is_valid(), codes.take(indices), 0)
            if "udp" in types:
                names = ("ip_src", "src_port", "ip_dst", "dst_port", "len", "rel")
                self._feed_pairs("udp", -1, rows(pc.equal(transport, 2), *names))
            if "tcp" in types:
                tcp = pc.and_(pc.equal(transport, 1), columns["tcp_flags"].is_valid())
                if "tcp" in self._convs:
                    self._feed_tcp_conversations({name: columns[name].filter(tcp) for name in _TCP_ROWS})
                if "tcp" in self._ends:
                    add_end = self._ends["tcp"].add
                    lists = rows(tcp, *_TCP_ROWS[:4], "len")
                    for a, pa_, b, pb, n in zip(*lists, strict=True):
                        add_end(a, pa_, b, pb, n)

    def _feed_pairs(self, kind: str, conv_id: int | None, lists: list[list[Any]]) -> None:
        """Address pairs (with ports when ``conv_id`` is given: UDP) into the ``kind`` tables."""
        conv, ends = self._convs.get(kind), self._ends.get(kind)
        if conv_id is None:
            src, dst, lengths, rel = lists
            if conv is not None:
                add = conv.add
                for a, b, n, t in zip(src, dst, lengths, rel, strict=True):
                    add(a, None, b, None, -1, n, t)
            if ends is not None:
                add_end = ends.add
                for a, b, n in zip(src, dst, lengths, strict=True):
                    add_end(a, None, b, None, n)
            return
        src, sport, dst, dport, lengths, rel = lists
        if conv is not None:
            add = conv.add
            for a, pa_, b, pb, n, t in zip(src, sport, dst, dport, lengths, rel, strict=True):
                add(a, pa_, b, pb, conv_id, n, t)
        if ends is not None:
            add_end = ends.add
            for a, pa_, b, pb, n in zip(src, sport, dst, dport, lengths, strict=True):
                add_end(a, pa_, b, pb, n)

    def _feed_tcp_conversations(self, columns: dict[str, Any]) -> None:
        """TCP segments (the columns of :data:`_TCP_ROWS`) into the conv,tcp table, by tcp.stream.

        Each direction of an address and port pair gets a number (from Arrow's dictionary of the batch's
        pairs), so the loop over segments looks up a list, not a tuple in a dict. A segment without SYN,
        FIN or RST adds to the row its direction last went to, once TcpStreams has both sides' bases;
        every other segment goes through TcpStreams."""
        import pyarrow as pa
        import pyarrow.compute as pc

        conv = self._convs["tcp"]
        text = [
            columns[name].cast(pa.string()).fill_null("")
            for name in ("ip_src", "src_port", "ip_dst", "dst_port")
        ]
        encoded = pc.dictionary_encode(pc.binary_join_element_wise(*text, _PAIR_SEP))
        ids, pairs, known = self._direction_ids, self._directions, self._known
        local = []
        for key in encoded.dictionary.to_pylist():
            number = ids.get(key)
            if number is None:
                number = ids[key] = len(pairs)
                a, pa_, b, pb = key.split(_PAIR_SEP)
                pairs.append((a or None, int(pa_), b or None, int(pb)))
                known.append(None)
            local.append(number)
        directions = pa.array(local, pa.int64()).take(encoded.indices).to_pylist()
        flags, seq, ack, lengths, rel = (columns[name].to_pylist() for name in _TCP_ROWS[4:])
        stream, settled = self._streams.stream, self._streams.settled
        add, index = conv.add, conv.index
        for i, (d, f, n, t) in enumerate(zip(directions, flags, lengths, rel, strict=True)):
            hit = None if f & STREAM_FLAGS else known[d]
            if hit is None:  # a segment that may change the stream: TcpStreams decides
                a, pa_, b, pb = pairs[d]
                conv_id = stream(a, pa_, b, pb, f, seq[i] or 0, ack[i])
                add(a, pa_, b, pb, conv_id, n, t)
                if settled(a, pa_, b, pb):
                    row = index.get((a, pa_, b, pb, conv_id))
                    known[d] = (
                        (row, 6, conv_id)
                        if row is not None
                        else (index[(b, pb, a, pa_, conv_id)], 4, conv_id)
                    )
                else:  # TcpStreams may still learn a base here: ask it again next time
                    known[d] = None
                other = ids.get(
                    _PAIR_SEP.join(("" if b is None else b, str(pb), "" if a is None else a, str(pa_)))
                )
                if other is not None:
                    reverse = known[other]
                    if reverse is not None and reverse[2] != conv_id:  # a new stream: the other way too
                        known[other] = None
                continue
            row, at, _ = hit
            row[at] += 1
            row[at + 1] += n
            if t > row[9]:
                row[9] = t
            elif t < row[8]:
                row[8] = t

    # --- output ---------------------------------------------------------------------------------

    def _sorted(self, rows: list[list[Any]], frames: tuple[int, int]) -> list[list[Any]]:
        return sorted(rows, key=lambda r: -(r[frames[0]] + r[frames[1]]))

    def text(self) -> str:
        """The tables as tshark 4.0 prints them, in its order (the last ``-z`` first)."""
        return "".join(reversed(self.texts()))

    def texts(self) -> list[str]:
        """Each table's text, as tshark prints it, in the order of :attr:`specs`."""
        return [self._table_text(i, spec) for i, spec in enumerate(self.specs)]

    @property
    def intervals(self) -> bool:
        """Whether a table here (io,stat) has rows to print while a live capture runs."""
        return any(isinstance(table, _Interval) for table in self._others.values())

    def interval_text(self, now_ns: int) -> str:
        """Live: the rows of the io,stat intervals that ended before ``now_ns`` (ns since the epoch) and
        were not shown yet, each table's under a line naming it; "" when there are none."""
        parts = []
        for i, table in self._others.items():
            rows = table.completed_text(now_ns) if isinstance(table, _Interval) else ""
            if rows:
                parts.append(f"-z {self.specs[i].spec}:\n{rows}")
        return "".join(parts)

    def _table_text(self, index: int, spec: StatSpec) -> str:
        other = self._others.get(index)
        if other is not None:
            return other.text()
        if self._phs is not None and (spec.kind, spec.type) == PHS:
            return self._phs.text()
        ports = spec.type in _WITH_PORTS
        lines = [_RULE, spec.title, "Filter:<No Filter>"]
        if spec.kind == "conv":
            pad = " " * 12 if ports else ""
            lines.append(
                pad + "                                               |       <-      | |       ->      | "
                "|     Total     |    Relative    |   Duration   |"
            )
            lines.append(
                pad + "                                               | Frames  Bytes | | Frames  Bytes | "
                "| Frames  Bytes |      Start     |              |"
            )
            width = 26 if ports else 20
            for a, pa, b, pb, rxf, rxb, txf, txb, start, stop in self._sorted(
                self._convs[spec.type].rows, (4, 6)
            ):
                if ports:
                    a, b = f"{a}:{pa}", f"{b}:{pb}"
                lines.append(
                    f"{a:<{width}} <-> {b:<{width}}  {rxf:6d} {format_size(rxb):<9}  {txf:6d} "
                    f"{format_size(txb):<9}  {rxf + txf:6d} {format_size(rxb + txb):<9}  "
                    f"{_seconds(start):14.9f}   {_seconds(stop) - _seconds(start):12.4f}"
                )
        else:
            lines.append(
                "                       |  "
                + ("Port  ||  " if ports else "")
                + "Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |"
            )
            for addr, port, txf, txb, rxf, rxb in self._sorted(self._ends[spec.type].rows, (2, 4)):
                port_cell = f"      {port:>5}     " if ports else "      "
                lines.append(
                    f"{addr:<20}{port_cell}{txf + rxf:6d}     {txb + rxb:9d}     {txf:6d}       {txb:9d}"
                    f"      {rxf:6d}       {rxb:9d}   "
                )
        lines.append(_RULE)
        return "\n".join(lines) + "\n"

    def json_documents(self) -> list[dict[str, Any]]:
        """One JSON-ready document a table, in the order of the text."""
        documents = []
        for index in reversed(range(len(self.specs))):
            spec = self.specs[index]
            other = self._others.get(index)
            if other is not None:
                documents.append({"table": spec.title, "spec": spec.spec, **other.to_json()})
                continue
            if self._phs is not None and (spec.kind, spec.type) == PHS:
                documents.append({"table": spec.title, "spec": ",".join(PHS), **self._phs.to_json()})
                continue
            ports = spec.type in _WITH_PORTS
            rows: list[dict[str, Any]] = []
            if spec.kind == "conv":
                for a, pa, b, pb, rxf, rxb, txf, txb, start, stop in self._sorted(
                    self._convs[spec.type].rows, (4, 6)
                ):
                    row: dict[str, Any] = {"address_a": a}
                    if ports:
                        row["port_a"] = pa
                    row["address_b"] = b
                    if ports:
                        row["port_b"] = pb
                    row.update(
                        frames_b_to_a=rxf,
                        bytes_b_to_a=rxb,
                        frames_a_to_b=txf,
                        bytes_a_to_b=txb,
                        frames=rxf + txf,
                        bytes=rxb + txb,
                        relative_start=round(_seconds(start), 9),
                        duration=round(_seconds(stop) - _seconds(start), 9),
                    )
                    rows.append(row)
            else:
                for addr, port, txf, txb, rxf, rxb in self._sorted(self._ends[spec.type].rows, (2, 4)):
                    row = {"address": addr}
                    if ports:
                        row["port"] = port
                    row.update(
                        packets=txf + rxf,
                        bytes=txb + rxb,
                        tx_packets=txf,
                        tx_bytes=txb,
                        rx_packets=rxf,
                        rx_bytes=rxb,
                    )
                    rows.append(row)
            documents.append(
                {"table": spec.title, "spec": f"{spec.kind},{spec.type}", "filter": None, "rows": rows}
            )
        return documents


def _seconds(ns: int) -> float:
    """Wireshark's ``nstime_to_sec``: whole seconds plus nanoseconds, each as a double."""
    whole = int(ns / 1_000_000_000)  # truncated toward zero, as nstime_t holds a negative time
    return whole + (ns - whole * 1_000_000_000) / 1e9


def format_size(size: int) -> str:
    """Wireshark 4.0's ``format_size(size, format_size_unit_bytes|format_size_prefix_si)``."""
    for power, prefix in ((1000**4, "T"), (1000**3, "G"), (1000**2, "M"), (1000, "k")):
        if size // power >= 10:
            return f"{size // power} {prefix}B"
    return f"{size} bytes"
