"""Keep the projections at the end of the log: checkpointed, incremental, rebuildable.

Two kinds of checkpoint row, each committed in the same transaction as the rows
it vouches for:

* ``log`` — the last position turned into evidence (articles with their claims),
  correction and rejection rows, with the version (table layout + extraction
  rules + story files) they were built with; a different version recreates
  every projection table and starts again from position 0;
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
import queue
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tracker.errors import StorageError
from tracker.eventlog import codec
from tracker.eventlog.store import EventStore
from tracker.eventlog.tables import events
from tracker.projections import load, rows, tables
from tracker.projections.catalog import current_stories
from tracker.projections.claims import Collector, LogEvent, build_batch
from tracker.projections.versions import log_version, rules_version, transitions_version
from tracker.stories import corroborate
from tracker.stories.definition import StoryDefinition
from tracker.types import Article, Claim

LOG = "log"
RETIRED = ("proj_articles", "proj_claims")  # tables of earlier layouts
BATCH_SIZE = 5000
_END: Any = object()
Progress = Callable[[int, int], None]


_READ = (
    "SELECT position, stream_id, type, schema_version, occurred_at, recorded_at, payload "
    "FROM events WHERE position > {p} ORDER BY position LIMIT {p}"
)


def _rows(engine: Engine, after: int, size: int) -> Iterator[Sequence[Any]]:
    """Yield the log's rows after a position, page by page (keyset, no transaction held)."""
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    query = _READ.format(p=mark)
    while True:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(query, (after, size)).all()
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        after = rows[-1][0]


def _pages(engine: Engine, after: int, size: int) -> Iterator[list[LogEvent]]:
    """Yield the log's events after a position, page by page, payloads decoded.

    Only the columns the projections use are read. A thread reads the next page
    while this one is projected: the database driver lets other threads run while
    it fetches, so reading overlaps extraction and writing. Pages still come in
    log order.
    """
    ahead: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def fetch() -> None:
        try:
            for rows in _rows(engine, after, size):
                ahead.put(rows)
                if stop.is_set():
                    return
            ahead.put(_END)
        except BaseException as exc:  # handed to the consumer, raised there
            ahead.put(exc)

    reader = threading.Thread(target=fetch, name="projection-reader", daemon=True)
    reader.start()
    loads = codec.loads
    try:
        while (rows := ahead.get()) is not _END:
            if isinstance(rows, BaseException):
                raise rows
            yield [LogEvent(r[0], r[1], r[2], r[3], r[4], r[5], loads(r[6])) for r in rows]
    finally:
        stop.set()
        # Make room for the reader's last put (at most one after stop), then wait for it.
        while True:
            try:
                ahead.get_nowait()
            except queue.Empty:
                break
        reader.join()


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


class _Moved(Exception):
    """Another writer moved the checkpoint: start again from where it is now."""


def read_checkpoints(conn: Connection) -> dict[str, Checkpoint]:
    """Return every checkpoint row by name."""
    t = tables.checkpoints
    query = sa.select(t.c.name, t.c.position, t.c.version, t.c.rules_version)
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


def _save(conn: Connection, name: str, position: int, version: str) -> None:
    t = tables.checkpoints
    values = {"position": position, "version": version, "rules_version": rules_version()}
    done = conn.execute(t.update().where(t.c.name == name).values(**values))
    if done.rowcount == 0:
        conn.execute(t.insert().values(name=name, **values))


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
) -> int:
    """Bring every projection to the end of the log; return the log position reached.

    Rebuilds from position 0 when the rules, a story file or the table layout
    changed since the projection was built.
    """
    stories = _load(stories)
    collecting = gc.isenabled()
    try:
        done = _up_to_date(engine, stories)
        if done is not None:
            return done
        # A bulk pass makes many short-lived, acyclic objects: cycle collection
        # would only rescan them over and over.
        gc.disable()
        while True:
            try:
                position, collected = _update_log(engine, stories, progress, batch_size)
                _update_transitions(engine, stories, position, collected)
                return position
            except _Moved:
                continue
    except sa.exc.DBAPIError as exc:
        raise StorageError(f"projection update failed: {_first_line(exc)}") from None
    finally:
        if collecting:
            gc.enable()


