"""Commands that bring items in: feeds, import, poll, worker."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tracker.cli.common import App, echo_json, json_option, pass_app


def _progress_wanted(app: App) -> bool:
    return not app.quiet and sys.stdout.isatty()


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@pass_app
def import_command(app: App, paths: tuple[Path, ...], as_json: bool) -> None:
    """Import RSS/Atom files and folders as if fetched (folders recursively, oldest first).

    Only items matching a story are appended; importing the same files again
    appends nothing. A file's feed is its atom:link rel="self", else its channel link.

    \b
    Example:
      tracker import ../shared/corpus/nov2023
    """
    from tracker.ingest.importer import collect_files, import_paths

    store = app.store
    if _progress_wanted(app) and not as_json:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        total = len(collect_files(paths))
        with Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), transient=True,
        ) as bar:
            task = bar.add_task("importing", total=total)
            summary = import_paths(
                store, paths, progress=lambda _p, done, _n: bar.update(task, completed=done)
            )
    else:
        summary = import_paths(store, paths)
    if as_json:
        echo_json(summary.as_dict())
    else:
        click.echo(
            f"files {summary.files}, items {summary.items}, matched {summary.matched}, "
            f"appended {summary.appended} ({summary.observed} new, {summary.revised} revised), "
            f"unchanged {summary.unchanged}, errors {summary.errors}"
        )
        for failure in summary.failures[:20]:
            click.echo(f"  error: {failure.path}: {failure.reason}", err=True)
        if len(summary.failures) > 20:
            click.echo(f"  ... and {len(summary.failures) - 20} more errors", err=True)


def register(cli: click.Group) -> None:
    """Add this module's commands to the main group."""
    cli.add_command(import_command)
