"""Projection tables: derived, disposable, rebuilt from the log.

Revision ID: 0003_projections
Revises: 0002_feeds
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_projections"
down_revision = "0002_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projection_checkpoints",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("rules_version", sa.String(200), nullable=False),
    )
    op.create_table(
        "proj_evidence",
        sa.Column("story", sa.String(100), primary_key=True),
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("article_id", sa.String(400), nullable=False),
        sa.Column("superseded", sa.BigInteger, nullable=True),
        sa.Column("publisher", sa.Text, nullable=False),
        sa.Column("link", sa.Text, nullable=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("language", sa.String(40), nullable=True),
        sa.Column("published_us", sa.BigInteger, nullable=False),
        sa.Column("recorded_us", sa.BigInteger, nullable=False),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("stories", sa.Text, nullable=False),
        sa.Column("claims", sa.Text, nullable=False),
    )
    op.create_table(
        "proj_corrections",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("story", sa.String(100), nullable=False),
        sa.Column("slot", sa.String(100), nullable=False),
        sa.Column("op", sa.String(20), nullable=False),
        sa.Column("value", sa.Text, nullable=True),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("interim", sa.Boolean, nullable=True),
    )
    op.create_table(
        "proj_rejections",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("article_id", sa.String(400), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=True),
        sa.Column("stories", sa.Text, nullable=False),
    )
    op.create_table(
        "proj_transitions",
        sa.Column("story", sa.String(100), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("slot", sa.String(100), nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("op", sa.String(20), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("interim", sa.Boolean, nullable=True),
        sa.Column("chair", sa.Text, nullable=True),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("single_source", sa.Boolean, nullable=False),
        sa.Column("correction", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.create_index(
        "ix_proj_transitions_slot_at", "proj_transitions", ["story", "slot", "at_us", "seq"]
    )


def downgrade() -> None:
    op.drop_index("ix_proj_transitions_slot_at", table_name="proj_transitions")
    for name in (
        "proj_transitions", "proj_evidence", "proj_corrections",
        "proj_rejections", "projection_checkpoints",
    ):
        op.drop_table(name)
