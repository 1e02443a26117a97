"""Keep the projections at the end of the log: checkpointed, incremental, rebuildable.

Two kinds of checkpoint row, each committed in the same transaction as the rows
it vouches for:

* ``log`` — the last position turned into evidence (articles with their claims),
  correction and rejection rows, with the version (table layout + extraction
  rules + story files) they were built with; a different version recreates
  every projection table and starts again from position 0, and so does a
  checkpoint the log no longer vouches for (beyond the log's end, or whose
  recorded event hash is not the hash of the event at its position: the log
  was cut or rewritten under it);
* ``transitions:<story>`` — the ``log`` position a story's transitions were
  resolved at, and their version; they are resolved again only when evidence,
  corrections or rejections changed since.

Extraction and resolution run outside any lock. Only the writes take the
projection lock (SQLite ``BEGIN IMMEDIATE``; PostgreSQL ``LOCK TABLE
projection_checkpoints``) and re-check the checkpoint under it: when another
process moved it meanwhile, the work is dropped and the update goes on from
where the checkpoint is now, so no page is ever applied twice.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tracker.alerts import outbox as alert_outbox
from tracker.alerts import targets as alert_targets
from tracker.db import driver_rows, param_mark, sql_of
from tracker.errors import StorageError
from tracker.eventlog.sql import first_line
from tracker.eventlog.store import EventStore
from tracker.eventlog.tables import events
from tracker.projections import checkpoints, load, resolution, tables
from tracker.projections.catalog import current_stories
from tracker.projections.claims import Batch, Collector, build_batch
from tracker.projections.parallel import ParallelBatches, WorkersFailed, worker_count
from tracker.projections.versions import log_version, rules_version, transitions_version
from tracker.stories.definition import StoryDefinition
from tracker.types import Article, Claim

LOG = "log"
RETIRED = ("proj_articles", "proj_claims")  # tables of earlier layouts
BATCH_SIZE = 5000
_log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


def read_sql(engine: Engine, *, bounded: bool = False) -> str:
    """Return the query of the log's rows as the projections read them.

    Parameters: after, then the page size (or, ``bounded``, the last position).
    Only the columns the projections use are read; SQLite hands the payload over
    as bytes, which the JSON decoder takes as is (no text object made in between).
    """
    mark = param_mark(engine.dialect)
    payload = "CAST(payload AS BLOB)" if engine.dialect.name == "sqlite" else "payload"
    where = f"position > {mark} AND position <= {mark} ORDER BY position" if bounded else (
        f"position > {mark} ORDER BY position LIMIT {mark}"
    )
    return (
        "SELECT position, stream_id, type, schema_version, occurred_at, recorded_at, "
        f"{payload} FROM events WHERE {where}"
    )


def fetch(engine: Engine, query: str, params: tuple[int, int]) -> list[Any]:
    """Read rows on a connection of its own, as plain tuples (see ``driver_rows``)."""
    with engine.connect() as conn:
        return driver_rows(conn, query, params)


def _pages(engine: Engine, after: int, size: int) -> Iterator[list[Any]]:
    """Yield the log's rows after a position, page by page (keyset, no transaction held).

    Reading stays in this thread: the driver gives up the interpreter lock for
    every row it steps through, so a reader thread beside a busy one mostly waits
    for its turn.
    """
    query = read_sql(engine)
    while True:
        rows = fetch(engine, query, (after, size))
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        after = rows[-1][0]


def _batches(
    engine: Engine, stories: Mapping[str, StoryDefinition], after: int, size: int
) -> Iterator[Batch]:
    """Yield the projection batches of the log after a position, in this process."""
    store = EventStore(engine)
    for page in _pages(engine, after, size):
        yield build_batch(store, page, stories)


def transitions_name(story_id: str) -> str:
    """Return the checkpoint name of a story's transitions."""
    return f"transitions:{story_id}"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a projection stands: last position, and the version it was built with."""

    name: str
    position: int
    version: str
    rules_version: str
    hash: str | None = None  # of the event at ``position`` (None: 0, or saved before 0005)


class _Moved(Exception):
    """Another writer moved the checkpoint: start again from where it is now."""


def read_checkpoints(conn: Connection) -> dict[str, Checkpoint]:
    """Return every checkpoint row by name."""
    t = tables.checkpoints
    query = sa.select(t.c.name, t.c.position, t.c.version, t.c.rules_version, t.c.hash)
    return {row[0]: Checkpoint(*row) for row in conn.execute(query)}


@contextmanager
def _writer(engine: Engine) -> Iterator[Connection]:
    """Open a write transaction holding the projection lock."""
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL lock_timeout = '60s'")
            conn.exec_driver_sql("LOCK TABLE projection_checkpoints IN EXCLUSIVE MODE")
        yield conn


@contextmanager
def _reader(engine: Engine) -> Iterator[Connection]:
    """Open a read transaction that sees one snapshot of the projection."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _stale(conn: Connection, mark: Checkpoint, last: int) -> bool:
    """True when the log no longer vouches for a checkpoint: it ends before it, or the
    event at its position is not the one it was built on."""
    if mark.position > last:
        return True
    if mark.hash is None:
        return False  # position 0, or saved before checkpoints kept a hash
    return checkpoints.event_hash(sql_of(conn), mark.position) != mark.hash


