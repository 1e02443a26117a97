"""``tracker workers``: which worker holds which feed lease (PostgreSQL scale-out)."""

from __future__ import annotations

import click

from tracker.cli.common import App, echo_json, json_option, pass_app


@click.command("workers")
@json_option
@pass_app
def workers_command(app: App, as_json: bool) -> None:
    """Show the workers seen on this database and the feed leases each one holds.

    \b
    Example:
      tracker --db postgresql://postgres@127.0.0.1/tracker workers
    """
    from tracker.ingest.leases import worker_status
    from tracker.timeutil import isoformat

    status = worker_status(app.engine)
    if as_json:
        echo_json([w.as_dict() for w in status])
        return
    if not status:
        click.echo("no workers seen (SQLite runs one worker; on PostgreSQL start `tracker worker`)")
        return
    for w in status:
        where = f"{w.host} pid {w.pid}" if w.host else "unknown"
        click.echo(
            f"{w.worker}  ({where})  started {isoformat(w.started_at) or '-'}  "
            f"last seen {isoformat(w.seen_at) or '-'}  leases {len(w.feeds)}"
        )
        for feed_id, url, expires in w.feeds:
            click.echo(f"      feed {feed_id:>4}  {url}  until {isoformat(expires)}")


def register(cli: click.Group) -> None:
    """Add this module's commands to the main group."""
    cli.add_command(workers_command)
