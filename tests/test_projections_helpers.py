"""Build article events and a toy extractor for the projection tests (no corpus text).

The toy extractor reads claims written plainly into a title, so engine mechanics
(checkpoints, rebuilds, revisions, both clocks) can be tested whatever the real
rules find: ``"... [ceo set Mira Murati interim] [board remove Ilya Sutskever]"``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from tracker.eventlog.events import ArticleObserved, ArticleRevised
from tracker.eventlog.store import NewEvent
from tracker.projections import claims as claims_projection
from tracker.projections import present, query, tables
from tracker.stories import extract as extract_rules
from tracker.types import Article, Claim

T0 = datetime(2023, 11, 17, 12, 0, tzinfo=UTC)
_CLAIM = re.compile(r"\[(\w+) (\w+)(?: ([^\]]*?))?( interim)?\]")


def at(hours: float) -> datetime:
    """Return T0 plus some hours."""
    return T0 + timedelta(hours=hours)


def observed(
    article_id: str,
    title: str,
    published: datetime,
    *,
    publisher: str = "Example Wire",
    summary: str = "",
    stories: tuple[str, ...] = ("openai",),
    language: str = "en",
) -> NewEvent:
    """Return an ArticleObserved event for one article."""
    content = hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()
    event = ArticleObserved(
        article_id=article_id, feed_url=f"https://{publisher.lower().replace(' ', '')}.example/rss",
        publisher=publisher, item_id=article_id, link=f"https://news.example/{article_id}",
        title=title, summary=summary, published=published.isoformat(), published_raw=None,
        language=language, stories=list(stories), content_hash=content,
    )
    return NewEvent.from_domain(
        event, stream_id=f"article-{article_id}", occurred_at=published,
        idempotency_key=f"observed:{article_id}:{content}",
    )


def revised(
    article_id: str, title: str, *, previous: str = "", summary: str = "",
    stories: tuple[str, ...] = ("openai",), published: datetime | None = None,
) -> NewEvent:
    """Return an ArticleRevised event changing an article's title."""
    content = hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()
    event = ArticleRevised(
        article_id=article_id, title=title, summary=summary, content_hash=content,
        previous_hash=previous, stories=list(stories),
        published=published.isoformat() if published else None,
    )
    return NewEvent.from_domain(
        event, stream_id=f"article-{article_id}", occurred_at=published or T0,
        idempotency_key=f"revised:{article_id}:{content}",
    )


def toy_extract(story, article: Article) -> list[Claim]:  # type: ignore[no-untyped-def]
    """Return the claims written in brackets in the title."""
    found = []
    for slot, op, value, interim in _CLAIM.findall(article.title):
        found.append(Claim(
            story=story.id, article_id=article.article_id, slot=slot, op=op,  # type: ignore[arg-type]
            value=value or None, factuality="asserted", language=article.language or "en",
            evidence=f"[{slot} {op} {value}]", interim=True if interim else (False if slot == "ceo" else None),
            rule="toy",
        ))
    return found


def rules_replaced(monkeypatch: pytest.MonkeyPatch, extractor: Callable[[Any, Article], list[Claim]],
                   version: str) -> Iterator[None]:
    """Replace the extraction rules by ``extractor`` under its own rules version (a fixture's body)."""
    monkeypatch.setattr(extract_rules, "extract", extractor)
    monkeypatch.setattr(extract_rules, "RULES_VERSION", version)
    claims_projection.clear_memo()
    yield
    claims_projection.clear_memo()


@pytest.fixture
def toy_rules(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Replace the extraction rules by the toy extractor (its own rules version)."""
    yield from rules_replaced(monkeypatch, toy_extract, "toy-1")


def projection_snapshot(engine: sa.Engine) -> str:
    """Return every projection row and the story's state and timeline, as JSON text."""
    out: dict[str, object] = {}
    with engine.connect() as conn:
        for table in tables.ALL:
            keys = list(table.primary_key.columns)
            out[str(table.name)] = [list(r) for r in conn.execute(sa.select(table).order_by(*keys))]
    out["state"] = present.state_json(query.state(engine, "openai", refresh=False))
    out["timeline"] = [present.transition_json(t) for t in query.timeline(engine, "openai", refresh=False)]
    return orjson.dumps(out, option=orjson.OPT_SORT_KEYS, default=str).decode()
