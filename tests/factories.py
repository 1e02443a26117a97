"""Build Articles for tests from a few words (own sentences, never corpus text)."""

from __future__ import annotations

import hashlib

from tracker.timeutil import parse_instant, to_micros
from tracker.types import Article


def article(
    title: str,
    summary: str = "",
    *,
    publisher: str = "example.com",
    at: str = "2023-11-17T21:00:00Z",
    language: str = "en",
    link: str | None = None,
    recorded: str | None = None,
) -> Article:
    """Return an Article with a stable id derived from its publisher, time and title."""
    published = to_micros(parse_instant(at))
    ident = hashlib.sha256(f"{publisher}\0{at}\0{title}".encode()).hexdigest()[:16]
    return Article(
        article_id=ident,
        position=0,
        publisher=publisher,
        link=link if link is not None else f"https://{publisher}/{ident}",
        title=title,
        summary=summary,
        language=language,
        published_us=published,
        recorded_us=to_micros(parse_instant(recorded)) if recorded else published,
        content_hash=hashlib.sha256(f"{title}\0{summary}".encode()).hexdigest(),
    )
