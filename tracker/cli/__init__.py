"""The ``tracker`` command: thin commands over the library API.

Every ``TrackerError`` becomes one line on stderr: exit 2 for a usage mistake
(bad time, unknown story or slot), 1 for a runtime failure. ``--debug`` shows
the traceback instead.
"""

from __future__ import annotations

import importlib
import sys
import traceback

import click

from tracker import __version__
from tracker.cli.common import App
from tracker.errors import InputError, TrackerError

# The modules whose ``register`` adds commands, and which module each command lives in:
# running one command imports only its module. A command missing from HOME is still
# found (every module is then loaded), and listing commands loads them all.
MODULES = ("db", "ingest", "story", "stories", "events", "completion", "demo", "workers", "alerts", "serve")
HOME = {
    "db": "db", "verify": "db",
    "import": "ingest", "feeds": "ingest", "poll": "ingest", "worker": "ingest",
    "state": "story", "timeline": "story", "explain": "story", "assert": "story",
    "reject": "story", "rebuild": "story",
    "stories": "stories",
    "events": "events", "completion": "completion", "demo": "demo", "workers": "workers",
    "alerts": "alerts", "serve": "serve",
}


class LazyGroup(click.Group):
    """A command group that imports a command's module only when the command is needed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._loaded: set[str] = set()

    def _load(self, module: str) -> None:
        if module not in self._loaded:
            self._loaded.add(module)
            importlib.import_module(f"tracker.cli.{module}").register(self)

    def _load_all(self) -> None:
        for module in MODULES:
            self._load(module)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_all()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = HOME.get(cmd_name)
        if module is not None:
            self._load(module)
        found = super().get_command(ctx, cmd_name)
        if found is None:
            self._load_all()
            found = super().get_command(ctx, cmd_name)
        return found


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
