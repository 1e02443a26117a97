"""Projection tables: derived, disposable, rebuilt from the log.

Revision ID: 0003_projections
Revises: 0002_feeds
Create Date: 2026-11-26
"""

from __future__ import annotations

revision = "0003_projections"
down_revision = "0002_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
