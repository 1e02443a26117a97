"""Ask the projections: state at an instant, the timeline, why a slot holds its value.

Each query first brings the projections to the end of the log (two small reads
when nothing is new). Event time (``as_of``) filters transitions; knowledge time
(``known_at``) replays only the prefix of the log recorded by then, resolving
its claims afresh without touching the stored projection.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.errors import InputError, StorageError
from tracker.eventlog.store import EventStore
from tracker.projections import engine as projection
from tracker.projections import load, rows, tables
from tracker.projections.catalog import current_stories
from tracker.projections.slots import slot_specs
from tracker.stories import corroborate
from tracker.stories import state as fold
from tracker.stories.definition import StoryDefinition
from tracker.timeutil import from_micros, to_micros
from tracker.types import StoryState, Transition

Instant = datetime | int | None
DEFAULT_STORY = "openai"


def micros(moment: Instant) -> int | None:
    """Return microseconds since the epoch for a datetime (ints pass through)."""
    if moment is None or isinstance(moment, int):
        return moment
    return to_micros(moment)


def pick_story(
    story_id: str | None, stories: Mapping[str, StoryDefinition] | None = None
) -> StoryDefinition:
    """Return the story asked for; by default the only story, else ``openai``."""
    stories = current_stories() if stories is None else stories
    if story_id is None:
        story_id = next(iter(stories)) if len(stories) == 1 else DEFAULT_STORY
    try:
        return stories[story_id]
    except KeyError:
        known = ", ".join(sorted(stories)) or "none"
        raise InputError(f"unknown story {story_id!r} (known: {known})") from None


def prepare(
    engine: Engine, story_id: str | None, stories: Mapping[str, StoryDefinition] | None, refresh: bool
) -> tuple[StoryDefinition, int]:
    """Pick the story and bring projections up to date; return it and the log position."""
    stories = current_stories() if stories is None else stories
    story = pick_story(story_id, stories)
    if refresh:
        position = projection.update(engine, stories)
    else:
        with engine.connect() as conn:
            mark = projection.read_checkpoints(conn).get(projection.LOG)
        position = mark.position if mark else 0
    return story, position


_T = tables.transitions
_COLUMNS = (
    _T.c.slot, _T.c.at_us, _T.c.op, _T.c.value, _T.c.interim, _T.c.chair, _T.c.sources,
    _T.c.single_source, _T.c.correction, _T.c.note,
)


def _stored(engine: Engine, story_id: str, as_of_us: int | None, since_us: int | None = None,
            limit: int | None = None, last: int | None = None) -> list[Transition]:
    """Return the stored transitions of a story at or before an instant (from ``since_us``;
    the first ``limit``, or the last ``last``), in order."""
    query = sa.select(*_COLUMNS).where(_T.c.story == story_id)
    if as_of_us is not None:
        query = query.where(_T.c.at_us <= as_of_us)
    if since_us is not None:
        query = query.where(_T.c.at_us >= since_us)
    query = query.order_by(_T.c.seq.desc() if last is not None else _T.c.seq)
    if limit is not None or last is not None:
        query = query.limit(limit if last is None else last)
    with engine.connect() as conn:
        found = list(conn.execute(query).all())
    if last is not None:
        found.reverse()
    return [rows.transition_from_row(story_id, row) for row in found]


def _latest(engine: Engine, story: StoryDefinition, as_of_us: int | None) -> list[Transition]:
    """Return the last stored transition of each slot at or before an instant.

    The fold needs no more: each transition carries its slot's whole value after
    the change. One indexed probe per slot, however long the history.
    """
    found = []
    with engine.connect() as conn:
        for slot in slot_specs(story):
            query = sa.select(*_COLUMNS, _T.c.seq).where(_T.c.story == story.id, _T.c.slot == slot)
            if as_of_us is not None:
                query = query.where(_T.c.at_us <= as_of_us)
            row = conn.execute(
                query.order_by(_T.c.at_us.desc(), _T.c.seq.desc()).limit(1)
            ).first()
            if row is not None:
                found.append((row[-1], rows.transition_from_row(story.id, row)))
    return [t for _, t in sorted(found, key=lambda pair: pair[0])]


def prefix_position(engine: Engine, known_at_us: int) -> int:
    """Return the last log position recorded at or before an instant."""
    return EventStore(engine).position_at(from_micros(known_at_us))


def resolve_known_at(
    engine: Engine, story: StoryDefinition, position: int
) -> list[Transition]:
    """Resolve a story's transitions from the claims of log positions 1..position only."""
    with engine.connect() as conn:
        evidence = load.load_evidence(conn, story.id, position)
        corrections = load.load_corrections(conn, story.id, position)
    return list(corroborate.resolve(story, evidence, corrections))


