"""`tracker events`: tail the log as lines or JSON Lines, filter it, follow it."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker import db
from tracker.cli import cli
from tracker.eventlog import ArticleObserved, EventStore, NewEvent, SlotAsserted

ROOT = Path(__file__).resolve().parent.parent
TRACKER = ROOT / ".venv" / "bin" / "tracker"


def _article(i: int, minute: int) -> NewEvent:
    event = ArticleObserved(
        article_id=f"art{i:04d}", feed_url="http://127.0.0.1/feed.xml",
        publisher="northwire.example", item_id=f"item-{i}", link=None,
        title=f"Board meeting number {i} at OpenAI", summary="A summary.",
        published=f"2023-11-18T10:{minute:02d}:00Z", published_raw=None, language="en",
        stories=["openai"], content_hash=f"hash{i}",
    )
    return NewEvent.from_domain(event, stream_id=f"article-{i}",
                                occurred_at=datetime(2023, 11, 18, 10, minute, tzinfo=UTC))


def _assertion() -> NewEvent:
    event = SlotAsserted(story="openai", slot="ceo", op="set", value="Sam Altman",
                         at="2023-11-22T06:00:00Z", source="https://openai.example/news")
    return NewEvent.from_domain(event, stream_id="story-openai",
                                occurred_at=datetime(2023, 11, 22, 6, tzinfo=UTC))


@pytest.fixture
def filled(db_url: str) -> str:
    """A log of five articles and one assertion (on SQLite, then on PostgreSQL)."""
    engine = db.open_database(db_url)
    EventStore(engine).append([_article(i, i) for i in range(1, 6)] + [_assertion()])
    engine.dispose()
    return db_url


def _json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_events_json_lines_have_a_stable_shape(filled: str) -> None:
    result = CliRunner().invoke(cli, ["--db", filled, "events", "--json"])
    assert result.exit_code == 0, result.output
    rows = _json_lines(result.output)
    assert [r["position"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert set(rows[0]) == {"position", "stream_id", "stream_version", "type", "schema_version",
                            "occurred_at", "recorded_at", "summary", "payload", "hash"}
    assert rows[0]["occurred_at"] == "2023-11-18T10:01:00Z"
    assert rows[0]["summary"] == "northwire.example: Board meeting number 1 at OpenAI"
    assert rows[5]["type"] == "SlotAsserted"
    assert "ceo set Sam Altman" in rows[5]["summary"]


def test_events_limit_type_and_since_filter(filled: str) -> None:
    runner = CliRunner()
    last_two = _json_lines(runner.invoke(cli, ["--db", filled, "events", "-n", "2", "--json"]).output)
    assert [r["position"] for r in last_two] == [5, 6]
    typed = _json_lines(runner.invoke(
        cli, ["--db", filled, "events", "--type", "SlotAsserted", "--json"]).output)
    assert [r["type"] for r in typed] == ["SlotAsserted"]
    since = _json_lines(runner.invoke(
        cli, ["--db", filled, "events", "--since", "2023-11-18T10:04:00Z", "--json"]).output)
    assert [r["position"] for r in since] == [4, 5, 6]


def test_events_table_shows_position_time_type_and_summary(filled: str) -> None:
    result = CliRunner().invoke(cli, ["--db", filled, "events", "-n", "1"])
    assert result.exit_code == 0
    line = result.output.strip()
    assert line.split()[:4] == ["6", "2023-11-22", "06:00Z", "SlotAsserted"]
    assert "openai.ceo set Sam Altman" in line


def test_events_into_a_pipe_print_plain_lines_without_the_table_library(filled: str) -> None:
    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        "try:\n"
        f"    main(['--db', {filled!r}, 'events', '-n', '2'])\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code\n"
        "print('rich' in sys.modules, file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stderr.strip().splitlines()[-1] == "False", out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 2 and lines[1].split()[:4] == ["6", "2023-11-22", "06:00Z", "SlotAsserted"]
    assert "[bold]" not in out.stdout


def test_events_unknown_type_is_a_usage_error(filled: str) -> None:
    result = CliRunner().invoke(cli, ["--db", filled, "events", "--type", "Nope"])
    assert result.exit_code == 2


def _read_line(proc: subprocess.Popen[bytes], sel: selectors.BaseSelector, timeout: float) -> str:
    """Return the next stdout line of a process, failing after ``timeout`` seconds."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    buffer = b""
    while not buffer.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not sel.select(remaining):
            pytest.fail(f"no line from `tracker events --follow` within {timeout}s: {buffer!r}")
        chunk = os.read(proc.stdout.fileno(), 1)
        if not chunk:
            pytest.fail(f"`tracker events --follow` ended early: {buffer!r}")
        buffer += chunk
    return buffer.decode()


