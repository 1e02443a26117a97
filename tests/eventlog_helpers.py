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