def transitions(
    engine: Engine,
    story: StoryDefinition,
    *,
    as_of_us: int | None = None,
    known_at_us: int | None = None,
    position: int,
    latest_only: bool = False,
) -> list[Transition]:
    """Return the accepted transitions at or before ``as_of_us``, as known at ``known_at_us``
    (with ``latest_only``, stored ones may be cut to the last of each slot)."""
    if known_at_us is not None:
        prefix = prefix_position(engine, known_at_us)
        if prefix < position:
            found = resolve_known_at(engine, story, prefix)
            if as_of_us is not None:
                found = [t for t in found if t.at_us <= as_of_us]
            return found
    if latest_only:
        return _latest(engine, story, as_of_us)
    return _stored(engine, story.id, as_of_us)


def state(
    engine: Engine,
    story_id: str | None = None,
    as_of: Instant = None,
    known_at: Instant = None,
    *,
    stories: Mapping[str, StoryDefinition] | None = None,
    refresh: bool = True,
) -> StoryState:
    """Return a story's state at ``as_of`` (event time) as known at ``known_at``."""
    story, position = prepare(engine, story_id, stories, refresh)
    as_of_us, known_at_us = micros(as_of), micros(known_at)
    found = transitions(
        engine, story, as_of_us=fold.until(as_of_us), known_at_us=known_at_us, position=position,
        latest_only=True,
    )
    return fold.state_at(story, found, as_of_us, known_at_us)


def timeline(
    engine: Engine,
    story_id: str | None = None,
    known_at: Instant = None,
    *,
    since: Instant = None,
    until: Instant = None,
    limit: int | None = None,
    last: int | None = None,
    stories: Mapping[str, StoryDefinition] | None = None,
    refresh: bool = True,
) -> list[Transition]:
    """Return the accepted changes of a story, oldest first (as known at ``known_at``):
    all of them, or those from ``since`` to ``until`` (event time), the first ``limit``
    or the last ``last`` of them."""
    if limit is not None and last is not None:
        raise InputError("give the first changes (limit) or the last ones (last), not both")
    story, position = prepare(engine, story_id, stories, refresh)
    known_at_us, since_us, until_us = micros(known_at), micros(since), micros(until)
    prefix = None if known_at_us is None else prefix_position(engine, known_at_us)
    if prefix is None or prefix >= position:
        return _stored(engine, story.id, until_us, since_us, limit, last)
    found = [
        t for t in resolve_known_at(engine, story, prefix)
        if (since_us is None or t.at_us >= since_us) and (until_us is None or t.at_us <= until_us)
    ]
    if last is not None:
        return found[len(found) - last:] if last else []
    return found if limit is None else found[:limit]


def checkpoint(engine: Engine) -> int:
    """Return the log position the projections have reached (0 when never built)."""
    try:
        with engine.connect() as conn:
            mark = projection.read_checkpoints(conn).get(projection.LOG)
    except sa.exc.DBAPIError as exc:
        raise StorageError(f"cannot read projections: {exc}") from None
    return mark.position if mark else 0
