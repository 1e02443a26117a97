"""The event log beside plain ``sqlite3``: append in batches, then scan and decode.

Both sides write the same rows (same columns, same values, same indexes and
triggers: the plain table is created from the DDL the migrations produced),
1,000 rows per transaction, one commit per batch, the same pragmas (WAL,
synchronous=NORMAL). The plain side serialises with ``json.dumps`` and reads
with ``json.loads``; it neither checks idempotency keys or stream versions nor
chains hashes (its hash columns get cheap placeholder strings of the same size),
which is the work the store adds.
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import OUT, fresh_sqlite, rate, ratio, stopwatch

BATCH = 1000
_WORDS = ["board", "chief", "executive", "investors", "talks", "return", "company", "staff", "letter", "interim", "model", "release", "market", "deal", "shares", "report", "week", "sources", "meeting", "statement", "company", "research", "safety", "product", "developer", "cloud", "partner", "agreement", "week"]
_PUBLISHERS = [f"news{i}.example" for i in range(60)]


def synthetic_events(count: int, first: int = 0) -> list[dict[str, Any]]:
    """Return events ``first .. first+count-1``: realistic ArticleObserved rows (~600-byte payloads)."""
    rng = random.Random(first)
    start = datetime(2023, 11, 1, tzinfo=UTC)
    rows = []
    for i in range(first, first + count):
        publisher = rng.choice(_PUBLISHERS)
        published = start + timedelta(seconds=i * 37)
        article_id = f"{publisher}:{i:08d}"
        title = " ".join(rng.choices(_WORDS, k=rng.randint(6, 14))).capitalize()
        summary = " ".join(rng.choices(_WORDS, k=rng.randint(25, 60))).capitalize() + "."
        rows.append({
            "stream_id": f"article-{article_id}",
            "type": "ArticleObserved",
            "occurred_at": published,
            "idempotency_key": f"observed:{article_id}",
            "payload": {
                "article_id": article_id,
                "feed_url": f"https://{publisher}/rss.xml",
                "publisher": publisher,
                "item_id": f"https://{publisher}/story/{i}",
                "link": f"https://{publisher}/story/{i}",
                "title": title,
                "summary": summary,
                "published": published.isoformat().replace("+00:00", "Z"),
                "published_raw": published.strftime("%a, %d %b %Y %H:%M:%S +0000"),
                "language": "en",
                "stories": ["openai-leadership"],
                "content_hash": f"{rng.getrandbits(256):064x}",
                "feed_title": publisher,
            },
        })
    return rows


def _schema(url_path: Path) -> list[str]:
    """Return the DDL the migrations created for ``events`` (table, indexes, triggers)."""
    conn = sqlite3.connect(url_path)
    try:
        return [r[0] for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL "
            "ORDER BY type = 'table' DESC"
        )]
    finally:
        conn.close()


def _batches(events: int) -> Any:
    """Yield the synthetic events in batches of 1,000 (made as needed, not all at once)."""
    for start in range(0, events, BATCH):
        yield synthetic_events(min(BATCH, events - start), first=start)


def tracker_append(events: int, path: str) -> dict[str, Any]:
    """Append ``events`` through EventStore in batches of 1,000; time the appends only."""
    import time

    from tracker import db
    from tracker.eventlog.store import EventStore, NewEvent

    engine = db.open_database(f"sqlite:///{fresh_sqlite(Path(path))}")
    store = EventStore(engine)
    seconds = 0.0
    for rows in _batches(events):
        batch = [NewEvent(**row) for row in rows]
        start = time.perf_counter()
        store.append(batch)
        seconds += time.perf_counter() - start
    engine.dispose()
    return {"events": events, "seconds": round(seconds, 3), "rate": rate(events, seconds)}


def plain_append(events: int, path: str, schema_from: str) -> dict[str, Any]:
    """Insert the same rows with plain sqlite3 + json.dumps, 1,000 per commit."""
    import time

    ddl = _schema(Path(schema_from))
    conn = sqlite3.connect(fresh_sqlite(Path(path)), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    for statement in ddl:
        conn.execute(statement)
    insert = "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    seconds = 0.0
    position = 0
    for rows in _batches(events):
        start = time.perf_counter()
        values = []
        recorded = int((datetime.now(UTC) - epoch).total_seconds() * 1_000_000)
        for row in rows:
            position += 1
            values.append((
                position, row["stream_id"], 1, row["type"], 1,
                int((row["occurred_at"] - epoch).total_seconds() * 1_000_000), recorded,
                json.dumps(row["payload"]), "{}", row["idempotency_key"],
                f"{position - 1:064x}", f"{position:064x}",
            ))
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(insert, values)
        conn.execute("COMMIT")
        seconds += time.perf_counter() - start
    conn.close()
    return {"events": events, "seconds": round(seconds, 3), "rate": rate(events, seconds)}


def tracker_scan(path: str, typed: bool = False) -> dict[str, Any]:
    """Read the whole log through EventStore.read (payloads decoded)."""
    from tracker import db
    from tracker.eventlog.store import EventStore

    engine = db.open_database(f"sqlite:///{path}")
    store = EventStore(engine)
    count = 0
    with stopwatch() as t:
        if typed:
            for event in store.read():
                event.decoded()
                count += 1
        else:
            for _event in store.read():
                count += 1
    engine.dispose()
    return {"events": count, "seconds": round(t["seconds"], 3), "rate": rate(count, t["seconds"])}


def plain_scan(path: str) -> dict[str, Any]:
    """Read the whole table with plain sqlite3, json.loads on payload and metadata."""
    conn = sqlite3.connect(path)
    count = 0
    with stopwatch() as t:
        cursor = conn.execute("SELECT * FROM events ORDER BY position")
        while rows := cursor.fetchmany(5000):
            for row in rows:
                (row[0], row[1], json.loads(row[7]), json.loads(row[8]))
                count += 1
    conn.close()
    return {"events": count, "seconds": round(t["seconds"], 3), "rate": rate(count, t["seconds"])}


def check() -> None:
    """Raise unless the event store can be imported."""
    from tracker.eventlog.store import EventStore  # noqa: F401


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the fastest of repeated runs, with every run's rate kept beside it."""
    best = max(runs, key=lambda r: r["rate"])
    return {**best, "runs": [r["rate"] for r in runs]}


