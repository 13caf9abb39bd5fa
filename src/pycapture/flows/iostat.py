"""tshark's ``-z io,stat,INTERVAL[,COLUMN...]`` table, as tshark 4.0 (``ui/cli/tap-iostat.c``) prints it.

:func:`parse_io_stat` reads the ``-z`` argument; :class:`IoStat` takes batches of table rows and keeps
one row of counters per interval (no per-frame state). The rules it follows are tshark 4.0's:

- A frame's time is its time less the first frame's, rounded to microseconds. A frame earlier than the
  first takes the time of the last frame a column counted; a frame earlier than the interval a column
  last counted into is counted into that interval (tshark keeps only the newest interval open).
- The duration is the largest such time. An interval of 0, or one longer than the duration, makes one
  row for the whole capture. There are ``ceil(duration / interval)`` rows; a frame at exactly the end of
  the last one is counted (its column widths grow) but no row shows it, as in tshark.
- A column is ``[FUNC(FIELD)]FILTER``. Without a function it counts frames and bytes; FRAMES and BYTES
  count one of the two; COUNT/SUM/MIN/MAX/AVG take a field's values in the frames its filter passes.
  tshark builds a field only when some filter of the run names it (its "primed" fields): a function
  over a field no filter names sees no values and shows 0, and so does this table.

Filters are evaluated on the table's columns: a protocol name (in the frame's ``protocols``), a field
(present), ``FIELD OP VALUE`` (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``), ``!``/``not``, parentheses,
``&&``/``and``, ``||``/``or``. A field is a tshark field that a column of
:data:`pycapture.table.schema.SCHEMA_COLUMNS` gives as its ``source``. The table holds a field's first
occurrence only, so COUNT counts at most one value a frame and SUM/MIN/MAX/AVG see that one value.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable

import pyarrow as pa
import pyarrow.compute as pc

from ..table.schema import SCHEMA, SCHEMA_COLUMNS
from .stats import IO_STAT, SpecError

FORM = "io,stat,INTERVAL[,[FUNC(FIELD)]FILTER...] (FUNC: FRAMES, BYTES, COUNT, SUM, MIN, MAX, AVG)"
PREFIX = IO_STAT + ","

FRAMES_AND_BYTES, FRAMES, BYTES, COUNT, SUM, MIN, MAX, AVG, LOAD = (
    "FRAMES BYTES", "FRAMES", "BYTES", "COUNT", "SUM", "MIN", "MAX", "AVG", "LOAD",
)  # fmt: skip
_FUNCS = (FRAMES, BYTES, FRAMES_AND_BYTES, COUNT, SUM, MIN, MAX, AVG, LOAD)  # tshark's table order
_OPS = ("==", "!=", "<=", ">=", "<", ">")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*")
_TOKEN = re.compile(r'\s*(\(|\)|&&|\|\||==|!=|<=|>=|<|>|!|"(?:[^"\\]|\\.)*"|[^\s()!=<>&|"]+)')
_ALL_LAYERS = "frame"  # tshark's frame.* fields are in every frame


@dataclass(frozen=True)
class Field:
    """A tshark field the table holds: its ``column``; ``layer`` and ``rivals``, the protocol it belongs
    to and the other protocols whose field shares the column (the column then holds whichever comes
    first in the frame's layers)."""

    name: str
    column: str
    type: pa.DataType
    layer: str
    rivals: tuple[str, ...]


def _fields() -> dict[str, Field]:
    """tshark field name -> :class:`Field`, read from the ``source`` of each schema column."""
    found: dict[str, Field] = {}
    for col in SCHEMA_COLUMNS:
        if not SCHEMA.field(col.name).nullable:
            continue  # a column never null cannot say a frame lacks the field (_ws.malformed)
        parts = [p.strip() for p in col.source.split(" / ")]
        layers = tuple(p.split(".", 1)[0] for p in parts)
        for part, layer in zip(parts, layers):
            if _FIELD_NAME.fullmatch(part) and part not in found:
                rivals = tuple(x for x in layers if x != layer) if len(parts) > 1 else ()
                found[part] = Field(part, col.name, col.type, layer, rivals)
    return found


FIELDS: dict[str, Field] = _fields()
"""The tshark fields a filter or function may name, each mapped to the table column holding it."""


@dataclass(frozen=True)
class Column:
    """One column of the table: ``text`` as given, ``func`` (one of the FUNC names or FRAMES BYTES),
    ``field`` for a field function, ``filter`` the display filter text ("" for every frame)."""

    text: str
    func: str
    field: Field | None
    filter: str
    test: Any = dataclasses.field(compare=False, repr=False)  # the parsed filter (None for every frame)

    @property
    def title(self) -> str:
        """The text tshark lists under "Col N:"."""
        return self.text if self.text else "Frames and bytes"


@dataclass(frozen=True)
class IoStatSpec:
    """A parsed ``-z io,stat``: ``interval_us`` (0 for the whole capture), ``precision`` (the decimals
    tshark shows for it) and the ``columns``."""

    spec: str
    interval_us: int
    precision: int
    columns: tuple[Column, ...]

    @property
    def fields(self) -> frozenset[str]:
        """The fields the filters name: tshark builds these (and only these) for the functions."""
        names: set[str] = set()
        for col in self.columns:
            names |= _names(col.test)
        return frozenset(names)


def _error(spec: str, cause: str) -> SpecError:
    return SpecError(f"-z {spec}: {cause}; valid form: {FORM}")


def parse_io_stat(spec: str) -> IoStatSpec:
    """Read ``io,stat,INTERVAL[,COLUMN...]``; a form tshark refuses, or a filter or function this
    table cannot evaluate, raises :class:`pycapture.flows.stats.SpecError`."""
    if not spec.startswith(PREFIX) or spec.endswith(","):
        raise _error(spec, "bad io,stat argument")
    rest = spec[len(PREFIX) :]
    number = _NUMBER.match(rest)
    if number is None:
        raise _error(spec, "the interval is not a number")
    seconds = float(number.group())
    tail = rest[number.end() :]
    if tail and not tail.startswith(","):
        raise _error(spec, f"bad interval '{rest.split(',', 1)[0]}'")
    if seconds < 0:
        raise _error(spec, "the interval must be >= 0.000001 seconds or 0 for the whole capture")
    if seconds == 0:
        interval, precision = 0, 0
    else:
        interval = int(seconds * 1_000_000.0 + 0.5)
        if interval < 1:
            raise _error(spec, "the interval must be >= 0.000001 seconds or 0 for the whole capture")
        precision = 6
        step = 10
        while step < 10_000_000 and interval % step == 0:
            precision -= 1
            step *= 10
        text = number.group()
        if precision == 0 and "." in text:
            # tshark shows as many decimals as were written after the point ("1.0,tcp" -> 1.0); with
            # no column after the interval it finds no end to the text and shows six
            decimals = len(text.split(".", 1)[1].split("e")[0].split("E")[0])
            if not tail:
                precision = 6
            elif decimals:
                precision = min(decimals, 6)
    texts = [_unquoted(t.strip()) for t in tail[1:].split(",")] if tail[1:] else [""]
    columns = tuple(_column(spec, t) for t in texts)
    return IoStatSpec(spec, interval, precision, columns)


def _unquoted(text: str) -> str:
    """A column as a shell would pass it: ``"COUNT(frame.len)frame.len"`` without its quotes."""
    return text[1:-1].strip() if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _column(spec: str, text: str) -> Column:
    func, fld, flt = FRAMES_AND_BYTES, None, text
    for name in _FUNCS:
        if not text.startswith(name):
            continue
        func = name
        if text[len(name) : len(name) + 1] != "(":
            continue
        close = text.find(")", len(name))
        if close < 0:
            raise _error(spec, f"'{text}': closing parenthesis missing")
        inner, flt = text[len(name) + 1 : close], text[close + 1 :]
        if name in (FRAMES, BYTES):
            if inner:
                raise _error(spec, f"'{text}': {name} takes no field within the parentheses")
            break
        if not inner:
            raise _error(spec, f"'{text}': {name} needs a field name within the parentheses")
        if name == LOAD:
            raise _error(spec, f"'{text}': LOAD needs a relative-time field (smb.time); the table has none")
        fld = FIELDS.get(inner)
        if fld is None:
            raise _error(spec, f"'{text}': no table column holds the field '{inner}' ({_field_list()})")
        if name != COUNT and not pa.types.is_integer(fld.type):
            raise _error(spec, f"'{text}': {inner} has no integral values, so only COUNT is supported")
        break
    else:
        if func in (FRAMES, BYTES):
            flt = ""  # FRAMES or BYTES without parentheses: tshark counts every frame
        elif func != FRAMES_AND_BYTES:
            raise _error(spec, f"'{text}': {func} needs (FIELD) after it")
    if func == FRAMES_AND_BYTES and text.startswith(FRAMES_AND_BYTES):
        raise _error(spec, f"'{text}': use FRAMES or BYTES, or a filter")
    try:
        test = _Parser(flt).parse() if flt.strip() else None
    except ValueError as exc:
        raise _error(spec, f"the filter '{flt}' cannot be evaluated: {exc}") from None
    return Column(text, func, fld, flt, test)


def _field_list() -> str:
    examples = ", ".join(sorted(FIELDS)[:4])
    return f"io,stat reads the {len(FIELDS)} fields of the table ({examples}...), listed in docs/TABLE.md"


# ---- filters: parsed into tuples, evaluated on a batch as boolean arrays


class _Parser:
    """expr := and (('||'|'or') and)*; and := unary (('&&'|'and') unary)*;
    unary := ('!'|'not') unary | '(' expr ')' | NAME [OP VALUE]."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[str] = []
        at = 0
        while at < len(text):
            m = _TOKEN.match(text, at)
            if m is None:
                if text[at:].strip():
                    raise ValueError(f"unexpected '{text[at:].strip()}'")
                break
            self.tokens.append(m.group(1))
            at = m.end()
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise ValueError("it ends too early")
        self.at += 1
        return token

    def parse(self) -> Any:
        node = self.expr()
        if self.peek() is not None:
            raise ValueError(f"unexpected '{self.peek()}'")
        return node

    def expr(self) -> Any:
        node = self.conj()
        while self.peek() in ("||", "or"):
            self.take()
            node = ("or", node, self.conj())
        return node

    def conj(self) -> Any:
        node = self.unary()
        while self.peek() in ("&&", "and"):
            self.take()
            node = ("and", node, self.unary())
        return node

    def unary(self) -> Any:
        token = self.take()
        if token in ("!", "not"):
            return ("not", self.unary())
        if token == "(":
            node = self.expr()
            if self.take() != ")":
                raise ValueError("a parenthesis is not closed")
            return node
        if not _FIELD_NAME.fullmatch(token) or token in ("and", "or"):
            raise ValueError(f"'{token}' is not a field or protocol name")
        if self.peek() in _OPS:
            op = self.take()
            return ("cmp", _field(token), op, _value(FIELDS[token], self.take()))
        if token in FIELDS:
            return ("has", FIELDS[token])
        if "." in token:
            raise ValueError(f"no table column holds the field '{token}' ({_field_list()})")
        return ("proto", token)


def _field(name: str) -> Field:
    found = FIELDS.get(name)
    if found is None:
        raise ValueError(f"no table column holds the field '{name}' ({_field_list()})")
    return found


def _value(fld: Field, token: str) -> Any:
    """The comparison value as the column holds it."""
    text = token[1:-1] if token.startswith('"') and token.endswith('"') else token
    kind = fld.type
    try:
        if pa.types.is_integer(kind):
            return int(text, 8) if re.fullmatch(r"0[0-7]+", text) else int(text, 0)
        if pa.types.is_boolean(kind):
            return {"1": True, "0": False, "true": True, "false": False}[text.lower()]
    except (ValueError, KeyError):
        raise ValueError(f"'{token}' is not a value of {fld.name}") from None
    if pa.types.is_string(kind):
        if fld.column in ("ip_src", "ip_dst"):
            try:
                return str(ipaddress.ip_address(text))
            except ValueError:
                raise ValueError(f"'{token}' is not an address (subnets are not supported)") from None
        if fld.column in ("eth_src", "eth_dst"):
            mac = text.lower().replace("-", ":")
            if not re.fullmatch(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}", mac):
                raise ValueError(f"'{token}' is not a MAC address")
            return mac
        return text
    raise ValueError(f"{fld.name} cannot be compared")


def _names(node: Any) -> set[str]:
    if node is None or node[0] == "proto":
        return set()
    if node[0] in ("has", "cmp"):
        return {node[1].name}
    return set().union(*(_names(child) for child in node[1:]))


class _Frames:
    """One batch, with what filters need computed once."""

    def __init__(self, batch: Any) -> None:
        self.batch = batch
        self._layers: Any = None
        self._first: dict[str, Any] = {}

    def column(self, name: str) -> Any:
        return self.batch.column(self.batch.schema.get_field_index(name))

    def layers(self) -> Any:
        """':' + protocols + ':', to look a layer up as ':name:'."""
        if self._layers is None:
            protocols = pc.fill_null(self.column("protocols"), "")
            self._layers = pc.binary_join_element_wise(":", protocols, ":", "")
        return self._layers

    def position(self, layer: str) -> Any:
        """Where ``layer`` first comes in each frame's layers (a big number when absent)."""
        found = self._first.get(layer)
        if found is None:
            at = pc.find_substring(self.layers(), f":{layer}:")
            found = self._first[layer] = pc.if_else(pc.less(at, 0), 2**31, at)
        return found

    def present(self, fld: Field) -> Any:
        """Whether each frame has ``fld``: its column is set and, if the column is shared with other
        protocols' fields, ``fld``'s protocol comes first of them in the frame."""
        has = pc.is_valid(self.column(fld.column))
        if fld.rivals and fld.layer != _ALL_LAYERS:
            mine = self.position(fld.layer)
            has = pc.and_(has, pc.less(mine, 2**31))
            for rival in fld.rivals:
                has = pc.and_(has, pc.less(mine, self.position(rival)))
        return has

    def test(self, node: Any) -> Any:
        kind = node[0]
        if kind == "proto":
            if node[1] == _ALL_LAYERS:
                return pc.is_valid(self.column("ts"))
            return pc.match_substring(self.layers(), f":{node[1]}:")
        if kind == "has":
            return self.present(node[1])
        if kind == "cmp":
            fld, op, value = node[1], node[2], node[3]
            compare: Callable[..., Any] = _COMPARE[op]
            values = self.column(fld.column)
            hit = pc.fill_null(compare(values, pa.scalar(value, values.type)), False)
            return pc.and_(hit, self.present(fld))
        if kind == "not":
            return pc.invert(self.test(node[1]))
        left, right = self.test(node[1]), self.test(node[2])
        return pc.and_(left, right) if kind == "and" else pc.or_(left, right)


_COMPARE: dict[str, Callable[..., Any]] = {
    "==": pc.equal,
    "!=": pc.not_equal,
    "<": pc.less,
    "<=": pc.less_equal,
    ">": pc.greater,
    ">=": pc.greater_equal,
}


# ---- the table


class _Cells:
    """One column's intervals: frames, counter and sample count per interval (tshark's io_stat_item_t),
    the widest values any interval reached, and the column's newest interval."""

    def __init__(self) -> None:
        self.frames: list[int] = []
        self.counter: list[int] = []
        self.num: list[int] = []
        self.last = 0
        self.max_frames = 0
        self.max_value = 0

    def grow(self, size: int) -> None:
        missing = size - len(self.frames)
        if missing > 0:
            self.frames += [0] * missing
            self.counter += [0] * missing
            self.num += [0] * missing


def _magnitude(value: int, most: int) -> int:
    mag = 0
    for _ in range(most):
        mag += 1
        value //= 10
        if value == 0:
            break
    return mag


def _center(label: str, width: int) -> str:
    """tshark's printcenter(): the label centred in a column ``width`` wide, or nothing when too wide."""
    diff = width - len(label)
    pad = 6 - (int(diff / 2) + 1)
    if 0 < pad < 6:
        side = " " * (6 - pad)
        return (side if diff % 2 == 0 else side + " ") + label + side + "|"
    return ""


class IoStat:
    """``-z io,stat``: feed it batches (with :attr:`columns`), then :meth:`text` is tshark's table.

    ``primed`` is the set of fields the filters of the whole run name (tshark builds those for every
    frame); by default those of this table's own filters."""

    def __init__(self, spec: IoStatSpec | str, primed: frozenset[str] | None = None) -> None:
        self.spec = parse_io_stat(spec) if isinstance(spec, str) else spec
        self.primed = self.spec.fields if primed is None else primed
        self.step = self.spec.interval_us  # 0: every frame in one interval
        self.cells = [_Cells() for _ in self.spec.columns]
        self.first_ns: int | None = None
        self.longest_ns = 0  # the largest time since the first frame
        self.last_rel_us = 0  # the time of the last frame a column counted (tshark's last_relative_time)
        self.shown = 0  # rows completed_text() has returned
        needed = {"ts", "len"}
        for col in self.spec.columns:
            needed |= _columns_of(col.test)
            if col.field is not None:
                needed.add(col.field.column)
                if col.field.rivals:
                    needed.add("protocols")
        self.columns = [c.name for c in SCHEMA_COLUMNS if c.name in needed]

    # -- counting

    def feed(self, batch: Any) -> None:
        """Count a batch of rows (in frame order)."""
        if batch.num_rows == 0:
            return
        frames = _Frames(batch)
        ts = pc.cast(frames.column("ts"), pa.int64())
        if self.first_ns is None:
            self.first_ns = ts[0].as_py()
        rel = pc.subtract(ts, self.first_ns)
        longest = pc.max(rel).as_py()
        if longest > self.longest_ns:
            self.longest_ns = longest
        later = pc.greater_equal(rel, 0)
        rel_us = pc.divide(pc.add(rel, 500), 1000)
        every = pc.is_valid(ts)
        masks = [frames.test(col.test) if col.test is not None else every for col in self.spec.columns]
        counted = masks[0]
        for mask in masks[1:]:
            counted = pc.or_(counted, mask)
        # a frame before the first takes the time of the last counted frame at or after it
        known = pc.if_else(pc.and_(counted, later), rel_us, pa.scalar(None, pa.int64()))
        carried = pc.fill_null(pc.fill_null_forward(known), self.last_rel_us)
        self.last_rel_us = carried[-1].as_py()
        time_us = pc.if_else(later, rel_us, carried)  # a frame's own time is not yet carried
        slot = pc.divide(time_us, self.step) if self.step else pc.multiply(time_us, 0)
        lengths = pc.cast(frames.column("len"), pa.int64())
        for col, cells, mask in zip(self.spec.columns, self.cells, masks):
            self._count(frames, col, cells, mask, slot, lengths)

    def _count(self, frames: _Frames, col: Column, cells: _Cells, mask: Any, slot: Any, lengths: Any) -> None:
        slots = pc.filter(slot, mask)
        if len(slots) == 0:
            return
        # tshark counts a frame into the newest interval if its own is older
        slots = pc.max_element_wise(pc.cumulative_max(slots), cells.last)
        data: dict[str, Any] = {"slot": slots, "len": pc.filter(lengths, mask)}
        aggs: list[tuple[str, str]] = [("len", "count"), ("len", "sum")]
        fld = col.field
        has_values = fld is not None and fld.name in self.primed
        if fld is not None and has_values:
            present = pc.filter(frames.present(fld), mask)
            data["has"] = present
            aggs += [("has", "sum"), ("has", "first")]
            if col.func != COUNT:
                values = pc.cast(pc.filter(frames.column(fld.column), mask), pa.int64())
                data["v"] = pc.if_else(present, values, pa.scalar(None, pa.int64()))
                aggs += [("v", "sum"), ("v", "min"), ("v", "max"), ("v", "first")]
        table = pa.table(data)
        groups = table.group_by("slot", use_threads=False).aggregate(aggs).to_pydict()
        slot_list = groups["slot"]
        top = slot_list[-1]
        cells.grow(top + 1)
        cells.last = max(cells.last, top)
        func = col.func
        if func == AVG and has_values:
            self._widest_average(cells, data, slot_list, groups["len_count"])
        for at, where in enumerate(slot_list):
            started = cells.frames[where] > 0
            cells.frames[where] += groups["len_count"][at]
            if func in (FRAMES_AND_BYTES, FRAMES, BYTES):
                cells.counter[where] += groups["len_sum"][at]
            elif has_values:
                if func == COUNT:
                    cells.counter[where] += groups["has_sum"][at]
                elif func in (SUM, AVG):
                    cells.counter[where] += groups["v_sum"][at] or 0
                    cells.num[where] += groups["has_sum"][at]
                elif func == MAX:
                    high = groups["v_max"][at]
                    if high is not None and high > cells.counter[where]:
                        cells.counter[where] = high
                elif func == MIN:
                    low = groups["v_min"][at]
                    if not started:
                        # tshark starts from the interval's first frame's value (0 if it lacks the
                        # field), then takes any smaller one; the widths see that first value
                        first = groups["v_first"][at] if groups["has_first"][at] else 0
                        cells.max_value = max(cells.max_value, first)
                        cells.counter[where] = min(first, low) if first else 0
                    elif low is not None and low < cells.counter[where]:
                        cells.counter[where] = low
            if func in (FRAMES, FRAMES_AND_BYTES):
                cells.max_frames = max(cells.max_frames, cells.frames[where])
            if func not in (AVG, MIN):
                cells.max_value = max(cells.max_value, cells.counter[where])

    @staticmethod
    def _widest_average(cells: _Cells, data: dict[str, Any], slots: list[int], counts: list[int]) -> None:
        """tshark widens an AVG column by the running average after each frame: the largest of those."""
        values = pc.fill_null(data["v"], 0)
        has = pc.cast(data["has"], pa.int64())
        sums, nums = pc.cumulative_sum(values), pc.cumulative_sum(has)
        starts, at = [], 0
        for count in counts:
            starts.append(at)
            at += count
        base_sum = [(sums[s - 1].as_py() if s else 0) - cells.counter[w] for s, w in zip(starts, slots)]
        base_num = [(nums[s - 1].as_py() if s else 0) - cells.num[w] for s, w in zip(starts, slots)]
        slot = data["slot"]
        changed = pc.fill_null(pc.not_equal(pc.pairwise_diff(slot), 0), True)
        group = pc.subtract(pc.cumulative_sum(pc.cast(changed, pa.int64())), 1)
        run_sum = pc.subtract(sums, pc.take(pa.array(base_sum, pa.int64()), group))
        run_num = pc.subtract(nums, pc.take(pa.array(base_num, pa.int64()), group))
        valid = pc.greater(run_num, 0)
        averages = pc.divide(pc.filter(run_sum, valid), pc.filter(run_num, valid))
        if len(averages):
            cells.max_value = max(cells.max_value, pc.max(averages).as_py())

    # -- the layout (iostat_draw)

    def _layout(self, longest_ns: int) -> _Layout:
        return _Layout(self, (longest_ns + 500) // 1000 if longest_ns > 0 else 0)

    def text(self) -> str:
        """tshark 4.0's whole table, ending with a newline."""
        layout = self._layout(self.longest_ns)
        return "".join([*layout.header(), *layout.rows(0, layout.num_rows), layout.rule + "\n"])

    def completed_text(self, now_ns: int) -> str:
        """The row lines (tshark's format, widths as the counts so far make them) of the intervals that
        ended before ``now_ns`` (ns since the epoch) and were not yet returned; "" when none. A frame
        that comes later with an older time is still counted (into its column's newest interval, as
        tshark does), so :meth:`text` may then differ from the lines returned here."""
        if self.first_ns is None:
            return ""
        elapsed = max(now_ns - self.first_ns, self.longest_ns)
        done = max(0, (now_ns - self.first_ns) // 1000) // self.step if self.spec.interval_us else 0
        if done <= self.shown:
            return ""
        layout = self._layout(elapsed)
        lines = layout.rows(self.shown, done, last_row=False)
        self.shown = done
        return "".join(lines)

    def to_json(self) -> dict[str, Any]:
        """``{"interval", "duration", "columns", "rows": [{"start", "end", <column>: value}]}``, times in
        seconds; a frames-and-bytes column's value is ``{"frames", "bytes"}``."""
        layout = self._layout(self.longest_ns)
        names: list[str] = []
        for col in self.spec.columns:
            name = col.title
            while name in names or name in ("start", "end"):
                name += "'"
            names.append(name)
        rows = []
        for row in range(layout.num_rows):
            start, end = layout.bounds(row)
            item: dict[str, Any] = {"start": start / 1e6, "end": end / 1e6}
            for name, col, cells in zip(names, self.spec.columns, self.cells):
                item[name] = _json_value(col.func, cells, row)
            rows.append(item)
        return {
            "interval": layout.interval / 1e6,
            "duration": layout.duration / 1e6,
            "columns": names,
            "rows": rows,
        }


def _columns_of(node: Any) -> set[str]:
    if node is None:
        return set()
    if node[0] == "proto":
        return {"protocols"}
    if node[0] in ("has", "cmp"):
        fld = node[1]
        return {fld.column, "protocols"} if fld.rivals else {fld.column}
    return set().union(*(_columns_of(child) for child in node[1:]))


def _cell(func: str, cells: _Cells, row: int) -> tuple[int, int]:
    """(frames, value) tshark prints for ``row``."""
    if row >= len(cells.frames):
        return 0, 0
    frames, counter = cells.frames[row], cells.counter[row]
    if func == AVG:
        counter //= cells.num[row] or 1
    return frames, counter


def _json_value(func: str, cells: _Cells, row: int) -> Any:
    frames, value = _cell(func, cells, row)
    if func == FRAMES_AND_BYTES:
        return {"frames": frames, "bytes": value}
    return frames if func == FRAMES else value


class _Layout:
    """The widths and formats tshark's iostat_draw() works out, for a given duration (in us)."""

    def __init__(self, table: IoStat, duration: int) -> None:
        self.table = table
        spec = table.spec
        whole = spec.interval_us == 0 or spec.interval_us > duration
        interval = duration if whole else spec.interval_us
        self.orig_secs, self.orig_usecs = divmod(duration, 1_000_000)
        dur_mag = self.orig_mag = _magnitude(self.orig_secs, 5)
        invl_mag = _magnitude(interval // 1_000_000, 5)
        if interval == duration:
            prec = 1 if dur_mag >= 2 else 3 if dur_mag == 1 else 6
            borderlen = 30 + dur_mag + (prec + 1 if prec else 0)
        else:
            prec = spec.precision
            borderlen = 24 + invl_mag + (prec + 1 if prec else 0)
        dv = 1_000_000 // 10**prec
        if duration % dv > 5 * (dv // 10):
            duration = (duration + 5 * (dv // 10)) // dv * dv
            dur_mag = _magnitude(duration // 1_000_000, 5)
        if whole:
            interval = duration
        self.duration, self.interval, self.prec, self.dv, self.dur_mag = duration, interval, prec, dv, dur_mag
        invl_col_w = 2 * dur_mag + (8 if prec == 0 else 2 * prec + 10)
        invl_col_w = max(invl_col_w, 12)
        borderlen = max(borderlen, invl_col_w)
        tabrow_w = invl_col_w
        self.widths: list[tuple[int, int]] = []  # (frames width, value width) per column
        for col, cells in zip(spec.columns, table.cells):
            fr = val = 0
            if col.func in (FRAMES, FRAMES_AND_BYTES):
                fr = max(6, _magnitude(cells.max_frames, 15))
                tabrow_w += fr + 3
                if col.func == FRAMES_AND_BYTES:
                    val = max(5, _magnitude(cells.max_value, 15))
                    tabrow_w += val + 3
            else:
                namelen = 5 if col.func == BYTES else len(col.func)
                val = max(namelen, _magnitude(cells.max_value, 15))
                tabrow_w += val + 3
            self.widths.append((fr, val))
        borderlen = max(borderlen, tabrow_w)
        widest = max(len(c.text) + 11 if c.text else 26 for c in spec.columns)
        if widest > borderlen and borderlen < 102:
            borderlen = min(widest, 102)
        if borderlen - tabrow_w == 1:
            borderlen += 1
        self.borderlen, self.tabrow_w, self.invl_col_w = borderlen, tabrow_w, invl_col_w
        self.filler = " " * (borderlen - tabrow_w - 1) + "|" if tabrow_w < borderlen else ""
        self.rule = "=" * borderlen
        if interval == 0 or duration == 0:
            self.num_rows = 0
        else:
            self.num_rows = duration // interval + (1 if duration % interval else 0)

    def _spaces(self, start: int) -> str:
        return " " * max(0, self.borderlen - start)

    def _time(self, us: int) -> str:
        if self.prec == 0:
            return f"{us // 1_000_000:{self.orig_mag}d}"
        return f"{us // 1_000_000:{self.orig_mag}d}.{us % 1_000_000 // self.dv:0{self.prec}d}"

    def header(self) -> list[str]:
        b, prec, mag = self.borderlen, self.prec, self.dur_mag
        out = ["\n", self.rule, "\n", f"| IO Statistics{self._spaces(16)}|\n", f"|{self._spaces(2)}|\n"]
        if prec == 0:
            out.append(
                f"| Duration: {self.orig_secs:{self.orig_mag}d}.{self.orig_usecs:6d} secs"
                f"{self._spaces(25 + mag)}|\n"
            )
            out.append(f"| Interval: {self._time(self.interval)} secs{self._spaces(18 + mag)}|\n")
        else:
            out.append(f"| Duration: {self._time(self.duration)} secs{self._spaces(19 + mag + prec)}|\n")
            out.append(f"| Interval: {self._time(self.interval)} secs{self._spaces(19 + mag + prec)}|\n")
        out.append(f"|{self._spaces(2)}|\n")
        for j, col in enumerate(self.table.spec.columns):
            lead = f"| Col{j + 1:2d}: " if j == 0 else f"|    {j + 1:2d}: "
            if not col.text:
                out.append(f"{lead}Frames and bytes{self._spaces(26)}|\n")
                continue
            rest = col.text
            if len(rest) + 11 <= b:
                out.append(f"{lead}{rest}{self._spaces(len(rest) + 10)}|\n")
                continue
            most = b - 11
            while len(rest) > most:
                part = rest[:most]
                space = part.rfind(" ")
                cut, skip = (space, space + 1) if space >= 0 else (len(part), len(part))
                out.append(f"{lead}{part[:cut]}{self._spaces(cut + 10)}|\n")
                lead = "|        "
                rest = rest[skip:]
            out.append(f"{lead}{rest}{self._spaces(len(rest) + 10)}|\n")
        out.append("|-" + "-" * (b - 3) + "|\n")
        line = ["|", " " * (self.invl_col_w - 2), "|"]
        for j, (col, (fr, val)) in enumerate(zip(self.table.spec.columns, self.widths)):
            width = fr + val + 3 if col.func == FRAMES_AND_BYTES else fr if col.func == FRAMES else val
            line.append(f"{j + 1:<2d}{' ' * width}|")
        if self.filler:
            line.append(self.filler)
        line.append("\n| Interval" + " " * (self.invl_col_w - 11) + "|")
        for col, (fr, val) in zip(self.table.spec.columns, self.widths):
            if col.func == FRAMES_AND_BYTES:
                line.append(_center("Frames", fr) + _center("Bytes", val))
            else:
                line.append(_center(col.func, fr if col.func == FRAMES else val))
        line.append(self.filler)
        line.append("\n|-" + "-" * (self.tabrow_w - 3) + "|" + self.filler + "\n")
        out.append("".join(line))
        return out

    def bounds(self, row: int) -> tuple[int, int]:
        """The start and end (us) tshark shows for ``row``."""
        start = row * self.interval
        return start, self.duration if row == self.num_rows - 1 else start + self.interval

    def rows(self, first: int, stop: int, last_row: bool = True) -> list[str]:
        """The lines of rows ``first`` to ``stop - 1``."""
        prec, mag = self.prec, self.dur_mag
        lines = []
        columns, cells = self.table.spec.columns, self.table.cells
        for row in range(first, stop):
            start, end = self.bounds(row)
            is_last = last_row and row == self.num_rows - 1
            if not is_last:
                end = start + self.interval
            if prec == 0:
                edge = "|  " if mag == 1 else "| "
                if is_last:
                    width = mag + 1 if mag >= 3 else 3
                    parts = [f"{edge}{self._time(start)} <> {'Dur':<{width}s}|"]
                else:
                    tail = "  |" if mag == 1 else " |"
                    parts = [f"{edge}{self._time(start)} <> {self._time(end)}{tail}"]
            else:
                parts = [f"| {self._time(start)} <> {self._time(end)} |"]
            for col, column_cells, (fr, val) in zip(columns, cells, self.widths):
                frames, value = _cell(col.func, column_cells, row)
                if col.func == FRAMES_AND_BYTES:
                    parts.append(f" {frames:{fr}d} | {value:{val}d} |")
                elif col.func == FRAMES:
                    parts.append(f" {frames:{fr}d} |")
                else:
                    parts.append(f" {value:{val}d} |")
            parts.append(self.filler)
            parts.append("\n")
            lines.append("".join(parts))
        return lines


__all__ = ["FIELDS", "Column", "Field", "IoStat", "IoStatSpec", "parse_io_stat"]
