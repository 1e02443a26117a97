"""``tracker verify``: exit 0 and a summary when intact, 1 naming the first broken event."""

from __future__ import annotations

import pytest
from eventlog_helpers import numbered

from tracker import db
from tracker.cli import main
from tracker.eventlog.store import EventStore


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def filled(url: str, count: int = 6) -> EventStore:
    store = EventStore(db.open_database(url))
    store.append(numbered(1, count + 1))
    return store


def drop_triggers(store: EventStore) -> None:
    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER events_refuse_update")
            conn.exec_driver_sql("DROP TRIGGER events_refuse_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER events_refuse_change ON events")


def test_an_intact_log_verifies_with_a_one_line_summary(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = filled(db_url)
    code, out, err = run_cli(capsys, "--db", db_url, "verify")
    assert code == 0 and err == ""
    assert out.count("\n") == 1 and out.startswith("ok: 6 events, positions 1..6")
    store.engine.dispose()


def test_a_payload_altered_out_of_band_is_named_by_position(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = filled(db_url)
    stored = store.get(4)
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE events SET payload = REPLACE(payload, 'Headline 4', 'Headline four') "
            "WHERE position = 4"
        )
    code, out, err = run_cli(capsys, "--db", db_url, "verify")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("broken at position 4:")
    assert f"found {stored.hash}" in err  # type: ignore[union-attr]
    report = store.verify()
    assert (report.broken_position, report.found, report.events) == (4, stored.hash, 3)  # type: ignore[union-attr]
    assert report.expected != report.found
    store.engine.dispose()


def test_a_deleted_event_is_reported_as_a_missing_position(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = filled(db_url)
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM events WHERE position = 2")
    code, _, _err = run_cli(capsys, "--db", db_url, "verify", "--json")
    assert code == 1
    report = store.verify()
    assert report.broken_position == 3 and report.problem == "position 2 is missing"
    store.engine.dispose()


def test_a_rewritten_clock_breaks_the_chain_at_that_event(db_url: str) -> None:
    store = filled(db_url)
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE events SET recorded_at = recorded_at - 1 WHERE position = 5")
    report = store.verify()
    assert report.broken_position == 5 and report.problem == "hash does not match the stored row"
    store.engine.dispose()


def test_an_empty_log_verifies(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--db", sqlite_url, "verify")
    assert code == 0 and out == "ok: the log is empty\n"
