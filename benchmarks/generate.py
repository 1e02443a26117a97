"""Generate a large, realistic, valid event log from the corpus (deterministic, cached).

How: import the corpus once (``import_paths``, no projections) into
``benchmarks/out/corpus-log-v<V>.sqlite``; take its events in log order as a
template; then append copies of the template until the log holds N events. Copy
``k`` moves every instant (``occurred_at``, ``published``) forward by ``k`` x 19
hours, so a million events (about 2,300 copies of the corpus' 439 matching
observations) span about five years with many copies overlapping; it also
renames the copy's articles, streams, idempotency keys and publishers
(``p007.bbc.co.uk``), so every copy is a distinct set of observations.
Knowledge time is the newest event time of each batch plus 15 minutes (never
going back). Everything goes through ``EventStore.append`` in batches of 5,000,
so the result is a valid chained log; the generator runs ``verify`` on it.

No randomness is involved: the same corpus, N and :data:`VERSION` give the same
events. The file is cached as ``benchmarks/out/log-<N>-v<V>.sqlite`` and reused
while its metadata file says it is complete. Run it alone with::

    .venv/bin/python -m benchmarks.generate 1000000
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import CORPUS, OUT, fresh_sqlite, stopwatch

VERSION = 1
SHIFT = timedelta(hours=19)
BATCH = 5000
KNOWN_AFTER = timedelta(minutes=15)


def template_path() -> Path:
    return OUT / f"corpus-log-v{VERSION}.sqlite"


def log_path(events: int, stories: int = 1) -> Path:
    spread = "" if stories == 1 else f"-s{stories}"
    return OUT / f"log-{events}{spread}-v{VERSION}.sqlite"


def _meta(path: Path) -> Path:
    return path.with_suffix(".json")


def _complete(path: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads(_meta(path).read_text())
    except (OSError, ValueError):
        return None
    return meta if meta.get("complete") and path.exists() else None


def template() -> list[Any]:
    """Return the corpus' events in log order (importing the corpus the first time)."""
    from tracker import db
    from tracker.eventlog.store import EventStore
    from tracker.ingest.importer import import_paths

    path = template_path()
    if _complete(path) is None:
        engine = db.open_database(f"sqlite:///{fresh_sqlite(path)}")
        summary = import_paths(engine, [CORPUS], update_projections=False)
        engine.dispose()
        _meta(path).write_text(json.dumps({"complete": True, "appended": summary.appended}))
    engine = db.open_database(f"sqlite:///{path}")
    events = list(EventStore(engine).read())
    engine.dispose()
    return events


def _publisher(name: str, copy: int) -> str:
    return name if copy == 0 else f"p{copy:03d}.{name}"


def _shift_text(value: Any, delta: timedelta) -> Any:
    if not isinstance(value, str) or not value:
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return (moment + delta).astimezone(UTC).isoformat().replace("+00:00", "Z")


def _story_copy(out: dict[str, Any], index: int) -> None:
    """Make a copy's observation one of story ``openai<index>`` (renamed as benchmarks/stories)."""
    from benchmarks.stories import rename

    for name in ("title", "summary", "value", "note"):
        if isinstance(out.get(name), str):
            out[name] = rename(out[name], index)
    if isinstance(out.get("stories"), list):
        out["stories"] = [f"{s}{index}" for s in out["stories"]]
    if isinstance(out.get("story"), str):
        out["story"] = f"{out['story']}{index}"


def _copy_payload(payload: dict[str, Any], copy: int, delta: timedelta,
                  stories: int = 1) -> dict[str, Any]:
    out = dict(payload)
    if copy % stories:
        _story_copy(out, copy % stories)
    suffix = f"~{copy}" if copy else ""
    if "article_id" in out:
        out["article_id"] = f"{out['article_id']}{suffix}"
    if isinstance(out.get("publisher"), str):
        out["publisher"] = _publisher(out["publisher"], copy)
    for name in ("published", "at"):
        if name in out:
            out[name] = _shift_text(out[name], delta)
    if copy and isinstance(out.get("feed_url"), str):
        out["feed_url"] = out["feed_url"].replace("://", f"://p{copy:03d}.", 1)
    return out


def generate(events: int, stories: int = 1) -> dict[str, Any]:
    """Build (or reuse) the log of ``events`` events; return its metadata.

    With ``stories`` > 1, copy ``k`` belongs to story ``openai<k mod stories>`` (the
    copies of :mod:`benchmarks.stories`): its names are renamed as that story spells
    them, so each of the stories has its share of the evidence.
    """
    from tracker import db
    from tracker.eventlog.store import EventStore, NewEvent
    from tracker.timeutil import from_micros

    path = log_path(events, stories)
    cached = _complete(path)
    if cached is not None:
        return {**cached, "cached": True}
    source = template()
    if not source:
        raise RuntimeError("the corpus import produced no events")
    engine = db.open_database(f"sqlite:///{fresh_sqlite(path)}")
    clock_now = [datetime(2000, 1, 1, tzinfo=UTC)]
    store = EventStore(engine, clock=lambda: clock_now[0])
    written = 0
    copies = 0
    with stopwatch() as t:
        batch: list[NewEvent] = []
        for copy, event in _stream(source, events):
            copies = copy + 1
            delta = SHIFT * copy
            suffix = f"~{copy}" if copy else ""
            batch.append(NewEvent(
                stream_id=f"{event.stream_id}{suffix}",
                type=event.type,
                payload=_copy_payload(event.payload, copy, delta, stories),
                occurred_at=from_micros(event.occurred_us) + delta,
                idempotency_key=None if event.idempotency_key is None
                else f"{event.idempotency_key}{suffix}",
                schema_version=event.schema_version,
                metadata=event.metadata,
            ))
            if len(batch) == BATCH:
                written += _append(store, batch, clock_now)
                batch = []
        if batch:
            written += _append(store, batch, clock_now)
    report = store.verify()
    engine.dispose()
    if not report.ok:
        raise RuntimeError(f"generated log does not verify at position {report.broken_position}")
    meta = {"complete": True, "events": report.events, "copies": copies, "template_events": len(source),
            "version": VERSION, "stories": stories, "generate_seconds": round(t["seconds"], 1), "verified": True,
            "path": str(path)}
    _meta(path).write_text(json.dumps(meta))
    return {**meta, "cached": False}


def _stream(source: list[Any], events: int) -> Any:
    """Yield (copy number, template event) until ``events`` have been yielded."""
    made = 0
    copy = 0
    while True:
        for event in source:
            if made >= events:
                return
            yield copy, event
            made += 1
        copy += 1


def _append(store: Any, batch: list[Any], clock_now: list[datetime]) -> int:
    newest = max(item.occurred_at for item in batch)
    clock_now[0] = max(clock_now[0], newest + KNOWN_AFTER)
    return len(store.append(batch))


if __name__ == "__main__":
    print(json.dumps(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000,
                              int(sys.argv[2]) if len(sys.argv) > 2 else 1)))
