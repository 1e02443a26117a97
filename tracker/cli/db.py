"""Commands about the database itself: schema migrations and log verification."""

from __future__ import annotations

import click

from tracker import db as database
from tracker.cli.common import App, echo_json, json_option, pass_app


@click.group("db")
def db_group() -> None:
    """Manage the database schema (Alembic migrations).

    \b
    Example:
      tracker db current
    """


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Migrate up to this revision.")
@pass_app
def db_upgrade(app: App, revision: str) -> None:
    """Migrate the database schema up to this code's head.

    \b
    Example:
      tracker --db postgresql://postgres@127.0.0.1/test db upgrade
    """
    engine = database.create_engine(app.db_url)
    try:
        database.upgrade(engine, revision)
        state = database.status(engine)
    finally:
        engine.dispose()
    click.echo(f"{state.url}: schema at {state.current}")


@db_group.command("current")
@json_option
@pass_app
def db_current(app: App, as_json: bool) -> None:
    """Show the database URL, its schema revision and the code's head.

    A brand-new database is upgraded first; one newer than this code is refused.
    The default database is an SQLite file in the per-user data directory
    (``~/.local/share/tracker/tracker.sqlite`` on Linux).

    \b
    Example:
      tracker db current --json
    """
    engine = database.create_engine(app.db_url)
    try:
        state = database.status(engine)
        if state.current is None:
            database.ensure_schema(engine)
            state = database.status(engine)
        elif state.current not in database.known_revisions(engine):
            database.ensure_schema(engine)  # raises SchemaError: newer than this code
    finally:
        engine.dispose()
    if as_json:
        echo_json({"url": state.url, "current": state.current, "head": state.head,
                   "up_to_date": state.up_to_date})
        return
    note = "up to date" if state.up_to_date else "run `tracker db upgrade`"
    click.echo(f"database: {state.url}")
    click.echo(f"schema:   {state.current or 'none (brand-new)'} (head {state.head}, {note})")


@click.command("verify")
@click.option("--export-head", is_flag=True,
              help="After an intact walk, print only the head (POSITION:HASH) to keep elsewhere.")
@click.option("--expect-head", metavar="POSITION:HASH", default=None,
              help="Also check the log against a head exported earlier (it may have grown since).")
@json_option
@pass_app
def verify(app: App, export_head: bool, expect_head: str | None, as_json: bool) -> None:
    """Check the log: positions without gaps, an unbroken SHA-256 hash chain, and its head.

    Every append records the log's head (last position and hash) outside the
    events table; a log that ends before it had its tail cut. Exits 0 when
    intact, 1 naming the first problem.

    \b
    Example:
      tracker verify
      tracker verify --export-head > head.txt     # keep it somewhere else
      tracker verify --expect-head "$(cat head.txt)"
    """
    from tracker.eventlog.verify import Head

    expect = Head.parse(expect_head) if expect_head is not None else None
    report = app.store.verify(expect=expect)
    head = Head(report.last_position, report.last_hash)
    if as_json:
        echo_json({
            "ok": report.ok, "events": report.events, "last_position": report.last_position,
            "last_hash": report.last_hash, "head": str(head) if report.ok else None,
            "broken_position": report.broken_position,
            "problem": report.problem, "expected": report.expected, "found": report.found,
        })
    elif report.ok and export_head:
        click.echo(str(head))
    elif report.ok and report.events == 0:
        click.echo("ok: the log is empty")
    elif report.ok:
        click.echo(f"ok: {report.events} events, positions 1..{report.last_position}, "
                   f"chain intact (head {report.last_hash[:16]})")
    else:
        click.echo(
            f"broken at position {report.broken_position}: {report.problem} "
            f"(expected {report.expected}, found {report.found})",
            err=True,
        )
    if not report.ok:
        raise SystemExit(1)


def register(cli: click.Group) -> None:
    """Add this module's commands to the main group."""
    cli.add_command(db_group)
    cli.add_command(verify)
