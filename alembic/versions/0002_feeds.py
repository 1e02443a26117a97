"""Operational tables for feeds and their poll state (not events).

Revision ID: 0002_feeds
Revises: 0001_events
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_feeds"
down_revision = "0001_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("identity", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("interval_s", sa.Integer, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("disabled_reason", sa.Text, nullable=True),
        sa.Column("added_at", sa.BigInteger, nullable=False),
        sa.Column("etag", sa.Text, nullable=True),
        sa.Column("last_modified", sa.Text, nullable=True),
        sa.Column("last_poll_at", sa.BigInteger, nullable=True),
        sa.Column("last_success_at", sa.BigInteger, nullable=True),
        sa.Column("last_status", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("last_warning", sa.Text, nullable=True),
        sa.Column("consecutive_errors", sa.Integer, nullable=False),
        sa.Column("next_poll_at", sa.BigInteger, nullable=False),
        sa.Column("items_seen", sa.BigInteger, nullable=False),
        sa.Column("events_appended", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("identity", name="uq_feeds_identity"),
    )
    op.create_index("ix_feeds_next_poll_at", "feeds", ["next_poll_at"])


def downgrade() -> None:
    op.drop_index("ix_feeds_next_poll_at", table_name="feeds")
    op.drop_table("feeds")
