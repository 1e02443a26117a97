"""Read the claims projection back as resolve's inputs, whole or as known at a position."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tracker.db import Sql, flag, sql_of
from tracker.projections import rows
from tracker.types import Article, Claim, Correction

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# Every read here is SQL text on the driver's cursor (see tracker.db.Sql), so that a catch-up
# over a plain sqlite3 connection (tracker.projections.lean) shares them without SQLAlchemy.
Evidence = list[tuple[Article, list[Claim]]]


def rejected_articles(conn: Connection | Sql, story_id: str, until: int | None = None) -> set[str]:
    """Return the ids of the articles ruled out for a story (by position ``until``)."""
    sql = sql_of(conn)
    query = "SELECT article_id, stories FROM proj_rejections"
    found = sql.rows(query) if until is None else sql.rows(f"{query} WHERE position <= ?", (until,))
    return {
        article_id
        for article_id, stories in found
        if not stories or story_id in rows.split_stories(stories)
    }


def load_evidence(
    conn: Connection | Sql, story_id: str, until: int | None = None, *, keep_rejected: bool = False,
    published_from: int | None = None, published_to: int | None = None, after: int | None = None,
) -> Evidence:
    """Return (article, claims) pairs in position order: the latest revision of each
    article as known at position ``until`` (None: now), rejected articles left out;
    with ``published_from``/``published_to``, only those published in that span
    (an indexed range); with ``after``, only those recorded after that position.

    Rows are read on the driver's cursor (plain tuples): a story can have hundreds
    of thousands of them."""
    sql = sql_of(conn)
    mark = "?"
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
    rejected = set() if keep_rejected else rejected_articles(sql, story_id, until)
    found_rows = sql.rows(
        "SELECT position, article_id, publisher, link, title, summary, language, "
        "published_us, recorded_us, content_hash, stories, claims "
        f"FROM proj_evidence WHERE {where} ORDER BY position",
        params,
    )
    found: Evidence = []
    article_from_row, claims_from_json = rows.article_from_row, rows.claims_from_json
    for row in found_rows:
        if row[1] in rejected:
            continue
        found.append((article_from_row(row), claims_from_json(story_id, row[1], row[11])))
    return found


def load_corrections(conn: Connection | Sql, story_id: str, until: int | None = None) -> list[Correction]:
    """Return the story's corrections in log order (those at or before ``until``)."""
    query = ("SELECT position, story, slot, op, value, at_us, source, note, interim "
             "FROM proj_corrections WHERE story = ?")
    params: list[object] = [story_id]
    if until is not None:
        query += " AND position <= ?"
        params.append(until)
    return [rows.correction_from_row((*r[:8], flag(r[8])))
            for r in sql_of(conn).rows(query + " ORDER BY position", params)]


def load_rejections(conn: Connection | Sql, article_ids: Sequence[str]) -> dict[str, list[str]]:
    """Return the reasons given for rejecting some articles, by article id."""
    found: dict[str, list[str]] = {}
    if not article_ids:
        return found
    query = "SELECT article_id, reason FROM proj_rejections WHERE article_id IN ({}) ORDER BY position"
    for article_id, reason in sql_of(conn).rows_in(query, (), list(dict.fromkeys(article_ids))):
        found.setdefault(article_id, []).append(reason)
    return found
