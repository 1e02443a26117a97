"""Frozen types handed between the ingestion stages: a parsed feed and its items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What the parser made of one fetched body (before normalisation)."""

    version: str
    title: str | None
    link: str | None
    self_link: str | None
    language: str | None
    ttl_seconds: int | None
    bozo: bool
    warning: str | None
    entries: tuple[Any, ...]
    partial: bool = False  # malformed XML: entries may be cut short


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One normalised feed item.

    ``item_id`` is stable across polls (guid, else link, else a content hash);
    ``article_id`` is a short hash of the feed's identity and ``item_id``.
    ``published`` is UTC; ``published_inferred`` says it is the first-seen time
    because the item's own date was missing, invalid or in the future.
    ``seen_at`` is when the feed was fetched (for an archive: its snapshot time).
    ``partial`` marks an item from a malformed document: it may be cut short, so
    it can be observed but never revises what is already known.
    """

    feed_url: str
    item_id: str
    article_id: str
    link: str | None
    title: str
    summary: str
    published: datetime
    published_raw: str | None
    published_inferred: bool
    language: str | None
    publisher: str
    feed_title: str | None
    content_hash: str
    seen_at: datetime
    partial: bool = False
