"""Corroboration: N publishers in W, one authority, or a quiet single report; corrections win."""

from __future__ import annotations

import random
from pathlib import Path

from factories import article

from tracker.stories.corroborate import resolve
from tracker.stories.definition import ROOT, StoryDefinition, load_story
from tracker.stories.spec import model_of
from tracker.stories.state import Held, apply_op
from tracker.timeutil import parse_instant, to_micros
from tracker.types import Article, Claim, Correction

STORY = load_story(ROOT / "config" / "stories" / "openai.toml")


def claim(item: Article, slot: str = "ceo", op: str = "set", value: object = "Mira Murati",
          factuality: str = "asserted") -> Claim:
    return Claim("openai", item.article_id, slot, op, value, factuality, "en", "span")  # type: ignore[arg-type]


def us(text: str) -> int:
    return to_micros(parse_instant(text))


def report(publisher: str, at: str, title: str = "", **kw: object) -> Article:
    return article(title or f"{publisher} reports at {at}", publisher=publisher, at=at, **kw)  # type: ignore[arg-type]


def test_two_publishers_within_the_window_confirm_at_the_earliest_report() -> None:
    a = report("one.example", "2023-11-17T21:00:00Z")
    b = report("two.example", "2023-11-17T23:00:00Z")
    found = resolve(STORY, [(b, [claim(b)]), (a, [claim(a)])])
    assert [(t.slot, t.value, t.at_us, t.single_source) for t in found] == [
        ("ceo", "Mira Murati", us("2023-11-17T21:00:00Z"), False)
    ]
    assert [s.publisher for s in found[0].sources] == ["one.example", "two.example"]


def test_one_publisher_alone_waits_for_the_quiet_period() -> None:
    a = report("one.example", "2023-11-17T21:00:00Z")
    again = report("one.example", "2023-11-17T22:00:00Z", "a second story from the same outlet")
    early = report("other.example", "2023-11-18T09:00:00Z", "unrelated")
    assert resolve(STORY, [(a, [claim(a)]), (again, [claim(again)]), (early, [])]) == []
    late = report("other.example", "2023-11-19T09:00:00Z", "unrelated, a day and a half later")
    found = resolve(STORY, [(a, [claim(a)]), (again, [claim(again)]), (late, [])])
    assert len(found) == 1 and found[0].single_source and found[0].at_us == a.published_us


def test_a_lone_report_that_is_contradicted_is_not_accepted() -> None:
    a = report("one.example", "2023-11-17T21:00:00Z")
    denial = report("two.example", "2023-11-18T03:00:00Z")
    late = report("other.example", "2023-11-20T09:00:00Z", "unrelated")
    evidence = [(a, [claim(a)]), (denial, [claim(denial, factuality="negated")]), (late, [])]
    assert resolve(STORY, evidence) == []


def test_syndicated_copies_count_once() -> None:
    link = "https://wire.example/story/123"
    a = report("paper-one.example", "2023-11-17T21:00:00Z", link=link)
    b = report("paper-two.example", "2023-11-17T21:30:00Z", link=link)
    same_title = "Board names new interim chief executive"
    c = report("paper-three.example", "2023-11-17T21:00:00Z", same_title)
    d = report("paper-four.example", "2023-11-17T21:40:00Z", same_title)
    for pair in ((a, b), (c, d)):
        assert resolve(STORY, [(x, [claim(x)]) for x in pair]) == []


def test_one_authoritative_report_is_enough() -> None:
    a = report("openai.com", "2023-11-17T20:28:00Z")
    found = resolve(STORY, [(a, [claim(a)])])
    assert len(found) == 1 and not found[0].single_source and found[0].sources[0].authoritative


def test_claims_that_are_not_asserted_never_move_state() -> None:
    evidence = []
    for i, fact in enumerate(("speculative", "planned", "negated", "question", "conditional",
                              "historical", "opinion")):
        item = report(f"p{i}.example", f"2023-11-18T0{i}:00:00Z")
        evidence.append((item, [claim(item, factuality=fact)]))
    evidence.append((report("late.example", "2023-11-25T00:00:00Z"), []))
    assert resolve(STORY, evidence) == []


def test_operations_are_folded_into_whole_slot_values() -> None:
    items = [report(p, "2023-11-17T21:00:00Z") for p in ("one.example", "two.example")]
    evidence = [(i, [claim(i, "board", "remove", "Sam Altman"), claim(i, "microsoft", "tag", "employer")])
                for i in items]
    found = {t.slot: t for t in resolve(STORY, evidence)}
    assert "Sam Altman" not in found["board"].value
    assert found["board"].chair == "Greg Brockman"
    assert found["microsoft"].value == ("employer", "investor")


def test_a_correction_is_accepted_as_is_and_wins_over_reports_around_it() -> None:
    items = [report(p, "2023-11-20T06:00:00Z") for p in ("one.example", "two.example")]
    evidence = [(i, [claim(i, value="Emmett Shear")]) for i in items]
    fix = Correction("openai", "ceo", "set", "Mira Murati", us("2023-11-20T05:00:00Z"),
                     "https://example.org/statement", position=42, note="human check", interim=True)
    found = resolve(STORY, evidence, [fix])
    assert [(t.value, t.correction, t.interim) for t in found] == [("Mira Murati", True, True)]
    assert found[0].at_us == fix.at_us and found[0].note == "human check"


