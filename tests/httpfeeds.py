"""A real HTTP server on 127.0.0.1 serving feed files and hostile answers, for tests and benchmarks.

Usage::

    with FeedServer() as server:
        server.feed("/a.xml", body)                    # 200 with ETag/Last-Modified, 304 on match
        server.status("/gone", 410)
        server.status("/busy", 503, headers={"Retry-After": "120"})
        server.redirect("/old", "/a.xml", 301)
        server.drip("/slow", body, every=0.2, limit=3.0)
        server.trickle_headers("/t")                   # one header byte at a time, forever
        server.continue_loop("/c")                     # 100 Continue, again and again
        server.endless_chunks("/e")                    # a chunked body that never ends
        server.huge("/big", 60 * 1024 * 1024)
        url = server.url("/a.xml")

Every request is recorded in ``server.requests`` (method, path, headers) so a
test can check what a client sent (conditional headers, User-Agent ...).
:class:`HostMapTransport` lets an httpx client reach this server under another
name (``public.test``), keeping the name in the Host header.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from tracker.ingest.deadline import deadline_transport

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with programmable routes."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Handler] = {}
        self._closing = threading.Event()  # set on close: slow routes stop sending
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.requests.append(
                        Request("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
                    )
                    route = server.routes.get(path)
                if route is None:
                    _send(self, 404, b"not found", {"Content-Type": "text/plain"})
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer((host, 0), _Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # --- lifecycle --------------------------------------------------------

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str) -> list[Request]:
        """Return the requests received for a path (query string ignored)."""
        with self._lock:
            return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    # --- routes -----------------------------------------------------------

    def route(self, path: str, handler: Handler) -> None:
        with self._lock:
            self.routes[path] = handler

    def feed(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/rss+xml; charset=utf-8",
        etag: bool = True,
        last_modified: bool = True,
        headers: dict[str, str] | None = None,
        gzip_ok: bool = True,
    ) -> None:
        """Serve a body with validators; answer 304 to a matching conditional GET."""
        tag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        stamp = formatdate(1_700_000_000, usegmt=True)
        extra = dict(headers or {})

        def handle(h: BaseHTTPRequestHandler) -> None:
            out = {"Content-Type": content_type, **extra}
            if etag:
                out["ETag"] = tag
            if last_modified:
                out["Last-Modified"] = stamp
            match_tag = etag and h.headers.get("If-None-Match") == tag
            match_date = last_modified and h.headers.get("If-Modified-Since") == stamp
            if match_tag or (match_date and not (etag and h.headers.get("If-None-Match"))):
                _send(h, 304, b"", {k: v for k, v in out.items() if k != "Content-Type"})
                return
            payload = body
            if gzip_ok and "gzip" in (h.headers.get("Accept-Encoding") or ""):
                payload = gzip.compress(body)
                out["Content-Encoding"] = "gzip"
            _send(h, 200, payload, out)

        self.route(path, handle)

    def status(self, path: str, code: int, *, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        """Answer a fixed status (500, 404, 410, 429 with Retry-After ...)."""
        self.route(path, lambda h: _send(h, code, body, dict(headers or {})))

    def redirect(self, path: str, location: str, code: int = 301) -> None:
        """Redirect to a path or an absolute URL."""
        self.route(path, lambda h: _send(h, code, b"", {"Location": location}))

    def raw(self, path: str, body: bytes, content_type: str = "application/octet-stream") -> None:
        """Serve bytes as they are, without validators."""
        self.route(path, lambda h: _send(h, 200, body, {"Content-Type": content_type}))

    def drip(self, path: str, body: bytes, *, every: float = 0.2, size: int = 1, limit: float = 5.0) -> None:
        """Send ``size`` bytes every ``every`` seconds, for at most ``limit`` seconds."""

        def handle(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Connection", "close")
            h.end_headers()
            h.close_connection = True
            deadline = time.monotonic() + limit
            for start in range(0, len(body), size):
                if time.monotonic() > deadline:
                    break
                h.wfile.write(body[start : start + size])
                h.wfile.flush()
                time.sleep(every)

        self.route(path, handle)

    def stall(self, path: str, *, seconds: float = 3.0) -> None:
        """Accept the request and answer nothing for a while (a read timeout)."""

        def handle(h: BaseHTTPRequestHandler) -> None:
            time.sleep(seconds)
            h.close_connection = True

        self.route(path, handle)

    def huge(self, path: str, size: int, *, declare_length: bool = False) -> None:
        """Stream ``size`` bytes of feed-looking XML (no Content-Length unless declared)."""
        head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
        unit = b"<item><title>padding</title><description>" + b"x" * 4000 + b"</description></item>"

        def handle(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            if declare_length:
                h.send_header("Content-Length", str(size))
            h.send_header("Connection", "close")
            h.end_headers()
            h.close_connection = True
            h.wfile.write(head)
            sent = len(head)
            while sent < size:
                chunk = unit[: size - sent]
                h.wfile.write(chunk)
                sent += len(chunk)

        self.route(path, handle)


    def trickle_headers(self, path: str, *, every: float = 0.2, limit: float = 30.0) -> None:
        """Send a status line, then one byte of an endless header every ``every`` seconds."""

        def handle(h: BaseHTTPRequestHandler) -> None:
            h.close_connection = True
            h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            h.wfile.flush()
            deadline = time.monotonic() + limit
            while time.monotonic() < deadline and not self._closing.is_set():
                h.wfile.write(b"a")
                h.wfile.flush()
                self._closing.wait(every)

        self.route(path, handle)

    def continue_loop(self, path: str, *, every: float = 0.1, limit: float = 30.0) -> None:
        """Answer ``100 Continue`` over and over, never a final response."""

        def handle(h: BaseHTTPRequestHandler) -> None:
            h.close_connection = True
            deadline = time.monotonic() + limit
            while time.monotonic() < deadline and not self._closing.is_set():
                h.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                h.wfile.flush()
                self._closing.wait(every)

        self.route(path, handle)

    def endless_chunks(self, path: str, *, every: float = 0.05, limit: float = 30.0) -> None:
        """Send a chunked feed-looking body whose chunks never end (a small one each time)."""

        def handle(h: BaseHTTPRequestHandler) -> None:
            h.close_connection = True
            h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n")
            piece = b"<item><title>t</title></item>"
            deadline = time.monotonic() + limit
            while time.monotonic() < deadline and not self._closing.is_set():
                h.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                h.wfile.flush()
                self._closing.wait(every)

        self.route(path, handle)


def _send(h: BaseHTTPRequestHandler, code: int, body: bytes, headers: dict[str, str]) -> None:
    h.send_response(code)
    for name, value in headers.items():
        h.send_header(name, value)
    if code != 304:
        h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if body and code != 304:
        h.wfile.write(body)


class HostMapTransport(httpx.BaseTransport):
    """An httpx transport that connects to another host for some names, keeping the Host header.

    ``HostMapTransport({"public.test": "127.0.0.1"})`` makes ``http://public.test:PORT/``
    reach this machine's server over a real socket.
    """

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = dict(mapping)
        self.inner = deadline_transport(64, 32)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = self.mapping.get(request.url.host)
        if target is not None:
            request.headers["Host"] = request.url.netloc.decode()
            request.url = request.url.copy_with(host=target)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()
