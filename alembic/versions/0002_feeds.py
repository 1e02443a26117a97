"""Operational tables for feeds and their poll state (not events).

Revision ID: 0002_feeds
Revises: 0001_events
Create Date: 2026-11-26
"""

from __future__ import annotations

revision = "0002_feeds"
down_revision = "0001_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