def test_resolution_does_not_depend_on_input_order() -> None:
    evidence = []
    for i, (publisher, at) in enumerate([("a.example", "2023-11-17T21:00:00Z"),
                                         ("b.example", "2023-11-17T22:00:00Z"),
                                         ("c.example", "2023-11-20T06:00:00Z"),
                                         ("d.example", "2023-11-20T07:00:00Z")]):
        item = report(publisher, at)
        value = "Mira Murati" if i < 2 else "Emmett Shear"
        evidence.append((item, [claim(item, value=value), claim(item, "microsoft", "tag", "employer")]))
    expected = resolve(STORY, evidence)
    rng = random.Random(7)
    for _ in range(5):
        shuffled = evidence[:]
        rng.shuffle(shuffled)
        assert resolve(STORY, shuffled) == expected


def _story_file(tmp_path: Path, corroboration: str) -> StoryDefinition:
    text = (ROOT / "config" / "stories" / "openai.toml").read_text(encoding="utf-8")
    start = text.index("[corroboration]")
    end = text.index("[events]")
    path = tmp_path / "openai.toml"
    path.write_text(text[:start] + corroboration + "\n" + text[end:], encoding="utf-8")
    return load_story(path)


def test_corroboration_parameters_come_from_the_story_file(tmp_path: Path) -> None:
    story = _story_file(tmp_path, "[corroboration]\npublishers = 3\nwindow_hours = 2\nquiet_hours = 1000\n")
    items = [report(p, at) for p, at in (("a.example", "2023-11-17T21:00:00Z"),
                                         ("b.example", "2023-11-17T22:00:00Z"),
                                         ("c.example", "2023-11-18T01:00:00Z"))]
    assert resolve(story, [(i, [claim(i)]) for i in items]) == []
    items[2] = report("c.example", "2023-11-17T22:30:00Z")
    assert len(resolve(story, [(i, [claim(i)]) for i in items])) == 1


def test_a_change_undone_and_reported_again_needs_more_publishers() -> None:
    def reports(value: str, publishers: tuple[str, ...], at: str) -> list[tuple[Article, list[Claim]]]:
        items = [report(p, at, f"{p} on {value} at {at}") for p in publishers]
        return [(i, [claim(i, value=value)]) for i in items]

    evidence = (reports("Mira Murati", ("a.example", "b.example"), "2023-11-17T21:00:00Z")
                + reports("Emmett Shear", ("a.example", "b.example"), "2023-11-20T06:00:00Z"))
    recap = reports("Mira Murati", ("c.example", "d.example"), "2023-11-21T09:00:00Z")
    found = resolve(STORY, evidence + recap + [(report("z.example", "2023-11-28T00:00:00Z"), [])])
    assert [t.value for t in found] == ["Mira Murati", "Emmett Shear"]
    again = reports("Mira Murati", ("c.example", "d.example", "e.example", "f.example"), "2023-11-21T09:00:00Z")
    assert [t.value for t in resolve(STORY, evidence + again)] == ["Mira Murati", "Emmett Shear", "Mira Murati"]


def test_wire_copies_with_an_outlet_suffix_or_the_same_text_count_once() -> None:
    text = "The board said on Friday that its technology chief would lead the company for now, effective at once."
    a = report("paper-one.example", "2023-11-17T21:00:00Z", "Board picks interim chief - Paper One")
    b = report("paper-two.example", "2023-11-17T21:20:00Z", "Board picks interim chief | Paper Two")
    c = article("A first headline", text, publisher="paper-three.example", at="2023-11-17T21:00:00Z")
    d = article("A rewritten headline", text, publisher="paper-four.example", at="2023-11-17T21:30:00Z")
    for pair in ((a, b), (c, d)):
        assert resolve(STORY, [(x, [claim(x)]) for x in pair]) == []


def test_a_lone_shorter_member_list_does_not_undo_a_confirmed_one() -> None:
    full = ("Adam D'Angelo", "Bret Taylor", "Larry Summers")
    items = [report(p, "2023-11-22T06:10:00Z") for p in ("a.example", "b.example")]
    evidence = [(i, [claim(i, "board", "replace", full)]) for i in items]
    partial = report("c.example", "2023-11-22T07:30:00Z")
    evidence.append((partial, [claim(partial, "board", "replace", ("Adam D'Angelo", "Larry Summers"))]))
    evidence.append((report("z.example", "2023-11-28T00:00:00Z"), []))
    assert [t.value for t in resolve(STORY, evidence)] == [full]


def test_one_publisher_whose_clock_runs_hours_ahead_does_not_date_a_change() -> None:
    # A feed stamping local time as UTC reports 2.5 h "before" everyone else; the others agree
    # within minutes of each other, so the change is dated by them.
    skewed = report("skewed.example", "2023-11-17T18:00:00Z")
    first = report("one.example", "2023-11-17T20:30:00Z")
    second = report("two.example", "2023-11-17T20:50:00Z")
    evidence = [(item, [claim(item)]) for item in (skewed, first, second)]
    found = resolve(STORY, evidence)
    assert [(t.value, t.at_us) for t in found] == [("Mira Murati", us("2023-11-17T20:30:00Z"))]
    assert "skewed.example" in [s.publisher for s in found[0].sources]


