"""A full projection rebuild over the generated log beside a raw scan-and-decode of its rows."""

from __future__ import annotations

from typing import Any

from benchmarks.common import rate, ratio, stopwatch


def check() -> None:
    """Raise unless the projection rebuild API exists."""
    from tracker.ingest.importer import import_paths  # noqa: F401
    from tracker.projections.engine import rebuild  # noqa: F401


def generate_log(events: int, stories: int = 1) -> dict[str, Any]:
    """Build or reuse the generated log (see benchmarks/generate.py)."""
    from benchmarks.generate import generate

    return generate(events, stories)


def raw_scan(path: str) -> dict[str, Any]:
    """Read every event row with plain sqlite3 and json.loads its payload and metadata."""
    from benchmarks.log import plain_scan

    return plain_scan(path)


def tracker_rebuild(path: str, stories: str | None = None) -> dict[str, Any]:
    """Drop every projection and rebuild it from position 0 (the stories of a folder, or
    the configured ones)."""
    from pathlib import Path

    from tracker import db
    from tracker.eventlog.store import EventStore
    from tracker.projections.engine import rebuild
    from tracker.stories.definition import load_stories

    engine = db.open_database(f"sqlite:///{path}")
    count = EventStore(engine).count()
    found = None if stories is None else load_stories(Path(stories))
    with stopwatch() as t:
        position = rebuild(engine, found)
    with engine.connect() as conn:
        changes = conn.exec_driver_sql(
            "SELECT story, count(*) FROM proj_transitions GROUP BY story").all()
    engine.dispose()
    return {"events": count, "position": position, "seconds": round(t["seconds"], 3),
            "rate": rate(count, t["seconds"]), "stories": len(changes),
            "transitions": sum(n for _, n in changes)}


def run(events: int, quick: bool, probe: Any) -> dict[str, Any]:
    """Generate (or reuse) the log, then time the raw scan and the rebuild; then the same
    with ten stories, each with its share of the log (see benchmarks/generate.py)."""
    from benchmarks.common import OUT
    from benchmarks.stories import make_stories

    generated = probe("rebuild", "generate_log", events=events)
    path = generated["path"]
    base = probe("rebuild", "raw_scan", path=path)
    ours = probe("rebuild", "tracker_rebuild", path=path)
    r = ratio(ours["rate"], base["rate"])
    folder = make_stories(OUT / "stories-10")
    configured = probe("rebuild", "tracker_rebuild", path=path, stories=str(folder))
    spread = probe("rebuild", "generate_log", events=events, stories=10)
    ten_base = probe("rebuild", "raw_scan", path=spread["path"])
    ten = probe("rebuild", "tracker_rebuild", path=spread["path"], stories=str(folder))
    ten_raw = ratio(ten["rate"], ten_base["rate"])
    ten_vs_one = round(ten["seconds"] / ours["seconds"], 3)
    return {
        "status": "ok",
        "events": events,
        "log": generated,
        "rebuild": ours,
        "raw_scan_decode": base,
        "ratio": r,
        "target": ">= 0.5",
        "met": r >= 0.5,
        "ten_stories_configured": {
            "rebuild": configured, "vs_one_story": round(configured["seconds"] / ours["seconds"], 3),
            "ratio_to_raw": ratio(configured["rate"], base["rate"]),
        },
        "ten_stories": {
            "log": spread, "rebuild": ten, "raw_scan_decode": ten_base,
            "ratio_to_raw": ten_raw, "ratio_to_raw_target": ">= 0.6",
            "vs_one_story": ten_vs_one, "vs_one_story_target": "<= 2",
            "met": ten_raw >= 0.6 and ten_vs_one <= 2,
        },
    }
