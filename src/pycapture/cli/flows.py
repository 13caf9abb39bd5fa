"""``pycapture flows -r FILE -o DIR [FILTER...]``: tcpflow's files, one per direction of each TCP
connection, holding its bytes (see :mod:`pycapture.flows.tcpflow`). tcpflow's ``report.xml`` is not
written."""

from __future__ import annotations

import click

from ..errors import CaptureFileError
from ..flows.tcpflow import TcpflowWriter
from ..run import locate_damage, say
from .common import debug_option, reported_errors


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-r",
    "files",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False),
    help="A capture file to read (repeat for more: connections go on across files).",
)
@click.option(
    "-o", "outdir", default=".", show_default=True, help="The directory of the files (made if missing)."
)
@click.argument("expression", nargs=-1)
@debug_option
def flows_command(files: tuple[str, ...], outdir: str, expression: tuple[str, ...], debug: bool) -> None:
    """Write each TCP stream's bytes, one file per direction, named as tcpflow names them
    (192.168.001.001.00080-010.000.000.001.01234); EXPRESSION is a BPF filter."""
    with reported_errors(debug, "check that -o names a directory you can write to"):
        writer = TcpflowWriter(outdir)
        writer.outdir.mkdir(parents=True, exist_ok=True)  # fail before reading when -o cannot be made
        damaged: CaptureFileError | None = None
        for path in files:
            try:
                writer.add_file(path, " ".join(expression))
            except CaptureFileError as exc:  # as tcpflow: the packets before the damage still count
                damaged = damaged or locate_damage(exc, path, None)
        report = writer.write()
        say(f"{len(report.files)} files written in {outdir} from {report.segments} TCP segments")
        if damaged is not None:
            raise damaged
