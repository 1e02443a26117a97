"""The example stories' truth files agree with their story files (no corpus needed).

Each truth file in tests/data/truth names the same slots as the story it scores,
only people the story knows by canonical name, a full state at every checkpoint,
and checkpoints at least 6 h from any transition, so publishing lag cannot decide
a score.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scoring import SLACK, load_truth

from tracker.stories.definition import ROOT, load_story
from tracker.stories.spec import model_of

TRUTH = Path(__file__).parent / "data" / "truth"
EXAMPLES = ROOT / "config" / "stories" / "examples"
IDS = sorted(p.stem for p in TRUTH.glob("*.toml"))


def test_every_truth_file_has_a_story_file() -> None:
    assert {"binance", "argentina", "uk-cabinet", "sejm"} <= set(IDS)
    assert all((EXAMPLES / f"{story}.toml").exists() for story in IDS)


@pytest.mark.parametrize("story_id", IDS)
def test_a_truth_file_matches_its_story(story_id: str) -> None:
    truth = load_truth(TRUTH / f"{story_id}.toml")
    story = load_story(EXAMPLES / f"{story_id}.toml")
    model = model_of(story)
    # A truth may also score the interim flag of a slot that has the qualifier: <slot>_interim.
    flags = {f"{s.name}_interim" for s in model.slots if s.interim} & set(truth.slots)
    assert set(truth.slots) - flags == {s.name for s in model.slots}
    names = {e.name for e in story.entities}
    values = [truth.baseline, *(v for _, v in truth.transitions), *(v for _, v in truth.checkpoints)]
    for state in values:
        for slot, value in state.items():
            people = value if isinstance(value, tuple) else (value,)
            assert slot in flags or all(p is None or p in names for p in people), (story_id, value)
            assert slot not in flags or value in (True, None), (story_id, slot, value)
    baseline = dict(model.baseline.values) | {f"{k}_interim": v or None for k, v in model.baseline.interims}
    assert {slot: baseline[slot] for slot in truth.slots} == truth.baseline
    assert model.baseline.as_of_us == truth.start_us


@pytest.mark.parametrize("story_id", IDS)
def test_checkpoints_are_full_and_away_from_transitions(story_id: str) -> None:
    truth = load_truth(TRUTH / f"{story_id}.toml")
    # A story whose state must not move in the period (a precision test) has no transition,
    # and needs the more checkpoints for it.
    assert len(truth.checkpoints) >= (4 if truth.transitions else 6)
    for at_us, expect in truth.checkpoints:
        assert set(expect) == set(truth.slots)
        assert expect == truth.at(at_us)
        assert all(abs(at_us - when) >= SLACK for when, _ in truth.transitions)


def test_a_vacant_office_reads_as_none_and_qualifiers_are_not_slots(tmp_path: Path) -> None:
    path = tmp_path / "truth.toml"
    path.write_text(
        '[baseline]\nas_of = "2023-11-01T00:00:00Z"\nceo = "A"\nceo_interim = false\n'
        'board = ["A", "B"]\nboard_chair = "A"\n'
        '[[transition]]\nat = "2023-11-02T00:00:00Z"\nceo = ""\nboard_remove = ["A"]\n',
        encoding="utf-8",
    )
    truth = load_truth(path)
    assert truth.slots == ("ceo", "board")
    assert truth.transitions[0][1] == {"ceo": None, "board": ("B",)}
