"""tshark's ``-z io,phs``: the protocol hierarchy of a capture, from the table's ``protocols`` column.

Each frame adds one to ``frames`` and its length to ``bytes`` of every node on its path; a node's children
are listed in the order their first frame came, as tshark's ``tap-protohierstat.c`` lists them. The path
is the frame's layer names (the table's ``protocols``, tshark's ``frame.protocols``) as tshark's tree
shows them at its top level: IPv6 extension headers are not nodes; what ICMP and ICMPv6 carry is part of
their own subtree, except the payload after the UDP header of a packet an ICMP error quotes, which
tshark's data dissector adds at the top.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

COLUMNS = ("protocols", "len")
"""The table columns :class:`ProtocolHierarchy` reads."""

RULE = "=" * 67
NAME_WIDTH = 40
MAX_INDENT = 16  # past this depth tshark writes "..." instead of more indentation

_ICMPS = frozenset({"icmp", "icmpv6"})
IPV6_EXTENSIONS = frozenset({"ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts", "ipv6.shim6"})
"""IPv6 extension headers: layers of frame.protocols that tshark draws inside the IPv6 header's tree,
never as nodes of its hierarchy."""
_QUOTED_PAYLOAD = ("udp", "data")


def tree_path(protocols: str) -> tuple[str, ...]:
    """The nodes tshark's hierarchy counts for a frame whose layers are ``protocols`` (``eth:ip:tcp``)."""
    names = [name for name in protocols.split(":") if name not in IPV6_EXTENSIONS] if protocols else []
    for at, name in enumerate(names):
        if name in _ICMPS:
            quoted = names[at + 1 :]
            tail = ("data",) if tuple(quoted[1:3]) == _QUOTED_PAYLOAD and quoted[0] in ("ip", "ipv6") else ()
            return (*names[: at + 1], *tail)
    return tuple(names)


class _Node:
    __slots__ = ("bytes", "children", "frames")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.frames = 0
        self.bytes = 0


class ProtocolHierarchy:
    """Counts frames and bytes per protocol path; :meth:`text` is tshark's table, :meth:`to_json` the same
    as nested objects. ``filter`` is the display text of the filter the frames passed ("" for none)."""

    columns = COLUMNS

    def __init__(self, filter: str = "") -> None:
        self.filter = filter
        self._root = _Node()
        self._paths: dict[str, list[int]] = {}  # protocols -> [frames, bytes], first-seen order

    def add(self, protocols: str | None, length: int) -> None:
        """Count one frame of ``length`` bytes whose layers are ``protocols``."""
        counts = self._paths.get(protocols or "")
        if counts is None:
            self._paths[protocols or ""] = [1, length]
        else:
            counts[0] += 1
            counts[1] += length

    def add_batch(self, batch: Any) -> None:
        """Count the rows of a table batch (a ``pyarrow.RecordBatch`` with :data:`COLUMNS`)."""
        names = batch.column(batch.schema.get_field_index("protocols")).to_pylist()
        lengths = batch.column(batch.schema.get_field_index("len")).to_pylist()
        add = self.add
        for name, length in zip(names, lengths):
            add(name, length)

    def _tree(self) -> _Node:
        root = _Node()
        for protocols, (frames, size) in self._paths.items():
            node = root
            for name in tree_path(protocols):
                child = node.children.get(name)
                if child is None:
                    child = node.children[name] = _Node()
                child.frames += frames
                child.bytes += size
                node = child
        return root

    def lines(self) -> Iterable[str]:
        """tshark's table, line by line (without line ends), as ``tshark -q -z io,phs`` prints it."""
        yield ""
        yield RULE
        yield "Protocol Hierarchy Statistics"
        yield f"Filter: {self.filter}"
        yield ""
        yield from _draw(self._tree(), 0)
        yield RULE

    def text(self) -> str:
        """The whole table as one string, ending with a newline."""
        return "\n".join(self.lines()) + "\n"

    def to_json(self) -> dict[str, Any]:
        """``{"filter": ..., "protocols": [{"protocol", "frames", "bytes", "protocols": [...]}, ...]}``."""
        return {"filter": self.filter, "protocols": _nested(self._tree())}


def _draw(node: _Node, depth: int) -> Iterable[str]:
    indent = "  " * depth if depth <= MAX_INDENT else "  " * MAX_INDENT + "..."
    for name, child in node.children.items():
        yield f"{indent + name:<{NAME_WIDTH}} frames:{child.frames} bytes:{child.bytes}"
        yield from _draw(child, depth + 1)


def _nested(node: _Node) -> list[dict[str, Any]]:
    return [
        {"protocol": name, "frames": child.frames, "bytes": child.bytes, "protocols": _nested(child)}
        for name, child in node.children.items()
    ]
