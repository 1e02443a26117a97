"""French extraction on items written for the tests, and the week replayed from them."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from factories import article
from scoring import load_truth, score

from tracker.stories.corroborate import resolve
from tracker.stories.definition import ROOT, load_story
from tracker.stories.extract import extract
from tracker.stories.state import state_at
from tracker.types import Article

STORY = load_story(ROOT / "config" / "stories" / "openai.toml")
DATA = Path(__file__).parent / "data" / "french"
ITEMS: list[dict[str, Any]] = tomllib.loads((DATA / "items.toml").read_text(encoding="utf-8"))["item"]


def _article(item: dict[str, Any]) -> Article:
    return article(item["title"], item["summary"], publisher=item["publisher"], at=item["at"], language="fr")


def _asserted(item: dict[str, Any]) -> set[str]:
    found = set()
    for claim in extract(STORY, _article(item)):
        if claim.factuality != "asserted":
            continue
        value = "|".join(claim.value) if isinstance(claim.value, tuple) else claim.value
        found.add(f"{claim.slot} {claim.op} {value}")
    return found


@pytest.mark.parametrize("item", ITEMS, ids=[f"{i['publisher']}-{i['at']}" for i in ITEMS])
def test_each_french_item_asserts_what_it_says_and_no_more(item: dict[str, Any]) -> None:
    found = _asserted(item)
    if item["expect"] == "none":
        assert found == set(), item["title"]
    else:
        assert set(item["expect"]) <= found, item["title"]


@pytest.mark.parametrize(
    ("title", "factuality"),
    [
        ("Sam Altman reviendrait chez OpenAI comme PDG", "conditional"),
        ("Sam Altman ne reviendra pas à la tête d'OpenAI", "negated"),
        ("Sam Altman va revenir à la tête d'OpenAI", "planned"),
        ("Sam Altman va-t-il revenir à la tête d'OpenAI ?", "question"),
    ],
)
def test_french_hedges_are_told_apart(title: str, factuality: str) -> None:
    found = {c.factuality for c in extract(STORY, article(title, language="fr"))}
    assert found == {factuality}


def test_the_week_replayed_from_french_items_matches_the_facts() -> None:
    articles = [_article(item) for item in ITEMS]
    transitions = resolve(STORY, [(a, extract(STORY, a)) for a in articles], [])
    truth = load_truth(DATA / "truth.toml")

    def state(at_us: int) -> dict[str, object]:
        return {s.slot: s.value for s in state_at(STORY, transitions, at_us).slots}

    end = max(a.published_us for a in articles)
    result = score(truth, state, [(t.slot, t.at_us, t.value) for t in transitions], end)
    assert result.perfect, result.summary()
    observer = [t for t in transitions if "board-observer" in (t.value or ())]
    assert observer and observer[0].single_source


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("OpenAI : Sam Altman, le patron de ChatGPT, limogé", "ceo remove Sam Altman"),
        ("Coup de tonnerre chez OpenAI, qui se sépare de son patron Sam Altman", "ceo remove Sam Altman"),
        ("Mira Murati prend la tête d'OpenAI par intérim", "ceo set Mira Murati"),
        ("Nouveau patron d'OpenAI : Emmett Shear", "ceo set Emmett Shear"),
        ("Satya Nadella annonce l'arrivée de Sam Altman chez Microsoft", "microsoft tag employer"),
        ("Sam Altman de retour à la tête d'OpenAI", "ceo set Sam Altman"),
        ("Rebondissement : Sam Altman réintègre OpenAI", "microsoft untag employer"),
    ],
)
def test_more_french_phrasings(title: str, expected: str) -> None:
    assert expected in _asserted({"title": title, "summary": "", "publisher": "x.fr", "at": "2023-11-20T09:00:00Z"})


def test_an_undeclared_language_is_guessed_from_function_words() -> None:
    item = article("Sam Altman revient à la tête d'OpenAI après une semaine de chaos", language="")
    found = {(c.slot, c.op, c.value, c.language) for c in extract(STORY, item)}
    assert ("ceo", "set", "Sam Altman", "fr") in found


def test_an_observer_seat_written_with_an_elided_article() -> None:
    item = {"title": "Microsoft obtient un siège d'observateur au conseil d'administration d'OpenAI",
            "summary": "", "publisher": "x.fr", "at": "2023-11-30T09:00:00Z"}
    assert "microsoft tag board-observer" in _asserted(item)
