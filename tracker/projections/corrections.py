"""Record human decisions as events: assert a slot's value, reject an article.

Both are appended to the log (never written to a projection directly), with an
idempotency key made from their content, so repeating a command is a no-op.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.engine import Engine

from tracker.errors import InputError
from tracker.eventlog import codec
from tracker.eventlog.events import ArticleRejected, DomainEvent, SlotAsserted
from tracker.eventlog.store import EventStore, NewEvent, RecordedEvent
from tracker.ingest.append import stream_of
from tracker.projections.catalog import current_stories
from tracker.projections.query import pick_story
from tracker.projections.slots import TAGS, slot_spec
from tracker.stories.definition import StoryDefinition
from tracker.timeutil import isoformat, utcnow


def _key(prefix: str, event: DomainEvent) -> str:
    digest = hashlib.sha256(codec.dumps(event.to_payload()).encode()).hexdigest()
    return f"{prefix}:{digest}"


def assert_slot(
    engine: Engine,
    slot: str,
    value: str | None,
    *,
    at: datetime,
    source: str,
    story_id: str | None = None,
    op: str | None = None,
    note: str | None = None,
    interim: bool | None = None,
    author: str | None = None,
    stories: Mapping[str, StoryDefinition] | None = None,
) -> RecordedEvent:
    """Append a ``SlotAsserted`` event after checking slot, op and value; return it."""
    story = pick_story(story_id, current_stories() if stories is None else stories)
    spec = slot_spec(story, slot)
    op = op or spec.default_op
    if op not in spec.ops:
        raise InputError(f"op {op!r} does not apply to slot {slot!r} (one of: {', '.join(spec.ops)})")
    if op == "clear":
        if value is not None:
            raise InputError("op 'clear' takes no value")
        canonical = None
    else:
        if value is None or not value.strip():
            raise InputError(f"op {op!r} needs a value")
        canonical = spec.canonical(value)
    if interim and spec.kind == TAGS:
        raise InputError(f"--interim does not apply to slot {slot!r}")
    if not source.strip():
        raise InputError("--source must name where the fact comes from")
    event = SlotAsserted(
        story=story.id, slot=slot, op=op, value=canonical, at=isoformat(at) or "",
        source=source.strip(), note=note, interim=interim, author=author,
    )
    new = NewEvent.from_domain(
        event, stream_id=f"corrections-{story.id}", occurred_at=at,
        idempotency_key=_key("asserted", event),
    )
    return EventStore(engine).append([new])[0]


def reject_article(
    engine: Engine,
    article_id: str,
    *,
    reason: str,
    author: str | None = None,
) -> RecordedEvent:
    """Append an ``ArticleRejected`` event for an article the log holds; return it."""
    if not reason.strip():
        raise InputError("--reason must say why the article is rejected")
    store = EventStore(engine)
    if next(store.read(stream_id=stream_of(article_id)), None) is None:
        raise InputError(f"no article {article_id!r} in the log")
    event = ArticleRejected(article_id=article_id, reason=reason.strip(), author=author)
    new = NewEvent.from_domain(
        event, stream_id=f"rejections-{article_id}", occurred_at=utcnow(),
        idempotency_key=_key("rejected", event),
    )
    return store.append([new])[0]
