"""Checkpoint rows and the probes for what changed after one, as SQL text on a
:class:`tracker.db.Sql`: the projection engine (over SQLAlchemy's driver connection) and
the catch-up over plain sqlite3 (:mod:`tracker.projections.lean`) run the same statements.
"""

from __future__ import annotations

from tracker.db import Sql


def event_hash(sql: Sql, position: int) -> str | None:
    """Return the hash of the event at a position (None: position 0, or no such event)."""
    if position <= 0:
        return None
    found = sql.scalar("SELECT hash FROM events WHERE position = ?", (position,))
    return None if found is None else str(found)


def save(sql: Sql, name: str, position: int, version: str, rules: str) -> None:
    """Set a checkpoint (its position, version, rules version and the hash of the event there)."""
    values = (position, version, rules, event_hash(sql, position))
    if sql.run("UPDATE projection_checkpoints SET position = ?, version = ?, rules_version = ?, hash = ? "
               "WHERE name = ?", (*values, name)) == 0:
        sql.run("INSERT INTO projection_checkpoints (name, position, version, rules_version, hash) "
                "VALUES (?, ?, ?, ?, ?)", (name, *values))


def changed_since(sql: Sql, story_id: str, since: int) -> bool:
    """Whether a story's evidence, corrections or the rejections changed after a position."""
    probes = (
        ("SELECT position FROM proj_evidence WHERE story = ? AND position > ? LIMIT 1", (story_id, since)),
        ("SELECT position FROM proj_corrections WHERE story = ? AND position > ? LIMIT 1", (story_id, since)),
    )
    return any(sql.first(query, params) is not None for query, params in probes) \
        or revised_or_rejected_since(sql, story_id, since)


def revised_or_rejected_since(sql: Sql, story_id: str, since: int) -> bool:
    """Whether one of a story's reports was revised, or any report rejected, after a position."""
    probes = (
        ("SELECT position FROM proj_evidence WHERE story = ? AND superseded > ? LIMIT 1", (story_id, since)),
        ("SELECT position FROM proj_rejections WHERE position > ? LIMIT 1", (since,)),
    )
    return any(sql.first(query, params) is not None for query, params in probes)
