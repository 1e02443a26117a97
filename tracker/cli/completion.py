"""The ``tracker completion`` command: print the shell completion script (click's own)."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

COMPLETE_VAR = "_TRACKER_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


def completion_script(root: click.Command, shell: str, prog_name: str = "tracker") -> str:
    """Return the completion script of a shell for the ``tracker`` command."""
    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - click knows every shell in SHELLS
        raise click.UsageError(f"no completion for shell {shell!r}")
    return cls(root, {}, prog_name, COMPLETE_VAR).source()


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion_command(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Load it in the current shell with eval, or save it where your shell looks
    for completions. It is the same as running `_TRACKER_COMPLETE=bash_source tracker`.

    \b
    Example:
      eval "$(tracker completion bash)"     # in ~/.bashrc
      tracker completion zsh > ~/.zfunc/_tracker
    """
    click.echo(completion_script(ctx.find_root().command, shell), nl=False)


def register(cli: click.Group) -> None:
    """Add this module's commands to the main group."""
    cli.add_command(completion_command)
