"""A whole ``tracker state --as-of T --json`` (and ``timeline --json``) process beside
``python -c pass``; and a rebuild with ten stories configured beside the same rebuild with one."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import OUT, ROOT, fresh_sqlite, stopwatch
from benchmarks.ingest import corpus_files

AS_OF = "2023-11-20T18:00:00Z"
SAMPLES, QUICK_SAMPLES = 30, 10


def prepare(path: str, quick: bool, stories: str | None = None) -> dict[str, Any]:
    """Import the corpus into a fresh file with projections built; compile the package."""
    from tracker import db
    from tracker.ingest.importer import import_paths

    # Byte-code as an installed package has it ($PYTHONDONTWRITEBYTECODE would make
    # every process compile the sources again).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "tracker")],
                   check=True, stdout=subprocess.DEVNULL, env=_env())
    engine = db.open_database(f"sqlite:///{fresh_sqlite(Path(path))}")
    summary = import_paths(engine, corpus_files(quick),
                           stories_dir=None if stories is None else Path(stories))
    engine.dispose()
    return {"appended": summary.appended}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}


def _once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    return (time.perf_counter() - start) * 1000


def processes(path: str, quick: bool) -> dict[str, Any]:
    """Time the two processes alternately, so both see the same machine."""
    tracker = str(Path(sys.executable).parent / "tracker")
    env = _env(TRACKER_DATABASE_URL=f"sqlite:///{path}")
    command = [tracker, "state", "--as-of", AS_OF, "--json"]
    listing = [tracker, "timeline", "--json"]
    _once(command, env)  # warm the page cache
    ours, lists, base = [], [], []
    for _ in range(QUICK_SAMPLES if quick else SAMPLES):
        base.append(_once([sys.executable, "-c", "pass"], env))
        ours.append(_once(command, env))
        lists.append(_once(listing, env))
    return {
        "samples": len(ours),
        "state_median_ms": round(statistics.median(ours), 1),
        "state_max_ms": round(max(ours), 1),
        "timeline_median_ms": round(statistics.median(lists), 1),
        "python_pass_median_ms": round(statistics.median(base), 1),
    }


def rebuild_once(path: str, copy: str, stories: str | None) -> dict[str, Any]:
    """Rebuild the projections of a copy of an imported file, with some stories configured."""
    from tracker import db
    from tracker.projections import engine as projection
    from tracker.stories.definition import load_stories

    shutil.copyfile(path, copy)
    engine = db.open_database(f"sqlite:///{copy}")
    found = load_stories(None if stories is None else Path(stories))
    with stopwatch() as t:
        position = projection.rebuild(engine, found, workers=0)
    engine.dispose()
    return {"stories": len(found), "events": position, "seconds": round(t["seconds"], 3)}


def check() -> None:
    """Raise unless the quick read path exists."""
    from tracker.fastread import quick_state  # noqa: F401


def run(quick: bool, probe: Any) -> dict[str, Any]:
    """The state process beside python; the ten-story rebuild beside the one-story one."""
    from benchmarks.stories import make_stories

    path = OUT / ("startup-quick.sqlite" if quick else "startup.sqlite")
    probe("startup", "prepare", path=str(path), quick=quick)
    timed = probe("startup", "processes", path=str(path), quick=quick)
    folder = make_stories(OUT / "stories-10")
    copy = str(OUT / "startup-rebuild.sqlite")
    one = [probe("startup", "rebuild_once", path=str(path), copy=copy, stories=None)
           for _ in range(3)]
    ten = [probe("startup", "rebuild_once", path=str(path), copy=copy, stories=str(folder))
           for _ in range(3)]
    one_s = statistics.median(r["seconds"] for r in one)
    ten_s = statistics.median(r["seconds"] for r in ten)
    rebuild_ratio = round(ten_s / one_s, 3)
    return {
        "status": "ok",
        "state_process": timed,
        "state_median_target_ms": 150,
        "state_median_met": timed["state_median_ms"] <= 150,
        "rebuild_one_story": {"median_seconds": one_s, "events": one[0]["events"],
                              "peak_rss_mb": max(r["peak_rss_mb"] for r in one)},
        "rebuild_ten_stories": {"median_seconds": ten_s, "events": ten[0]["events"],
                                "peak_rss_mb": max(r["peak_rss_mb"] for r in ten)},
        "ten_stories_rebuild_ratio": rebuild_ratio,
        "ten_stories_rebuild_ratio_target": "<= 2",
        "ten_stories_rebuild_ratio_met": rebuild_ratio <= 2,
    }
