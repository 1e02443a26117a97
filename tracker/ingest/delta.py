"""Skip the items of a fetched feed that are byte-for-byte the same as last time.

A feed answering 200 usually differs from its previous copy by one or two
items. Parsing is the expensive step, so the raw ``<item>``/``<entry>`` blocks
are cut out with a regular expression and hashed; blocks already seen in this
feed's previous copy are dropped, and only the document's frame plus the new
blocks go to the parser. An unchanged block can only yield an unchanged item,
which appends nothing anyway.

Whenever the cut is not clean (no blocks, text between blocks, a nested or
prefixed element, a non-ASCII-compatible encoding, a different root element)
the whole body is parsed as usual. The cut is made by forward ``find`` scans,
linear in the body whatever it holds (a megabyte of ``<item>`` openers included).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

_SPACE = b" \t\n\r\f\v"
_AFTER_NAME = frozenset(_SPACE + b">/")
_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF)(?=[\s>])[^>]*>", re.IGNORECASE)
_OPENERS = (b"<item", b"<entry")
_CLOSERS = (b"</item", b"</entry")


@dataclass(frozen=True, slots=True)
class Split:
    """A body cut into frame and item blocks."""

    root: bytes                 # digest of everything up to the root start tag
    head: bytes
    blocks: tuple[bytes, ...]
    digests: tuple[bytes, ...]
    tail: bytes

    def without(self, known: frozenset[bytes]) -> tuple[bytes, int]:
        """Return the body with the known blocks removed, and how many were removed."""
        fresh = [b for b, d in zip(self.blocks, self.digests, strict=True) if d not in known]
        return self.head + b"".join(fresh) + self.tail, len(self.blocks) - len(fresh)


def split_items(body: bytes) -> Split | None:
    """Cut a body into head, item blocks and tail; None when the cut is not clean."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:200]:
        return None
    root = _ROOT.search(body, 0, 8192)
    if root is None:
        return None
    blocks: list[bytes] = []
    start = end = -1
    for at, stop in _blocks(body, root.end()):
        if end >= 0 and body[end:at].strip():
            return None  # something between blocks: not a plain list of items
        block = body[at:stop]
        if any(block.find(o, 1) >= 0 for o in _OPENERS):
            return None  # an item inside an item (or in its text): do not guess
        if block.count(b"<![CDATA[") != block.count(b"]]>"):
            return None  # the block was cut inside a CDATA section
        if start < 0:
            start = at
        end = stop
        blocks.append(block)
    if not blocks:
        return None
    tail = body[end:]
    if any(o in tail for o in (*_OPENERS, *_CLOSERS)):
        return None
    digests = tuple(hashlib.blake2b(b, digest_size=16).digest() for b in blocks)
    frame = hashlib.blake2b(body[: root.end()], digest_size=16).digest()
    return Split(frame, body[:start], tuple(blocks), digests, tail)


def _blocks(body: bytes, pos: int) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each ``<item ...>...</item>`` / ``<entry ...>...</entry>`` after pos."""
    found = {b"item": -2, b"entry": -2}  # the next place of each opener at or after pos
    while True:
        for name, at in found.items():
            if at != -1 and at < pos:
                found[name] = body.find(b"<" + name, pos)
        spots = [(at, name) for name, at in found.items() if at >= 0]
        if not spots:
            return
        at, name = min(spots)
        after = at + 1 + len(name)
        if after >= len(body) or body[after] not in _AFTER_NAME:
            pos = at + 1  # <items>, <entryway>: not an opener
            continue
        gt = body.find(b">", after)
        if gt < 0:
            return
        stop = _closing(body, name, gt + 1)
        if stop < 0:
            return  # no closing tag after this opener, so none after any later one
        yield at, stop
        pos = stop


def _closing(body: bytes, name: bytes, pos: int) -> int:
    """Return the end of the first ``</name`` + whitespace + ``>`` at or after pos (-1: none)."""
    needle = b"</" + name
    at = body.find(needle, pos)
    while at >= 0:
        end = at + len(needle)
        while end < len(body) and body[end] in _SPACE:
            end += 1
        if end < len(body) and body[end] == 62:  # ">"
            return end + 1
        at = body.find(needle, max(end, at + 1))
    return -1


def cap_items(body: bytes, split: Split | None, limit: int) -> tuple[bytes, Split | None, int]:
    """Keep a body's first ``limit`` items (feeds list the newest first); return the body,
    its split and how many items were left out.

    With a clean split the surplus blocks are dropped; otherwise the body is cut
    before its ``limit + 1``-th item opener (the parser then sees a truncated
    document and keeps the complete items before the cut).
    """
    if split is not None:
        if len(split.blocks) <= limit:
            return body, split, 0
        kept = Split(split.root, split.head, split.blocks[:limit], split.digests[:limit], split.tail)
        return kept.head + b"".join(kept.blocks) + kept.tail, kept, len(split.blocks) - limit
    cut, count = _nth_opener(body, limit + 1)
    if cut < 0:
        return body, None, 0
    return body[:cut], None, count - limit


def _nth_opener(body: bytes, n: int) -> tuple[int, int]:
    """Return where the n-th ``<item``/``<entry`` opener starts (-1: fewer) and how many there are."""
    count = 0
    place = -1
    for name in _OPENERS:
        at = body.find(name)
        while at >= 0:
            count += 1
            at = body.find(name, at + len(name))
    if count < n:
        return -1, count
    # The n-th in document order: merge the two kinds' positions as they come.
    item, entry = body.find(b"<item"), body.find(b"<entry")
    for _ in range(n):
        if entry < 0 or (0 <= item < entry):
            place, item = item, body.find(b"<item", item + 5)
        else:
            place, entry = entry, body.find(b"<entry", entry + 6)
    return place, count
