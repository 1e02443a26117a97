"""The articles and claims projection: log events -> rows, one batch at a time.

Per event the work is small: decode, look the extraction up in a memo keyed by
the article's content, and add rows to the batch. Extraction runs only for text
not seen before under the same rules and story file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tracker.eventlog.events import ArticleObserved, ArticleRejected, ArticleRevised, SlotAsserted
from tracker.eventlog.store import RecordedEvent
from tracker.projections import rows, tables
from tracker.projections.versions import rules_version
from tracker.stories import extract as extract_rules
from tracker.stories.definition import StoryDefinition
from tracker.timeutil import to_micros
from tracker.types import Article

_IN_CHUNK = 500
_MEMO_LIMIT = 200_000

ClaimFields = tuple[tuple[Any, ...], ...]
_MEMO: dict[tuple[str, str, str], dict[tuple[Any, ...], ClaimFields]] = {}


def _memo_for(story: StoryDefinition) -> dict[tuple[Any, ...], ClaimFields]:
    key = (story.id, story.digest, rules_version())
    memo = _MEMO.get(key)
    if memo is None or len(memo) > _MEMO_LIMIT:
        memo = _MEMO[key] = {}
    return memo


def clear_memo() -> None:
    """Forget every memoised extraction."""
    _MEMO.clear()


def extract_fields(story: StoryDefinition, article: Article) -> ClaimFields:
    """Return the stored fields of the article's claims, extracting only unseen text."""
    memo = _memo_for(story)
    key = (article.content_hash, article.language, article.title, article.summary)
    found = memo.get(key)
    if found is None:
        found = tuple(rows.claim_fields(c) for c in extract_rules.extract(story, article))
        memo[key] = found
    return found


@dataclass
class Batch:
    """The rows one page of events adds to the projection."""

    first: int
    last: int
    new_articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed_articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    evidence: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    claims: list[dict[str, Any]] = field(default_factory=list)
    superseded: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[dict[str, Any]] = field(default_factory=list)

    def write(self, conn: Connection) -> None:
        """Write the batch's rows (Core executemany, a statement per table)."""
        if self.new_articles:
            conn.execute(tables.articles.insert(), list(self.new_articles.values()))
        if self.changed_articles:
            a = tables.articles
            conn.execute(
                a.update().where(a.c.article_id == sa.bindparam("b_id")).values(
                    position=sa.bindparam("position"), publisher=sa.bindparam("publisher"),
                    language=sa.bindparam("language"), link=sa.bindparam("link"),
                    published_us=sa.bindparam("published_us"), stories=sa.bindparam("stories"),
                ),
                [{**row, "b_id": row["article_id"]} for row in self.changed_articles.values()],
            )
        if self.superseded:
            e = tables.evidence
            conn.execute(
                e.update()
                .where(e.c.story == sa.bindparam("b_story"), e.c.position == sa.bindparam("b_position"))
                .values(superseded=sa.bindparam("superseded")),
                self.superseded,
            )
        if self.evidence:
            conn.execute(tables.evidence.insert(), list(self.evidence.values()))
        if self.claims:
            conn.execute(tables.claims.insert(), self.claims)
        if self.corrections:
            conn.execute(tables.corrections.insert(), self.corrections)
        if self.rejections:
            conn.execute(tables.rejections.insert(), self.rejections)

    @property
    def touched_stories(self) -> set[str]:
        """Return the stories whose evidence or corrections this batch changed."""
        found = {story for story, _ in self.evidence}
        found.update(row["b_story"] for row in self.superseded)
        found.update(row["story"] for row in self.corrections)
        return found


def _known_articles(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    a = tables.articles
    found: dict[str, dict[str, Any]] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _IN_CHUNK):
        chunk = unique[start : start + _IN_CHUNK]
        for row in conn.execute(sa.select(a).where(a.c.article_id.in_(chunk))):
            found[row.article_id] = dict(row._mapping)
    return found


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


def build_batch(
    conn: Connection, events: Sequence[RecordedEvent], stories: Mapping[str, StoryDefinition]
) -> Batch:
    """Turn a page of events into projection rows (reads prior articles through ``conn``)."""
    batch = Batch(events[0].position, events[-1].position)
    decoded = [(ev, ev.decoded()) for ev in events]
    ids = [
        d.article_id for _, d in decoded if isinstance(d, ArticleObserved | ArticleRevised)
    ]
    known = _known_articles(conn, ids) if ids else {}
    for ev, item in decoded:
        if isinstance(item, ArticleObserved):
            article = Article(
                item.article_id, ev.position, item.publisher, item.link, item.title,
                item.summary, item.language, ev.occurred_us, ev.recorded_us,
                item.content_hash, tuple(item.stories),
            )
            _add_article(batch, known, article, stories)
        elif isinstance(item, ArticleRevised):
            prior = batch.new_articles.get(item.article_id) or batch.changed_articles.get(
                item.article_id
            ) or known.get(item.article_id)
            publisher = prior["publisher"] if prior else ""
            language = prior["language"] if prior else None
            link = item.link if item.link is not None else (prior["link"] if prior else None)
            published = _micros(item.published, prior["published_us"] if prior else ev.occurred_us)
            article = Article(
                item.article_id, ev.position, publisher, link, item.title, item.summary,
                language, published, ev.recorded_us, item.content_hash, tuple(item.stories),
            )
            _add_article(batch, known, article, stories)
        elif isinstance(item, SlotAsserted):
            batch.corrections.append({
                "position": ev.position, "story": item.story, "slot": item.slot, "op": item.op,
                "value": item.value, "at_us": _micros(item.at, ev.occurred_us),
                "source": item.source, "note": item.note, "interim": item.interim,
            })
        elif isinstance(item, ArticleRejected):
            batch.rejections.append({
                "position": ev.position, "article_id": item.article_id, "reason": item.reason,
                "author": item.author, "stories": ",".join(item.stories),
            })
    return batch


def _add_article(
    batch: Batch,
    known: dict[str, dict[str, Any]],
    article: Article,
    stories: Mapping[str, StoryDefinition],
) -> None:
    aid = article.article_id
    row = {
        "article_id": aid, "position": article.position, "publisher": article.publisher,
        "language": article.language, "link": article.link,
        "published_us": article.published_us, "stories": ",".join(article.stories),
    }
    prior = batch.new_articles.get(aid)
    if prior is not None:
        batch.new_articles[aid] = row
    else:
        prior = batch.changed_articles.get(aid) or known.get(aid)
        if prior is None:
            batch.new_articles[aid] = row
        else:
            batch.changed_articles[aid] = row
    if prior is not None:
        _supersede(batch, prior, article.position)
    for story_id in article.stories:
        story = stories.get(story_id)
        if story is None:
            continue
        fields = extract_fields(story, article)
        if not fields:
            continue
        batch.evidence[(story_id, article.position)] = rows.evidence_row(story_id, article)
        batch.claims.extend(
            rows.claim_row(story_id, article.position, seq, f) for seq, f in enumerate(fields)
        )


def _supersede(batch: Batch, prior: dict[str, Any], position: int) -> None:
    for story_id in rows.split_stories(prior["stories"]):
        pending = batch.evidence.get((story_id, prior["position"]))
        if pending is not None:
            pending["superseded"] = position
        elif prior["position"] < batch.first:
            batch.superseded.append(
                {"b_story": story_id, "b_position": prior["position"], "superseded": position}
            )
