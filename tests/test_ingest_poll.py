"""Poll cycles against a real HTTP server on 127.0.0.1: good feeds, hostile ones, 304s."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from httpfeeds import FeedServer, HostMapTransport

from tracker import db
from tracker.eventlog.store import EventStore
from tracker.ingest.feeds import FeedRegistry
from tracker.ingest.fetch import AddressPolicy, Fetcher, FetchLimits
from tracker.ingest.importer import collect_files
from tracker.ingest.poll import Poller
from tracker.stories.definition import load_stories
from tracker.stories.match import Matcher

DATA = Path(__file__).parent / "data" / "feeds"


class Clock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_stories(DATA / "stories").values())


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[sa.Engine]:
    eng = db.open_database(sqlite_url)
    yield eng
    eng.dispose()


@pytest.fixture
def fetchers() -> Iterator[list[Fetcher]]:
    made: list[Fetcher] = []
    yield made
    for fetcher in made:
        fetcher.close()


@pytest.fixture
def make_poller(request: pytest.FixtureRequest, matcher: Matcher, fetchers: list[Fetcher]):  # type: ignore[no-untyped-def]
    def make(clock: Clock, engine: sa.Engine | None = None) -> Poller:
        engine = engine or request.getfixturevalue("sqlite_engine")
        limits = FetchLimits(connect_timeout=2, read_timeout=1, total_timeout=1.5, max_bytes=2 * 1024 * 1024)
        policy = AddressPolicy(resolve=lambda host: ["93.184.216.34"] if host == "public.test" else [])
        fetcher = Fetcher(limits=limits, policy=policy, clock=clock,
                          transport=HostMapTransport({"public.test": "127.0.0.1"}))
        fetchers.append(fetcher)
        return Poller(engine, fetcher=fetcher, matcher=matcher, clock=clock,
                      registry=FeedRegistry(engine, clock=clock), update_projections=False)

    return make


def test_a_changed_feed_appends_a_revision_and_an_unchanged_one_nothing(
    server: FeedServer, engine: sa.Engine, make_poller
) -> None:
    clock = Clock(datetime(2023, 11, 25, tzinfo=UTC))
    poller = make_poller(clock, engine)  # SQLite and PostgreSQL
    path = f"/edit-{engine.dialect.name}.xml"
    server.feed(path, (DATA / "good.xml").read_bytes(), etag=False, last_modified=False)
    poller.registry.add(server.url(path), interval=60)
    assert poller.cycle(due_only=False).appended == 2
    clock.now += timedelta(minutes=5)
    assert poller.cycle(due_only=False).appended == 0
    server.feed(path, (DATA / "good_edited.xml").read_bytes(), etag=False, last_modified=False)
    clock.now += timedelta(minutes=5)
    summary = poller.cycle(due_only=False)
    assert summary.appended == 1
    assert [e.type for e in EventStore(engine).read()][-1] == "ArticleRevised"


def test_a_new_item_in_a_known_feed_is_found_without_reparsing_the_rest(
    server: FeedServer, make_poller
) -> None:
    clock = Clock(datetime(2023, 11, 25, tzinfo=UTC))
    poller = make_poller(clock)
    body = (DATA / "good.xml").read_bytes()
    server.feed("/grow.xml", body)
    poller.registry.add(server.url("/grow.xml"))
    assert poller.cycle(due_only=False).appended == 2
    extra = (
        b"<item><title>OpenAI hires a new chief scientist</title><guid>ng-1005</guid>"
        b"<link>https://www.northwind-gazette.example/tech/2023/11/new-scientist</link>"
        b"<pubDate>Sat, 18 Nov 2023 12:00:00 GMT</pubDate><description>Short note.</description></item>\n"
    )
    server.feed("/grow.xml", body.replace(b"<item>", extra + b"<item>", 1))
    clock.now += timedelta(hours=1)
    summary = poller.cycle(due_only=False)
    assert (summary.items, summary.appended) == (5, 1)
    events = list(EventStore(poller.engine).read())
    assert events[-1].payload["item_id"] == "ng-1005"


def test_good_and_hostile_feeds_in_one_worker(server: FeedServer, sqlite_engine: sa.Engine, make_poller) -> None:
    engine = sqlite_engine
    clock = Clock(datetime(2023, 11, 25, 12, 0, tzinfo=UTC))
    later = format_datetime(clock.now + timedelta(hours=3), usegmt=True)
    good = {
        "/ok/good.xml": "good.xml", "/ok/atom.xml": "atom.xml", "/ok/dup.xml": "dup_guids.xml",
        "/ok/noguid.xml": "no_guids.xml", "/ok/dates.xml": "dates.xml", "/ok/script.xml": "script.xml",
        "/ok/utf16.xml": "utf16.xml", "/ok/latin.xml": "wrong_encoding.xml",
    }
    for path, name in good.items():
        server.feed(path, (DATA / name).read_bytes())
    # A bozo-but-usable feed (truncated) ingests its complete items.
    server.raw("/ok/truncated.xml", (DATA / "truncated.xml").read_bytes())
    hostile = {
        "/h/500": "HTTP 500", "/h/404": "HTTP 404", "/h/410": "gone",
        "/h/429s": "HTTP 429", "/h/503d": "HTTP 503", "/h/503g": "HTTP 503",
        "/h/loop": "loop", "/h/bounce": "private address", "/h/stall": "timed out",
        "/h/drip": "longer than", "/h/garbage": "not a usable feed", "/h/html": "not a usable feed",
        "/h/huge": "too large", "/h/empty": "empty",
    }
    # Entity tricks end as a harmless ingest with a warning: nothing expands, nothing leaks.
    defused = {"/h/laughs": "billion_laughs.xml", "/h/xxe": "xxe.xml"}
    server.status("/h/500", 500)
    server.status("/h/404", 404)
    server.status("/h/410", 410)
    server.status("/h/429s", 429, headers={"Retry-After": "5400"})
    server.status("/h/503d", 503, headers={"Retry-After": later})
    server.status("/h/503g", 503, headers={"Retry-After": "whenever"})
    server.redirect("/h/loop", "/h/loop2", 302)
    server.redirect("/h/loop2", "/h/loop", 302)
    server.redirect("/h/bounce", server.url("/ok/good.xml"), 302)
    server.stall("/h/stall", seconds=2.5)
    server.drip("/h/drip", (DATA / "good.xml").read_bytes(), every=0.1, size=8, limit=3)
    server.raw("/h/garbage", (DATA / "garbage.bin").read_bytes())
    server.raw("/h/html", (DATA / "html_page.html").read_bytes(), "text/html")
    server.huge("/h/huge", 60 * 1024 * 1024)
    for path, name in defused.items():
        server.raw(path, (DATA / name).read_bytes(), "application/xml")
    server.raw("/h/empty", b"")
    server.redirect("/h/moved1", "/h/moved2", 301)
    server.redirect("/h/moved2", "/ok/good.xml", 301)

    poller = make_poller(clock)
    registry = poller.registry
    ids = {}
    for path in [*good, "/ok/truncated.xml", *defused, *hostile]:
        host = "public.test" if path == "/h/bounce" else "127.0.0.1"
        ids[path] = registry.add(server.url(path, host=host), interval=600).id
    summary = poller.cycle(due_only=False)
    assert summary.feeds == len(ids)
    by_id = {f.id: f for f in registry.all()}
    for path, reason in hostile.items():
        feed = by_id[ids[path]]
        # A stalled read ends on its read timeout, or on the fetch's deadline on a loaded machine.
        wanted = ("timed out", "deadline") if path == "/h/stall" else (reason,)
        assert feed.last_error is not None and any(w in feed.last_error for w in wanted), (path, feed.last_error)
    for path in [*good, "/ok/truncated.xml"]:
        feed = by_id[ids[path]]
        assert feed.last_error is None, (path, feed.last_error)
        assert feed.items_seen > 0
    for path in defused:
        feed = by_id[ids[path]]
        assert feed.last_error is None and feed.last_warning, (path, feed.last_warning)
    # 410 disables with its reason; others keep polling with back-off.
    assert not by_id[ids["/h/410"]].enabled and "410" in (by_id[ids["/h/410"]].disabled_reason or "")
    assert all(by_id[ids[p]].enabled for p in hostile if p != "/h/410")
    assert by_id[ids["/h/429s"]].next_poll_at == clock.now + timedelta(seconds=5400)
    assert by_id[ids["/h/503d"]].next_poll_at == clock.now + timedelta(hours=3)
    assert by_id[ids["/h/503g"]].next_poll_at < clock.now + timedelta(hours=1)
    assert by_id[ids["/ok/good.xml"]].etag is not None
    store = EventStore(engine)
    before = list(store.read())
    assert len(before) == summary.appended > 0
    titles = " ".join(e.payload["title"] + e.payload["summary"] for e in before)
    assert "lollol" not in titles and "root:x" not in titles and "<script" not in titles

    # A second cycle a day later: nothing already in the log changes.
    clock.now += timedelta(days=1)
    second = poller.cycle(due_only=True)
    assert second.feeds == len(ids) - 1  # the 410 feed is no longer polled
    assert second.appended == 0
    assert list(store.read()) == before
    assert store.verify().ok
    assert by_id[ids["/h/500"]].consecutive_errors == 1
    assert registry.get(ids["/h/500"]).consecutive_errors == 2


def test_the_rss_ttl_spaces_polls_even_after_a_304(server: FeedServer, make_poller) -> None:
    clock = Clock(datetime(2023, 11, 25, tzinfo=UTC))
    poller = make_poller(clock)
    server.feed("/ttl.xml", (DATA / "good.xml").read_bytes())  # <ttl>45</ttl>
    feed = poller.registry.add(server.url("/ttl.xml"), interval=600)
    poller.cycle(due_only=False)
    assert poller.registry.get(feed.id).next_poll_at == clock.now + timedelta(minutes=45)
    clock.now += timedelta(minutes=45)
    assert poller.cycle(due_only=True).not_modified == 1
    assert poller.registry.get(feed.id).next_poll_at == clock.now + timedelta(minutes=45)


def test_a_permanent_redirect_moves_the_feed(server: FeedServer, make_poller) -> None:
    clock = Clock(datetime(2023, 11, 25, tzinfo=UTC))
    server.feed("/new-home.xml", (DATA / "atom.xml").read_bytes())
    server.redirect("/old-home.xml", "/new-home.xml", 301)
    server.redirect("/temp-home.xml", "/new-home.xml", 302)
    poller = make_poller(clock)
    moved = poller.registry.add(server.url("/old-home.xml"))
    kept = poller.registry.add(server.url("/temp-home.xml"))
    poller.cycle(due_only=False)
    assert poller.registry.get(moved.id).url == server.url("/new-home.xml")
    assert poller.registry.get(kept.id).url == server.url("/temp-home.xml")


@pytest.mark.corpus
def test_eight_corpus_feeds_polled_twice_get_304_and_append_nothing(
    corpus_dir: Path, server: FeedServer, make_poller
) -> None:
    chosen: dict[str, Path] = {}
    for path in collect_files([corpus_dir]):
        if path.stem == "2023-11-21" and path.parent.name not in chosen and b"OpenAI" in path.read_bytes():
            chosen[path.parent.name] = path
        if len(chosen) == 8:
            break
    assert len(chosen) == 8
    clock = Clock(datetime(2023, 11, 22, tzinfo=UTC))
    poller = make_poller(clock)
    for name, path in chosen.items():
        server.feed(f"/corpus/{name}.xml", path.read_bytes())
        poller.registry.add(server.url(f"/corpus/{name}.xml"))
    first = poller.cycle(due_only=False)
    assert first.errors == 0 and first.appended > 0
    clock.now += timedelta(hours=1)
    second = poller.cycle(due_only=False)
    assert second.errors == 0
    assert second.not_modified == 8
    assert second.appended == 0
    for name in chosen:
        sent = server.hits(f"/corpus/{name}.xml")[-1].headers
        assert sent.get("if-none-match") and sent.get("if-modified-since")
