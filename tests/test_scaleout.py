"""Several workers on one PostgreSQL: feed leases, the elected projection updater, the
SQLite single-writer guard, ``tracker workers``, and a reader tailing concurrent appends."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from test_projections_helpers import at, observed, projection_snapshot
from workerproc import tracker_command

from tracker import db
from tracker.eventlog.store import EventStore
from tracker.ingest.feeds import FeedRegistry, PollOutcome
from tracker.ingest.leases import LeasedRegistry, worker_status
from tracker.ingest.singleton import single_writer
from tracker.projections import engine as projection
from tracker.projections.election import PROJECTION_LOCK, update_elected

START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[sa.Engine]:
    engine = db.open_database(pg_url)
    yield engine
    engine.dispose()


def _add_feeds(engine: sa.Engine, count: int, clock: Clock) -> list[int]:
    registry = FeedRegistry(engine, clock=clock)
    return [registry.add(f"http://127.0.0.1:9/feed/{i}.xml", interval=60).id for i in range(count)]


@pytest.mark.postgres
def test_concurrent_claims_hand_each_due_feed_to_exactly_one_worker(pg_engine: sa.Engine) -> None:
    clock = Clock()
    ids = _add_feeds(pg_engine, 120, clock)
    workers = [LeasedRegistry(pg_engine, clock=clock, claim_batch=50) for _ in range(4)]
    barrier = threading.Barrier(len(workers))
    got: dict[str, list[int]] = {}

    def claim(registry: LeasedRegistry) -> None:
        barrier.wait()
        got[registry.worker_id] = [f.id for f in registry.due(clock())]  # one cycle's claim

    threads = [threading.Thread(target=claim, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    claimed = [feed for mine in got.values() for feed in mine]
    assert len(got) == 4
    assert sorted(claimed) == ids  # every due feed once, none twice (4 x 50 > 120)
    assert sum(1 for mine in got.values() if mine) >= 2  # the work was shared


@pytest.mark.postgres
def test_a_dead_workers_leases_expire_and_another_worker_takes_the_feeds(pg_engine: sa.Engine) -> None:
    clock = Clock()
    ids = _add_feeds(pg_engine, 5, clock)
    dead = LeasedRegistry(pg_engine, clock=clock, lease_seconds=30)
    other = LeasedRegistry(pg_engine, clock=clock, lease_seconds=30)
    assert [f.id for f in dead.due(clock())] == ids
    assert other.due(clock()) == []  # held
    clock.now += timedelta(seconds=29)
    assert other.due(clock()) == []
    clock.now += timedelta(seconds=2)  # the leases ran out
    assert [f.id for f in other.due(clock())] == ids
    held = {w.worker: [f[0] for f in w.feeds] for w in worker_status(pg_engine)}
    assert held[other.worker_id] == ids
    assert held[dead.worker_id] == []


@pytest.mark.postgres
def test_a_feed_polled_and_released_by_one_worker_is_not_polled_again_by_another(
    pg_engine: sa.Engine,
) -> None:
    clock = Clock()
    _add_feeds(pg_engine, 3, clock)
    first = LeasedRegistry(pg_engine, clock=clock)
    second = LeasedRegistry(pg_engine, clock=clock)
    polled = first.due(clock())
    first.record_many([(f, PollOutcome(200)) for f in polled])  # records, then releases
    assert second.due(clock()) == []  # released, but no longer due
    clock.now += timedelta(seconds=61)
    assert len(second.due(clock())) == 3


@pytest.mark.postgres
def test_an_unreachable_database_is_retried_with_backoff_not_raised(pg_engine: sa.Engine) -> None:
    broken = db.create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    registry = LeasedRegistry(broken)
    try:
        assert registry.due(START) == []  # logged, not raised
        assert registry._failures == 1
        assert registry.due(START) == []  # inside the backoff: not even tried
        assert registry._failures == 1
    finally:
        broken.dispose()


@pytest.mark.postgres
def test_only_one_process_updates_the_projections_and_the_others_skip(pg_engine: sa.Engine) -> None:
    store = EventStore(pg_engine)
    store.append([observed("a1", "OpenAI board names an interim chief", at(1))])
    with pg_engine.connect() as holder, holder.begin():
        holder.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PROJECTION_LOCK})")
        assert update_elected(pg_engine) is None  # someone else is updating: skip at once
    assert update_elected(pg_engine) == store.last_position()


@pytest.mark.postgres
def test_a_reader_tailing_concurrent_appends_misses_no_late_committing_event(
    pg_engine: sa.Engine,
) -> None:
    store = EventStore(pg_engine)
    writers, batches = 4, 25
    done = threading.Event()
    errors: list[BaseException] = []
    seen: list[int] = []

    def write(w: int) -> None:
        try:
            for b in range(batches):
                store.append([
                    observed(f"w{w}b{b}e{e}", f"OpenAI board note {w}-{b}-{e} on its chief executive",
                             at(w + b / 100))
                    for e in range(1 + (w + b) % 3)
                ])
        except BaseException as exc:
            errors.append(exc)

    def tail() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            for event in store.read(after=cursor):
                seen.append(event.position)
                cursor = event.position
            if finished:
                return

    def project() -> None:
        while not done.is_set():
            update_elected(pg_engine)

    reader = threading.Thread(target=tail)
    updaters = [threading.Thread(target=project) for _ in range(2)]
    appenders = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in (reader, *updaters, *appenders):
        t.start()
    for t in appenders:
        t.join(60)
    done.set()
    for t in (reader, *updaters):
        t.join(60)
    assert errors == []
    total = store.count()
    assert total == sum(1 + (w + b) % 3 for w in range(writers) for b in range(batches))
    assert seen == list(range(1, total + 1))  # every position once, in order, none skipped
    update_elected(pg_engine)
    incremental = projection_snapshot(pg_engine)
    projection.rebuild(pg_engine)
    assert projection_snapshot(pg_engine) == incremental


def test_a_second_worker_on_one_sqlite_file_exits_1_naming_the_holder(sqlite_url: str) -> None:
    engine = db.open_database(sqlite_url)
    try:
        with single_writer(engine):
            for args in (("worker", "--tick", "1"), ("poll", "--once")):
                done = subprocess.run(tracker_command(sqlite_url, *args), capture_output=True,
                                      text=True, timeout=60)
                assert done.returncode == 1
                lines = done.stderr.strip().splitlines()
                assert len(lines) == 1, done.stderr
                assert "another worker holds" in lines[0]
                assert f"(pid {os.getpid()})" in lines[0]
        with single_writer(engine):  # let go when the holder ends
            pass
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_tracker_workers_shows_which_worker_holds_which_lease(pg_url: str, pg_engine: sa.Engine) -> None:
    clock = Clock(datetime.now(UTC))
    _add_feeds(pg_engine, 2, clock)
    registry = LeasedRegistry(pg_engine, clock=clock)
    registry.due(clock())
    done = subprocess.run(tracker_command(pg_url, "workers"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert registry.worker_id in done.stdout
    assert "http://127.0.0.1:9/feed/0.xml" in done.stdout
    assert "http://127.0.0.1:9/feed/1.xml" in done.stdout
    registry.release_all()
    done = subprocess.run(tracker_command(pg_url, "workers"), capture_output=True, text=True, timeout=60)
    assert registry.worker_id not in done.stdout
