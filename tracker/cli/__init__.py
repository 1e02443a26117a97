"""The ``tracker`` command: thin commands over the library API.

Every ``TrackerError`` becomes one line on stderr: exit 2 for a usage mistake
(bad time, unknown story or slot), 1 for a runtime failure. ``--debug`` shows
the traceback instead.
"""

from __future__ import annotations

import sys
import traceback

import click

from tracker import __version__
from tracker.cli import completion as completion_commands
from tracker.cli import db as db_commands
from tracker.cli import demo as demo_commands
from tracker.cli import events as events_commands
from tracker.cli import ingest as ingest_commands
from tracker.cli import story as story_commands
from tracker.cli import workers as workers_commands
from tracker.cli.common import App
from tracker.errors import InputError, TrackerError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", "db_url", envvar="TRACKER_DATABASE_URL", metavar="URL",
              help="Database URL (default: an SQLite file in the user data directory).")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or chatter.")
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, debug: bool, quiet: bool) -> None:
    """Track a news story from feeds into an append-only log, and replay it to any date.

    \b
    Example:
      tracker import ../shared/corpus/nov2023
      tracker state --as-of 2023-11-20T18:00:00Z
    """
    app = App(db_url=db_url, debug=debug, quiet=quiet)
    ctx.obj = app
    ctx.call_on_close(app.close)


for _module in (db_commands, ingest_commands, story_commands, events_commands,
                completion_commands, demo_commands, workers_commands):
    _module.register(cli)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI, turning errors into one line and an exit status."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="tracker", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        raise SystemExit(130) from None
    except click.UsageError as exc:
        path = exc.ctx.command_path if exc.ctx is not None else "tracker"
        click.echo(f"error: {exc.format_message()} (see '{path} --help')", err=True)
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        raise SystemExit(exc.exit_code) from None
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except TrackerError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2 if isinstance(exc, InputError) else 1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except BrokenPipeError:
        raise SystemExit(0) from None
    except Exception as exc:  # a bug: still one line unless --debug
        if debug:
            traceback.print_exc()
        else:
            click.echo(f"error: unexpected {type(exc).__name__}: {exc} (rerun with --debug)", err=True)
        raise SystemExit(1) from None
    raise SystemExit(0)
