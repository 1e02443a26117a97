"""Accuracy end to end: import the corpus, then read ``state`` and ``timeline`` from the CLI.

The whole corpus is imported a second time at the end: that appends nothing.

The same scoring as the library-level test, on what a user sees: every
checkpoint through ``tracker state --as-of T --json``, hour by hour through the
fold of ``tracker timeline --json`` (checked against ``state --as-of`` at
instants around every change). One test: the import is the expensive part.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from scoring import HOUR, load_truth, score

from tracker import db
from tracker.cli import main
from tracker.ingest.importer import import_paths
from tracker.timeutil import from_micros, isoformat, parse_instant, to_micros

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    with pytest.raises(SystemExit) as stop:
        main(list(args))
    out = capsys.readouterr().out
    assert (stop.value.code or 0) == 0
    return orjson.loads(out)


def _value(slot: dict[str, Any]) -> Any:
    value = slot["value"]
    return tuple(value) if isinstance(value, list) else value


def test_the_imported_corpus_replays_to_the_truth(
    corpus_dir: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = db.open_database(sqlite_url)
    try:
        summary = import_paths(engine, [corpus_dir])
    finally:
        engine.dispose()
    assert summary.errors == 0 and summary.appended > 300
    truth = load_truth(corpus_dir / "truth.toml")
    timeline = _cli(capsys, "--db", sqlite_url, "timeline", "--json")
    changes = [(c["slot"], to_micros(parse_instant(c["at"])), c["value"]) for c in timeline]
    assert [at for _, at, _ in changes] == sorted(at for _, at, _ in changes)

    baseline = dict(truth.baseline)

    def folded(at_us: int) -> dict[str, Any]:
        state = dict(baseline)
        for slot, when, value in changes:
            if when <= at_us:
                state[slot] = tuple(value) if isinstance(value, list) else value
        return state

    def cli_state(at_us: int) -> dict[str, Any]:
        doc = _cli(capsys, "--db", sqlite_url, "state", "--as-of", isoformat(from_micros(at_us)) or "", "--json")
        return {name: _value(slot) for name, slot in doc["slots"].items()}

    for at_us, _ in truth.checkpoints:
        assert cli_state(at_us) == folded(at_us)
    for _, when, _ in changes:
        for probe in (when - 1, when, when + HOUR):
            assert cli_state(probe) == folded(probe)

    end = max(when for _, when, _ in changes) + 10 * 24 * HOUR
    result = score(truth, folded, changes, end)
    assert result.perfect, result.summary()
    assert result.checkpoints_ok == 24

    # The whole archive imported again appends nothing and changes no answer.
    engine = db.open_database(sqlite_url)
    try:
        again = import_paths(engine, [corpus_dir])
    finally:
        engine.dispose()
    assert (again.appended, again.unchanged, again.errors) == (0, summary.matched, 0)
    assert _cli(capsys, "--db", sqlite_url, "timeline", "--json") == timeline
