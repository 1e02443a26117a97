"""Generate README's command reference from ``--help``, and keep it in place.

``python -m tracker.cli.docs`` prints the reference as Markdown;
``python -m tracker.cli.docs --write README.md`` replaces the text between
``<!-- commands:start -->`` and ``<!-- commands:end -->`` (adding a
"Command reference" section at the end when the markers are missing).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import click

START = "<!-- commands:start -->"
END = "<!-- commands:end -->"
WIDTH = 100
PROG = "tracker"


def walk(command: click.Command, name: str = PROG,
         parent: click.Context | None = None) -> Iterator[tuple[str, click.Context]]:
    """Yield (full name, context) for a command and every subcommand, depth first, by name."""
    settings = dict(command.context_settings)
    settings.update(terminal_width=WIDTH, max_content_width=WIDTH)
    ctx = click.Context(command, info_name=name, parent=parent, **settings)
    full = ctx.command_path
    yield full, ctx
    if isinstance(command, click.Group):
        for sub_name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, sub_name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, sub_name, ctx)


def help_text(ctx: click.Context) -> str:
    """Return the ``--help`` text of a command, as a fixed-width terminal shows it."""
    return ctx.command.get_help(ctx).rstrip() + "\n"


def reference(root: click.Command | None = None) -> str:
    """Return the command reference (Markdown): one section per command with its --help."""
    if root is None:
        from tracker.cli import cli

        root = cli
    parts = [
        "Generated from `--help` by `python -m tracker.cli.docs --write README.md`; "
        "a test fails when it differs.\n",
    ]
    for full, ctx in walk(root):
        parts.append(f"\n### `{full}`\n\n```text\n{help_text(ctx)}```\n")
    return "".join(parts)


def replace_section(text: str, section: str) -> str:
    """Return ``text`` with the part between the markers replaced by ``section``."""
    block = f"{START}\n{section.rstrip()}\n{END}"
    if START in text and END in text and text.index(START) < text.index(END):
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        return head + block + tail
    return text.rstrip("\n") + "\n\n## Command reference\n\n" + block + "\n"


def section_of(text: str) -> str | None:
    """Return the text between the markers (None when they are missing)."""
    if START not in text or END not in text:
        return None
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the reference, or write it into a Markdown file between the markers."""
    parser = argparse.ArgumentParser(prog="python -m tracker.cli.docs", description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="FILE", type=Path,
                        help="replace the reference between the markers in FILE")
    args = parser.parse_args(argv)
    section = reference()
    if args.write is None:
        sys.stdout.write(section)
        return 0
    try:
        old = args.write.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot read {args.write}: {exc.strerror}", file=sys.stderr)
        return 1
    new = replace_section(old, section)
    if new != old:
        args.write.write_text(new, encoding="utf-8")
        print(f"updated the command reference in {args.write}", file=sys.stderr)
    else:
        print(f"{args.write}: command reference already up to date", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
