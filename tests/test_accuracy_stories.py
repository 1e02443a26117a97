"""Accuracy beyond OpenAI: the example stories, each scored against its own truth file.

The corpus is imported once into one log with every example story configured
(a folder holding them all), then each story's timeline is read from the CLI,
folded from its baseline and scored against ``tests/data/truth/<id>.toml``:
every checkpoint right, at least 98 % hourly agreement, every transition
reached within 2 h of the true instant, and no change the truth does not have
(a story whose office does not change in the period has checkpoints only).

One test on purpose: the import is the expensive part.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from scoring import HOUR, Score, Truth, load_truth, score

from tracker import db
from tracker.cli import main
from tracker.ingest.importer import import_paths
from tracker.stories.definition import ROOT
from tracker.timeutil import parse_instant, to_micros

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
EXAMPLES = ROOT / "config" / "stories" / "examples"
TRUTH = Path(__file__).parent / "data" / "truth"
STORIES = ("binance", "argentina", "uk-cabinet", "sejm", "cruise", "spain", "poland", "portugal",
           "sheffield-united", "sunderland", "swansea", "liberia", "houston", "new-zealand", "netherlands",
           "us-house-speaker", "al-ittihad", "bumble", "upenn", "uk-immigration", "pga-tour-board")
# Stories the corpus cannot carry to their truth, and why: each must keep failing until it can.
KNOWN_GAPS = {
    "binance": "Richard Teng's appointment first reaches the corpus in one explainer 9 h after it "
               "(read, so every checkpoint holds); Zhao's agreed departure is reported 3 h before the "
               "announcement that named his successor, so the exit shows as a vacancy first",
    "new-zealand": "the swearing-in on the morning of 27 November (NZ time) reaches the corpus only as a "
                   "recap eight days later; the same day's reports give Luxon his new title as a descriptor "
                   "only, which claims nothing",
    "poland": "the cabinet's swearing-in (16:00 UTC, 27 November) is read as the prime minister taking "
              "office, but a second publisher confirms it only at 18:47, so the caretaker flag clears 2 h 47 "
              "late",
    "liberia": "Weah conceded late on Friday 17 November (UTC); the corpus's first reports of it, two "
               "publishers 20 minutes apart, come at 02:10 and 02:29 UTC the next day, over 2 h later",
    "al-ittihad": "the club announced Nuno's dismissal on the Tuesday evening (Saudi time); the corpus's "
                  "first report comes at 01:46 UTC the next day and a second publisher only at 07:27, and "
                  "Gallardo's appointment reaches it two days late, when he arrives in Jeddah",
    "pga-tour-board": "McIlroy's resignation from the board (made known on the evening of 14 November, US "
                      "Eastern) first reaches the corpus at 02:12 UTC the next day, but a second publisher "
                      "reports it only at 08:06, so the change is dated 7 h 36 min after the truth",
    "spain": "no report of Sánchez's oath before the King on 17 November until a rally story 29 h "
             "later, so prime_minister_elect is still set the next day",
}
REACH = 2 * HOUR          # a transition must show within this of the true instant
AGREEMENT = 0.98          # share of hour-slot checks that must agree


def _timeline(capsys: pytest.CaptureFixture[str], url: str, story: str, truth: Truth) -> list[tuple[str, int, Any]]:
    """The story's changes as (slot, at, value); a truth that scores ``<slot>_interim``
    also gets each change of that flag (acting, caretaker) as a change of its own."""
    with pytest.raises(SystemExit) as stop:
        main(["--db", url, "timeline", "--story", story, "--json"])
    out = capsys.readouterr().out
    assert (stop.value.code or 0) == 0, out
    changes: list[tuple[str, int, Any]] = []
    flags = {slot: truth.baseline.get(slot) for slot in truth.slots if slot.endswith("_interim")}
    held: dict[str, Any] = dict(truth.baseline)
    for c in orjson.loads(out):
        at_us = to_micros(parse_instant(c["at"]))
        value = tuple(sorted(c["value"])) if isinstance(c["value"], list) else c["value"]
        if value != held.get(c["slot"]):          # a change of the flag alone is no change of value
            held[c["slot"]] = value
            changes.append((c["slot"], at_us, c["value"]))
        flag = f"{c['slot']}_interim"
        if flag in flags and (c.get("interim") or None) != flags[flag]:
            flags[flag] = c.get("interim") or None
            changes.append((flag, at_us, flags[flag]))
    return changes


def _score(truth: Truth, changes: list[tuple[str, int, Any]]) -> Score:
    def folded(at_us: int) -> dict[str, Any]:
        state: dict[str, Any] = dict(truth.baseline)
        for slot, when, value in changes:
            if when <= at_us:
                state[slot] = tuple(value) if isinstance(value, list) else value
        return state

    end = max(when for when, _ in truth.checkpoints + truth.transitions)
    return score(truth, folded, changes, end, reach_us=REACH)


def _passes(result: Score) -> bool:
    return (
        result.checkpoints_ok == result.checkpoints_total
        and result.hourly_agreement >= AGREEMENT
        and result.transitions_found == result.transitions_total
        and not result.spurious
    )


def test_each_example_story_replays_to_its_truth(
    corpus_dir: Path, sqlite_url: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "stories"
    folder.mkdir()
    for story in STORIES:
        shutil.copy(EXAMPLES / f"{story}.toml", folder / f"{story}.toml")
    monkeypatch.setenv("TRACKER_STORIES_DIR", str(folder))
    engine = db.open_database(sqlite_url)
    try:
        summary = import_paths(engine, [corpus_dir], stories_dir=folder)
    finally:
        engine.dispose()
    assert summary.errors == 0 and summary.appended > 0

    reports = []
    failed = []
    for story in STORIES:
        truth = load_truth(TRUTH / f"{story}.toml")
        assert truth.checkpoints, story           # a story whose office never changes has no transition
        result = _score(truth, _timeline(capsys, sqlite_url, story, truth))
        reports.append(f"{story}: {result.summary()}")
        if not _passes(result):
            failed.append(story)
    print("\n" + "\n".join(reports))   # the figures, with -s
    assert set(failed) == set(KNOWN_GAPS), "\n\n".join(reports)
