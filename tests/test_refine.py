"""Claims read against the story's accepted changes: who can be removed, and how old the news is."""

from __future__ import annotations

from factories import article

from tracker.stories.corroborate import accepted_changes, resolve
from tracker.stories.definition import ROOT, load_story
from tracker.stories.refine import refine
from tracker.stories.spec import model_of
from tracker.timeutil import parse_instant, to_micros
from tracker.types import Article, Claim

STORY = load_story(ROOT / "config" / "stories" / "openai.toml")
MODEL = model_of(STORY)


def claim(item: Article, slot: str, op: str, value: object, factuality: str = "asserted") -> Claim:
    return Claim("openai", item.article_id, slot, op, value, factuality, "en", "span")  # type: ignore[arg-type]


def test_removing_someone_who_never_held_the_office_is_no_claim() -> None:
    # "X quits the company" removes X from the board, not from a CEO post X never held.
    quits = [article(f"report {i}", publisher=p, at="2023-11-18T01:00:00Z") for i, p in enumerate("ab")]
    evidence = [(a, [claim(a, "ceo", "remove", "Greg Brockman"), claim(a, "board", "remove", "Greg Brockman")])
                for a in quits]
    found = resolve(STORY, evidence)
    assert [(t.slot, t.op) for t in found] == [("board", "remove")]
    changes = accepted_changes(STORY, evidence)
    kept = refine(MODEL, quits[0], evidence[0][1], changes)
    assert [(c.slot, c.op) for c in kept] == [("board", "remove")]


def test_removing_someone_from_a_board_they_never_sat_on_is_no_claim() -> None:
    # "X leaves the company" does not remove X from a board X was never a member of.
    item = article("Emmett Shear leaves", at="2023-11-18T01:00:00Z")
    said = [claim(item, "board", "remove", "Emmett Shear"), claim(item, "board", "remove", "Ilya Sutskever")]
    kept = refine(MODEL, item, said, [])
    assert [c.value for c in kept] == ["Ilya Sutskever"]


def test_a_report_a_day_after_the_change_is_a_recap_and_a_fresh_one_is_news() -> None:
    first = [article(f"fired {i}", publisher=p, at="2023-11-17T21:00:00Z") for i, p in enumerate("ab")]
    evidence = [(a, [claim(a, "ceo", "remove", "Sam Altman")]) for a in first]
    changes = accepted_changes(STORY, evidence)
    late = article("three days on", at="2023-11-20T21:00:00Z")
    told = refine(MODEL, late, [claim(late, "ceo", "remove", "Sam Altman")], changes)
    assert [c.factuality for c in told] == ["historical"]
    # Told "after ..." or in an explainer the same evening, it is still news.
    soon = article("how it happened", at="2023-11-17T23:00:00Z")
    told = refine(MODEL, soon, [claim(soon, "ceo", "remove", "Sam Altman", "historical")], changes)
    assert [c.factuality for c in told] == ["asserted"]
    # Speculation stays speculation whatever its age.
    told = refine(MODEL, late, [claim(late, "ceo", "remove", "Sam Altman", "speculative")], changes)
    assert [c.factuality for c in told] == ["speculative"]
    assert to_micros(parse_instant("2023-11-17T21:00:00Z")) == changes[0][0]


def test_a_holder_who_stays_on_as_caretaker_is_a_change_later_reports_retell() -> None:
    # "X resigns" where the story keeps X on until a successor (the operation stay): the
    # change is that stay, so a report of it days later is a recap and one that evening news.
    first = [article(f"resigns {i}", publisher=p, at="2023-11-17T21:00:00Z") for i, p in enumerate("ab")]
    evidence = [(a, [claim(a, "ceo", "stay", "Sam Altman")]) for a in first]
    changes = accepted_changes(STORY, evidence)
    assert [(slot, op, value) for _, slot, op, value in changes] == [("ceo", "stay", "Sam Altman")]
    late = article("three days on", at="2023-11-20T21:00:00Z")
    told = refine(MODEL, late, [claim(late, "ceo", "stay", "Sam Altman")], changes)
    assert [c.factuality for c in told] == ["historical"]
    soon = article("what to know", at="2023-11-17T23:00:00Z")
    told = refine(MODEL, soon, [claim(soon, "ceo", "stay", "Sam Altman", "historical")], changes)
    assert [c.factuality for c in told] == ["asserted"]


