"""Turn matched feed items into events: observed once, revised on change, else nothing.

The log is the only memory: what an article looked like last is read back from
its stream (one query per batch) and cached. Idempotency keys make a re-append
a no-op across restarts and across workers:

* ``ArticleObserved``: ``observed:<stream>:<content hash>`` with expected version 0;
* ``ArticleRevised``: ``revised:<stream>:<new version>:<content hash>`` with the
  stream's current version expected, so A->B->A is two revisions, while one
  revision seen by two workers is recorded once.

Each event's metadata carries ``seen_us``, when the feed copy was taken (fetch
time, or an archive's snapshot time). A copy not newer than the one that set an
article's current content never revises it: re-importing an old archive after
a newer one is a no-op, not a flip back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from tracker.errors import ConcurrencyError
from tracker.eventlog import codec
from tracker.eventlog.events import ArticleObserved, ArticleRevised
from tracker.eventlog.store import EventStore, NewEvent
from tracker.eventlog.tables import events
from tracker.ingest.items import FeedItem
from tracker.stories.match import Matcher
from tracker.timeutil import isoformat, to_micros

_CHUNK = 500
_RETRIES = 5
_CONTENT_TYPES = (ArticleObserved.TYPE, ArticleRevised.TYPE)


def stream_of(article_id: str) -> str:
    """Return the stream id of an article."""
    return f"article-{article_id}"


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What one batch did."""

    items: int
    matched: int
    observed: int
    revised: int
    unchanged: int
    appended_ids: frozenset[str] = frozenset()  # articles that got a new event

    @property
    def appended(self) -> int:
        return self.observed + self.revised


