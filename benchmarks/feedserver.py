"""Serve 1,000 synthetic feeds from 127.0.0.1 for the polling benchmark (its own process).

Uses the test suite's server (``tests/httpfeeds.py``: ETag/Last-Modified, 304 on
a matching conditional GET). Two sets of feeds:

* ``/same/<i>.xml`` — 20 items that never change (a second poll gets 304);
* ``/grow/<i>.xml`` — 50 items; after ``GET /control/advance`` each feed drops its
  oldest item and gains one new one (a second poll gets 200 with 1 new item).

One item in ten mentions the tracked company, so some items match the story.
Prints ``ready <port>`` and serves until stdin closes.
"""

from __future__ import annotations

import sys
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from pathlib import Path

FEEDS = 1000
BASE = 1_700_000_000


def _item(feed: int, k: int) -> str:
    subject = "OpenAI board meets investors" if k % 10 == 0 else "Regional council publishes budget"
    return (
        f"<item><title>{subject} (desk {feed}, note {k})</title>"
        f"<link>https://desk{feed}.example/n/{k}</link><guid>https://desk{feed}.example/n/{k}</guid>"
        f"<description>Desk {feed} writes item {k} of its running coverage; more detail follows "
        f"in later updates from the same desk.</description>"
        f"<pubDate>{formatdate(BASE + feed * 60 + k * 600, usegmt=True)}</pubDate></item>"
    )


def body(feed: int, first: int, count: int, path: str, port: int) -> bytes:
    """Return an RSS document with items ``first .. first+count-1`` (newest first)."""
    items = "".join(_item(feed, k) for k in reversed(range(first, first + count)))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>Desk {feed}</title><link>https://desk{feed}.example/</link>"
        f'<atom:link rel="self" href="http://127.0.0.1:{port}{path}"/>'
        f"<description>Synthetic feed</description><language>en</language>{items}"
        "</channel></rss>"
    ).encode()


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from httpfeeds import FeedServer

    server = FeedServer().start()
    port = server.port
    for i in range(FEEDS):
        server.feed(f"/same/{i}.xml", body(i, 0, 20, f"/same/{i}.xml", port))
        server.feed(f"/grow/{i}.xml", body(i, 0, 50, f"/grow/{i}.xml", port))

    def advance(h: BaseHTTPRequestHandler) -> None:
        for i in range(FEEDS):
            server.feed(f"/grow/{i}.xml", body(i, 1, 50, f"/grow/{i}.xml", port))
        h.send_response(200)
        h.send_header("Content-Length", "2")
        h.end_headers()
        h.wfile.write(b"ok")

    server.route("/control/advance", advance)
    print(f"ready {port}", flush=True)
    sys.stdin.read()
    server.close()


if __name__ == "__main__":
    main()
