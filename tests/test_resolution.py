"""Resolving a story again from where new evidence reaches equals resolving it whole.

Seeded random logs of reports (copies, late and early ones, negations, an
authority), revisions, corrections and rejections are appended in random order,
with reads in between; after each read the stored transitions must be those a
whole re-resolution gives, and at the end every projection table must be the
rebuild's, byte for byte.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from test_projections_helpers import T0, observed, projection_snapshot, rules_replaced

from tracker.eventlog.events import ArticleRejected, ArticleRevised, SlotAsserted
from tracker.eventlog.store import EventStore, NewEvent
from tracker.projections import engine as projection
from tracker.projections import load, resolution, rows, tables
from tracker.stories import corroborate
from tracker.stories.definition import StoryDefinition, load_stories
from tracker.types import Article, Claim

_CLAIM = re.compile(r"\[(\w+) (\w+) ([^\]|]+)\|(\w+)(?:@([\d-]+))?\]")  # @DAY: takes effect then
_POOL = [
    ("ceo", "set", "Sam Altman"), ("ceo", "set", "Mira Murati"), ("ceo", "set", "Emmett Shear"),
    ("ceo", "remove", "Sam Altman"), ("ceo", "remove", "Mira Murati"), ("ceo", "remove", "Bret Taylor"),
    ("board", "remove", "Sam Altman"), ("board", "remove", "Greg Brockman"),
    ("board", "add", "Bret Taylor"), ("board", "add", "Larry Summers"),
    ("microsoft", "tag", "employer"), ("microsoft", "untag", "employer"),
]
_RARE = [("ceo", "set", "Bret Taylor")]  # a new holder: removals of him start to count
_PUBLISHERS = ["Wire A", "Wire B", "Wire C", "Wire D", "Wire E", "openai.com"]


def _extract(story: StoryDefinition, article: Article) -> list[Claim]:
    return [
        Claim(story=story.id, article_id=article.article_id, slot=slot, op=op,  # type: ignore[arg-type]
              value=value, factuality=fact, language="en",  # type: ignore[arg-type]
              evidence=f"[{slot} {op} {value}]", interim=None, rule="toy",
              effective=day, effective_cue=f"'from {day}'" if day else "")
        for slot, op, value, fact, day in _CLAIM.findall(article.title)
    ]


@pytest.fixture
def bracket_rules(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield from rules_replaced(monkeypatch, _extract, "bracket-1")


def _claims(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.choice((1, 1, 1, 2))):
        slot, op, value = rng.choice(_RARE) if rng.random() < 0.02 else rng.choice(_POOL)
        fact = rng.choices(("asserted", "negated", "speculative"), (0.75, 0.15, 0.1))[0]
        day = ""
        if fact == "asserted" and rng.random() < 0.15:   # a decided change dated ahead (or a day past)
            day = f"@2023-11-{rng.randint(15, 30)}"
        parts.append(f"[{slot} {op} {value}|{fact}{day}]")
    return " ".join(parts)


def _stored(conn: sa.Connection) -> list[dict[str, Any]]:
    t = tables.transitions
    return [dict(r._mapping) for r in conn.execute(sa.select(t).where(t.c.story == "openai").order_by(t.c.seq))]


def _whole(conn: sa.Connection, story: StoryDefinition) -> list[dict[str, Any]]:
    evidence = load.load_evidence(conn, story.id)
    corrections = load.load_corrections(conn, story.id)
    return rows.transition_rows(story.id, corroborate.resolve(story, evidence, corrections))


def _run(engine: sa.Engine, seed: int, steps: int) -> int:
    """Append a random log with reads in between; return how many reads went partial."""
    rng = random.Random(seed)
    clock = [T0 - timedelta(hours=40)]
    store = EventStore(engine, clock=lambda: clock[0])
    stories = load_stories()
    story = stories["openai"]
    titles: list[tuple[str, str]] = []  # (article id, title)
    partial = 0
    original = resolution.incremental

    def counting(*args: Any, **kwargs: Any) -> resolution.Update | None:
        nonlocal partial
        found = original(*args, **kwargs)
        partial += found is not None
        return found

    resolution.incremental = counting  # type: ignore[assignment]
    try:
        for n in range(steps):
            clock[0] += timedelta(hours=rng.uniform(0, 20))
            roll = rng.random()
            if roll < 0.62 or not titles:
                article_id = f"s{seed}-a{n}"
                lag = rng.choice((rng.uniform(0, 6), rng.uniform(0, 40), rng.uniform(-10, 200)))
                published: datetime = clock[0] - timedelta(hours=lag)
                summary = ""
                if titles and rng.random() < 0.15:
                    title = rng.choice(titles)[1]  # a syndicated copy
                else:
                    title = f"Report {n} {_claims(rng)}"
                    if rng.random() < 0.1:
                        summary = f"A long shared opening paragraph about the company number {rng.randint(0, 3)}"
                event = observed(article_id, title, published, publisher=rng.choice(_PUBLISHERS),
                                 summary=summary)
                titles.append((article_id, title))
                store.append([event])
            elif roll < 0.72:
                article_id, _ = rng.choice(titles)
                title = f"Updated {n} {_claims(rng)}"
                content = hashlib.sha256(title.encode()).hexdigest()
                revision = ArticleRevised(article_id=article_id, title=title, summary="", content_hash=content,
                                          previous_hash="", stories=["openai"], published=None)
                store.append([NewEvent.from_domain(revision, stream_id=f"article-{article_id}",
                                                   occurred_at=clock[0], idempotency_key=f"rev:{content}")])
            elif roll < 0.77:
                slot, op, value = rng.choice(_POOL)
                when = clock[0] - timedelta(hours=rng.uniform(0, 100))
                correction = SlotAsserted(story="openai", slot=slot, op=op, value=value,
                                          at=when.isoformat(), source="https://example.org/statement")
                store.append([NewEvent.from_domain(correction, stream_id="corrections-openai",
                                                   occurred_at=when)])
            elif roll < 0.8:
                article_id, _ = rng.choice(titles)
                rejection = ArticleRejected(article_id=article_id, reason="not news")
                store.append([NewEvent.from_domain(rejection, stream_id=f"rejections-{article_id}-{n}",
                                                   occurred_at=clock[0])])
            if rng.random() < 0.4 or n == steps - 1:
                projection.update(engine, stories, workers=0)
                with engine.connect() as conn:
                    assert _stored(conn) == _whole(conn, story), f"seed {seed}, step {n}"
    finally:
        resolution.incremental = original  # type: ignore[assignment]
    incremental = projection_snapshot(engine)
    projection.rebuild(engine, stories, workers=0)
    assert projection_snapshot(engine) == incremental, f"seed {seed}"
    with engine.connect() as conn:
        DATED[seed] = sum(1 for row in _stored(conn) if (row["note"] or "").startswith("takes effect"))
    return partial


DATED: dict[int, int] = {}  # seed: transitions dated by the day they take effect


@pytest.mark.parametrize("seed", range(8))
def test_partial_resolution_equals_the_whole_one(engine: sa.Engine, bracket_rules: None, seed: int) -> None:
    assert _run(engine, seed, 60) > 0, "some reads should have resolved partially"


def test_changes_dated_by_their_effective_day_are_among_those_compared(engine: sa.Engine,
                                                                        bracket_rules: None) -> None:
    # Seed 2's log holds reports that agree on a day ahead: partial and whole resolution date
    # those changes alike (the note travels with the stored operation).
    assert _run(engine, 2, 60) > 0
    assert DATED[2] > 0


def test_a_new_report_is_resolved_partially(engine: sa.Engine, bracket_rules: None) -> None:
    clock = [T0]
    store = EventStore(engine, clock=lambda: clock[0])
    stories = load_stories()
    for i, (publisher, person) in enumerate((("Wire A", "Mira Murati"), ("Wire B", "Mira Murati"),
                                             ("Wire C", "Emmett Shear"))):
        store.append([observed(f"n{i}", f"Named {i} [ceo set {person}|speculative] [ceo set {person}|asserted]",
                               T0 + timedelta(hours=i), publisher=publisher)])
    projection.update(engine, stories, workers=0)
    calls: list[bool] = []
    original = resolution.incremental

    def spy(*args: Any, **kwargs: Any) -> resolution.Update | None:
        found = original(*args, **kwargs)
        calls.append(found is not None)
        return found

    resolution.incremental = spy  # type: ignore[assignment]
    try:
        clock[0] += timedelta(days=3)
        store.append([observed("n9", "Named again [ceo set Emmett Shear|asserted]", T0 + timedelta(days=2),
                               publisher="Wire D")])
        store.append([observed("n10", "Also [ceo set Emmett Shear|asserted]", T0 + timedelta(days=2, hours=1),
                               publisher="Wire E")])
        projection.update(engine, stories, workers=0)
    finally:
        resolution.incremental = original  # type: ignore[assignment]
    assert calls == [True]
    with engine.connect() as conn:
        stored = _stored(conn)
        assert stored == _whole(conn, stories["openai"])
    assert [(r["op"], r["value"]) for r in stored][-1] == ("set", '"Emmett Shear"')
