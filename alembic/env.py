"""Run tracker's migrations through the engine tracker hands over (or the configured URL).

Migrations run in one transaction that first takes the database's write lock
(SQLite ``BEGIN IMMEDIATE``; a PostgreSQL advisory lock), and Alembic reads the
current revision only after that: processes opening a brand-new database at
once upgrade it exactly once, the others find it done.
"""

from __future__ import annotations

from alembic import context

from tracker import db
from tracker.schema import metadata

config = context.config
MIGRATION_LOCK = 7_202_311_170  # any constant shared by every tracker process


def run() -> None:
    engine = config.attributes.get("engine")
    own = engine is None
    if engine is None:
        engine = db.create_engine(None)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(write=True)
            context.configure(
                connection=connection, target_metadata=metadata, transactional_ddl=True
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                context.run_migrations()
    finally:
        if own:
            engine.dispose()


if context.is_offline_mode():
    raise SystemExit("tracker migrations run online only: use `tracker db upgrade`")
run()
