"""README teaches the CLI as it is: every command's --help has an example, and the
command reference in README is exactly what ``python -m tracker.cli.docs`` makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.cli.docs import (
    END,
    START,
    WIDTH,
    help_text,
    reference,
    replace_section,
    section_of,
    walk,
)

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
COMMANDS = [(name, ctx) for name, ctx in walk(cli)]


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_every_command_has_help_with_an_example(name: str) -> None:
    ctx = dict(COMMANDS)[name]
    text = help_text(ctx)
    assert "Example" in text, f"`{name} --help` has no Example block"
    example = text.split("Example", 1)[1]
    assert "tracker" in example.split("Options:")[0], f"`{name} --help`: the example runs nothing"
    summary = (ctx.command.help or "").strip().splitlines()[0]
    assert summary and summary[0].isupper() and summary.endswith("."), name


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_generated_help_is_what_the_cli_prints(name: str) -> None:
    args = [*name.split()[1:], "--help"]
    result = CliRunner().invoke(cli, args, prog_name="tracker", terminal_width=WIDTH)
    assert result.exit_code == 0, result.output
    assert result.output == help_text(dict(COMMANDS)[name])


def test_readme_command_reference_matches_help() -> None:
    text = README.read_text(encoding="utf-8")
    section = section_of(text)
    assert section is not None, f"README.md lacks the {START} ... {END} markers"
    assert section == reference(), (
        "README's command reference differs from --help: run "
        "`.venv/bin/python -m tracker.cli.docs --write README.md`"
    )


def test_docs_module_prints_the_reference() -> None:
    out = subprocess.run([sys.executable, "-m", "tracker.cli.docs"], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout
    assert out == reference()
    assert "### `tracker events`" in out and "### `tracker completion`" in out


def test_write_adds_markers_once_and_replaces_only_between_them(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# title\n\nintro\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "tracker.cli.docs", "--write", str(readme)],
                   check=True, cwd=ROOT, capture_output=True)
    first = readme.read_text(encoding="utf-8")
    assert first.startswith("# title\n\nintro\n\n## Command reference\n\n" + START)
    assert section_of(first) == reference()
    edited = first.replace(START + "\n", START + "\nstale text\n") + "\n## After\n\nkept\n"
    replaced = replace_section(edited, reference())
    assert "stale text" not in replaced and replaced.endswith("## After\n\nkept\n")
    assert replaced.count(START) == 1 and replace_section(replaced, reference()) == replaced


def test_completion_scripts_come_from_click() -> None:
    runner = CliRunner()
    bash = runner.invoke(cli, ["completion", "bash"])
    zsh = runner.invoke(cli, ["completion", "zsh"])
    assert bash.exit_code == 0 and zsh.exit_code == 0
    assert "_TRACKER_COMPLETE=bash_complete" in bash.output
    assert "#compdef tracker" in zsh.output
    assert runner.invoke(cli, ["completion", "tcsh"]).exit_code == 2


def test_completion_completes_subcommands() -> None:
    result = CliRunner().invoke(
        cli, [], prog_name="tracker", complete_var="_TRACKER_COMPLETE",
        env={"_TRACKER_COMPLETE": "bash_complete", "COMP_WORDS": "tracker ev", "COMP_CWORD": "1"},
    )
    assert "plain,events" in result.output.splitlines()
