"""Drill helpers: real ``tracker worker`` subprocesses, feeds that keep publishing, log counts.

* :class:`WorkerProc` runs ``tracker --db URL worker --tick 1`` with its stderr
  (JSON log lines) in a file, and stops it with SIGTERM or SIGKILL.
* :class:`Publisher` serves growing RSS feeds on a :class:`FeedServer`: every
  :meth:`Publisher.publish` adds items about the tracked story, so the test knows
  every item it published and can count lost and duplicated ones in the log.
* :func:`observed_counts` counts ``ArticleObserved`` events per item id.
* :func:`wait_until` waits for a condition, bounded (a drill never hangs).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import IO

import orjson
import sqlalchemy as sa
from httpfeeds import FeedServer

from tracker.eventlog.store import EventStore

TRACKER = Path(sys.executable).with_name("tracker")
BASE_TIME = datetime(2023, 11, 18, 9, 0, tzinfo=UTC)


def tracker_command(url: str, *args: str) -> list[str]:
    """Return the argv of a tracker command on a database."""
    return [str(TRACKER), "--db", url, *args]


def wait_until(check: Callable[[], bool], *, timeout: float, every: float = 0.1) -> bool:
    """Check a condition until it holds or the timeout passes; return whether it held."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)


class WorkerProc:
    """One ``tracker worker`` subprocess with its log in a file."""

    def __init__(self, url: str, log_path: Path, *, tick: float = 1.0, lease: float = 3.0,
                 fetchers: int = 16) -> None:
        self.log_path = log_path
        env = {**os.environ, "TRACKER_LEASE_SECONDS": str(lease), "PYTHONUNBUFFERED": "1"}
        self._log: IO[bytes] = open(log_path, "ab")  # noqa: SIM115 - closed in wait()
        self._start = log_path.stat().st_size
        self.proc = subprocess.Popen(
            tracker_command(url, "worker", "--tick", str(tick), "--workers", str(fetchers)),
            stdout=subprocess.DEVNULL, stderr=self._log, env=env,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def lines(self) -> list[dict[str, object]]:
        """Return this run's JSON log records."""
        out = []
        with open(self.log_path, "rb") as handle:
            handle.seek(self._start)
            for line in handle.read().decode("utf-8", "replace").splitlines():
                start = line.find("{")
                if start >= 0:
                    try:
                        out.append(orjson.loads(line[start:]))
                    except orjson.JSONDecodeError:
                        continue
        return out

    def events(self, name: str) -> list[dict[str, object]]:
        return [r for r in self.lines() if r.get("event") == name]

    def kill9(self) -> int:
        self.proc.send_signal(signal.SIGKILL)
        return self.wait()

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM once it runs (its signal handlers are set), then wait for the exit status."""
        wait_until(lambda: not self.alive() or bool(self.events("worker_started")), timeout=timeout)
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.wait()
            return -9

    def wait(self, timeout: float | None = None) -> int:
        code = self.proc.wait(timeout)
        self._log.close()
        return code


def _item(path: str, n: int) -> tuple[str, bytes]:
    guid = f"{path.strip('/')}-{n}"
    when = format_datetime(BASE_TIME + timedelta(minutes=n), usegmt=True)
    text = (
        f"<item><title>OpenAI board statement {guid} on the chief executive</title>"
        f"<link>https://drill.example{path}/{n}</link><guid isPermaLink=\"false\">{guid}</guid>"
        f"<pubDate>{when}</pubDate>"
        f"<description>The OpenAI board and Sam Altman: drill note {guid}.</description></item>"
    )
    return guid, text.encode()


class Publisher:
    """Growing feeds: each publish adds items to a feed's body (a new ETag each time)."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self.items: dict[str, list[bytes]] = {}
        self.published: list[str] = []
        self.fetches: dict[str, list[float]] = {}  # path -> monotonic times of every GET
        self._lock = threading.Lock()

    def add_feed(self, path: str, initial: int = 0) -> str:
        with self._lock:
            self.items[path] = []
        self._serve(path)
        if initial:
            self.publish(path, initial)
        return self.server.url(path)

    def publish(self, path: str, count: int = 1) -> list[str]:
        """Add items to one feed; return their guids."""
        with self._lock:
            made = []
            for _ in range(count):
                guid, text = _item(path, len(self.items[path]))
                self.items[path].append(text)
                self.published.append(guid)
                made.append(guid)
        self._serve(path)
        return made

    def _serve(self, path: str) -> None:
        with self._lock:
            body = (
                b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                b"<title>Drill desk</title><link>https://drill.example" + path.encode() + b"</link>"
                b"<description>Items written for the drills.</description>"
                + b"".join(reversed(self.items[path])) + b"</channel></rss>"
            )
        self.server.feed(path, body)
        inner = self.server.routes[path]

        def counted(handler: BaseHTTPRequestHandler) -> None:
            with self._lock:
                self.fetches.setdefault(path, []).append(time.monotonic())
            inner(handler)

        self.server.route(path, counted)


def observed_counts(url_or_engine: str | sa.Engine) -> Counter[str]:
    """Return how many ArticleObserved events the log holds per item id."""
    engine = sa.create_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        store = EventStore(engine)
        return Counter(str(e.payload["item_id"]) for e in store.read(types=["ArticleObserved"]))
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def set_intervals(engine: sa.Engine, seconds: int) -> None:
    """Set every feed's poll interval (below the CLI's minimum: drills only)."""
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE feeds SET interval_s = {int(seconds)}")


def pg_ready() -> bool:
    """Return whether PostgreSQL at 127.0.0.1 answers."""
    done = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False)
    return done.returncode == 0
