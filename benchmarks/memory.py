"""The worker's peak RSS polling one hostile feed: crafted text, decompression bombs, 200,000 items.

A server process (the test suite's ``tests/httpfeeds.py``) serves every body
from 127.0.0.1; each poll runs in a process of its own (one ``Poller.cycle``
over one feed into a fresh SQLite file, real stories and extraction), so each
figure is the peak RSS of a worker that met that body alone. The baseline is
the same worker polling a plain good feed, in the same run.

Run alone: ``.venv/bin/python benchmarks/run.py --only memory``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import OUT, ROOT, fresh_sqlite, stopwatch

TARGET_MB = 150.0
BOMB_BYTES = 2048 * 1024 * 1024  # what the bombs inflate to
ITEMS = 200_000


def check() -> None:
    """Raise unless the poller, the test HTTP server and the hostile bodies exist."""
    from tracker.ingest.poll import Poller  # noqa: F401

    for name in ("httpfeeds.py", "hostile.py"):
        if not (ROOT / "tests" / name).exists():
            raise FileNotFoundError(f"tests/{name}")


def _cases(quick: bool) -> dict[str, tuple[str, str | None]]:
    """Return path -> (body kind, Content-Encoding) for every case."""
    sys.path.insert(0, str(ROOT / "tests"))
    from hostile import texts

    cases: dict[str, tuple[str, str | None]] = {"/good.xml": ("good", None)}
    for name in sorted(texts()):
        cases[f"/text/{name}"] = (name, None)
    cases["/bomb/gzip"] = ("bomb1", "gzip")
    cases["/bomb/gzip-gzip"] = ("bomb2", "gzip, gzip")
    cases["/many"] = ("many", None)
    return cases


def serve(quick: bool = False) -> None:
    """Serve every case's body; print ``ready <port>`` and serve until stdin closes."""
    sys.path.insert(0, str(ROOT / "tests"))
    from hostile import bomb, many_items, texts
    from httpfeeds import FeedServer

    made = texts()
    size = BOMB_BYTES // (8 if quick else 1)
    bodies: dict[str, bytes] = {
        "good": (ROOT / "tests" / "data" / "feeds" / "good.xml").read_bytes(),
        "bomb1": bomb(1, size),
        "bomb2": bomb(2, size),
        "many": many_items(ITEMS),
    }
    with FeedServer() as server:
        for path, (kind, coding) in _cases(quick).items():
            body = bodies[kind] if kind in bodies else made[kind]()
            server.route(path, lambda h, b=body, c=coding: _send(h, b, c))
        print(f"ready {server.port}", flush=True)
        sys.stdin.read()


def _send(h: Any, body: bytes, coding: str | None) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    if coding:
        h.send_header("Content-Encoding", coding)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def worker(port: int, path: str) -> dict[str, Any]:
    """Poll one feed once into a fresh SQLite file; report what the poll recorded."""
    from tracker import db
    from tracker.ingest.feeds import FeedRegistry
    from tracker.ingest.poll import Poller

    name = path.strip("/").replace("/", "-")
    engine = db.open_database(f"sqlite:///{fresh_sqlite(OUT / f'memory-{name}.sqlite')}")
    registry = FeedRegistry(engine)
    feed = registry.add(f"http://127.0.0.1:{port}{path}", interval=600)
    poller = Poller(engine, registry=registry)
    with stopwatch() as t:
        summary = poller.cycle(due_only=False)
    poller.close()
    after = registry.get(feed.id)
    engine.dispose()
    return {
        "seconds": round(t["seconds"], 3), "items": summary.items, "appended": summary.appended,
        "error": after.last_error, "warning": after.last_warning,
    }


def run(quick: bool, probe: Any) -> dict[str, Any]:
    """Start the server in its own process, then poll each case in a process of its own."""
    server = subprocess.Popen(
        [sys.executable, "-c", f"from benchmarks.memory import serve; serve({quick!r})"], cwd=ROOT,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": str(Path(sys.executable).parent)},
    )
    cases: dict[str, Any] = {}
    try:
        assert server.stdout is not None
        line = server.stdout.readline().split()
        if len(line) != 2 or line[0] != "ready":
            return {"status": "failed", "error": "hostile feed server did not start"}
        port = int(line[1])
        for path in _cases(quick):
            cases[path] = probe("memory", "worker", port=port, path=path)
    finally:
        if server.stdin:
            server.stdin.close()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    baseline = cases.pop("/good.xml")
    worst = max(cases.values(), key=lambda r: r["peak_rss_mb"])
    return {
        "status": "ok",
        "baseline_good_feed": baseline,
        "cases": cases,
        "worst_peak_rss_mb": worst["peak_rss_mb"],
        "worst_vs_baseline": round(worst["peak_rss_mb"] / baseline["peak_rss_mb"], 2),
        "bomb_inflates_to_mb": (BOMB_BYTES // (8 if quick else 1)) // (1024 * 1024),
        "target": f"worker peak RSS <= {TARGET_MB:g} MB on every hostile body",
        "met": all(r["peak_rss_mb"] <= TARGET_MB for r in cases.values()),
    }
