"""Schema by Alembic only; configuration; one-line refusals for new, newer and unreachable databases."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from eventlog_helpers import open_and_append

from tracker import db
from tracker.cli import main
from tracker.errors import SchemaError, StorageError
from tracker.eventlog.store import EventStore

ROOT = Path(__file__).resolve().parent.parent


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the tracker CLI in-process; return (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def stamp(url: str, revision: str) -> None:
    engine = db.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{revision}'")
    engine.dispose()


def test_a_command_on_a_brand_new_database_upgrades_it_first(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "--db", db_url, "verify")
    assert code == 0 and out.strip() == "ok: the log is empty"
    engine = db.create_engine(db_url)
    assert db.current_revision(engine) == db.head_revision(engine)
    assert "events" in sa.inspect(engine).get_table_names()
    engine.dispose()


def test_db_current_on_a_new_database_names_it_and_its_revision(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "--db", sqlite_url, "db", "current")
    head = db.head_revision(db.create_engine(sqlite_url))
    assert code == 0
    assert f"database: {sqlite_url}" in out
    assert f"{head} (head {head}, up to date)" in out


def test_db_upgrade_twice_is_harmless(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(2):
        code, out, _ = run_cli(capsys, "--db", db_url, "db", "upgrade")
        assert code == 0 and "schema at" in out


def test_the_default_database_is_a_file_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    code, out, _ = run_cli(capsys, "db", "current")
    assert code == 0
    assert f"sqlite:///{tmp_path}/tracker/tracker.sqlite" in out
    assert (tmp_path / "tracker" / "tracker.sqlite").exists()


def test_the_environment_variable_chooses_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'from-env.sqlite'}"
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    code, out, _ = run_cli(capsys, "db", "current")
    assert code == 0 and url in out


def test_a_database_newer_than_the_code_is_refused_in_one_line(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db.open_database(db_url).dispose()
    stamp(db_url, "9999_from_the_future")
    for command in (["verify"], ["db", "current"], ["db", "upgrade"]):
        code, _out, err = run_cli(capsys, "--db", db_url, *command)
        assert code == 1, command
        assert err.count("\n") == 1 and "9999_from_the_future" in err and "newer" in err
        assert "Traceback" not in err
    with pytest.raises(SchemaError):
        db.open_database(db_url)


@pytest.mark.parametrize("url", [
    "postgresql://postgres@127.0.0.1:1/nowhere",
    "sqlite:////proc/no-such-dir/tracker.sqlite",
    "not-a-url",
    "mysql://nobody@127.0.0.1/x",
])
def test_an_unusable_database_url_is_one_line_and_exit_1(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "--db", url, "verify")
    assert code == 1
    assert out == "" and err.startswith("error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_an_unreachable_database_raises_storage_error() -> None:
    with pytest.raises(StorageError, match="cannot open database"):
        db.open_database("postgresql://postgres@127.0.0.1:1/nowhere")


def test_sqlite_runs_with_wal_a_busy_timeout_and_foreign_keys(sqlite_url: str) -> None:
    engine = db.open_database(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_sqlite_writers_take_the_write_lock_at_begin(sqlite_url: str) -> None:
    engine = db.open_database(sqlite_url)
    with engine.connect() as writer:
        writer = writer.execution_options(write=True)
        with writer.begin():
            other = sa.create_engine(sqlite_url, connect_args={"timeout": 0})
            with other.connect() as conn, pytest.raises(sa.exc.OperationalError, match="locked"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            other.dispose()
    engine.dispose()


def test_the_migrations_create_what_the_table_definitions_say(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from tracker.eventlog.tables import events

    engine = db.open_database(db_url)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), events.metadata)
    engine.dispose()
    about_events = [d for d in diffs if "events" in repr(d) and "alembic_version" not in repr(d)]
    assert about_events == []


def test_alembic_at_the_top_level_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'alembic.sqlite'}"
    env = {**os.environ, "TRACKER_DATABASE_URL": url}
    alembic = Path(sys.executable).parent / "alembic"
    done = subprocess.run([str(alembic), "upgrade", "head"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    engine = db.create_engine(url)
    assert db.current_revision(engine) == db.head_revision(engine)
    engine.dispose()


@pytest.mark.slow
def test_processes_opening_a_brand_new_database_at_once_upgrade_it_once(db_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=open_and_append, args=(db_url, barrier, n)) for n in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(90)
        if proc.is_alive():
            proc.kill()
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    engine = db.open_database(db_url)
    assert EventStore(engine).count() == 4
    engine.dispose()
