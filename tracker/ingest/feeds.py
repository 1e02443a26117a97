"""The feed registry and each feed's poll state (operational table ``feeds``).

Scheduling rules, per feed:

* after a success (200 or 304) the next poll is the later of the feed's interval
  and any server hint (Retry-After, Cache-Control max-age, Expires, RSS ttl),
  capped at :data:`MAX_DELAY`;
* after an error it backs off exponentially from the interval, with jitter,
  capped at :data:`BACKOFF_CAP` (or later if the server asked), and keeps trying;
* only HTTP 410 disables a feed for good (``disabled_reason``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.errors import InputError, StorageError
from tracker.ingest.fetch import check_url
from tracker.ingest.normalize import canonical_feed_url
from tracker.ingest.tables import feeds
from tracker.timeutil import from_micros, isoformat, to_micros, utcnow

DEFAULT_INTERVAL = 1800
MIN_INTERVAL = 60
MAX_DELAY = 24 * 3600
BACKOFF_CAP = 4 * 3600
JITTER = 0.1


@dataclass(frozen=True, slots=True)
class Feed:
    """A registered feed and its poll state."""

    id: int
    identity: str
    url: str
    title: str | None
    interval_s: int
    enabled: bool
    disabled_reason: str | None
    added_at: datetime
    etag: str | None
    last_modified: str | None
    last_poll_at: datetime | None
    last_success_at: datetime | None
    last_status: int | None
    last_error: str | None
    last_warning: str | None
    consecutive_errors: int
    next_poll_at: datetime
    items_seen: int
    events_appended: int

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict (times as ISO 8601 UTC)."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = isoformat(value)
        return data


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What one poll of one feed found, as the registry records it."""

    status: int | None
    error: str | None = None
    warning: str | None = None
    not_modified: bool = False
    gone: bool = False
    etag: str | None = None
    last_modified: str | None = None
    keep_validators: bool = True
    moved_to: str | None = None
    items: int = 0
    appended: int = 0
    retry_after: float | None = None
    hints: tuple[float, ...] = ()


def _row_to_feed(row: sa.Row) -> Feed:
    return _feed_from(row._mapping)


def _feed_from(m: Mapping[Any, Any]) -> Feed:
    return Feed(
        id=m["id"], identity=m["identity"], url=m["url"], title=m["title"],
        interval_s=m["interval_s"], enabled=bool(m["enabled"]), disabled_reason=m["disabled_reason"],
        added_at=from_micros(m["added_at"]), etag=m["etag"], last_modified=m["last_modified"],
        last_poll_at=_time(m["last_poll_at"]), last_success_at=_time(m["last_success_at"]),
        last_status=m["last_status"], last_error=m["last_error"], last_warning=m["last_warning"],
        consecutive_errors=m["consecutive_errors"], next_poll_at=from_micros(m["next_poll_at"]),
        items_seen=m["items_seen"], events_appended=m["events_appended"],
    )


def _time(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)


def delay_after_success(interval: int, hints: Iterable[float | None]) -> float:
    """Return seconds until the next poll after a success."""
    wanted = max([float(interval), *(h for h in hints if h is not None)])
    return min(wanted, float(MAX_DELAY))


def delay_after_error(
    interval: int, errors: int, retry_after: float | None, rng: random.Random
) -> float:
    """Return seconds until the next poll after ``errors`` consecutive errors (with jitter)."""
    backoff = min(float(interval) * 2 ** max(0, errors - 1), float(BACKOFF_CAP))
    backoff = max(backoff, float(min(interval, BACKOFF_CAP)))
    backoff *= 1 + rng.uniform(-JITTER, JITTER)
    if retry_after is not None:
        backoff = max(backoff, min(retry_after, float(MAX_DELAY)))
    return backoff


