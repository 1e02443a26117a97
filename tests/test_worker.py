"""The worker: survives database errors, keeps ingesting good feeds, stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from httpfeeds import FeedServer

from tracker import db
from tracker.eventlog.store import EventStore
from tracker.ingest.feeds import FeedRegistry
from tracker.ingest.poll import Poller
from tracker.ingest.worker import Worker
from tracker.stories.definition import load_stories
from tracker.stories.match import Matcher

DATA = Path(__file__).parent / "data" / "feeds"
ROOT = Path(__file__).resolve().parent.parent
TRACKER = [sys.executable, "-c", "from tracker.cli import main; main()"]


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        srv.feed("/good.xml", (DATA / "good.xml").read_bytes())
        srv.feed("/atom.xml", (DATA / "atom.xml").read_bytes())
        srv.status("/broken", 500)
        srv.status("/gone", 410)
        srv.status("/busy", 429, headers={"Retry-After": "60"})
        srv.raw("/garbage", (DATA / "garbage.bin").read_bytes())
        srv.drip("/slow", (DATA / "good.xml").read_bytes(), every=0.2, size=4, limit=30)
        yield srv


def test_a_tick_survives_a_database_error_and_the_next_one_works(sqlite_url: str, server: FeedServer) -> None:
    engine = db.create_engine(sqlite_url)  # no schema yet: every query fails
    matcher = Matcher(load_stories(DATA / "stories").values())
    poller = Poller(engine, matcher=matcher, update_projections=False)
    worker = Worker(engine, poller=poller, tick_seconds=60)
    try:
        worker.tick()  # raises nothing
        assert worker.ticks == 1
        db.upgrade(engine)
        FeedRegistry(engine).add(server.url("/good.xml"))
        worker.tick()
        assert EventStore(engine).count() == 2
    finally:
        poller.close()
        engine.dispose()


def test_the_scheduler_ticks_and_stops_in_process(sqlite_url: str, server: FeedServer) -> None:
    engine = db.open_database(sqlite_url)
    FeedRegistry(engine).add(server.url("/atom.xml"))
    poller = Poller(engine, matcher=Matcher(load_stories(DATA / "stories").values()), update_projections=False)
    worker = Worker(engine, poller=poller, tick_seconds=1, jitter=0)
    thread = threading.Thread(target=lambda: worker.run(install_signals=False))
    thread.start()
    try:
        assert worker.ticked.wait(10)
        assert EventStore(engine).count() == 1
    finally:
        worker.request_stop()
        thread.join(10)
        engine.dispose()
    assert not thread.is_alive()


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRACKER_STORIES_DIR": str(DATA / "stories")}
    return subprocess.run(
        [*TRACKER, "--db", url, *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False,
    )


@pytest.mark.slow
def test_worker_ingests_good_feeds_records_failures_and_exits_0_on_sigterm(
    sqlite_url: str, server: FeedServer
) -> None:
    engine = db.open_database(sqlite_url)
    registry = FeedRegistry(engine)
    for path in ("/good.xml", "/atom.xml", "/broken", "/gone", "/busy", "/garbage", "/slow"):
        registry.add(server.url(path), interval=60)
    env = {**os.environ, "TRACKER_STORIES_DIR": str(DATA / "stories")}
    proc = subprocess.Popen(
        [*TRACKER, "--db", sqlite_url, "worker", "--tick", "1"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, cwd=ROOT,
    )
    assert proc.stderr is not None
    polled: set[str] = set()
    try:
        deadline = time.monotonic() + 30
        fast = {server.url(p) for p in ("/good.xml", "/atom.xml", "/broken", "/gone", "/busy", "/garbage")}
        while not fast <= polled and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            if '"event":"poll"' in line:
                polled.add(orjson.loads(line[line.index("{"):])["url"])
        assert fast <= polled
        # The slow feed is still dripping: SIGTERM must still end the worker quickly.
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=10)
        assert code == 0
        assert time.monotonic() - started < 10
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    assert EventStore(engine).count() == 3  # two from good.xml, one from atom.xml
    engine.dispose()
    status = _cli(sqlite_url, "feeds", "status", "--json")
    assert status.returncode == 0, status.stderr
    feeds = {f["url"].rsplit("/", 1)[1]: f for f in orjson.loads(status.stdout)}
    assert feeds["gone"]["enabled"] is False and "410" in feeds["gone"]["disabled_reason"]
    assert feeds["broken"]["last_error"] == "http: HTTP 500"
    assert feeds["busy"]["last_error"] == "http: HTTP 429"
    assert feeds["broken"]["last_error_reason"] == "http"
    assert feeds["garbage"]["last_error_reason"] == "not-a-feed"
    assert "not a usable feed" in feeds["garbage"]["last_error"]
    assert feeds["good.xml"]["last_error"] is None and feeds["good.xml"]["validators"] == "etag+last-modified"
    text = _cli(sqlite_url, "feeds", "status").stdout
    assert "DISABLED: gone: HTTP 410" in text


def test_poll_once_exits_0_when_feeds_fail(sqlite_url: str, server: FeedServer) -> None:
    engine = db.open_database(sqlite_url)
    FeedRegistry(engine).add(server.url("/good.xml"))
    FeedRegistry(engine).add(server.url("/broken"))
    engine.dispose()
    done = _cli(sqlite_url, "poll", "--once", "--json")
    assert done.returncode == 0, done.stderr
    summary = orjson.loads(done.stdout)
    assert (summary["feeds"], summary["errors"], summary["appended"]) == (2, 1, 2)
