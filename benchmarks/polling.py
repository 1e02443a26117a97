"""One polling cycle over 1,000 local feeds: all 304, and all 200 with one new item each."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import OUT, ROOT, fresh_sqlite, stopwatch
from benchmarks.feedserver import FEEDS


def check() -> None:
    """Raise unless the poller and the test HTTP server exist."""
    from tracker.ingest.feeds import FeedRegistry  # noqa: F401
    from tracker.ingest.poll import Poller  # noqa: F401

    if not (ROOT / "tests" / "httpfeeds.py").exists():
        raise FileNotFoundError("tests/httpfeeds.py")


def worker(port: int, kind: str, quick: bool) -> dict[str, Any]:
    """Register the feeds, poll once to prime, then time one more cycle."""
    import httpx

    from tracker import db
    from tracker.ingest.feeds import FeedRegistry
    from tracker.ingest.poll import Poller

    feeds = 200 if quick else FEEDS
    engine = db.open_database(f"sqlite:///{fresh_sqlite(OUT / f'poll-{kind}.sqlite')}")
    registry = FeedRegistry(engine)
    for i in range(feeds):
        registry.add(f"http://127.0.0.1:{port}/{kind}/{i}.xml", interval=600)
    poller = Poller(engine)
    with stopwatch() as prime_t:
        prime = poller.cycle(due_only=False)
    if kind == "grow":
        httpx.get(f"http://127.0.0.1:{port}/control/advance", timeout=60).raise_for_status()
    with stopwatch() as t:
        summary = poller.cycle(due_only=False)
    poller.close()
    engine.dispose()
    return {
        "feeds": feeds, "seconds": round(t["seconds"], 3),
        "not_modified": summary.not_modified, "errors": summary.errors,
        "items": summary.items, "appended": summary.appended,
        "prime_seconds": round(prime_t["seconds"], 3), "prime_appended": prime.appended,
        "prime_errors": prime.errors,
    }


def feedparser_only(quick: bool) -> dict[str, Any]:
    """Parse the bodies the measured 200 cycle receives with feedparser alone (no HTTP, no DB)."""
    import feedparser

    from benchmarks.feedserver import body

    feeds = 200 if quick else FEEDS
    bodies = [body(i, 1, 50, f"/grow/{i}.xml", 0) for i in range(feeds)]
    with stopwatch() as t:
        items = sum(len(feedparser.parse(b).entries) for b in bodies)
    return {"feeds": feeds, "items": items, "seconds": round(t["seconds"], 3)}


def run(quick: bool, probe: Any) -> dict[str, Any]:
    """Start the feed server in its own process, then run each worker in its own."""
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.feedserver"], cwd=ROOT,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": str(Path(sys.executable).parent)},
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline().split()
        if len(line) != 2 or line[0] != "ready":
            return {"status": "failed", "error": "feed server did not start"}
        port = int(line[1])
        same = probe("polling", "worker", port=port, kind="same", quick=quick)
        grow = probe("polling", "worker", port=port, kind="grow", quick=quick)
        parse_only = probe("polling", "feedparser_only", quick=quick)
    finally:
        if server.stdin:
            server.stdin.close()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return {
        "status": "ok",
        "all_304": same,
        "one_new_of_50": grow,
        "feedparser_only_same_bodies": parse_only,
        "target": "<= 15 s per cycle, worker peak RSS <= 150 MB",
        "met": all(r["seconds"] <= 15 and r["peak_rss_mb"] <= 150 for r in (same, grow)),
    }
