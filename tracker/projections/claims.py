"""The claims projection: log events -> evidence, claim, correction and rejection rows.

Per event the work is small: read the payload, look the extraction up in a memo
keyed by the article's content, and add row tuples to the batch; the batch is
written with one driver-level ``executemany`` per table. Extraction runs only
for text not seen before under the same rules and story file. What a revision
inherits (publisher, language, link, publication time) is read back from the
article's own stream, which holds its earlier revisions.

Any stored payload is taken: NUL characters (which a PostgreSQL text column
refuses) are dropped from its text, an over-long language is cut to its
column, and a payload the projection cannot use at all (a field missing, of
the wrong type) is skipped, counted in ``Batch.skipped`` and logged, so reads
keep working whatever an older version of tracker stored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

import orjson

from tracker.db import Sql, sql_of
from tracker.eventlog.events import (
    ArticleObserved,
    ArticleRejected,
    ArticleRevised,
    DomainEvent,
    SlotAsserted,
    UnknownEvent,
    decode,
)
from tracker.projections import rows
from tracker.projections.versions import rules_version
from tracker.stories import extract as extract_rules
from tracker.stories.definition import StoryDefinition
from tracker.timeutil import to_micros
from tracker.types import Article, Claim

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from tracker.eventlog.store import EventStore, RecordedEvent

_MEMO_LIMIT = 200_000
_LANGUAGE = 40  # proj_evidence.language
_NUL = "\\u0000"  # how JSON text spells a NUL character
_MISSING: Any = object()
_CONTENT = (ArticleObserved.TYPE, ArticleRevised.TYPE)
_CURRENT = {
    cls.TYPE: cls.SCHEMA_VERSION
    for cls in (ArticleObserved, ArticleRevised, SlotAsserted, ArticleRejected)
}

EVIDENCE_COLUMNS = (
    "story", "position", "article_id", "superseded", "publisher", "link", "title", "summary",
    "language", "published_us", "recorded_us", "content_hash", "stories", "claims",
)
CORRECTION_COLUMNS = (
    "position", "story", "slot", "op", "value", "at_us", "source", "note", "interim",
)
REJECTION_COLUMNS = ("position", "article_id", "reason", "author", "stories")

Memo = dict[tuple[Any, ...], str | None]
_MEMO: dict[tuple[str, str, str], Memo] = {}


def _memo_for(story: StoryDefinition) -> Memo:
    key = (story.id, story.digest, rules_version())
    memo = _MEMO.get(key)
    if memo is None or len(memo) > _MEMO_LIMIT:
        memo = _MEMO[key] = {}
    return memo


def clear_memo() -> None:
    """Forget every memoised extraction."""
    _MEMO.clear()


def extract_json(story: StoryDefinition, article: Article) -> str | None:
    """Return the stored JSON of the article's claims (None: none), extracting only unseen text."""
    memo = _memo_for(story)
    key = (article.content_hash, article.language, article.title, article.summary)
    if key in memo:
        return memo[key]
    found = rows.claims_json(extract_rules.extract(story, article))
    memo[key] = found
    return found


class LogEvent(NamedTuple):
    """What the projections read of a logged event (a tuple: cheap to make by the million)."""

    position: int
    stream_id: str
    type: str
    schema_version: int
    occurred_us: int
    recorded_us: int
    payload: dict[str, Any]

    def decoded(self) -> DomainEvent | UnknownEvent:
        """Return the typed event (upcast to the current schema), or UnknownEvent."""
        return decode(self.type, self.schema_version, self.payload)


Event: TypeAlias = "LogEvent | RecordedEvent"


@dataclass(frozen=True, slots=True)
class Prior:
    """What an article's latest revision left for the next one to inherit."""

    position: int
    publisher: str
    language: str | None
    link: str | None
    published_us: int
    stories: tuple[str, ...]


