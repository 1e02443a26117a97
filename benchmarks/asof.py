"""``state --as-of T`` at random instants: as a library call and as a whole CLI process."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import OUT, percentiles, stopwatch

SEED = 20231117


def check() -> None:
    """Raise unless the query API exists."""
    from tracker.ingest.importer import import_paths  # noqa: F401
    from tracker.projections.query import state  # noqa: F401


def _instants(path: str, count: int) -> list[int]:
    """Return ``count`` random instants (microseconds) within the log's event times."""
    conn = sqlite3.connect(path)
    low, high = conn.execute("SELECT MIN(occurred_at), MAX(occurred_at) FROM events").fetchone()
    conn.close()
    rng = random.Random(SEED)
    return [rng.randint(low, high) for _ in range(count)]


def in_process(path: str, samples: int) -> dict[str, Any]:
    """Time ``query.state(engine, as_of=T)`` (the library call, projections refreshed)."""
    from tracker import db, projections
    from tracker.projections.query import state
    from tracker.timeutil import from_micros

    engine = db.open_database(f"sqlite:///{path}")
    with stopwatch() as warm:
        projections.update(engine)  # bring projections to the end of the log first
    times: list[float] = []
    cpu: list[float] = []
    for at in _instants(path, samples):
        start, start_cpu = time.perf_counter(), time.process_time()
        state(engine, as_of=from_micros(at))
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    engine.dispose()
    cpu_figures = percentiles(cpu)
    return {**percentiles(times), "cpu_median_ms": cpu_figures["median_ms"],
            "cpu_p99_ms": cpu_figures["p99_ms"], "warmup_seconds": round(warm["seconds"], 2)}


def cli(path: str, samples: int) -> dict[str, Any]:
    """Time ``tracker --db URL state --as-of T`` as a whole process (wall and CPU time)."""
    from tracker.timeutil import from_micros, isoformat

    tracker = str(Path(sys.executable).parent / "tracker")
    wall: list[float] = []
    cpu: list[float] = []
    failures = 0
    env = {**os.environ, "TRACKER_DATABASE_URL": ""}
    for at in _instants(path, samples):
        command = [tracker, "--db", f"sqlite:///{path}", "state", "--as-of",
                   isoformat(from_micros(at)) or ""]
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((usage.ru_utime + usage.ru_stime) * 1000)
        proc.returncode = os.waitstatus_to_exitcode(status)
        failures += proc.returncode != 0
    cpu_figures = percentiles(cpu)
    return {**percentiles(wall), "cpu_median_ms": cpu_figures["median_ms"],
            "cpu_p99_ms": cpu_figures["p99_ms"], "failures": failures}


def after_new_article(path: str, samples: int) -> dict[str, Any]:
    """Time the first ``tracker state`` after one new matching article (a copy of the log).

    The new article makes a claim about a tracked slot, so the query first projects
    it and then resolves the story's transitions again over all of its evidence. The
    first sample is reported apart (``first_ms``): after a change of code, rules or
    story files it also fills the extraction's cache folder for the processes after it.
    """
    from datetime import timedelta

    copy = OUT / "asof-after-new.sqlite"
    engine, store, newest = _copy_with_projections(path, copy)
    tracker = str(Path(sys.executable).parent / "tracker")
    env = {**os.environ, "TRACKER_DATABASE_URL": ""}
    wall: list[float] = []
    try:
        for n in range(samples + 1):
            store.append([_new_article(n, newest + timedelta(hours=n + 1))])
            start = time.perf_counter()
            subprocess.run([tracker, "--db", f"sqlite:///{copy}", "state"], check=True,
                           stdout=subprocess.DEVNULL, env=env)
            wall.append((time.perf_counter() - start) * 1000)
    finally:
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return {**percentiles(wall[1:]), "first_ms": round(wall[0], 2), "samples": samples}


def _copy_with_projections(path: str, copy: Path) -> tuple[Any, Any, Any]:
    """Copy the log to ``copy``, bring its projections up to date (not timed); return its
    engine, its store and the time of its newest event."""
    from tracker import db, projections
    from tracker.eventlog.store import EventStore
    from tracker.timeutil import from_micros

    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(path, copy)
    engine = db.open_database(f"sqlite:///{copy}")
    projections.update(engine)
    conn = sqlite3.connect(copy)
    (high,) = conn.execute("SELECT MAX(occurred_at) FROM events").fetchone()
    conn.close()
    return engine, EventStore(engine), from_micros(high)


