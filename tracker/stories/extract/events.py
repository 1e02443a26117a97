"""Events a frame found in one article, and the article-level rules applied to them.

Within one article: a chair named beside a new board is one of its members; an
asserted reversal ("returns as CEO") makes the earlier events it implies
("fired", "hired elsewhere") background; a successor planned beside an asserted
departure ("X is out; Y will serve as interim CEO") is decided; a cut-off copy of a member list gives
way to the full list; a weekday two days before publication dates a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tracker.stories.extract.frames import Language
from tracker.stories.spec import StoryModel
from tracker.types import Claim


@dataclass(frozen=True, slots=True)
class Event:
    """One event a frame found: kind, people, how it is put, and its evidence."""

    kind: str
    rule: str
    subjects: tuple[str, ...]
    members: tuple[str, ...]
    factuality: str
    interim: bool | None
    evidence: str
    sentence: int = 0


def chairs_are_members(events: list[Event]) -> list[Event]:
    """Count a chair named in the same sentence as a new board among its members."""
    chairs: dict[int, set[str]] = {}
    for event in events:
        if event.kind == "board_chair":
            chairs.setdefault(event.sentence, set()).update(event.subjects)
    return [
        replace(event, members=tuple(sorted(set(event.members) | chairs[event.sentence])))
        if event.kind == "board_new" and chairs.get(event.sentence) else event
        for event in events
    ]


def background(model: StoryModel, events: list[Event]) -> list[Event]:
    """Demote events an asserted reversal in the same article presents as background."""
    demoted: set[tuple[str, str]] = set()
    for event in events:
        if event.factuality == "asserted":
            for kind in model.background_of(event.kind):
                demoted.update((kind, subject) for subject in event.subjects)
    return [
        replace(event, factuality="historical")
        if event.factuality == "asserted" and any((event.kind, s) in demoted for s in event.subjects)
        else event
        for event in events
    ]


def succession(model: StoryModel, events: list[Event]) -> list[Event]:
    """Count a planned successor reported beside an asserted departure as decided."""
    decided = {kind for e in events if e.factuality == "asserted" for kind in model.succession_of(e.kind)}
    return [
        replace(event, factuality="asserted") if event.factuality == "planned" and event.kind in decided
        else event
        for event in events
    ]


def drop_partial_lists(claims: list[Claim]) -> list[Claim]:
    """Drop a member list that another list in the same article contains (a cut-off copy)."""
    lists = [set(c.value) for c in claims if c.op == "replace" and isinstance(c.value, tuple)]
    return [
        c for c in claims
        if not (c.op == "replace" and isinstance(c.value, tuple) and any(set(c.value) < other for other in lists))
    ]


_NEXT = re.compile(r"(?:next|coming|this|prochain|ce|w\s+przyszł\w*|w\s+najbliższ\w*)\s*$", re.I)


def dated_earlier(language: Language, sentence: str, start: int, end: int, published_us: int) -> bool:
    """Whether the trigger's clause names a weekday two or more days before publication."""
    clause = sentence[language.cues.clause_start(sentence, start):language.cues.clause_end(sentence, end)]
    published = (published_us // 86_400_000_000 + 3) % 7       # 1970-01-01 was a Thursday (3)
    for day, pattern in enumerate(language.weekdays):
        for found in pattern.finditer(clause):
            if _NEXT.search(clause[max(0, found.start() - 12):found.start()]):
                continue
            if (published - day) % 7 >= 2:
                return True
    return False
