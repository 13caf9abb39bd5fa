"""What the commands share: errors as one line on stderr, the kinds of option they declare (flags, counted
letters, numbers checked against their bounds), and the options both take (--speed, --json, --debug)."""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from ..errors import PcapError
from ..replay.pacer import SPEED, Bounds
from ..run import quiet_stdout, say


class BoundedFloat(click.ParamType):
    """A number option within :class:`~pycapture.replay.pacer.Bounds`: a usage error outside them, NaN and the
    infinities included (click's FloatRange lets NaN through)."""

    name = "float"

    def __init__(self, bounds: Bounds) -> None:
        self.bounds = bounds

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            return self.bounds.check("value", float(value))  # type: ignore[arg-type]  # TypeError is caught
        except (TypeError, ValueError):
            self.fail(f"must be {self.bounds}, not {value!r}", param, ctx)


_Function = TypeVar("_Function", bound=Callable[..., Any])


def flag(*decls: str, help: str) -> Callable[[_Function], _Function]:
    """An option that is on when given (tcpdump's -p, -n, -l...)."""
    return click.option(*decls, is_flag=True, help=help)


def counter(*decls: str, help: str) -> Callable[[_Function], _Function]:
    """A letter that counts its repeats, as -v, -vv and -t to -ttttt do: 0 when not given."""
    return click.option(*decls, count=True, help=help)


def positive_int(*decls: str, metavar: str, help: str) -> Callable[[_Function], _Function]:
    """A whole number of 1 or more (packets, seconds, files, KiB); None when not given."""
    return click.option(*decls, type=click.IntRange(min=1), metavar=metavar, help=help)


def speed_option(help_text: str) -> Callable[[_Function], _Function]:
    """``--speed X``: the recorded pace times X, within :data:`~pycapture.replay.pacer.SPEED`; ``help_text``
    says what the command paces with it."""
    return click.option("--speed", type=BoundedFloat(SPEED), metavar="X", help=help_text)


def json_option(help_text: str) -> Callable[[_Function], _Function]:
    """``--json``, the ``json_lines`` flag: one JSON object per packet; ``help_text`` says when."""
    return flag("--json", "json_lines", help=help_text)


def debug_option(function: _Function) -> _Function:
    """``--debug``: a traceback with the one-line error (see :func:`reported_errors`)."""
    return flag("--debug", help="Show a traceback on errors.")(function)


@contextlib.contextmanager
def reported_errors(debug: bool, os_hint: str = "check the path and free space for -w") -> Iterator[None]:
    """Turn an error into one line on stderr naming the cause and the fix, and exit status 1.

    ``--debug`` adds the traceback. A closed standard output (``pycapture ... | head``) is not an error.
    """
    try:
        yield
    except PcapError as exc:
        if debug:
            traceback.print_exc()
        say(exc.line())
        sys.exit(1)
    except BrokenPipeError:  # the reader went away (pycapture -D | head): not an error
        quiet_stdout()
    except NotImplementedError as exc:  # a libpcap knob this pcapy-ng build cannot reach
        if debug:
            traceback.print_exc()
        say(f"{exc}; leave out the option that needs it")
        sys.exit(1)
    except OSError as exc:  # a file: a bad path, no permission, a full disk
        if debug:
            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        say(f"{where}{exc.strerror or exc}; {os_hint}")
        sys.exit(1)
