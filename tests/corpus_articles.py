"""Load the shared corpus into ``Article``s a story matches (a test-side loader).

The real pipeline imports feed files into the event log; this loader reads the
same files directly with feedparser so that extraction and corroboration can be
scored on their own. Publisher is the registrable-ish domain of the item's link
(else of the feed), event time the item's date in UTC, language the channel's.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import re
from pathlib import Path
from urllib.parse import urlsplit

import feedparser

from tracker.stories.definition import StoryDefinition
from tracker.stories.match import Matcher
from tracker.types import Article

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
# Second-level labels under which a registrable name sits one level deeper.
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "ac", "edu"}


def publisher_of(url: str | None) -> str:
    """Return the registrable-ish domain of a URL ("www.bbc.co.uk" -> "bbc.co.uk")."""
    if not url:
        return ""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    parts = [p for p in host.split(".") if p]
    if len(parts) <= 2:
        return ".".join(parts)
    if parts[-2] in _SECOND_LEVEL and len(parts[-1]) == 2:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def clean(text: str | None) -> str:
    """Return text without markup, entities unescaped, whitespace collapsed."""
    if not text:
        return ""
    text = html.unescape(_TAG.sub(" ", text))
    return _SPACE.sub(" ", text).strip()


def _feed_languages(corpus: Path) -> dict[str, str]:
    languages: dict[str, str] = {}
    for line in (corpus / "feeds.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) >= 4:
            languages[cols[0]] = cols[3].strip()
    return languages


_ITEM = re.compile(rb"<item[\s>].*?</item>", re.S)


def _screen(data: bytes, needles: set[bytes]) -> bytes | None:
    """Keep only the items that may match (a byte-level screen), so feedparser reads less."""
    first = data.find(b"<item")
    if first < 0:
        return None
    kept = [m.group(0) for m in _ITEM.finditer(data, first) if any(n in m.group(0).lower() for n in needles)]
    if not kept:
        return None
    return data[:first] + b"".join(kept) + b"</channel></rss>"


def load_articles(corpus: Path, story: StoryDefinition) -> list[Article]:
    """Return every corpus item the story matches, as Articles, in a stable order."""
    matcher = Matcher([story])
    # A cheap byte-level screen before parsing: every match contains one of these.
    needles = {t.rstrip("*").lower().encode() for t in (*story.terms, *story.names)}
    languages = _feed_languages(corpus)
    articles: dict[str, Article] = {}
    position = 0
    for path in sorted(corpus.glob("*/*.xml")):
        feed_id = path.parent.name
        data = _screen(path.read_bytes(), needles)
        if data is None:
            continue
        parsed = feedparser.parse(data)
        channel_lang = parsed.feed.get("language") or languages.get(feed_id) or None
        feed_link = parsed.feed.get("link")
        for entry in parsed.entries:
            title = clean(entry.get("title"))
            summary = clean(entry.get("summary"))
            if story.id not in matcher.match(title, summary):
                continue
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            if stamp is None:
                continue
            published_us = calendar.timegm(stamp) * 1_000_000
            link = entry.get("link")
            guid = entry.get("id") or link or title
            article_id = hashlib.sha256(f"{feed_id}\0{guid}".encode()).hexdigest()[:16]
            if article_id in articles:
                continue
            position += 1
            content = hashlib.sha256(f"{title}\0{summary}".encode()).hexdigest()
            articles[article_id] = Article(
                article_id=article_id,
                position=position,
                publisher=publisher_of(link) or publisher_of(feed_link) or feed_id,
                link=link,
                title=title,
                summary=summary,
                language=(channel_lang or "").split("-")[0].lower() or None,
                published_us=published_us,
                recorded_us=published_us,
                content_hash=content,
                stories=(story.id,),
            )
    return sorted(articles.values(), key=lambda a: (a.published_us, a.article_id))
