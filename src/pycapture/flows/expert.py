"""tshark's ``-z expert`` for TCP: the expert infos of TCP's sequence analysis, counted by summary.

Wireshark 4.0's ``ui/cli/tap-expert.c`` counts every expert info a frame gets by (severity, group,
protocol, summary), in order of first appearance, and prints a section per severity that has any:
"Errors", "Warns", "Notes", "Chats", "Comments", each headed by its total. ``-z expert,LEVEL`` (``error``,
``warn``, ``note``, ``chat`` or ``comment``, any case, as a prefix: ``warning`` is ``warn``) keeps the
infos of that severity and above.

:class:`Expert` gives the TCP infos :class:`~pycapture.flows.analysis.TcpAnalysis` can tell from the
table's columns, in the order tshark's TCP dissector adds them to a frame:

- Protocol group, Note: "The acknowledgment number field is nonzero while the ACK flag is not set";
- Sequence group, Chat: "Connection establish request (SYN): server port N" (the destination port),
  "Connection establish acknowledge (SYN+ACK): server port N" (the source port), "Connection finish
  (FIN)"; Note: "This frame initiates the connection closing" / "This frame undergoes the connection
  closing" on a FIN; Warn: "Connection reset (RST)";
- the sequence analysis (Sequence group): reused ports, retransmissions, out-of-order, lost and ACKed
  unseen segments, window update, keep-alive and its ACK, duplicate ACK (with its number, so each number
  is a row of its own), zero window, zero window probe and its ACK.

Out of scope: other protocols' expert infos, and the TCP infos the table cannot tell: those from TCP
options (D-SACK, MSS, TFO, window scale), the urgent pointer, header padding, checksums, "window full"
(it needs the window-scale option), and TCP inside tunnels or ICMP errors (only TCP right after the
outermost IP header is analysed).
"""

from __future__ import annotations

import re
from typing import Any

from ..protocols.numbers import TCP_FLAG_BITS
from .analysis import (
    ACK_LOST,
    CLOSING_ACTIVE,
    CLOSING_PASSIVE,
    DUP_ACK,
    FAST,
    KEEP_ALIVE,
    KEEP_ALIVE_ACK,
    LOST,
    OUT_OF_ORDER,
    RETRANSMISSION,
    REUSED_PORTS,
    SPURIOUS,
    WINDOW_UPDATE,
    ZERO_WINDOW,
    ZW_PROBE,
    ZW_PROBE_ACK,
    TcpAnalysis,
)
from .analysis import COLUMNS as ANALYSIS_COLUMNS
from .stats import EXPERT, EXPERT_FORM, EXPERT_LEVELS, SpecError

SPEC = EXPERT
LEVELS = EXPERT_LEVELS
"""The severities, most severe first, as ``-z expert,LEVEL`` names them."""
SECTIONS = ("Errors", "Warns", "Notes", "Chats", "Comments")
"""tshark's section title of each severity of :data:`LEVELS`."""
JSON_KEYS = ("Errors", "Warnings", "Notes", "Chats", "Comments")
"""The key of each severity in :meth:`Expert.to_json`."""

_ERROR, _WARN, _NOTE, _CHAT = 0, 1, 2, 3
_SEQUENCE, _PROTOCOL = "Sequence", "Protocol"
_TCP = "TCP"

# (severity, summary) of each analysis flag, in the order tshark prints them
# (tcp_print_sequence_number_analysis); the retransmission kinds are handled apart
_FLAG_INFOS = (
    (LOST, _WARN, "Previous segment(s) not captured (common at capture start)"),
    (ACK_LOST, _WARN, "ACKed segment that wasn't captured (common at capture start)"),
    (WINDOW_UPDATE, _CHAT, "TCP window update"),
    (KEEP_ALIVE, _NOTE, "TCP keep-alive segment"),
    (KEEP_ALIVE_ACK, _NOTE, "ACK to a TCP keep-alive segment"),
)
_ZERO_WINDOW_INFOS = (
    (ZW_PROBE, _NOTE, "TCP Zero Window Probe"),
    (ZERO_WINDOW, _WARN, "TCP Zero Window segment"),
    (ZW_PROBE_ACK, _NOTE, "ACK to a TCP Zero Window Probe"),
)
_REUSED = "A new tcp session is started with the same ports as an earlier session in this trace"
_RETRANSMISSION = "This frame is a (suspected) retransmission"
_FAST = "This frame is a (suspected) fast retransmission"
_SPURIOUS = "This frame is a (suspected) spurious retransmission"
_OUT_OF_ORDER = "This frame is a (suspected) out-of-order segment"
_ACK_NONZERO = "The acknowledgment number field is nonzero while the ACK flag is not set"
_FIN = "Connection finish (FIN)"
_RST = "Connection reset (RST)"
_CLOSING = {
    CLOSING_ACTIVE: "This frame initiates the connection closing",
    CLOSING_PASSIVE: "This frame undergoes the connection closing",
}
SUMMARY_FORMS = (
    _REUSED,
    _RETRANSMISSION,
    _FAST,
    _SPURIOUS,
    _OUT_OF_ORDER,
    _ACK_NONZERO,
    _FIN,
    _RST,
    *_CLOSING.values(),
    *(summary for _, _, summary in _FLAG_INFOS + _ZERO_WINDOW_INFOS),
    "Duplicate ACK (#N)",
    "Connection establish request (SYN): server port N",
    "Connection establish acknowledge (SYN+ACK): server port N",
)
"""Every summary :class:`Expert` may count (N: a number)."""


