"""Accuracy on the shared corpus: extract -> resolve -> fold, scored against truth.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_articles import load_articles
from scoring import Score, load_truth, score

from tracker.stories.corroborate import resolve
from tracker.stories.definition import ROOT, load_story
from tracker.stories.extract import extract
from tracker.stories.state import state_at
from tracker.types import Transition

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
STORY = load_story(ROOT / "config" / "stories" / "openai.toml")


@pytest.fixture(scope="module")
def replay(corpus_dir: Path) -> tuple[list[Transition], Score]:
    articles = load_articles(corpus_dir, STORY)
    evidence = [(article, extract(STORY, article)) for article in articles]
    transitions = resolve(STORY, evidence, [])
    truth = load_truth(corpus_dir / "truth.toml")

    def state(at_us: int) -> dict[str, object]:
        return {s.slot: s.value for s in state_at(STORY, transitions, at_us).slots}

    end = max(a.published_us for a in articles)
    timeline = [(t.slot, t.at_us, t.value) for t in transitions]
    return transitions, score(truth, state, timeline, end)


def test_every_checkpoint_slot_equals_the_truth(replay: tuple[list[Transition], Score]) -> None:
    result = replay[1]
    assert result.checkpoints_total == 24
    assert result.checkpoints_ok == result.checkpoints_total, result.summary()


def test_hour_by_hour_the_state_agrees_with_the_truth(replay: tuple[list[Transition], Score]) -> None:
    result = replay[1]
    assert result.hours_ok == result.hours_total, result.summary()


def test_every_true_transition_is_reached_within_six_hours(replay: tuple[list[Transition], Score]) -> None:
    result = replay[1]
    assert result.transitions_found == result.transitions_total, result.summary()


def test_the_timeline_makes_no_other_change(replay: tuple[list[Transition], Score]) -> None:
    assert replay[1].spurious == [], replay[1].summary()


def test_the_observer_seat_rests_on_a_single_uncontradicted_report(
    replay: tuple[list[Transition], Score],
) -> None:
    observer = [t for t in replay[0] if t.slot == "microsoft" and "board-observer" in (t.value or ())]
    assert observer and observer[0].single_source
