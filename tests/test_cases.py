"""Golden cases: every language's cases.toml, sentence by sentence, against the case stories.

Each ``tracker/stories/extract/languages/<code>/cases.toml`` lists ``[[case]]``
tables: a case story id, a title (and optional summary and publication time) and
every claim the text asserts, written ``"SLOT OP VALUE"``. One test per case
compares the asserted claims, as the story reads them (``tracker.stories.refine``
with the story's baseline: no one is removed from an office they do not hold, an
office named for its holder is the baseline holder), with that list exactly. A case
with ``effective`` ("2024-01-02", "2024-01", "2024"; "" for none) also says the day
every asserted claim takes effect.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from factories import article

from tracker.stories.definition import StoryDefinition, load_story
from tracker.stories.extract import extract
from tracker.stories.refine import refine
from tracker.stories.spec import TAGS, model_of
from tracker.types import Claim

EXTRACT = Path(__file__).resolve().parent.parent / "tracker" / "stories" / "extract"
STORIES = EXTRACT / "case_stories"
CASE_KEYS = {"story", "title", "summary", "published", "expect", "note", "gap", "effective"}
_DAY = re.compile(r"^(?:\d{4}(?:-\d\d(?:-\d\d)?)?)?$")    # an effective day, as precise as told
DEFAULT_PUBLISHED = "2024-03-05T12:00:00Z"      # a Tuesday


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path in sorted(EXTRACT.glob("languages/*/cases.toml")):
        code = path.parent.name
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for number, case in enumerate(data.get("case", []), start=1):
            found.append((code, f"{code}-{number:03d}", case))
    return found


CASES = _cases()


@cache
def _story(story_id: str) -> StoryDefinition:
    return load_story(STORIES / f"{story_id}.toml")


def written(claim: Claim) -> str:
    """Return a claim the way cases.toml writes it: "SLOT OP VALUE"."""
    value = claim.value
    if isinstance(value, tuple):
        value = ", ".join(sorted(value))
    return f"{claim.slot} {claim.op}" + (f" {value}" if value else "")


def _param(code: str, ident: str, case: dict[str, Any]) -> Any:
    # A case the rules do not read yet says so (``gap``): it must fail until they do.
    marks = [pytest.mark.xfail(strict=True, reason=case["gap"])] if "gap" in case else []
    return pytest.param(code, case, id=ident, marks=marks)


@pytest.mark.parametrize(("code", "case"), [_param(c, i, k) for c, i, k in CASES])
def test_case(code: str, case: dict[str, Any]) -> None:
    story = _story(case["story"])
    item = article(case["title"], case.get("summary", ""), language=code,
                   at=case.get("published", DEFAULT_PUBLISHED))
    claims = refine(model_of(story), item, extract(story, item), [])
    found = sorted({written(c) for c in claims if c.factuality == "asserted"})
    assert found == sorted(set(case["expect"])), case.get("note", "")
    if "effective" in case:
        days = {c.effective for c in claims if c.factuality == "asserted"}
        assert days == ({case["effective"]} if case["expect"] else set()), case.get("note", "")


def test_every_case_is_well_formed() -> None:
    # A typo in a case (an unknown slot, op or name) would make it fail for the wrong reason.
    assert CASES
    for _, ident, case in CASES:
        assert set(case) <= CASE_KEYS and {"story", "title", "expect"} <= set(case), ident
        assert _DAY.match(str(case.get("effective", ""))), ident
        model = model_of(_story(case["story"]))
        names = {e.name for e in model.entities}
        for claim in case["expect"]:
            slot, _, rest = claim.partition(" ")
            op, _, value = rest.partition(" ")
            spec = model.slot(slot)
            assert spec is not None and op in spec.ops, f"{ident}: {claim!r}"
            if spec.kind == TAGS:
                assert value in spec.tags, f"{ident}: {claim!r}"
            elif op == "replace":
                members = value.split(", ")
                assert members == sorted(members) and set(members) <= names, f"{ident}: {claim!r}"
            elif op != "clear":
                assert value in names, f"{ident}: {claim!r}"


def test_each_language_has_enough_cases_over_several_offices() -> None:
    by_code: dict[str, list[dict[str, Any]]] = {}
    for code, _, case in CASES:
        by_code.setdefault(code, []).append(case)
    assert set(by_code) >= {"en", "fr", "pl"}
    for code, cases in by_code.items():
        assert len(cases) >= 60, code
        assert len({c["story"] for c in cases}) >= 4, code
