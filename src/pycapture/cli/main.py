"""The console script and ``python -m pycapture``: ``pycapture [OPTIONS] [EXPRESSION]...`` captures or reads
(:mod:`pycapture.cli.capture`), ``pycapture replay FILE...`` replays (:mod:`pycapture.cli.replay`), and
``pycapture convert`` and ``pycapture sql`` make captures tables (:mod:`pycapture.cli.table`), and
``pycapture flows`` writes each TCP stream's bytes to files as tcpflow does (:mod:`pycapture.cli.flows`)."""

from __future__ import annotations

import sys

from ..output.whole import whole_stdout
from .capture import command

__all__ = ["command", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script and of ``python -m pycapture``."""
    args = sys.argv[1:] if argv is None else argv
    whole_stdout()
    if args[:1] == ["replay"]:
        from .replay import replay_command  # loaded only for a replay

        replay_command.main(args=args[1:], prog_name="pycapture replay")
        return
    if args[:1] == ["flows"]:
        from .flows import flows_command  # loaded only for flow files

        flows_command.main(args=args[1:], prog_name="pycapture flows")
        return
    if args[:1] in (["convert"], ["sql"]):
        from .table import convert_command, sql_command  # loaded only for the tables

        sub = convert_command if args[0] == "convert" else sql_command
        sub.main(args=args[1:], prog_name=f"pycapture {args[0]}")
        return
    command.main(args=args, prog_name="pycapture")
