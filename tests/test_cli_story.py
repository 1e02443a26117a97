"""The story commands: JSON contracts, one-line errors with exit 2, tables on a terminal."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from test_projections_helpers import observed, toy_rules

from tracker import db
from tracker.cli import main
from tracker.eventlog.store import EventStore
from tracker.ingest.importer import import_paths
from tracker.projections.engine import __file__ as _engine_file

__all__ = ["toy_rules"]

FRI = datetime(2023, 11, 17, 21, 0, tzinfo=UTC)
DEMO = Path(_engine_file).resolve().parent.parent / "data" / "demo"


@pytest.fixture
def url(sqlite_url: str, toy_rules: None) -> str:
    """A database with two publishers reporting an interim CEO, and one board change."""
    engine = db.open_database(sqlite_url)
    EventStore(engine).append([
        observed("m1", "Stand-in [ceo set Mira Murati interim]", FRI, publisher="Wire A"),
        observed("m2", "Stand-in named [ceo set Mira Murati interim]", FRI + timedelta(hours=1),
                 publisher="Wire B"),
        observed("b1", "Seat lost [board remove Greg Brockman]", FRI + timedelta(hours=2),
                 publisher="Wire A"),
        observed("b2", "Seat gone [board remove Greg Brockman]", FRI + timedelta(hours=3),
                 publisher="Wire C"),
    ])
    engine.dispose()
    return sqlite_url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main(list(args))
    captured = capsys.readouterr()
    return int(stop.value.code or 0), captured.out, captured.err


def test_state_json_contract(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", url, "state", "--as-of", "2023-11-18T12:00:00Z", "--json")
    assert code == 0
    doc = orjson.loads(out)
    assert doc["story"] == "openai"
    assert doc["as_of"] == "2023-11-18T12:00:00Z"
    assert doc["known_at"] is None
    assert set(doc["slots"]) == {"ceo", "board", "microsoft"}
    assert doc["slots"]["ceo"]["value"] == "Mira Murati"
    assert doc["slots"]["ceo"]["interim"] is True
    assert doc["slots"]["ceo"]["since"] == "2023-11-17T21:00:00Z"
    board = doc["slots"]["board"]["value"]
    assert board == sorted(board) and "Greg Brockman" not in board
    assert doc["slots"]["microsoft"]["value"] == ["investor"]
    assert all("evidence" in slot for slot in doc["slots"].values())
    _, again, _ = run(capsys, "--db", url, "state", "--as-of", "2023-11-18T12:00:00Z", "--json")
    assert again == out  # stable output


def test_state_known_at_and_offsets(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Everything was recorded "now", long after 2023: knowing only up to 2023 sees nothing.
    code, out, _ = run(capsys, "--db", url, "state", "--as-of", "2023-11-18T13:00:00+01:00",
                       "--known-at", "2023-12-01", "--json")
    assert code == 0
    doc = orjson.loads(out)
    assert doc["as_of"] == "2023-11-18T12:00:00Z"
    assert doc["known_at"] == "2023-12-01T00:00:00Z"
    assert doc["slots"]["ceo"]["value"] == "Sam Altman"


def test_timeline_json_is_oldest_first_with_sources(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", url, "timeline", "--json")
    assert code == 0
    entries = orjson.loads(out)
    assert [(e["slot"], e["at"]) for e in entries] == [
        ("ceo", "2023-11-17T21:00:00Z"), ("board", "2023-11-17T23:00:00Z"),
    ]
    assert entries[0]["value"] == "Mira Murati"
    assert {s["publisher"] for s in entries[0]["sources"]} == {"Wire A", "Wire B"}
    for key in ("op", "interim", "chair", "single_source", "correction"):
        assert key in entries[0]


def test_timeline_span_and_limit(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--db", url, "timeline", "--since", "2023-11-17T22:00:00Z", "--json")
    assert [e["slot"] for e in orjson.loads(out)] == ["board"]
    _, out, _ = run(capsys, "--db", url, "timeline", "--until", "2023-11-17T22:00:00Z", "--json")
    assert [e["slot"] for e in orjson.loads(out)] == ["ceo"]
    _, out, _ = run(capsys, "--db", url, "timeline", "--limit", "1", "--json")
    assert [e["slot"] for e in orjson.loads(out)] == ["ceo"]
    _, out, _ = run(capsys, "--db", url, "timeline", "--limit", "0", "--json")
    assert orjson.loads(out) == []
    _, out, _ = run(capsys, "--db", url, "timeline", "--last", "1", "--json")
    assert [e["slot"] for e in orjson.loads(out)] == ["board"]
    _, out, _ = run(capsys, "--db", url, "timeline", "--last", "5", "--json")
    assert [e["slot"] for e in orjson.loads(out)] == ["ceo", "board"]
    code, _, err = run(capsys, "--db", url, "timeline", "--last", "1", "--limit", "1")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not both" in err
    # Known at a time before anything was recorded: the same filters over an empty history.
    _, out, _ = run(capsys, "--db", url, "timeline", "--known-at", "2023-12-01", "--limit", "5",
                    "--json")
    assert orjson.loads(out) == []
    _, out, _ = run(capsys, "--db", url, "timeline", "--known-at", "2023-12-01", "--last", "5",
                    "--json")
    assert orjson.loads(out) == []
    code, _, err = run(capsys, "--db", url, "timeline", "--limit", "-1")
    assert code == 2 and "--limit" in err


def test_timeline_table_from_a_start_tells_each_change_against_the_state_before_it(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)   # capsys's stream, as a terminal
    for args in (["--since", "2023-11-17T22:00:00Z"], ["--last", "1"]):
        _, out, _ = run(capsys, "--db", url, "timeline", *args)
        # Brockman's seat is the only difference from the board as it stood at the start.
        assert "−Greg Brockman" in out and "+" not in out.split("−Greg Brockman")[0].splitlines()[-1]
        assert "1 changes" in out


def test_explain_reads_the_span_of_the_last_two_changes(
    sqlite_url: str, toy_rules: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reports of a value two changes back explain that older state, not this one:
    the answer stays the size of the recent history however long the log."""
    engine = db.open_database(sqlite_url)
    day = timedelta(days=1)
    EventStore(engine).append([
        observed(f"{name}{k}", f"Report {k}: named [ceo set {who}]",
                 FRI + n * 5 * day + k * timedelta(hours=1),
                 publisher=f"Wire {k}")
        for n, (name, who) in enumerate([("a", "Mira Murati"), ("b", "Emmett Shear"),
                                         ("c", "Sam Altman")])
        for k in range(2)
    ])
    engine.dispose()
    late = (FRI + 11 * day).isoformat()
    _, out, _ = run(capsys, "--db", sqlite_url, "explain", "ceo", "--as-of", late, "--json")
    doc = orjson.loads(out)
    assert doc["value"] == "Sam Altman"
    assert [r["article_id"] for r in doc["supporting"]] == ["c0", "c1"]
    assert [r["article_id"] for r in doc["contradicting"]] == ["b0", "b1"]   # the value it replaced
    assert [c["value"] for c in doc["changes"]] == ["Emmett Shear", "Sam Altman"]
    # Asked at an earlier instant, the older reports explain that state.
    early = (FRI + 6 * day).isoformat()
    _, out, _ = run(capsys, "--db", sqlite_url, "explain", "ceo", "--as-of", early, "--json")
    doc = orjson.loads(out)
    assert doc["value"] == "Emmett Shear"
    assert [r["article_id"] for r in doc["contradicting"]] == ["a0", "a1"]


