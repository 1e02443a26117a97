"""Append to and read from the event log (SQLAlchemy Core, SQLite or PostgreSQL).

Guarantees, each enforced where it can be:

* **append-only** — triggers refuse UPDATE and DELETE on ``events`` (migration 0001);
* **one global order with no gaps** — writers are serialised (SQLite ``BEGIN
  IMMEDIATE``; PostgreSQL ``LOCK TABLE events IN EXCLUSIVE MODE``) and the store
  gives ``position = last + 1``, so commit order is position order and a reader
  tailing ``position > checkpoint`` can never skip a late commit;
* **exactly once** — an event whose idempotency key is already stored is not
  appended again; the stored one is returned instead;
* **optimistic concurrency** — ``expected_version`` is checked per stream, and
  ``UNIQUE (stream_id, stream_version)`` backs it;
* **tamper evidence** — each row carries ``hash = sha256(prev_hash, row)``;
  :meth:`EventStore.verify` walks the chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tracker.errors import ConcurrencyError, StorageError
from tracker.eventlog import codec
from tracker.eventlog.events import DomainEvent, UnknownEvent, decode
from tracker.eventlog.tables import events
from tracker.timeutil import from_micros, to_micros, utcnow

Payload = dict[str, Any]
LOCK_TIMEOUT = "30s"
_KEY_CHUNK = 500


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


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What :meth:`EventStore.verify` found."""

    events: int
    last_position: int
    last_hash: str
    broken_position: int | None = None
    problem: str | None = None
    expected: str | None = None
    found: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_position is None


_COLUMNS = [
    events.c.position,
    events.c.stream_id,
    events.c.stream_version,
    events.c.type,
    events.c.schema_version,
    events.c.occurred_at,
    events.c.recorded_at,
    events.c.payload,
    events.c.metadata,
    events.c.idempotency_key,
    events.c.prev_hash,
    events.c.hash,
]


def _row_to_event(row: Sequence[Any]) -> RecordedEvent:
    return RecordedEvent(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        codec.loads(row[7]),
        codec.loads(row[8]),
        row[9],
        row[10],
        row[11],
    )


