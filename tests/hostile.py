"""Hostile feed bodies, made on the fly: for the text-handling tests and the memory benchmark.

Each is a well-formed (or nearly) RSS document whose one item carries about
``size`` bytes of crafted text; :func:`bomb` and :func:`many_items` are about
memory rather than text.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable

MB = 1024 * 1024
_HEAD = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
    b"<title>Hostile</title><link>https://hostile.example/</link>"
)
_TAIL = b"</channel></rss>"


def _item(description: bytes, title: bytes = b"OpenAI board meets") -> bytes:
    return (
        b"<item><title>" + title + b"</title><link>https://hostile.example/a</link>"
        b"<guid>https://hostile.example/a</guid><pubDate>Mon, 20 Nov 2023 10:00:00 GMT</pubDate>"
        b"<description>" + description + b"</description></item>"
    )


def feed(description: bytes, title: bytes = b"OpenAI board meets") -> bytes:
    """Return an RSS document with one item."""
    return _HEAD + _item(description, title) + _TAIL


def cdata(text: bytes) -> bytes:
    return b"<![CDATA[" + text.replace(b"]]>", b"") + b"]]>"


def _fill(unit: bytes, size: int) -> bytes:
    return unit * max(1, size // len(unit))


def texts(size: int = MB) -> dict[str, Callable[[], bytes]]:
    """Return the crafted texts by name (each about ``size`` bytes, before any wrapping)."""
    return {
        "cdata_lt": lambda: feed(cdata(_fill(b"<", size))),
        "cdata_amp": lambda: feed(cdata(_fill(b"&", size))),
        "cdata_nested_tags": lambda: feed(cdata(_fill(b"<b><i>", size // 2) + _fill(b"</i></b>", size // 2))),
        "cdata_open_script": lambda: feed(cdata(_fill(b"<script>x", size))),
        "cdata_open_comment": lambda: feed(cdata(_fill(b"<!--", size))),
        "cdata_open_tags": lambda: feed(cdata(_fill(b"<a href=", size))),
        "escaped_lt": lambda: feed(_fill(b"&lt;", size)),
        "escaped_script": lambda: feed(_fill(b"&lt;script&gt;", size)),
        "entity_like": lambda: feed(_fill(b"&amp;amp;", size)),
        "undefined_entities": lambda: feed(_fill(b"&e;", size)),
        "char_refs": lambda: feed(_fill(b"&#0;&#xD800;&#1114112;", size)),
        "title_lt": lambda: feed(b"ok", title=cdata(_fill(b"<", size))),
        "nested_elements": lambda: feed(_fill(b"<b>", size // 2) + _fill(b"</b>", size // 2)),
        "many_item_openers": lambda: _HEAD + _fill(b"<item>", size) + _TAIL,
        "quadratic_entity": lambda: _quadratic(size),
    }


def _quadratic(size: int) -> bytes:
    """An entity of 50 KB referenced all over a ``size`` body, declared past the first 64 KB."""
    preamble = b'<?xml version="1.0"?><!--' + b"x" * 70000 + b"-->"
    doctype = b'<!DOCTYPE rss [<!ENTITY a "' + b"A" * 50000 + b'">]>'
    return preamble + doctype + _HEAD[_HEAD.index(b"<rss"):] + _item(_fill(b"&a;", size)) + _TAIL


def bomb(layers: int = 2, size: int = 2048 * MB) -> bytes:
    """Return ``size`` bytes of spaces gzipped ``layers`` times (served with that many codings)."""
    body = _gzip_stream(b" " * MB, size)
    for _ in range(layers - 1):
        body = gzip.compress(body, compresslevel=9)
    return body


def _gzip_stream(chunk: bytes, size: int) -> bytes:
    """Return gzip(``size`` bytes made of ``chunk``) without holding them all."""
    import zlib

    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [deflate.compress(_HEAD + b"<item><title>x</title><description>")]
    for _ in range(size // len(chunk)):
        parts.append(deflate.compress(chunk))
    parts.append(deflate.compress(b"</description></item>" + _TAIL))
    parts.append(deflate.flush())
    return b"".join(parts)


def many_items(count: int = 200_000) -> bytes:
    """Return a feed of ``count`` small items, newest first (200,000 fit in 12 MB, under the cap)."""
    items = [b"<item><title>Note %d</title><guid>m%d</guid></item>" % (count - i, count - i) for i in range(count)]
    return _HEAD + b"".join(items) + _TAIL
