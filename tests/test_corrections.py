"""Corrections are events: assert and reject append to the log, projections honour them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from test_projections_helpers import observed, toy_rules

from tracker.errors import InputError
from tracker.eventlog.store import EventStore
from tracker.projections import corrections, present, query
from tracker.projections.explain import explain

__all__ = ["toy_rules"]

FRI = datetime(2023, 11, 17, 21, 0, tzinfo=UTC)
SOURCE = "https://example.org/statement"


def _two_reports(engine: sa.Engine) -> None:
    EventStore(engine).append([
        observed("m1", "Stand-in chief [ceo set Mira Murati interim]", FRI, publisher="Wire A"),
        observed("m2", "Chief named [ceo set Mira Murati interim]", FRI + timedelta(hours=1),
                 publisher="Wire B"),
    ])


def test_an_assertion_changes_state_and_shows_in_explain(engine: sa.Engine, toy_rules: None) -> None:
    _two_reports(engine)
    sunday = FRI + timedelta(days=2)
    assert query.state(engine, "openai", as_of=sunday).slots[0].value == "Mira Murati"
    event = corrections.assert_slot(
        engine, "ceo", "emmett shear", at=sunday, source=SOURCE, note="board statement",
        interim=True,
    )
    assert event.type == "SlotAsserted"
    assert event.payload["value"] == "Emmett Shear"  # canonical spelling
    assert event.payload["op"] == "set"

    after = present.state_json(query.state(engine, "openai", as_of=sunday + timedelta(hours=1)))
    assert after["slots"]["ceo"]["value"] == "Emmett Shear"
    assert after["slots"]["ceo"]["interim"] is True
    before = present.state_json(query.state(engine, "openai", as_of=sunday - timedelta(hours=1)))
    assert before["slots"]["ceo"]["value"] == "Mira Murati"
    last = query.timeline(engine, "openai")[-1]
    assert (last.slot, last.value, last.correction) == ("ceo", "Emmett Shear", True)

    why = present.explanation_json(explain(engine, "openai", "ceo", sunday + timedelta(hours=1)))
    assert [(c["value"], c["source"], c["note"]) for c in why["corrections"]] == [
        ("Emmett Shear", SOURCE, "board statement")
    ]
    assert {r["article_id"] for r in why["contradicting"]} == {"m1", "m2"}


def test_asserting_the_same_thing_twice_records_it_once(engine: sa.Engine) -> None:
    first = corrections.assert_slot(engine, "board", "Bret Taylor", at=FRI, source=SOURCE)
    again = corrections.assert_slot(engine, "board", "Bret Taylor", at=FRI, source=SOURCE)
    assert again.position == first.position
    assert EventStore(engine).count() == 1


@pytest.mark.parametrize(("slot", "value", "op"), [
    ("ceo", "Sam Altman", "set"), ("board", "Larry Summers", "add"), ("microsoft", "employer", "tag"),
])
def test_each_slot_has_a_sensible_default_op(
    sqlite_url: str, slot: str, value: str, op: str
) -> None:
    from tracker import db

    engine = db.open_database(sqlite_url)
    event = corrections.assert_slot(engine, slot, value, at=FRI, source=SOURCE)
    assert event.payload["op"] == op
    engine.dispose()


@pytest.mark.parametrize(("slot", "value", "op", "message"), [
    ("cfo", "Sam Altman", None, "unknown slot 'cfo'"),
    ("ceo", "Jane Nobody", None, "not a value of slot 'ceo'"),
    ("microsoft", "landlord", None, "not a value of slot 'microsoft'"),
    ("ceo", "Sam Altman", "add", "does not apply to slot 'ceo'"),
    ("ceo", "Sam Altman", "clear", "takes no value"),
    ("board", None, "add", "needs a value"),
])
def test_bad_assertions_are_input_errors(
    sqlite_url: str, slot: str, value: str | None, op: str | None, message: str
) -> None:
    from tracker import db

    engine = db.open_database(sqlite_url)
    with pytest.raises(InputError, match=message):
        corrections.assert_slot(engine, slot, value, at=FRI, source=SOURCE, op=op)
    assert EventStore(engine).count() == 0
    engine.dispose()


def test_a_rejected_article_no_longer_counts(engine: sa.Engine, toy_rules: None) -> None:
    _two_reports(engine)
    sunday = FRI + timedelta(days=2)
    supported = query.timeline(engine, "openai")
    assert {s.article_id for s in supported[0].sources} == {"m1", "m2"}

    event = corrections.reject_article(engine, "m2", reason="wrong company")
    assert event.type == "ArticleRejected"
    after = query.timeline(engine, "openai")
    assert all("m2" not in {s.article_id for s in t.sources} for t in after)

    why = present.explanation_json(explain(engine, "openai", "ceo", sunday))
    assert [r["article_id"] for r in why["rejected"]] == ["m2"]
    assert why["rejected"][0]["reasons"] == ["wrong company"]
    assert "m2" not in {r["article_id"] for r in why["supporting"] + why["contradicting"]}


def test_rejecting_an_unknown_article_is_an_input_error(engine: sa.Engine) -> None:
    with pytest.raises(InputError, match="no article 'ghost'"):
        corrections.reject_article(engine, "ghost", reason="typo")
    with pytest.raises(InputError, match="--reason"):
        corrections.reject_article(engine, "ghost", reason="  ")


def test_a_holder_asserted_staying_on_is_interim(engine: sa.Engine) -> None:
    """``--op stay``: the holder stays in office as interim (a caretaker), on a slot that can be
    held interim; anywhere else it is refused."""
    at = FRI + timedelta(hours=3)
    event = corrections.assert_slot(engine, "ceo", "Sam Altman", at=at, source=SOURCE, op="stay")
    assert event.payload["op"] == "stay"
    held = present.state_json(query.state(engine, "openai", as_of=at + timedelta(hours=1)))
    assert held["slots"]["ceo"]["value"] == "Sam Altman" and held["slots"]["ceo"]["interim"] is True
    before = present.state_json(query.state(engine, "openai", as_of=at - timedelta(hours=1)))
    assert before["slots"]["ceo"]["interim"] is False
    with pytest.raises(InputError, match="does not apply to slot 'board'"):
        corrections.assert_slot(engine, "board", "Sam Altman", at=at, source=SOURCE, op="stay")
