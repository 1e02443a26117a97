"""Import feed files and folders as if they had been fetched (archives, backfills).

Folders are walked recursively; files are taken oldest first (by the date in
their name, else their modification time), so the log's order follows time. A
file's feed identity is its ``atom:link rel="self"``, else its channel link.
Matching items are appended in large batches: one state query and one
transaction per batch, never a database round trip per item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from tracker.errors import FeedError, InputError
from tracker.eventlog.store import EventStore
from tracker.ingest.append import Appender, AppendResult, screen_words
from tracker.ingest.items import FeedItem
from tracker.ingest.normalize import canonical_feed_url, normalize, snapshot_time
from tracker.ingest.parse import parse_date, parse_feed
from tracker.ingest.prefilter import cut, minimal_words, screen
from tracker.stories.definition import load_stories
from tracker.stories.match import Matcher
from tracker.timeutil import utcnow

FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".rdf", ".feed"})
BATCH = 2000
MAX_FILE_BYTES = 64 * 1024 * 1024
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True, slots=True)
class ImportError_:
    """One file that could not be imported, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did."""

    files: int
    items: int
    matched: int
    appended: int
    observed: int
    revised: int
    unchanged: int
    errors: int
    failures: tuple[ImportError_, ...] = ()
    warnings: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "files": self.files, "items": self.items, "matched": self.matched,
            "appended": self.appended, "observed": self.observed, "revised": self.revised,
            "unchanged": self.unchanged, "errors": self.errors, "warnings": self.warnings,
            "failures": [{"path": f.path, "reason": f.reason} for f in self.failures],
        }


def collect_files(paths: Iterable[Path | str]) -> list[Path]:
    """Return the feed files under some paths, oldest first (InputError if one is missing)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FEED_SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=_file_order)


def _file_order(path: Path) -> tuple[str, str]:
    match = _DATE.search(path.name)
    if match:
        stamp = "-".join(match.groups())
    else:
        try:
            stamp = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%dT%H:%M:%S")
        except OSError:
            stamp = "9999"
    return stamp, str(path)


def feed_identity(self_link: str | None, link: str | None, path: Path) -> str:
    """Return the identity of an archived feed: self link, else channel link, else the file."""
    for candidate in (self_link, link):
        if candidate and candidate.strip().lower().startswith(("http://", "https://")):
            return canonical_feed_url(candidate)
    return path.resolve().as_uri()


def read_file(
    path: Path, *, now: datetime, screen_words: Sequence[str] | None = None,
    body: bytes | None = None,
) -> tuple[list[FeedItem], str | None]:
    """Parse one archived feed file into items and a parser warning (FeedError when unusable).

    With ``screen_words``, blocks that contain none of them reach the parser as
    stubs (:mod:`tracker.ingest.prefilter`): their items match no story.
    """
    if body is None:
        body = _read_bytes(path)
    if screen_words is not None:
        body, _ = screen(body, screen_words)
    parsed = parse_feed(body)
    identity = feed_identity(parsed.self_link, parsed.link, path)
    items = normalize(parsed, identity, seen_at=snapshot_time(parsed, now, _name_date(path)))
    return items, parsed.warning


def read_file_screened(
    path: Path, *, now: datetime, screen_words: Sequence[str]
) -> tuple[list[FeedItem], str | None, int]:
    """Like :func:`read_file`, but the items with none of the screen words never reach the
    parser; return the items, the warning and how many items were left out unparsed.

    What the left-out items still decide is kept: their dates count towards the
    file's snapshot time. When that cannot be done safely
    (:func:`tracker.ingest.prefilter.cut`), they reach the parser as stubs instead.
    """
    body = _read_bytes(path)
    found = cut(body, screen_words)
    if found is not None and found.dropped:
        try:
            parsed = parse_feed(found.body)
        except FeedError:
            parsed = None
        if parsed is not None:
            dated = tuple({"published_parsed": parse_date(p), "updated_parsed": parse_date(u)}
                          for p, u in found.dates)
            seen_at = snapshot_time(replace(parsed, entries=parsed.entries + dated), now,
                                    _name_date(path))
            identity = feed_identity(parsed.self_link, parsed.link, path)
            return normalize(parsed, identity, seen_at=seen_at), parsed.warning, found.dropped
    items, warning = read_file(path, now=now, screen_words=screen_words, body=body)
    return items, warning, 0


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            body = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FeedError(f"cannot read: {exc.strerror}") from None
    if len(body) > MAX_FILE_BYTES:
        raise FeedError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    return body


