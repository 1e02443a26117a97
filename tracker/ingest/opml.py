"""Read and write feed lists: OPML (import/export) and the shipped ``config/feeds.toml``."""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from tracker.errors import ConfigError, InputError

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_FEEDS = ROOT / "config" / "feeds.toml"
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """A feed named in a list: URL, optional title and interval."""

    url: str
    title: str | None = None
    interval: int | None = None
    language: str | None = None


def read_feed_list(path: Path) -> list[FeedEntry]:
    """Read an OPML or TOML feed list (by content), raising ConfigError naming the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if path.suffix.lower() == ".toml":
        return _read_toml(path, data)
    return read_opml(data, str(path))


def read_opml(data: bytes, name: str = "OPML") -> list[FeedEntry]:
    """Return the feeds (``outline`` elements with ``xmlUrl``) of an OPML document."""
    if _DTD.search(data[:65536]):
        raise ConfigError(f"{name}: OPML with a DTD is refused")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ConfigError(f"{name}: invalid OPML: {exc}") from None
    if root.tag.lower() != "opml":
        raise ConfigError(f"{name}: not an OPML document (root <{root.tag}>)")
    found = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if url:
            title = outline.get("title") or outline.get("text") or None
            found.append(FeedEntry(url.strip(), title, None, outline.get("language")))
    return found


def _read_toml(path: Path, data: bytes) -> list[FeedEntry]:
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    entries = []
    for i, item in enumerate(raw.get("feed", [])):
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            raise ConfigError(f"{path}: feed #{i + 1} needs a 'url' string")
        interval = item.get("interval")
        if interval is not None and not isinstance(interval, int):
            raise ConfigError(f"{path}: feed #{i + 1}: 'interval' must be an integer (seconds)")
        entries.append(FeedEntry(item["url"], item.get("title"), interval, item.get("language")))
    return entries


def write_opml(entries: list[FeedEntry], title: str = "tracker feeds") -> str:
    """Return an OPML 2.0 document listing feeds."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_text(title)}</title></head>",
        "  <body>",
    ]
    for entry in entries:
        label = entry.title or entry.url
        attrs = f'type="rss" text={quoteattr(label)} title={quoteattr(label)} xmlUrl={quoteattr(entry.url)}'
        if entry.language:
            attrs += f" language={quoteattr(entry.language)}"
        lines.append(f"    <outline {attrs}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
