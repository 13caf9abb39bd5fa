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
@click.option(
    "--table",
    "table_file",
    metavar="FILE",
    help="Also write one row per TCP and UDP conversation (conn.log-like columns) to FILE, a table by its "
    "suffix (.parquet, .csv, .jsonl, .arrow). Needs pyarrow (pip install '.[table]').",
)
@click.argument("expression", nargs=-1)
@debug_option
def flows_command(
    files: tuple[str, ...], outdir: str, table_file: str | None, expression: tuple[str, ...], debug: bool
) -> None:
    """Write each TCP stream's bytes, one file per direction, named as tcpflow names them
    (192.168.001.001.00080-010.000.000.001.01234); EXPRESSION is a BPF filter."""
    kind = None
    if table_file is not None:
        from .table import FORMATS, format_of

        kind = format_of(table_file)
        if kind is None:
            raise click.UsageError(
                f"--table {table_file}: name a file ending in one of .{', .'.join(FORMATS)}"
            )
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
        if table_file is not None and kind is not None:
            rows = _write_flow_table(files, " ".join(expression), table_file, kind)
            say(f"{rows} conversations written to {table_file}")
        if damaged is not None:
            raise damaged


def _write_flow_table(files: tuple[str, ...], bpf: str, path: str, kind: str) -> int:
    """Write the conversations of ``files`` (up to any damage) as a ``kind`` table at ``path``."""
    from ..flows.flowtable import FlowTable
    from ..table import read_batches
    from ..table.writer import TableWriter

    flows = FlowTable()
    for name in files:
        try:
            for batch in read_batches(name, columns=list(FlowTable.columns), filter=bpf or None):
                flows.feed(batch)
        except CaptureFileError:
            pass  # the tcpflow pass met the same damage and reports it
    table = flows.to_arrow()
    out = TableWriter(path, kind, table.schema)
    for batch in table.to_batches():
        out.write(batch)
    out.close()
    return int(table.num_rows)