def _new_article(n: int, at: Any) -> Any:
    """Return the benchmark's new claim-making article ``n``, published at ``at``."""
    from tracker.eventlog.events import ArticleObserved
    from tracker.eventlog.store import NewEvent
    from tracker.timeutil import isoformat

    person = ("Emmett Shear", "Mira Murati", "Sam Altman")[n % 3]
    event = ArticleObserved(
        article_id=f"bench-new-{n}", feed_url="https://bench.example/rss",
        publisher="bench.example", item_id=f"bench-new-{n}", link=f"https://bench.example/{n}",
        title=f"OpenAI names {person} interim chief executive, report {n} says", summary="",
        published=isoformat(at) or "", published_raw=None, language="en", stories=["openai"],
        content_hash=f"bench-new-{n}",
    )
    return NewEvent.from_domain(event, stream_id=f"article-bench-new-{n}", occurred_at=at)


def after_worker_catch_up(path: str, samples: int) -> dict[str, Any]:
    """Time what the worker pays: in one long-lived process, the projection update after one
    new article (as a poll cycle runs it, rules already loaded by an earlier one), and then
    the first ``tracker state`` process, which finds the projections at the end of the log."""
    from datetime import timedelta

    from tracker.ingest.poll import _update_projections

    copy = OUT / "asof-after-worker.sqlite"
    engine, store, newest = _copy_with_projections(path, copy)
    tracker = str(Path(sys.executable).parent / "tracker")
    env = {**os.environ, "TRACKER_DATABASE_URL": ""}
    update_ms: list[float] = []
    update_cpu: list[float] = []
    wall: list[float] = []
    try:
        for n in range(samples + 1):  # the first one warms the process up (rules compiled), untimed
            store.append([_new_article(n, newest + timedelta(hours=n + 1))])
            start, start_cpu = time.perf_counter(), time.process_time()
            _update_projections(engine)
            if n:
                update_ms.append((time.perf_counter() - start) * 1000)
                update_cpu.append((time.process_time() - start_cpu) * 1000)
            start = time.perf_counter()
            subprocess.run([tracker, "--db", f"sqlite:///{copy}", "state"], check=True,
                           stdout=subprocess.DEVNULL, env=env)
            if n:
                wall.append((time.perf_counter() - start) * 1000)
    finally:
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return {"catch_up": {**percentiles(update_ms), "cpu_median_ms": percentiles(update_cpu)["median_ms"]},
            "cli_after_catch_up": percentiles(wall), "samples": samples}


def corpus_db() -> str:
    """Return a copy of the imported corpus log for the CLI figure on the corpus."""
    from benchmarks.generate import template, template_path

    target = OUT / "asof-corpus.sqlite"
    if not target.exists():
        template()
        shutil.copyfile(template_path(), target)
    return str(target)


def prepare_corpus() -> dict[str, Any]:
    """Make the corpus copy and build its projections (not timed as a query)."""
    from tracker import db, projections

    path = corpus_db()
    engine = db.open_database(f"sqlite:///{path}")
    with stopwatch() as t:
        projections.update(engine)
    engine.dispose()
    return {"path": path, "projection_update_seconds": round(t["seconds"], 2)}


def run(events: int, quick: bool, probe: Any) -> dict[str, Any]:
    """Sample the generated log in-process and by CLI, and the corpus by CLI."""
    generated = probe("rebuild", "generate_log", events=events)
    path = generated["path"]
    library = probe("asof", "in_process", path=path, samples=50 if quick else 200)
    whole = probe("asof", "cli", path=path, samples=5 if quick else 20)
    corpus = probe("asof", "prepare_corpus")
    corpus_cli = probe("asof", "cli", path=corpus["path"], samples=5 if quick else 20)
    corpus_library = probe("asof", "in_process", path=corpus["path"], samples=50 if quick else 200)
    fresh = probe("asof", "after_new_article", path=path, samples=2 if quick else 7)
    worker = probe("asof", "after_worker_catch_up", path=path, samples=2 if quick else 5)
    return {
        "status": "ok",
        "events": events,
        "in_process": library,
        "in_process_target": "p99 <= 50 ms",
        "in_process_met": library["p99_ms"] <= 50,
        "cli": whole,
        "cli_after_new_article": fresh,
        "worker_after_new_article": worker,
        "corpus": {"in_process": corpus_library, "cli": corpus_cli},
    }
