"""Accuracy on the shared corpus: extract -> resolve -> fold, scored against truth.toml.

One test on purpose: parsing the corpus is the expensive part, and separate
tests would each pay for it under pytest-xdist.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_articles import load_articles
from scoring import load_truth, score

from tracker.stories.corroborate import resolve
from tracker.stories.definition import ROOT, load_story
from tracker.stories.extract import extract
from tracker.stories.state import state_at

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
STORY = load_story(ROOT / "config" / "stories" / "openai.toml")


def test_the_corpus_replays_to_the_truth(corpus_dir: Path) -> None:
    articles = load_articles(corpus_dir, STORY)
    evidence = [(article, extract(STORY, article)) for article in articles]
    transitions = resolve(STORY, evidence, [])
    truth = load_truth(corpus_dir / "truth.toml")

    def state(at_us: int) -> dict[str, object]:
        return {s.slot: s.value for s in state_at(STORY, transitions, at_us).slots}

    end = max(a.published_us for a in articles)
    result = score(truth, state, [(t.slot, t.at_us, t.value) for t in transitions], end)
    report = result.summary()
    assert result.checkpoints_total == 24
    assert result.checkpoints_ok == 24, report                        # every checkpoint slot
    assert result.hours_ok == result.hours_total, report              # hour by hour
    assert result.transitions_found == result.transitions_total, report  # each within 6 h
    assert result.spurious == [], report                              # and no other change
    observer = [t for t in transitions if t.slot == "microsoft" and "board-observer" in (t.value or ())]
    assert observer and observer[0].single_source, "one publisher reports the observer seat"
    assert resolve(STORY, list(reversed(evidence)), []) == transitions