class FeedRegistry:
    """Add, list and update feeds (SQLite or PostgreSQL)."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.rng = rng or random.Random()

    def add(self, url: str, *, interval: int | None = None, title: str | None = None) -> Feed:
        """Register a feed (InputError for a bad URL, a too-short interval, or a duplicate)."""
        text = check_url(url)
        interval = DEFAULT_INTERVAL if interval is None else interval
        if interval < MIN_INTERVAL:
            raise InputError(f"interval must be at least {MIN_INTERVAL} seconds")
        identity = canonical_feed_url(text)
        if self.find(identity) is not None:
            raise InputError(f"feed {text} is already registered")
        now = to_micros(self.clock())
        values = {
            "identity": identity, "url": text, "title": title, "interval_s": interval,
            "enabled": True, "disabled_reason": None, "added_at": now, "consecutive_errors": 0,
            "next_poll_at": now, "items_seen": 0, "events_appended": 0,
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(feeds.insert().values(**values))
        except sa.exc.IntegrityError:
            raise InputError(f"feed {text} is already registered") from None
        except sa.exc.DBAPIError as exc:
            raise StorageError(f"cannot add feed: {str(exc.orig).splitlines()[0]}") from None
        feed = self.find(identity)
        assert feed is not None
        return feed

    def find(self, key: str | int) -> Feed | None:
        """Return a feed by id, identity or current URL (None when unknown)."""
        if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
            condition = feeds.c.id == int(key)
        else:
            text = key.strip()
            try:
                identity = canonical_feed_url(text)
            except ValueError:
                identity = text
            condition = sa.or_(feeds.c.identity == identity, feeds.c.url == text)
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(feeds).where(condition).order_by(feeds.c.id)).first()
        return None if row is None else _row_to_feed(row)

    def get(self, key: str | int) -> Feed:
        """Return a feed, or raise InputError naming it."""
        feed = self.find(key)
        if feed is None:
            raise InputError(f"no feed {key!r} (see `tracker feeds list`)")
        return feed

    def remove(self, key: str | int) -> Feed:
        """Remove a feed from the registry (its events stay in the log)."""
        feed = self.get(key)
        with self.engine.begin() as conn:
            conn.execute(feeds.delete().where(feeds.c.id == feed.id))
        return feed

    def all(self) -> list[Feed]:
        """Return every feed, by id."""
        with self.engine.connect() as conn:
            return [_row_to_feed(r) for r in conn.execute(sa.select(feeds).order_by(feeds.c.id))]

    def due(self, now: datetime, *, limit: int | None = None) -> list[Feed]:
        """Return enabled feeds whose next poll is due, most overdue first."""
        query = (
            sa.select(feeds)
            .where(feeds.c.enabled.is_(True), feeds.c.next_poll_at <= to_micros(now))
            .order_by(feeds.c.next_poll_at, feeds.c.id)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [_row_to_feed(r) for r in conn.execute(query)]

    def enabled(self) -> list[Feed]:
        """Return every enabled feed."""
        with self.engine.connect() as conn:
            query = sa.select(feeds).where(feeds.c.enabled.is_(True)).order_by(feeds.c.id)
            return [_row_to_feed(r) for r in conn.execute(query)]

    def record(self, feed: Feed, outcome: PollOutcome, *, now: datetime | None = None) -> Feed:
        """Store what a poll found and schedule the next one; return the updated feed."""
        now = now or self.clock()
        values = self.changes(feed, outcome, now)
        with self.engine.begin() as conn:
            conn.execute(feeds.update().where(feeds.c.id == feed.id).values(**values))
        return _feed_from({**_as_mapping(feed), **values})

    def record_many(self, polled: list[tuple[Feed, PollOutcome]], *, now: datetime | None = None) -> list[Feed]:
        """Record several polls in one transaction; return the updated feeds in order."""
        now = now or self.clock()
        updated = []
        with self.engine.begin() as conn:
            for feed, outcome in polled:
                values = self.changes(feed, outcome, now)
                conn.execute(feeds.update().where(feeds.c.id == feed.id).values(**values))
                updated.append(_feed_from({**_as_mapping(feed), **values}))
        return updated

    def changes(self, feed: Feed, outcome: PollOutcome, now: datetime) -> dict[str, object]:
        """Return the column values a poll outcome sets."""
        at = to_micros(now)
        values: dict[str, object] = {
            "last_poll_at": at,
            "last_status": outcome.status,
            "last_warning": outcome.warning,
            "items_seen": feed.items_seen + outcome.items,
            "events_appended": feed.events_appended + outcome.appended,
        }
        if outcome.moved_to and outcome.moved_to != feed.url:
            values["url"] = outcome.moved_to
        if outcome.gone:
            values.update(
                enabled=False, disabled_reason=outcome.error or "gone (HTTP 410)",
                last_error=outcome.error or "gone (HTTP 410)",
                consecutive_errors=feed.consecutive_errors + 1, next_poll_at=at,
            )
            return values
        if outcome.error is not None:
            errors = feed.consecutive_errors + 1
            delay = delay_after_error(feed.interval_s, errors, outcome.retry_after, self.rng)
            values.update(
                last_error=outcome.error, consecutive_errors=errors,
                next_poll_at=at + int(delay * 1_000_000),
            )
            return values
        if not outcome.keep_validators or not outcome.not_modified:
            values.update(etag=outcome.etag, last_modified=outcome.last_modified)
        delay = delay_after_success(feed.interval_s, (outcome.retry_after, *outcome.hints))
        values.update(
            last_error=None, consecutive_errors=0, last_success_at=at,
            next_poll_at=at + int(delay * 1_000_000),
        )
        return values

    def set_enabled(self, key: str | int, enabled: bool) -> Feed:
        """Enable (clearing the reason and scheduling now) or disable a feed by hand."""
        feed = self.get(key)
        values: dict[str, object] = {"enabled": enabled}
        if enabled:
            values.update(disabled_reason=None, consecutive_errors=0, next_poll_at=to_micros(self.clock()))
        else:
            values["disabled_reason"] = "disabled by hand"
        with self.engine.begin() as conn:
            conn.execute(feeds.update().where(feeds.c.id == feed.id).values(**values))
        return self.get(feed.id)


def next_poll_in(feed: Feed, now: datetime) -> timedelta:
    """Return how long until a feed's next poll (zero when due)."""
    return max(timedelta(0), feed.next_poll_at - now)


_COLUMNS = (
    "id", "identity", "url", "title", "interval_s", "enabled", "disabled_reason", "added_at",
    "etag", "last_modified", "last_poll_at", "last_success_at", "last_status", "last_error",
    "last_warning", "consecutive_errors", "next_poll_at", "items_seen", "events_appended",
)


def _as_mapping(feed: Feed) -> dict[str, object]:
    data: dict[str, object] = {}
    for name in _COLUMNS:
        value = getattr(feed, name)
        data[name] = to_micros(value) if isinstance(value, datetime) else value
    return data
