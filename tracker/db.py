"""Open the database, and keep its schema at the code's Alembic head.

Alembic is the only thing that creates schema. :func:`open_database` upgrades a
brand-new (empty) database, refuses one whose schema is newer than this code,
and asks for ``tracker db upgrade`` when an existing one is behind.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.errors import SchemaError, StorageError

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import Engine

# SQLAlchemy, platformdirs and Alembic are imported by the functions that use them,
# so that a light read (:func:`read_connection`) never loads them.

ENV_URL = "TRACKER_DATABASE_URL"
ROOT = Path(__file__).resolve().parent.parent


def default_database_path() -> Path:
    """Return the default SQLite file, in the per-user data directory."""
    import platformdirs

    return Path(platformdirs.user_data_dir("tracker", appauthor=False)) / "tracker.sqlite"


def resolve_url(url: str | None = None) -> str:
    """Return the database URL: the argument, else $TRACKER_DATABASE_URL, else the default file."""
    if url:
        return url
    env = os.environ.get(ENV_URL)
    if env:
        return env
    return f"sqlite:///{default_database_path()}"


def _normalise(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_engine(url: str | None = None) -> Engine:
    """Create an engine for a URL; SQLite gets WAL, a busy timeout and foreign keys."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    text = _normalise(resolve_url(url))
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise StorageError(f"invalid database URL {text!r}") from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create {folder} for the database: {exc.strerror}") from None
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
        if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
            kwargs["connect_args"] = {"connect_timeout": 10}
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        raise StorageError(f"cannot use database URL {text!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _set_wal(cursor: Any, seconds: float = 30.0) -> None:
    """Switch to WAL. On a brand-new file another process may be switching it too, and
    SQLite answers "locked" at once rather than through the busy timeout: try again,
    briefly, up to the same 30 s."""
    import sqlite3
    import time

    deadline = time.monotonic() + seconds
    pause = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


def _configure_sqlite(engine: Engine) -> None:
    import sqlalchemy as sa

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take control of transactions: pysqlite's implicit BEGIN is off, and
        # the "begin" hook below says BEGIN (or BEGIN IMMEDIATE for writers).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        _set_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if conn.get_execution_options().get("write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def param_mark(dialect: sa.engine.Dialect) -> str:
    """Return the driver's positional parameter mark: ``?`` (sqlite3) or ``%s`` (psycopg)."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


def driver_rows(conn: sa.Connection, query: str, params: Sequence[Any]) -> list[Any]:
    """Run a read on the connection's driver cursor (in its transaction, if any) and
    return plain tuples: no result objects to make by the hundred thousand."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(query, tuple(params))
        return list(cursor.fetchall())
    finally:
        cursor.close()


class Sql:
    """SQL text on a driver connection (sqlite3 or psycopg), in whatever transaction it has.

    Queries are written with ``?`` marks, turned into the driver's own; rows come back
    as plain tuples. :func:`sql_of` gives one for an SQLAlchemy connection (its driver
    connection, so in its transaction), and code that must not load SQLAlchemy makes one
    over a ``sqlite3`` connection.
    """

    __slots__ = ("dialect_name", "mark", "raw")

    def __init__(self, raw: Any, mark: str = "?", dialect_name: str = "sqlite") -> None:
        self.raw = raw
        self.mark = mark
        self.dialect_name = dialect_name

    def text(self, query: str) -> str:
        return query if self.mark == "?" else query.replace("?", self.mark)

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[Any]:
        cursor = self.raw.cursor()
        try:
            cursor.execute(self.text(query), tuple(params))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def first(self, query: str, params: Sequence[Any] = ()) -> Any | None:
        found = self.rows(query, params)
        return found[0] if found else None

    def scalar(self, query: str, params: Sequence[Any] = ()) -> Any:
        row = self.first(query, params)
        return None if row is None else row[0]

    def run(self, query: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return its row count."""
        cursor = self.raw.cursor()
        try:
            cursor.execute(self.text(query), tuple(params))
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def many(self, query: str, items: Sequence[Sequence[Any]]) -> None:
        """Run one statement for every parameter tuple."""
        if not items:
            return
        cursor = self.raw.cursor()
        try:
            cursor.executemany(self.text(query), [tuple(i) for i in items])
        finally:
            cursor.close()

    def insert(self, table: str, items: Sequence[dict[str, Any]]) -> None:
        """Insert rows given as dicts (every dict with the first one's keys)."""
        if not items:
            return
        columns = list(items[0])
        self.insert_rows(table, columns, [tuple(item[c] for c in columns) for item in items])

    def insert_rows(self, table: str, columns: Sequence[str], items: Sequence[Sequence[Any]]) -> None:
        """Insert rows given as tuples of ``columns``' values."""
        marks = ", ".join("?" * len(columns))
        self.many(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", items)

    def rows_in(self, query: str, params: Sequence[Any], values: Sequence[Any], size: int = 500) -> list[Any]:
        """Run a query whose ``IN ({})`` list is ``values``, ``size`` of them at a time (after
        ``params``); return every chunk's rows, in chunk order."""
        found: list[Any] = []
        for start in range(0, len(values), size):
            chunk = values[start:start + size]
            found += self.rows(query.format(", ".join("?" * len(chunk))), (*params, *chunk))
        return found


def sql_of(conn: Any) -> Sql:
    """Return a :class:`Sql` for an SQLAlchemy connection (or the Sql given)."""
    if isinstance(conn, Sql):
        return conn
    return Sql(conn.connection, param_mark(conn.dialect), conn.dialect.name)


def flag(value: Any) -> bool | None:
    """A boolean column's value as SQLAlchemy gives it (SQLite's driver gives 0/1)."""
    return None if value is None else bool(value)


def describe(engine: Engine) -> str:
    """Return the engine's URL with any password hidden."""
    return engine.url.render_as_string(hide_password=True)


# --- schema --------------------------------------------------------------


def migrations_dir() -> Path:
    """Return the Alembic script folder: $TRACKER_ALEMBIC_DIR, else alembic/ at the top level."""
    script_location = Path(os.environ.get("TRACKER_ALEMBIC_DIR", ROOT / "alembic"))
    if not (script_location / "env.py").exists():
        raise SchemaError(f"migrations not found at {script_location}")
    return script_location


def alembic_config(engine: Engine) -> Any:
    """Return an Alembic Config that migrates through this engine."""
    from alembic.config import Config

    script_location = migrations_dir()
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["engine"] = engine
    return config


_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(None|[\"']([^\"']+)[\"'])", re.M)


@functools.lru_cache(maxsize=4)
def _scripts(script_location: str) -> tuple[str, frozenset[str]] | None:
    """Return (head, every revision) read from the migration files without importing Alembic.

    None when the files do not describe one straight line of revisions (then
    Alembic itself is asked).
    """
    revisions: dict[str, str | None] = {}
    for path in sorted(Path(script_location, "versions").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        rev, down = _REVISION.search(text), _DOWN.search(text)
        if rev is None or down is None:
            return None
        revisions[rev.group(1)] = down.group(2)
    children = set(revisions.values())
    heads = [r for r in revisions if r not in children]
    if len(heads) != 1:
        return None
    return heads[0], frozenset(revisions)


def _script_location(_engine: Engine) -> str:
    return str(migrations_dir())


def head_revision(engine: Engine) -> str:
    """Return the newest migration this code knows."""
    quick = _scripts(_script_location(engine))
    if quick is not None:
        return quick[0]
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    return head


def known_revisions(engine: Engine) -> set[str]:
    """Return every migration revision this code knows."""
    quick = _scripts(_script_location(engine))
    if quick is not None:
        return set(quick[1])
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config(engine)).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """Return the database's migration revision (None for a brand-new database)."""
    import sqlalchemy as sa

    from tracker.eventlog.sql import first_line

    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except sa.exc.DBAPIError as exc:
        raise StorageError(f"cannot open database {describe(engine)}: {first_line(exc)}") from None
    if len(rows) > 1:
        raise SchemaError(f"database {describe(engine)} has several schema heads; tracker has one")
    return str(rows[0][0]) if rows else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision``."""
    import sqlalchemy as sa
    from alembic import command

    from tracker.eventlog.sql import first_line

    current = current_revision(engine)
    if current is not None and current not in known_revisions(engine):
        raise SchemaError(_newer_message(engine, current))
    try:
        command.upgrade(alembic_config(engine), revision)
    except sa.exc.DBAPIError as exc:
        raise StorageError(f"migration failed on {describe(engine)}: {first_line(exc)}") from None


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database's schema stands against this code."""

    url: str
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def status(engine: Engine) -> SchemaStatus:
    """Return the database's revision beside the code's head."""
    return SchemaStatus(describe(engine), current_revision(engine), head_revision(engine))


def ensure_schema(engine: Engine) -> None:
    """Make the schema usable: upgrade a new database, refuse a newer or older one."""
    current = current_revision(engine)
    head = head_revision(engine)
    if current == head:
        return
    if current is None and _has_tables(engine):
        current = current_revision(engine)  # another process may have just upgraded it
        if current is None:
            raise SchemaError(
                f"database {describe(engine)} has tables but no tracker schema version"
            )
        if current == head:
            return
    if current is None:
        upgrade(engine)  # the migrations lock, then re-check: concurrent openers are safe
        return
    if current not in known_revisions(engine):
        raise SchemaError(_newer_message(engine, current))
    # Behind: upgrading in place is safe (migrations only add), so do it.
    upgrade(engine)


def open_database(url: str | None = None) -> Engine:
    """Create an engine and make sure the schema is at this code's head."""
    engine = create_engine(url)
    try:
        ensure_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _has_tables(engine: Engine) -> bool:
    import sqlalchemy as sa

    with engine.connect() as conn:
        return bool(sa.inspect(conn).get_table_names())


def _newer_message(engine: Engine, current: str) -> str:
    return (
        f"database {describe(engine)} has schema revision {current}, newer than this "
        "tracker knows; upgrade tracker"
    )


# --- a light read --------------------------------------------------------


def sqlite_file(url: str | None = None) -> Path | None:
    """Return the existing SQLite file a plain ``sqlite:///PATH`` URL names, else None."""
    text = resolve_url(url)
    prefix = "sqlite:///"
    if not text.startswith(prefix) or "?" in text:
        return None
    database = text[len(prefix):]
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).expanduser()
    return path if path.is_file() else None


def read_connection(url: str | None = None) -> Any | None:
    """Open a read-only driver connection for a quick read, or None when one cannot be had.

    Only an existing SQLite file whose schema is at this code's head qualifies;
    anything else (PostgreSQL, a new or older database, a URL with options) gets
    None, and the caller takes the full path through :func:`open_database`.
    Neither SQLAlchemy nor Alembic is imported.
    """
    import sqlite3
    from urllib.parse import quote

    path = sqlite_file(url)
    if path is None:
        return None
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=30,
                               isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA busy_timeout=30000")
        found = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        quick = _scripts(str(migrations_dir()))
    except (sqlite3.Error, SchemaError):
        conn.close()
        return None
    if quick is None or len(found) != 1 or found[0][0] != quick[0]:
        conn.close()
        return None
    return conn
