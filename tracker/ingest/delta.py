"""Skip the items of a fetched feed that are byte-for-byte the same as last time.

A feed answering 200 usually differs from its previous copy by one or two
items. Parsing is the expensive step, so the raw ``<item>``/``<entry>`` blocks
are cut out with a regular expression and hashed; blocks already seen in this
feed's previous copy are dropped, and only the document's frame plus the new
blocks go to the parser. An unchanged block can only yield an unchanged item,
which appends nothing anyway.

Whenever the cut is not clean (no blocks, text between blocks, a nested or
prefixed element, a non-ASCII-compatible encoding, a different root element)
the whole body is parsed as usual.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_BLOCK = re.compile(rb"<(item|entry)(?=[\s>/])[^>]*>.*?</\1\s*>", re.DOTALL)
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
    for match in _BLOCK.finditer(body, root.end()):
        if end >= 0 and body[end : match.start()].strip():
            return None  # something between blocks: not a plain list of items
        block = match.group(0)
        if any(block.find(o, 1) >= 0 for o in _OPENERS):
            return None  # an item inside an item (or in its text): do not guess
        if block.count(b"<![CDATA[") != block.count(b"]]>"):
            return None  # the block was cut inside a CDATA section
        if start < 0:
            start = match.start()
        end = match.end()
        blocks.append(block)
    if not blocks:
        return None
    tail = body[end:]
    if any(o in tail for o in (*_OPENERS, *_CLOSERS)):
        return None
    digests = tuple(hashlib.blake2b(b, digest_size=16).digest() for b in blocks)
    frame = hashlib.blake2b(body[: root.end()], digest_size=16).digest()
    return Split(frame, body[:start], tuple(blocks), digests, tail)
