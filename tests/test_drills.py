"""Fault drills on real PostgreSQL with real ``tracker worker`` processes and a real HTTP server.

* a worker killed with SIGKILL in the middle of its batches, 20 times, while
  feeds keep publishing: every published item ends up in the log exactly once,
  the hash chain verifies, and a rebuild equals the incremental projections;
* four workers over 1,000 feeds: no feed is fetched twice within its interval,
  and every item is in the log exactly once.

Each drill prints its figures (``-s`` shows them).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
import sqlalchemy as sa
from httpfeeds import FeedServer
from test_projections_helpers import projection_snapshot
from workerproc import (
    Publisher,
    WorkerProc,
    observed_counts,
    set_intervals,
    wait_until,
)

from tracker import db
from tracker.eventlog.store import EventStore
from tracker.ingest.feeds import FeedRegistry
from tracker.projections import engine as projection

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[sa.Engine]:
    engine = db.open_database(pg_url)
    yield engine
    engine.dispose()


def _all_in_log(url: str, published: list[str]) -> bool:
    counts = observed_counts(url)
    return all(counts[g] >= 1 for g in published)


def test_kill_9_mid_batch_twenty_times_loses_and_duplicates_nothing(
    pg_url: str, pg_engine: sa.Engine, server: FeedServer, tmp_path: Path
) -> None:
    started = time.monotonic()
    rng = random.Random(7)
    publisher = Publisher(server)
    registry = FeedRegistry(pg_engine)
    paths = [f"/kill/{i}.xml" for i in range(40)]
    for path in paths:
        registry.add(publisher.add_feed(path, initial=2), interval=60)
    set_intervals(pg_engine, 1)

    survivor = WorkerProc(pg_url, tmp_path / "survivor.log", lease=1.0)
    victim = WorkerProc(pg_url, tmp_path / "victim0.log", lease=1.0)
    kills = mid_batch = 0
    try:
        for n in range(1, 21):
            for path in rng.sample(paths, 10):
                publisher.publish(path, rng.randint(1, 3))
            claimed = wait_until(lambda v=victim: bool(v.events("claimed")), timeout=20, every=0.02)
            following = WorkerProc(pg_url, tmp_path / f"victim{n}.log", lease=1.0)  # starts meanwhile
            time.sleep(rng.uniform(0, 0.15))  # a random point inside the batch
            finished = bool(victim.events("cycle"))
            victim.kill9()
            kills += 1
            mid_batch += claimed and not finished
            victim = following
            assert survivor.alive()
        for path in paths:
            publisher.publish(path, 1)
        try:  # the last one started is left running with the survivor
            assert wait_until(lambda: _all_in_log(pg_url, publisher.published), timeout=60, every=0.5)
        finally:
            assert victim.stop() == 0
    finally:
        if victim.alive():
            victim.kill9()
        assert survivor.stop() == 0

    counts = observed_counts(pg_engine)
    published = publisher.published
    lost = [g for g in published if counts[g] == 0]
    duplicated = {g: n for g, n in counts.items() if n > 1}
    store = EventStore(pg_engine)
    report = store.verify()
    revised = sum(1 for _ in store.read(types=["ArticleRevised"]))
    projection.update(pg_engine)
    incremental = projection_snapshot(pg_engine)
    projection.rebuild(pg_engine)
    rebuilt = projection_snapshot(pg_engine)
    print(
        f"\nkill drill: kills {kills} (mid-batch {mid_batch}), published {len(published)}, "
        f"events {store.count()}, lost {len(lost)}, duplicates {len(duplicated)}, "
        f"revised {revised}, verify {'ok' if report.ok else report.problem}, "
        f"rebuild equal {incremental == rebuilt}, {time.monotonic() - started:.1f} s"
    )
    assert kills == 20
    assert mid_batch >= 10  # most kills land between a claim and the end of its cycle
    assert lost == []
    assert duplicated == {}
    assert revised == 0
    assert store.count() == len(published)
    assert report.ok, report.problem
    assert incremental == rebuilt


def test_four_workers_on_a_thousand_feeds_poll_each_once_per_interval(
    pg_url: str, pg_engine: sa.Engine, server: FeedServer, tmp_path: Path
) -> None:
    started = time.monotonic()
    interval = 8
    publisher = Publisher(server)
    paths = [f"/many/{i}.xml" for i in range(1000)]
    with pg_engine.begin() as conn:  # registered in one go, as `feeds import` would
        from tracker.ingest.tables import feeds

        now = int(time.time() * 1_000_000)
        rows = []
        for path in paths:
            url = publisher.add_feed(path, initial=1)
            rows.append({
                "identity": url, "url": url, "title": None, "interval_s": interval, "enabled": True,
                "disabled_reason": None, "added_at": now, "consecutive_errors": 0,
                "next_poll_at": now, "items_seen": 0, "events_appended": 0,
            })
        conn.execute(feeds.insert(), rows)

    workers = [WorkerProc(pg_url, tmp_path / f"w{i}.log", lease=30.0) for i in range(4)]
    try:
        # Three intervals; a tenth of the feeds publish once more in the middle.
        assert wait_until(lambda: len(publisher.fetches) >= 1000, timeout=40)
        first_round = time.monotonic()
        wait_until(lambda: time.monotonic() - first_round > interval, timeout=interval + 1)
        for path in paths[::10]:
            publisher.publish(path, 1)
        assert wait_until(lambda: _all_in_log(pg_url, publisher.published), timeout=60, every=0.5)
        wait_until(lambda: time.monotonic() - first_round > 2 * interval, timeout=2 * interval + 1)
    finally:
        codes = [w.stop() for w in workers]
    assert codes == [0, 0, 0, 0]

    per_worker: dict[str, int] = defaultdict(int)
    for w in workers:
        for record in w.events("poll"):
            per_worker[str(record["worker"])] += 1
    fetches = {path: sorted(times) for path, times in publisher.fetches.items()}
    counts = observed_counts(pg_engine)
    lost = [g for g in publisher.published if counts[g] == 0]
    duplicated = {g: n for g, n in counts.items() if n > 1}
    most_in_window = max(_most_in_a_window(times, interval) for times in fetches.values())
    gaps = [b - a for times in fetches.values() for a, b in pairwise(times)]
    total = sum(len(t) for t in fetches.values())
    print(
        f"\nfour workers x 1000 feeds: interval {interval} s, fetches {total} "
        f"({total / len(fetches):.2f} per feed; per worker {sorted(per_worker.values())}), "
        f"most fetches of one feed in any {interval} s window {most_in_window}, "
        f"shortest gap {min(gaps):.2f} s, events {sum(counts.values())}, "
        f"published {len(publisher.published)}, lost {len(lost)}, duplicates {len(duplicated)}, "
        f"{time.monotonic() - started:.1f} s"
    )
    assert len(fetches) == 1000
    assert most_in_window == 1
    assert min(gaps) >= interval
    assert len(per_worker) == 4  # every worker took part
    assert lost == []
    assert duplicated == {}
    assert EventStore(pg_engine).count() == len(publisher.published)


def _most_in_a_window(times: list[float], width: float) -> int:
    best = 0
    start = 0
    for end, t in enumerate(times):
        while t - times[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best
