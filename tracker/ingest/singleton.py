"""The SQLite single-writer guard: one worker (or ``poll --once``) per database file.

SQLite is the embedded, single-machine backend; several workers on one file
would poll the same feeds twice. The guard is an OS file lock
(``fcntl.flock``, non-blocking) on ``<database>.worker.lock`` beside the
database, held for the worker's life and released by the OS when the process
ends, however it ends. The lock file holds the owner's pid, for the message a
second worker prints before exiting 1. Run several workers on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine

from tracker.errors import StorageError

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX system: no guard
    fcntl = None  # type: ignore[assignment]


def lock_path(engine: Engine) -> Path | None:
    """Return the lock file beside an SQLite database file (None: not a file database)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).expanduser().resolve()
    return path.with_name(path.name + ".worker.lock")


@contextmanager
def single_writer(engine: Engine) -> Iterator[None]:
    """Hold the database's worker lock for the block; StorageError when another process holds it."""
    path = lock_path(engine)
    if path is None or fcntl is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the block
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            raise StorageError(
                f"another worker holds {str(path).removesuffix('.worker.lock')} (pid {owner}); "
                "SQLite takes one worker at a time (run several on PostgreSQL)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # closing the file releases the lock
