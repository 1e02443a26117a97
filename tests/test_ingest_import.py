"""``tracker import`` and ``import_paths``: files and folders, oldest first, exactly once."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from tracker import db
from tracker.cli import main
from tracker.eventlog.store import EventStore
from tracker.ingest.importer import collect_files, import_paths
from tracker.stories.definition import load_stories
from tracker.stories.match import Matcher

DATA = Path(__file__).parent / "data" / "feeds"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_stories(DATA / "stories").values())


def test_folders_are_walked_oldest_first(tmp_path: Path) -> None:
    for name in ("b/2023-11-03.xml", "a/2023-11-02.xml", "b/2023-11-01.xml", "a/notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    files = [p.relative_to(tmp_path).as_posix() for p in collect_files([tmp_path])]
    assert files == ["b/2023-11-01.xml", "a/2023-11-02.xml", "b/2023-11-03.xml"]


def test_import_twice_appends_once_and_counts_errors(tmp_path: Path, sqlite_url: str, matcher: Matcher) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    for name in ("good.xml", "atom.xml", "dates.xml", "garbage.bin", "html_page.html", "wrong_encoding.xml"):
        shutil.copy(DATA / name, folder / (Path(name).stem + ".xml"))
    engine = db.open_database(sqlite_url)
    try:
        first = import_paths(engine, [folder], matcher=matcher)
        assert first.files == 6
        assert first.errors == 2
        assert first.warnings == 1  # the wrongly declared encoding
        assert {Path(f.path).name for f in first.failures} == {"garbage.xml", "html_page.xml"}
        # wrong_encoding.xml is good.xml re-encoded: same feed, one title changed.
        assert first.matched == 2 + 1 + 4 + 2
        second = import_paths(engine, [folder], matcher=matcher)
        assert second.appended == 0
        assert second.unchanged == first.matched
        # The feed's identity is its self link, so articles carry it.
        feeds = {e.payload["feed_url"] for e in EventStore(engine).read()}
        assert "https://www.northwind-gazette.example/tech/rss.xml" in feeds
        assert "https://www.courrier-puces.example/flux/atom.xml" in feeds
        assert "https://calendar-mixup.example/" in feeds  # no self link: the channel link
    finally:
        engine.dispose()


def test_an_edited_archive_appends_a_revision(tmp_path: Path, sqlite_url: str, matcher: Matcher) -> None:
    (tmp_path / "2023-11-18.xml").write_bytes((DATA / "good.xml").read_bytes())
    (tmp_path / "2023-11-19.xml").write_bytes((DATA / "good_edited.xml").read_bytes())
    engine = db.open_database(sqlite_url)
    try:
        summary = import_paths(engine, [tmp_path], matcher=matcher)
        assert (summary.observed, summary.revised) == (2, 1)
        assert import_paths(engine, [tmp_path], matcher=matcher).appended == 0
    finally:
        engine.dispose()


def test_cli_import_prints_a_summary_and_fails_cleanly_on_a_missing_path(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_STORIES_DIR", str(DATA / "stories"))
    with pytest.raises(SystemExit) as done:
        main(["--db", sqlite_url, "import", str(DATA / "good.xml"), "--json"])
    assert done.value.code == 0
    summary = orjson.loads(capsys.readouterr().out)
    assert summary["files"] == 1 and summary["appended"] == 2 and summary["errors"] == 0
    with pytest.raises(SystemExit) as done:
        main(["--db", sqlite_url, "import", str(tmp_path / "missing")])
    assert done.value.code == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.corpus
def test_corpus_days_import_twice_appending_nothing_the_second_time(corpus_dir: Path, sqlite_url: str) -> None:
    days = ("2023-11-17", "2023-11-18")
    files = [p for p in collect_files([corpus_dir]) if p.stem in days]
    assert len(files) > 50
    engine = db.open_database(sqlite_url)
    try:
        first = import_paths(engine, files, update_projections=False)
        assert first.errors == 0
        assert first.appended > 20
        second = import_paths(engine, files, update_projections=False)
        assert second.appended == 0
        assert second.unchanged == first.matched
        with engine.connect() as conn:
            occurred = conn.execute(sa.text("SELECT occurred_at FROM events ORDER BY position")).scalars().all()
        assert len(occurred) == first.appended
        assert EventStore(engine).verify().ok
    finally:
        engine.dispose()