def in_scope(summary: str) -> bool:
    """Whether ``summary`` (a TCP expert info's text) is one :class:`Expert` counts."""
    form = re.sub(r"(?<=#)\d+(?=\)$)|(?<=server port )\d+$", "N", summary)
    return form in SUMMARY_FORMS


_SYN_BIT, _ACK_BIT, _FIN_BIT, _RST_BIT = (TCP_FLAG_BITS[c] for c in "S.FR")


def parse_expert_spec(spec: str) -> int:
    """The lowest severity (an index of :data:`LEVELS`) a ``-z expert[,LEVEL]`` argument keeps; a bad
    one, or one with a display filter, raises :class:`~pycapture.flows.stats.SpecError`."""
    if spec != SPEC and not spec.startswith(SPEC + ","):
        raise SpecError(f"-z {spec}: not an expert spec; valid form: {EXPERT_FORM}")
    rest = spec[len(SPEC) :]
    lowest = len(LEVELS) - 1
    if rest:
        # as tap-expert.c: ",LEVEL" matched as a prefix in any case, then ",FILTER" if any
        for at, level in enumerate(LEVELS):
            if rest[1 : 1 + len(level)].lower() == level:
                lowest = at
                rest = rest[1 + len(level) :]
                break
        if rest.startswith(",") and rest[1:]:
            raise SpecError(
                f"-z {spec}: a display filter after expert is not supported; valid form: {EXPERT_FORM}"
            )
    return lowest


class Expert:
    """``-z expert`` over TCP (see the module's notes): :meth:`feed` table batches in frame order, then
    :meth:`text` or :meth:`to_json`. ``spec`` is the ``-z`` argument (``expert``, ``expert,warn``)."""

    columns = ANALYSIS_COLUMNS

    def __init__(self, spec: str = SPEC) -> None:
        self.spec = spec
        self.lowest = parse_expert_spec(spec)
        self.analysis = TcpAnalysis()
        """The sequence analysis the infos come from (its per-stream counts are there too)."""
        # per severity: (group, protocol, summary) -> frequency, in order of first appearance
        self._counts: list[dict[tuple[str, str, str], int]] = [{} for _ in LEVELS]

    def feed(self, batch: Any) -> None:
        """Count the expert infos of one Arrow record batch's TCP frames."""
        counts = self._counts
        lowest = self.lowest

        def add(severity: int, group: str, summary: str) -> None:
            if severity <= lowest:
                table = counts[severity]
                key = (group, _TCP, summary)
                table[key] = table.get(key, 0) + 1

        for row in self.analysis.feed_notable(batch):
            tf = row.tcp_flags
            if not tf & _ACK_BIT and row.tcp_ack:
                add(_NOTE, _PROTOCOL, _ACK_NONZERO)
            if tf & _SYN_BIT:
                if tf & _ACK_BIT:
                    add(
                        _CHAT,
                        _SEQUENCE,
                        f"Connection establish acknowledge (SYN+ACK): server port {row.src_port}",
                    )
                else:
                    add(_CHAT, _SEQUENCE, f"Connection establish request (SYN): server port {row.dst_port}")
            if tf & _FIN_BIT:
                add(_CHAT, _SEQUENCE, _FIN)
                add(_NOTE, _SEQUENCE, _CLOSING[row.closing])
            if tf & _RST_BIT:
                add(_WARN, _SEQUENCE, _RST)
            bits = row.bits
            if not bits:
                continue
            if bits & REUSED_PORTS:
                add(_NOTE, _SEQUENCE, _REUSED)
            if bits & FAST:
                add(_NOTE, _SEQUENCE, _FAST)
                add(_NOTE, _SEQUENCE, _RETRANSMISSION)
            elif bits & SPURIOUS:
                add(_NOTE, _SEQUENCE, _SPURIOUS)
                add(_NOTE, _SEQUENCE, _RETRANSMISSION)
            elif bits & RETRANSMISSION:
                add(_NOTE, _SEQUENCE, _RETRANSMISSION)
            if bits & OUT_OF_ORDER:
                add(_WARN, _SEQUENCE, _OUT_OF_ORDER)
            for bit, severity, summary in _FLAG_INFOS:
                if bits & bit:
                    add(severity, _SEQUENCE, summary)
            if bits & DUP_ACK:
                add(_NOTE, _SEQUENCE, f"Duplicate ACK (#{row.dup_ack_num})")
            for bit, severity, summary in _ZERO_WINDOW_INFOS:
                if bits & bit:
                    add(severity, _SEQUENCE, summary)

    def text(self) -> str:
        """tshark 4.0's ``-z expert`` text for these infos ("" when there are none, as tshark prints)."""
        out = []
        for title, table in zip(SECTIONS, self._counts):
            if not table:
                continue
            out.append(f"\n{title} ({sum(table.values())})\n=============\n")
            out.append("   Frequency      Group           Protocol  Summary\n")
            for (group, protocol, summary), frequency in table.items():
                out.append(f"{frequency:12d} {group:>10} {protocol:>18}  {summary}\n")
        return "".join(out)

    def to_json(self) -> dict[str, Any]:
        """``{"severities": {"Warnings": [{"frequency", "group", "protocol", "summary"}, ...], ...}}``:
        the severities that have infos, most severe first."""
        return {
            "severities": {
                key: [
                    {"frequency": n, "group": group, "protocol": protocol, "summary": summary}
                    for (group, protocol, summary), n in table.items()
                ]
                for key, table in zip(JSON_KEYS, self._counts)
                if table
            }
        }
