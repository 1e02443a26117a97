"""Several writer processes at once: exactly-once appends and a gap-free global order."""

from __future__ import annotations

import multiprocessing
import time

import pytest
import sqlalchemy as sa
from eventlog_helpers import append_own_batches, append_same_keys

from tracker.eventlog.store import EventStore

TIMEOUT = 90


def _run(processes: list[multiprocessing.process.BaseProcess]) -> None:
    for proc in processes:
        proc.start()
    deadline = time.monotonic() + TIMEOUT
    for proc in processes:
        proc.join(max(0.0, deadline - time.monotonic()))
    stuck = [p for p in processes if p.is_alive()]
    for proc in stuck:
        proc.kill()
    assert not stuck, "writers did not finish in time"
    assert [p.exitcode for p in processes] == [0] * len(processes)


@pytest.mark.slow
def test_four_processes_appending_the_same_1000_keyed_events_leave_exactly_1000(
    engine: sa.Engine, db_url: str
) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    writers = [
        ctx.Process(target=append_same_keys, args=(db_url, barrier, seed, 1000, 100))
        for seed in range(4)
    ]
    _run(writers)
    store = EventStore(engine)
    assert store.count() == 1000
    assert len({e.idempotency_key for e in store.read()}) == 1000
    report = store.verify()
    assert report.ok and report.last_position == 1000


@pytest.mark.slow
def test_a_tailing_reader_sees_every_event_once_in_table_order(engine: sa.Engine, db_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    writers = [
        ctx.Process(target=append_own_batches, args=(db_url, barrier, w, 40)) for w in range(1, 4)
    ]
    for proc in writers:
        proc.start()
    store = EventStore(engine)
    seen: list[tuple[int, str]] = []
    checkpoint = 0
    barrier.wait(timeout=60)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        running = any(p.is_alive() for p in writers)
        for event in store.read(after=checkpoint, chunk_size=7):
            seen.append((event.position, event.hash))
            checkpoint = event.position
        if not running:  # one more full read after every writer has exited
            break
    for proc in writers:
        proc.join(5)
    assert [p.exitcode for p in writers] == [0, 0, 0]
    with engine.connect() as conn:
        table = [tuple(r) for r in conn.exec_driver_sql("SELECT position, hash FROM events ORDER BY position")]
    assert seen == table
    assert [p for p, _ in seen] == list(range(1, len(table) + 1))
    assert store.verify().ok

