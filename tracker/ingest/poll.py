"""One poll cycle: fetch and parse feeds in a thread pool, append in the calling thread.

HTTP and parsing run in worker threads (item blocks unchanged since the feed's
previous copy are not parsed again, see :mod:`tracker.ingest.delta`); appends and poll-state updates are
serialised through the caller, one feed at a time. A feed's failure is recorded
on that feed and never stops the cycle. Validators (ETag, Last-Modified) are
stored only after the feed's items are safely in the log, so a failed append
means a full refetch next time, never a lost item.

Every fetch has its own wall-clock deadline (``FetchLimits.total_timeout``) and
the cycle has one too (``cycle_deadline``): a feed still in flight when the
cycle's deadline passes is abandoned and recorded with the reason
``cycle-deadline``; its thread is left to run out its own deadline, and the
cycle returns. Every error is recorded as ``<reason>: <detail>`` with a reason
from :mod:`tracker.ingest.reasons`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from sqlalchemy.engine import Engine

from tracker.errors import FeedError, FetchError, ParseError, StorageError
from tracker.eventlog import codec
from tracker.eventlog.store import EventStore
from tracker.ingest import reasons
from tracker.ingest.append import Appender
from tracker.ingest.deadline import (
    CYCLE_DEADLINE,
    CYCLE_DEADLINE_ENV,
    FETCH_DEADLINE,
    FETCH_DEADLINE_ENV,
    seconds_from_env,
)
from tracker.ingest.delta import cap_items, split_items
from tracker.ingest.feeds import Feed, FeedRegistry, PollOutcome
from tracker.ingest.fetch import Fetcher, FetchLimits
from tracker.ingest.items import FeedItem
from tracker.ingest.normalize import MAX_ITEMS, normalize
from tracker.ingest.parse import parse_feed
from tracker.stories.definition import load_stories
from tracker.stories.match import Matcher
from tracker.timeutil import isoformat, utcnow

log = logging.getLogger("tracker.poll")
MAX_WORKERS = 16
SETTLE_BATCH = 64  # fetched feeds appended and recorded per transaction ...
SETTLE_WAIT = 0.5  # ... or fewer, once the first of them has waited this long (seconds)


@dataclass(frozen=True, slots=True)
class FeedPoll:
    """The result of polling one feed."""

    feed_id: int
    url: str
    status: int | None
    items: int
    appended: int
    error: str | None
    warning: str | None
    next_poll_at: datetime | None
    duration_ms: int


@dataclass(frozen=True, slots=True)
class PollSummary:
    """What one cycle did."""

    feeds: int
    ok: int
    not_modified: int
    errors: int
    items: int
    appended: int
    polls: tuple[FeedPoll, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "feeds": self.feeds, "ok": self.ok, "not_modified": self.not_modified,
            "errors": self.errors, "items": self.items, "appended": self.appended,
            "polls": [
                {"feed_id": p.feed_id, "url": p.url, "status": p.status, "items": p.items,
                 "appended": p.appended, "error": p.error, "warning": p.warning,
                 "next_poll_at": isoformat(p.next_poll_at), "duration_ms": p.duration_ms}
                for p in self.polls
            ],
        }


_Blocks = tuple[bytes, frozenset[bytes]]  # (frame digest, item block digests) of a copy


@dataclass(frozen=True, slots=True)
class _Fetched:
    feed: Feed
    outcome: PollOutcome
    items: tuple[FeedItem, ...]
    started: float
    interrupted: bool = False
    blocks: _Blocks | None = None


class Poller:
    """Poll registered feeds; keeps one HTTP client and one article cache across cycles."""

    def __init__(
        self,
        engine: Engine,
        *,
        fetcher: Fetcher | None = None,
        matcher: Matcher | None = None,
        registry: FeedRegistry | None = None,
        clock: Callable[[], datetime] = utcnow,
        max_workers: int = MAX_WORKERS,
        update_projections: bool = True,
        fetch_deadline: float | None = None,
        cycle_deadline: float | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        if fetcher is None:
            total = fetch_deadline or seconds_from_env(FETCH_DEADLINE_ENV, FETCH_DEADLINE)
            fetcher = Fetcher(clock=clock, limits=FetchLimits(total_timeout=total))
            self._own_fetcher = True
        else:
            self._own_fetcher = False
        self.fetcher = fetcher
        self.cycle_deadline = cycle_deadline or seconds_from_env(CYCLE_DEADLINE_ENV, CYCLE_DEADLINE)
        self.registry = registry or FeedRegistry(engine, clock=clock)
        self.store = EventStore(engine, clock=clock)
        self.appender = Appender(self.store, matcher or Matcher(load_stories().values()), via="poll")
        self.max_workers = max_workers
        self.update_projections = update_projections
        self.stop = threading.Event()
        # Per feed, the item blocks of its last copy whose items are safely handled.
        self._blocks: dict[int, _Blocks] = {}
        # Per feed, the RSS <ttl> of its last full copy (a 304 carries no body).
        self._ttl: dict[int, float] = {}

    def close(self) -> None:
        if self._own_fetcher:
            self.fetcher.close()

    def cycle(self, *, due_only: bool = True, limit: int | None = None) -> PollSummary:
        """Poll the due feeds (or every enabled one) once; return the summary."""
        now = self.clock()
        todo = self.registry.due(now, limit=limit) if due_only else self.registry.enabled()
        polls: list[FeedPoll] = []
        if todo:
            polls.extend(self._run(todo))
            if self.update_projections and any(p.appended for p in polls):
                _update_projections(self.engine)
        return _summarise(polls)

    def _run(self, todo: list[Feed]) -> list[FeedPoll]:
        """Fetch the feeds in a pool, settling results as they come, until done or the deadline."""
        polls: list[FeedPoll] = []
        deadline = time.monotonic() + self.cycle_deadline
        workers = max(1, min(self.max_workers, len(todo)))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch")
        try:
            # A bounded window of feeds in flight: results are settled and
            # dropped as they come, so memory does not grow with the feed count.
            queue = iter(todo)
            running: dict[Future[_Fetched], tuple[Feed, float]] = {}

            def submit(feed: Feed) -> None:
                running[pool.submit(self._fetch, feed)] = (feed, time.monotonic())

            for feed in islice(queue, workers * 2):
                submit(feed)
            pending: list[_Fetched] = []
            since = 0.0
            while running:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                done, _ = wait(running, timeout=min(SETTLE_WAIT, left), return_when=FIRST_COMPLETED)
                for future in done:
                    del running[future]
                    fetched = future.result()
                    if not fetched.interrupted:  # else left due: polled after a restart
                        if not pending:
                            since = time.monotonic()
                        pending.append(fetched)
                    following = next(queue, None)
                    if following is not None:
                        submit(following)
                if pending and (
                    len(pending) >= SETTLE_BATCH or not running
                    or time.monotonic() - since >= SETTLE_WAIT
                ):
                    polls.extend(self._settle(pending))
                    pending = []
            if running:
                # The cycle's deadline passed: abandon what is still in flight
                # (its thread runs out its own fetch deadline; the result is dropped).
                detail = f"still fetching when the poll cycle's {self.cycle_deadline:g} s deadline passed"
                error = reasons.labelled(reasons.CYCLE_DEADLINE, detail)
                untouched = [feed.id for feed in queue]  # never started: still due next cycle
                for future, (feed, started) in running.items():
                    if future.cancel():
                        untouched.append(feed.id)
                    else:
                        pending.append(_Fetched(feed, PollOutcome(None, error=error), (), started))
                release = getattr(self.registry, "release", None)
                if untouched and release is not None:
                    release(untouched)
            if pending:
                polls.extend(self._settle(pending))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return polls

    def _fetch(self, feed: Feed) -> _Fetched:
        """Fetch, parse and normalise one feed (runs in a pool thread, never raises)."""
        started = time.monotonic()
        if self.stop.is_set():
            return _Fetched(feed, PollOutcome(None), (), started, interrupted=True)
        try:
            outcome, items, blocks = self._fetch_items(feed)
            if self.stop.is_set() and outcome.error:
                return _Fetched(feed, outcome, (), started, interrupted=True)
            return _Fetched(feed, outcome, items, started, blocks=blocks)
        except Exception as exc:  # a bug or a library failure must not stop the cycle
            error = reasons.labelled(reasons.INTERNAL, f"{type(exc).__name__}: {str(exc)[:200]}")
            return _Fetched(feed, PollOutcome(None, error=error), (), started)

    def _fetch_items(
        self, feed: Feed
    ) -> tuple[PollOutcome, tuple[FeedItem, ...], _Blocks | None]:
        try:
            result = self.fetcher.fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified, stop=self.stop
            )
        except FetchError as exc:
            return PollOutcome(exc.status, error=reasons.labelled(exc.reason, str(exc))), (), None
        hints = tuple(h for h in (result.max_age,) if h is not None)
        status = result.status
        if status == 304:
            ttl = self._ttl.get(feed.id)
            if ttl is not None:
                hints = (*hints, ttl)
            return PollOutcome(304, not_modified=True, moved_to=result.moved_to,
                               retry_after=result.retry_after, hints=hints), (), None
        if status == 410:
            return PollOutcome(410, error=reasons.labelled(reasons.GONE, "HTTP 410"), gone=True), (), None
        if status != 200 or result.body is None:
            return PollOutcome(status, error=reasons.labelled(reasons.HTTP, f"HTTP {status}"),
                               moved_to=result.moved_to,
                               retry_after=result.retry_after), (), None
        # Items beyond the per-feed cap never reach the parser: parse memory stays bounded.
        whole, split, over = cap_items(result.body, split_items(result.body), MAX_ITEMS)
        previous = self._blocks.get(feed.id)
        parsed = None
        skipped = 0
        if split is not None and previous is not None and previous[0] == split.root:
            body, skipped = split.without(previous[1])
            try:
                parsed = parse_feed(body, result.headers)
            except ParseError:
                parsed, skipped = None, 0  # the full body decides
        try:
            parsed = parsed or parse_feed(whole, result.headers)
        except ParseError as exc:
            error = reasons.labelled(reasons.NOT_A_FEED, f"not a usable feed: {exc}")
            return PollOutcome(status, error=error, moved_to=result.moved_to), (), None
        items = normalize(parsed, feed.identity, seen_at=self.clock(), feed_title=feed.title,
                          max_items=MAX_ITEMS)
        if parsed.ttl_seconds:
            hints = (*hints, float(parsed.ttl_seconds))
            self._ttl[feed.id] = float(parsed.ttl_seconds)
        else:
            self._ttl.pop(feed.id, None)
        warning = parsed.warning
        if over:
            cap = f"{over} items beyond the first {MAX_ITEMS} skipped"
            warning = f"{cap}; {warning}" if warning else cap
        outcome = PollOutcome(
            status, warning=warning, etag=result.etag, last_modified=result.last_modified,
            keep_validators=False, moved_to=result.moved_to, items=len(items) + skipped,
            retry_after=result.retry_after, hints=hints,
        )
        blocks = (split.root, frozenset(split.digests)) if split is not None and not parsed.partial else None
        return outcome, tuple(items), blocks

    def _settle(self, batch: list[_Fetched]) -> list[FeedPoll]:
        """Append the items of some fetched feeds in one transaction, then record their polls.

        Runs in the caller's thread. Validators are recorded only when the
        feed's items are in the log.
        """
        items = [item for fetched in batch for item in fetched.items]
        appended_ids: frozenset[str] = frozenset()
        failure = None
        if items:
            try:
                appended_ids = self.appender.append(items).appended_ids
            except StorageError as exc:
                failure = reasons.labelled(reasons.APPEND, f"append failed: {exc}")
        polled: list[tuple[Feed, PollOutcome]] = []
        for fetched in batch:
            outcome = fetched.outcome
            if fetched.items and failure is not None:
                outcome = PollOutcome(outcome.status, error=failure, moved_to=outcome.moved_to)
            elif appended_ids:
                count = sum(1 for item in fetched.items if item.article_id in appended_ids)
                if count:
                    outcome = _with_appended(outcome, count)
            polled.append((fetched.feed, outcome))
        updated = self.registry.record_many(polled)
        polls = []
        for fetched, (feed, outcome), after in zip(batch, polled, updated, strict=True):
            if outcome.error is None and fetched.blocks is not None:
                self._blocks[feed.id] = fetched.blocks
            elif outcome.status != 304:
                self._blocks.pop(feed.id, None)
            poll = FeedPoll(
                feed.id, feed.url, outcome.status, outcome.items, outcome.appended, outcome.error,
                outcome.warning, after.next_poll_at,
                int((time.monotonic() - fetched.started) * 1000),
            )
            _log(poll)
            polls.append(poll)
        return polls


def _with_appended(outcome: PollOutcome, appended: int) -> PollOutcome:
    from dataclasses import replace

    return replace(outcome, appended=appended)


def _log(poll: FeedPoll) -> None:
    record = {
        "event": "poll", "feed_id": poll.feed_id, "url": poll.url, "status": poll.status,
        "items": poll.items, "appended": poll.appended, "error": poll.error,
        "warning": poll.warning, "next_poll_at": isoformat(poll.next_poll_at),
        "ms": poll.duration_ms,
    }
    level = logging.WARNING if poll.error else logging.INFO
    log.log(level, codec.dumps({k: v for k, v in record.items() if v is not None}))


def _summarise(polls: list[FeedPoll]) -> PollSummary:
    errors = sum(1 for p in polls if p.error)
    not_modified = sum(1 for p in polls if p.status == 304 and not p.error)
    return PollSummary(
        feeds=len(polls), ok=len(polls) - errors, not_modified=not_modified, errors=errors,
        items=sum(p.items for p in polls), appended=sum(p.appended for p in polls),
        polls=tuple(sorted(polls, key=lambda p: p.feed_id)),
    )


def _update_projections(engine: Engine) -> None:
    from tracker.projections.election import update_elected  # one updater among PostgreSQL workers

    try:
        update_elected(engine)
    except Exception as exc:  # derived state; the log is already safe
        log.warning(codec.dumps({"event": "projections", "error": f"{type(exc).__name__}: {exc}"}))


def poll_once(engine: Engine, **kwargs: object) -> PollSummary:
    """Poll every enabled feed once (``tracker poll --once``)."""
    poller = Poller(engine, **kwargs)  # type: ignore[arg-type]
    try:
        return poller.cycle(due_only=False)
    finally:
        poller.close()


__all__ = ["FeedError", "FeedPoll", "PollSummary", "Poller", "poll_once"]
