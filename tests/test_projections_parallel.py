"""Worker processes build the same projection as one process does, or step aside."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_projections_helpers import at, observed, projection_snapshot, revised, toy_rules

from tracker import db
from tracker.errors import StorageError
from tracker.eventlog.events import ArticleObserved, ArticleRejected, SlotAsserted
from tracker.eventlog.store import EventStore, NewEvent
from tracker.ingest.importer import import_paths
from tracker.projections import engine as projection
from tracker.projections import parallel

__all__ = ["toy_rules"]

DEMO = Path(projection.__file__).resolve().parent.parent / "data" / "demo"


@pytest.fixture
def logged(db_url: str) -> sa.Engine:
    """A log of real-looking reports (the demo archive) plus revisions, a correction
    and a rejection, spread over many small worker ranges."""
    engine = db.open_database(db_url)
    store = EventStore(engine)
    summary = import_paths(engine, sorted(DEMO.glob("*.xml")), update_projections=False)
    assert summary.appended > 20
    articles = [e for e in store.read(types=[ArticleObserved.TYPE])]
    first, second, third = (e.payload["article_id"] for e in articles[:3])
    store.append([
        revised(first, "OpenAI board names Mira Murati interim chief executive",
                published=at(2)),
        NewEvent.from_domain(
            SlotAsserted(story="openai", slot="ceo", op="set", value="Emmett Shear",
                         at=at(60).isoformat(), source="https://example.org/statement"),
            stream_id="corrections-openai", occurred_at=at(60),
        ),
        NewEvent.from_domain(ArticleRejected(article_id=second, reason="satire"),
                             stream_id=f"rejections-{second}", occurred_at=at(61)),
        revised(third, "Sam Altman returns as OpenAI chief executive", published=at(100)),
        revised(first, "OpenAI names Emmett Shear interim CEO", published=at(62)),
    ])
    yield engine
    engine.dispose()


def test_worker_processes_build_the_same_projection_as_one_process(
    logged: sa.Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    alone = projection.rebuild(logged, workers=0)
    expected = projection_snapshot(logged)
    monkeypatch.setattr(parallel, "RANGE", 7)  # many ranges: revisions cross range ends
    with caplog.at_level(logging.WARNING, logger="tracker.projections.engine"):
        assert projection.rebuild(logged, workers=2) == alone
    assert "going on in this process" not in caplog.text  # the workers did the building
    assert projection_snapshot(logged) == expected
    assert '"ceo"' in expected and "Emmett Shear" in expected


def test_workers_that_cannot_start_leave_the_work_to_this_process(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    engine = db.open_database(sqlite_url)
    import_paths(engine, sorted(DEMO.glob("*.xml")), update_projections=False)
    projection.rebuild(engine, workers=0)
    expected = projection_snapshot(engine)
    # A worker program that exits at once: its first answer never comes.
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with caplog.at_level(logging.WARNING, logger="tracker.projections.engine"):
        projection.rebuild(engine, workers=2)
    assert "going on in this process" in caplog.text
    assert projection_snapshot(engine) == expected
    engine.dispose()


def test_how_many_workers_a_pass_gets(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = db.create_engine(sqlite_url)
    monkeypatch.delenv(parallel.ENV_WORKERS, raising=False)
    assert parallel.worker_count(engine, parallel.MIN_EVENTS - 1) == 0
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 4)
    assert parallel.worker_count(engine, parallel.MIN_EVENTS) == 4
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    assert parallel.worker_count(engine, 10 * parallel.MIN_EVENTS) == 0
    assert parallel.worker_count(engine, 5, workers=3) == 3
    monkeypatch.setenv(parallel.ENV_WORKERS, "2")
    assert parallel.worker_count(engine, 5) == 2
    monkeypatch.setenv(parallel.ENV_WORKERS, "some")
    with pytest.raises(StorageError, match="whole number"):
        parallel.worker_count(engine, 5)
    memory = db.create_engine("sqlite://")
    assert parallel.worker_count(memory, 10 * parallel.MIN_EVENTS, workers=2) == 0


def test_workers_building_with_other_rules_are_not_used(
    sqlite_url: str, toy_rules: None, caplog: pytest.LogCaptureFixture
) -> None:
    # The toy rules exist in this process only; a worker process has the real ones.
    engine = db.open_database(sqlite_url)
    EventStore(engine).append([
        observed("t1", "Stand-in [ceo set Mira Murati interim]", at(1), publisher="Wire A"),
        observed("t2", "Stand-in named [ceo set Mira Murati interim]", at(2), publisher="Wire B"),
    ])
    projection.rebuild(engine, workers=0)
    expected = projection_snapshot(engine)
    with caplog.at_level(logging.WARNING, logger="tracker.projections.engine"):
        projection.rebuild(engine, workers=2)
    assert "builds with version" in caplog.text
    assert projection_snapshot(engine) == expected
    assert "Mira Murati" in expected
    engine.dispose()


def test_a_worker_answers_failures_in_one_line_and_keeps_serving(sqlite_url: str) -> None:
    import io

    from tracker.projections.builder import serve
    from tracker.stories.definition import load_stories

    engine = db.open_database(sqlite_url)
    import_paths(engine, sorted(DEMO.glob("*.xml")), update_projections=False)
    engine.dispose()
    requests = io.BytesIO()
    for message in [("start", sqlite_url, dict(load_stories())), ("bogus",),
                    ("build", 0, 10), ("build", 10_000, 20_000)]:
        parallel.send(requests, message)
    requests.seek(0)
    answers = io.BytesIO()
    serve(requests, answers)
    answers.seek(0)
    greeting, bogus, built, empty = (parallel.receive(answers) for _ in range(4))
    assert greeting[0] == "ok" and greeting[1]
    assert bogus[0] == "failed" and "\n" not in bogus[1]
    assert built[0] == "ok" and built[1].first == 1 and built[1].last == 10
    assert empty == ("ok", None)


def test_a_worker_whose_caller_goes_away_exits_quietly(sqlite_url: str) -> None:
    import subprocess

    from tracker.stories.definition import load_stories

    engine = db.open_database(sqlite_url)
    import_paths(engine, sorted(DEMO.glob("*.xml")), update_projections=False)
    engine.dispose()
    worker = subprocess.Popen(
        [sys.executable, "-m", "tracker.projections.builder"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert worker.stdin is not None and worker.stdout is not None and worker.stderr is not None
    parallel.send(worker.stdin, ("start", sqlite_url, dict(load_stories())))
    parallel.send(worker.stdin, ("build", 0, 1000))
    worker.stdout.close()  # the caller stops reading, then hangs up
    worker.stdin.close()
    assert worker.stderr.read() == b""  # no traceback reaches the terminal
    assert worker.wait(timeout=60) == 0
    worker.stderr.close()
