"""Parse fetched bytes into a :class:`ParsedFeed` (the only module importing feedparser).

The body is handed to feedparser as a stream, never as a string it could take
for a file name or URL. An internal DTD subset declaring entities is cut out
first, so entity expansion (billion laughs) and external entities (XXE) never
reach the XML parser. Numeric character references to what is no character
(``&#xD800;``, ``&#1114112;``) become U+FFFD: the parser would fail on them. HTML in items is not sanitised here: normalisation turns
it into plain text, and nothing downstream ever renders markup.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import feedparser

from tracker.errors import ParseError
from tracker.ingest.items import ParsedFeed

_HEAD = 65536
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", re.DOTALL | re.IGNORECASE)
# Numeric references long enough to be a surrogate or beyond U+10FFFF (checked in _charref).
_CHARREF = re.compile(rb"&#(?:[xX]0*([0-9a-fA-F]{4,})|0*([0-9]{5,}));?")
_NON_FATAL = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def defuse(body: bytes) -> bytes:
    """Return the body without an internal DTD subset that declares entities."""
    head = body[:_HEAD]
    if b"<!ENTITY" not in head.upper() and b"<!entity" not in head:
        return body
    match = _DOCTYPE.search(head)
    if match is None:
        # An entity declaration we cannot delimit: drop everything before the root.
        start = head.upper().find(b"<!DOCTYPE")
        end = head.find(b"]>", start)
        if start < 0 or end < 0:
            return body
        return body[:start] + body[end + 2 :]
    return body[: match.start()] + body[match.end() :]


def _charref(match: re.Match[bytes]) -> bytes:
    hex_digits, digits = match.group(1), match.group(2)
    text = hex_digits if hex_digits is not None else digits
    if len(text) > 8:
        return b"&#xFFFD;"
    code = int(text, 16) if hex_digits is not None else int(text)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group(0)


def fix_charrefs(body: bytes) -> bytes:
    """Return the body with references to surrogates or to beyond U+10FFFF as U+FFFD."""
    return _CHARREF.sub(_charref, body) if b"&#" in body else body


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _without_charset(value: str) -> str:
    return ";".join(p for p in value.split(";") if not p.strip().lower().startswith("charset="))


def _ttl_seconds(value: object) -> int | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60 if minutes > 0 else None


def parse_feed(body: bytes, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a feed body; raise ParseError when it is not a usable feed.

    A result without a version, or a malformed one without entries, is an error;
    a malformed one with entries comes back with ``bozo`` set and a warning.
    """
    if not body or not body.strip():
        raise ParseError("empty body")
    headers = dict(headers or {})
    if body.startswith(_BOMS):
        # A byte order mark outranks a charset in Content-Type (RFC 7303).
        headers = {k: _without_charset(v) if k.lower() == "content-type" else v for k, v in headers.items()}
    # Items are reduced to plain text downstream (tags, scripts and styles
    # removed), so feedparser's HTML sanitiser and relative-URI rewriting of
    # markup would be work thrown away.
    try:
        result = feedparser.parse(
            io.BytesIO(fix_charrefs(defuse(body))),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except (ValueError, UnicodeError, OverflowError, RecursionError, LookupError, TypeError) as exc:
        raise ParseError(f"the feed parser failed on this body ({type(exc).__name__})") from None
    version = result.get("version") or ""
    entries = tuple(result.get("entries") or ())
    problem = result.get("bozo_exception")
    bozo = bool(result.get("bozo"))
    warning = _describe(problem) if bozo else None
    if not version:
        raise ParseError(f"not a feed ({warning})" if warning else "not a RSS or Atom feed")
    if bozo and not entries and not isinstance(problem, _NON_FATAL):
        raise ParseError(f"malformed feed: {warning}")
    feed = result.get("feed") or {}
    self_link = None
    for link in feed.get("links") or ():
        if link.get("rel") == "self" and link.get("href"):
            self_link = link["href"]
            break
    return ParsedFeed(
        version=version,
        title=feed.get("title") or None,
        link=feed.get("link") or None,
        self_link=self_link,
        language=(feed.get("language") or None),
        ttl_seconds=_ttl_seconds(feed.get("ttl")),
        bozo=bozo,
        warning=warning,
        entries=entries,
        partial=bozo and not isinstance(problem, _NON_FATAL),
    )


def _describe(problem: object) -> str:
    text = str(problem or "malformed XML").strip()
    line = text.splitlines()[0] if text else type(problem).__name__
    return line[:300]


def parse_date(text: str | None) -> Any:
    """Parse a feed date as feedparser does for an entry (a UTC struct_time, or None)."""
    if not text:
        return None
    return feedparser.datetimes._parse_date(text)
