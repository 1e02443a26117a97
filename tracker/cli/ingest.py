"""Commands that bring items in: feeds, import, poll, worker."""

from __future__ import annotations

import sys
from collections.abc import Callable
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
            + (f" ({summary.warnings} files read with warnings)" if summary.warnings else "")
        )
        for failure in summary.failures[:20]:
            click.echo(f"  error: {failure.path}: {failure.reason}", err=True)
        if len(summary.failures) > 20:
            click.echo(f"  ... and {len(summary.failures) - 20} more errors", err=True)


# --- feeds -------------------------------------------------------------------


@click.group("feeds")
def feeds_group() -> None:
    """Manage the feeds the worker polls (registry and poll state).

    \b
    Example:
      tracker feeds add https://example.org/rss.xml --interval 900
      tracker feeds status
    """


@feeds_group.command("add")
@click.argument("url")
@click.option("--interval", type=int, default=None, metavar="SECONDS",
              help="Seconds between polls (default 1800, at least 60).")
@click.option("--title", default=None, help="A name to show for the feed.")
@pass_app
def feeds_add(app: App, url: str, interval: int | None, title: str | None) -> None:
    """Register a feed to poll (http or https only).

    \b
    Example:
      tracker feeds add https://www.lemonde.fr/pixels/rss_full.xml --title "Le Monde: Pixels"
    """
    from tracker.ingest.feeds import FeedRegistry

    feed = FeedRegistry(app.engine).add(url, interval=interval, title=title)
    click.echo(f"added feed {feed.id}: {feed.url} (every {feed.interval_s} s)")


@feeds_group.command("remove")
@click.argument("feed")
@pass_app
def feeds_remove(app: App, feed: str) -> None:
    """Remove a feed by id or URL (its events stay in the log).

    \b
    Example:
      tracker feeds remove 3
    """
    from tracker.ingest.feeds import FeedRegistry

    removed = FeedRegistry(app.engine).remove(feed)
    click.echo(f"removed feed {removed.id}: {removed.url}")


@feeds_group.command("list")
@json_option
@pass_app
def feeds_list(app: App, as_json: bool) -> None:
    """List registered feeds.

    \b
    Example:
      tracker feeds list --json
    """
    from tracker.ingest.feeds import FeedRegistry

    feeds = FeedRegistry(app.engine).all()
    if as_json:
        echo_json([{"id": f.id, "url": f.url, "identity": f.identity, "title": f.title,
                    "interval_s": f.interval_s, "enabled": f.enabled} for f in feeds])
        return
    if not feeds:
        click.echo("no feeds (add one with `tracker feeds add URL`)")
    for f in feeds:
        state = "" if f.enabled else "  [disabled]"
        click.echo(f"{f.id:>4}  {f.url}  every {f.interval_s}s  {f.title or ''}{state}".rstrip())


@feeds_group.command("status")
@json_option
@pass_app
def feeds_status(app: App, as_json: bool) -> None:
    """Show each feed's poll state: last poll, HTTP status, validators, errors, next poll.

    A last error starts with its reason: deadline, cycle-deadline, timeout,
    network, too-large, encoding, redirect, url, http, gone, not-a-feed, append
    or interrupted.

    \b
    Example:
      tracker feeds status
    """
    from tracker.ingest.feeds import FeedRegistry
    from tracker.ingest.reasons import reason_of
    from tracker.timeutil import isoformat

    feeds = FeedRegistry(app.engine).all()
    if as_json:
        echo_json([
            {**f.as_dict(), "validators": _validators(f.etag, f.last_modified),
             "last_error_reason": reason_of(f.last_error)}
            for f in feeds
        ])
        return
    if not feeds:
        click.echo("no feeds")
    for f in feeds:
        state = "enabled" if f.enabled else f"DISABLED: {f.disabled_reason}"
        click.echo(f"{f.id:>4}  {f.url}  ({state})")
        click.echo(
            f"      last poll {isoformat(f.last_poll_at) or 'never'}  status {f.last_status or '-'}  "
            f"validators {_validators(f.etag, f.last_modified) or 'none'}  items seen {f.items_seen}  "
            f"appended {f.events_appended}"
        )
        click.echo(
            f"      consecutive errors {f.consecutive_errors}  "
            f"next poll {isoformat(f.next_poll_at) if f.enabled else '-'}"
        )
        if f.last_error:
            click.echo(f"      last error: {f.last_error}")
        if f.last_warning:
            click.echo(f"      warning: {f.last_warning}")


def _validators(etag: str | None, last_modified: str | None) -> str:
    return "+".join(n for n, v in (("etag", etag), ("last-modified", last_modified)) if v)


@feeds_group.command("import")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--defaults", is_flag=True, help="Import the shipped list (config/feeds.toml).")
@pass_app
def feeds_import(app: App, file: Path | None, defaults: bool) -> None:
    """Add the feeds of an OPML file (or a TOML list like config/feeds.toml).

    Feeds already registered are skipped.

    \b
    Example:
      tracker feeds import subscriptions.opml
      tracker feeds import --defaults
    """
    from tracker.errors import InputError
    from tracker.ingest.opml import DEFAULT_FEEDS

    if (file is None) == (not defaults):
        raise InputError("give an OPML/TOML file or --defaults (not both)")
    added, skipped = _add_feed_list(app, file or DEFAULT_FEEDS)
    click.echo(f"added {added} feeds, skipped {skipped}")