def _name_date(path: Path) -> datetime | None:
    match = _DATE.search(path.name)
    if match is None:
        return None
    try:
        year, month, day = (int(g) for g in match.groups())
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


def import_paths(
    store_or_engine: EventStore | Engine,
    paths: Sequence[Path | str],
    *,
    matcher: Matcher | None = None,
    stories_dir: Path | None = None,
    clock: Callable[[], datetime] = utcnow,
    progress: Callable[[Path, int, int], None] | None = None,
    batch_size: int = BATCH,
    update_projections: bool = True,
    prefilter: bool = True,
) -> ImportSummary:
    """Import feed files and folders; return what was done.

    ``progress(path, done, total)`` is called after each file. Bad files are
    counted in ``errors`` and skipped. Projections are brought up to date at the
    end (their failure does not lose the summary). ``prefilter`` spares the
    parser the items no story can match (the same events either way).
    """
    store = store_or_engine if isinstance(store_or_engine, EventStore) else EventStore(store_or_engine)
    if matcher is None:
        matcher = Matcher(load_stories(stories_dir).values())
    files = collect_files(paths)
    appender = Appender(store, matcher, via="import")
    words = minimal_words(screen_words(matcher)) if prefilter else None
    now = clock()
    totals = _Totals()
    pending: list[tuple[FeedItem, list[str]]] = []
    pending_items = 0
    for index, path in enumerate(files, 1):
        try:
            if words is None:
                items, warning = read_file(path, now=now)
                unparsed = 0
            else:
                items, warning, unparsed = read_file_screened(path, now=now, screen_words=words)
        except FeedError as exc:
            totals.failures.append(ImportError_(str(path), str(exc)))
        else:
            totals.warnings += warning is not None
            totals.items += len(items) + unparsed
            pending_items += len(items) + unparsed
            pending.extend(appender.match(items))
            if len(pending) >= batch_size:
                totals.add(appender.append_matched(pending, total=pending_items))
                pending, pending_items = [], 0
        if progress is not None:
            progress(path, index, len(files))
    if pending or pending_items:
        totals.add(appender.append_matched(pending, total=pending_items))
    if update_projections:
        _update_projections(store.engine)
    return totals.summary(len(files))


class _Totals:
    def __init__(self) -> None:
        self.items = self.matched = self.observed = self.revised = self.unchanged = self.warnings = 0
        self.failures: list[ImportError_] = []

    def add(self, result: AppendResult) -> None:
        self.matched += result.matched
        self.observed += result.observed
        self.revised += result.revised
        self.unchanged += result.unchanged

    def summary(self, files: int) -> ImportSummary:
        return ImportSummary(
            files=files, items=self.items, matched=self.matched,
            appended=self.observed + self.revised, observed=self.observed, revised=self.revised,
            unchanged=self.unchanged, errors=len(self.failures), failures=tuple(self.failures),
            warnings=self.warnings,
        )


def _update_projections(engine: Engine) -> None:
    """Bring projections up to date; a failure there is logged, not raised."""
    import logging

    from tracker import projections

    try:
        projections.update(engine)
    except Exception as exc:  # projections are rebuildable; the import itself is done
        logging.getLogger(__name__).warning("projection update failed: %s: %s", type(exc).__name__, exc)
