"""Taking a few new events in over plain sqlite3 leaves the projections a full rebuild makes."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tracker import db
from tracker.eventlog.store import EventStore, NewEvent
from tracker.ingest.importer import import_paths
from tracker.projections import engine as projection
from tracker.projections import lean
from tracker.projections.engine import __file__ as _engine_file
from tracker.timeutil import from_micros

DEMO = Path(_engine_file).resolve().parent.parent / "data" / "demo"
TABLES = ("proj_evidence", "proj_corrections", "proj_rejections", "proj_transitions", "proj_resolution",
          "proj_accepted", "proj_marks", "projection_checkpoints")


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        found = {}
        for table in TABLES:
            count = len(conn.execute(f"SELECT * FROM {table} LIMIT 1").description)
            order = ", ".join(str(i) for i in range(1, count + 1))
            found[table] = conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
        return found
    finally:
        conn.close()


def _demo_events(tmp_path: Path) -> list[NewEvent]:
    engine = db.open_database(f"sqlite:///{tmp_path / 'source.sqlite'}")
    import_paths(engine, sorted(DEMO.glob("*.xml")), update_projections=False)
    events = [NewEvent(stream_id=e.stream_id, type=e.type, payload=e.payload,
                       occurred_at=from_micros(e.occurred_us), idempotency_key=e.idempotency_key,
                       schema_version=e.schema_version, metadata=e.metadata)
              for e in EventStore(engine).read()]
    engine.dispose()
    return events


@pytest.mark.parametrize("step", [1, 4])
def test_catching_up_after_each_append_is_a_rebuild(tmp_path: Path, step: int) -> None:
    events = _demo_events(tmp_path)
    assert len(events) > 20
    path = tmp_path / "log.sqlite"
    engine = db.open_database(f"sqlite:///{path}")
    store = EventStore(engine)
    store.append(events[:step])
    projection.update(engine)
    taken = declined = 0
    for start in range(step, len(events), step):
        store.append(events[start:start + step])
        if lean.catch_up(path):
            taken += 1
        else:
            declined += 1
            projection.update(engine)  # what the full path does then
        assert lean.catch_up(path) is False  # nothing new: nothing to do
    engine.dispose()
    assert taken > 0, (taken, declined)
    copy = tmp_path / "rebuilt.sqlite"
    shutil.copyfile(path, copy)
    rebuilt = db.open_database(f"sqlite:///{copy}")
    projection.rebuild(rebuilt, workers=0)
    rebuilt.dispose()
    assert _dump(path) == _dump(copy)


def test_the_first_read_after_an_append_loads_no_sqlalchemy(tmp_path: Path) -> None:
    events = _demo_events(tmp_path)
    path = tmp_path / "log.sqlite"
    engine = db.open_database(f"sqlite:///{path}")
    store = EventStore(engine)
    store.append(events[:-1])
    projection.update(engine)
    store.append(events[-1:])
    engine.dispose()
    script = ("import sys\n"
              "from tracker import fastread\n"
              "text = fastread.quick('state', {'--db': sys.argv[1], '--json': ''})\n"
              "print(text is not None, sorted(m for m in ('sqlalchemy', 'click', 'alembic', 'rich') "
              "if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", script, f"sqlite:///{path}"], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert out.split("\n")[0] == "True []"
    conn = sqlite3.connect(path)
    (last,) = conn.execute("SELECT max(position) FROM events").fetchone()
    marks = dict(conn.execute("SELECT name, position FROM projection_checkpoints"))
    conn.close()
    assert set(marks.values()) == {last}


def test_a_moved_checkpoint_or_a_revision_is_left_to_the_engine(tmp_path: Path) -> None:
    events = _demo_events(tmp_path)
    path = tmp_path / "log.sqlite"
    engine = db.open_database(f"sqlite:///{path}")
    store = EventStore(engine)
    store.append(events[:10])
    projection.update(engine)
    before = _dump(path)
    # A checkpoint of another version: the engine rebuilds, nothing is written here.
    conn = sqlite3.connect(path)
    conn.execute("UPDATE projection_checkpoints SET version = 'other' WHERE name = 'log'")
    conn.commit()
    conn.close()
    store.append(events[10:12])
    assert lean.catch_up(path) is False
    projection.update(engine)
    engine.dispose()
    assert _dump(path)["projection_checkpoints"] != before["projection_checkpoints"]
    # A schema other than this code's head: the full path opens (and upgrades) it.
    store.append(events[12:13])
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = 'older'")
    conn.commit()
    conn.close()
    assert lean.catch_up(path) is False
    assert lean.catch_up(tmp_path / "missing.sqlite") is False
    assert not (tmp_path / "missing.sqlite").exists()
