"""Prepare an article's text for the rules: clean, split into sentences and clauses."""

from __future__ import annotations

import html
import re

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "‚": ",", " ": " ", "\u200b": ""})
# Feed furniture that carries no claim: aggregator footers, "read more" tails.
_FURNITURE = (
    re.compile(r"\bArticle URL:.*$", re.S),
    re.compile(r"\bComments URL:.*$", re.S),
    re.compile(r"\bThe post .{0,300}? appeared first on .*$", re.S),
    re.compile(r"\bContinue reading\W*$"),
    re.compile(r"https?://\S+"),
)
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[\"“«„(\[]?[A-ZÀ-ÖØ-ÞĄĆĘŁŃÓŚŹŻ0-9-])|\s+\|\s+(?=[A-Z])")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]{0,400}>")
# Abbreviations whose full stop does not end a sentence.
_ABBREV = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|vs|inc|Inc|Corp|Co|ws|tzw|np|m\.in|ok|ang|fr|C\.E\.O|C\.EO|A\.I|U\.S|U\.K|p\.o)\.$")


def clean(text: str) -> str:
    """Return text without markup, with typographic quotes folded and feed furniture removed."""
    if "<" in text or "&" in text:
        text = html.unescape(_TAG.sub(" ", text))
    text = text.translate(_QUOTES)
    for pattern in _FURNITURE:
        text = pattern.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def sentences(text: str) -> list[str]:
    """Split text into sentences (abbreviations such as "Mr." do not end one)."""
    text = clean(text)
    if not text:
        return []
    parts: list[str] = []
    start = 0
    for match in _SENTENCE.finditer(text):
        piece = text[start:match.start()]
        if _ABBREV.search(piece):
            continue
        if piece.strip():
            parts.append(piece.strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts
