"""The quick read path answers ``state --json`` exactly as the full CLI does, or steps aside."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tracker import db, fastread
from tracker.cli import main as full_main
from tracker.ingest.importer import import_paths
from tracker.projections.engine import __file__ as _engine_file

DEMO = Path(_engine_file).resolve().parent.parent / "data" / "demo"
ASKS = [  # (options, answered quickly on SQLite)
    ([], True),
    (["--as-of", "2023-11-20T18:00:00Z"], True),
    (["--story", "openai", "--as-of", "2023-11-10"], True),
    (["--as-of", "2023-11-25", "--known-at", "2030-01-01"], True),
    # known before the import was recorded: a prefix of the log, resolved afresh
    (["--as-of=2023-11-21", "--known-at", "2023-11-20T07:00:00Z"], False),
]


@pytest.fixture
def demo_url(db_url: str) -> str:
    """A database holding the demo archive, projections up to date."""
    engine = db.open_database(db_url)
    import_paths(engine, sorted(DEMO.glob("*.xml")))
    engine.dispose()
    return db_url


def full(capsys: pytest.CaptureFixture[str], args: list[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        full_main(args)
    assert stop.value.code in (0, None)
    return capsys.readouterr().out


@pytest.mark.parametrize("ask", ASKS)
def test_quick_state_is_the_full_answer(demo_url: str, ask: tuple[list[str], bool],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--db", demo_url, "state", *ask[0], "--json"]
    expected = full(capsys, args)
    assert '"slots"' in expected
    options = fastread.parse_state_args(args)
    assert options is not None
    quick = fastread.quick_state(options)
    if demo_url.startswith("sqlite") and ask[1]:
        assert quick is not None and quick + "\n" == expected
    else:
        assert quick is None  # PostgreSQL, or a prefix of the log: the full path


@pytest.mark.parametrize("ask", ASKS)
def test_quick_piped_state_is_the_full_answer(demo_url: str, ask: tuple[list[str], bool],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # Into a pipe or a file, ``state`` prints tab-separated lines, by either path alike.
    args = ["--db", demo_url, "state", *ask[0]]
    expected = full(capsys, args)
    header, *lines = expected.splitlines()
    assert header == "slot\tvalue\tsince\tevidence"
    assert [line.split("\t")[0] for line in lines] == ["ceo", "board", "microsoft"]
    assert all(len(line.split("\t")) == 4 for line in lines)
    assert fastread.parse_args(args) is None  # on a terminal: rich's table, the full path
    assert fastread.parse_args([*args, "--table"], piped=True) is None  # a table asked for
    found = fastread.parse_args(args, piped=True)
    assert found is not None
    quick = fastread.quick(*found)
    if demo_url.startswith("sqlite") and ask[1]:
        assert quick is not None and quick + "\n" == expected
    else:
        assert quick is None


def test_piped_state_process_prints_tab_separated_lines(demo_url: str) -> None:
    tracker = Path(sys.executable).parent / "tracker"
    out = subprocess.run([str(tracker), "--db", demo_url, "state", "--as-of", "2023-11-20T18:00:00Z"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    assert rows[0] == ["slot", "value", "since", "evidence"]
    ceo = next(row for row in rows if row[0] == "ceo")
    assert ceo[1].endswith("(interim)") and ceo[2].startswith("2023-11-")


TIMELINE_ASKS = [  # (options, answered quickly on SQLite)
    ([], True),
    (["--story", "openai"], True),
    (["--known-at=2030-01-01"], True),
    (["--known-at", "2023-11-20T07:00:00Z"], False),  # a prefix of the log
]


@pytest.mark.parametrize("ask", TIMELINE_ASKS)
def test_quick_timeline_is_the_full_answer(demo_url: str, ask: tuple[list[str], bool],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--db", demo_url, "timeline", *ask[0], "--json"]
    expected = full(capsys, args)
    assert '"sources"' in expected or not ask[1]  # nothing was known that early
    found = fastread.parse_args(args)
    assert found is not None and found[0] == "timeline"
    quick = fastread.quick(*found)
    if demo_url.startswith("sqlite") and ask[1]:
        assert quick is not None and quick + "\n" == expected
    else:
        assert quick is None


def test_behind_projections_take_the_full_path(sqlite_url: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    engine = db.open_database(sqlite_url)
    import_paths(engine, sorted(DEMO.glob("*.xml")), update_projections=False)
    engine.dispose()
    args = ["--db", sqlite_url, "state", "--as-of", "2023-11-21", "--json"]
    options = fastread.parse_state_args(args)
    assert options is not None
    assert fastread.quick_state(options) is None  # events the projections have not seen
    first = full(capsys, args)  # brings them up to date
    assert '"Emmett Shear"' in first
    assert fastread.quick_state(options) == first.rstrip("\n")


def test_new_or_missing_database_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    assert db.read_connection(f"sqlite:///{missing}") is None
    assert not missing.exists()
    assert db.read_connection("postgresql://127.0.0.1/test") is None


@pytest.mark.parametrize("args", [
    ["state", "--as-of", "2023-11-20"],  # a table: rich prints it
    ["state", "--json", "--bogus"],
    ["timeline", "--json"],  # another command: see parse_args
    ["timeline", "--as-of", "2023-11-20", "--json"],
    ["--debug", "state", "--json"],
    ["state", "--as-of"],
])
def test_other_command_lines_go_to_the_full_cli(args: list[str]) -> None:
    assert fastread.parse_state_args(args) is None


@pytest.mark.parametrize("args", [
    ["timeline"],  # a table
    ["timeline", "--json", "--plot", "t.png"],
    ["timeline", "--as-of", "2023-11-20", "--json"],
    ["explain", "ceo", "--json"],
    ["events", "--json"],
])
def test_only_plain_json_reads_are_quick(args: list[str]) -> None:
    assert fastread.parse_args(args) is None


def test_errors_still_come_from_the_full_cli(demo_url: str) -> None:
    if not demo_url.startswith("sqlite"):
        pytest.skip("one backend is enough for the error wording")
    tracker = Path(sys.executable).parent / "tracker"
    out = subprocess.run([str(tracker), "--db", demo_url, "state", "--story", "nope", "--json"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip() == "error: unknown story 'nope' (known: openai)"


def test_quick_state_loads_no_sqlalchemy_click_or_rich(demo_url: str) -> None:
    if not demo_url.startswith("sqlite"):
        pytest.skip("the quick path serves SQLite files")
    code = (
        "import sys\n"
        "from tracker import fastread\n"
        f"out = fastread.quick_state({{'--db': {demo_url!r}, '--json': ''}})\n"
        "assert out is not None\n"
        f"assert fastread.quick('timeline', {{'--db': {demo_url!r}, '--json': ''}}) is not None\n"
        f"assert fastread.quick('state', {{'--db': {demo_url!r}}}).startswith('slot\\t')\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'click', 'rich') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
