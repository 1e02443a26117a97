"""Index the replaced revisions of the claims projection, and keep what resolving a
story again from where new evidence reaches needs: per story its horizon and holders,
the accepted operations before corrections, and the syndication group of every mark.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_proj_evidence_superseded", "proj_evidence", ["story", "superseded"],
        sqlite_where=sa.text("superseded IS NOT NULL"),
        postgresql_where=sa.text("superseded IS NOT NULL"),
    )
    op.create_table(
        "proj_resolution",
        sa.Column("story", sa.String(100), primary_key=True),
        sa.Column("horizon", sa.BigInteger, nullable=False),
        sa.Column("holders", sa.Text, nullable=False),
        sa.Column("firsts", sa.Text, nullable=False),
    )
    op.create_table(
        "proj_accepted",
        sa.Column("story", sa.String(100), primary_key=True),
        sa.Column("slot", sa.String(100), primary_key=True),
        sa.Column("op", sa.String(20), primary_key=True),
        sa.Column("value", sa.Text, primary_key=True),
        sa.Column("start_us", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("interim", sa.Boolean, nullable=True),
        sa.Column("single_source", sa.Boolean, nullable=False),
        sa.Column("reports", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.create_index("ix_proj_accepted_at", "proj_accepted", ["story", "at_us"])
    op.create_table(
        "proj_marks",
        sa.Column("story", sa.String(100), primary_key=True),
        sa.Column("mark", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("unit", sa.BigInteger, nullable=False),
        sa.Column("holder", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("proj_marks")
    op.drop_index("ix_proj_accepted_at", table_name="proj_accepted")
    op.drop_table("proj_accepted")
    op.drop_table("proj_resolution")
    op.drop_index("ix_proj_evidence_superseded", table_name="proj_evidence")