def test_a_fast_real_report_still_dates_the_change() -> None:
    scoop = report("fast.example", "2023-11-17T20:28:00Z")
    follow = report("one.example", "2023-11-17T21:40:00Z")
    found = resolve(STORY, [(item, [claim(item)]) for item in (scoop, follow)])
    assert [t.at_us for t in found] == [us("2023-11-17T20:28:00Z")]


def test_a_shifted_publisher_moves_no_transition_of_a_whole_story() -> None:
    # The same reports with one publisher's clock shifted 3 h early: every transition stays put.
    reports = [("a.example", "2023-11-17T21:00:00Z"), ("b.example", "2023-11-17T21:20:00Z"),
               ("c.example", "2023-11-17T22:00:00Z")]
    plain = [report(p, at) for p, at in reports]
    shifted = [report(p, "2023-11-17T18:00:00Z" if p == "c.example" else at) for p, at in reports]
    times = [t.at_us for t in resolve(STORY, [(i, [claim(i)]) for i in plain])]
    assert [t.at_us for t in resolve(STORY, [(i, [claim(i)]) for i in shifted])] == times


def test_stay_keeps_the_holder_and_marks_the_office_interim() -> None:
    model = model_of(STORY)
    held = Held("Sam Altman", False)
    assert apply_op(model, "ceo", held, "stay", "Sam Altman") == Held("Sam Altman", True)
    assert apply_op(model, "ceo", held, "stay", "Mira Murati") == held       # not the holder: nothing
    assert apply_op(model, "ceo", Held("Sam Altman", True), "stay", "Sam Altman") == Held("Sam Altman", True)


def dated(item: Article, day: str, op: str = "set", value: object = "Mira Murati") -> Claim:
    """A claim of a decided change that takes effect on ``day`` (as precise as told)."""
    return Claim("openai", item.article_id, "ceo", op, value, "asserted", "en", "span",  # type: ignore[arg-type]
                 effective=day, effective_cue=f"'{day}' in 'span'")


def test_a_decided_change_is_dated_by_the_day_it_takes_effect() -> None:
    a = report("one.example", "2023-11-06T17:00:00Z")
    b = report("two.example", "2023-11-06T21:00:00Z")
    found = resolve(STORY, [(a, [dated(a, "2024-01-02")]), (b, [dated(b, "2024-01-02")])])
    assert [(t.value, t.at_us) for t in found] == [("Mira Murati", us("2024-01-02T00:00:00Z"))]
    assert found[0].note is not None and "2024-01-02" in found[0].note
    assert [s.published_us for s in found[0].sources] == [a.published_us, b.published_us]


def test_a_month_and_a_day_in_it_agree_and_an_undated_report_does_not_object() -> None:
    a = report("one.example", "2023-11-06T17:00:00Z")
    b = report("two.example", "2023-11-06T21:00:00Z")
    c = report("three.example", "2023-11-06T22:00:00Z")
    found = resolve(STORY, [(a, [dated(a, "2024-01")]), (b, [dated(b, "2024-01-02")]), (c, [claim(c)])])
    assert [t.at_us for t in found] == [us("2024-01-02T00:00:00Z")]
    month = resolve(STORY, [(a, [dated(a, "2024-01")]), (c, [claim(c)])])
    assert [t.at_us for t in month] == [us("2024-01-01T00:00:00Z")]


def test_reports_that_disagree_on_the_day_date_the_change_when_reported() -> None:
    a = report("one.example", "2023-11-06T17:00:00Z")
    b = report("two.example", "2023-11-06T17:30:00Z")
    found = resolve(STORY, [(a, [dated(a, "2024-01-02")]), (b, [dated(b, "2024-02-01")])])
    assert [(t.at_us, t.note) for t in found] == [(a.published_us, None)]


def test_a_handover_moves_the_office_on_its_day_and_not_before() -> None:
    a = report("one.example", "2023-11-06T17:00:00Z")
    b = report("two.example", "2023-11-06T17:30:00Z")
    evidence = [(x, [dated(x, "2024-01", "remove", "Sam Altman"), dated(x, "2024-01")]) for x in (a, b)]
    found = resolve(STORY, evidence)
    assert {t.at_us for t in found} == {us("2024-01-01T00:00:00Z")}
    assert found[-1].value == "Mira Murati"


def test_a_day_before_the_reports_changes_nothing() -> None:
    # A day already past when it was reported (a same-day "from today"): the reports date it.
    a = report("one.example", "2023-11-06T17:00:00Z")
    b = report("two.example", "2023-11-06T17:30:00Z")
    found = resolve(STORY, [(a, [dated(a, "2023-11-06")]), (b, [dated(b, "2023-11")])])
    assert [(t.at_us, t.note) for t in found] == [(a.published_us, None)]
