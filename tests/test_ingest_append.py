"""Matched items become events exactly once; revisions are recorded; the rest appends nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tracker.eventlog.store import EventStore
from tracker.ingest.append import Appender, stream_of
from tracker.ingest.items import FeedItem
from tracker.ingest.normalize import content_hash, normalize
from tracker.ingest.parse import parse_feed
from tracker.stories.definition import load_stories
from tracker.stories.match import Matcher

DATA = Path(__file__).parent / "data" / "feeds"
SEEN = datetime(2023, 11, 25, 12, 0, tzinfo=UTC)
FEED = "https://www.northwind-gazette.example/tech/rss.xml"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_stories(DATA / "stories").values())


def items_of(name: str, seen: datetime = SEEN) -> list[FeedItem]:
    return normalize(parse_feed((DATA / name).read_bytes()), FEED, seen_at=seen)


def edited(item: FeedItem, title: str, *, hours: int = 1) -> FeedItem:
    """Return the item as a later fetch would show it with another title."""
    return replace(
        item, title=title, content_hash=content_hash(title, item.summary),
        seen_at=item.seen_at + timedelta(hours=hours),
    )


def test_only_matching_items_are_observed_once(store: EventStore, matcher: Matcher) -> None:
    items = items_of("good.xml")
    result = Appender(store, matcher).append(items)
    assert (result.items, result.matched, result.observed, result.revised) == (4, 2, 2, 0)
    events = list(store.read())
    assert [e.type for e in events] == ["ArticleObserved", "ArticleObserved"]
    first = events[0]
    assert first.stream_id == stream_of(items[0].article_id)
    assert first.occurred_at == items[0].published
    assert first.payload["stories"] == ["lab"]
    assert first.payload["publisher"] == "northwind-gazette.example"
    assert first.payload["published_raw"] == "Fri, 17 Nov 2023 20:05:00 GMT"
    assert first.payload["feed_title"] == "Northwind Gazette: Technology"
    # Seen again, by the same appender or a fresh one (a restart): nothing.
    assert Appender(store, matcher).append(items).appended == 0
    assert store.count() == 2


def test_an_edited_title_appends_a_revision(store: EventStore, matcher: Matcher) -> None:
    Appender(store, matcher).append(items_of("good.xml"))
    result = Appender(store, matcher).append(items_of("good_edited.xml", SEEN + timedelta(hours=1)))
    assert (result.observed, result.revised, result.unchanged) == (0, 1, 1)
    last = list(store.read())[-1]
    assert last.type == "ArticleRevised"
    assert last.payload["title"] == "Investors press for answers on Sam Altman"
    assert last.stream_version == 2
    assert last.payload["previous_hash"] != last.payload["content_hash"]


def test_a_to_b_to_a_is_two_revisions(store: EventStore, matcher: Matcher) -> None:
    appender = Appender(store, matcher)
    item = items_of("good.xml")[0]
    appender.append([item])
    appender.append([edited(item, "OpenAI board meets again")])
    back = replace(item, seen_at=item.seen_at + timedelta(hours=2))
    appender.append([back])
    appender.append([back])
    versions = [(e.type, e.stream_version) for e in store.read_stream(stream_of(item.article_id))]
    assert versions == [("ArticleObserved", 1), ("ArticleRevised", 2), ("ArticleRevised", 3)]


def test_two_workers_record_one_revision_once(store: EventStore, matcher: Matcher) -> None:
    item = items_of("good.xml")[0]
    one, two = Appender(store, matcher), Appender(store, matcher)
    one.append([item])
    two.append([item])  # both now know version 1
    revised = edited(item, "OpenAI board meets at dawn")
    assert one.append([revised]).revised == 1
    assert two.append([revised]).appended == 0
    assert len(store.read_stream(stream_of(item.article_id))) == 2


def test_a_stale_worker_catches_up_instead_of_failing(store: EventStore, matcher: Matcher) -> None:
    item = items_of("good.xml")[0]
    one, two = Appender(store, matcher), Appender(store, matcher)
    one.append([item])
    two.append([item])
    one.append([edited(item, "OpenAI board: first edit")])
    # two still believes version 1; its later, different edit must land as version 3.
    assert two.append([edited(item, "OpenAI board: second edit", hours=2)]).revised == 1
    assert [e.stream_version for e in store.read_stream(stream_of(item.article_id))] == [1, 2, 3]


def test_a_partial_copy_never_revises(store: EventStore, matcher: Matcher) -> None:
    item = items_of("good.xml")[0]
    appender = Appender(store, matcher)
    appender.append([item])
    cut = replace(edited(item, "OpenAI board me"), partial=True)
    assert appender.append([cut]).appended == 0


def test_an_older_copy_never_revises_a_newer_one(store: EventStore, matcher: Matcher) -> None:
    item = items_of("good.xml")[0]
    appender = Appender(store, matcher)
    appender.append([item])
    appender.append([edited(item, "OpenAI board: the later headline", hours=5)])
    # A re-read of the original copy (an archive imported again) is not a flip back.
    assert Appender(store, matcher).append([item]).appended == 0
    assert len(store.read_stream(stream_of(item.article_id))) == 2


def test_non_matching_items_append_nothing(store: EventStore, matcher: Matcher) -> None:
    items = [i for i in items_of("good.xml") if "OpenAI" not in i.title and "Altman" not in i.title]
    assert Appender(store, matcher).append(items).matched == 0
    assert store.count() == 0


def test_several_workers_at_once_append_each_event_once(store: EventStore, matcher: Matcher) -> None:
    import threading

    first = items_of("good.xml")
    later = items_of("good_edited.xml", SEEN + timedelta(hours=1))
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        try:
            appender = Appender(EventStore(store.engine), matcher)
            barrier.wait()
            appender.append(first)
            appender.append(later)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(e.type for e in store.read()) == ["ArticleObserved", "ArticleObserved", "ArticleRevised"]
    assert store.verify().ok
