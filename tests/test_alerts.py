"""Alert delivery drills: real tracker processes, a real webhook receiver on 127.0.0.1."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest
from alertprocs import Receiver, demo, run, start

from tracker import db as database

pytestmark = pytest.mark.slow
SECRET = "drill-secret"


def _rows(path: Path, query: str) -> list[tuple[object, ...]]:
    engine = database.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(query)]
    finally:
        engine.dispose()


def _changes(path: Path) -> int:
    return int(_rows(path, "SELECT count(*) FROM alert_changes")[0][0])  # type: ignore[arg-type]


def _wait_until(check: object, seconds: float = 60.0) -> None:
    """Wait for a condition that another process makes true (bounded)."""
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def test_every_change_reaches_every_target_once_and_a_rebuild_sends_nothing(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    out = tmp_path / "alerts.jsonl"
    with Receiver(secret=SECRET) as receiver:
        run(db, "alerts", "add", "hook", "--webhook", receiver.url, "--secret", SECRET)
        run(db, "alerts", "add", "file", "--command", f"tee -a {out}")
        demo(db)
        changes = _changes(db)
        timeline = orjson.loads(run(db, "timeline", "--json").stdout)
        assert changes == len(timeline) > 5
        sent = run(db, "alerts", "send")
        assert f"delivered {2 * changes}, retrying 0" in sent.stdout
        keys = receiver.keys()
        assert len(keys) == len(set(keys)) == changes
        assert receiver.bad_signatures == 0
        lines = [orjson.loads(line) for line in out.read_text().splitlines()]
        assert sorted(d["idempotency_key"] for d in lines) == sorted(keys)
        first = receiver.accepted[0]
        assert first["event"] == "changed" and first["publishers"] and first["first_source"]
        assert not any(d["scheduled"] for d in receiver.accepted)   # each reported on its day
        assert {(d["slot"], d["at"]) for d in receiver.accepted} == {(t["slot"], t["at"]) for t in timeline}

        run(db, "rebuild")
        again = run(db, "alerts", "send")
        assert "delivered 0" in again.stdout
        assert len(receiver.keys()) == changes
        log = orjson.loads(run(db, "alerts", "log", "-n", "100", "--json").stdout)
        assert len(log) == 2 * changes and all(e["status"] == "delivered" for e in log)
        assert all(len(e["attempts"]) == 1 and e["attempts"][0]["ok"] for e in log)


def test_a_reversed_change_sends_a_retraction(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with Receiver() as receiver:
        run(db, "alerts", "add", "hook", "--webhook", receiver.url)
        demo(db)
        run(db, "alerts", "send")
        timeline = orjson.loads(run(db, "timeline", "--json").stdout)
        single = next(t for t in timeline if len(t["sources"]) == 1)
        run(db, "reject", single["sources"][0]["article_id"], "--reason", "drill")
        run(db, "timeline", "--json")  # brings the projections up to date
        run(db, "alerts", "send")
        retracted = [d for d in receiver.accepted if d["event"] == "retracted"]
        assert retracted, "a change that disappeared sent no follow-up"
        announced = {(d["slot"], d["op"], str(d["value"]), d["at"]) for d in receiver.accepted
                     if d["event"] == "changed"}
        assert all((d["slot"], d["op"], str(d["value"]), d["at"]) in announced for d in retracted)
        assert (single["slot"], single["at"]) in {(d["slot"], d["at"]) for d in retracted}
        keys = receiver.keys()
        assert len(keys) == len(set(keys))


def test_a_receiver_failing_half_the_time_still_gets_everything_once(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    with Receiver(fail=lambda n: n % 2 == 1) as receiver:
        run(db, "alerts", "add", "hook", "--webhook", receiver.url)
        demo(db)
        changes = _changes(db)
        run(db, "alerts", "send", "--base-delay", "0")
        keys = receiver.keys()
        assert len(keys) == len(set(keys)) == changes
        assert receiver.requests >= 2 * changes - 1
        failed = _rows(db, "SELECT count(*) FROM alert_attempts WHERE NOT ok")[0][0]
        assert failed == receiver.requests - changes
        assert _rows(db, "SELECT count(*) FROM alert_outbox WHERE status != 'delivered'")[0][0] == 0


@pytest.mark.parametrize("process", ["sender", "worker"])
def test_a_sender_killed_ten_times_loses_nothing(
    tmp_path: Path, process: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tracker alerts send --follow`` or a whole ``tracker worker`` (which sends on its own
    job), killed with SIGKILL mid-delivery ten times."""
    db = tmp_path / "k.sqlite"
    with Receiver() as receiver:
        run(db, "alerts", "add", "hook", "--webhook", receiver.url)
        demo(db)
        changes = _changes(db)
        assert changes >= 10
        if process == "worker":
            monkeypatch.setenv("TRACKER_ALERT_LEASE_SECONDS", "0.5")
            follow: tuple[str, ...] = ("worker", "--tick", "1")
        else:
            follow = ("alerts", "send", "--follow", "--interval", "0.05", "--lease", "0.5",
                      "--base-delay", "0", "--timeout", "20")
        for _ in range(10):
            receiver.arrived.clear()
            receiver.release.clear()
            receiver.hold.set()
            sender = start(db, *follow)
            try:
                assert receiver.arrived.wait(60), "the sender sent nothing"
                sender.send_signal(signal.SIGKILL)
                sender.wait(10)
            finally:
                if sender.poll() is None:
                    sender.kill()
                    sender.wait()
            receiver.release.set()
        sender = start(db, *follow)
        try:
            _wait_until(lambda: len(receiver.keys()) >= changes and _rows(
                db, "SELECT count(*) FROM alert_outbox WHERE status = 'pending'")[0][0] == 0)
        finally:
            sender.send_signal(signal.SIGTERM)
            sender.wait(20)
        keys = receiver.keys()
        assert len(set(keys)) == changes, "a notification was lost"
        assert len(keys) == changes, "an acknowledged notification was sent again"
        received = Counter(keys) + Counter(receiver.held)
        duplicates = {k: n - 1 for k, n in received.items() if n > 1}
        # Every duplicate is a delivery whose answer never reached the sender.
        assert sum(duplicates.values()) == len(receiver.held) == 10
        ok = _rows(db, "SELECT outbox_id, count(*) FROM alert_attempts WHERE ok GROUP BY outbox_id")
        assert len(ok) == changes and all(n == 1 for _, n in ok)


