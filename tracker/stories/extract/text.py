"""Prepare an article's text for the rules: clean, split into sentences and clauses."""

from __future__ import annotations

import html
import re
from functools import cache

from tracker.stories.extract.compiled import compile as compile_re
from tracker.stories.extract.compiled import kept
from tracker.stories.extract.rules import data_digest, languages

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "‚": ",", " ": " ", "\u200b": ""})
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[\"“«„(\[]?[A-ZÀ-ÖØ-ÞĄĆĘŁŃÓŚŹŻ0-9-])|\s+\|\s+(?=[A-Z])")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]{0,400}>")
_URL = re.compile(r"https?://\S+")


@cache
def _every_language() -> tuple[tuple[re.Pattern[str], ...], re.Pattern[str]]:
    # What cleaning and splitting take from every language's lexicon (kept for the next process,
    # which then reads no language but the text's own).
    def make() -> tuple[tuple[re.Pattern[str], ...], re.Pattern[str]]:
        found = languages().values()
        words = "|".join(lang.abbreviations for lang in found if lang.abbreviations)
        return (tuple(f for lang in found for f in lang.furniture),
                compile_re(rf"\b(?:{words or '(?!)'})\.$"))

    return kept("text", data_digest(), make)  # type: ignore[no-any-return]


@cache
def _furniture() -> tuple[re.Pattern[str], ...]:
    # Feed furniture ("read more" tails, aggregator footers), from every language's lexicon.
    return (*_every_language()[0], _URL)


@cache
def _abbreviations() -> re.Pattern[str]:
    # Abbreviations whose full stop does not end a sentence, from every language's lexicon.
    return _every_language()[1]


def clean(text: str) -> str:
    """Return text without markup, with typographic quotes folded and feed furniture removed."""
    if "<" in text or "&" in text:
        text = html.unescape(_TAG.sub(" ", text))
    text = text.translate(_QUOTES)
    for pattern in _furniture():
        text = pattern.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def sentences(text: str) -> list[str]:
    """Split text into sentences (abbreviations such as "Mr." do not end one); a line
    break (a paragraph of the feed's markup, see ingest) always ends one."""
    if "\n" in text:
        return [s for paragraph in text.split("\n") for s in sentences(paragraph)]
    text = clean(text)
    if not text:
        return []
    parts: list[str] = []
    start = 0
    for match in _SENTENCE.finditer(text):
        piece = text[start:match.start()]
        if _abbreviations().search(piece):
            continue
        if piece.strip():
            parts.append(piece.strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts
