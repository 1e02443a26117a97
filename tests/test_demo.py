"""The offline demo: its archive, the virtual-clock server, and the real poller on both."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner

from tracker import db
from tracker.cli import cli
from tracker.demo.runner import INSTANTS, run_demo
from tracker.demo.server import VirtualClock, load_archive, serving
from tracker.errors import InputError
from tracker.eventlog.store import EventStore
from tracker.ingest.normalize import normalize
from tracker.ingest.parse import parse_feed
from tracker.stories.definition import load_stories
from tracker.stories.match import Matcher
from tracker.timeutil import to_micros

ROOT = Path(__file__).resolve().parent.parent
TRACKER = ROOT / ".venv" / "bin" / "tracker"
ARCHIVE = load_archive()
ALL_ITEMS = [item for feed in ARCHIVE.values() for item in feed.items]
FAR_FUTURE = datetime(2030, 1, 1, tzinfo=UTC)


def _matching() -> list[datetime]:
    """Return the publication times of the archive items a configured story matches."""
    matcher = Matcher(load_stories().values())
    found = []
    for name, feed in ARCHIVE.items():
        parsed = parse_feed(feed.render(FAR_FUTURE).encode(), {})
        for item in normalize(parsed, f"http://127.0.0.1/{name}.xml", seen_at=FAR_FUTURE):
            if matcher.match(item.title, item.summary):
                found.append(item.published)
    return found


MATCHING = _matching()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_archive_has_several_publishers_formats_and_languages() -> None:
    far_future = FAR_FUTURE
    publishers, languages, kinds = set(), set(), set()
    for name, feed in ARCHIVE.items():
        body = feed.render(far_future).encode()
        parsed = parse_feed(body, {})
        kinds.add("atom" if "<feed" in feed.head else "rss")
        items = normalize(parsed, f"http://127.0.0.1/{name}.xml", seen_at=far_future)
        assert len(items) == len(feed.items), name
        assert sorted(i.published for i in items) == sorted(i.published for i in feed.items), name
        for item in items:
            publishers.add(urlsplit(item.link).hostname)
            languages.add((item.language or "")[:2])
            assert _at("2023-11-14T00:00") < item.published < _at("2023-12-02T00:00")
    assert len(publishers) >= 3 and all(p.endswith(".example") for p in publishers)
    assert kinds == {"atom", "rss"}
    assert {"en", "fr"} <= languages


def test_server_reveals_items_as_the_virtual_clock_passes_them() -> None:
    clock = VirtualClock(_at("2023-11-17T20:30"))
    with serving(clock) as server, httpx.Client() as client:
        url = server.url("northwire")
        first = client.get(url)
        assert first.status_code == 200
        assert "removes Sam Altman" not in first.text  # published 20:36
        assert first.headers["last-modified"] == "Wed, 15 Nov 2023 09:20:00 GMT"
        again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        clock.advance(timedelta(minutes=10))
        later = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert later.status_code == 200 and "removes Sam Altman" in later.text
        assert later.text.index("removes Sam Altman") < later.text.index("ChatGPT Plus")  # newest first
        since = client.get(url, headers={"If-Modified-Since": later.headers["last-modified"]})
        assert since.status_code == 304
        stale = format_datetime(_at("2023-11-16T00:00"), usegmt=True)
        assert client.get(url, headers={"If-Modified-Since": stale}).status_code == 200
        assert client.get(server.base_url + "/missing.xml").status_code == 404
        assert server.requests == 5 and server.not_modified == 2


def test_virtual_clock_never_goes_back() -> None:
    clock = VirtualClock(_at("2023-11-17T00:00"))
    with pytest.raises(ValueError):
        clock.advance(timedelta(hours=-1))
    with pytest.raises(ValueError):
        clock.set(_at("2023-11-16T00:00"))


def test_demo_run_appends_each_revealed_item_once_in_virtual_time(sqlite_url: str) -> None:
    start, end = _at("2023-11-17T18:00"), _at("2023-11-20T12:00")
    expected = [published for published in MATCHING if published <= end]
    engine = db.open_database(sqlite_url)
    try:
        run = run_demo(engine, sqlite_url, start=start, end=end)
        events = list(EventStore(engine).read())
        assert run.events == run.appended == len(events) == len(expected)
        assert run.errors == 0
        assert run.fetched < run.polls / 2  # most polls are answered 304 Not Modified
        assert run.not_modified + run.fetched == run.polls
        for event in events:
            # recorded on the virtual clock: after publication (or the start), within one poll
            assert max(event.occurred_us, to_micros(start)) <= event.recorded_us
            assert event.recorded_us <= max(event.occurred_us, to_micros(start)) + 3_600_000_000
        with pytest.raises(InputError, match="empty database"):
            run_demo(engine, sqlite_url, start=start, end=end)
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.skipif(not TRACKER.exists(), reason="needs the installed .venv/bin/tracker")
def test_tracker_demo_end_to_end(tmp_path: Path) -> None:
    """`tracker demo`, as `make run` runs it: the saga offline, into a fresh file, then the
    timeline and the states printed; the states must match the public record."""
    path, plot = tmp_path / "demo.sqlite", tmp_path / "demo.html"
    done = subprocess.run(
        [str(TRACKER), "demo", "--db", str(path), "--plot", str(plot)],
        capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "120"},  # no TRACKER_* settings
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    head = out.splitlines()[1]
    assert head.startswith("served 4 feeds on http://127.0.0.1:") and "0 errors" in head
    assert f"{len(MATCHING)} events appended" in head
    for column in ("when", "slot", "change", "first source", "publishers"):
        assert column in out
    for instant in ("2023-11-18 12:00Z", "2023-11-20 18:00Z", "2023-11-22 18:00Z", "2023-12-01 12:00Z"):
        assert f"as of {instant}" in out
    assert "as of 2023-11-17 21:00Z, as known at 2023-11-17 20:59Z" in out
    assert f"database: sqlite:///{path}" in out
    assert plot.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    events = subprocess.run([str(TRACKER), "--db", f"sqlite:///{path}", "events", "-n", "0", "--json"],
                            capture_output=True, text=True, timeout=60, check=True)
    assert len(events.stdout.splitlines()) == len(MATCHING)
    check_states_against_the_facts(path)


def test_demo_json_until_an_instant(tmp_path: Path) -> None:
    path = tmp_path / "short.sqlite"
    mine = tmp_path / "my-own-log.sqlite"
    result = CliRunner().invoke(cli, ["demo", "--db", str(path), "--until", "2023-11-18T12:00:00Z",
                                      "--json"], env={"TRACKER_DATABASE_URL": f"sqlite:///{mine}"})
    assert not mine.exists()  # the demo never writes into the user's configured log
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {"run", "timeline", "states", "known_at", "plot"}
    replay = report["known_at"]  # as of 17 Nov 21:00, as known at 20:59: before any report was polled
    assert (replay["as_of"], replay["known_at"]) == ("2023-11-17T21:00:00Z", "2023-11-17T20:59:00Z")
    assert replay["slots"]["ceo"]["value"] == "Sam Altman" and not replay["slots"]["ceo"]["evidence"]
    assert report["run"]["end"] == "2023-11-18T12:00:00Z"
    assert report["run"]["events"] == len([p for p in MATCHING if p <= _at("2023-11-18T12:00")])
    assert [s["as_of"] for s in report["states"]] == ["2023-11-18T12:00:00Z"]
    assert {"ceo", "board", "microsoft"} <= set(report["states"][0]["slots"])
    assert all({"slot", "at", "value", "sources"} <= set(t) for t in report["timeline"])
    again = CliRunner().invoke(cli, ["demo", "--db", str(path), "--until", "2023-11-16"])
    assert isinstance(again.exception, InputError) and "empty database" in str(again.exception)


BOARD_BEFORE = ["Adam D'Angelo", "Helen Toner", "Ilya Sutskever", "Tasha McCauley"]
BOARD_AFTER = ["Adam D'Angelo", "Bret Taylor", "Larry Summers"]
FACTS = [  # the public record at each instant the demo prints
    ("Mira Murati", BOARD_BEFORE, ["investor"]),
    ("Emmett Shear", BOARD_BEFORE, ["employer", "investor"]),
    ("Sam Altman", BOARD_AFTER, ["investor"]),
    ("Sam Altman", BOARD_AFTER, ["board-observer", "investor"]),
]


def _slot(state: dict, name: str) -> object:
    value = state["slots"][name]["value"]
    return sorted(value) if isinstance(value, list) else value


# Instants (indexes into FACTS) where the demo's state is known to differ from the
# public record because of extraction misses on some demo items; a miss anywhere
# else fails the test, and once these are fixed the set should be emptied.
KNOWN_MISSES: set[int] = set()


def check_states_against_the_facts(path: Path) -> None:
    """Compare the demo's state at each printed instant with the public record."""
    from tracker.projections import present, query

    engine = db.open_database(f"sqlite:///{path}")
    try:
        states = [present.state_json(query.state(engine, as_of=at)) for at in INSTANTS]
    finally:
        engine.dispose()
    misses = {}
    for index, (state, expected) in enumerate(zip(states, FACTS, strict=True)):
        got = (_slot(state, "ceo"), _slot(state, "board"), _slot(state, "microsoft"))
        if got != expected:
            misses[index] = f"as of {state['as_of']}: got {got}, expected {expected}"
    unexpected = {i: text for i, text in misses.items() if i not in KNOWN_MISSES}
    assert not unexpected, unexpected
    if misses:
        pytest.xfail("known extraction misses: " + "; ".join(misses.values()))