def _add_feed_list(app: App, path: Path) -> tuple[int, int]:
    """Register the feeds of a list file that are not registered yet; return (added, skipped)."""
    from tracker.errors import InputError
    from tracker.ingest.feeds import FeedRegistry
    from tracker.ingest.opml import read_feed_list

    registry = FeedRegistry(app.engine)
    added = skipped = 0
    for entry in read_feed_list(path):
        if registry.find(entry.url) is not None:
            skipped += 1
            continue
        try:
            registry.add(entry.url, interval=entry.interval, title=entry.title)
            added += 1
        except InputError as exc:
            click.echo(f"  skipped {entry.url}: {exc}", err=True)
            skipped += 1
    return added, skipped


@feeds_group.command("export")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to a file instead of standard output.")
@pass_app
def feeds_export(app: App, output: Path | None) -> None:
    """Write the registered feeds as OPML.

    \b
    Example:
      tracker feeds export -o feeds.opml
    """
    from tracker.ingest.feeds import FeedRegistry
    from tracker.ingest.opml import FeedEntry, write_opml

    text = write_opml([FeedEntry(f.url, f.title) for f in FeedRegistry(app.engine).all()])
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


# --- poll and worker ----------------------------------------------------------


def deadline_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add --fetch-deadline and --cycle-deadline to a command."""
    command = click.option(
        "--cycle-deadline", type=click.FloatRange(0.1, 86400), default=None, metavar="SECONDS",
        help="Most one poll cycle may take; feeds still in flight then are abandoned and "
             "recorded (default $TRACKER_CYCLE_DEADLINE, else 240).",
    )(command)
    return click.option(
        "--fetch-deadline", type=click.FloatRange(0.1, 3600), default=None, metavar="SECONDS",
        help="Most one fetch may take, connect, headers and body together "
             "(default $TRACKER_FETCH_DEADLINE, else 60).",
    )(command)


@click.command("poll")
@click.option("--once", is_flag=True, required=True, help="Poll every enabled feed once, then exit.")
@click.option("--workers", type=click.IntRange(1, 256), default=16, show_default=True,
              help="Feeds fetched at the same time.")
@deadline_options
@json_option
@pass_app
def poll_command(
    app: App, once: bool, workers: int, fetch_deadline: float | None, cycle_deadline: float | None,
    as_json: bool,
) -> None:
    """Poll every enabled feed once; feed errors are recorded (see `feeds status`), not fatal.

    \b
    Example:
      tracker poll --once
    """
    from tracker.ingest.leases import worker_registry
    from tracker.ingest.poll import poll_once

    _configure_logging(app)
    with worker_registry(app.engine) as registry:  # SQLite: one writer; PostgreSQL: feed leases
        summary = poll_once(app.engine, max_workers=workers, registry=registry,
                            fetch_deadline=fetch_deadline, cycle_deadline=cycle_deadline)
    if as_json:
        echo_json(summary.as_dict())
        return
    click.echo(
        f"feeds {summary.feeds}: ok {summary.ok} ({summary.not_modified} not modified), "
        f"errors {summary.errors}, items {summary.items}, appended {summary.appended}"
    )


@click.command("worker")
@click.option("--tick", type=click.FloatRange(1, 3600), default=10.0, show_default=True,
              help="Seconds between checks for due feeds.")
@click.option("--workers", type=click.IntRange(1, 256), default=16, show_default=True,
              help="Feeds fetched at the same time.")
@click.option("--defaults", is_flag=True,
              help="First register the shipped feeds (config/feeds.toml) not registered yet.")
@deadline_options
@pass_app
def worker_command(
    app: App, tick: float, workers: int, defaults: bool, fetch_deadline: float | None,
    cycle_deadline: float | None,
) -> None:
    """Run the poller until SIGTERM or Ctrl-C (one JSON log line per poll on stderr).

    \b
    Example:
      tracker worker --defaults     # watch the shipped tech and business feeds
      tracker worker --tick 10
    """
    from tracker.ingest.leases import worker_registry
    from tracker.ingest.opml import DEFAULT_FEEDS
    from tracker.ingest.poll import Poller
    from tracker.ingest.worker import Worker

    _configure_logging(app, force=True)
    if defaults:
        added, _ = _add_feed_list(app, DEFAULT_FEEDS)
        click.echo(f"registered {added} shipped feeds", err=True)
    with worker_registry(app.engine) as registry:  # SQLite: one writer; PostgreSQL: feed leases
        poller = Poller(app.engine, max_workers=workers, registry=registry,
                        fetch_deadline=fetch_deadline, cycle_deadline=cycle_deadline)
        worker = Worker(app.engine, poller=poller, tick_seconds=tick)
        raise SystemExit(worker.run())


def _configure_logging(app: App, *, force: bool = False) -> None:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s",
                        stream=sys.stderr)
    logging.getLogger("tracker").setLevel(logging.WARNING if app.quiet and not force else logging.INFO)


def register(cli: click.Group) -> None:
    """Add this module's commands to the main group."""
    cli.add_command(import_command)
    cli.add_command(feeds_group)
    cli.add_command(poll_command)
    cli.add_command(worker_command)
