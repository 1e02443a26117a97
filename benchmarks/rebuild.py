"""A full projection rebuild over the generated log beside a raw scan-and-decode of its rows."""

from __future__ import annotations

from typing import Any

from benchmarks.common import rate, ratio, stopwatch


def check() -> None:
    """Raise unless the projection rebuild API exists."""
    from tracker.ingest.importer import import_paths  # noqa: F401
    from tracker.projections.engine import rebuild  # noqa: F401


def generate_log(events: int) -> dict[str, Any]:
    """Build or reuse the generated log (see benchmarks/generate.py)."""
    from benchmarks.generate import generate

    return generate(events)


def raw_scan(path: str) -> dict[str, Any]:
    """Read every event row with plain sqlite3 and json.loads its payload and metadata."""
    from benchmarks.log import plain_scan

    return plain_scan(path)


def tracker_rebuild(path: str) -> dict[str, Any]:
    """Drop every projection and rebuild it from position 0."""
    from tracker import db
    from tracker.eventlog.store import EventStore
    from tracker.projections.engine import rebuild

    engine = db.open_database(f"sqlite:///{path}")
    count = EventStore(engine).count()
    with stopwatch() as t:
        position = rebuild(engine)
    engine.dispose()
    return {"events": count, "position": position, "seconds": round(t["seconds"], 3),
            "rate": rate(count, t["seconds"])}


def run(events: int, quick: bool, probe: Any) -> dict[str, Any]:
    """Generate (or reuse) the log, then time the raw scan and the rebuild."""
    generated = probe("rebuild", "generate_log", events=events)
    path = generated["path"]
    base = probe("rebuild", "raw_scan", path=path)
    ours = probe("rebuild", "tracker_rebuild", path=path)
    r = ratio(ours["rate"], base["rate"])
    return {
        "status": "ok",
        "events": events,
        "log": generated,
        "rebuild": ours,
        "raw_scan_decode": base,
        "ratio": r,
        "target": ">= 0.5",
        "met": r >= 0.5,
    }
