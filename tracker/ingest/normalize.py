"""Turn parsed feed entries into frozen :class:`FeedItem` values.

Kept cheap per item (it runs over every entry of every import): linear
``find`` scans instead of an HTML parser (:mod:`tracker.ingest.textsafe`), caches
for hosts, one hash per item. Every text field is cleaned once here
(:func:`~tracker.ingest.textsafe.clean`), before the item can enter the log, and
each field's input is cut to a cap before any work on it. The poller keeps a
fetched document's first :data:`MAX_ITEMS` entries (``max_items``); an import of
a local archive takes them all.
"""

from __future__ import annotations

import hashlib
import html
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tracker.ingest.items import FeedItem, ParsedFeed
from tracker.ingest.textsafe import (
    clean,
    paragraph_text,
    strip_blocks,
    strip_markup,
    strip_tags,
    strip_tags_to_lines,
)

MAX_TITLE = 1_000
MAX_SUMMARY = 10_000
MAX_ITEMS = 5_000  # entries per document; those beyond are skipped (feeds list the newest first)
INPUT_PER_OUTPUT = 64  # a field's raw input is cut to 64 characters per character kept
MAX_FIELD = 4_096  # links, guids, dates, languages
FUTURE_TOLERANCE = timedelta(days=1)
OLDEST = datetime(1995, 1, 1, tzinfo=UTC)

_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")

def plain_text(value: str | None, limit: int, *, paragraphs: bool = False) -> str:
    """Return text with tags, scripts and entities removed and whitespace collapsed.

    With ``paragraphs``, the paragraphs the markup (or blank lines) marks are kept,
    one per line: a standfirst, a heading or a caption is then not read into the
    sentence after it. Either way, collapsing the result's white space gives the
    same text (see :func:`content_hash`).

    Linear in the input, which is first cut to ``INPUT_PER_OUTPUT * limit`` characters.
    """
    if not value:
        return ""
    text = value[: INPUT_PER_OUTPUT * limit]
    if "<" in text:
        text = strip_markup(text, paragraphs=paragraphs)
    if "&" in text:
        text = html.unescape(text)
        if "<" in text:  # escaped markup in a text field: drop it as well
            text = strip_blocks(text)
            text = strip_tags_to_lines(text) if paragraphs else strip_tags(text)
    if paragraphs and "\n" in text:
        return paragraph_text(clean(text))[:limit]
    text = " ".join(clean(text).split())
    return text[:limit]


def _field(value: object) -> str:
    """Return a short field (guid, date, language) as clean text."""
    return clean(str(value)[:MAX_FIELD]) if value else ""


def canonical_link(link: str | None) -> str | None:
    """Return an http(s) link without fragment or tracking parameters (None otherwise)."""
    if not link:
        return None
    link = clean(link[:MAX_FIELD]).strip()
    if link.startswith(("http://", "https://")) and "#" not in link and " " not in link:
        host = _fast_host(link)
        if host and host.islower() and not any(t in link for t in _TRACKING):
            return link  # already canonical: the common case, without urllib
    if not link.lower().startswith(("http://", "https://")):
        return None
    try:
        parts = urlsplit(link)
    except ValueError:
        return None
    if not parts.hostname:
        return None
    query = parts.query
    if query and any(t in query for t in _TRACKING):
        kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not k.startswith(_TRACKING)]
        query = urlencode(kept)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, query, ""))


def _fast_host(url: str) -> str | None:
    """Return the host of a plain http(s) URL, or None when it needs a real parser."""
    rest = url.split("://", 1)[1]
    netloc = rest.split("/", 1)[0].split("?", 1)[0]
    if "@" in netloc or "[" in netloc:
        return None
    return netloc.split(":", 1)[0] or None


def canonical_feed_url(url: str) -> str:
    """Return a feed URL in the form used as the feed's identity."""
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


@lru_cache(maxsize=4096)
@lru_cache(maxsize=1)
def _suffixes() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()  # the Public Suffix List bundled with the package: no network


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """Return the registrable domain of a host name, by the Public Suffix List
    (``www.bbc.co.uk`` -> ``bbc.co.uk``, ``www.dawn.com.pk`` -> ``dawn.com.pk``,
    ``someone.github.io`` -> ``someone.github.io``: each such site is its own
    publisher). IP addresses, bare suffixes and single labels come back as given."""
    host = host.lower().rstrip(".")
    if host.startswith("[") or host.replace(".", "").isdigit() or "." not in host:
        return host
    return _suffixes().privatesuffix(host) or host


def publisher_of(link: str | None, fallback: str) -> str:
    """Return the registrable domain of a link, else of the fallback URL."""
    for candidate in (link, fallback):
        if candidate:
            host = _fast_host(candidate) if "://" in candidate else None
            if host is None or not host.islower():
                try:
                    host = urlsplit(candidate).hostname
                except ValueError:
                    host = None
            if host:
                return registrable_domain(host)
    return "unknown"


