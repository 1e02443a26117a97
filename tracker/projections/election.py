"""One elected updater of the projections among several workers (PostgreSQL advisory lock).

Every worker that appended calls :func:`update_elected`. On PostgreSQL the one
that gets ``pg_try_advisory_xact_lock`` (held by a transaction on a connection
of its own, so a lost connection frees it) brings the projections to the end
of the log; the others skip at once instead of queueing on the projection
lock. After letting go, the updater checks the log's end once more and goes
again when someone appended meanwhile: a worker that skipped while the lock
was held has its events projected by the holder. Readers stay consistent
because each page's rows and its checkpoint commit in one transaction
(:mod:`tracker.projections.engine`). SQLite has one writer: it just updates.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from tracker.eventlog.store import EventStore
from tracker.projections.engine import update

PROJECTION_LOCK = 7_202_311_171  # any constant shared by every tracker process
MAX_ROUNDS = 20


def update_elected(engine: Engine) -> int | None:
    """Update the projections if no other process is doing it; return the position, or None when skipped."""
    if engine.dialect.name != "postgresql":
        return update(engine)
    position: int | None = None
    for _ in range(MAX_ROUNDS):
        with engine.connect() as conn, conn.begin():
            got = conn.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({PROJECTION_LOCK})").scalar()
            if not got:
                return position  # the holder re-checks the log's end after letting go
            position = update(engine)
        if EventStore(engine).last_position() <= position:
            return position
    return position
