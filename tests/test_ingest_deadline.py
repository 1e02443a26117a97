"""No server can hold a fetch, a poll cycle or the worker's tick past its deadline.

Each slow pattern is a real server on 127.0.0.1 (tests/httpfeeds.py): headers one
byte at a time, ``100 Continue`` forever, chunks that never end, a slow drip of
the body, a silent server. Deadlines are small here (2 s); the defaults are 60 s
per fetch and 240 s per cycle.
"""

from __future__ import annotations

import gzip
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from httpfeeds import FeedServer

from tracker import db
from tracker.errors import FetchError
from tracker.eventlog.store import EventStore
from tracker.ingest import reasons
from tracker.ingest.feeds import FeedRegistry
from tracker.ingest.fetch import Fetcher, FetchLimits
from tracker.ingest.poll import Poller
from tracker.ingest.worker import Worker
from tracker.stories.definition import load_stories
from tracker.stories.match import Matcher

DATA = Path(__file__).parent / "data" / "feeds"
GOOD = (DATA / "good.xml").read_bytes()
DEADLINE = 2.0
SLACK = 1.5  # thread start-up, a last read returning, the error path


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        srv.feed("/good.xml", GOOD)
        srv.trickle_headers("/trickle", every=0.2)
        srv.continue_loop("/continue", every=0.05)
        srv.endless_chunks("/chunks", every=0.02)
        srv.drip("/drip", GOOD * 50, every=0.05, size=64, limit=30)
        srv.stall("/stall", seconds=30)
        yield srv


def _fetcher(total: float = DEADLINE, read: float = 1.0) -> Fetcher:
    return Fetcher(limits=FetchLimits(connect_timeout=1, read_timeout=read, total_timeout=total))


@pytest.mark.parametrize("path", ["/trickle", "/continue", "/chunks", "/drip"])
def test_a_slow_server_is_cut_off_at_the_fetch_deadline(server: FeedServer, path: str) -> None:
    # read timeout above the deadline: only the deadline can stop these
    with _fetcher(read=10.0) as fetcher:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(server.url(path))
        took = time.monotonic() - started
    assert caught.value.reason == reasons.DEADLINE, str(caught.value)
    assert "took longer than 2 s" in str(caught.value)
    assert DEADLINE - 0.1 <= took <= DEADLINE + SLACK


def test_a_silent_server_is_a_timeout_not_the_deadline(server: FeedServer) -> None:
    with _fetcher(total=5.0, read=0.5) as fetcher:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(server.url("/stall"))
    assert caught.value.reason == reasons.TIMEOUT
    assert time.monotonic() - started < 5.0


def test_stacked_encodings_are_refused_and_one_layer_is_bounded(server: FeedServer) -> None:
    inner = gzip.compress(b"<rss>" + b" " * (4 * 1024 * 1024) + b"</rss>")
    stacked = gzip.compress(inner)
    for path, body, coding in (("/gz2", stacked, "gzip, gzip"), ("/gz1", inner, "gzip"),
                               ("/br", b"x", "br")):
        server.route(path, lambda h, b=body, c=coding: _send(h, b, c))
    limits = FetchLimits(total_timeout=DEADLINE, max_bytes=1024 * 1024)
    with Fetcher(limits=limits) as fetcher:
        with pytest.raises(FetchError, match="stacked content encodings refused") as stacked_error:
            fetcher.fetch(server.url("/gz2"))
        with pytest.raises(FetchError, match="too large") as large:
            fetcher.fetch(server.url("/gz1"))
        with pytest.raises(FetchError, match="unsupported content encoding") as other:
            fetcher.fetch(server.url("/br"))
        server.feed("/gzip-ok.xml", GOOD)  # served gzipped when asked
        assert fetcher.fetch(server.url("/gzip-ok.xml")).body == GOOD
    assert stacked_error.value.reason == other.value.reason == reasons.ENCODING
    assert large.value.reason == reasons.TOO_LARGE


def _send(h: object, body: bytes, coding: str) -> None:
    h.send_response(200)  # type: ignore[attr-defined]
    h.send_header("Content-Encoding", coding)  # type: ignore[attr-defined]
    h.send_header("Content-Length", str(len(body)))  # type: ignore[attr-defined]
    h.end_headers()  # type: ignore[attr-defined]
    h.wfile.write(body)  # type: ignore[attr-defined]


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[sa.Engine]:
    eng = db.open_database(sqlite_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_stories(DATA / "stories").values())


def test_a_cycle_records_every_slow_feed_with_its_reason_and_ends_in_time(
    server: FeedServer, engine: sa.Engine, matcher: Matcher
) -> None:
    registry = FeedRegistry(engine)
    ids = {p: registry.add(server.url(p), interval=600).id
           for p in ("/good.xml", "/trickle", "/continue", "/chunks", "/drip")}
    poller = Poller(engine, matcher=matcher, registry=registry, update_projections=False,
                    fetch_deadline=DEADLINE)
    started = time.monotonic()
    summary = poller.cycle(due_only=False)
    took = time.monotonic() - started
    poller.close()
    assert took <= DEADLINE + SLACK + 1.0
    assert summary.feeds == 5 and summary.errors == 4
    feeds = {f.id: f for f in registry.all()}
    assert feeds[ids["/good.xml"]].last_error is None and feeds[ids["/good.xml"]].items_seen > 0
    for path in ("/trickle", "/continue", "/chunks", "/drip"):
        error = feeds[ids[path]].last_error
        assert reasons.reason_of(error) == reasons.DEADLINE, (path, error)