def _up_to_date(engine: Engine, stories: Mapping[str, StoryDefinition]) -> int | None:
    """Return the log position when every projection is at the end of the log, else None."""
    with engine.connect() as conn:
        marks = read_checkpoints(conn)
        last = int(conn.execute(sa.select(sa.func.max(events.c.position))).scalar() or 0)
    mark = marks.get(LOG)
    if mark is None or mark.position != last or mark.version != log_version(stories.values()):
        return None
    for story in stories.values():
        mark = marks.get(transitions_name(story.id))
        if mark is None or mark.position != last or mark.version != transitions_version(story):
            return None
    return last


def rebuild(
    engine: Engine,
    stories: Mapping[str, StoryDefinition] | None = None,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Drop every projection and build it again from position 0."""
    stories = _load(stories)
    try:
        reset(engine, stories)
    except sa.exc.DBAPIError as exc:
        raise StorageError(f"projection rebuild failed: {_first_line(exc)}") from None
    return update(engine, stories, progress=progress, batch_size=batch_size)


def _update_log(
    engine: Engine,
    stories: Mapping[str, StoryDefinition],
    progress: Progress | None,
    batch_size: int,
) -> tuple[int, Collector | None]:
    """Project the log's new events; return the position reached and, after a pass
    from position 0, the evidence it made."""
    version = log_version(stories.values())
    with engine.connect() as conn:
        current = read_checkpoints(conn).get(LOG)
    if current is None or current.version != version:
        reset(engine, stories)
        position = 0
    else:
        position = current.position
    collected = Collector() if position == 0 else None
    store = EventStore(engine)
    last = store.last_position() if progress is not None else 0
    if progress is not None:
        progress(position, last)
    for page in _pages(engine, position, batch_size):
        # Extraction runs before the lock is taken, so appenders are never kept waiting.
        batch = build_batch(store, page, stories)
        with _writer(engine) as conn:
            now = read_checkpoints(conn).get(LOG)
            if now is None or now.version != version or now.position != position:
                raise _Moved
            batch.write(conn)
            _save(conn, LOG, batch.last, version)
        if collected is not None:
            collected.absorb(batch)
        position = page[-1].position
        if progress is not None:
            progress(position, max(last, position))
    return position, collected


def _changed_since(conn: Connection, story_id: str, since: int) -> bool:
    e, k, r = tables.evidence, tables.corrections, tables.rejections
    probes = [
        sa.select(e.c.position).where(
            e.c.story == story_id, sa.or_(e.c.position > since, e.c.superseded > since)
        ),
        sa.select(k.c.position).where(k.c.story == story_id, k.c.position > since),
        sa.select(r.c.position).where(r.c.position > since),
    ]
    return any(conn.execute(q.limit(1)).first() is not None for q in probes)


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
        _resolve_story(engine, story, position, known)


def _resolve_story(
    engine: Engine,
    story: StoryDefinition,
    position: int,
    known: Mapping[int, tuple[Article, list[Claim]]] | None = None,
) -> None:
    """Resolve one story's transitions from a snapshot, then store them if nothing moved."""
    name = transitions_name(story.id)
    version = transitions_version(story)
    accepted = None
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
            or _changed_since(conn, story.id, mark.position)
        ):
            if known is None:
                evidence = load.load_evidence(conn, story.id)
            else:
                rejected = load.rejected_articles(conn, story.id)
                evidence = [pair for pair in known.values() if pair[0].article_id not in rejected]
            corrections = load.load_corrections(conn, story.id)
            accepted = rows.transition_rows(
                story.id, corroborate.resolve(story, evidence, corrections)
            )
    # Resolving ran outside the lock; store the result only if the log did not move.
    with _writer(engine) as conn:
        marks = read_checkpoints(conn)
        log_mark = marks.get(LOG)
        if log_mark is None or log_mark.position != position:
            raise _Moved
        now = marks.get(name)
        if now != mark:
            return  # another process stored this story's transitions meanwhile
        if accepted is not None:
            t = tables.transitions
            conn.execute(t.delete().where(t.c.story == story.id))
            if accepted:
                conn.execute(t.insert(), accepted)
        _save(conn, name, position, version)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
