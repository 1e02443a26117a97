"""Spare the parser the items no story can match (imports of large archives).

Most items of an archive mention no tracked story, yet parsing them is most of
an import's cost. Each raw ``<item>``/``<entry>`` block (cut as in
:mod:`tracker.ingest.delta`) is decoded, its CDATA markers dropped and its
entities decoded twice (the XML level, then the HTML level that normalisation
decodes), lowercased, and searched for the stories' screen words (the longest
word of each term and name, as :func:`tracker.ingest.append.screen_words`
gives). An item's title and summary are part of its block, tags only ever
become spaces and no screen word holds a space, so a block without any of the
words cannot yield an item that matches.

Such a block is not dropped but replaced by a stub that keeps what the rest of
the document's items depend on: its id, links and dates (the snapshot time of
an archived file is its newest item date; ids decide duplicates), under a
title of one dash. The stub becomes an item that matches nothing, so counts
stay as they were. Blocks that are not valid UTF-8, documents that declare
another encoding, and bodies whose cut is not clean are parsed whole.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.ingest.delta import split_items

_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_UTF8 = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_KEEP = re.compile(
    rb"<((?:[A-Za-z][\w.-]*:)?(?:guid|id|link|pubDate|published|updated|date|issued|modified|created))"
    rb"(?=[\s>/])[^>]*?(?:/>|>.*?</\1\s*>)",
    re.DOTALL,
)
_OPEN = re.compile(rb"<(item|entry)(?=[\s>/])[^>]*>")
_CDATA = re.compile(r"<!\[CDATA\[|\]\]>")
_SECTION = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.DOTALL)


def minimal_words(words: Sequence[str]) -> tuple[str, ...]:
    """Return the words that contain no other of the words: a text holds one of the
    words exactly when it holds one of these (ten stories renaming the same people
    screen with hardly more words than one)."""
    unique = sorted(set(words), key=len)
    kept: list[str] = []
    for word in unique:
        if not any(shorter in word for shorter in kept):
            kept.append(word)
    return tuple(sorted(kept))


def may_match(block: bytes, words: Sequence[str]) -> bool:
    """Return False only when no screen word can be in the block's text."""
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        return True
    if "<![CDATA[" in text:
        text = _CDATA.sub("", text)
    if "&" in text:
        text = html.unescape(html.unescape(text))
    text = text.lower()
    return any(word in text for word in words)


def stub(block: bytes) -> bytes:
    """Return an item with only the block's id, link and date elements, titled ``-``."""
    opener = _OPEN.match(block)
    if opener is None:
        return block
    sections = [m.span() for m in _SECTION.finditer(block)]

    def inside(at: int) -> bool:
        return any(start < at < end for start, end in sections)

    kept = b"".join(m.group(0) for m in _KEEP.finditer(block, opener.end())
                    if not inside(m.start()) and not inside(m.end() - 1))
    name = opener.group(1)
    return opener.group(0) + b"<title>-</title>" + kept + b"</" + name + b">"


def screen(body: bytes, words: Sequence[str]) -> tuple[bytes, int]:
    """Return the body with the blocks no screen word can match stubbed, and how many were."""
    declared = _DECLARED.match(body)
    if declared is not None and declared.group(1).decode().lower() not in _UTF8:
        return body, 0
    split = split_items(body)
    if split is None:
        return body, 0
    out = [split.head]
    stubbed = 0
    for block in split.blocks:
        if may_match(block, words):
            out.append(block)
        else:
            out.append(stub(block))
            stubbed += 1
    if not stubbed:
        return body, 0
    out.append(split.tail)
    return b"".join(out), stubbed


_DATE = re.compile(
    rb"<((?:(?:dc|dcterms|atom):)?(pubDate|published|issued|updated|modified|date|lastBuildDate))"
    rb"(?=[\s>])[^>]*>(.*?)</\1\s*>",
    re.DOTALL,
)
_DATELIKE = re.compile(rb"<([\w.-]+:)?(?:pubDate|published|issued|updated|modified|date|lastBuildDate)[\s>]")
_PUBLISHED = frozenset({b"pubDate", b"published", b"issued"})
_KEYS = re.compile(rb"<((?:[\w.-]+:)?(?:guid|id|link))(?=[\s>/])([^>]*?)(?:/>|>(.*?)</\1\s*>)",
                   re.DOTALL)
_HREF = re.compile(rb"""href\s*=\s*["']([^"']*)["']""")


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    if "<![CDATA[" in text:
        text = _CDATA.sub("", text)
    return html.unescape(text).strip() if "&" in text else text.strip()


def _dates(block: bytes) -> tuple[str | None, str | None] | None:
    """Return the raw published and updated date texts feedparser would keep (the last of
    each), or None when the block has a date element this cannot vouch for."""
    published = updated = None
    for m in _DATELIKE.finditer(block):
        prefix = m.group(1)
        if prefix is not None and prefix not in (b"dc:", b"dcterms:", b"atom:"):
            return None
    for m in _DATE.finditer(block):
        name, local, inner = m.group(1), m.group(2), m.group(3)
        if local == b"date" and not name.startswith(b"dc:"):
            return None
        if b"<" in inner.replace(b"<![CDATA[", b"").replace(b"]]>", b""):
            return None
        if local in _PUBLISHED:
            published = _text(inner)
        else:
            updated = _text(inner)
    return published, updated


def _keys(block: bytes) -> set[bytes]:
    found: set[bytes] = set()
    for m in _KEYS.finditer(block):
        if m.group(3):
            found.add(m.group(3).strip())
        href = _HREF.search(m.group(2))
        if href is not None:
            found.add(href.group(1).strip())
    found.discard(b"")
    return found


@dataclass(frozen=True, slots=True)
class Cut:
    """A body without the blocks no story can match, and what those blocks still tell."""

    body: bytes
    dropped: int
    dates: tuple[tuple[str | None, str | None], ...]  # (published, updated) texts per block


def cut(body: bytes, words: Sequence[str]) -> Cut | None:
    """Return the body without the blocks no screen word can match, or None when that
    cannot be done safely (then :func:`screen` stubs them instead).

    Safe means: the document is UTF-8 with a clean cut, every dropped block's dates are
    ones this module can read, and no dropped block's id or link recurs in a kept block
    (ids decide which of two entries is a duplicate).
    """
    declared = _DECLARED.match(body)
    if declared is not None and declared.group(1).decode().lower() not in _UTF8:
        return None
    split = split_items(body)
    if split is None:
        return None
    kept: list[bytes] = []
    dropped: list[bytes] = []
    for block in split.blocks:
        (kept if may_match(block, words) else dropped).append(block)
    dates = []
    try:
        for block in dropped:
            found = _dates(block)
            if found is None:
                return None
            dates.append(found)
        if kept and dropped:
            keys = set().union(*(_keys(b) for b in dropped))
            if any(key in block for key in keys for block in kept):
                return None
    except UnicodeDecodeError:
        return None
    return Cut(split.head + b"".join(kept) + split.tail, len(dropped), tuple(dates))
