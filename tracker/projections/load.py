"""Read the claims projection back as resolve's inputs, whole or as known at a position."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tracker.projections import rows, tables
from tracker.types import Article, Claim, Correction

Evidence = list[tuple[Article, list[Claim]]]


def rejected_articles(conn: Connection, story_id: str, until: int | None = None) -> set[str]:
    """Return the ids of the articles ruled out for a story (by position ``until``)."""
    r = tables.rejections
    query = sa.select(r.c.article_id, r.c.stories)
    if until is not None:
        query = query.where(r.c.position <= until)
    return {
        article_id
        for article_id, stories in conn.execute(query)
        if not stories or story_id in rows.split_stories(stories)
    }


def load_evidence(
    conn: Connection, story_id: str, until: int | None = None, *, keep_rejected: bool = False
) -> Evidence:
    """Return (article, claims) pairs in position order: the latest revision of each
    article as known at position ``until`` (None: now), rejected articles left out."""
    e = tables.evidence
    conditions = [e.c.story == story_id]
    if until is None:
        conditions.append(e.c.superseded.is_(None))
    else:
        conditions += [e.c.position <= until, sa.or_(e.c.superseded.is_(None), e.c.superseded > until)]
    rejected = set() if keep_rejected else rejected_articles(conn, story_id, until)
    query = sa.select(
        e.c.position, e.c.article_id, e.c.publisher, e.c.link, e.c.title, e.c.summary,
        e.c.language, e.c.published_us, e.c.recorded_us, e.c.content_hash, e.c.stories,
        e.c.claims,
    ).where(*conditions).order_by(e.c.position)
    found: Evidence = []
    for row in conn.execute(query).all():
        if row[1] in rejected:
            continue
        found.append((rows.article_from_row(row), rows.claims_from_json(story_id, row[1], row[11])))
    return found


def load_corrections(conn: Connection, story_id: str, until: int | None = None) -> list[Correction]:
    """Return the story's corrections in log order (those at or before ``until``)."""
    k = tables.corrections
    query = sa.select(
        k.c.position, k.c.story, k.c.slot, k.c.op, k.c.value, k.c.at_us, k.c.source,
        k.c.note, k.c.interim,
    ).where(k.c.story == story_id)
    if until is not None:
        query = query.where(k.c.position <= until)
    return [rows.correction_from_row(r) for r in conn.execute(query.order_by(k.c.position))]


def load_rejections(conn: Connection, article_ids: Sequence[str]) -> dict[str, list[str]]:
    """Return the reasons given for rejecting some articles, by article id."""
    r = tables.rejections
    found: dict[str, list[str]] = {}
    if not article_ids:
        return found
    ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(ids), 500):
        query = (
            sa.select(r.c.article_id, r.c.reason)
            .where(r.c.article_id.in_(ids[start : start + 500]))
            .order_by(r.c.position)
        )
        for article_id, reason in conn.execute(query):
            found.setdefault(article_id, []).append(reason)
    return found
