"""Replay on both clocks: --as-of (event time) and --known-at (knowledge time), combined."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from test_projections_helpers import observed, toy_extract, toy_rules

from tracker import db
from tracker.eventlog.store import EventStore
from tracker.projections import claims as claims_projection
from tracker.projections import engine as projection
from tracker.projections import present, query, tables
from tracker.projections.explain import explain
from tracker.stories import extract as extract_rules
from tracker.stories import state as fold
from tracker.stories.definition import load_stories
from tracker.timeutil import to_micros

__all__ = ["toy_rules"]

FRI = datetime(2023, 11, 17, 21, 0, tzinfo=UTC)


class Clock:
    """Knowledge time, moved by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _ceo(state: object) -> object:
    return present.state_json(state)["slots"]["ceo"]["value"]  # type: ignore[arg-type]


def _rows(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        data = {
            str(t.name): [list(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
            for t in tables.ALL
        }
    return orjson.dumps(data).decode()


def test_known_at_before_an_article_was_recorded_does_not_see_it(
    engine: sa.Engine, toy_rules: None
) -> None:
    clock = Clock(FRI + timedelta(hours=1))
    store = EventStore(engine, clock=clock)
    store.append([
        observed("k1", "Board picks stand-in [ceo set Mira Murati interim]", FRI, publisher="Wire A"),
        observed("k2", "Stand-in named [ceo set Mira Murati interim]", FRI + timedelta(minutes=30),
                 publisher="Wire B"),
    ])
    # Two days later, a report published on Friday evening arrives late.
    clock.now = FRI + timedelta(days=2)
    store.append([
        observed("late1", "Late copy [board remove Ilya Sutskever]", FRI, publisher="Wire C"),
        observed("late2", "Late copy two [board remove Ilya Sutskever]", FRI, publisher="Wire D"),
    ])
    as_of = FRI + timedelta(hours=6)
    now = query.state(engine, "openai", as_of=as_of)
    assert _ceo(now) == "Mira Murati"
    assert "Ilya Sutskever" not in present.state_json(now)["slots"]["board"]["value"]
    stored = _rows(engine)

    before_any = query.state(engine, "openai", as_of=as_of, known_at=FRI + timedelta(minutes=30))
    assert _ceo(before_any) == "Sam Altman"  # the baseline: nothing recorded yet
    assert before_any.known_at_us == to_micros(FRI + timedelta(minutes=30))

    before_late = query.state(engine, "openai", as_of=as_of, known_at=FRI + timedelta(days=1))
    assert _ceo(before_late) == "Mira Murati"
    assert "Ilya Sutskever" in present.state_json(before_late)["slots"]["board"]["value"]

    assert [t.slot for t in query.timeline(engine, "openai", known_at=FRI + timedelta(days=1))] == ["ceo"]
    assert sorted(t.slot for t in query.timeline(engine, "openai")) == ["board", "ceo"]
    assert _rows(engine) == stored  # replaying a prefix leaves the projection alone


def test_as_of_before_the_event_shows_the_baseline(engine: sa.Engine, toy_rules: None) -> None:
    store = EventStore(engine)
    store.append([
        observed("b1", "Stand-in [ceo set Mira Murati interim]", FRI, publisher="Wire A"),
        observed("b2", "Stand-in too [ceo set Mira Murati interim]", FRI, publisher="Wire B"),
    ])
    assert _ceo(query.state(engine, "openai", as_of=FRI - timedelta(seconds=1))) == "Sam Altman"
    at_event = query.state(engine, "openai", as_of=FRI)
    assert _ceo(at_event) == "Mira Murati"
    assert present.state_json(at_event)["slots"]["ceo"]["interim"] is True


# --- property: as-of at any instant equals the fold of the timeline ----------

_HEADLINES = [
    ("ceo set Mira Murati interim", 0), ("ceo set Emmett Shear interim", 50),
    ("ceo set Sam Altman", 110), ("board remove Ilya Sutskever", 105),
    ("board remove Helen Toner", 106), ("board add Bret Taylor", 107),
    ("board add Larry Summers", 107), ("microsoft tag employer", 60),
    ("microsoft untag employer", 112), ("board remove Greg Brockman", 1),
]


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """A log of corroborated changes over a week, projected once."""
    path: Path = tmp_path_factory.mktemp("replay") / "tracker.sqlite"
    engine = db.open_database(f"sqlite:///{path}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(extract_rules, "extract", toy_extract)
        patch.setattr(extract_rules, "RULES_VERSION", "toy-replay")
        claims_projection.clear_memo()
        events = []
        for n, (claim, hours) in enumerate(_HEADLINES):
            for copy, publisher in enumerate(("Wire A", "Wire B", "Wire C")):
                published = FRI + timedelta(hours=hours, minutes=7 * copy + n)
                events.append(observed(f"p{n}-{copy}", f"Report [{claim}]", published, publisher=publisher))
        EventStore(engine).append(events)
        projection.update(engine, load_stories())
        claims_projection.clear_memo()
    yield engine
    engine.dispose()


_START = to_micros(FRI - timedelta(days=2))
_END = to_micros(FRI + timedelta(days=8))


@settings(max_examples=5, deadline=None)
@given(moments=st.lists(st.integers(min_value=_START, max_value=_END), min_size=200, max_size=200))
def test_state_as_of_any_instant_is_the_fold_of_the_timeline(
    replayed: sa.Engine, moments: list[int]
) -> None:
    story = load_stories()["openai"]
    timeline = query.timeline(replayed, "openai", refresh=False)
    assert len(timeline) >= 5
    boundaries = [t.at_us for t in timeline]
    for n, moment in enumerate(moments):
        instant = boundaries[moment % len(boundaries)] if n % 5 == 0 else moment
        got = query.state(replayed, "openai", as_of=instant, refresh=False)
        assert got == fold.state_at(story, timeline, instant)


def test_real_rules_known_at_hides_what_was_not_yet_recorded(engine: sa.Engine) -> None:
    """With the story's own extraction rules and plain sentences of our own."""
    clock = Clock(FRI + timedelta(days=3))  # both reports reach the log on Monday
    EventStore(engine, clock=clock).append([
        observed("r1", "OpenAI names Mira Murati interim CEO after ousting Sam Altman", FRI,
                 publisher="Wire A"),
        observed("r2", "OpenAI board appoints Mira Murati as interim chief executive",
                 FRI + timedelta(minutes=40), publisher="Wire B"),
    ])
    saturday = FRI + timedelta(days=1)
    assert _ceo(query.state(engine, "openai", as_of=saturday)) == "Mira Murati"
    assert _ceo(query.state(engine, "openai", as_of=saturday, known_at=saturday)) == "Sam Altman"
    why = explain(engine, "openai", "ceo", as_of=saturday)
    assert {r.article.article_id for r in why.supporting} == {"r1", "r2"}
    assert all(r.claim.factuality == "asserted" for r in why.supporting)
