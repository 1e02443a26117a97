"""Run tracker's migrations through the engine tracker hands over (or the configured URL)."""

from __future__ import annotations

from alembic import context

from tracker import db
from tracker.schema import metadata

config = context.config


def run() -> None:
    engine = config.attributes.get("engine") or db.create_engine(None)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("tracker migrations run online only: use `tracker db upgrade`")
run()