def test_explain_json_lists_supporting_reports(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", url, "explain", "ceo", "--as-of", "2023-11-18", "--json")
    assert code == 0
    doc = orjson.loads(out)
    assert doc["value"] == "Mira Murati"
    assert [(r["article_id"], r["publisher"], r["factuality"]) for r in doc["supporting"]] == [
        ("m1", "Wire A", "asserted"), ("m2", "Wire B", "asserted"),
    ]
    assert doc["contradicting"] == []


def test_tables_on_a_terminal(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)   # capsys's stream, as a terminal
    _, out, _ = run(capsys, "--db", url, "state", "--as-of", "2023-11-18")
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)                   # the terminal's styles
    assert "Mira Murati (interim)" in out and "board" in out and "┃ slot" in out
    _, out, _ = run(capsys, "--db", url, "timeline")
    assert "−Greg Brockman" in out and "Wire A" in out
    _, out, _ = run(capsys, "--db", url, "explain", "ceo")
    assert "supporting (2)" in out


@pytest.mark.parametrize("args", [
    ["state", "--as-of", "yesterday"],
    ["state", "--known-at", "2023-11-18T12:00:00"],
    ["timeline", "--known-at", "2023-13-01"],
    ["explain", "cfo"],
    ["state", "--story", "nope"],
    ["assert", "ceo", "Jane Nobody", "--at", "2023-11-18", "--source", "https://example.org/x"],
    ["assert", "ceo", "Sam Altman", "--at", "soon", "--source", "https://example.org/x"],
    ["reject", "ghost", "--reason", "typo"],
])
def test_user_mistakes_are_one_line_errors_with_exit_2(
    url: str, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, _, err = run(capsys, "--db", url, *args)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_assert_and_reject_then_state(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", url, "assert", "ceo", "Emmett Shear", "--at",
                       "2023-11-20T05:00:00Z", "--source", "https://example.org/s", "--interim")
    assert code == 0 and "recorded at position 5" in out
    code, out, _ = run(capsys, "--db", url, "reject", "b2", "--reason", "duplicate")
    assert code == 0 and "rejected b2" in out
    _, out, _ = run(capsys, "--db", url, "state", "--json")
    doc = orjson.loads(out)
    assert doc["slots"]["ceo"]["value"] == "Emmett Shear"
    _, out, _ = run(capsys, "--db", url, "explain", "board", "--json")
    assert [r["article_id"] for r in orjson.loads(out)["rejected"]] == ["b2"]


def test_rebuild_is_quiet_when_asked(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--db", url, "--quiet", "rebuild")
    assert (code, out, err) == (0, "", "")
    code, out, _ = run(capsys, "--db", url, "rebuild", "--story", "openai")
    assert code == 0 and "position 4" in out
    code, _, err = run(capsys, "--db", url, "rebuild", "--story", "nope")
    assert code == 2 and "unknown story" in err


def test_rebuild_takes_a_number_of_workers(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = db.open_database(sqlite_url)
    import_paths(engine, sorted(DEMO.glob("*.xml")))
    engine.dispose()
    _, before, _ = run(capsys, "--db", sqlite_url, "timeline", "--json")
    code, out, _ = run(capsys, "--db", sqlite_url, "rebuild", "--workers", "2")
    assert code == 0 and "rebuilt projections" in out
    _, after, _ = run(capsys, "--db", sqlite_url, "timeline", "--json")
    assert after == before and len(orjson.loads(after)) > 3
    code, _, err = run(capsys, "--db", sqlite_url, "rebuild", "--workers", "-1")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--workers" in err


def test_explain_leaves_out_removals_of_people_who_never_held_the_slot(
    sqlite_url: str, toy_rules: None, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = db.open_database(sqlite_url)
    EventStore(engine).append([
        observed("m1", "Stand-in [ceo set Mira Murati interim]", FRI, publisher="Wire A"),
        observed("m2", "Stand-in named [ceo set Mira Murati interim]", FRI + timedelta(hours=1),
                 publisher="Wire B"),
        # a board member's exit, read as "not the CEO" either: says nothing about the CEO
        observed("g1", "Exit [ceo remove Greg Brockman]", FRI + timedelta(hours=2),
                 publisher="Wire A"),
        # the removal of the baseline's CEO does explain the change
        observed("s1", "Ousted [ceo remove Sam Altman]", FRI + timedelta(hours=3),
                 publisher="Wire C"),
    ])
    engine.dispose()
    code, out, _ = run(capsys, "--db", sqlite_url, "explain", "ceo", "--as-of", "2023-11-18",
                       "--json")
    assert code == 0
    doc = orjson.loads(out)
    assert doc["value"] == "Mira Murati"
    assert [r["article_id"] for r in doc["supporting"]] == ["m1", "m2", "s1"]
    assert doc["contradicting"] == []


def test_timeline_and_explain_into_a_pipe_print_tab_separated_lines(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "--db", url, "timeline")            # capsys's stream is no terminal
    lines = out.splitlines()
    assert lines[0] == "when\tslot\tchange\tfirst source\tpublishers"
    rows = [line.split("\t") for line in lines[1:]]
    assert [r[1] for r in rows] == ["ceo", "board"] and all(len(r) == 5 for r in rows)
    assert rows[0][2] == "→ Mira Murati (interim)" and rows[1][2].startswith("−Greg Brockman") and rows[1][4] == "2"
    _, table, _ = run(capsys, "--db", url, "timeline", "--table")
    assert "┃" in table and "2 changes" in table
    _, out, _ = run(capsys, "--db", url, "explain", "ceo", "--as-of", "2023-11-18T12:00:00Z")
    lines = out.splitlines()
    assert lines[0].startswith("openai ceo as of 2023-11-18 12:00Z: Mira Murati (interim)")
    assert lines[1] == "supporting (2)" and lines[2].split("\t")[:4] == ["published", "publisher", "factuality", "claim"]
    assert [line.split("\t")[1] for line in lines[3:5]] == ["Wire A", "Wire B"]
    assert "contradicting (0)" in lines and "[bold]" not in out and "┃" not in out


def test_a_piped_timeline_or_explanation_loads_no_rich(url: str) -> None:
    import subprocess

    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        "for args in (['timeline'], ['explain', 'ceo']):\n"
        "    try:\n"
        f"        main(['--db', {url!r}, *args])\n"
        "    except SystemExit as stop:\n"
        "        assert not stop.code, stop.code\n"
        "print('rich' in sys.modules, file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "False" and out.stdout.startswith("when\t")
