"""Standard output that writes every byte it is given, even when a signal interrupts a write.

A stop signal (Ctrl-C, SIGTERM) that arrives while a large write to a full pipe is blocked makes
``write(2)`` return the part already written, and CPython's ``BufferedWriter`` then drops the rest without
a word (65,536 bytes of 300,000 arrived): live lines and JSON were lost when the reader was slower than the
capture. :class:`WholeWrites` goes on writing until all is written, and :func:`whole_stdout` puts it under
``sys.stdout``.
"""

from __future__ import annotations

import io
import os
import sys
from typing import Any


def write_all(fd: int, data: Any) -> None:
    """Write all of ``data`` (bytes-like) to ``fd``, however many calls it takes."""
    view = memoryview(data).cast("B")
    while view:
        view = view[os.write(fd, view) :]


class WholeWrites(io.RawIOBase):
    """A raw stream on a descriptor whose every write writes all it is given."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        write_all(self._fd, data)
        return memoryview(data).nbytes


def whole_stdout() -> None:
    """Put :class:`WholeWrites` under ``sys.stdout`` where it is the interpreter's own text stream on a
    descriptor, keeping its encoding, errors, line buffering and buffering (none with ``python -u`` or
    PYTHONUNBUFFERED, where the text layer sits on the raw one); else leave it."""
    out = sys.stdout
    if not isinstance(out, io.TextIOWrapper) or not isinstance(out.buffer, (io.BufferedWriter, io.FileIO)):
        return
    try:
        fd = out.fileno()
    except (OSError, ValueError):
        return
    out.flush()
    raw = WholeWrites(fd)
    unbuffered = isinstance(out.buffer, io.FileIO)
    sys.stdout = io.TextIOWrapper(
        raw if unbuffered else io.BufferedWriter(raw, 1 << 16),
        encoding=out.encoding,
        errors=out.errors,
        line_buffering=out.line_buffering,
        write_through=unbuffered or out.write_through,
    )
