"""Index the claims projection by publication time, so ``explain`` reads only the
reports of the span it explains, and the transitions by time, so a timeline span
reads only its changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_proj_evidence_published", "proj_evidence", ["story", "published_us"])
    op.create_index("ix_proj_transitions_at", "proj_transitions", ["story", "at_us", "seq"])


def downgrade() -> None:
    op.drop_index("ix_proj_transitions_at", table_name="proj_transitions")
    op.drop_index("ix_proj_evidence_published", table_name="proj_evidence")
