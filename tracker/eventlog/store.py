"""Append to and read from the event log (SQLAlchemy Core, SQLite or PostgreSQL).

Guarantees, each enforced where it can be:

* **append-only** — triggers refuse UPDATE and DELETE on ``events`` (migration 0001);
* **one global order with no gaps** — writers are serialised (SQLite ``BEGIN
  IMMEDIATE``; PostgreSQL ``LOCK TABLE events IN EXCLUSIVE MODE`` under a lock
  timeout) and the store gives ``position = last + 1``, so commit order is
  position order and a reader tailing ``position > checkpoint`` can never skip
  an event that commits late;
* **exactly once** — an event whose idempotency key is already stored is not
  appended again; the stored one is returned instead;
* **optimistic concurrency** — ``expected_version`` is checked per stream, and
  ``UNIQUE (stream_id, stream_version)`` backs it;
* **tamper evidence** — each row carries ``hash = sha256(prev_hash, row)``;
  :meth:`EventStore.verify` walks the chain;
* **an anchored head** — each append commits the new last position and hash in
  ``log_head`` (migration 0005: triggers let it only move forward), so a cut
  tail is told from a shorter log; an append onto a log that ends before its
  head is refused;
* **two clocks** — ``recorded_at`` never decreases along positions, so "as known
  at T" is a prefix of the log.

The hot paths (append, keyset page reads) speak driver-level SQL built once per
dialect; everything else goes through SQLAlchemy Core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tracker.errors import ConcurrencyError, IntegrityError, StorageError
from tracker.eventlog import codec
from tracker.eventlog.events import DomainEvent, UnknownEvent, decode
from tracker.eventlog.sql import COLUMNS, LOCK_TIMEOUT, Statements, storage_error
from tracker.eventlog.tables import events
from tracker.eventlog.verify import Head, VerifyReport, check_head, verify_rows
from tracker.timeutil import from_micros, to_micros, utcnow

Payload = dict[str, Any]
_KEY_CHUNK = 1000
_loads = codec.loads

__all__ = ["LOCK_TIMEOUT", "EventStore", "Head", "NewEvent", "RecordedEvent", "VerifyReport"]


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event about to be appended.

    ``expected_version`` is the version the stream must be at before this event
    (0: the stream must not exist yet; None: do not check).
    """

    stream_id: str
    type: str
    payload: Payload
    occurred_at: datetime
    idempotency_key: str | None = None
    expected_version: int | None = None
    schema_version: int = 1
    metadata: Payload = field(default_factory=dict)

    @classmethod
    def from_domain(
        cls,
        event: DomainEvent,
        *,
        stream_id: str,
        occurred_at: datetime,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
        metadata: Payload | None = None,
    ) -> NewEvent:
        """Wrap a typed event for appending."""
        return cls(
            stream_id=stream_id,
            type=event.TYPE,
            payload=event.to_payload(),
            occurred_at=occurred_at,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
            schema_version=event.SCHEMA_VERSION,
            metadata=metadata or {},
        )


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as stored: its place in the log, both clocks and its hashes."""

    position: int
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    occurred_us: int
    recorded_us: int
    payload: Payload
    metadata: Payload
    idempotency_key: str | None
    prev_hash: str
    hash: str

    @property
    def occurred_at(self) -> datetime:
        """Event time: when it was published or happened (UTC)."""
        return from_micros(self.occurred_us)

    @property
    def recorded_at(self) -> datetime:
        """Knowledge time: when the log recorded it (UTC)."""
        return from_micros(self.recorded_us)

    def decoded(self) -> DomainEvent | UnknownEvent:
        """Return the typed event (upcast to the current schema), or UnknownEvent."""
        return decode(self.type, self.schema_version, self.payload)


def _row_to_event(row: Sequence[Any]) -> RecordedEvent:
    return RecordedEvent(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6],
        _loads(row[7]), _loads(row[8]), row[9], row[10], row[11],
    )


class EventStore:
    """The log, over one SQLAlchemy engine (SQLite or PostgreSQL).

    Called by ingestion (append), by projections (read, tail) and by the CLI
    (read, verify). Every database error leaves as :class:`StorageError`.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utcnow,
        lock_timeout: str = LOCK_TIMEOUT,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.dialect = engine.dialect.name
        self.lock_timeout = lock_timeout
        self._sql = Statements(self.dialect, lock_timeout)

    # --- writing ----------------------------------------------------------

    def append(self, batch: Iterable[NewEvent]) -> list[RecordedEvent]:
        """Append a batch in one transaction and return one RecordedEvent per input.

        An input whose idempotency key is already stored (or repeated within the
        batch) appends nothing and gets the stored event back. Raises
        ConcurrencyError when an ``expected_version`` does not hold (then nothing
        of the batch is appended) and StorageError when the database fails or
        another writer holds the log for longer than the lock timeout.
        """
        items = list(batch)
        if not items:
            return []
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(write=True)
                with conn.begin():
                    return self._append(conn, items)
        except (ConcurrencyError, StorageError):
            raise
        except sa.exc.DBAPIError as exc:
            raise storage_error("append", exc, self.lock_timeout) from None

    def _check_head(self, conn: Connection, position: int) -> None:
        """Refuse to append onto a log that ends before its recorded head (a cut tail)."""
        head = conn.exec_driver_sql(self._sql.head).first()
        if head is not None and head[0] > position:
            raise IntegrityError(
                f"append refused: the log ends at {position}, its head was {head[0]} "
                f"(hash {head[1][:16]}): events were removed; run `tracker verify`"
            )

    def _append(self, conn: Connection, items: list[NewEvent]) -> list[RecordedEvent]:
        sql = self._sql
        for statement in sql.lock:
            conn.exec_driver_sql(statement)
        keys = [e.idempotency_key for e in items if e.idempotency_key is not None]
        existing = self._by_keys(conn, keys) if keys else {}
        fresh = [e for e in items if e.idempotency_key is None or e.idempotency_key not in existing]
        versions = self._stream_versions(conn, {e.stream_id for e in fresh}) if fresh else {}
        last = conn.exec_driver_sql(sql.last).first()
        position, prev_hash, last_recorded = (
            (last[0], last[1], last[2]) if last else (0, codec.GENESIS_HASH, 0)
        )
        if fresh:
            self._check_head(conn, position)
        recorded = max(to_micros(self.clock()), last_recorded)

        dumps, chain = codec.dumps, codec.chain_hash
        rows: list[tuple[Any, ...]] = []
        results: list[RecordedEvent] = []
        batch_keys: dict[str, RecordedEvent] = {}
        for item in items:
            key = item.idempotency_key
            if key is not None:
                found = existing.get(key) or batch_keys.get(key)
                if found is not None:
                    results.append(found)
                    continue
            stream = item.stream_id
            current = versions.get(stream, 0)
            if item.expected_version is not None and item.expected_version != current:
                raise ConcurrencyError(stream, item.expected_version, current)
            version = current + 1
            versions[stream] = version
            position += 1
            payload = dumps(item.payload)
            meta = dumps(item.metadata)
            occurred = to_micros(item.occurred_at)
            digest = chain(
                prev_hash, position, stream, version, item.type,
                item.schema_version, occurred, recorded, payload, meta, key,
            )
            rows.append((
                position, stream, version, item.type, item.schema_version, occurred,
                recorded, payload, meta, key, prev_hash, digest,
            ))
            event = RecordedEvent(
                position, stream, version, item.type, item.schema_version,
                occurred, recorded, item.payload, item.metadata, key, prev_hash, digest,
            )
            if key is not None:
                batch_keys[key] = event
            results.append(event)
            prev_hash = digest
        if rows:
            conn.exec_driver_sql(sql.insert, rows)  # type: ignore[arg-type]
            if conn.exec_driver_sql(sql.move_head, (position, prev_hash)).rowcount == 0:
                conn.exec_driver_sql(sql.insert_head, (position, prev_hash))
        return results

    def _by_keys(self, conn: Connection, keys: list[str]) -> dict[str, RecordedEvent]:
        found: dict[str, RecordedEvent] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _KEY_CHUNK):
            param = self._sql.list_param(unique[start : start + _KEY_CHUNK])
            for row in conn.exec_driver_sql(self._sql.by_keys, (param,)):
                found[row[9]] = _row_to_event(row)
        return found

    def _stream_versions(self, conn: Connection, stream_ids: set[str]) -> dict[str, int]:
        versions: dict[str, int] = {}
        ids = sorted(stream_ids)
        for start in range(0, len(ids), _KEY_CHUNK):
            param = self._sql.list_param(ids[start : start + _KEY_CHUNK])
            versions.update({r[0]: r[1] for r in conn.exec_driver_sql(self._sql.versions, (param,))})
        return versions

    # --- reading ----------------------------------------------------------

    def read(
        self,
        *,
        after: int = 0,
        until: int | None = None,
        stream_id: str | None = None,
        types: Sequence[str] | None = None,
        occurred_until: datetime | None = None,
        recorded_until: datetime | None = None,
        chunk_size: int = 5000,
    ) -> Iterator[RecordedEvent]:
        """Yield events in position order, ``after < position <= until``, in chunks.

        Filters: one stream, some types, event time ``<= occurred_until``,
        knowledge time ``<= recorded_until``. The log is read by keyset pages of
        ``chunk_size`` rows, never whole, and no transaction is held between pages.
        """
        if recorded_until is not None:
            bound = self.position_at(recorded_until)
            until = bound if until is None else min(until, bound)
        for rows in self.pages(
            after=after, until=until, stream_id=stream_id, types=types,
            occurred_until=occurred_until, chunk_size=chunk_size,
        ):
            for row in rows:
                yield RecordedEvent(
                    row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                    _loads(row[7]), _loads(row[8]), row[9], row[10], row[11],
                )

    def pages(
        self,
        *,
        after: int = 0,
        until: int | None = None,
        stream_id: str | None = None,
        types: Sequence[str] | None = None,
        occurred_until: datetime | None = None,
        chunk_size: int = 5000,
    ) -> Iterator[list[Any]]:
        """Yield raw rows (the columns of ``events``, in table order) page by page."""
        conditions: list[str] = []
        params: list[Any] = []
        p = self._sql.placeholder
        if until is not None:
            conditions.append(f"position <= {p}")
            params.append(until)
        if stream_id is not None:
            conditions.append(f"stream_id = {p}")
            params.append(stream_id)
        if types:
            conditions.append(self._sql.in_list("type"))
            params.append(self._sql.list_param(list(types)))
        if occurred_until is not None:
            conditions.append(f"occurred_at <= {p}")
            params.append(to_micros(occurred_until))
        where = "".join(f" AND {c}" for c in conditions)
        query = f"SELECT {COLUMNS} FROM events WHERE position > {p}{where} ORDER BY position LIMIT {p}"
        cursor = after
        while True:
            try:
                with self.engine.connect() as conn:
                    rows = conn.exec_driver_sql(query, (cursor, *params, chunk_size)).all()
            except sa.exc.DBAPIError as exc:
                raise storage_error("read", exc, self.lock_timeout) from None
            if not rows:
                return
            yield rows  # type: ignore[misc]
            if len(rows) < chunk_size:
                return
            cursor = rows[-1][0]

    def read_stream(self, stream_id: str) -> list[RecordedEvent]:
        """Return every event of one stream, oldest first."""
        return list(self.read(stream_id=stream_id))

    def get(self, position: int) -> RecordedEvent | None:
        """Return the event at a position, or None."""
        return next(self.read(after=position - 1, until=position), None)

    def by_keys(self, keys: Iterable[str]) -> dict[str, RecordedEvent]:
        """Return the stored events for some idempotency keys (missing keys are absent)."""
        return self._query(lambda conn: self._by_keys(conn, list(keys)))

    def stream_versions(self, stream_ids: Iterable[str]) -> dict[str, int]:
        """Return the current version of each stream that exists."""
        return self._query(lambda conn: self._stream_versions(conn, set(stream_ids)))

    def last_position(self) -> int:
        """Return the position of the newest event (0 for an empty log)."""
        query = sa.select(sa.func.max(events.c.position))
        return int(self._query(lambda conn: conn.execute(query).scalar()) or 0)

    def count(self) -> int:
        """Return how many events the log holds."""
        query = sa.select(sa.func.count()).select_from(events)
        return int(self._query(lambda conn: conn.execute(query).scalar()) or 0)

    def position_at(self, recorded_until: datetime) -> int:
        """Return the last position recorded at or before an instant (knowledge time).

        ``recorded_at`` never decreases along positions, so this is a prefix of the log.
        """
        query = sa.select(sa.func.max(events.c.position)).where(
            events.c.recorded_at <= to_micros(recorded_until)
        )
        return int(self._query(lambda conn: conn.execute(query).scalar()) or 0)

    def _query(self, work: Callable[[Connection], Any]) -> Any:
        try:
            with self.engine.connect() as conn:
                return work(conn)
        except sa.exc.DBAPIError as exc:
            raise storage_error("read", exc, self.lock_timeout) from None

    # --- checking ---------------------------------------------------------

    def head(self) -> Head | None:
        """Return the head the last append recorded (None when it is missing)."""
        row = self._query(lambda conn: conn.exec_driver_sql(self._sql.head).first())
        return Head(int(row[0]), str(row[1])) if row is not None else None

    def verify(self, *, chunk_size: int = 10000, expect: Head | None = None) -> VerifyReport:
        """Walk positions, clocks and the hash chain, then hold the end against the head.

        The recorded head is read before the walk and again after it (appends may
        go on meanwhile): the log must reach the first, hold its hash there, and
        not go past the second. ``expect`` (a head exported earlier and kept
        elsewhere) is checked the same way. The first problem is reported.
        """
        before = self.head()
        marks = [h for h in (before, expect) if h is not None]
        report = verify_rows(self.pages(chunk_size=chunk_size), marks=[m.position for m in marks])
        if not report.ok:
            return report
        after = self.head()
        return check_head(report, before, after, expect)
