"""Alerts: targets, announced changes, the delivery outbox and its attempts.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_targets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=True),
        sa.Column("story", sa.String(100), nullable=True),
        sa.Column("slots", sa.Text, nullable=True),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "alert_changes",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("story", sa.String(100), nullable=False),
        sa.Column("slot", sa.String(100), nullable=False),
        sa.Column("op", sa.String(20), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("changed_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_alert_changes_story", "alert_changes", ["story", "state"])
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "target_id", sa.Integer, sa.ForeignKey("alert_targets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("idempotency_key", sa.String(80), nullable=False),
        sa.Column("change_key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_us", sa.BigInteger, nullable=False),
        sa.Column("leased_until_us", sa.BigInteger, nullable=True),
        sa.Column("delivered_us", sa.BigInteger, nullable=True),
        sa.UniqueConstraint("target_id", "idempotency_key", name="uq_alert_outbox_target_key"),
    )
    op.create_index("ix_alert_outbox_due", "alert_outbox", ["status", "next_attempt_us"])
    op.create_table(
        "alert_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "outbox_id", sa.Integer, sa.ForeignKey("alert_outbox.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
    )
    op.create_index("ix_alert_attempts_outbox", "alert_attempts", ["outbox_id"])


def downgrade() -> None:
    op.drop_index("ix_alert_attempts_outbox", table_name="alert_attempts")
    op.drop_table("alert_attempts")
    op.drop_index("ix_alert_outbox_due", table_name="alert_outbox")
    op.drop_table("alert_outbox")
    op.drop_index("ix_alert_changes_story", table_name="alert_changes")
    op.drop_table("alert_changes")
    op.drop_table("alert_targets")