def test_alert_commands_fail_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite"
    done = run(db, "alerts", "add", "x", "--webhook", "ftp://nowhere", check=False)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "http(s) URL" in done.stderr
    done = run(db, "alerts", "remove", "nobody", check=False)
    assert done.returncode == 2 and "no target named 'nobody'" in done.stderr
    run(db, "alerts", "add", "x", "--command", "false")
    done = run(db, "alerts", "test", "x", check=False)
    assert done.returncode == 1 and "exit status 1" in done.stderr
    listed = orjson.loads(run(db, "alerts", "list", "--json").stdout)
    assert [t["name"] for t in listed] == ["x"]


def test_apprise_json_service_gets_the_change(tmp_path: Path) -> None:
    pytest.importorskip("apprise")
    db = tmp_path / "p.sqlite"
    with Receiver() as receiver:
        url = receiver.url.replace("http://", "json://")
        run(db, "alerts", "add", "ap", "--apprise", url, "--slot", "ceo")
        demo(db)
        run(db, "alerts", "send")
        ceo = [t for t in orjson.loads(run(db, "timeline", "--json").stdout) if t["slot"] == "ceo"]
        bodies = receiver.accepted
        assert len(bodies) == len(ceo)
        assert all("ceo" in b["title"] and "idempotency key" in b["message"] for b in bodies)


def test_sigterm_stops_a_following_sender(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    run(db, "alerts", "list")
    sender = start(db, "alerts", "send", "--follow", "--interval", "0.1", output=True)
    assert sender.stdout is not None
    assert "sending alerts" in sender.stdout.readline()
    sender.send_signal(signal.SIGTERM)
    try:
        assert sender.wait(20) == 0
        sender.communicate()
    except subprocess.TimeoutExpired:
        sender.kill()
        raise

