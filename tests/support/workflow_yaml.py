"""The YAML that GitHub workflows are written in, read without PyYAML (which the test venv does not have).

It reads block mappings and sequences, plain and quoted scalars (``true``/``false``, integers, ``null``),
``|`` and ``>`` block scalars with their chomping indicators, and comments: what
``.github/workflows/*.yml`` use. Anything else (anchors, flow collections, multi-line plain scalars, tags)
raises :class:`ValueError` rather than being misread. ``on``, ``yes`` and ``no`` stay strings, as GitHub
reads them (PyYAML, following YAML 1.1, makes them booleans). A test holds it to PyYAML's reading of a
sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_INT = re.compile(r"[-+]?[0-9]+")
_BLOCK = re.compile(r"([|>])([-+]?)")


@dataclass
class _Line:
    indent: int
    text: str  # without the indentation, the comment or the line end


def _strip_comment(text: str) -> str:
    """``text`` without a trailing ``# comment``, quotes respected."""
    quote = ""
    for n, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"" and (n == 0 or text[n - 1] in " :-["):
            quote = char
        elif char == "#" and (n == 0 or text[n - 1] in " \t"):
            return text[:n].rstrip()
    return text.rstrip()


def _scalar(text: str) -> Any:
    if not text:
        return None
    if text[0] == "'":
        if len(text) < 2 or text[-1] != "'":
            raise ValueError(f"unterminated quoted scalar: {text}")
        return text[1:-1].replace("''", "'")
    if text[0] == '"':
        if len(text) < 2 or text[-1] != '"':
            raise ValueError(f"unterminated quoted scalar: {text}")
        return text[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    if text[0] in "&*!{[%@`":
        raise ValueError(f"not supported here: {text}")
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if text in ("null", "Null", "NULL", "~"):
        return None
    if _INT.fullmatch(text):
        return int(text)
    return text


def _split_key(text: str) -> tuple[str, str] | None:
    """``key: rest`` -> (key, rest); None when the line is not a mapping entry."""
    if text[0] in "'\"":
        end = text.find(text[0], 1)
        if end > 0 and text[end + 1 : end + 2] == ":" and text[end + 2 : end + 3] in ("", " "):
            return _scalar(text[: end + 1]), text[end + 2 :].strip()
        return None
    match = re.match(r"([^\s#][^:]*?):(?:\s+|$)", text)
    if match is None:
        return None
    return match[1], text[match.end() :]


class _Parser:
    def __init__(self, text: str) -> None:
        self.raw = text.split("\n")
        self.i = 0
        self.replaced: dict[int, _Line] = {}  # a "- key: value" line, read again as "key: value"

    def _peek(self) -> _Line | None:
        while self.i < len(self.raw):
            if self.i in self.replaced:
                return self.replaced[self.i]
            line = self.raw[self.i]
            if "\t" in line[: len(line) - len(line.lstrip())]:
                raise ValueError(f"line {self.i + 1}: a tab in the indentation")
            text = _strip_comment(line.strip())
            if text:
                if text in ("---", "..."):
                    raise ValueError("one document only")
                return _Line(len(line) - len(line.lstrip(" ")), text)
            self.i += 1
        return None

    def node(self, indent: int) -> Any:
        line = self._peek()
        if line is None or line.indent < indent:
            return None
        if line.text == "-" or line.text.startswith("- "):
            return self.sequence(line.indent)
        return self.mapping(line.indent)

    def mapping(self, indent: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        while (line := self._peek()) is not None and line.indent == indent:
            if line.text == "-" or line.text.startswith("- "):
                break
            entry = _split_key(line.text)
            if entry is None:
                raise ValueError(f"line {self.i + 1}: expected 'key: value', got {line.text!r}")
            key, rest = entry
            if key in result:
                raise ValueError(f"line {self.i + 1}: duplicate key {key!r}")
            self.i += 1
            result[key] = self.value(rest, indent, in_sequence=False)
        if line is not None and line.indent > indent:
            raise ValueError(f"line {self.i + 1}: unexpected indentation")
        return result

    def sequence(self, indent: int) -> list[Any]:
        items: list[Any] = []
        while (line := self._peek()) is not None and line.indent == indent:
            if not (line.text == "-" or line.text.startswith("- ")):
                break
            body = line.text[1:].lstrip()
            if body == "-" or body.startswith("- "):
                raise ValueError(
                    f"line {self.i + 1}: a sequence inside a sequence's line is not supported here"
                )
            offset = indent + len(line.text) - len(body)
            if body and _split_key(body) is not None:
                self.replaced[self.i] = _Line(offset, body)
                items.append(self.mapping(offset))
                continue
            self.i += 1
            items.append(self.value(body, indent, in_sequence=True))
        return items

    def value(self, rest: str, indent: int, in_sequence: bool) -> Any:
        block = _BLOCK.fullmatch(rest)
        if block:
            return self.block_scalar(block[1], block[2], indent)
        if rest:
            return _scalar(rest)
        line = self._peek()
        if line is None:
            return None
        if line.indent > indent:
            return self.node(line.indent)
        if not in_sequence and line.indent == indent and (line.text == "-" or line.text.startswith("- ")):
            return self.sequence(indent)  # a mapping's sequence may sit at the key's own indentation
        return None

    def block_scalar(self, style: str, chomp: str, indent: int) -> str:
        lines: list[str] = []
        block_indent = None
        while self.i < len(self.raw):
            line = self.raw[self.i]
            if line.strip():
                here = len(line) - len(line.lstrip(" "))
                if here <= indent:
                    break
                if block_indent is None:
                    block_indent = here
                if here < block_indent:
                    raise ValueError(f"line {self.i + 1}: less indented than its block scalar")
                lines.append(line[block_indent:])
            else:
                lines.append("")
            self.i += 1
        body_end = len(lines)
        while body_end and not lines[body_end - 1]:
            body_end -= 1
        trailing = len(lines) - body_end
        body = lines[:body_end]
        if style == "|":
            text = "\n".join(body)
        else:  # folded: a line break between two lines of text is a space, an empty line a line break
            text = body[0] if body else ""
            previous, empties = text, 0
            for line in body[1:]:
                if not line:
                    empties += 1
                    continue
                normal = not previous.startswith(" ") and not line.startswith(" ")
                text += (
                    ("\n" * (empties if normal else empties + 1)) if empties else (" " if normal else "\n")
                )
                text += line
                previous, empties = line, 0
        if not body:
            return "" if chomp != "+" else "\n" * trailing
        if chomp == "-":
            return text
        if chomp == "+":
            return text + "\n" * (trailing + 1)
        return text + "\n"


def load(text: str) -> Any:
    """The document in ``text``, as dicts, lists, strings, integers, booleans and None."""
    parser = _Parser(text)
    first = parser._peek()
    result = parser.node(first.indent if first else 0)
    if parser._peek() is not None:
        raise ValueError(f"line {parser.i + 1}: not read (indentation?)")
    return result
