"""Importing the corpus beside ``feedparser.parse`` alone over the same files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.common import CORPUS, OUT, fresh_sqlite, stopwatch

QUICK_FILES = 300


def corpus_files(quick: bool) -> list[Path]:
    """Return the corpus' feed files, in import order (a fixed subset when quick)."""
    files = sorted(CORPUS.glob("*/*.xml"))
    return files[:: max(1, len(files) // QUICK_FILES)] if quick else files


def feedparser_only(quick: bool) -> dict[str, Any]:
    """Parse every file with feedparser and nothing else."""
    import feedparser

    files = corpus_files(quick)
    items = 0
    with stopwatch() as t:
        for path in files:
            items += len(feedparser.parse(path.read_bytes()).entries)
    return {"files": len(files), "items": items, "seconds": round(t["seconds"], 3)}


def tracker_import(quick: bool, path: str, projections: bool,
                   stories: str | None = None) -> dict[str, Any]:
    """Run ``import_paths`` over the same files into a fresh SQLite file (``stories``:
    a folder of story files instead of the shipped one)."""
    from tracker import db
    from tracker.ingest.importer import import_paths

    engine = db.open_database(f"sqlite:///{fresh_sqlite(Path(path))}")
    files = corpus_files(quick)
    with stopwatch() as t:
        summary = import_paths(engine, files, update_projections=False,
                               stories_dir=None if stories is None else Path(stories))
    result: dict[str, Any] = {
        "files": summary.files, "items": summary.items, "matched": summary.matched,
        "appended": summary.appended, "errors": summary.errors, "seconds": round(t["seconds"], 3),
    }
    if projections:
        from tracker import projections as projection

        with stopwatch() as p:
            projection.update(engine)
        result["projections_seconds"] = round(p["seconds"], 3)
    engine.dispose()
    return result


def check() -> None:
    """Raise unless the import API exists."""
    from tracker.ingest.importer import import_paths  # noqa: F401

    if not CORPUS.is_dir():
        raise FileNotFoundError(f"corpus not found at {CORPUS}")


def run(quick: bool, probe: Any) -> dict[str, Any]:
    """Import vs feedparser (each in its own process), then projections on the import."""
    base = probe("ingest", "feedparser_only", quick=quick)
    ours = probe("ingest", "tracker_import", quick=quick,
                 path=str(OUT / ("corpus-quick.sqlite" if quick else "corpus.sqlite")),
                 projections=False)
    with_projections = probe("ingest", "tracker_import", quick=quick,
                             path=str(OUT / ("corpus-quick.sqlite" if quick else "corpus.sqlite")),
                             projections=True)
    from benchmarks.stories import make_stories

    folder = make_stories(OUT / "stories-10")
    ten = probe("ingest", "tracker_import", quick=quick,
                path=str(OUT / ("corpus-10-quick.sqlite" if quick else "corpus-10.sqlite")),
                projections=False, stories=str(folder))
    ratio = round(ours["seconds"] / base["seconds"], 3)
    ten_ratio = round(ten["seconds"] / base["seconds"], 3)
    return {
        "status": "ok",
        "import": ours,
        "feedparser_only": base,
        "time_ratio": ratio,
        "time_ratio_target": "<= 1.2",
        "time_ratio_met": ratio <= 1.2,
        "peak_rss_target_mb": 300,
        "peak_rss_met": ours["peak_rss_mb"] <= 300,
        "import_then_projections": with_projections,
        "import_ten_stories": ten,
        "ten_stories_time_ratio": ten_ratio,
        "ten_stories_time_ratio_target": "<= 0.3",
        "ten_stories_time_ratio_met": ten_ratio <= 0.3,
        "ten_stories_same_appended": ten["appended"] == ours["appended"],
    }
