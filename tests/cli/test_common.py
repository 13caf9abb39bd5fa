"""The option kinds both commands declare with (cli/common.py), and the options they share."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from pycapture.cli.capture import command
from pycapture.cli.common import counter, debug_option, flag, json_option, positive_int, speed_option
from pycapture.cli.replay import replay_command
from pycapture.replay.pacer import SPEED


def _option(cmd: click.Command, name: str) -> click.Option:
    (option,) = (p for p in cmd.params if isinstance(p, click.Option) and name in p.opts)
    return option


@pytest.mark.parametrize("name", ["--speed", "--json", "--debug"])
def test_both_commands_take_the_shared_option_alike(name):
    ours, theirs = _option(command, name), _option(replay_command, name)
    assert (ours.name, ours.opts, ours.is_flag, ours.metavar) == (
        theirs.name,
        theirs.opts,
        theirs.is_flag,
        theirs.metavar,
    )
    assert type(ours.type) is type(theirs.type)


@click.command()
@flag("-p", "--promisc", help="a flag")
@counter("-v", "verbose", help="a counter")
@positive_int("-c", "count", metavar="N", help="a count")
@speed_option("a pace")
@json_option("lines")
@debug_option
def _probe(
    promisc: bool, verbose: int, count: int | None, speed: float | None, json_lines: bool, debug: bool
) -> None:
    click.echo(f"{promisc} {verbose} {count} {speed} {json_lines} {debug}")


@pytest.mark.parametrize(
    ("args", "output"),
    [
        ([], "False 0 None None False False"),
        (["-p", "-vvv", "-c", "1", "--speed", "2", "--json", "--debug"], "True 3 1 2.0 True True"),
        (["--promisc", "-v", "-v", "-c", "99"], "True 2 99 None False False"),
    ],
    ids=str,
)
def test_each_kind_of_option_parses_as_declared(args, output):
    result = CliRunner().invoke(_probe, args)
    assert (result.exit_code, result.output) == (0, output + "\n")


@pytest.mark.parametrize(
    ("args", "words"),
    [(["-c", "0"], "0 is not in the range x>=1"), (["--speed", "nan"], f"must be {SPEED}, not 'nan'")],
    ids=str,
)
def test_a_value_out_of_range_is_a_usage_error(args, words):
    result = CliRunner().invoke(_probe, args)
    assert result.exit_code == 2
    assert words in result.output


def test_the_help_shows_what_each_kind_takes():
    text = CliRunner().invoke(_probe, ["--help"]).output
    for line in ("-p, --promisc", "-v", "-c N", "--speed X", "--json", "--debug"):
        assert line in text
