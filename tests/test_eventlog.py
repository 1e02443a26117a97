"""The event log's contract, on SQLite and PostgreSQL: append, idempotency, reads, clocks."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from eventlog_helpers import T0, StepClock, make_event, numbered
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker import db
from tracker.errors import ConcurrencyError, StorageError
from tracker.eventlog import codec
from tracker.eventlog.store import EventStore


def test_update_and_delete_are_refused_by_the_database(store: EventStore) -> None:
    store.append(numbered(1, 4))
    before = [e.hash for e in store.read()]
    for statement in (
        "UPDATE events SET payload = '{}' WHERE position = 2",
        "UPDATE events SET recorded_at = 0",
        "DELETE FROM events WHERE position = 3",
        "DELETE FROM events",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert [e.hash for e in store.read()] == before


def test_truncate_is_refused_on_postgresql(store: EventStore) -> None:
    if store.dialect != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    store.append(numbered(1, 3))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events")
    assert store.count() == 2


def test_a_batch_gets_consecutive_positions_and_a_hash_chain(store: EventStore) -> None:
    first = store.append(numbered(1, 4))
    second = store.append(numbered(4, 6))
    recorded = first + second
    assert [e.position for e in recorded] == [1, 2, 3, 4, 5]
    assert recorded[0].prev_hash == codec.GENESIS_HASH
    for earlier, later in itertools.pairwise(recorded):
        assert later.prev_hash == earlier.hash
    assert list(store.read()) == recorded
    assert store.verify().ok


def test_stream_versions_count_up_per_stream(store: EventStore) -> None:
    store.append([make_event(1, stream="s-a"), make_event(2, stream="s-b"), make_event(3, stream="s-a")])
    assert [e.stream_version for e in store.read_stream("s-a")] == [1, 2]
    assert store.stream_versions(["s-a", "s-b", "s-none"]) == {"s-a": 2, "s-b": 1}


def test_appending_the_same_batch_twice_leaves_one_copy(store: EventStore) -> None:
    batch = list(numbered(1, 6))
    first = store.append(batch)
    again = store.append(batch)
    assert again == first
    assert store.count() == 5


def test_a_key_repeated_inside_a_batch_is_appended_once(store: EventStore) -> None:
    result = store.append([make_event(1, key="k"), make_event(2, key="k"), make_event(3, key=None)])
    assert result[0] == result[1]
    assert store.count() == 2
    assert set(store.by_keys(["k", "missing"])) == {"k"}


def test_a_known_key_returns_the_stored_event_even_with_a_stale_expected_version(
    store: EventStore,
) -> None:
    (stored,) = store.append([make_event(1, expected=0)])
    (again,) = store.append([make_event(1, expected=0)])
    assert again == stored
    assert store.count() == 1


def test_an_expected_version_mismatch_raises_and_appends_nothing(store: EventStore) -> None:
    store.append([make_event(1, stream="s")])
    batch = [make_event(2, stream="other"), make_event(3, stream="s", expected=0)]
    with pytest.raises(ConcurrencyError) as caught:
        store.append(batch)
    assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == ("s", 0, 1)
    assert "expected 0" in str(caught.value)
    assert store.count() == 1
    assert store.append([make_event(3, stream="s", expected=1)])[0].stream_version == 2


def test_expected_versions_chain_inside_one_batch(store: EventStore) -> None:
    result = store.append([make_event(i, stream="s", expected=i) for i in range(3)])
    assert [e.stream_version for e in result] == [1, 2, 3]


def test_reads_by_position_range_and_stream_and_type(store: EventStore) -> None:
    store.append([make_event(i, stream=f"s{i % 3}") for i in range(1, 11)])
    store.append([make_event(11, type_="ArticleRejected", payload={"article_id": "a1", "reason": "r"})])
    assert [e.position for e in store.read(after=3, until=6)] == [4, 5, 6]
    assert [e.position for e in store.read(stream_id="s1")] == [1, 4, 7, 10]
    assert [e.position for e in store.read(types=["ArticleRejected"])] == [11]
    assert store.get(5) is not None and store.get(5).position == 5  # type: ignore[union-attr]
    assert store.get(99) is None
    assert store.last_position() == 11


def test_reads_come_in_pages_and_see_events_appended_meanwhile(store: EventStore) -> None:
    store.append(numbered(1, 5))
    reader = store.read(chunk_size=2)
    seen = [next(reader).position]
    store.append(numbered(5, 8))
    seen.extend(e.position for e in reader)
    assert seen == [1, 2, 3, 4, 5, 6, 7]


def test_reads_up_to_an_event_time(store: EventStore) -> None:
    store.append([make_event(i, occurred=T0 + timedelta(hours=10 - i)) for i in range(1, 6)])
    bound = T0 + timedelta(hours=7)
    assert [e.position for e in store.read(occurred_until=bound)] == [3, 4, 5]


def test_reads_up_to_a_knowledge_time(engine: sa.Engine) -> None:
    clock = StepClock()
    store = EventStore(engine, clock=clock)
    store.append(numbered(1, 3))
    middle = clock.advance(hours=1)
    store.append(numbered(3, 5))
    clock.advance(hours=1)
    store.append(numbered(5, 6))
    assert [e.position for e in store.read(recorded_until=middle)] == [1, 2, 3, 4]
    assert [e.position for e in store.read(recorded_until=middle - timedelta(microseconds=1))] == [1, 2]
    assert store.position_at(T0 - timedelta(days=1)) == 0
    assert [e.recorded_at for e in store.read(until=1)] == [T0]


def test_recorded_at_never_decreases_even_when_the_clock_goes_back(engine: sa.Engine) -> None:
    clock = StepClock()
    store = EventStore(engine, clock=clock)
    store.append(numbered(1, 3))
    clock.advance(hours=-5)
    store.append(numbered(3, 5))
    clock.advance(hours=10)
    store.append(numbered(5, 6))
    stamps = [e.recorded_us for e in store.read()]
    assert stamps == sorted(stamps)
    assert stamps[2] == stamps[0]
    assert store.verify().ok


def test_payload_and_metadata_come_back_as_written(store: EventStore) -> None:
    payload = {"text": "Zoë — 東京 \u2028", "n": 3, "nested": {"b": [1, None], "a": True}}
    event = make_event(1, payload=payload)
    event = type(event)(**{**{f: getattr(event, f) for f in event.__slots__}, "metadata": {"via": "t"}})
    store.append([event])
    (read,) = store.read()
    assert read.payload == payload and read.metadata == {"via": "t"}


def test_an_empty_batch_appends_nothing(store: EventStore) -> None:
    assert store.append([]) == []
    assert store.count() == 0 and store.last_position() == 0


def test_a_held_lock_times_out_with_a_clear_storage_error(engine: sa.Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the lock timeout is PostgreSQL's; SQLite waits on its busy timeout")
    store = EventStore(engine, lock_timeout="200ms")
    with engine.connect() as holder:
        holder.exec_driver_sql("BEGIN")
        holder.exec_driver_sql("LOCK TABLE events IN EXCLUSIVE MODE")
        with pytest.raises(StorageError, match="lock for more than 200ms"):
            store.append(numbered(1, 2))
        holder.exec_driver_sql("ROLLBACK")
    assert store.append(numbered(1, 2))[0].position == 1


def test_an_unusable_lock_timeout_is_refused() -> None:
    engine = sa.create_engine("sqlite://")
    with pytest.raises(ValueError, match="lock timeout"):
        EventStore(engine, lock_timeout="1s; DROP TABLE events")


def test_any_sequence_of_batches_stores_each_key_once_in_one_unbroken_chain(tmp_path: Path) -> None:
    engine = db.open_database(f"sqlite:///{tmp_path / 'prop.sqlite'}")
    store = EventStore(engine)
    examples = itertools.count()

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.lists(st.integers(0, 12), max_size=8), max_size=5))
    def check(batches: list[list[int]]) -> None:
        ns = next(examples)
        before = store.count()
        keys: set[str] = set()
        for numbers in batches:
            batch = [make_event(n, key=f"{ns}-{n}", stream=f"{ns}-s{n % 3}") for n in numbers]
            result = store.append(batch)
            assert [r.idempotency_key for r in result] == [e.idempotency_key for e in batch]
            keys.update(f"{ns}-{n}" for n in numbers)
        assert store.count() - before == len(keys)
        assert set(store.by_keys(keys)) == keys

    check()
    report = store.verify()
    assert report.ok and report.events == store.count()
    engine.dispose()
