"""Feed text made safe to store: markup stripped in linear time, unusable characters removed.

:func:`strip_markup` does what three regular expressions used to do (script and
style blocks, comments, tags), with the same result, but by forward ``find``
scans only: every position of the text is looked at a bounded number of times,
so a megabyte of ``<``, unclosed ``<script`` or ``<!--`` costs what a megabyte of
prose does. (The one difference: block names match in ASCII case only, where
the regular expression also took ``ſcript`` for ``script``.)

:func:`clean` removes what no text column should hold: NUL and the other
C0 control characters (tab and newlines stay), lone surrogates (replaced by
U+FFFD), and Unicode non-characters; C1 controls stay (a feed decoded with the
wrong charset has them for punctuation). It runs once on every text field of an
item before the item enters the log.
"""

from __future__ import annotations

import re
from collections.abc import Callable

BLOCKS = ("script", "style", "iframe", "object", "noscript")
_INITIALS = frozenset(name[0] for name in BLOCKS)
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_NONCHARACTERS = "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_DROP = re.compile(f"[\x00-\x08\x0e-\x1b\x7f\ufdd0-\ufdef{_NONCHARACTERS}]")
_SPACE = re.compile("[\x0b\x0c\x1c-\x1f]")  # control characters Python counts as whitespace
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """Return text without C0 control characters (tab and newlines stay; the ones that
    separate like a space become one) and non-characters, lone surrogates as U+FFFD."""
    if text.isprintable():
        return text
    text = _SPACE.sub(" ", _DROP.sub("", text))
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class _Closings:
    """Where each block's closing tag (``</name`` + whitespace + ``>``) is, found once per name."""

    def __init__(self, text: str, low: str) -> None:
        self.text = text
        self.low = low
        self.found: dict[str, list[tuple[int, int]]] = {}
        self.cursor: dict[str, int] = {}

    def _scan(self, name: str) -> list[tuple[int, int]]:
        text, low, needle = self.text, self.low, "</" + name
        spots: list[tuple[int, int]] = []
        at = low.find(needle)
        while at >= 0:
            end = at + len(needle)
            while end < len(text) and text[end].isspace():
                end += 1
            if end < len(text) and text[end] == ">":
                spots.append((at, end + 1))
            at = low.find(needle, max(end, at + 1))
        return spots

    def first_after(self, name: str, start: int) -> int | None:
        """Return the end of the first closing tag of ``name`` starting at or after ``start``."""
        spots = self.found.get(name)
        if spots is None:
            spots = self.found[name] = self._scan(name)
            self.cursor[name] = 0
        k = self.cursor[name]
        while k < len(spots) and spots[k][0] < start:
            k += 1  # calls come with growing starts: each spot is passed once
        self.cursor[name] = k
        return spots[k][1] if k < len(spots) else None


def strip_blocks(text: str) -> str:
    """Replace each ``<script ...>...</script>`` (style, iframe, object, noscript) by a space."""
    if "<" not in text:
        return text
    low = text.translate(_LOWER)
    closings = _Closings(text, low)
    out: list[str] = []
    kept = 0
    at = low.find("<")
    while at >= 0:
        end = None
        for name in BLOCKS if low[at + 1 : at + 2] in _INITIALS else ():
            after = at + 1 + len(name)
            if low.startswith(name, at + 1) and (after == len(low) or not _is_word(low[after])):
                end = closings.first_after(name, after)
                break
        if end is not None:
            out.append(text[kept:at])
            out.append(" ")
            kept = end
            at = low.find("<", end)
        else:
            at = low.find("<", at + 1)
    out.append(text[kept:])
    return "".join(out)


def _replace_spans(text: str, opener: str, closer: str, skip: int,
                   by: Callable[[str, int], str] | None = None) -> str:
    """Replace each ``opener ... closer`` (shortest) by a space, or by what ``by(text, at)``
    returns for the span opening at ``at``; ``skip``: where the closer may start."""
    out: list[str] = []
    kept = 0
    at = text.find(opener)
    while at >= 0:
        end = text.find(closer, at + skip)
        if end < 0:
            break  # no closer after this opener, so none after any later one either
        out.append(text[kept:at])
        out.append(" " if by is None else by(text, at))
        kept = end + len(closer)
        at = text.find(opener, kept)
    if not out:
        return text
    out.append(text[kept:])
    return "".join(out)


def strip_comments(text: str) -> str:
    """Replace each ``<!-- ... -->`` by a space."""
    return _replace_spans(text, "<!--", "-->", 4) if "<!--" in text else text


def strip_tags(text: str) -> str:
    """Replace each ``<...>`` by a space."""
    return _replace_spans(text, "<", ">", 1)


# Elements that end a paragraph (or a line: br): their tags become a blank line in
# paragraph mode, so a standfirst, a heading or a caption is not read into the sentence after it.
PARAGRAPH_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "figure", "figcaption", "table", "tr", "section", "article", "header",
    "footer", "aside", "pre", "hr", "address", "br",
})
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _tag_break(text: str, at: int) -> str:
    """What the tag at ``at`` becomes in paragraph mode: a blank line or a space.

    Looks at most a dozen characters past the ``<``, so a scan stays linear."""
    start = at + 2 if text.startswith("</", at) else at + 1
    end = start
    while end < len(text) and end - start < 11 and text[end].lower() in _NAME_CHARS:
        end += 1
    name = text[start:end].lower()
    return "\n\n" if name in PARAGRAPH_TAGS else " "


def strip_tags_to_lines(text: str) -> str:
    """Replace each ``<...>`` by a space, or by a blank line where the element ends a paragraph."""
    return _replace_spans(text, "<", ">", 1, _tag_break)


def strip_markup(text: str, *, paragraphs: bool = False) -> str:
    """Return text with blocks, comments and tags each replaced by a space (in that order);
    with ``paragraphs``, the tags that end a paragraph or a line become line breaks."""
    if "<" not in text:
        return text
    text = strip_comments(strip_blocks(text))
    return strip_tags_to_lines(text) if paragraphs else strip_tags(text)


def paragraph_text(text: str) -> str:
    """Collapse white space within each paragraph (paragraphs end at a blank line) and
    join the paragraphs with one line break: collapsing the result's white space gives
    what collapsing the whole text does."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        words = line.split()
        if words:
            current.extend(words)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n".join(paragraphs)
