"""The feed registry, scheduling rules, and the ``tracker feeds`` commands."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from tracker import db
from tracker.cli import main
from tracker.errors import InputError
from tracker.ingest.feeds import (
    BACKOFF_CAP,
    MAX_DELAY,
    FeedRegistry,
    PollOutcome,
    delay_after_error,
    delay_after_success,
)
from tracker.ingest.opml import DEFAULT_FEEDS, read_feed_list, read_opml, write_opml

T0 = datetime(2023, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def registry(engine: sa.Engine) -> FeedRegistry:
    return FeedRegistry(engine, clock=lambda: T0, rng=random.Random(1))


def test_add_find_list_remove(registry: FeedRegistry) -> None:
    feed = registry.add("https://News.Example/rss.xml", interval=600, title="News")
    assert feed.enabled and feed.next_poll_at == T0 and feed.interval_s == 600
    assert registry.find("https://news.example/rss.xml") == feed
    assert registry.find(str(feed.id)) == feed
    assert [f.id for f in registry.all()] == [feed.id]
    with pytest.raises(InputError, match="already"):
        registry.add("https://news.example/rss.xml")
    registry.remove(feed.id)
    assert registry.all() == []
    with pytest.raises(InputError):
        registry.remove("https://news.example/rss.xml")


@pytest.mark.parametrize("url", ["ftp://x.example/feed", "file:///etc/passwd", "javascript:alert(1)", "no-scheme"])
def test_only_http_urls_are_accepted(registry: FeedRegistry, url: str) -> None:
    with pytest.raises(InputError):
        registry.add(url)


def test_a_success_schedules_after_the_later_of_interval_and_hints(registry: FeedRegistry) -> None:
    feed = registry.add("https://a.example/feed", interval=600)
    after = registry.record(feed, PollOutcome(200, etag='W/"x"', last_modified="Mon, 20 Nov 2023 11:00:00 GMT",
                                              keep_validators=False, hints=(3600.0,)))
    assert after.next_poll_at == T0 + timedelta(hours=1)
    assert after.etag == 'W/"x"' and after.last_modified == "Mon, 20 Nov 2023 11:00:00 GMT"
    kept = registry.record(after, PollOutcome(304, not_modified=True))
    assert kept.etag == 'W/"x"'  # a 304 keeps the validators
    assert kept.next_poll_at == T0 + timedelta(seconds=600)
    stored = registry.get(feed.id)
    assert stored == kept


def test_errors_back_off_exponentially_with_a_cap_and_never_stop(registry: FeedRegistry) -> None:
    feed = registry.add("https://b.example/feed", interval=600)
    delays = []
    for _ in range(8):
        feed = registry.record(feed, PollOutcome(500, error="HTTP 500"))
        delays.append((feed.next_poll_at - T0).total_seconds())
    assert feed.enabled and feed.consecutive_errors == 8
    assert delays[1] > delays[0] * 1.5
    assert max(delays) <= BACKOFF_CAP * 1.1
    assert delays[-1] >= BACKOFF_CAP * 0.9
    ok = registry.record(feed, PollOutcome(200, keep_validators=False))
    assert ok.consecutive_errors == 0 and ok.last_error is None


def test_retry_after_is_honoured_but_capped() -> None:
    rng = random.Random(3)
    assert delay_after_error(600, 1, 7200.0, rng) == 7200.0
    assert delay_after_error(600, 1, 10**9, rng) == MAX_DELAY
    assert delay_after_success(600, (None, 10.0)) == 600
    assert delay_after_success(600, (10**9,)) == MAX_DELAY


def test_jitter_spreads_feeds() -> None:
    rng = random.Random(5)
    assert len({round(delay_after_error(600, 3, None, rng)) for _ in range(10)}) > 5


def test_410_disables_with_its_reason(registry: FeedRegistry) -> None:
    feed = registry.add("https://c.example/feed")
    gone = registry.record(feed, PollOutcome(410, error="gone (HTTP 410)", gone=True))
    assert not gone.enabled
    assert gone.disabled_reason == "gone (HTTP 410)"
    assert registry.due(T0 + timedelta(days=30)) == []


def test_a_permanent_move_changes_the_url_not_the_identity(registry: FeedRegistry) -> None:
    feed = registry.add("https://d.example/old")
    moved = registry.record(feed, PollOutcome(200, moved_to="https://d.example/new", keep_validators=False))
    assert moved.url == "https://d.example/new"
    assert moved.identity == "https://d.example/old"


def test_due_returns_enabled_overdue_feeds(registry: FeedRegistry) -> None:
    a = registry.add("https://e.example/a", interval=600)
    b = registry.add("https://e.example/b", interval=600)
    registry.record(a, PollOutcome(200, keep_validators=False))
    assert [f.id for f in registry.due(T0)] == [b.id]
    assert {f.id for f in registry.due(T0 + timedelta(seconds=601))} == {a.id, b.id}


def test_opml_round_trip_and_the_shipped_defaults() -> None:
    defaults = read_feed_list(DEFAULT_FEEDS)
    assert len(defaults) >= 10
    assert {e.language for e in defaults} >= {"en", "fr"}
    assert all(e.url.startswith("https://") for e in defaults)
    back = read_opml(write_opml(defaults).encode())
    assert [(e.url, e.title) for e in back] == [(e.url, e.title) for e in defaults]


def test_opml_with_entities_is_refused() -> None:
    from tracker.errors import ConfigError

    with pytest.raises(ConfigError):
        read_opml(b'<?xml version="1.0"?><!DOCTYPE o [<!ENTITY a "b">]><opml><body/></opml>')


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_feeds_commands(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--db", sqlite_url, "feeds", "add", "http://127.0.0.1:9/a.xml", "--interval", "120",
                        "--title", "Local A"], capsys)
    assert code == 0 and "added feed 1" in out
    code, _, err = run(["--db", sqlite_url, "feeds", "add", "gopher://x"], capsys)
    assert code == 2 and "http" in err and "Traceback" not in err
    opml = tmp_path / "subs.opml"
    opml.write_text(write_opml(read_feed_list(DEFAULT_FEEDS)[:3]))
    code, out, _ = run(["--db", sqlite_url, "feeds", "import", str(opml)], capsys)
    assert code == 0 and "added 3 feeds" in out
    code, out, _ = run(["--db", sqlite_url, "feeds", "list", "--json"], capsys)
    listed = orjson.loads(out)
    assert len(listed) == 4 and listed[0]["title"] == "Local A"
    code, out, _ = run(["--db", sqlite_url, "feeds", "status", "--json"], capsys)
    status = orjson.loads(out)
    assert status[0]["consecutive_errors"] == 0 and status[0]["last_poll_at"] is None
    code, out, _ = run(["--db", sqlite_url, "feeds", "status"], capsys)
    assert "last poll never" in out
    code, out, _ = run(["--db", sqlite_url, "feeds", "export"], capsys)
    assert out.count("<outline") == 4
    code, out, _ = run(["--db", sqlite_url, "feeds", "remove", "1"], capsys)
    assert code == 0 and "removed feed 1" in out
    code, _, err = run(["--db", sqlite_url, "feeds", "remove", "1"], capsys)
    assert code == 2


def test_feeds_table_is_migrated(sqlite_url: str) -> None:
    engine = db.open_database(sqlite_url)
    try:
        assert "feeds" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
