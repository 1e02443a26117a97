"""Polish extraction: inflected names and verbs, Polish hedges (own sentences)."""

from __future__ import annotations

import pytest
from factories import article

from tracker.stories.definition import ROOT, load_story
from tracker.stories.extract import extract

STORY = load_story(ROOT / "config" / "stories" / "openai.toml")


def claims(title: str, summary: str = "") -> set[tuple[str, str, object, str]]:
    found = extract(STORY, article(title, summary, language="pl"))
    return {(c.slot, c.op, c.value, c.factuality) for c in found}


def asserted(title: str, summary: str = "") -> set[tuple[str, str, object]]:
    return {(s, o, v) for s, o, v, f in claims(title, summary) if f == "asserted"}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Zarząd OpenAI zwolnił Sama Altmana",
         {("ceo", "remove", "Sam Altman"), ("board", "remove", "Sam Altman")}),
        ("Sam Altman zwolniony z OpenAI", {("ceo", "remove", "Sam Altman")}),
        ("Greg Brockman odchodzi z OpenAI", {("board", "remove", "Greg Brockman")}),
        ("Sam Altman nie jest już prezesem OpenAI", {("ceo", "remove", "Sam Altman")}),
        ("Mira Murati została mianowana tymczasową prezes OpenAI", {("ceo", "set", "Mira Murati")}),
        ("Emmett Shear nowym CEO OpenAI", {("ceo", "set", "Emmett Shear")}),
        ("Sam Altman i Greg Brockman dołączają do Microsoftu", {("microsoft", "tag", "employer")}),
        ("Microsoft zatrudnia Sama Altmana", {("microsoft", "tag", "employer")}),
        ("Sam Altman wraca do OpenAI jako CEO",
         {("ceo", "set", "Sam Altman"), ("microsoft", "untag", "employer")}),
        ("Nowy zarząd OpenAI: Bret Taylor, Larry Summers i Adam D'Angelo",
         {("board", "replace", ("Adam D'Angelo", "Bret Taylor", "Larry Summers"))}),
        ("Microsoft otrzymuje miejsce obserwatora w zarządzie OpenAI",
         {("microsoft", "tag", "board-observer")}),
        ("Altman i Brockman w Microsofcie", {("microsoft", "tag", "employer")}),
        ("Altman znów szefem OpenAI", {("ceo", "set", "Sam Altman")}),
        ("Emmett Shear, były prezes Twitcha, nowym szefem OpenAI", {("ceo", "set", "Emmett Shear")}),
        ("Bret Taylor przewodniczącym nowego zarządu OpenAI", {("board", "chair", "Bret Taylor")}),
        ("Sam Altman wylatuje z OpenAI", {("ceo", "remove", "Sam Altman")}),
        ("Mira Murati p.o. prezesa OpenAI", {("ceo", "set", "Mira Murati")}),
        ("Emmett Shear zastąpił Mirę Murati na czele OpenAI", {("ceo", "set", "Emmett Shear")}),
        ("Sam Altman znów na czele OpenAI", {("ceo", "set", "Sam Altman")}),
        ("Altman wraca na fotel prezesa OpenAI", {("ceo", "set", "Sam Altman")}),
        ("OpenAI zwolniło Sama Altmana. Zastąpi go Mira Murati", {("ceo", "set", "Mira Murati")}),
        ("Microsoft ma miejsce w zarządzie OpenAI, ale bez prawa głosu", {("microsoft", "tag", "board-observer")}),
    ],
)
def test_a_plain_polish_report_is_asserted(title: str, expected: set[tuple[str, str, object]]) -> None:
    assert expected <= asserted(title)


def test_an_announced_interim_appointment_is_asserted_with_its_flag() -> None:
    found = extract(STORY, article(
        "Zmiany w OpenAI", "Firma ogłosiła, że tymczasowo funkcję CEO przejmie Mira Murati.", language="pl",
    ))
    ceo = [c for c in found if c.slot == "ceo" and c.op == "set"]
    assert ceo and ceo[0].factuality == "asserted" and ceo[0].interim is True


@pytest.mark.parametrize(
    "title",
    [
        "Sam Altman miałby wrócić do OpenAI jako CEO - donoszą media",
        "Czy Sam Altman wróci do OpenAI jako CEO?",
        "Sam Altman nie wróci do OpenAI jako CEO",
        "Trwają rozmowy w sprawie powrotu Sama Altmana do OpenAI",
        "Pracownicy OpenAI grożą odejściem do Microsoftu",
        "Larry Summers ostrzega przed inflacją",
        "Kalendarium: jak OpenAI zwolniło i ponownie zatrudniło Sama Altmana",
    ],
)
def test_polish_traps_move_nothing(title: str) -> None:
    assert asserted(title) == set()
