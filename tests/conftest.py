"""Shared fixtures: real SQLite files, a real PostgreSQL, the shared corpus.

PostgreSQL (127.0.0.1:5432, trust auth) and ``../shared/corpus/nov2023`` are
skipped when absent on a user's machine, but under ``CI=true`` their absence
fails the run.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker import db
from tracker.eventlog.store import EventStore

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("TRACKER_CORPUS", ROOT.parent / "shared" / "corpus" / "nov2023"))
PG_ADMIN_URL = os.environ.get("TRACKER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
# The screens of frames read once are kept in a cache folder: the suite keeps its own.
os.environ.setdefault("TRACKER_CACHE_DIR", tempfile.mkdtemp(prefix="tracker-test-cache-"))


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared real-feed corpus (skip, or fail under CI, when absent)."""
    if not (CORPUS / "feeds.tsv").exists():
        _missing(f"shared corpus not found at {CORPUS}")
    return CORPUS


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """Create a PostgreSQL database of one's own, yield its URL, drop it after.

    The admin engine keeps no pooled connection, so it works across a server
    restart (the outage drill). Unreachable: skip, or fail under CI=true.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool,
        connect_args={"connect_timeout": 5},
    )
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        _missing(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database made for this test session (and worker), dropped after."""
    with scratch_database("tracker_test") as url:
        yield url


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """A PostgreSQL URL with an empty schema (reset before each test)."""
    engine = sa.create_engine(pg_database, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS events_refuse_change() CASCADE")
    engine.dispose()
    return pg_database


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A URL for a fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'tracker.sqlite'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database URL, on each backend in turn (the contract suite)."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """An engine on a fresh, migrated database (each backend in turn)."""
    eng = db.open_database(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def store(engine: sa.Engine) -> EventStore:
    """An event store on a fresh database (each backend in turn)."""
    return EventStore(engine)