class EventStore:
    """The log, over one SQLAlchemy engine (SQLite or PostgreSQL).

    Called by ingestion (append), by projections (read, tail) and by the CLI
    (read, verify). Every database error leaves as :class:`StorageError`.
    """

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        self.dialect = engine.dialect.name

    # --- writing ----------------------------------------------------------

    def append(self, batch: Iterable[NewEvent]) -> list[RecordedEvent]:
        """Append a batch in one transaction and return one RecordedEvent per input.

        An input whose idempotency key is already stored (or repeated within the
        batch) appends nothing and gets the stored event back. Raises
        ConcurrencyError when an ``expected_version`` does not hold (then nothing
        of the batch is appended) and StorageError when the database fails.
        """
        items = list(batch)
        if not items:
            return []
        try:
            with self.engine.connect().execution_options(write=True) as conn, conn.begin():
                return self._append(conn, items)
        except (ConcurrencyError, StorageError):
            raise
        except sa.exc.IntegrityError as exc:
            raise StorageError(f"append refused by the database: {_first_line(exc)}") from None
        except sa.exc.DBAPIError as exc:
            raise StorageError(f"append failed: {_first_line(exc)}") from None

    def _lock(self, conn: Connection) -> None:
        if self.dialect == "postgresql":
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            conn.exec_driver_sql("LOCK TABLE events IN EXCLUSIVE MODE")

    def _append(self, conn: Connection, items: list[NewEvent]) -> list[RecordedEvent]:
        self._lock(conn)
        keys = [e.idempotency_key for e in items if e.idempotency_key is not None]
        existing = self._by_keys(conn, keys) if keys else {}

        fresh = [e for e in items if e.idempotency_key is None or e.idempotency_key not in existing]
        versions = self._stream_versions(conn, {e.stream_id for e in fresh}) if fresh else {}

        last = conn.execute(
            sa.select(events.c.position, events.c.hash, events.c.recorded_at)
            .order_by(events.c.position.desc())
            .limit(1)
        ).first()
        position, prev_hash, last_recorded = (last[0], last[1], last[2]) if last else (0, codec.GENESIS_HASH, 0)
        recorded = max(to_micros(self.clock()), last_recorded)

        rows: list[dict[str, Any]] = []
        results: list[RecordedEvent] = []
        batch_keys: dict[str, RecordedEvent] = {}
        for item in items:
            key = item.idempotency_key
            if key is not None:
                found = existing.get(key) or batch_keys.get(key)
                if found is not None:
                    results.append(found)
                    continue
            current = versions.get(item.stream_id, 0)
            if item.expected_version is not None and item.expected_version != current:
                raise ConcurrencyError(item.stream_id, item.expected_version, current)
            version = current + 1
            versions[item.stream_id] = version
            position += 1
            payload = codec.dumps(item.payload)
            meta = codec.dumps(item.metadata)
            occurred = to_micros(item.occurred_at)
            digest = codec.chain_hash(
                prev_hash, position, item.stream_id, version, item.type,
                item.schema_version, occurred, recorded, payload, meta, key,
            )
            rows.append(
                {
                    "position": position,
                    "stream_id": item.stream_id,
                    "stream_version": version,
                    "type": item.type,
                    "schema_version": item.schema_version,
                    "occurred_at": occurred,
                    "recorded_at": recorded,
                    "payload": payload,
                    "metadata": meta,
                    "idempotency_key": key,
                    "prev_hash": prev_hash,
                    "hash": digest,
                }
            )
            event = RecordedEvent(
                position, item.stream_id, version, item.type, item.schema_version,
                occurred, recorded, item.payload, item.metadata, key, prev_hash, digest,
            )
            if key is not None:
                batch_keys[key] = event
            results.append(event)
            prev_hash = digest
        if rows:
            conn.execute(events.insert(), rows)
        return results

    def _by_keys(self, conn: Connection, keys: list[str]) -> dict[str, RecordedEvent]:
        found: dict[str, RecordedEvent] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _KEY_CHUNK):
            chunk = unique[start : start + _KEY_CHUNK]
            for row in conn.execute(sa.select(*_COLUMNS).where(events.c.idempotency_key.in_(chunk))):
                event = _row_to_event(row)
                found[event.idempotency_key] = event  # type: ignore[index]
        return found

    def _stream_versions(self, conn: Connection, stream_ids: set[str]) -> dict[str, int]:
        versions: dict[str, int] = {}
        ids = sorted(stream_ids)
        for start in range(0, len(ids), _KEY_CHUNK):
            chunk = ids[start : start + _KEY_CHUNK]
            query = (
                sa.select(events.c.stream_id, sa.func.max(events.c.stream_version))
                .where(events.c.stream_id.in_(chunk))
                .group_by(events.c.stream_id)
            )
            versions.update({row[0]: row[1] for row in conn.execute(query)})
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
        knowledge time ``<= recorded_until``. The log is read by keyset pages,
        never whole, and no transaction is held between pages.
        """
        if recorded_until is not None:
            bound = self.position_at(recorded_until)
            until = bound if until is None else min(until, bound)
        conditions = []
        if until is not None:
            conditions.append(events.c.position <= until)
        if stream_id is not None:
            conditions.append(events.c.stream_id == stream_id)
        if types:
            conditions.append(events.c.type.in_(list(types)))
        if occurred_until is not None:
            conditions.append(events.c.occurred_at <= to_micros(occurred_until))
        cursor = after
        while True:
            query = (
                sa.select(*_COLUMNS)
                .where(events.c.position > cursor, *conditions)
                .order_by(events.c.position)
                .limit(chunk_size)
            )
            try:
                with self.engine.connect() as conn:
                    rows = conn.execute(query).all()
            except sa.exc.DBAPIError as exc:
                raise StorageError(f"read failed: {_first_line(exc)}") from None
            if not rows:
                return
            for row in rows:
                yield _row_to_event(row)
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
        with self.engine.connect() as conn:
            return self._by_keys(conn, list(keys))

    def stream_versions(self, stream_ids: Iterable[str]) -> dict[str, int]:
        """Return the current version of each stream that exists."""
        with self.engine.connect() as conn:
            return self._stream_versions(conn, set(stream_ids))

    def last_position(self) -> int:
        """Return the position of the newest event (0 for an empty log)."""
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(sa.func.max(events.c.position))).scalar()
        return int(value or 0)

    def count(self) -> int:
        """Return how many events the log holds."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar() or 0)

    def position_at(self, recorded_until: datetime) -> int:
        """Return the last position recorded at or before an instant (knowledge time).

        ``recorded_at`` never decreases along positions, so this is a prefix of the log.
        """
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(sa.func.max(events.c.position)).where(
                    events.c.recorded_at <= to_micros(recorded_until)
                )
            ).scalar()
        return int(value or 0)

    # --- checking ---------------------------------------------------------

    def verify(self, *, chunk_size: int = 10000) -> VerifyReport:
        """Walk positions and the hash chain; report the first broken event."""
        expected_position = 0
        prev_hash = codec.GENESIS_HASH
        cursor = 0
        count = 0
        while True:
            query = (
                sa.select(*_COLUMNS)
                .where(events.c.position > cursor)
                .order_by(events.c.position)
                .limit(chunk_size)
            )
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
            for row in rows:
                position = row[0]
                expected_position += 1
                if position != expected_position:
                    return VerifyReport(
                        count, position, prev_hash, position,
                        f"position {expected_position} is missing", str(expected_position), str(position),
                    )
                if row[10] != prev_hash:
                    return VerifyReport(
                        count, position, prev_hash, position,
                        "prev_hash does not match the previous event's hash", prev_hash, row[10],
                    )
                digest = codec.chain_hash(
                    row[10], position, row[1], row[2], row[3], row[4], row[5], row[6],
                    row[7], row[8], row[9],
                )
                if digest != row[11]:
                    return VerifyReport(
                        count, position, prev_hash, position,
                        "hash does not match the stored row", digest, row[11],
                    )
                prev_hash = digest
                count += 1
            if len(rows) < chunk_size:
                return VerifyReport(count, expected_position, prev_hash)
            cursor = rows[-1][0]


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