def _save(conn: Connection, name: str, position: int, version: str) -> None:
    checkpoints.save(sql_of(conn), name, position, version, rules_version())


def _empty_all(conn: Connection) -> None:
    """Drop and create the projection tables (derived and disposable), empty the checkpoints.

    Recreating rather than deleting is quick at any size and also replaces a layout
    left by an older version of this code.
    """
    for name in RETIRED:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    derived = [t for t in tables.ALL if t is not tables.checkpoints]
    for table in derived:
        table.drop(conn, checkfirst=True)
    for table in reversed(derived):
        table.create(conn)
    conn.execute(tables.checkpoints.delete())


def reset(engine: Engine, stories: Mapping[str, StoryDefinition]) -> None:
    """Empty every projection table and set the log checkpoint to 0 (one transaction)."""
    with _writer(engine) as conn:
        _empty_all(conn)
        _save(conn, LOG, 0, log_version(stories.values()))


def _load(stories: Mapping[str, StoryDefinition] | None) -> Mapping[str, StoryDefinition]:
    return current_stories() if stories is None else stories


def update(
    engine: Engine,
    stories: Mapping[str, StoryDefinition] | None = None,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> int:
    """Bring every projection to the end of the log; return the log position reached.

    Rebuilds from position 0 when the rules, a story file or the table layout
    changed since the projection was built. ``workers`` sets how many worker
    processes build batches (0: none; default: see
    :func:`tracker.projections.parallel.worker_count`).
    """
    return _run(engine, _load(stories), progress, batch_size, workers, fresh=False)


def rebuild(
    engine: Engine,
    stories: Mapping[str, StoryDefinition] | None = None,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> int:
    """Drop every projection and build it again from position 0."""
    return _run(engine, _load(stories), progress, batch_size, workers, fresh=True)


def _run(
    engine: Engine,
    stories: Mapping[str, StoryDefinition],
    progress: Progress | None,
    batch_size: int,
    workers: int | None,
    *,
    fresh: bool,
) -> int:
    collecting = gc.isenabled()
    try:
        if not fresh:
            done = _up_to_date(engine, stories)
            if done is not None:
                return done
        # A bulk pass makes many short-lived, acyclic objects: cycle collection
        # would only rescan them over and over.
        gc.disable()
        while True:
            try:
                position, collected = _update_log(
                    engine, stories, progress, batch_size, fresh=fresh, workers=workers
                )
                _update_transitions(engine, stories, position, collected)
                return position
            except _Moved:
                fresh = False  # another process moved on: go on from where it is
                continue
    except sa.exc.DBAPIError as exc:
        what = "rebuild" if fresh else "update"
        raise StorageError(f"projection {what} failed: {first_line(exc)}") from None
    finally:
        if collecting:
            gc.enable()


def _up_to_date(engine: Engine, stories: Mapping[str, StoryDefinition]) -> int | None:
    """Return the log position when every projection is at the end of the log, else None."""
    with engine.connect() as conn:
        marks = read_checkpoints(conn)
        last = int(conn.execute(sa.select(sa.func.max(events.c.position))).scalar() or 0)
        mark = marks.get(LOG)
        if mark is not None and mark.hash is not None and mark.position == last and _stale(conn, mark, last):
            return None
    if mark is None or mark.position != last or mark.version != log_version(stories.values()):
        return None
    for story in stories.values():
        mark = marks.get(transitions_name(story.id))
        if mark is None or mark.position != last or mark.version != transitions_version(story):
            return None
    return last


def _update_log(
    engine: Engine,
    stories: Mapping[str, StoryDefinition],
    progress: Progress | None,
    batch_size: int,
    *,
    fresh: bool = False,
    workers: int | None = None,
) -> tuple[int, Collector | None]:
    """Project the log's new events; return the position reached and, after a pass
    from position 0, the evidence it made.

    ``fresh`` empties the projection first. A long pass has its batches built by
    worker processes (see :mod:`tracker.projections.parallel`) while this process
    writes them in log order.
    """
    version = log_version(stories.values())
    with engine.connect() as conn:
        current = read_checkpoints(conn).get(LOG)
        last_now = int(conn.execute(sa.select(sa.func.max(events.c.position))).scalar() or 0)
        stale = current is not None and _stale(conn, current, last_now)
    if stale:
        _log.warning("projection checkpoint at %s is not backed by the log (it ends at %s, or was "
                     "rewritten there): rebuilding from position 0", current.position, last_now)  # type: ignore[union-attr]
    fresh = fresh or stale or current is None or current.version != version
    position = 0 if fresh else current.position  # type: ignore[union-attr]
    last = EventStore(engine).last_position()
    helpers = _helpers(engine, stories, position, last, workers)
    collected = Collector() if position == 0 else None

    def apply(batch: Batch) -> None:
        nonlocal position
        # Batches are built before the lock is taken, so appenders never wait on them.
        with _writer(engine) as conn:
            now = read_checkpoints(conn).get(LOG)
            if now is None or now.version != version or now.position != position:
                raise _Moved
            batch.write(conn)
            _save(conn, LOG, batch.last, version)
        if collected is not None:
            collected.absorb(batch)
        position = batch.last
        if progress is not None:
            progress(position, max(last, position))

    try:
        if fresh:
            reset(engine, stories)  # the workers are already reading meanwhile
        if progress is not None:
            progress(position, last)
        if helpers is not None:
            try:
                for batch in helpers:
                    apply(batch)
            except WorkersFailed as exc:
                _log.warning("%s; going on in this process", exc)
        # What the workers did not cover, and anything appended since the pass began.
        for batch in _batches(engine, stories, position, batch_size):
            apply(batch)
        return position, collected
    finally:
        if helpers is not None:
            helpers.close()


def _helpers(
    engine: Engine,
    stories: Mapping[str, StoryDefinition],
    position: int,
    last: int,
    workers: int | None,
) -> ParallelBatches | None:
    """Start worker processes for a long pass (None: this process does it all)."""
    count = worker_count(engine, last - position, workers)
    if not count:
        return None
    try:
        return ParallelBatches(engine, stories, position, last, count).start()
    except WorkersFailed as exc:
        _log.warning("%s; going on in this process", exc)
        return None


def _update_transitions(
    engine: Engine,
    stories: Mapping[str, StoryDefinition],
    position: int,
    collected: Collector | None = None,
) -> None:
    with engine.connect() as conn:
        marks = read_checkpoints(conn)
    pending = []
    for story in stories.values():
        mark = marks.get(transitions_name(story.id))
        if mark is None or mark.position != position or mark.version != transitions_version(story):
            pending.append(story)
    for story in pending:
        known = None if collected is None else collected.evidence.get(story.id, {})
        _resolve_story(engine, story, position, known, stories)


def _resolve_story(
    engine: Engine,
    story: StoryDefinition,
    position: int,
    known: Mapping[int, tuple[Article, list[Claim]]] | None,
    stories: Mapping[str, StoryDefinition],
) -> None:
    """Resolve one story's transitions from a snapshot, then store them if nothing moved
    (with the alert targets ``stories`` declare, so their notifications are written too)."""
    name = transitions_name(story.id)
    version = transitions_version(story)
    update: resolution.Update | None = None
    with _reader(engine) as conn:
        marks = read_checkpoints(conn)
        log_mark = marks.get(LOG)
        if log_mark is None or log_mark.position != position:
            raise _Moved
        mark = marks.get(name)
        if mark is not None and mark.position == position and mark.version == version:
            return
        if (
            mark is None
            or mark.version != version
            or mark.position > position
            or checkpoints.changed_since(sql_of(conn), story.id, mark.position)
        ):
            corrections = load.load_corrections(conn, story.id)
            if known is None and mark is not None and mark.version == version and mark.position < position:
                # Only what the new evidence can reach is resolved again, when it can be.
                update = resolution.incremental(conn, story, mark.position, corrections)
            if update is None:
                if known is None:
                    evidence = load.load_evidence(conn, story.id)
                else:
                    rejected = load.rejected_articles(conn, story.id)
                    evidence = [pair for pair in known.values() if pair[0].article_id not in rejected]
                update = resolution.full(story, evidence, corrections)
    # Resolving ran outside the lock; store the result only if the log did not move.
    with _writer(engine) as conn:
        marks = read_checkpoints(conn)
        log_mark = marks.get(LOG)
        if log_mark is None or log_mark.position != position:
            raise _Moved
        now = marks.get(name)
        if now != mark:
            return  # another process stored this story's transitions meanwhile
        if update is not None:
            # The story files' [[alerts]] first, so a declared target hears of these changes.
            alert_targets.declare(conn, stories)
            accepted = update.write(conn, resolution.listening(conn, story.id))
            if accepted is not None:
                alert_outbox.record(conn, story.id, accepted)  # notifications, same transaction
        _save(conn, name, position, version)