@dataclass
class Batch:
    """The rows one page of events adds to the projection."""

    first: int
    last: int
    evidence: dict[tuple[str, int], list[Any]] = field(default_factory=dict)
    superseded: list[tuple[int, str, int]] = field(default_factory=list)
    corrections: list[tuple[Any, ...]] = field(default_factory=list)
    rejections: list[tuple[Any, ...]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (position, why) of unusable events

    def write(self, conn: Connection | Sql) -> None:
        """Write the batch's rows: one driver-level executemany per table."""
        sql = sql_of(conn)
        if self.superseded:
            sql.many("UPDATE proj_evidence SET superseded = ? WHERE story = ? AND position = ?",
                     self.superseded)
        for table, columns, data in (
            ("proj_evidence", EVIDENCE_COLUMNS, [tuple(r) for r in self.evidence.values()]),
            ("proj_corrections", CORRECTION_COLUMNS, self.corrections),
            ("proj_rejections", REJECTION_COLUMNS, self.rejections),
        ):
            if data:
                sql.insert_rows(table, columns, data)


class Collector:
    """The current evidence of a pass that started at position 0, by story and position.

    Resolving after such a pass uses it instead of reading every row back; it holds
    exactly what :func:`tracker.projections.load.load_evidence` would return
    (before rejections are applied). Repeated texts (publishers, titles, summaries:
    syndicated and recapped copies) are kept once.
    """

    def __init__(self) -> None:
        self.evidence: dict[str, dict[int, tuple[Article, list[Claim]]]] = {}
        self._texts: dict[str | None, str | None] = {}
        self._stories: dict[str, tuple[str, ...]] = {}

    def absorb(self, batch: Batch) -> None:
        """Take in a committed batch: drop what it superseded, keep what it added."""
        for _, story_id, old in batch.superseded:
            self.evidence.get(story_id, {}).pop(old, None)
        once: Callable[[Any, Any], Any] = self._texts.setdefault  # one copy of each repeated text
        for row in batch.evidence.values():
            if row[3] is not None:
                continue
            story_id, position, article_id = row[0], row[1], row[2]
            stories = self._stories.get(row[12])
            if stories is None:
                stories = self._stories[row[12]] = rows.split_stories(row[12])
            article = Article(
                article_id, position, once(row[4], row[4]), row[5], once(row[6], row[6]),
                once(row[7], row[7]), once(row[8], row[8]), row[9], row[10],
                once(row[11], row[11]), stories,
            )
            self.evidence.setdefault(story_id, {})[position] = (
                article, rows.claims_from_json(story_id, article_id, row[13])
            )


def _micros(text: str | None, default: int) -> int:
    if not text:
        return default
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return default
    if moment.tzinfo is None:
        return default
    return to_micros(moment)


def _without_nul(value: Any) -> Any:
    """Return a payload value with NUL characters dropped from every string in it."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_nul(v) for k, v in value.items()}
    return value


def _load(raw: str | bytes) -> Any:
    """Decode a stored payload; one holding NUL characters loses them."""
    payload = orjson.loads(raw)
    nul = _NUL.encode() if isinstance(raw, bytes | bytearray | memoryview) else _NUL
    return _without_nul(payload) if nul in raw else payload  # type: ignore[operator]


def _payload(ev: Event) -> dict[str, Any] | None:
    """Return the payload at the current schema version (upcast when older), or None."""
    if _CURRENT.get(ev.type) == ev.schema_version:
        return ev.payload
    item = ev.decoded()
    if not dataclasses.is_dataclass(item) or not hasattr(item, "TYPE"):
        return None
    return dataclasses.asdict(item)  # type: ignore[arg-type]


class _Builder:
    """Turn one page of events into a Batch."""

    def __init__(self, store: EventStore, stories: Mapping[str, StoryDefinition], batch: Batch) -> None:
        self.store = store
        self.stories = stories
        self.memos = {story_id: _memo_for(story) for story_id, story in stories.items()}
        self.batch = batch
        # An article's latest revision in this page: a Prior, or for an observation the
        # tuple (position, publisher, language, link, published_us, stories), made into
        # a Prior only when something supersedes it.
        self.latest: dict[str, Prior | tuple[Any, ...]] = {}

    def _latest(self, article_id: str) -> Prior | None:
        found = self.latest.get(article_id)
        if found is None or isinstance(found, Prior):
            return found
        return Prior(found[0], found[1], found[2], found[3], found[4], tuple(found[5]))

    def observed(self, position: int, published: int, recorded: int, p: dict[str, Any]) -> None:
        """Add the rows of an observation (the common case, kept lean); an earlier
        observation of the same article in this page is superseded."""
        article_id = p["article_id"]
        latest = self.latest
        if article_id in latest:  # observed twice within one page: the second supersedes
            prior = self._latest(article_id)
            if prior is not None:
                self._supersede(prior, position)
        stories, publisher, language, link = p["stories"], p["publisher"], p["language"], p["link"]
        if language is not None and len(language) > _LANGUAGE:
            language = language[:_LANGUAGE]
        latest[article_id] = (position, publisher, language, link, published, stories)
        self._evidence(position, recorded, article_id, stories, publisher, language, link,
                       published, p)

    def _evidence(
        self, position: int, recorded: int, article_id: str, stories: list[str], publisher: str,
        language: str | None, link: str | None, published: int, p: dict[str, Any],
    ) -> None:
        """Add the evidence rows of one revision: a row per story it makes claims in."""
        title, summary, content = p["title"], p["summary"], p["content_hash"]
        key = (content, language, title, summary)
        made: Article | None = None
        for story_id in stories:
            memo = self.memos.get(story_id)
            if memo is None:
                continue
            found = memo.get(key, _MISSING)
            if found is _MISSING:
                made = made or Article(
                    article_id, position, publisher, link, title, summary, language,
                    published, recorded, content, tuple(stories),
                )
                found = extract_json(self.stories[story_id], made)
            if found is not None:
                self.batch.evidence[(story_id, position)] = [
                    story_id, position, article_id, None, publisher, link, title, summary,
                    language, published, recorded, content, ",".join(stories), found,
                ]

    def prior(self, ev: Event, article_id: str) -> Prior | None:
        """Return the article's state before this event (this page, else its stream)."""
        if article_id in self.latest:
            return self._latest(article_id)
        earlier: Prior | None = None
        for old in self.store.read(stream_id=ev.stream_id, until=ev.position - 1, types=_CONTENT):
            payload = _without_nul(_payload(old))
            if payload is not None and payload.get("article_id") == article_id:
                earlier = self._state(old, payload, earlier)
        return earlier

    @staticmethod
    def _state(ev: Event, p: dict[str, Any], prior: Prior | None) -> Prior:
        if ev.type == ArticleObserved.TYPE:
            language = p["language"]
            return Prior(ev.position, p["publisher"], language[:_LANGUAGE] if language else language,
                         p["link"], ev.occurred_us, tuple(p["stories"]))
        link = p.get("link")
        return Prior(
            ev.position,
            prior.publisher if prior else "",
            prior.language if prior else None,
            link if link is not None else (prior.link if prior else None),
            _micros(p.get("published"), prior.published_us if prior else ev.occurred_us),
            tuple(p["stories"]),
        )

    def article(self, ev: Event, p: dict[str, Any]) -> None:
        """Add the rows of one article revision (and supersede the one before)."""
        if ev.type == ArticleObserved.TYPE:
            self.observed(ev.position, ev.occurred_us, ev.recorded_us, p)
            return
        article_id = p["article_id"]
        prior = self.prior(ev, article_id)
        state = self._state(ev, p, prior)
        self.latest[article_id] = state
        stories = list(state.stories)
        publisher, language, link = state.publisher, state.language, state.link
        published = state.published_us
        if prior is not None:
            self._supersede(prior, ev.position)
        self._evidence(ev.position, ev.recorded_us, article_id, stories, publisher, language, link,
                       published, p)

    def _supersede(self, prior: Prior, position: int) -> None:
        for story_id in prior.stories:
            pending = self.batch.evidence.get((story_id, prior.position))
            if pending is not None:
                pending[3] = position
            elif prior.position < self.batch.first:
                self.batch.superseded.append((position, story_id, prior.position))


def build_batch(
    store: EventStore, rows: Sequence[Sequence[Any]], stories: Mapping[str, StoryDefinition]
) -> Batch:
    """Turn a page of log rows into projection rows.

    A row is (position, stream_id, type, schema_version, occurred_at, recorded_at,
    payload as JSON text or bytes); payloads are decoded here, one at a time.
    """
    batch = Batch(rows[0][0], rows[-1][0])
    builder = _Builder(store, stories, batch)
    current = _CURRENT
    for row in rows:
        kind = row[2]
        version = current.get(kind)
        if version is None:
            continue
        try:
            _project(builder, row, kind, version)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            batch.skipped.append((row[0], f"{type(exc).__name__}: {str(exc)[:200]}"))
            import logging  # only when something is skipped: a catch-up of one article does without it

            logging.getLogger(__name__).warning(
                "event %s (%s) skipped: its payload cannot be projected (%s: %s)",
                row[0], kind, type(exc).__name__, str(exc)[:200])
    return batch


def _project(builder: _Builder, row: Sequence[Any], kind: str, version: int) -> None:
    """Add one event's rows to the builder's batch."""
    if kind == ArticleObserved.TYPE and version == row[3]:
        builder.observed(row[0], row[4], row[5], _load(row[6]))
        return
    ev = LogEvent(row[0], row[1], kind, row[3], row[4], row[5], _load(row[6]))
    p = _payload(ev)
    if p is None:
        return
    batch = builder.batch
    if kind in _CONTENT:
        builder.article(ev, p)
    elif kind == SlotAsserted.TYPE:
        batch.corrections.append((
            ev.position, p["story"], p["slot"], p["op"], p.get("value"),
            _micros(p.get("at"), ev.occurred_us), p["source"], p.get("note"), p.get("interim"),
        ))
    else:
        batch.rejections.append((
            ev.position, p["article_id"], p["reason"], p.get("author"),
            ",".join(p.get("stories") or ()),
        ))
