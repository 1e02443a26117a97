"""Feed leases and worker heartbeats: several workers on one PostgreSQL.

Revision ID: 0004_leases
Revises: 0003_projections
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_leases"
down_revision = "0003_projections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_leases",
        sa.Column(
            "feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="CASCADE"),
            primary_key=True, autoincrement=False,
        ),
        sa.Column("worker", sa.String(200), nullable=False),
        sa.Column("taken_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_feed_leases_worker", "feed_leases", ["worker"])
    op.create_table(
        "tracker_workers",
        sa.Column("worker", sa.String(200), primary_key=True),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("started_at", sa.BigInteger, nullable=False),
        sa.Column("seen_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tracker_workers")
    op.drop_index("ix_feed_leases_worker", table_name="feed_leases")
    op.drop_table("feed_leases")
