"""Build events for the event-log tests (plain data, no corpus text)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from tracker.eventlog.store import NewEvent

T0 = datetime(2023, 11, 17, 12, 0, tzinfo=UTC)


def make_event(
    i: int,
    *,
    stream: str | None = None,
    key: str | None = "auto",
    expected: int | None = None,
    type_: str = "ArticleObserved",
    occurred: datetime | None = None,
    payload: dict | None = None,
    schema_version: int = 1,
) -> NewEvent:
    """Return a NewEvent numbered ``i`` (own stream and key unless told otherwise)."""
    return NewEvent(
        stream_id=stream or f"article-{i}",
        type=type_,
        payload=payload if payload is not None else {
            "article_id": f"a{i}", "feed_url": "https://feeds.example/rss", "publisher": "example",
            "item_id": f"item-{i}", "link": f"https://example.org/{i}", "title": f"Headline {i}",
            "summary": f"Summary number {i}.", "published": "2023-11-17T12:00:00Z",
            "published_raw": None, "language": "en", "stories": ["openai"],
            "content_hash": f"{i:064x}",
        },
        occurred_at=occurred or T0 + timedelta(minutes=i),
        idempotency_key=f"key-{i}" if key == "auto" else key,
        expected_version=expected,
        schema_version=schema_version,
    )


class StepClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def numbered(start: int, stop: int) -> Iterator[NewEvent]:
    """Yield events start..stop-1."""
    for i in range(start, stop):
        yield make_event(i)


# --- run in child processes (spawn): importable, top-level, picklable ----------


def append_same_keys(url: str, barrier: object, seed: int, total: int, batch: int) -> None:
    """Append events 0..total-1 (fixed keys) in a shuffled order, after the barrier."""
    import random

    from tracker import db
    from tracker.eventlog.store import EventStore

    engine = db.create_engine(url)
    store = EventStore(engine)
    order = list(range(total))
    random.Random(seed).shuffle(order)
    barrier.wait(timeout=60)  # type: ignore[attr-defined]
    for start in range(0, total, batch):
        store.append([make_event(i) for i in order[start : start + batch]])
    engine.dispose()


def append_own_batches(url: str, barrier: object, writer: int, batches: int) -> None:
    """Append ``batches`` batches of 1-20 events keyed by this writer, after the barrier."""
    import random

    from tracker import db
    from tracker.eventlog.store import EventStore

    engine = db.create_engine(url)
    store = EventStore(engine)
    rng = random.Random(writer)
    barrier.wait(timeout=60)  # type: ignore[attr-defined]
    n = 0
    for _ in range(batches):
        size = rng.randint(1, 20)
        store.append([
            make_event(writer * 1_000_000 + n + k, stream=f"writer-{writer}-{rng.randint(0, 9)}")
            for k in range(size)
        ])
        n += size
    engine.dispose()


def open_and_append(url: str, barrier: object, n: int) -> None:
    """Open (and so upgrade) a brand-new database after the barrier, then append one event."""
    from tracker import db
    from tracker.eventlog.store import EventStore

    barrier.wait(timeout=60)  # type: ignore[attr-defined]
    engine = db.open_database(url)
    EventStore(engine).append([make_event(n)])
    engine.dispose()
