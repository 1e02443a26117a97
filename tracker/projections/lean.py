"""Bring an SQLite file's projections to the end of the log over plain sqlite3, when only
a few new events are to be taken in: the first read after an append pays for them
without loading SQLAlchemy, Alembic or click.

It does what :func:`tracker.projections.engine.update` does for that case, with the
same code (:func:`tracker.projections.claims.build_batch`, ``Batch.write``,
:func:`tracker.projections.resolution.incremental` and ``Update.write``, which run SQL
text through :class:`tracker.db.Sql`), so the rows are the same; anything else is left
to the engine (:func:`catch_up` returns False, nothing written): a checkpoint of another
version or not backed by the log, a long way to go, an event kind this path does not
take (a revision reads its article's stream), a story whose resolution cannot be
partial, alert targets to tell.

New events are projected outside any lock; the writes (the batch, the log checkpoint,
each story's transitions and checkpoint) then go in one ``BEGIN IMMEDIATE`` transaction
that first checks the checkpoints are still those the work started from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tracker.db import Sql
from tracker.projections.checkpoints import changed_since, event_hash, save
from tracker.stories.definition import StoryDefinition

LOG = "log"  # tracker.projections.engine.LOG
MOST = 1000  # new events taken in here; a longer way goes through the engine (and its workers)
# Event kinds projected without reading anything but the event (ArticleRevised reads its stream).
_TAKEN = ("ArticleObserved", "SlotAsserted", "ArticleRejected")
_READ = ("SELECT position, stream_id, type, schema_version, occurred_at, recorded_at, "
         "CAST(payload AS BLOB) FROM events WHERE position > ? ORDER BY position LIMIT ?")


def connect(path: Path) -> sqlite3.Connection:
    """Open an SQLite file as the engine does (WAL, busy timeout, foreign keys; explicit
    transactions)."""
    from urllib.parse import quote

    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=30000")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.close()
        raise sqlite3.OperationalError("not in WAL mode")  # the engine switches it
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _marks(sql: Sql) -> dict[str, tuple[int, str, str | None]]:
    return {name: (position, version, hashed) for name, position, version, hashed in
            sql.rows("SELECT name, position, version, hash FROM projection_checkpoints")}


def _alerting(sql: Sql, stories: Mapping[str, StoryDefinition]) -> bool:
    """Whether alert targets are declared or stored (the engine writes their notifications)."""
    if any(story.alerts for story in stories.values()):
        return True
    try:
        return sql.first("SELECT 1 FROM alert_targets LIMIT 1") is not None
    except sqlite3.Error:
        return True


def _pending(sql: Sql, stories: Mapping[str, StoryDefinition]) -> tuple[Any, list[Any]] | None:
    """Return the log checkpoint and the new events when this path can take them, else None
    (also when there is nothing to do)."""
    from tracker.projections.versions import log_version, transitions_version

    marks = _marks(sql)
    mark = marks.get(LOG)
    if mark is None or mark[1] != log_version(stories.values()):
        return None
    if mark[2] is not None and event_hash(sql, mark[0]) != mark[2]:
        return None  # the log was cut or rewritten under the checkpoint: the engine rebuilds
    for story in stories.values():
        if marks.get(f"transitions:{story.id}", (None, None))[:2] != (mark[0], transitions_version(story)):
            return None
    rows = sql.rows(_READ, (mark[0], MOST + 1))
    if not rows or len(rows) > MOST or any(row[2] not in _TAKEN and row[2] in _PROJECTED for row in rows):
        return None
    if _alerting(sql, stories):
        return None
    return mark, rows


_PROJECTED = ("ArticleObserved", "ArticleRevised", "SlotAsserted", "ArticleRejected")


class _Decline(Exception):
    """This path does not take the change: leave it to the engine."""


def catch_up(path: Path, stories: Mapping[str, StoryDefinition] | None = None) -> bool:
    """Take the log's new events into the projections of an SQLite file; True when it did,
    False when nothing was written (nothing new, or the engine is to do it)."""
    from tracker.projections.catalog import current_stories

    stories = current_stories() if stories is None else stories
    try:
        conn = connect(path)
    except sqlite3.Error:
        return False
    try:
        return _catch_up(Sql(conn), stories)
    except (sqlite3.Error, _Decline):
        if conn.in_transaction:
            conn.rollback()
        return False
    finally:
        conn.close()


def _schema_current(sql: Sql) -> bool:
    """Whether the file's schema is at this code's head (read from the migration files)."""
    from tracker import db

    try:
        scripts = db._scripts(str(db.migrations_dir()))
    except Exception:
        return False
    found = sql.rows("SELECT version_num FROM alembic_version")
    return scripts is not None and len(found) == 1 and found[0][0] == scripts[0]


def _catch_up(sql: Sql, stories: Mapping[str, StoryDefinition]) -> bool:
    from tracker.projections import load, resolution
    from tracker.projections.claims import build_batch
    from tracker.projections.versions import log_version, rules_version, transitions_version

    if not _schema_current(sql):
        return False  # the engine's open_database upgrades it, or says why not
    sql.run("BEGIN")
    try:
        found = _pending(sql, stories)
    finally:
        sql.run("COMMIT")
    if found is None:
        return False
    mark, rows = found
    batch = build_batch(None, rows, stories)  # type: ignore[arg-type]  # no revision: no stream read
    rules = rules_version()
    sql.run("BEGIN IMMEDIATE")
    if _marks(sql).get(LOG) != mark:
        raise _Decline  # another process moved it meanwhile
    batch.write(sql)
    save(sql, LOG, batch.last, log_version(stories.values()), rules)
    for story in stories.values():
        update = None
        if changed_since(sql, story.id, mark[0]):
            corrections = load.load_corrections(sql, story.id)
            update = resolution.incremental(sql, story, mark[0], corrections)
            if update is None:
                raise _Decline  # the whole story is resolved again: the engine does it
            update.write(sql, False)
        save(sql, f"transitions:{story.id}", batch.last, transitions_version(story), rules)
    sql.run("COMMIT")
    return True