def article_id(feed_identity: str, item_id: str) -> str:
    """Return the short stable id of an item within a feed."""
    return hashlib.sha256(f"{feed_identity}\n{item_id}".encode()).hexdigest()[:16]


def content_hash(title: str, summary: str) -> str:
    """Return the hash of what a revision can change: title and summary, the summary's
    white space collapsed (so how its paragraphs are kept is no revision)."""
    if "\n" in summary:  # one line break where the collapsed text has one space
        summary = summary.replace("\n", " ")
    return hashlib.sha256(f"{title}\x1f{summary}".encode()).hexdigest()


def _published(entry: dict[str, Any], seen_at: datetime) -> tuple[datetime, str | None, bool]:
    get = dict.get  # feedparser's dict subclass has a slow __getitem__; keys here are canonical
    raw = get(entry, "published") or get(entry, "updated") or get(entry, "created")
    parsed = get(entry, "published_parsed") or get(entry, "updated_parsed") or get(entry, "created_parsed")
    if parsed is not None:
        try:
            moment = datetime(parsed[0], parsed[1], parsed[2], parsed[3], parsed[4], parsed[5], tzinfo=UTC)
        except (TypeError, ValueError):
            moment = None
        if moment is not None and OLDEST <= moment <= seen_at + FUTURE_TOLERANCE:
            return moment, _field(raw) or None, False
    return seen_at, _field(raw) or None, True


def _language(entry: dict[str, Any], feed_language: str | None) -> str | None:
    for key in ("title_detail", "summary_detail"):
        detail = dict.get(entry, key)
        if detail:
            language = dict.get(detail, "language")
            if language:
                return _field(language).strip().lower()[:40] or feed_language
    return feed_language


def normalize(
    parsed: ParsedFeed,
    feed_identity: str,
    *,
    seen_at: datetime,
    feed_title: str | None = None,
    max_items: int | None = None,
) -> list[FeedItem]:
    """Return the feed's entries as FeedItems (duplicates of one entry dropped; at most
    ``max_items``, the first in the document)."""
    items: list[FeedItem] = []
    seen_ids: dict[str, str] = {}
    feed_language = _field(parsed.language).strip().lower()[:40] or None
    title_of_feed = feed_title or (plain_text(parsed.title, MAX_TITLE) or None)
    get = dict.get  # feedparser's dict subclass has a slow __getitem__; keys here are canonical
    for entry in parsed.entries[:max_items]:
        title = plain_text(get(entry, "title"), MAX_TITLE)
        summary_html = get(entry, "summary")
        if not summary_html:
            content = get(entry, "content")
            if content:
                summary_html = get(content[0], "value")
        summary = plain_text(summary_html, MAX_SUMMARY, paragraphs=True)
        link = canonical_link(get(entry, "link"))
        if not (title or summary or link):
            continue  # nothing to observe (an empty or cut-off entry)
        digest = content_hash(title, summary)
        guid = _field(get(entry, "id")).strip()
        item_id = guid or link or f"sha256:{digest[:32]}"
        signature = f"{link}\x1f{digest}"
        previous = seen_ids.get(item_id)
        if previous is not None:
            if previous == signature:
                continue  # the same entry twice in one document
            item_id = f"{item_id}#{hashlib.sha256(signature.encode()).hexdigest()[:12]}"
            if item_id in seen_ids:
                continue
        seen_ids[item_id] = signature
        published, raw, inferred = _published(entry, seen_at)
        items.append(
            FeedItem(
                feed_url=feed_identity,
                item_id=item_id,
                article_id=article_id(feed_identity, item_id),
                link=link,
                title=title,
                summary=summary,
                published=published,
                published_raw=raw,
                published_inferred=inferred,
                language=_language(entry, feed_language),
                publisher=publisher_of(link, feed_identity),
                feed_title=title_of_feed,
                content_hash=digest,
                seen_at=seen_at,
                partial=parsed.partial,
            )
        )
    return items


def snapshot_time(parsed: ParsedFeed, now: datetime, floor: datetime | None = None) -> datetime:
    """Return when an archived feed document was taken: its newest plausible item date.

    ``floor`` (the date in the file's name, say) is a lower bound.
    """
    newest: datetime | None = floor
    limit = now + FUTURE_TOLERANCE
    get = dict.get
    for entry in parsed.entries:
        value = get(entry, "published_parsed") or get(entry, "updated_parsed")
        if value is None:
            continue
        try:
            moment = datetime(value[0], value[1], value[2], value[3], value[4], value[5], tzinfo=UTC)
        except (TypeError, ValueError):
            continue
        if OLDEST <= moment <= limit and (newest is None or moment > newest):
            newest = moment
    return min(newest, now) if newest is not None else now
