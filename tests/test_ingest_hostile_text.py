"""Crafted feed text costs a bounded amount of CPU, and every failure a feed causes has a name.

The budget is CPU time in a child process (``RLIMIT_CPU``): the kernel kills the
child past it, whatever the machine's load; nothing here reads a clock.
"""

from __future__ import annotations

import html
import random
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hostile import MB, feed, texts
from httpfeeds import FeedServer

from tracker import db
from tracker.ingest import reasons
from tracker.ingest.feeds import FeedRegistry
from tracker.ingest.normalize import MAX_ITEMS, plain_text
from tracker.ingest.poll import Poller
from tracker.ingest.textsafe import clean
from tracker.stories.definition import load_stories
from tracker.stories.match import Matcher

TESTS = Path(__file__).parent
DATA = TESTS / "data" / "feeds"
CPU_SECONDS = 15  # for one 1 MB body: split, cap, parse, normalise (feedparser itself takes most)

_SCRIPT = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_CPU, ({budget}, {budget} + 1))
    sys.path.insert(0, {tests!r})
    from datetime import UTC, datetime
    from hostile import texts
    from tracker.ingest.delta import cap_items, split_items
    from tracker.ingest.normalize import MAX_ITEMS, normalize
    from tracker.ingest.parse import parse_feed
    from tracker.ingest.textsafe import clean
    body = texts()[{name!r}]()
    whole, _, _ = cap_items(body, split_items(body), MAX_ITEMS)
    parsed = parse_feed(whole)
    items = normalize(parsed, "https://hostile.example/feed", seen_at=datetime(2023, 11, 21, tzinfo=UTC),
                      max_items=MAX_ITEMS)
    for item in items:
        assert len(item.title) <= 1000 and len(item.summary) <= 10000
        assert clean(item.title) == item.title and clean(item.summary) == item.summary
    print("done", len(body), len(items))