def run(events: int, probe: Any, repeats: int = 3) -> dict[str, Any]:
    """Run the section: each measurement in its own process, alternating sides, best of N."""
    ours_db = str(OUT / "log-tracker.sqlite")
    plain_db = str(OUT / "log-plain.sqlite")
    appends: dict[str, list[dict[str, Any]]] = {"ours": [], "plain": []}
    scans: dict[str, list[dict[str, Any]]] = {"ours": [], "plain": [], "typed": []}
    for _ in range(max(1, repeats - 1)):
        appends["ours"].append(probe("log", "tracker_append", events=events, path=ours_db))
        appends["plain"].append(
            probe("log", "plain_append", events=events, path=plain_db, schema_from=ours_db))
    for _ in range(repeats):
        scans["ours"].append(probe("log", "tracker_scan", path=ours_db))
        scans["plain"].append(probe("log", "plain_scan", path=plain_db))
        scans["typed"].append(probe("log", "tracker_scan", path=ours_db, typed=True))
    ours_append, base_append = _best(appends["ours"]), _best(appends["plain"])
    ours_scan, base_scan, ours_typed = _best(scans["ours"]), _best(scans["plain"]), _best(scans["typed"])
    append_ratio = ratio(ours_append["rate"], base_append["rate"])
    scan_ratio = ratio(ours_scan["rate"], base_scan["rate"])
    return {
        "status": "ok",
        "events": events,
        "batch": BATCH,
        "best_of": {"append": len(appends["ours"]), "scan": repeats},
        "append": {"tracker": ours_append, "plain_sqlite3": base_append, "ratio": append_ratio,
                   "target": ">= 0.5", "met": append_ratio >= 0.5},
        "scan": {"tracker": ours_scan, "plain_sqlite3": base_scan, "ratio": scan_ratio,
                 "target": ">= 0.5", "met": scan_ratio >= 0.5},
        "scan_typed": {"tracker": ours_typed,
                       "ratio": ratio(ours_typed["rate"], base_scan["rate"])},
    }
