"""What the commands share: errors as one line on stderr, and number options checked against their bounds."""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Iterator

import click

from ..errors import PcapError
from ..replay.pacer import Bounds
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
        hint = f"; {exc.hint}" if exc.hint else ""
        say(f"{exc}{hint}")
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
