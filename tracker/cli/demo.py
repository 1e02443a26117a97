"""The ``tracker demo`` command: the whole pipeline offline, in well under a minute."""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from tracker.cli.common import App, echo_json, pass_app
from tracker.timeutil import isoformat


def _db_url(value: str | None) -> tuple[str, Path | None]:
    """Return the URL to use and, for a temporary file, the folder to remove after."""
    if value is None:
        from tracker.demo.runner import fresh_sqlite_path

        path = fresh_sqlite_path()
        return f"sqlite:///{path}", path.parent
    if "://" in value:
        return value, None
    return f"sqlite:///{Path(value).expanduser().resolve()}", None


def _run_command(ctx: click.Context, name: str, args: list[str], app: App) -> None:
    """Run one of tracker's own commands on the demo database."""
    command = ctx.find_root().command.get_command(ctx, name)  # type: ignore[attr-defined]
    if command is None:
        click.echo(f"(tracker {name} is not available in this build)", err=True)
        return
    with command.make_context(name, args, parent=ctx, obj=app) as sub:
        command.invoke(sub)


@click.command("demo")
@click.option("--db", "db", metavar="FILE|URL",
              help="Write the demo's log here (an SQLite file or a database URL; it must hold no "
                   "events). Default: a fresh temporary SQLite file.")
@click.option("--keep", is_flag=True, help="Keep the temporary database file and print its path.")
@click.option("--plot", "plot", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also draw the timeline into FILE (.png, .svg or .html).")
@click.option("--pace", type=click.FloatRange(min=0), default=0.0, show_default=True,
              metavar="SECONDS",
              help="Wall-clock seconds per virtual hour at least (0: as fast as possible).")
@click.option("--until", "until_text", metavar="TIME", default=None,
              help="Stop the virtual clock at this instant (default: 2023-12-01T12:00:00Z).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON document (the run, the timeline, the states) instead of tables.")
@click.option("--serve", "serve", is_flag=True,
              help="Then keep serving the result on 127.0.0.1 (tracker serve) and print its URL; "
                   "implies --keep.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8765, show_default=True,
              metavar="PORT", help="With --serve: the port (0: any free port).")
@pass_app
@click.pass_context
def demo_command(ctx: click.Context, app: App, db: str | None, keep: bool, plot: Path | None,
                 pace: float, until_text: str | None, as_json: bool, serve: bool,
                 port: int) -> None:
    """Replay November 2023 offline: serve a sample archive locally and run the worker on it.

    A local HTTP server on 127.0.0.1 serves four fictional outlets' feeds (RSS,
    Atom, English and French), revealing each item when a virtual clock passes
    its publication time. The real poller (conditional GET, parsing, matching,
    appending) polls them every virtual hour from 15 Nov to 1 Dec 2023 into
    a fresh SQLite file; then the timeline and the state at a few instants are
    printed. No network is needed. The global --db and TRACKER_DATABASE_URL are
    not used: the demo never writes into your own log. With --json it prints one
    document: run (feeds, polls, fetched, not_modified, events, wall_seconds ...),
    timeline (as `timeline --json`), states (as `state --json`, one per instant),
    known_at (one state replayed on both clocks), plot.

    \b
    Example:
      tracker demo
      tracker demo --keep --plot timeline.png
      tracker demo --until 2023-11-20T12:00:00Z --json
      tracker demo --db demo.sqlite && tracker --db sqlite:///demo.sqlite events -n 5
      tracker demo --serve
    """
    from tracker import db as database

    until = _until(until_text)
    keep = keep or serve
    url, temp_dir = _db_url(db)
    demo_app = App(db_url=url, debug=app.debug, quiet=app.quiet)
    try:
        engine = demo_app.engine
        run = _run(engine, url, pace, until, quiet=app.quiet or as_json)
        if as_json:
            echo_json(_json(engine, run, plot))
        else:
            _print(ctx, demo_app, run)
        if plot is not None:
            _plot(engine, plot, run.end, as_json)
    finally:
        demo_app.close()
        if temp_dir is not None and not keep:
            shutil.rmtree(temp_dir, ignore_errors=True)
    if not as_json:
        where = database.resolve_url(url)
        if temp_dir is not None and not keep:
            click.echo(f"database: {where} (removed; --keep or --db FILE keeps it)")
        else:
            click.echo(f"database: {where}")
            click.echo(f"explore:  tracker --db {where} explain ceo --as-of 2023-11-20T18:00:00Z")
    if serve:
        _serve(url, port, app)


def _serve(url: str, port: int, app: App) -> None:
    """Serve the demo's database until interrupted, printing the page's URL."""
    from tracker.serve.run import serve

    served = App(db_url=url, debug=app.debug, quiet=app.quiet)
    try:
        serve(served.engine, port=port,
              ready=lambda base: click.echo(f"page:     {base}/ (Ctrl-C stops)"))
    finally:
        served.close()


def _until(text: str | None) -> datetime:
    """Parse --until: an instant after the demo's start (InputError, exit 2, otherwise)."""
    from tracker.demo.runner import END, START
    from tracker.errors import InputError
    from tracker.timeutil import parse_instant

    if text is None:
        return END
    try:
        moment = parse_instant(text)
    except InputError as exc:
        raise InputError(f"--until: {exc}") from None
    if moment <= START:
        raise InputError(f"--until: the demo starts at {isoformat(START)}; give a later instant")
    return moment


def _run(engine: Any, url: str, pace: float, until: datetime, *, quiet: bool) -> Any:
    from tracker.demo import runner

    span_hours = (until - runner.START).total_seconds() / 3600
    if quiet or not sys.stdout.isatty():
        if not quiet:
            click.echo("running the demo worker on the bundled archive (virtual clock "
                       f"{runner.START:%d %b} → {until:%d %b %Y}) ...")
        return runner.run_demo(engine, url, end=until, pace=pace)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]demo[/bold] {task.description}"), BarColumn(),
                  TextColumn("{task.fields[appended]} events"), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("", total=span_hours, appended=0)

        def progress(now: datetime, appended: int) -> None:
            bar.update(task, completed=(now - runner.START).total_seconds() / 3600,
                       description=f"virtual {now:%d %b %H:%M}Z", appended=appended)

        return runner.run_demo(engine, url, end=until, pace=pace, progress=progress)


