"""Outage drill: PostgreSQL stops for 10 s under two running workers; nothing is lost or duplicated.

Stopping the server would break every other test using it, so this drill runs
alone: only when ``TRACKER_OUTAGE_DRILL=1`` and never inside a pytest-xdist
worker. ``make test`` runs it in a serial pytest invocation after the parallel
suite. The server is started again in a ``finally`` (and waited for with
``pg_isready``) whatever happens.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import scratch_database
from httpfeeds import FeedServer
from workerproc import Publisher, WorkerProc, observed_counts, pg_ready, set_intervals, wait_until

from tracker import db
from tracker.eventlog.store import EventStore
from tracker.ingest.feeds import FeedRegistry

OUTAGE_S = 10.0
ALONE = os.environ.get("TRACKER_OUTAGE_DRILL") == "1" and "PYTEST_XDIST_WORKER" not in os.environ

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        not ALONE,
        reason="stops PostgreSQL, so it runs alone: TRACKER_OUTAGE_DRILL=1 without -n (make test does)",
    ),
]


def _cluster(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True, timeout=60, capture_output=True,
    )


@contextmanager
def postgres_stopped() -> Iterator[None]:
    """Stop the local PostgreSQL for the block; always start it again and wait until it answers."""
    _cluster("stop")
    try:
        yield
    finally:
        if not pg_ready():
            _cluster("start")
        assert wait_until(pg_ready, timeout=60, every=0.2), "PostgreSQL did not come back"


@pytest.fixture
def own_pg_url() -> Iterator[str]:
    """A database of this test's own: the session's admin connection would not survive the restart."""
    with scratch_database("tracker_outage") as url:
        yield url


def _all_in_log(url: str, published: list[str]) -> bool:
    try:
        counts = observed_counts(url)
    except Exception:  # the server is still starting
        return False
    return all(counts[g] >= 1 for g in published)


def test_a_ten_second_outage_under_two_workers_loses_and_duplicates_nothing(
    own_pg_url: str, tmp_path: Path
) -> None:
    pg_url = own_pg_url
    started = time.monotonic()
    rng = random.Random(11)
    engine = db.open_database(pg_url)
    with FeedServer() as server:
        publisher = Publisher(server)
        paths = [f"/outage/{i}.xml" for i in range(30)]
        registry = FeedRegistry(engine)
        for path in paths:
            registry.add(publisher.add_feed(path, initial=2), interval=60)
        set_intervals(engine, 1)
        engine.dispose()
        workers = [WorkerProc(pg_url, tmp_path / f"w{i}.log", lease=2.0) for i in range(2)]
        try:
            assert wait_until(lambda: _all_in_log(pg_url, publisher.published), timeout=30, every=0.2)
            before = len(publisher.published)
            down = time.monotonic()
            with postgres_stopped():
                while time.monotonic() - down < OUTAGE_S:
                    for path in rng.sample(paths, 5):
                        publisher.publish(path, 1)
                    assert all(w.alive() for w in workers)
                    time.sleep(1.0)  # the outage's length is the drill itself
            back = time.monotonic()
            for path in paths:
                publisher.publish(path, 1)
            assert wait_until(lambda: _all_in_log(pg_url, publisher.published), timeout=90, every=0.5)
            recovered = time.monotonic() - back
            assert all(w.alive() for w in workers)
        finally:
            codes = [w.stop() for w in workers]
    assert codes == [0, 0]

    engine = db.create_engine(pg_url)
    try:
        counts = observed_counts(engine)
        store = EventStore(engine)
        report = store.verify()
        total = store.count()
    finally:
        engine.dispose()
    published = publisher.published
    lost = [g for g in published if counts[g] == 0]
    duplicated = {g: n for g, n in counts.items() if n > 1}
    noticed = sum(len(w.events("database_unavailable")) + len(w.events("tick_failed")) for w in workers)
    print(
        f"\noutage drill: database down {back - down:.1f} s under 2 workers, published {len(published)} "
        f"({len(published) - before} during or after the outage), events {total}, lost {len(lost)}, "
        f"duplicates {len(duplicated)}, failed ticks/claims noticed {noticed}, "
        f"caught up {recovered:.1f} s after restart, verify {'ok' if report.ok else report.problem}, "
        f"{time.monotonic() - started:.1f} s"
    )
    assert noticed > 0  # the workers did see the outage, and lived through it
    assert lost == []
    assert duplicated == {}
    assert total == len(published)
    assert report.ok, report.problem


def test_postgres_is_running_after_the_drill() -> None:
    assert pg_ready()
