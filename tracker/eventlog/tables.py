"""The ``events`` table (SQLAlchemy Core) and the metadata every table hangs on.

Times are stored as integer microseconds since the Unix epoch, UTC: exact,
indexable, and the same on SQLite and PostgreSQL. ``payload`` and ``metadata``
hold canonical JSON text, so the hash chain covers exactly what is stored.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# On SQLite an ``INTEGER`` primary key is the rowid itself: scans in position
# order read the table directly instead of going through a second index.
Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

events = sa.Table(
    "events",
    metadata,
    sa.Column("position", Position, primary_key=True, autoincrement=False),
    sa.Column("stream_id", sa.String(400), nullable=False),
    sa.Column("stream_version", sa.Integer, nullable=False),
    sa.Column("type", sa.String(100), nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("occurred_at", sa.BigInteger, nullable=False),
    sa.Column("recorded_at", sa.BigInteger, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("metadata", sa.Text, nullable=False),
    sa.Column("idempotency_key", sa.String(400), nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("stream_id", "stream_version", name="uq_events_stream_version"),
    sa.UniqueConstraint("idempotency_key", name="uq_events_idempotency_key"),
    sa.Index("ix_events_occurred_at", "occurred_at"),
    sa.Index("ix_events_recorded_at", "recorded_at"),
    sa.Index("ix_events_type", "type"),
)

# The head of the log as the last append left it (one row, id 1). Triggers
# (migration 0005) let it move only forward, so a log whose tail was cut
# verifies as shorter than its head.
log_head = sa.Table(
    "log_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.CheckConstraint("id = 1", name="ck_log_head_single_row"),
)
