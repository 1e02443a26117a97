"""A projection checkpoint the log no longer vouches for is rebuilt from the log, never used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from test_projections_helpers import observed, toy_rules
from test_verify import drop_triggers
from test_verify_head import _drop_head_triggers

from tracker.eventlog.store import EventStore
from tracker.projections import corrections, query
from tracker.projections import engine as projection

__all__ = ["toy_rules"]

FRI = datetime(2023, 11, 17, 21, 0, tzinfo=UTC)
SOURCE = "https://example.org/statement"


def _reports(engine: sa.Engine, count: int) -> EventStore:
    store = EventStore(engine)
    store.append([
        observed(f"m{i}", f"Report {i} [ceo set Mira Murati interim]", FRI + timedelta(hours=i),
                 publisher=f"Wire {i}")
        for i in range(count)
    ])
    return store


def _cut(store: EventStore, keep: int) -> None:
    """Cut the log after ``keep`` with every trigger dropped, and rewind its head to match."""
    drop_triggers(store)
    _drop_head_triggers(store)
    kept = store.get(keep)
    assert kept is not None
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM events WHERE position > {keep}")
        conn.exec_driver_sql(f"UPDATE log_head SET position = {keep}, hash = '{kept.hash}'")


def _checkpoint(engine: sa.Engine) -> projection.Checkpoint:
    with engine.connect() as conn:
        mark = projection.read_checkpoints(conn)[projection.LOG]
    return mark


def test_a_checkpoint_beyond_the_log_is_rebuilt_and_a_new_assertion_counts(
    engine: sa.Engine, toy_rules: None
) -> None:
    store = _reports(engine, 8)
    sunday = FRI + timedelta(days=2)
    assert query.state(engine, "openai", as_of=sunday).slots[0].value == "Mira Murati"
    assert _checkpoint(engine).position == 8
    _cut(store, 5)
    event = corrections.assert_slot(engine, "ceo", "Emmett Shear", at=sunday, source=SOURCE)
    assert event.position == 6  # behind the old checkpoint (8)
    state = query.state(engine, "openai", as_of=sunday + timedelta(hours=1))
    assert state.slots[0].value == "Emmett Shear"
    mark = _checkpoint(engine)
    assert mark.position == 6 and mark.hash == event.hash


def test_a_checkpoint_over_a_rewritten_event_is_rebuilt(engine: sa.Engine, toy_rules: None) -> None:
    store = _reports(engine, 6)
    sunday = FRI + timedelta(days=2)
    assert query.state(engine, "openai", as_of=sunday).slots[0].value == "Mira Murati"
    old = _checkpoint(engine)
    _cut(store, 5)
    event = corrections.assert_slot(engine, "ceo", "Emmett Shear", at=sunday, source=SOURCE)
    assert event.position == old.position == 6 and event.hash != old.hash  # same place, another event
    state = query.state(engine, "openai", as_of=sunday + timedelta(hours=1))
    assert state.slots[0].value == "Emmett Shear"
    assert _checkpoint(engine).hash == event.hash