""")


@pytest.mark.parametrize("name", sorted(texts()))
def test_a_megabyte_of_crafted_text_is_handled_within_a_cpu_budget(name: str) -> None:
    script = _SCRIPT.format(budget=CPU_SECONDS, tests=str(TESTS), name=name)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{name}: exit {done.returncode} (-24: over {CPU_SECONDS} s of CPU)\n{done.stderr[-800:]}"
    size = int(done.stdout.split()[1])
    assert size >= MB


_OLD_BLOCKS = re.compile(r"<(script|style|iframe|object|noscript)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_OLD_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
_OLD_TAGS = re.compile(r"<[^>]*>")


def _regex_plain_text(value: str, limit: int) -> str:
    """The stripping as regular expressions did it (quadratic on hostile input; fine on short)."""
    text = value
    if "<" in text:
        text = _OLD_TAGS.sub(" ", _OLD_COMMENTS.sub(" ", _OLD_BLOCKS.sub(" ", text)))
    if "&" in text:
        text = html.unescape(text)
        if "<" in text:
            text = _OLD_TAGS.sub(" ", _OLD_BLOCKS.sub(" ", text))
    return " ".join(text.split())[:limit]


def test_linear_stripping_gives_what_the_regular_expressions_gave() -> None:
    atoms = ["<", ">", "-", "!", "<!--", "-->", "<script", "</script", "<SCRIPT>", "</Script >",
             "<style>", "</style\n>", "<noscript", "</noscript>", "a", " ", "&lt;", "&gt;", "&amp;",
             "&", "</", "x_", "<scripts>", "\t", "é", "<iframe x>", "</iframe>", "<object>",
             "</object>", "&lt;script&gt;", "&lt;/script&gt;", "\x1f"]
    rnd = random.Random(12)
    for _ in range(20000):
        text = "".join(rnd.choice(atoms) for _ in range(rnd.randint(0, 14)))
        assert plain_text(text, 1000) == _regex_plain_text(text, 1000), repr(text)


def test_clean_removes_nul_controls_surrogates_and_noncharacters() -> None:
    assert clean("a\x00b\x07c\x1fd\ud800e\ufffef\U0010ffff\n\tg\x92") == "abc d\ufffdef\n\tg\x92"
    assert clean("plain text") == "plain text"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[sa.Engine]:
    eng = db.open_database(sqlite_url)
    yield eng
    eng.dispose()


def test_no_feed_failure_is_unnamed(engine: sa.Engine) -> None:
    """Hostile headers and bodies end as a named reason or an ingest, never 'internal'."""
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    nul_item = head + b"<item><title>OpenAI \x00 board</title><guid>g1</guid></item></channel></rss>"
    many = head + b"".join(b"<item><title>n%d</title><guid>m%d</guid></item>" % (i, i)
                           for i in range(MAX_ITEMS + 50)) + b"</channel></rss>"
    with FeedServer() as srv:
        paths = {}
        for name, make in texts(64 * 1024).items():
            srv.raw(f"/t/{name}", make(), "application/rss+xml")
            paths[f"/t/{name}"] = None
        good = (DATA / "good.xml").read_bytes()
        for i, headers in enumerate([
            {"Cache-Control": "max-age=" + "9" * 5000},
            {"Cache-Control": "max-age=99999999999999999999999"},
            {"Expires": "Fri, 31 Dec 99999 23:59:59 GMT"},
            {"Retry-After": "9" * 400},
            {"Last-Modified": "\x7f" * 10},
        ]):
            srv.feed(f"/h/{i}", good, headers=headers)
            paths[f"/h/{i}"] = None
        srv.status("/s/retry", 503, headers={"Retry-After": "9" * 5000})
        srv.route("/s/length", lambda h: _length(h, "9" * 40))
        srv.raw("/b/nul", nul_item, "application/rss+xml")
        srv.raw("/b/many", many, "application/rss+xml")
        srv.raw("/b/binary", bytes(range(256)) * 100)
        srv.raw("/b/charref", feed(b"&#xD800;&#x110000;&#99999999999;"), "application/rss+xml")
        for p in ("/s/retry", "/s/length", "/b/nul", "/b/many", "/b/binary", "/b/charref"):
            paths[p] = None
        registry = FeedRegistry(engine)
        ids = {registry.add(srv.url(p), interval=600).id: p for p in paths}
        matcher = Matcher(load_stories(DATA / "stories").values())
        poller = Poller(engine, matcher=matcher, registry=registry, update_projections=False,
                        fetch_deadline=10)
        summary = poller.cycle(due_only=False)
        poller.close()
    assert summary.feeds == len(ids)
    feeds = {f.id: f for f in registry.all()}
    for feed_id, path in ids.items():
        error = feeds[feed_id].last_error
        if error is not None:
            assert reasons.reason_of(error) not in (None, reasons.INTERNAL), (path, error)
    by_path = {p: feeds[i] for i, p in ids.items()}
    assert by_path["/b/nul"].last_error is None and by_path["/b/nul"].items_seen == 1
    assert by_path["/b/many"].last_error is None
    assert f"50 items beyond the first {MAX_ITEMS} skipped" in (by_path["/b/many"].last_warning or "")
    assert by_path["/b/many"].items_seen == MAX_ITEMS
    assert reasons.reason_of(by_path["/s/length"].last_error) == reasons.NETWORK  # h11: bad length
    for i in range(5):
        assert by_path[f"/h/{i}"].last_error is None, by_path[f"/h/{i}"].last_error


def _length(h: object, declared: str) -> None:
    h.send_response(200)  # type: ignore[attr-defined]
    h.send_header("Content-Length", declared)  # type: ignore[attr-defined]
    h.send_header("Connection", "close")  # type: ignore[attr-defined]
    h.end_headers()  # type: ignore[attr-defined]
    h.close_connection = True  # type: ignore[attr-defined]


def _send(h: object, body: bytes, headers: dict[str, str]) -> None:
    h.send_response(200)  # type: ignore[attr-defined]
    for k, v in headers.items():
        h.send_header(k, v)  # type: ignore[attr-defined]
    h.send_header("Content-Length", str(len(body)))  # type: ignore[attr-defined]
    h.end_headers()  # type: ignore[attr-defined]
    h.wfile.write(body)  # type: ignore[attr-defined]