@pytest.mark.skipif(not TRACKER.exists(), reason="needs the installed .venv/bin/tracker")
def test_follow_streams_events_appended_by_another_process(filled: str) -> None:
    proc = subprocess.Popen(
        [str(TRACKER), "--db", filled, "events", "--follow", "--json", "-n", "1",
         "--interval", "0.05", "--type", "ArticleObserved"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    sel = selectors.DefaultSelector()
    assert proc.stdout is not None
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        first = json.loads(_read_line(proc, sel, 30))
        assert first["position"] == 5  # the last ArticleObserved before following
        engine = db.open_database(filled)
        store = EventStore(engine)
        store.append([_assertion(), _article(7, 30)])
        got = json.loads(_read_line(proc, sel, 30))
        assert (got["type"], got["payload"]["article_id"]) == ("ArticleObserved", "art0007")
        store.append([_article(8, 40)])
        engine.dispose()
        assert json.loads(_read_line(proc, sel, 30))["payload"]["article_id"] == "art0008"
        assert proc.poll() is None
    finally:
        sel.close()
        proc.terminate()
        proc.communicate(timeout=30)


def test_follow_stops_after_max_events(filled: str) -> None:
    """--max-events ends the stream; events already there count once, new ones follow."""
    engine = db.open_database(filled)
    EventStore(engine).append([_article(9, 50)])
    engine.dispose()
    result = CliRunner().invoke(
        cli, ["--db", filled, "events", "--after", "5", "-n", "0", "--json"])
    assert [r["position"] for r in _json_lines(result.output)] == [6, 7]
    from tracker.cli.events import follow

    engine = db.open_database(filled)
    seen: list[int] = []
    sleeps: list[float] = []

    def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        EventStore(engine).append([_article(10 + len(sleeps), 55)])

    count = follow(EventStore(engine), lambda e: seen.append(e.position), after=6,
                   interval=0.5, max_events=3, sleep=fake_sleep)
    engine.dispose()
    assert count == 3
    assert seen == [7, 8, 9]
    assert sleeps == [0.5, 0.5]


def test_the_last_events_read_backwards_are_those_a_whole_scan_ends_with(tmp_path: Path) -> None:
    """Reading the tail in growing spans from the end gives what a full scan would
    keep last, with every filter, whatever the span sizes meet."""
    from collections import deque

    from tracker.cli.events import last_events, select_events

    engine = db.open_database(f"sqlite:///{tmp_path / 'tail.sqlite'}")
    store = EventStore(engine)
    batch = [_article(i, i % 60) for i in range(300)]
    batch[37:37] = [_assertion()]
    batch[250:250] = [_assertion()]   # an idempotent repeat: stored once
    store.append(batch)
    last = store.last_position()
    since = datetime(2023, 11, 18, 10, 30, tzinfo=UTC)
    for limit in (1, 5, 63, 64, 65, 200, 400):
        for after in (0, 17, 290):
            for types, when in (((), None), (("SlotAsserted",), None), (("ArticleObserved",), since)):
                whole = deque(select_events(store, after=after, until=last, types=types, since=when),
                              maxlen=limit)
                tail = last_events(store, limit, after=after, until=last, types=types, since=when)
                assert [e.position for e in tail] == [e.position for e in whole]
    engine.dispose()
