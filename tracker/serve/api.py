"""The JSON API's documents: the same functions and shapes as the CLI's ``--json``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.cli.events import event_json
from tracker.errors import InputError
from tracker.eventlog.store import EventStore
from tracker.eventlog.tables import events
from tracker.projections import present, query
from tracker.projections.catalog import current_stories
from tracker.projections.explain import History, explain
from tracker.timeutil import parse_instant

MAX_EVENTS = 1000


def instant(value: str | None, name: str) -> Any:
    """Parse a time parameter (InputError naming the parameter)."""
    if value is None or value == "":
        return None
    try:
        return parse_instant(value)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None


def stories_json() -> list[dict[str, Any]]:
    """Return the stories the page can show."""
    return [{"id": s.id, "title": s.title} for s in current_stories().values()]


def state_json(engine: Engine, story: str, as_of: str | None, known_at: str | None) -> dict[str, Any]:
    """Return ``tracker state --json``."""
    return present.state_json(query.state(
        engine, story, instant(as_of, "as_of"), instant(known_at, "known_at")
    ))


def timeline_json(engine: Engine, story: str, known_at: str | None, since: str | None = None,
                  until: str | None = None, limit: str | None = None,
                  last: str | None = None) -> list[dict[str, Any]]:
    """Return ``tracker timeline [--since T] [--until T] [--limit N | --last N] --json``."""
    first = None if limit is None or limit == "" else _count(limit, "limit", 0, 2**31)
    latest = None if last is None or last == "" else _count(last, "last", 0, 2**31)
    return [present.transition_json(t) for t in query.timeline(
        engine, story, instant(known_at, "known_at"), since=instant(since, "since"),
        until=instant(until, "until"), limit=first, last=latest,
    )]


def explain_json(engine: Engine, story: str, slot: str, as_of: str | None,
                 known_at: str | None, memo: dict[Any, History] | None = None) -> dict[str, Any]:
    """Return ``tracker explain SLOT --json`` (``memo`` keeps the story's history between calls)."""
    return present.explanation_json(explain(
        engine, story, slot, instant(as_of, "as_of"), instant(known_at, "known_at"), memo=memo
    ))


def _count(value: str | None, name: str, default: int, top: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"{name}: not a whole number: {value!r}") from None
    if not 0 <= number <= top:
        raise InputError(f"{name}: must be between 0 and {top}")
    return number


def events_json(engine: Engine, after: str | None, limit: str | None) -> list[dict[str, Any]]:
    """Return events as ``tracker events --json`` lines: the last ``limit`` (default 20),
    or with ``after`` the first ``limit`` after that position."""
    count = _count(limit, "limit", 20, MAX_EVENTS)
    store = EventStore(engine)
    if after is not None and after != "":
        start = _count(after, "after", 0, 2**62)
        found: list[dict[str, Any]] = []
        for event in store.read(after=start, chunk_size=max(count, 1)):
            if len(found) >= count:
                break
            found.append(event_json(event))
        return found
    if count == 0:
        return []
    with engine.connect() as conn:
        nth = conn.execute(
            sa.select(events.c.position).order_by(events.c.position.desc())
            .limit(1).offset(count - 1)
        ).scalar()
    start = 0 if nth is None else int(nth) - 1
    return [event_json(e) for e in store.read(after=start, chunk_size=count)]


def position(engine: Engine) -> int:
    """Return the log's last position."""
    return EventStore(engine).last_position()
