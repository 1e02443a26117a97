"""The log's head (last position and hash), kept outside ``events``, moving only forward.

Every append commits the new head in ``log_head`` in the same transaction, so
``tracker verify`` can tell a log whose tail was cut from a shorter log.
Triggers refuse to move the head back, to rewrite its hash in place or to
delete it. Projection checkpoints gain the hash of the event they stand at,
so a checkpoint left beyond a cut, or over a rewritten event, is seen.

Revision ID: 0005
Revises: 0004_leases
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004_leases"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
REFUSAL = "the log head only moves forward: moving it back, rewriting or deleting it is refused"


def upgrade() -> None:
    op.create_table(
        "log_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_log_head_single_row"),
    )
    op.execute(
        "INSERT INTO log_head (id, position, hash) "
        "SELECT 1, position, hash FROM events WHERE position = (SELECT MAX(position) FROM events)"
    )
    op.execute(
        f"INSERT INTO log_head (id, position, hash) SELECT 1, 0, '{GENESIS_HASH}' "
        "WHERE NOT EXISTS (SELECT 1 FROM log_head)"
    )
    with op.batch_alter_table("projection_checkpoints") as batch:
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER log_head_forward_only BEFORE UPDATE ON log_head "
            "WHEN NEW.id != OLD.id OR NEW.position < OLD.position "
            "OR (NEW.position = OLD.position AND NEW.hash != OLD.hash) "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )
        op.execute(
            "CREATE TRIGGER log_head_refuse_delete BEFORE DELETE ON log_head "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION log_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND (NEW.position > OLD.position "
            "OR (NEW.position = OLD.position AND NEW.hash = OLD.hash)) THEN RETURN NEW; END IF; "
            f"RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation'; END $$"
        )
        op.execute(
            "CREATE TRIGGER log_head_guard BEFORE UPDATE OR DELETE ON log_head "
            "FOR EACH ROW EXECUTE FUNCTION log_head_guard()"
        )
        op.execute(
            "CREATE TRIGGER log_head_refuse_truncate BEFORE TRUNCATE ON log_head "
            "FOR EACH STATEMENT EXECUTE FUNCTION log_head_guard()"
        )
    else:
        raise NotImplementedError(f"tracker does not support {dialect}")


def downgrade() -> None:
    with op.batch_alter_table("projection_checkpoints") as batch:
        batch.drop_column("hash")
    op.drop_table("log_head")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION log_head_guard()")
