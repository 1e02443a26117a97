"""Feed leases: several workers on one PostgreSQL, each feed polled by one worker at a time.

A worker claims due feeds by inserting rows into ``feed_leases`` in one
statement that locks the candidate feed rows ``FOR UPDATE SKIP LOCKED`` and
takes over a lease only when it has expired (``ON CONFLICT ... WHERE
expires_at <= now``), so two workers never hold the same feed. After the claim
commits, the claimed feeds are read again and only those still due are polled:
a feed another worker has just polled and released is not polled twice.

A lease ends when the poll is recorded (:meth:`LeasedRegistry.record_many`
releases it right after), when its worker starts its next cycle (cycles of one
worker never overlap, so what it still holds then is stale), when the worker
stops, or when it expires (:data:`DEFAULT_LEASE_SECONDS`, or
``$TRACKER_LEASE_SECONDS``): the feeds of a worker killed mid-batch are picked
up by the others once their leases expire.

When the database cannot be reached, claiming backs off exponentially
(:data:`BACKOFF_FIRST` doubling up to :data:`BACKOFF_CAP` seconds) and the
worker keeps running; nothing of an interrupted batch is half-written, since
appends and poll records are transactions and validators are stored only after
the items are in the log.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.eventlog import codec
from tracker.eventlog.sql import first_line
from tracker.eventlog.tables import metadata
from tracker.ingest.feeds import Feed, FeedRegistry, PollOutcome, _row_to_feed
from tracker.ingest.tables import feeds
from tracker.timeutil import from_micros, to_micros, utcnow

log = logging.getLogger("tracker.leases")
DEFAULT_LEASE_SECONDS = 300.0
LEASE_ENV = "TRACKER_LEASE_SECONDS"
CLAIM_BATCH = 256  # feeds one worker claims per cycle at most, so several workers share the work
BACKOFF_FIRST = 1.0
BACKOFF_CAP = 30.0

feed_leases = sa.Table(
    "feed_leases",
    metadata,
    sa.Column(
        "feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="CASCADE"),
        primary_key=True, autoincrement=False,
    ),
    sa.Column("worker", sa.String(200), nullable=False),
    sa.Column("taken_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
    sa.Index("ix_feed_leases_worker", "worker"),
)

tracker_workers = sa.Table(
    "tracker_workers",
    metadata,
    sa.Column("worker", sa.String(200), primary_key=True),
    sa.Column("host", sa.String(200), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("started_at", sa.BigInteger, nullable=False),
    sa.Column("seen_at", sa.BigInteger, nullable=False),
)

_CLAIM = sa.text(
    """
    WITH candidates AS (
        SELECT f.id FROM feeds f
        WHERE f.enabled AND (:all_feeds OR f.next_poll_at <= :now)
          AND NOT EXISTS (
              SELECT 1 FROM feed_leases l WHERE l.feed_id = f.id AND l.expires_at > :now
          )
        ORDER BY f.next_poll_at, f.id
        LIMIT :n
        FOR UPDATE OF f SKIP LOCKED
    )
    INSERT INTO feed_leases (feed_id, worker, taken_at, expires_at)
    SELECT id, :me, :now, :until FROM candidates
    ON CONFLICT (feed_id) DO UPDATE
        SET worker = EXCLUDED.worker, taken_at = EXCLUDED.taken_at, expires_at = EXCLUDED.expires_at
        WHERE feed_leases.expires_at <= :now
    RETURNING feed_id
    """
)


def new_worker_id() -> str:
    """Return a fresh worker id: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def seconds_from_env(name: str, default: float) -> float:
    """Return a positive number of seconds from an environment variable, else ``default``."""
    text = os.environ.get(name)
    try:
        value = float(text) if text else default
    except ValueError:
        value = default
    return value if value > 0 else default


def lease_seconds_from_env() -> float:
    """Return the lease length: $TRACKER_LEASE_SECONDS, else the default (300 s)."""
    return seconds_from_env(LEASE_ENV, DEFAULT_LEASE_SECONDS)


