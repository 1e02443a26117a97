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
