"""The state at an instant is a pure fold of the baseline and the transitions up to it."""

from __future__ import annotations

from dataclasses import replace

from factories import article
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.stories.corroborate import resolve
from tracker.stories.definition import ROOT, load_story
from tracker.stories.refine import changes_from_transitions
from tracker.stories.spec import model_of
from tracker.stories.state import state_at, value_of
from tracker.types import Claim, Transition

STORY = load_story(ROOT / "config" / "stories" / "openai.toml")
START = 1_700_000_000_000_000          # 2023-11-14T22:13:20Z
HOUR = 3_600_000_000
PEOPLE = ("Sam Altman", "Mira Murati", "Emmett Shear", "Bret Taylor", "Larry Summers")
OPS = st.one_of(
    st.tuples(st.just("ceo"), st.just("set"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("ceo"), st.just("remove"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("board"), st.sampled_from(["add", "remove", "chair", "unchair"]), st.sampled_from(PEOPLE)),
    st.tuples(st.just("microsoft"), st.sampled_from(["tag", "untag"]),
              st.sampled_from(["employer", "board-observer"])),
)
REPORTS = st.lists(
    st.tuples(OPS, st.integers(0, 200), st.sampled_from(["a.example", "b.example", "openai.com"]),
              st.sampled_from(["asserted", "asserted", "speculative", "negated"])),
    max_size=25,
)


def _transitions(reports: list) -> list[Transition]:
    evidence = []
    for i, ((slot, op, value), hour, publisher, fact) in enumerate(reports):
        item = replace(
            article(f"report {i}", publisher=publisher, at="2023-11-15T00:00:00Z"),
            article_id=f"a{i:03d}", published_us=START + hour * HOUR, recorded_us=START + hour * HOUR,
            link=None,
        )
        evidence.append((item, [Claim("openai", item.article_id, slot, op, value, fact, "en", "x")]))
    return resolve(STORY, evidence)


def _fold(transitions: list[Transition], at_us: int) -> dict[str, object]:
    state = {s.slot: s.value for s in state_at(STORY, [], None).slots}
    for t in transitions:
        if t.at_us <= at_us:
            state[t.slot] = t.value
    return state


@settings(max_examples=60, deadline=None)
@given(REPORTS, st.lists(st.integers(-10, 260), min_size=1, max_size=40))
def test_state_at_any_instant_is_the_fold_of_the_timeline(reports: list, hours: list[int]) -> None:
    transitions = _transitions(reports)
    assert [t.at_us for t in transitions] == sorted(t.at_us for t in transitions)
    for hour in hours:
        at = START + hour * HOUR
        got = {s.slot: s.value for s in state_at(STORY, transitions, at).slots}
        assert got == _fold(transitions, at)


@settings(max_examples=40, deadline=None)
@given(REPORTS)
def test_every_transition_changes_its_slot(reports: list) -> None:
    transitions = _transitions(reports)
    previous = {s.slot: (s.value, s.interim, s.chair) for s in state_at(STORY, [], None).slots}
    for t in transitions:
        now = (t.value, t.interim, t.chair)
        assert now != previous[t.slot]
        previous[t.slot] = now
    assert _transitions(list(reports)) == transitions


def test_the_baseline_holds_before_any_transition() -> None:
    state = state_at(STORY, [], START)
    assert value_of(state, "ceo") == "Sam Altman"
    assert value_of(state, "board") == (
        "Adam D'Angelo", "Greg Brockman", "Helen Toner", "Ilya Sutskever", "Sam Altman", "Tasha McCauley"
    )
    assert value_of(state, "microsoft") == ("investor",)
    board = next(s for s in state.slots if s.slot == "board")
    assert board.chair == "Greg Brockman" and board.since_us is None


def test_a_slot_reports_since_when_and_on_what_evidence() -> None:
    transitions = _transitions([(("ceo", "set", "Mira Murati"), 3, "openai.com", "asserted")])
    state = state_at(STORY, transitions, START + 5 * HOUR, known_at_us=START + 9 * HOUR)
    ceo = next(s for s in state.slots if s.slot == "ceo")
    assert (ceo.value, ceo.since_us) == ("Mira Murati", START + 3 * HOUR)
    assert ceo.evidence and ceo.evidence[0].publisher == "openai.com"
    assert state.known_at_us == START + 9 * HOUR
    assert value_of(state_at(STORY, transitions, START + 2 * HOUR), "ceo") == "Sam Altman"


def test_a_chair_who_steps_down_keeps_the_seat() -> None:
    transitions = _transitions([(("board", "unchair", "Greg Brockman"), 3, "a.example", "asserted"),
                                (("board", "unchair", "Greg Brockman"), 4, "b.example", "asserted")])
    board = next(s for s in state_at(STORY, transitions, START + 5 * HOUR).slots if s.slot == "board")
    assert board.chair is None and "Greg Brockman" in board.value
    assert changes_from_transitions(model_of(STORY), transitions) == [
        (START + 3 * HOUR, "board", "unchair", "Greg Brockman")]
    # Someone who does not chair cannot step down from the chair: nothing changes.
    assert _transitions([(("board", "unchair", "Helen Toner"), 3, "a.example", "asserted"),
                         (("board", "unchair", "Helen Toner"), 4, "b.example", "asserted")]) == []


def test_stepping_down_from_the_chair_contradicts_taking_it() -> None:
    # A lone report that someone took the chair is not accepted against reports that they left it.
    reports = [(("board", "chair", "Bret Taylor"), 3, "a.example", "asserted"),
               (("board", "unchair", "Bret Taylor"), 5, "b.example", "asserted")]
    assert all(t.chair != "Bret Taylor" for t in _transitions(reports))