class LeasedRegistry(FeedRegistry):
    """A feed registry whose ``due()`` and ``enabled()`` hand out feeds under leases (PostgreSQL)."""

    def __init__(
        self,
        engine: Engine,
        *,
        worker_id: str | None = None,
        lease_seconds: float | None = None,
        claim_batch: int = CLAIM_BATCH,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(engine, clock=clock)
        self.worker_id = worker_id or new_worker_id()
        self.lease_seconds = lease_seconds or lease_seconds_from_env()
        self.claim_batch = claim_batch
        self.started_at = to_micros(clock())
        self._failures = 0
        self._retry_at = 0.0

    # --- claiming -----------------------------------------------------------

    def due(self, now: datetime, *, limit: int | None = None) -> list[Feed]:
        """Claim and return due feeds no other worker holds (most overdue first)."""
        return self._claim(now, limit, all_feeds=False)

    def enabled(self) -> list[Feed]:
        """Claim and return every enabled feed no other worker holds (``poll --once``)."""
        return self._claim(self.clock(), None, all_feeds=True)

    def _claim(self, now: datetime, limit: int | None, *, all_feeds: bool) -> list[Feed]:
        if time.monotonic() < self._retry_at:
            return []  # backing off: the database was unreachable a moment ago
        try:
            feeds_now = self._claim_once(now, limit, all_feeds=all_feeds)
        except sa.exc.DBAPIError as exc:
            self._failures += 1
            delay = min(BACKOFF_FIRST * 2 ** (self._failures - 1), BACKOFF_CAP)
            self._retry_at = time.monotonic() + delay
            self._log(logging.WARNING, "database_unavailable", retry_in_s=delay,
                      failures=self._failures, error=first_line(exc))
            return []
        if self._failures:
            self._log(logging.INFO, "database_back", after_failures=self._failures)
            self._failures = 0
        return feeds_now

    def _claim_once(self, now: datetime, limit: int | None, *, all_feeds: bool) -> list[Feed]:
        at = to_micros(now)
        until = at + int(self.lease_seconds * 1_000_000)
        n = self.claim_batch if limit is None else min(limit, self.claim_batch)
        if all_feeds and limit is None:
            n = 1_000_000_000
        with self.engine.begin() as conn:
            self._heartbeat(conn, at)
            # Cycles of one worker never overlap: what it still holds is left from one that failed.
            conn.execute(feed_leases.delete().where(feed_leases.c.worker == self.worker_id))
        with self.engine.begin() as conn:
            claimed = [r[0] for r in conn.execute(
                _CLAIM, {"all_feeds": all_feeds, "now": at, "n": n, "me": self.worker_id, "until": until}
            )]
        if not claimed:
            return []
        # Read the claimed feeds again: one polled and released by another worker
        # just before this claim is no longer due, and is let go unpolled.
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(feeds).where(feeds.c.id.in_(claimed)).order_by(feeds.c.next_poll_at, feeds.c.id)
            ).all()
        fresh = [_row_to_feed(r) for r in rows]
        todo = [f for f in fresh if f.enabled and (all_feeds or f.next_poll_at <= now)]
        dropped = set(claimed) - {f.id for f in todo}
        if dropped:
            self.release(dropped)
        if todo:
            self._log(logging.INFO, "claimed", feeds=len(todo), lease_s=self.lease_seconds)
        return todo

    def _heartbeat(self, conn: sa.Connection, at: int) -> None:
        t = tracker_workers
        done = conn.execute(t.update().where(t.c.worker == self.worker_id).values(seen_at=at))
        if done.rowcount == 0:
            conn.execute(t.insert().values(
                worker=self.worker_id, host=socket.gethostname(), pid=os.getpid(),
                started_at=self.started_at, seen_at=at,
            ))

    # --- releasing ----------------------------------------------------------

    def record(self, feed: Feed, outcome: PollOutcome, *, now: datetime | None = None) -> Feed:
        """Record a poll, then release the feed's lease."""
        updated = super().record(feed, outcome, now=now)
        self.release([feed.id])
        return updated

    def record_many(self, polled: list[tuple[Feed, PollOutcome]], *, now: datetime | None = None) -> list[Feed]:
        """Record several polls in one transaction, then release their leases."""
        updated = super().record_many(polled, now=now)
        self.release([feed.id for feed, _ in polled])
        return updated

    def release(self, feed_ids: Iterator[int] | list[int] | set[int]) -> None:
        """Let go of some of this worker's leases."""
        ids = list(feed_ids)
        if not ids:
            return
        with self.engine.begin() as conn:
            conn.execute(feed_leases.delete().where(
                feed_leases.c.worker == self.worker_id, feed_leases.c.feed_id.in_(ids)
            ))

    def release_all(self) -> None:
        """Let go of every lease of this worker and remove its heartbeat (on a clean stop)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(feed_leases.delete().where(feed_leases.c.worker == self.worker_id))
                conn.execute(tracker_workers.delete().where(tracker_workers.c.worker == self.worker_id))
        except sa.exc.DBAPIError as exc:  # leases expire on their own
            self._log(logging.WARNING, "release_failed", error=first_line(exc))

    def _log(self, level: int, event: str, **fields: object) -> None:
        log.log(level, codec.dumps({"event": event, "worker": self.worker_id, **fields}))


# --- status -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkerStatus:
    """A worker seen in the database, and the feeds it holds leases on."""

    worker: str
    host: str | None
    pid: int | None
    started_at: datetime | None
    seen_at: datetime | None
    feeds: tuple[tuple[int, str, datetime], ...]  # (feed id, url, lease expires at)

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        from tracker.timeutil import isoformat

        return {
            "worker": self.worker, "host": self.host, "pid": self.pid,
            "started_at": isoformat(self.started_at), "seen_at": isoformat(self.seen_at),
            "leases": [{"feed_id": i, "url": u, "expires_at": isoformat(e)} for i, u, e in self.feeds],
        }


def worker_status(engine: Engine) -> list[WorkerStatus]:
    """Return every known worker and its leases (workers by last heartbeat, newest first)."""
    with engine.connect() as conn:
        beats = {r.worker: r for r in conn.execute(sa.select(tracker_workers))}
        leases = conn.execute(
            sa.select(feed_leases.c.worker, feed_leases.c.feed_id, feeds.c.url, feed_leases.c.expires_at)
            .join(feeds, feeds.c.id == feed_leases.c.feed_id)
            .order_by(feed_leases.c.worker, feed_leases.c.feed_id)
        ).all()
    held: dict[str, list[tuple[int, str, datetime]]] = {}
    for worker, feed_id, url, expires in leases:
        held.setdefault(worker, []).append((feed_id, url, from_micros(expires)))
    out = []
    for name in set(beats) | set(held):
        beat = beats.get(name)
        out.append(WorkerStatus(
            name, beat.host if beat else None, beat.pid if beat else None,
            from_micros(beat.started_at) if beat else None, from_micros(beat.seen_at) if beat else None,
            tuple(held.get(name, ())),
        ))
    out.sort(key=lambda w: (-(to_micros(w.seen_at) if w.seen_at else 0), w.worker))
    return out


# --- wiring for `tracker worker` and `tracker poll --once` ----------------------------


class _WorkerTag(logging.Filter):
    """Add ``"worker": id`` to every JSON log line of tracker's loggers."""

    def __init__(self, worker_id: str) -> None:
        super().__init__()
        self.worker_id = worker_id
        self.suffix = codec.dumps({"worker": worker_id})[1:]  # '"worker":"..."}'

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg
        if isinstance(msg, str) and msg.startswith("{") and msg.endswith("}") and '"worker"' not in msg:
            record.msg = msg[:-1] + ("," if len(msg) > 2 else "") + self.suffix
        return True


@contextmanager
def worker_registry(engine: Engine) -> Iterator[FeedRegistry]:
    """Yield the registry a worker polls through, holding what makes it safe to run.

    PostgreSQL: a :class:`LeasedRegistry` (its leases are released on exit) and
    the worker id on every JSON log line. SQLite: the single-writer guard (a
    second worker on the same file is refused) and a plain registry.
    """
    if engine.dialect.name != "postgresql":
        from tracker.ingest.singleton import single_writer

        with single_writer(engine):
            yield FeedRegistry(engine)
        return
    registry = LeasedRegistry(engine)
    tag = _WorkerTag(registry.worker_id)
    handlers = logging.getLogger().handlers
    for handler in handlers:
        handler.addFilter(tag)
    registry._log(logging.INFO, "worker_id", pid=os.getpid(), lease_s=registry.lease_seconds)
    try:
        yield registry
    finally:
        registry.release_all()
        for handler in handlers:
            handler.removeFilter(tag)
