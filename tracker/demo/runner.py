"""Run the demo: the real poller against the archive server, both on one virtual clock.

The virtual clock starts before the story and moves in steps; at each step the
poller runs one cycle over the feeds that are due (the same scheduling, HTTP,
conditional GET, parsing, matching and appending as ``tracker worker``), and
the event store stamps ``recorded_at`` with the virtual time, so knowledge-time
replay (``--known-at``) works on the demo database too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from tracker.demo.server import ArchiveServer, VirtualClock, serving
from tracker.errors import InputError

START = datetime(2023, 11, 15, 0, 0, tzinfo=UTC)
END = datetime(2023, 12, 1, 12, 0, tzinfo=UTC)
STEP = timedelta(hours=1)
POLL_INTERVAL_S = 3600
# Instants at which the demo prints the story's state (event time).
INSTANTS = (
    datetime(2023, 11, 18, 12, 0, tzinfo=UTC),
    datetime(2023, 11, 20, 18, 0, tzinfo=UTC),
    datetime(2023, 11, 22, 18, 0, tzinfo=UTC),
    datetime(2023, 12, 1, 12, 0, tzinfo=UTC),
)

# Two clocks: the state just after the first reports (event time), as tracker knew
# it a minute before its next poll had recorded them (knowledge time).
REPLAY_AS_OF = datetime(2023, 11, 17, 21, 0, tzinfo=UTC)
REPLAY_KNOWN_AT = datetime(2023, 11, 17, 20, 59, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class DemoRun:
    """What a demo run did."""

    db_url: str
    feeds: tuple[str, ...]
    start: datetime
    end: datetime
    steps: int
    polls: int
    fetched: int
    not_modified: int
    errors: int
    appended: int
    events: int
    wall_seconds: float

    def as_dict(self) -> dict[str, object]:
        from tracker.timeutil import isoformat

        return {
            "db_url": self.db_url, "feeds": list(self.feeds), "start": isoformat(self.start),
            "end": isoformat(self.end), "steps": self.steps, "polls": self.polls,
            "fetched": self.fetched, "not_modified": self.not_modified, "errors": self.errors,
            "appended": self.appended, "events": self.events,
            "wall_seconds": round(self.wall_seconds, 2),
        }


Progress = Callable[[datetime, int], None]


def run_demo(
    engine: Engine,
    db_url: str,
    *,
    start: datetime = START,
    end: datetime = END,
    step: timedelta = STEP,
    interval_s: int = POLL_INTERVAL_S,
    pace: float = 0.0,
    archive: Path | None = None,
    progress: Progress | None = None,
) -> DemoRun:
    """Serve the archive and poll it from ``start`` to ``end`` in virtual time.

    ``pace`` is the wall-clock seconds one virtual hour takes at least (0: as
    fast as the machine goes). ``progress(now, appended_so_far)`` is called
    after each step. The database must hold no events yet.
    """
    from tracker.eventlog.store import EventStore
    from tracker.ingest.feeds import FeedRegistry
    from tracker.ingest.poll import Poller

    if step <= timedelta(0) or end <= start:
        raise InputError("the demo needs a positive step and an end after its start")
    existing = EventStore(engine).last_position()
    if existing:
        raise InputError(f"the demo needs an empty database, and {db_url} already holds {existing} events")
    clock = VirtualClock(start)
    began = time.monotonic()
    steps = polls = errors = appended = 0
    with serving(clock, archive) as server:
        registry = FeedRegistry(engine, clock=clock)
        for url in server.urls():
            registry.add(url, interval=interval_s)
        poller = Poller(engine, clock=clock, registry=registry)
        try:
            while True:
                summary = poller.cycle()
                steps += 1
                polls += summary.feeds
                errors += summary.errors
                appended += summary.appended
                if progress is not None:
                    progress(clock.now(), appended)
                if clock.now() >= end:
                    break
                clock.set(min(end, clock.now() + step))
                if pace > 0:
                    _keep_pace(began, clock.now() - start, pace)
        finally:
            poller.close()
        return DemoRun(
            db_url=db_url, feeds=tuple(server.urls()), start=start, end=end, steps=steps,
            polls=polls, fetched=server.requests - server.not_modified,
            not_modified=server.not_modified, errors=errors, appended=appended,
            events=EventStore(engine).last_position(), wall_seconds=time.monotonic() - began,
        )


def _keep_pace(began: float, virtual: timedelta, pace: float) -> None:
    """Wait until the wall clock has caught up with ``pace`` seconds per virtual hour."""
    due = began + virtual.total_seconds() / 3600 * pace
    delay = due - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def fresh_sqlite_path(folder: Path | None = None) -> Path:
    """Return a new, not yet existing SQLite file path in a temporary folder."""
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="tracker-demo-", dir=folder))
    return directory / "demo.sqlite"


__all__ = ["END", "INSTANTS", "START", "ArchiveServer", "DemoRun", "run_demo"]