def test_an_office_named_in_place_of_its_holder_stands_for_the_person_it_ended() -> None:
    from tracker.stories.extract import extract

    fired = [article(f"fired {i}", publisher=p, at="2023-11-17T21:00:00Z") for i, p in enumerate("ab")]
    evidence = [(a, [claim(a, "ceo", "remove", "Sam Altman")]) for a in fired]
    changes = accepted_changes(STORY, evidence)
    later = article("OpenAI's CEO was fired by the board", "Sam Altman learnt of it on a call.",
                    at="2023-11-17T23:30:00Z")
    found = extract(STORY, later)
    assert {(c.slot, c.value) for c in found} == {("ceo", "@holder:ceo"), ("board", "@holder:ceo")}
    told = refine(MODEL, later, found, changes)
    assert {(c.slot, c.op, c.value) for c in told} == {("ceo", "remove", "Sam Altman"),
                                                      ("board", "remove", "Sam Altman")}
    # Only someone the article names: with no name anywhere it is no claim.
    bare = article("OpenAI's CEO was fired by the board", at="2023-11-17T23:30:00Z")
    assert refine(MODEL, bare, extract(STORY, bare), changes) == []
    # Such a claim never moves state by itself: resolution only counts named people.
    assert resolve(STORY, [(later, found), (later, found)]) == []
    # Another company's CEO is not this one's.
    assert extract(STORY, article("Binance CEO steps down as OpenAI watches")) == []


def test_an_office_named_for_its_holder_stands_for_the_person_the_article_names_in_that_change() -> None:
    # A republished "the CEO was fired ... X is no longer CEO" two days on: the office is X's,
    # not the interim successor's who holds it by then.
    fired = [article(f"fired {i}", publisher=p, at="2023-11-17T21:00:00Z") for i, p in enumerate("ab")]
    evidence = [(a, [claim(a, "ceo", "remove", "Sam Altman"), claim(a, "board", "remove", "Sam Altman")])
                for a in fired]
    named = [article(f"named {i}", publisher=p, at="2023-11-17T21:30:00Z") for i, p in enumerate("ab")]
    evidence += [(a, [claim(a, "ceo", "set", "Mira Murati")]) for a in named]
    changes = accepted_changes(STORY, evidence)
    late = article("The CEO is fired", "Sam Altman is no longer CEO; Mira Murati leads for now.",
                   at="2023-11-19T12:00:00Z")
    told = refine(MODEL, late, [claim(late, "ceo", "remove", "@holder:ceo"),
                                claim(late, "board", "remove", "@holder:ceo"),
                                claim(late, "ceo", "remove", "Sam Altman")], changes)
    assert {(c.slot, c.value, c.factuality) for c in told} == {("ceo", "Sam Altman", "historical"),
                                                              ("board", "Sam Altman", "historical")}


def test_a_decided_change_is_recapped_from_when_it_was_told_and_news_again_the_day_it_takes_effect() -> None:
    # "X will step down on 2 January": the change is dated by that day, but a report of the
    # decision a week after it was announced is a recap, and one on the day is news.
    from dataclasses import replace

    from tracker.stories.refine import ChangeIndex, changes_from_transitions

    told = [article(f"decided {i}", publisher=p, at="2023-11-06T15:00:00Z") for i, p in enumerate("ab")]
    evidence = [(a, [replace(claim(a, "ceo", "remove", "Sam Altman"), effective="2024-01-02")]) for a in told]
    found = resolve(STORY, evidence)
    assert [t.at_us for t in found] == [to_micros(parse_instant("2024-01-02T00:00:00Z"))]
    index = ChangeIndex(MODEL, changes_from_transitions(MODEL, found),
                        changes_from_transitions(MODEL, found, told=True))
    week = article("a week on", at="2023-11-13T12:00:00Z")
    said = refine(MODEL, week, [claim(week, "ceo", "remove", "Sam Altman")], index)
    assert [c.factuality for c in said] == ["historical"]
    evening = article("that evening", at="2023-11-06T21:00:00Z")
    said = refine(MODEL, evening, [claim(evening, "ceo", "remove", "Sam Altman")], index)
    assert [c.factuality for c in said] == ["asserted"]
    day = article("on the day", at="2024-01-02T09:00:00Z")
    said = refine(MODEL, day, [claim(day, "ceo", "remove", "Sam Altman")], index)
    assert [c.factuality for c in said] == ["asserted"]
    # Without the times the changes were told, the week-old report reads as news.
    said = refine(MODEL, week, [claim(week, "ceo", "remove", "Sam Altman")], changes_from_transitions(MODEL, found))
    assert [c.factuality for c in said] == ["asserted"]
