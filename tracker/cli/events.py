"""The ``tracker events`` command: tail the event log, once or following it."""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import click

from tracker.cli.common import App, echo_json_lines, pass_app
from tracker.errors import InputError
from tracker.eventlog.events import ArticleObserved, ArticleRejected, ArticleRevised, SlotAsserted
from tracker.eventlog.store import EventStore, RecordedEvent
from tracker.timeutil import isoformat, parse_instant, to_micros

_SUMMARY_WIDTH = 160
EVENT_TYPES = tuple(cls.TYPE for cls in (ArticleObserved, ArticleRevised, SlotAsserted, ArticleRejected))


def summarise(event: RecordedEvent) -> str:
    """Return a one-line, human summary of an event's payload."""
    p = event.payload
    if event.type == "ArticleObserved":
        text = f"{p.get('publisher', '?')}: {p.get('title', '')}"
    elif event.type == "ArticleRevised":
        text = f"revised {str(p.get('article_id', ''))[:12]}: {p.get('title', '')}"
    elif event.type == "SlotAsserted":
        value = p.get("value")
        shown = "" if value is None else f" {value}"
        interim = " (interim)" if p.get("interim") else ""
        text = (f"{p.get('story')}.{p.get('slot')} {p.get('op')}{shown}{interim} "
                f"at {p.get('at')} — {p.get('source')}")
    elif event.type == "ArticleRejected":
        text = f"rejected {str(p.get('article_id', ''))[:12]}: {p.get('reason', '')}"
    else:
        text = event.stream_id
    text = " ".join(str(text).split())
    return text if len(text) <= _SUMMARY_WIDTH else text[: _SUMMARY_WIDTH - 1] + "…"


def event_json(event: RecordedEvent) -> dict[str, Any]:
    """Return the stable JSON shape of one event (one line of ``events --json``)."""
    return {
        "position": event.position,
        "stream_id": event.stream_id,
        "stream_version": event.stream_version,
        "type": event.type,
        "schema_version": event.schema_version,
        "occurred_at": isoformat(event.occurred_at),
        "recorded_at": isoformat(event.recorded_at),
        "summary": summarise(event),
        "payload": event.payload,
        "hash": event.hash,
    }


def select_events(
    store: EventStore,
    *,
    after: int = 0,
    until: int | None = None,
    types: tuple[str, ...] = (),
    since: datetime | None = None,
) -> Iterator[RecordedEvent]:
    """Yield events ``after < position <= until`` of some types, published at or after ``since``."""
    since_us = to_micros(since) if since is not None else None
    for event in store.read(after=after, until=until, types=list(types) or None):
        if since_us is None or event.occurred_us >= since_us:
            yield event


def last_events(
    store: EventStore,
    limit: int,
    *,
    after: int = 0,
    until: int,
    types: tuple[str, ...] = (),
    since: datetime | None = None,
) -> list[RecordedEvent]:
    """Return the last ``limit`` events that :func:`select_events` would yield, oldest first,
    reading the log backwards in growing spans: the cost follows what is shown, not the log."""
    found: list[RecordedEvent] = []
    high, span = until, max(limit, 64)
    while high > after and len(found) < limit:
        low = max(after, high - span)
        found = list(select_events(store, after=low, until=high, types=types, since=since)) + found
        high, span = low, span * 4
    return found[-limit:]


