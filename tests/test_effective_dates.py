"""Replay of a decided change that takes effect later: the office changes hands on that day.

Two publishers report on 5 March that the chief executive of an invented company will step
down in June and hand over to her successor on 1 June. State before that day shows her, after
it her successor; the timeline dates the change on 1 June (00:00 UTC) and ``explain`` shows the
day each report names and the words it was read from.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from test_projections_helpers import observed

from tracker import db
from tracker.alerts import channels
from tracker.cli import main
from tracker.eventlog.store import EventStore
from tracker.projections import claims as claims_projection

CASE_STORIES = Path(__file__).resolve().parent.parent / "tracker" / "stories" / "extract" / "case_stories"
TUE = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def url(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    folder = tmp_path / "stories"
    folder.mkdir()
    shutil.copy(CASE_STORIES / "company.toml", folder / "company.toml")
    monkeypatch.setenv("TRACKER_STORIES_DIR", str(folder))
    claims_projection.clear_memo()
    engine = db.open_database(sqlite_url)
    EventStore(engine).append([
        observed("a1", "Jane Holm will step down as Nordhaven Robotics CEO in June, to be replaced by Oskar Lind",
                 TUE, publisher="Wire A", stories=("company",)),
        observed("b1", "Nordhaven Robotics CEO Jane Holm to step down",
                 TUE.replace(hour=11), publisher="Wire B", stories=("company",),
                 summary="Jane Holm will hand over to Oskar Lind on 1 June."),
    ])
    engine.dispose()
    return sqlite_url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    with pytest.raises(SystemExit) as stop:
        main(list(args))
    captured = capsys.readouterr()
    assert (stop.value.code or 0) == 0, captured.err
    return orjson.loads(captured.out)


def ceo(capsys: pytest.CaptureFixture[str], url: str, at: str) -> object:
    doc = run(capsys, "--db", url, "state", "--story", "company", "--as-of", at, "--json")
    return doc["slots"]["ceo"]["value"]  # type: ignore[index]


def test_the_office_changes_hands_on_the_day_the_change_takes_effect(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ceo(capsys, url, "2024-03-06T12:00:00Z") == "Jane Holm"      # announced, not done
    assert ceo(capsys, url, "2024-05-31T23:59:00Z") == "Jane Holm"
    assert ceo(capsys, url, "2024-06-01T00:00:00Z") == "Oskar Lind"
    timeline = run(capsys, "--db", url, "timeline", "--story", "company", "--json")
    ceo_changes = [(c["at"], c["value"]) for c in timeline if c["slot"] == "ceo"]  # type: ignore[union-attr]
    assert ceo_changes[-1] == ("2024-06-01T00:00:00Z", "Oskar Lind")
    assert all(c["at"] == "2024-06-01T00:00:00Z" for c in timeline if c["slot"] == "ceo")  # type: ignore[union-attr]
    assert all("takes effect 2024-06" in (c["note"] or "") for c in timeline if c["slot"] == "ceo")  # type: ignore[union-attr]


def test_explain_shows_the_day_and_the_words_it_was_read_from(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = run(capsys, "--db", url, "explain", "ceo", "--story", "company", "--as-of", "2024-06-02", "--json")
    assert doc["value"] == "Oskar Lind"  # type: ignore[index]
    days = {(r["article_id"], r["effective"]) for r in doc["supporting"]}  # type: ignore[index]
    assert days == {("a1", "2024-06"), ("b1", "2024-06-01")}
    phrases = " ".join(r["effective_from"] for r in doc["supporting"])  # type: ignore[index]
    assert "'in June'" in phrases and "'on 1 June'" in phrases
    with pytest.raises(SystemExit):
        main(["--db", url, "explain", "ceo", "--story", "company", "--as-of", "2024-06-02"])
    table = capsys.readouterr().out
    assert "takes effect" in table and "2024-06-01" in table


def test_state_now_does_not_show_a_change_whose_day_is_still_ahead(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "stories"
    folder.mkdir()
    shutil.copy(CASE_STORIES / "company.toml", folder / "company.toml")
    monkeypatch.setenv("TRACKER_STORIES_DIR", str(folder))
    claims_projection.clear_memo()
    yesterday = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    day = (yesterday + timedelta(days=60)).date()
    title = f"Jane Holm will step down as Nordhaven Robotics CEO on {day.day} {day:%B}, to be replaced by Oskar Lind"
    engine = db.open_database(sqlite_url)
    EventStore(engine).append([
        observed("a1", title, yesterday, publisher="Wire A", stories=("company",)),
        observed("b1", f"{title} (update)", yesterday + timedelta(minutes=30), publisher="Wire B",
                 stories=("company",)),
    ])
    engine.dispose()
    assert ceo(capsys, sqlite_url, datetime.now(UTC).isoformat()) == "Jane Holm"
    doc = run(capsys, "--db", sqlite_url, "state", "--story", "company", "--json")
    assert doc["slots"]["ceo"]["value"] == "Jane Holm" and doc["as_of"] is None  # type: ignore[index]
    explained = run(capsys, "--db", sqlite_url, "explain", "ceo", "--story", "company", "--json")
    assert explained["value"] == "Jane Holm"  # type: ignore[index]
    assert ceo(capsys, sqlite_url, f"{day.isoformat()}T00:00:00Z") == "Oskar Lind"


def test_a_change_reported_ahead_of_its_day_is_notified_as_scheduled(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):      # `alerts add` prints text, not JSON
        main(["--db", url, "alerts", "add", "desk", "--command", "cat", "--story", "company"])
    capsys.readouterr()
    run(capsys, "--db", url, "timeline", "--story", "company", "--json")   # projects the log
    engine = db.open_database(url)
    with engine.connect() as conn:
        bodies = [orjson.loads(p) for (p,) in conn.exec_driver_sql("SELECT payload FROM alert_outbox")]
    engine.dispose()
    ceo_bodies = [b for b in bodies if b["slot"] == "ceo"]
    assert ceo_bodies and all(b["at"] == "2024-06-01T00:00:00Z" for b in ceo_bodies)
    assert all(b["scheduled"] is True and "takes effect 2024-06" in b["note"] for b in ceo_bodies)
    _, text = channels.text_of(ceo_bodies[0])
    assert "takes effect 2024-06-01T00:00:00Z" in text.splitlines()[0]
    assert any(line.startswith("note: takes effect 2024-06") for line in text.splitlines())
