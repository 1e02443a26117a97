"""Read the claims projection back as resolve's inputs, whole or as known at a position."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tracker.db import driver_rows, param_mark
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
    conn: Connection, story_id: str, until: int | None = None, *, keep_rejected: bool = False,
    published_from: int | None = None, published_to: int | None = None, after: int | None = None,
) -> Evidence:
    """Return (article, claims) pairs in position order: the latest revision of each
    article as known at position ``until`` (None: now), rejected articles left out;
    with ``published_from``/``published_to``, only those published in that span
    (an indexed range); with ``after``, only those recorded after that position.

    Rows are read on the driver's cursor (plain tuples): a story can have hundreds
    of thousands of them."""
    mark = param_mark(conn.dialect)
    where = f"story = {mark}"
    params: list[object] = [story_id]
    if until is None:
        where += " AND superseded IS NULL"
    else:
        where += f" AND position <= {mark} AND (superseded IS NULL OR superseded > {mark})"
        params += [until, until]
    if after is not None:
        where += f" AND position > {mark}"
        params.append(after)
    if published_from is not None:
        where += f" AND published_us >= {mark}"
        params.append(published_from)
    if published_to is not None:
        where += f" AND published_us <= {mark}"
        params.append(published_to)
    rejected = set() if keep_rejected else rejected_articles(conn, story_id, until)
    found_rows = driver_rows(
        conn,
        "SELECT position, article_id, publisher, link, title, summary, language, "
        "published_us, recorded_us, content_hash, stories, claims "
        f"FROM {tables.evidence.name} WHERE {where} ORDER BY position",
        params,
    )
    found: Evidence = []
    article_from_row, claims_from_json = rows.article_from_row, rows.claims_from_json
    for row in found_rows:
        if row[1] in rejected:
            continue
        found.append((article_from_row(row), claims_from_json(story_id, row[1], row[11])))
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
