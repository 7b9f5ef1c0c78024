"""Every command and option of ``procure`` has a one-line help, and help reads in words."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

import cli

COMMAND = typer.main.get_command(cli.app)
COMMANDS = sorted(COMMAND.commands)  # type: ignore[attr-defined]


def test_every_command_is_listed() -> None:
    names = ["solve", "diagnose", "validate", "schema", "generate", "report", "compare", "sweep", "pareto", "hedge",
             "ranges"]
    assert sorted(names) == COMMANDS


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_and_option_has_help(runner: CliRunner, name: str) -> None:
    command = COMMAND.commands[name]  # type: ignore[attr-defined]
    assert command.short_help and len(command.short_help) <= 60
    assert command.help
    text = runner.invoke(cli.app, [name, "--help"], env={"COLUMNS": "100"}).stdout
    for param in command.params:
        if param.param_type_name == "argument":  # its help is Typer's, listed under "Arguments:" (Typer >= 0.24)
            if "Arguments:" in text:
                assert re.search(rf"^  {re.escape(param.metavar or param.name.upper())}\s+\w", text, re.M), \
                    f"{name} {param.name}"
            continue
        assert param.help, f"{name} {param.name} has no help"

@pytest.mark.parametrize("name", COMMANDS)
def test_help_reads_in_words(runner: CliRunner, name: str) -> None:
    result = runner.invoke(cli.app, [name, "--help"], env={"COLUMNS": "100"}, prog_name="procure")
    assert result.exit_code == 0
    text = result.stdout
    for noise in ("<bool>", "<path>", "<list", "<str>", "<int", "<float", "{", "}", "\\["):
        assert noise not in text, f"{name} --help shows {noise!r}"
    assert re.search(rf"^Usage: procure {name} \[OPTIONS\]( [A-Z.]+)*$", text, re.M), text


def test_solve_help_names_its_values(runner: CliRunner) -> None:
    text = runner.invoke(cli.app, ["solve", "--help"], env={"COLUMNS": "100"}, prog_name="procure").stdout
    assert "Usage: procure solve [OPTIONS] INSTANCE" in text
    for shown in ("--out DIR", "--time-limit SECONDS", "--mip-gap GAP", "--threads N", "--max-memory SIZE",
                  "--algorithm <auto|choose|simplex|ipm|pdlp>", "-v, --verbose  ", "-q, --quiet  "):
        assert shown in text, shown


def test_the_command_list_is_not_cut(runner: CliRunner) -> None:
    text = runner.invoke(cli.app, ["--help"], env={"COLUMNS": "80"}).stdout
    commands = text.split("Commands:")[1]
    assert "..." not in commands
