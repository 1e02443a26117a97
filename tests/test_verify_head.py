"""The log's head: a cut tail, a removed or reordered event, a head kept elsewhere (both backends)."""

from __future__ import annotations

import pytest
from eventlog_helpers import numbered
from test_verify import drop_triggers, filled, run_cli

from tracker.errors import IntegrityError, StorageError
from tracker.eventlog.store import EventStore


def _drop_head_triggers(store: EventStore) -> None:
    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER log_head_forward_only")
            conn.exec_driver_sql("DROP TRIGGER log_head_refuse_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER log_head_guard ON log_head")


def test_each_append_moves_the_head_and_the_head_only_moves_forward(db_url: str) -> None:
    store = filled(db_url, 5)
    head = store.head()
    assert head is not None and head.position == 5 and head.hash == store.get(5).hash  # type: ignore[union-attr]
    for statement in ("UPDATE log_head SET position = 3",
                      "UPDATE log_head SET hash = 'ab' WHERE id = 1", "DELETE FROM log_head"):
        with pytest.raises(Exception, match="only moves forward"), store.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    store.engine.dispose()


def test_a_cut_tail_is_named_with_the_head_it_had(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = filled(db_url, 12)
    head = store.head()
    assert head is not None
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM events WHERE position > 8")
    code, out, err = run_cli(capsys, "--db", db_url, "verify")
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert f"log ends at 8, head was 12 (hash {head.hash[:16]})" in err
    # Nothing is appended on top of a cut log.
    with pytest.raises(IntegrityError, match="log ends at 8, its head was 12"):
        store.append(numbered(20, 21))
    store.engine.dispose()


@pytest.mark.parametrize("change", ["delete", "reorder"])
def test_a_removed_or_reordered_event_is_named(
    db_url: str, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    store = filled(db_url, 8)
    drop_triggers(store)
    with store.engine.begin() as conn:
        if change == "delete":
            conn.exec_driver_sql("DELETE FROM events WHERE position = 4")
        else:  # swap two events' positions
            conn.exec_driver_sql("UPDATE events SET position = -1 WHERE position = 3")
            conn.exec_driver_sql("UPDATE events SET position = 3 WHERE position = 5")
            conn.exec_driver_sql("UPDATE events SET position = 5 WHERE position = -1")
    code, _, err = run_cli(capsys, "--db", db_url, "verify")
    assert code == 1
    if change == "delete":
        assert "position 4 is missing" in err
    else:
        assert err.startswith("broken at position 3:")
    store.engine.dispose()


def test_a_cut_tail_with_its_head_rewound_is_caught_by_an_exported_head(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = filled(db_url, 10)
    code, out, _ = run_cli(capsys, "--db", db_url, "verify", "--export-head")
    assert code == 0
    exported = out.strip()
    assert exported == f"10:{store.get(10).hash}"  # type: ignore[union-attr]
    store.append(numbered(11, 13))  # the log grows: the exported head still holds
    assert run_cli(capsys, "--db", db_url, "verify", "--expect-head", exported)[0] == 0
    # Someone drops every trigger, cuts the tail and rewinds the head to match.
    drop_triggers(store)
    _drop_head_triggers(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM events WHERE position > 7")
        conn.exec_driver_sql(f"UPDATE log_head SET position = 7, hash = '{store.get(7).hash}'")  # type: ignore[union-attr]
    assert run_cli(capsys, "--db", db_url, "verify")[0] == 0  # the database alone cannot tell
    code, _, err = run_cli(capsys, "--db", db_url, "verify", "--expect-head", exported)
    assert code == 1 and "log ends at 7, expected head is 10" in err
    code, _, err = run_cli(capsys, "--db", db_url, "verify", "--expect-head", "10:nothex")
    assert code == 2 and "invalid head" in err
    store.engine.dispose()


def test_events_added_behind_the_stores_back_are_named(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = filled(db_url, 4)
    extra = store.get(4)
    assert extra is not None
    with store.engine.begin() as conn:  # a copy of row 4 at position 5, chained but not via append
        from tracker.eventlog import codec

        digest = codec.chain_hash(extra.hash, 5, extra.stream_id, 99, extra.type, extra.schema_version,
                                  extra.occurred_us, extra.recorded_us, codec.dumps(extra.payload),
                                  codec.dumps(extra.metadata), None)
        conn.exec_driver_sql(
            "INSERT INTO events (position, stream_id, stream_version, type, schema_version, occurred_at, "
            "recorded_at, payload, metadata, idempotency_key, prev_hash, hash) VALUES "
            f"(5, '{extra.stream_id}', 99, '{extra.type}', {extra.schema_version}, {extra.occurred_us}, "
            f"{extra.recorded_us}, '{codec.dumps(extra.payload)}', '{codec.dumps(extra.metadata)}', NULL, "
            f"'{extra.hash}', '{digest}')"
        )
    code, _, err = run_cli(capsys, "--db", db_url, "verify")
    assert code == 1 and "log goes past its head 4" in err
    store.engine.dispose()


def test_storage_errors_stay_one_line(db_url: str) -> None:
    assert issubclass(IntegrityError, StorageError)
