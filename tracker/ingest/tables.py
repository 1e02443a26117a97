"""Operational tables of ingestion: the feed registry and each feed's poll state.

These are not events: they are updated in place and could be rebuilt by hand
(re-adding feeds). Times are integer microseconds since the epoch, UTC, as in
the log.
"""

from __future__ import annotations

import sqlalchemy as sa

from tracker.eventlog.tables import metadata

feeds = sa.Table(
    "feeds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # The URL the feed was added (or imported) under: its identity, never changed.
    sa.Column("identity", sa.Text, nullable=False),
    # Where it is fetched now (follows permanent redirects).
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("interval_s", sa.Integer, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False, default=True),
    sa.Column("disabled_reason", sa.Text, nullable=True),
    sa.Column("added_at", sa.BigInteger, nullable=False),
    sa.Column("etag", sa.Text, nullable=True),
    sa.Column("last_modified", sa.Text, nullable=True),
    sa.Column("last_poll_at", sa.BigInteger, nullable=True),
    sa.Column("last_success_at", sa.BigInteger, nullable=True),
    sa.Column("last_status", sa.Integer, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("last_warning", sa.Text, nullable=True),
    sa.Column("consecutive_errors", sa.Integer, nullable=False, default=0),
    sa.Column("next_poll_at", sa.BigInteger, nullable=False),
    sa.Column("items_seen", sa.BigInteger, nullable=False, default=0),
    sa.Column("events_appended", sa.BigInteger, nullable=False, default=0),
    sa.UniqueConstraint("identity", name="uq_feeds_identity"),
    sa.Index("ix_feeds_next_poll_at", "next_poll_at"),
)
