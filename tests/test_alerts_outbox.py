"""The outbox on each backend: the projection writes notifications, the sender delivers them."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest
import sqlalchemy as sa
from alertprocs import ROOT, TRACKER, Receiver

from tracker.alerts import outbox, tables, targets
from tracker.alerts.sender import Sender, pending_count
from tracker.errors import InputError
from tracker.projections import engine as projection
from tracker.projections import query

pytestmark = pytest.mark.slow


def _demo(url: str) -> None:
    done = subprocess.run([str(TRACKER), "-q", "demo", "--db", url], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr


def test_the_outbox_is_written_with_the_transitions_and_sent_once(engine: sa.Engine, db_url: str) -> None:
    with Receiver() as receiver:
        targets.add(engine, "hook", "webhook", receiver.url, slots=("ceo",))
        targets.add(engine, "all", "command", f"{sys.executable} -c pass")
        _demo(db_url)
        ceo = [t for t in query.timeline(engine) if t.slot == "ceo"]
        everything = query.timeline(engine)
        assert pending_count(engine) == len(ceo) + len(everything)
        done = Sender(engine).run_once()
        assert (done.delivered, done.retrying, done.failed) == (len(ceo) + len(everything), 0, 0)
        assert len(receiver.keys()) == len(set(receiver.keys())) == len(ceo)
        assert all(d["slot"] == "ceo" for d in receiver.accepted)
        projection.rebuild(engine)
        assert pending_count(engine) == 0 and Sender(engine).run_once().delivered == 0


def test_a_change_that_disappears_is_retracted_and_one_that_returns_is_announced_again(
    engine: sa.Engine,
) -> None:
    with Receiver() as receiver:
        targets.add(engine, "hook", "webhook", receiver.url)
        row = {"story": "openai", "slot": "ceo", "op": "set", "value": '"Mira Murati"',
               "at_us": 1_700_000_000_000_000, "sources": "[]"}
        with engine.begin() as conn:
            assert outbox.record(conn, "openai", [row]) == 1
        with engine.begin() as conn:
            assert outbox.record(conn, "openai", [row]) == 0  # a replay: nothing new
        with engine.begin() as conn:
            assert outbox.record(conn, "openai", []) == 1  # gone: a retraction
        with engine.begin() as conn:
            assert outbox.record(conn, "openai", [row]) == 1  # back: announced again
        Sender(engine).run_once()
        events = [d["event"] for d in receiver.accepted]
        assert events == ["changed", "retracted", "changed"]
        assert len(set(receiver.keys())) == 3
        with engine.connect() as conn:
            kinds = conn.execute(sa.select(tables.outbox.c.kind).order_by(tables.outbox.c.id)).scalars().all()
        assert kinds == ["changed", "retracted", "changed"]


def test_a_failing_target_backs_off_then_gives_up(engine: sa.Engine) -> None:
    with Receiver(fail=lambda n: True) as receiver:
        targets.add(engine, "hook", "webhook", receiver.url)
        row = {"story": "openai", "slot": "ceo", "op": "set", "value": '"Emmett Shear"',
               "at_us": 1_700_000_000_000_000, "sources": "[]"}
        with engine.begin() as conn:
            outbox.record(conn, "openai", [row])
        sender = Sender(engine, base_delay_s=0.0, max_attempts=3)
        done = sender.run_once()
        assert (done.delivered, done.retrying, done.failed) == (0, 2, 1)
        assert receiver.requests == 3
        slow = Sender(engine, base_delay_s=10.0)
        assert 10_000_000 <= slow.backoff_us(1) <= 12_500_000
        assert 40_000_000 <= slow.backoff_us(3) <= 50_000_000
        from tracker.alerts import history

        entry = history.recent(engine)[0]
        assert entry["status"] == "failed" and [a["ok"] for a in entry["attempts"]] == [False] * 3
        assert entry["attempts"][0]["detail"] == "HTTP 500"


def test_targets_are_checked(engine: sa.Engine) -> None:
    with pytest.raises(InputError, match="http"):
        targets.add(engine, "x", "webhook", "mailto:someone")
    with pytest.raises(InputError, match="service URL"):
        targets.add(engine, "x", "apprise", "nothing")
    targets.add(engine, "x", "command", "true")
    with pytest.raises(InputError, match="exists already"):
        targets.add(engine, "x", "command", "true")
    assert orjson.loads(orjson.dumps([t.name for t in targets.all_targets(engine)])) == ["x"]


def test_changes_while_nobody_listens_are_settled_when_a_target_is_added(engine: sa.Engine) -> None:
    """Without targets nothing is announced or remembered; a target added later hears
    neither a retraction of a change it never heard of, nor a change older than itself."""
    from tracker.projections import tables as projection_tables

    row = {"story": "openai", "slot": "ceo", "op": "set", "value": '"Mira Murati"',
           "at_us": 1_700_000_000_000_000, "sources": "[]"}
    stored = {"story": "openai", "seq": 0, "slot": "ceo", "at_us": row["at_us"], "op": "set",
              "value": row["value"], "interim": True, "chair": None, "sources": "[]",
              "single_source": False, "correction": False, "note": None}
    with Receiver() as receiver:
        first = targets.add(engine, "first", "webhook", receiver.url)
        with engine.begin() as conn:
            assert outbox.record(conn, "openai", [row]) == 1
        assert Sender(engine).run_once().delivered == 1
        targets.remove(engine, first.name)
        with engine.begin() as conn:
            assert outbox.record(conn, "openai", []) == 0      # reversed while nobody listens
        targets.add(engine, "second", "webhook", receiver.url)   # the projection holds no such change
        with engine.begin() as conn:
            assert outbox.record(conn, "openai", []) == 0      # no retraction for "second"
        targets.remove(engine, "second")
        with engine.begin() as conn:
            conn.execute(projection_tables.transitions.insert().values(**stored))
            assert outbox.record(conn, "openai", [row]) == 0    # back while nobody listens
        targets.add(engine, "third", "webhook", receiver.url)    # it stands when "third" arrives
        with engine.begin() as conn:
            assert outbox.record(conn, "openai", [row]) == 0    # nothing older than "third"
            assert outbox.record(conn, "openai", []) == 1       # its reversal is news to "third"
        Sender(engine).run_once()
        assert [(d["event"], d["value"]) for d in receiver.accepted] == [
            ("changed", "Mira Murati"), ("retracted", "Mira Murati")]
