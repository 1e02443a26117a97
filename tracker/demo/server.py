"""Serve the bundled demo archive over HTTP on 127.0.0.1, revealed by a virtual clock.

Each archive file is one feed document (RSS 2.0 or Atom). The server answers
``GET /<name>.xml`` with that document holding only the items published at or
before the virtual clock's "now", newest first, with an ``ETag`` and a
``Last-Modified`` so that a conditional GET gets ``304 Not Modified`` until
something new is revealed.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from tracker.errors import ConfigError

_ITEM = re.compile(r"[ \t]*<(item|entry)\b.*?</\1>\s*\n?", re.S)
_RSS_DATE = re.compile(r"<pubDate>(.*?)</pubDate>", re.S)
_ATOM_DATE = re.compile(r"<(published|updated)>(.*?)</\1>", re.S)


class VirtualClock:
    """A clock that moves only when told to: shared by the server and the worker."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the virtual clock needs an aware start instant")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Return the virtual instant (UTC)."""
        with self._lock:
            return self._now

    __call__ = now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward and return the new instant."""
        if delta < timedelta(0):
            raise ValueError("the virtual clock never goes back")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        """Move the clock forward to an instant (never back)."""
        with self._lock:
            if moment < self._now:
                raise ValueError("the virtual clock never goes back")
            self._now = moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ArchiveItem:
    """One item of an archive feed: its publication instant and its raw XML."""

    published: datetime
    xml: str


@dataclass(frozen=True, slots=True)
class ArchiveFeed:
    """One feed document of the archive, split into head, items and tail."""

    name: str
    head: str
    items: tuple[ArchiveItem, ...]
    tail: str

    def revealed(self, now: datetime) -> tuple[ArchiveItem, ...]:
        """Return the items published at or before ``now``, newest first."""
        shown = [item for item in self.items if item.published <= now]
        return tuple(sorted(shown, key=lambda item: item.published, reverse=True))

    def render(self, now: datetime) -> str:
        """Return the document as it stood at ``now``."""
        return self.head + "".join(item.xml for item in self.revealed(now)) + self.tail


def _item_date(xml: str, source: str) -> datetime:
    match = _RSS_DATE.search(xml)
    try:
        if match:
            return parsedate_to_datetime(match.group(1).strip()).astimezone(UTC)
        atom = _ATOM_DATE.search(xml)
        if atom:
            return datetime.fromisoformat(atom.group(2).strip().replace("Z", "+00:00")).astimezone(UTC)
    except (TypeError, ValueError):
        pass
    raise ConfigError(f"{source}: an item has no usable pubDate/published date")


def parse_archive_feed(name: str, text: str) -> ArchiveFeed:
    """Split a feed document into its head, its dated items and its tail."""
    found = list(_ITEM.finditer(text))
    if not found:
        raise ConfigError(f"{name}: no <item> or <entry> in the feed")
    items = tuple(ArchiveItem(_item_date(m.group(0), name), m.group(0)) for m in found)
    return ArchiveFeed(name, text[: found[0].start()], items, text[found[-1].end():])


def bundled_archive_dir() -> Path:
    """Return the folder of the demo archive shipped with tracker."""
    return Path(str(resources.files("tracker") / "data" / "demo"))


def load_archive(folder: Path | None = None) -> dict[str, ArchiveFeed]:
    """Load every ``*.xml`` feed of an archive folder (default: the bundled one), by name."""
    folder = folder or bundled_archive_dir()
    paths = sorted(folder.glob("*.xml"))
    if not paths:
        raise ConfigError(f"{folder}: no demo archive (*.xml) found")
    return {p.stem: parse_archive_feed(p.name, p.read_text(encoding="utf-8")) for p in paths}


class ArchiveServer:
    """A real HTTP server on 127.0.0.1 serving archive feeds as of a virtual clock."""

    def __init__(self, feeds: dict[str, ArchiveFeed], clock: VirtualClock, port: int = 0) -> None:
        self.feeds = feeds
        self.clock = clock
        self.requests = 0
        self.not_modified = 0
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"archive": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """Return ``http://127.0.0.1:<port>``."""
        port = self._httpd.server_address[1]
        return f"http://127.0.0.1:{port}"

    def url(self, name: str) -> str:
        """Return the URL of one archive feed."""
        return f"{self.base_url}/{name}.xml"

    def urls(self) -> list[str]:
        """Return the URL of every archive feed."""
        return [self.url(name) for name in sorted(self.feeds)]

    def start(self) -> ArchiveServer:
        """Serve in a background thread; return self."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-archive",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def count(self, *, not_modified: bool) -> None:
        """Count one answered request."""
        with self._lock:
            self.requests += 1
            self.not_modified += int(not_modified)


@contextmanager
def serving(clock: VirtualClock, folder: Path | None = None) -> Iterator[ArchiveServer]:
    """Run an archive server for the duration of a ``with`` block."""
    server = ArchiveServer(load_archive(folder), clock).start()
    try:
        yield server
    finally:
        server.stop()


class _Handler(BaseHTTPRequestHandler):
    archive: ArchiveServer
    server_version = "tracker-demo/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        name = self.path.split("?", 1)[0].strip("/")
        feed = self.archive.feeds.get(name[:-4]) if name.endswith(".xml") else None
        if feed is None:
            self._send(404, b"not found\n", "text/plain; charset=utf-8")
            return
        now = self.archive.clock.now()
        items = feed.revealed(now)
        body = feed.render(now).encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
        newest = items[0].published if items else datetime(2023, 11, 1, tzinfo=UTC)
        last_modified = format_datetime(newest.replace(microsecond=0), usegmt=True)
        headers = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "no-cache"}
        if self._fresh(etag, newest):
            self.archive.count(not_modified=True)
            self._send(304, b"", None, headers)
            return
        self.archive.count(not_modified=False)
        kind = "application/atom+xml" if "<feed" in feed.head else "application/rss+xml"
        self._send(200, body, f"{kind}; charset=utf-8", headers)

    def _fresh(self, etag: str, newest: datetime) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            return etag in [tag.strip() for tag in match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return newest.replace(microsecond=0) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: int, body: bytes, content_type: str | None,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