def _instants(until: datetime) -> list[datetime]:
    """Return the instants whose state the demo prints: those before ``until``, then ``until``."""
    from tracker.demo.runner import INSTANTS

    return [instant for instant in INSTANTS if instant < until] + [until]


def _print(ctx: click.Context, app: App, run: Any) -> None:
    from tracker.demo.runner import REPLAY_AS_OF, REPLAY_KNOWN_AT

    click.echo(
        f"served {len(run.feeds)} feeds on {run.feeds[0].rsplit('/', 1)[0]}; "
        f"virtual {run.start:%d %b} → {run.end:%d %b %Y} in {run.wall_seconds:.1f} s: "
        f"{run.polls} polls ({run.fetched} fetched, {run.not_modified} not modified, "
        f"{run.errors} errors), {run.events} events appended"
    )
    click.echo()
    _run_command(ctx, "timeline", ["--table"], app)
    for instant in _instants(run.end):
        click.echo()
        _run_command(ctx, "state", ["--as-of", isoformat(instant) or "", "--table"], app)
    if run.end > REPLAY_AS_OF:
        click.echo()
        click.echo(f"Two clocks: the same story as of {REPLAY_AS_OF:%d %b %H:%M}Z, but only as "
                   f"known at {REPLAY_KNOWN_AT:%H:%M}Z, before the worker's next poll recorded the "
                   "first reports:")
        _run_command(ctx, "state", ["--as-of", isoformat(REPLAY_AS_OF) or "",
                                    "--known-at", isoformat(REPLAY_KNOWN_AT) or "", "--table"], app)
    click.echo()


def _json(engine: Any, run: Any, plot: Path | None) -> dict[str, Any]:
    from tracker.demo.runner import REPLAY_AS_OF, REPLAY_KNOWN_AT
    from tracker.projections import present, query

    replay = None
    if run.end > REPLAY_AS_OF:
        replay = present.state_json(query.state(engine, as_of=REPLAY_AS_OF, known_at=REPLAY_KNOWN_AT))
    return {
        "run": run.as_dict(),
        "timeline": [present.transition_json(t) for t in query.timeline(engine)],
        "states": [present.state_json(query.state(engine, as_of=at)) for at in _instants(run.end)],
        "known_at": replay,
        "plot": str(plot) if plot is not None else None,
    }


def _plot(engine: Any, path: Path, until: datetime, quiet: bool) -> None:
    from tracker.demo.runner import START
    from tracker.projections import query
    from tracker.render.plot import render_timeline
    from tracker.timeutil import to_micros

    story = query.pick_story(None)
    render_timeline(query.timeline(engine), story, path,
                    start_us=to_micros(START), end_us=to_micros(until))
    if not quiet:
        click.echo(f"timeline picture: {path}")


def register(cli: click.Group) -> None:
    """Add this module's commands to the main group."""
    cli.add_command(demo_command)
