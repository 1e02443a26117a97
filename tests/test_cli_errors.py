"""Every mistake a user can make is one line on stderr and a non-zero exit status.

Exit 2 for a usage mistake (bad value, unknown story or slot), 1 for a runtime
failure (config, database); a traceback only with ``--debug``. Most cases run
``tracker.cli.main`` in-process (the same wrapper the console script calls);
some run the installed ``.venv/bin/tracker`` end to end.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker import db
from tracker.cli import main

ROOT = Path(__file__).resolve().parent.parent
TRACKER = ROOT / ".venv" / "bin" / "tracker"


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite database."""
    address = f"sqlite:///{tmp_path / 'errors.sqlite'}"
    db.open_database(address).dispose()
    yield address


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI wrapper in-process; return (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert lines[0].startswith("error: ") and "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [
        (["state", "--story", "nosuchstory"], 2, ["unknown story 'nosuchstory'", "openai"]),
        (["timeline", "--story", "nosuchstory"], 2, ["unknown story 'nosuchstory'"]),
        (["explain", "nosuchslot"], 2, ["unknown slot 'nosuchslot'", "ceo"]),
        (["state", "--as-of", "yesterday"], 2, ["--as-of", "invalid time 'yesterday'"]),
        (["state", "--as-of", "2023-11-20T18:00"], 2, ["no zone"]),
        (["state", "--known-at", "2023-13-45"], 2, ["--known-at", "2023-13-45"]),
        (["events", "--since", "last tuesday"], 2, ["--since", "invalid time"]),
        (["feeds", "add", "ftp://example.org/feed.xml"], 2, ["unsupported URL scheme", "ftp://"]),
        (["feeds", "add", "file:///etc/passwd"], 2, ["unsupported URL scheme"]),
        (["events", "--type", "Nope"], 2, ["--type", "'Nope'", "tracker events --help"]),
        (["nosuchcommand"], 2, ["nosuchcommand"]),
        (["demo", "--until", "2023-11-01"], 2, ["--until", "starts at"]),
        (["completion", "tcsh"], 2, ["tcsh"]),
    ],
)
def test_usage_mistakes_exit_2_with_one_line(
    args: list[str], status: int, words: list[str], url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["--db", url, *args], capsys)
    line = one_line(err)
    assert code == status
    for word in words:
        assert word in line


def _stories_dir(tmp_path: Path, text: str | None) -> Path:
    folder = tmp_path / "stories"
    folder.mkdir()
    shipped = (ROOT / "config" / "stories" / "openai.toml").read_text(encoding="utf-8")
    (folder / "openai.toml").write_text(shipped, encoding="utf-8")
    if text is None:
        (folder / "broken.toml").mkdir()  # exists, but cannot be read as a file
    else:
        (folder / "broken.toml").write_text(text, encoding="utf-8")
    return folder


def test_invalid_story_config_names_file_and_line(
    tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _stories_dir(tmp_path, 'id = "broken"\n[match]\nterms = ["a", \n  oops\n')
    monkeypatch.setenv("TRACKER_STORIES_DIR", str(folder))
    code, _, err = run(["--db", url, "state"], capsys)
    line = one_line(err)
    assert code == 1
    assert str(folder / "broken.toml") in line and "line 4" in line


def test_story_config_with_a_bad_value_names_the_file(
    tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _stories_dir(tmp_path, 'id = "Not An Id"\n[match]\nterms = ["x"]\n')
    monkeypatch.setenv("TRACKER_STORIES_DIR", str(folder))
    code, _, err = run(["--db", url, "timeline"], capsys)
    assert code == 1 and str(folder / "broken.toml") in one_line(err)


def test_unreadable_story_config_names_the_file(
    tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _stories_dir(tmp_path, None)
    monkeypatch.setenv("TRACKER_STORIES_DIR", str(folder))
    code, _, err = run(["--db", url, "state"], capsys)
    line = one_line(err)
    assert code == 1 and str(folder / "broken.toml") in line and "cannot read" in line


def test_invalid_feed_list_names_file_and_line(
    tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nurl = "https://a.example/rss"\n\n[[feed]\nurl = 3\n', encoding="utf-8")
    code, _, err = run(["--db", url, "feeds", "import", str(feeds)], capsys)
    line = one_line(err)
    assert code == 1 and str(feeds) in line and "line 4" in line


def test_missing_feed_list_is_one_line(tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere.opml"
    code, _, err = run(["--db", url, "feeds", "import", str(missing)], capsys)
    line = one_line(err)
    assert code in (1, 2) and str(missing) in line and "cannot read" in line


def test_unreachable_database_is_one_line_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--db", "postgresql://postgres@127.0.0.1:1/none", "state"], capsys)
    line = one_line(err)
    assert code == 1 and "cannot open database" in line and "127.0.0.1:1" in line


def test_unusable_sqlite_file_is_one_line_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("just some text, long enough to look like a file header\n" * 20)
    code, _, err = run(["--db", f"sqlite:///{not_a_db}", "state"], capsys)
    assert code == 1 and str(not_a_db) in one_line(err)
    code, _, err = run(["--db", f"sqlite:///{tmp_path}", "state"], capsys)  # a folder
    assert code == 1 and "cannot open database" in one_line(err)


def test_database_url_of_an_unknown_kind_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--db", "nosuchdb://somewhere/x", "events"], capsys)
    assert code == 1 and "nosuchdb" in one_line(err)


def _newer_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()


def test_schema_newer_than_the_code_is_refused(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _newer_schema(url)
    code, _, err = run(["--db", url, "state"], capsys)
    line = one_line(err)
    assert code == 1 and "9999_from_the_future" in line and "newer" in line


@pytest.mark.skipif(not TRACKER.exists(), reason="needs the installed .venv/bin/tracker")
def test_end_to_end_one_line_and_traceback_only_with_debug(url: str, tmp_path: Path) -> None:
    _newer_schema(url)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    plain = subprocess.run([str(TRACKER), "--db", url, "events"], capture_output=True, text=True,
                           env=env, timeout=60)
    assert plain.returncode == 1 and plain.stdout == ""
    assert "newer" in one_line(plain.stderr)
    debug = subprocess.run([str(TRACKER), "--debug", "--db", url, "events"], capture_output=True,
                           text=True, env=env, timeout=60)
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.rstrip().splitlines()[-1].startswith("error: ")
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    usage = subprocess.run([str(TRACKER), "--db", fresh, "state", "--as-of", "noon"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert usage.returncode == 2 and "invalid time 'noon'" in one_line(usage.stderr)
