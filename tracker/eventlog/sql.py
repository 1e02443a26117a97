"""Driver-level SQL for the event log's hot paths, per dialect, and error wording."""

from __future__ import annotations

import re
from typing import Any

import orjson
import sqlalchemy as sa

from tracker.errors import StorageError

NAMES = (
    "position", "stream_id", "stream_version", "type", "schema_version", "occurred_at",
    "recorded_at", "payload", "metadata", "idempotency_key", "prev_hash", "hash",
)
COLUMNS = ", ".join(NAMES)
LOCK_TIMEOUT = "30s"


class Statements:
    """The statements the store sends as they are (no compilation per call)."""

    def __init__(self, dialect: str, lock_timeout: str = LOCK_TIMEOUT) -> None:
        if not re.fullmatch(r"\d+(ms|s|min)?", lock_timeout):
            raise ValueError(f"invalid lock timeout {lock_timeout!r} (say 30s or 500ms)")
        self.dialect = dialect
        self.placeholder = p = "?" if dialect == "sqlite" else "%s"
        self.insert = f"INSERT INTO events ({COLUMNS}) VALUES ({', '.join([p] * len(NAMES))})"
        self.by_keys = f"SELECT {COLUMNS} FROM events WHERE {self.in_list('idempotency_key')}"
        self.versions = (
            "SELECT stream_id, MAX(stream_version) FROM events "
            f"WHERE {self.in_list('stream_id')} GROUP BY stream_id"
        )
        self.last = "SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1"
        self.head = "SELECT position, hash FROM log_head WHERE id = 1"
        self.move_head = f"UPDATE log_head SET position = {p}, hash = {p} WHERE id = 1"
        self.insert_head = f"INSERT INTO log_head (id, position, hash) VALUES (1, {p}, {p})"
        self.lock: tuple[str, ...] = ()
        if dialect == "postgresql":
            self.lock = (
                f"SET LOCAL lock_timeout = '{lock_timeout}'",
                "LOCK TABLE events IN EXCLUSIVE MODE",
            )

    def in_list(self, column: str) -> str:
        """Return ``column IN (<one list parameter>)`` for this dialect."""
        if self.dialect == "sqlite":
            return f"{column} IN (SELECT value FROM json_each(?))"
        return f"{column} = ANY(%s)"

    def list_param(self, values: list[str]) -> Any:
        """Return the one parameter :meth:`in_list` expects for these values."""
        if self.dialect == "sqlite":
            return orjson.dumps(values).decode()
        return values


def first_line(exc: BaseException) -> str:
    """Return the first line of a (driver) error message."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def storage_error(action: str, exc: sa.exc.DBAPIError, lock_timeout: str) -> StorageError:
    """Return a one-line StorageError for a database failure during ``action``."""
    code = getattr(exc.orig, "sqlstate", None)
    message = first_line(exc)
    if code == "55P03" or "lock timeout" in message:
        return StorageError(
            f"{action} gave up: another writer held the event log's lock for more than "
            f"{lock_timeout}; try again"
        )
    if "database is locked" in message:
        return StorageError(f"{action} gave up: the database file is locked by another writer")
    if isinstance(exc, sa.exc.IntegrityError):
        return StorageError(f"{action} refused by the database: {message}")
    return StorageError(f"{action} failed: {message}")