def test_the_cycle_deadline_abandons_a_stuck_feed_and_returns(
    server: FeedServer, engine: sa.Engine, matcher: Matcher
) -> None:
    registry = FeedRegistry(engine)
    stuck = registry.add(server.url("/trickle"), interval=600).id
    good = registry.add(server.url("/good.xml"), interval=600).id
    poller = Poller(engine, matcher=matcher, registry=registry, update_projections=False,
                    fetch_deadline=20.0, cycle_deadline=1.5)
    started = time.monotonic()
    summary = poller.cycle(due_only=False)
    assert time.monotonic() - started <= 1.5 + SLACK
    poller.close()
    assert summary.feeds == 2
    feeds = {f.id: f for f in registry.all()}
    assert reasons.reason_of(feeds[stuck].last_error) == reasons.CYCLE_DEADLINE
    assert feeds[stuck].consecutive_errors == 1 and feeds[stuck].enabled
    assert feeds[good].last_error is None and feeds[good].items_seen > 0


class _Polls(logging.Handler):
    """Collect the poller's per-feed log records; wake whoever waits for a feed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[int, dict[str, object]] = {}
        self.changed = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        data = orjson.loads(record.getMessage())
        if data.get("event") == "poll":
            with self.changed:
                self.seen.setdefault(int(data["feed_id"]), data)
                self.changed.notify_all()

    def wait_for(self, feed_id: int, timeout: float) -> dict[str, object] | None:
        with self.changed:
            self.changed.wait_for(lambda: feed_id in self.seen, timeout)
            return self.seen.get(feed_id)


def test_the_worker_polls_a_good_feed_on_time_while_a_trickling_one_hangs(
    engine: sa.Engine, matcher: Matcher
) -> None:
    hanging = threading.Event()
    with FeedServer() as srv:
        srv.feed("/good.xml", GOOD)
        srv.trickle_headers("/hang", every=0.1)
        inner = srv.routes["/hang"]

        def hang(h: object) -> None:
            hanging.set()
            inner(h)  # type: ignore[arg-type]
            hanging.clear()

        srv.route("/hang", hang)
        registry = FeedRegistry(engine)
        slow = registry.add(srv.url("/hang"), interval=600).id
        good = registry.add(srv.url("/good.xml"), interval=600).id
        poller = Poller(engine, matcher=matcher, registry=registry, update_projections=False,
                        fetch_deadline=3.0)
        worker = Worker(engine, poller=poller, tick_seconds=0.2, jitter=0)
        polls = _Polls()
        logger = logging.getLogger("tracker.poll")
        logger.addHandler(polls)
        logger.setLevel(logging.INFO)
        runner = threading.Thread(target=worker.run, kwargs={"install_signals": False}, daemon=True)
        started = time.monotonic()
        try:
            runner.start()
            record = polls.wait_for(good, timeout=5.0)
            at = time.monotonic() - started
            assert record is not None and record.get("error") is None
            assert at < 2.0, f"the good feed waited {at:.1f} s"
            assert hanging.is_set(), "the trickling feed should still be hanging"
            assert EventStore(engine).count() > 0  # its items are in the log already
            stuck = polls.wait_for(slow, timeout=3.0 + SLACK + 1.0)
            assert stuck is not None and reasons.reason_of(str(stuck["error"])) == reasons.DEADLINE
            ticks = worker.ticks
            assert worker.ticked.wait(2.0)
            worker.ticked.clear()
            assert worker.ticked.wait(2.0) and worker.ticks > ticks  # the worker goes on ticking
        finally:
            logger.removeHandler(polls)
            worker.stopping.set()
            runner.join(10)


def test_feeds_not_started_before_the_cycle_deadline_stay_due_unrecorded(
    server: FeedServer, engine: sa.Engine, matcher: Matcher
) -> None:
    registry = FeedRegistry(engine)
    first = registry.add(server.url("/trickle"), interval=600).id
    second = registry.add(server.url("/continue"), interval=600).id
    poller = Poller(engine, matcher=matcher, registry=registry, update_projections=False,
                    fetch_deadline=20.0, cycle_deadline=1.0, max_workers=1)
    summary = poller.cycle(due_only=False)
    poller.close()
    assert summary.feeds == 1
    feeds = {f.id: f for f in registry.all()}
    assert reasons.reason_of(feeds[first].last_error) == reasons.CYCLE_DEADLINE
    assert feeds[second].last_poll_at is None and feeds[second].consecutive_errors == 0


def test_poll_once_ends_at_the_fetch_deadline_and_names_it_in_feeds_status(
    server: FeedServer, sqlite_url: str
) -> None:
    import subprocess
    import sys

    tracker = [sys.executable, "-c", "from tracker.cli import main; main()", "--db", sqlite_url]
    env = {"TRACKER_STORIES_DIR": str(DATA / "stories"), "PATH": str(Path(sys.executable).parent)}
    for path in ("/trickle", "/continue", "/chunks"):
        subprocess.run([*tracker, "feeds", "add", server.url(path)], check=True, capture_output=True, env=env)
    started = time.monotonic()
    done = subprocess.run([*tracker, "poll", "--once", "--fetch-deadline", "2"], capture_output=True,
                          text=True, env=env, timeout=60)
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "feeds 3: ok 0" in done.stdout and "errors 3" in done.stdout
    assert took < DEADLINE + 8  # interpreter start-up included
    status = subprocess.run([*tracker, "feeds", "status"], capture_output=True, text=True, env=env)
    assert status.stdout.count("last error: deadline: fetch took longer than 2 s") == 3, status.stdout