def follow(
    store: EventStore,
    emit: Callable[[RecordedEvent], None],
    *,
    after: int,
    types: tuple[str, ...] = (),
    since: datetime | None = None,
    interval: float = 1.0,
    max_events: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Stream new events to ``emit`` as they are appended; return how many were emitted.

    Polls the log by keyset (``position > last seen``) every ``interval``
    seconds; stops after ``max_events`` (None: never).
    """
    cursor = after
    emitted = 0
    since_us = to_micros(since) if since is not None else None
    while max_events is None or emitted < max_events:
        found = False
        for event in store.read(after=cursor, types=list(types) or None):
            cursor = event.position
            found = True
            if since_us is not None and event.occurred_us < since_us:
                continue
            emit(event)
            emitted += 1
            if max_events is not None and emitted >= max_events:
                return emitted
        if not found:
            sleep(interval)
    return emitted


class _Printer:
    """Print events as aligned lines (styled by Rich on a terminal; plain, without loading it,
    into a pipe or a file) or JSON Lines."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self._console: Any = None
        if not as_json and sys.stdout.isatty():
            from rich.console import Console

            self._console = Console(soft_wrap=True, highlight=False)

    def __call__(self, event: RecordedEvent) -> None:
        if self.as_json:
            echo_json_lines([event_json(event)])
            return
        when = event.occurred_at.strftime("%Y-%m-%d %H:%M")
        if self._console is None:
            summary = " ".join(summarise(event).split())
            click.echo(f"{event.position:>7}  {when}Z  {event.type:<15}  {summary}")
            sys.stdout.flush()
            return
        from rich.markup import escape

        self._console.print(
            f"[bold]{event.position:>7}[/bold]  [cyan]{when}Z[/cyan]  "
            f"[magenta]{event.type:<15}[/magenta]  {escape(summarise(event))}"
        )
        if not self._console.is_terminal:
            sys.stdout.flush()


@click.command("events")
@click.option("--type", "types", multiple=True, type=click.Choice(EVENT_TYPES),
              help="Only events of this type (repeatable).")
@click.option("--since", "since_text", default=None, metavar="TIME",
              help="Only events whose event time (published) is at or after this instant.")
@click.option("--after", "after", type=click.IntRange(min=0), default=0, metavar="POSITION",
              help="Only events after this log position.")
@click.option("-n", "--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Show the last N matching events first (0: all of them).")
@click.option("-f", "--follow", is_flag=True, help="Keep streaming new events as they are appended.")
@click.option("--interval", type=click.FloatRange(min=0.01), default=1.0, show_default=True,
              help="Seconds between polls of the log with --follow.")
@click.option("--max-events", type=click.IntRange(min=1), default=None,
              help="With --follow: stop after this many new events.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines, one event per line.")
@pass_app
def events_command(
    app: App,
    types: tuple[str, ...],
    since_text: str | None,
    after: int,
    limit: int,
    follow: bool,
    interval: float,
    max_events: int | None,
    as_json: bool,
) -> None:
    """Tail the event log: position, event time, type and a one-line summary.

    Shows the last --limit events (after any filters), then with --follow keeps
    printing events as the worker appends them, until interrupted. With --json
    each event is one JSON object per line (JSON Lines) with the keys position,
    stream_id, stream_version, type, schema_version, occurred_at, recorded_at
    (ISO 8601 UTC), summary, payload (the event's own fields) and hash.

    \b
    Example:
      tracker events --limit 5
      tracker events --type SlotAsserted --json
      tracker events --follow --since 2023-11-20
    """
    since = _since(since_text)
    store = app.store
    printer = _Printer(as_json)
    last = store.last_position()
    if limit:
        shown: list[RecordedEvent] | deque[RecordedEvent] = last_events(
            store, limit, after=after, until=last, types=types, since=since)
    else:
        shown = deque(select_events(store, after=after, until=last, types=types, since=since))
    for event in shown:
        printer(event)
    if follow:
        _follow(store, printer, max(last, after), types, since, interval, max_events)


def _since(text: str | None) -> datetime | None:
    """Parse --since (a one-line InputError, exit 2, when it is not a time)."""
    if text is None:
        return None
    try:
        return parse_instant(text)
    except InputError as exc:
        raise InputError(f"--since: {exc}") from None


def _follow(store: EventStore, printer: _Printer, last: int, types: tuple[str, ...],
            since: datetime | None, interval: float, max_events: int | None) -> None:
    try:
        follow(store, printer, after=last, types=types, since=since,
               interval=interval, max_events=max_events)
    except KeyboardInterrupt:
        return


def register(cli: click.Group) -> None:
    """Add this module's commands to the main group."""
    cli.add_command(events_command)
