"""Fetching against a real HTTP server on 127.0.0.1: politeness, limits and hostile answers."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from httpfeeds import FeedServer, HostMapTransport

from tracker.errors import FetchError
from tracker.ingest.fetch import (
    USER_AGENT,
    AddressPolicy,
    Fetcher,
    FetchLimits,
    cache_hint,
    parse_retry_after,
)

DATA = Path(__file__).parent / "data" / "feeds"
GOOD = (DATA / "good.xml").read_bytes()
NOW = datetime(2023, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    limits = FetchLimits(connect_timeout=2, read_timeout=1, total_timeout=2, max_bytes=1024 * 1024)
    with Fetcher(limits=limits) as f:
        yield f


def test_a_feed_is_fetched_with_our_user_agent_and_gzip(server: FeedServer, fetcher: Fetcher) -> None:
    server.feed("/plain.xml", GOOD)
    result = fetcher.fetch(server.url("/plain.xml"))
    assert result.status == 200
    assert result.body == GOOD
    sent = server.hits("/plain.xml")[-1].headers
    assert sent["user-agent"] == USER_AGENT
    assert "gzip" in sent["accept-encoding"]


def test_validators_are_sent_back_exactly_and_304_means_no_body(server: FeedServer, fetcher: Fetcher) -> None:
    server.feed("/cond.xml", GOOD)
    first = fetcher.fetch(server.url("/cond.xml"))
    assert first.etag and first.last_modified
    second = fetcher.fetch(server.url("/cond.xml"), etag=first.etag, last_modified=first.last_modified)
    assert second.status == 304
    assert second.body is None
    sent = server.hits("/cond.xml")[-1].headers
    assert sent["if-none-match"] == first.etag
    assert sent["if-modified-since"] == first.last_modified


def test_a_301_chain_is_followed_and_reports_the_new_permanent_url(server: FeedServer, fetcher: Fetcher) -> None:
    server.feed("/final.xml", GOOD)
    server.redirect("/hop1", "/hop2", 301)
    server.redirect("/hop2", server.url("/final.xml"), 308)
    result = fetcher.fetch(server.url("/hop1"))
    assert result.status == 200
    assert result.moved_to == server.url("/final.xml")


def test_a_302_is_followed_without_moving_the_feed(server: FeedServer, fetcher: Fetcher) -> None:
    server.feed("/target.xml", GOOD)
    server.redirect("/temp", "/perm", 302)
    server.redirect("/perm", "/target.xml", 301)
    result = fetcher.fetch(server.url("/temp"))
    assert result.status == 200
    assert result.moved_to is None


def test_a_302_loop_is_an_error(server: FeedServer, fetcher: Fetcher) -> None:
    server.redirect("/loop-a", "/loop-b", 302)
    server.redirect("/loop-b", "/loop-a", 302)
    with pytest.raises(FetchError, match="loop"):
        fetcher.fetch(server.url("/loop-a"))


def test_too_many_redirects_is_an_error(server: FeedServer, fetcher: Fetcher) -> None:
    for i in range(8):
        server.redirect(f"/chain{i}", f"/chain{i + 1}", 307)
    with pytest.raises(FetchError, match="redirects"):
        fetcher.fetch(server.url("/chain0"))


def test_a_redirect_to_another_scheme_is_refused(server: FeedServer, fetcher: Fetcher) -> None:
    server.redirect("/to-file", "file:///etc/passwd", 302)
    with pytest.raises(FetchError, match="scheme"):
        fetcher.fetch(server.url("/to-file"))


def test_a_redirect_from_a_public_name_to_loopback_is_refused(server: FeedServer) -> None:
    server.feed("/inside.xml", GOOD)
    server.redirect("/bounce", server.url("/inside.xml"), 302)
    policy = AddressPolicy(resolve=lambda host: ["93.184.216.34"] if host == "public.test" else [])
    transport = HostMapTransport({"public.test": "127.0.0.1"})
    with Fetcher(policy=policy, transport=transport) as fetcher:
        # The name itself is served (the user chose it) ...
        server.feed("/direct.xml", GOOD)
        assert fetcher.fetch(server.url("/direct.xml", host="public.test")).status == 200
        # ... but it cannot send us into the loopback network.
        with pytest.raises(FetchError, match="private address"):
            fetcher.fetch(server.url("/bounce", host="public.test"))


def test_a_feed_added_on_loopback_may_redirect_within_it(server: FeedServer, fetcher: Fetcher) -> None:
    server.feed("/local.xml", GOOD)
    server.redirect("/local-old", server.url("/local.xml", host="localhost"), 301)
    assert fetcher.fetch(server.url("/local-old")).status == 200


@pytest.mark.parametrize("code", [404, 410, 429, 500, 503])
def test_error_statuses_come_back_as_results(server: FeedServer, fetcher: Fetcher, code: int) -> None:
    server.status(f"/s{code}", code)
    result = fetcher.fetch(server.url(f"/s{code}"))
    assert result.status == code
    assert result.body is None


def test_retry_after_in_seconds_and_as_a_date(server: FeedServer) -> None:
    when = datetime(2023, 11, 20, 12, 30, tzinfo=UTC)
    server.status("/later-s", 429, headers={"Retry-After": "120"})
    server.status("/later-d", 503, headers={"Retry-After": format_datetime(when, usegmt=True)})
    server.status("/later-g", 503, headers={"Retry-After": "soon-ish, maybe"})
    with Fetcher(clock=lambda: NOW) as fetcher:
        assert fetcher.fetch(server.url("/later-s")).retry_after == 120
        assert fetcher.fetch(server.url("/later-d")).retry_after == 1800
        assert fetcher.fetch(server.url("/later-g")).retry_after is None


def test_retry_after_and_cache_hints_parse() -> None:
    assert parse_retry_after("0", NOW) == 0
    assert parse_retry_after("Mon, 20 Nov 2023 11:00:00 GMT", NOW) == 0  # in the past
    assert parse_retry_after("-5", NOW) is None
    assert cache_hint({"cache-control": "public, max-age=600"}, NOW) == 600
    assert cache_hint({"expires": "Mon, 20 Nov 2023 13:00:00 GMT"}, NOW) == 3600
    assert cache_hint({"expires": "0"}, NOW) is None


def test_a_body_over_the_cap_is_aborted_while_streaming(server: FeedServer, fetcher: Fetcher) -> None:
    server.huge("/huge", 60 * 1024 * 1024)
    started = time.monotonic()
    with pytest.raises(FetchError, match="too large"):
        fetcher.fetch(server.url("/huge"))
    assert time.monotonic() - started < 10


def test_a_declared_length_over_the_cap_is_refused_before_reading(server: FeedServer, fetcher: Fetcher) -> None:
    server.huge("/huge-declared", 60 * 1024 * 1024, declare_length=True)
    with pytest.raises(FetchError, match="too large"):
        fetcher.fetch(server.url("/huge-declared"))


def test_a_gzip_bomb_is_capped_on_decoded_size(server: FeedServer, fetcher: Fetcher) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * (8 * 1024 * 1024))
    server.route("/bomb", lambda h: _send_gzip(h, bomb))
    with pytest.raises(FetchError, match="too large"):
        fetcher.fetch(server.url("/bomb"))


def _send_gzip(h: object, body: bytes) -> None:
    h.send_response(200)  # type: ignore[attr-defined]
    h.send_header("Content-Encoding", "gzip")  # type: ignore[attr-defined]
    h.send_header("Content-Length", str(len(body)))  # type: ignore[attr-defined]
    h.end_headers()  # type: ignore[attr-defined]
    h.wfile.write(body)  # type: ignore[attr-defined]


def test_a_slow_drip_hits_the_total_deadline(server: FeedServer, fetcher: Fetcher) -> None:
    server.drip("/drip", GOOD, every=0.1, size=16, limit=6.0)
    started = time.monotonic()
    with pytest.raises(FetchError, match="longer than"):
        fetcher.fetch(server.url("/drip"))
    assert time.monotonic() - started < 5


def test_a_silent_server_hits_the_read_timeout(server: FeedServer, fetcher: Fetcher) -> None:
    server.stall("/stall", seconds=3)
    with pytest.raises(FetchError, match="timed out"):
        fetcher.fetch(server.url("/stall"))


def test_a_refused_connection_is_an_error(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError):
        fetcher.fetch("http://127.0.0.1:9/feed.xml")


def test_only_http_and_https_are_fetched(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="scheme"):
        fetcher.fetch("file:///etc/passwd")
