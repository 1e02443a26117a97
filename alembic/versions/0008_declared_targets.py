"""Alert targets a story file declares: the story they come from, and the environment
variable that holds a webhook's signing secret.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_targets") as batch:
        batch.add_column(sa.Column("declared_in", sa.String(100), nullable=True))
        batch.add_column(sa.Column("secret_env", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_targets") as batch:
        batch.drop_column("secret_env")
        batch.drop_column("declared_in")
