"""An item with a NUL byte (or any payload a projection cannot use) never bricks a story.

Both backends: PostgreSQL text columns refuse NUL, so a NUL reaching a
projection row would fail every read. New items are cleaned before the log;
events an older version stored as they were are cleaned, or skipped, when
projected.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from httpfeeds import FeedServer
from test_verify import run_cli

from tracker import db
from tracker.eventlog import codec
from tracker.eventlog.store import EventStore
from tracker.ingest.feeds import FeedRegistry
from tracker.ingest.poll import Poller
from tracker.timeutil import to_micros

TITLE = "OpenAI board names Emmett Shear interim CEO after a weekend of talks"
READS = (["state"], ["timeline"], ["explain", "ceo"], ["rebuild"], ["state", "--json"], ["verify"])


def _reads_work(capsys: pytest.CaptureFixture[str], url: str) -> list[str]:
    outputs = []
    for command in READS:
        code, out, err = run_cli(capsys, "--db", url, *command)
        assert code == 0, (command, err)
        assert "NUL" not in err and "Traceback" not in err
        outputs.append(out)
    return outputs


def test_a_polled_item_with_nul_bytes_is_cleaned_and_every_read_works(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        b"<item><title><![CDATA[OpenAI board names Emmett\x00 Shear interim CEO]]></title>"
        b"<guid>nul-1</guid><pubDate>Mon, 20 Nov 2023 05:32:00 GMT</pubDate>"
        b"<description>Emmett Shear &#0;becomes interim CEO of OpenAI\x01.</description></item>"
        b"</channel></rss>"
    )
    engine = db.open_database(db_url)
    with FeedServer() as srv:
        srv.raw("/nul.xml", body, "application/rss+xml")
        registry = FeedRegistry(engine)
        feed = registry.add(srv.url("/nul.xml"), interval=600)
        poller = Poller(engine, registry=registry, fetch_deadline=10)
        summary = poller.cycle(due_only=False)
        poller.close()
    assert summary.errors == 0 and summary.appended == 1, registry.get(feed.id).last_error
    stored = list(EventStore(engine).read())
    assert len(stored) == 1
    assert "\\u0000" not in codec.dumps(stored[0].payload)
    assert stored[0].payload["title"] == "OpenAI board names Emmett Shear interim CEO"
    assert "\x01" not in stored[0].payload["summary"]
    engine.dispose()
    _reads_work(capsys, db_url)


def _append_as_before(engine: sa.Engine, payloads: list[dict[str, object]]) -> None:
    """Append events the way the store did before migration 0005 (no head, payload as given)."""
    prev, position = codec.GENESIS_HASH, 0
    published = to_micros(datetime(2023, 11, 20, 5, 32, tzinfo=UTC))
    with engine.begin() as conn:
        for payload in payloads:
            position += 1
            stream = f"article-{payload.get('article_id', position)}"
            body, meta = codec.dumps(payload), codec.dumps({})
            key = f"observed:{position}"
            digest = codec.chain_hash(prev, position, stream, 1, "ArticleObserved", 1, published,
                                      published + position, body, meta, key)
            conn.execute(
                sa.text(
                    "INSERT INTO events (position, stream_id, stream_version, type, schema_version, "
                    "occurred_at, recorded_at, payload, metadata, idempotency_key, prev_hash, hash) "
                    "VALUES (:p, :s, 1, 'ArticleObserved', 1, :o, :r, :b, :m, :k, :prev, :h)"
                ),
                {"p": position, "s": stream, "o": published, "r": published + position,
                 "b": body, "m": meta, "k": key, "prev": prev, "h": digest},
            )
            prev = digest


def _observed(article_id: str, title: str, **extra: object) -> dict[str, object]:
    return {
        "article_id": article_id, "feed_url": "https://wire.example/rss", "publisher": "wire.example",
        "item_id": article_id, "link": f"https://wire.example/{article_id}", "title": title,
        "summary": "", "published": "2023-11-20T05:32:00+00:00", "published_raw": None,
        "language": "en", "stories": ["openai"], "content_hash": article_id * 4, **extra,
    }


def test_nul_and_unusable_payloads_stored_before_are_projected_or_skipped_after_upgrade(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = db.create_engine(db_url)
    db.upgrade(engine, "0004_leases")
    _append_as_before(engine, [
        _observed("a1", TITLE.replace("Emmett", "Emmett\x00")),
        _observed("a2", TITLE, publisher="other\x00.example", language="x" * 300),
        {"article_id": "a3", "title": 42},  # no usable fields at all
        _observed("a4", TITLE + " again", stories="openai"),  # wrong type
    ])
    db.upgrade(engine)  # to 0005: the head is the last event
    head = EventStore(engine).head()
    assert head is not None and head.position == 4
    engine.dispose()
    outputs = _reads_work(capsys, db_url)
    explained = outputs[2]  # the NUL-bearing reports are evidence, their text without NUL
    assert "other.example" in explained and "set Emmett" in explained
    rebuilt = outputs[3]
    assert rebuilt  # rebuild finished (and reported)