class Appender:
    """Match items against stories and append what is new or changed."""

    def __init__(self, store: EventStore, matcher: Matcher, *, via: str = "poll") -> None:
        self.store = store
        self.matcher = matcher
        self.via = via
        self._known: dict[str, tuple[int, str | None, int]] = {}
        self._needles = screen_words(matcher)

    def match(self, items: Iterable[FeedItem]) -> list[tuple[FeedItem, list[str]]]:
        """Return the items that match a story, with the story ids.

        A substring screen (the longest word of every term, lowercased) runs
        first: an item containing none of them cannot match, and most items
        are rejected without running the story patterns.
        """
        matched = []
        needles = self._needles
        for item in items:
            text = f"{item.title}\n{item.summary}".lower()
            if not any(needle in text for needle in needles):
                continue
            stories = self.matcher.match(item.title, item.summary)
            if stories:
                matched.append((item, stories))
        return matched

    def append(self, items: Sequence[FeedItem]) -> AppendResult:
        """Append events for the matching items of a batch (one transaction)."""
        return self.append_matched(self.match(items), total=len(items))

    def append_matched(
        self, matched: Sequence[tuple[FeedItem, list[str]]], *, total: int | None = None
    ) -> AppendResult:
        """Append events for items already matched (``total``: items before matching)."""
        total = len(matched) if total is None else total
        if not matched:
            return AppendResult(total, 0, 0, 0, 0)
        ids = {item.article_id for item, _ in matched}
        self._load([a for a in ids if a not in self._known])
        for attempt in range(_RETRIES):
            batch, observed, revised, state = self._plan(matched)
            if not batch:
                return AppendResult(total, len(matched), 0, 0, len(matched))
            before = self.store.last_position()
            try:
                recorded = self.store.append(batch)
            except ConcurrencyError:
                if attempt == _RETRIES - 1:
                    raise
                for article in ids:
                    self._known.pop(article, None)
                self._load(list(ids))
                continue
            new = [event for event in recorded if event.position > before]
            self._known.update(state)
            # Events appended by someone else under the same key count as unchanged.
            if len(new) != observed + revised:
                observed, revised = _split(recorded, before)
            appended_ids = frozenset(e.stream_id[len("article-") :] for e in new)
            return AppendResult(
                total, len(matched), observed, revised, len(matched) - observed - revised, appended_ids
            )
        raise AssertionError("unreachable")

    def _plan(
        self, matched: Sequence[tuple[FeedItem, list[str]]]
    ) -> tuple[list[NewEvent], int, int, dict[str, tuple[int, str | None, int]]]:
        state: dict[str, tuple[int, str | None, int]] = {}
        batch: list[NewEvent] = []
        observed = revised = 0
        for item, stories in matched:
            article = item.article_id
            version, last_hash, last_seen = state.get(article) or self._known.get(article) or (0, None, 0)
            if last_hash == item.content_hash:
                continue
            seen = to_micros(item.seen_at)
            if version > 0 and (item.partial or seen <= last_seen):
                continue  # a cut-short or older copy never revises a known article
            meta = {"via": self.via, "seen_us": seen}
            stream = stream_of(article)
            if last_hash is None and version == 0:
                event = ArticleObserved(
                    article_id=article,
                    feed_url=item.feed_url,
                    publisher=item.publisher,
                    item_id=item.item_id,
                    link=item.link,
                    title=item.title,
                    summary=item.summary,
                    published=isoformat(item.published) or "",
                    published_raw=item.published_raw,
                    language=item.language,
                    stories=stories,
                    content_hash=item.content_hash,
                    feed_title=item.feed_title,
                )
                metadata = dict(meta, published_inferred=True) if item.published_inferred else meta
                batch.append(
                    NewEvent.from_domain(
                        event,
                        stream_id=stream,
                        occurred_at=item.published,
                        idempotency_key=f"observed:{stream}:{item.content_hash}",
                        expected_version=0,
                        metadata=metadata,
                    )
                )
                observed += 1
            else:
                revision = ArticleRevised(
                    article_id=article,
                    title=item.title,
                    summary=item.summary,
                    content_hash=item.content_hash,
                    previous_hash=last_hash or "",
                    stories=stories,
                    link=item.link,
                    published=isoformat(item.published),
                )
                batch.append(
                    NewEvent.from_domain(
                        revision,
                        stream_id=stream,
                        occurred_at=max(item.seen_at, item.published),
                        idempotency_key=f"revised:{stream}:{version + 1}:{item.content_hash}",
                        expected_version=version,
                        metadata=meta,
                    )
                )
                revised += 1
            state[article] = (version + 1, item.content_hash, seen)
        return batch, observed, revised, state

    def _load(self, article_ids: list[str]) -> None:
        """Read the current version and content hash of some articles from the log."""
        if not article_ids:
            return
        found: dict[str, tuple[int, str | None, int]] = {}
        prefix = len("article-")
        with self.store.engine.connect() as conn:
            for start in range(0, len(article_ids), _CHUNK):
                streams = [stream_of(a) for a in article_ids[start : start + _CHUNK]]
                query = (
                    sa.select(
                        events.c.stream_id, events.c.stream_version, events.c.type,
                        events.c.payload, events.c.metadata,
                    )
                    .where(events.c.stream_id.in_(streams))
                    .order_by(events.c.stream_id, events.c.stream_version)
                )
                for stream, version, type_, payload, meta in conn.execute(query):
                    article = stream[prefix:]
                    _, last_hash, last_seen = found.get(article, (0, None, 0))
                    if type_ in _CONTENT_TYPES:
                        last_hash = codec.loads(payload).get("content_hash", last_hash)
                        last_seen = int(codec.loads(meta).get("seen_us") or 0)
                    found[article] = (version, last_hash, last_seen)
        for article in article_ids:
            self._known[article] = found.get(article, (0, None, 0))


def screen_words(matcher: Matcher) -> tuple[str, ...]:
    """Return, for every term and name of the matcher's stories, its longest word, lowercased."""
    words: set[str] = set()
    for story in matcher.stories:
        for term in (*story.terms, *story.names):
            parts = term.rstrip("*").lower().split()
            if parts:
                words.add(max(parts, key=len))
    return tuple(sorted(words))


def _split(recorded: Iterable[object], before: int) -> tuple[int, int]:
    observed = revised = 0
    for event in recorded:
        if event.position > before:  # type: ignore[attr-defined]
            if event.type == ArticleObserved.TYPE:  # type: ignore[attr-defined]
                observed += 1
            else:
                revised += 1
    return observed, revised


def observed_at_of(items: Sequence[FeedItem]) -> datetime | None:
    """Return the latest publication time among items with their own date."""
    dates = [item.published for item in items if not item.published_inferred]
    return max(dates) if dates else None
