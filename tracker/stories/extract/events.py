"""Events a frame found in one article, and the article-level rules applied to them.

Within one article: a chair named beside a new set of members is one of them; an
asserted reversal ("returns as CEO") makes the earlier events it implies
("fired", "hired elsewhere") background; a successor planned beside an asserted
departure ("X is out; Y will serve as interim CEO") is decided; a successor named without
the office ("X is her replacement") takes the office the article reports vacated; a cut-off copy of a
member list gives way to the full list; a weekday two days before publication dates
a claim. Which events reverse or succeed which is the story's ``[background]`` and
``[succession]`` (or their defaults), not code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from tracker.stories.extract.rules import Language
from tracker.stories.spec import SINGLE, StoryModel, event_matches
from tracker.types import Claim


@dataclass(frozen=True, slots=True)
class Event:
    """One event a frame found: kind, people, how it is put, and its evidence."""

    kind: str
    target: str             # the slot or body the event is about
    rule: str
    subjects: tuple[str, ...]
    members: tuple[str, ...]
    factuality: str
    interim: bool | None
    evidence: str
    sentence: int = 0
    tag: str = ""
    why: str = ""           # the cue that decided the factuality, and the text it scoped

    @property
    def key(self) -> str:
        """The event as the story file names it: "KIND TARGET"."""
        return f"{self.kind} {self.target}"


def chairs_are_members(events: list[Event]) -> list[Event]:
    """Count a chair named in the same sentence as a new set of members among them."""
    chairs: dict[tuple[int, str], set[str]] = {}
    for event in events:
        if event.kind == "chair":
            chairs.setdefault((event.sentence, event.target), set()).update(event.subjects)
    return [
        replace(event, members=tuple(sorted(set(event.members) | chairs[(event.sentence, event.target)])))
        if event.kind == "new" and chairs.get((event.sentence, event.target)) else event
        for event in events
    ]


def background(model: StoryModel, events: list[Event]) -> list[Event]:
    """Demote events an asserted reversal in the same article presents as background."""
    demoted: set[tuple[str, str]] = set()
    for event in events:
        if event.factuality == "asserted":
            for pattern in model.background_of(event.key):
                demoted.update((pattern, subject) for subject in event.subjects)
    patterns = {p for p, _ in demoted}

    def told(event: Event) -> bool:
        return any(event_matches(p, event.key) and (p, s) in demoted for p in patterns for s in event.subjects)

    return [
        replace(event, factuality="historical", why="background to a reversal the article reports")
        if event.factuality == "asserted" and told(event) else event
        for event in events
    ]


def succession(model: StoryModel, events: list[Event]) -> list[Event]:
    """Count a planned successor reported beside an asserted departure as decided."""
    decided = {p for e in events if e.factuality == "asserted" for p in model.succession_of(e.key)}
    return [
        replace(event, factuality="asserted", why="decided: a successor beside an asserted departure")
        if event.factuality == "planned" and any(event_matches(p, event.key) for p in decided)
        else event
        for event in events
    ]


def vacated(model: StoryModel, events: list[Event]) -> list[Event]:
    """A successor named without the office ("X is her replacement", bound to the body)
    takes the one single office of that body the article reports someone removed from (or,
    for someone who left a body with one single office, that office); without exactly one such
    office, it says nothing."""
    emptied = {e.target for e in events if e.kind in ("remove", "resign") and e.factuality == "asserted"}
    # Someone who left a body with one single office ("X was forced out") vacated that office.
    for event in events:
        if event.kind == "leave" and event.factuality == "asserted" and model.slot(event.target) is None:
            singles = [s.name for s in model.slots
                       if s.body == event.target and s.kind == SINGLE and s.elect_of is None]
            if len(singles) == 1:
                emptied.add(singles[0])
    out = []
    for event in events:
        if event.kind == "replace" and model.slot(event.target) is None:
            offices = sorted(name for name in emptied
                             if (spec := model.slot(name)) is not None and spec.kind == SINGLE
                             and spec.body == event.target)
            if len(offices) == 1:
                out.append(replace(event, kind="appoint", target=offices[0]))
            continue
        out.append(event)
    return out


_AHEAD = {"future", "planned", "headline", "conditional", "speculative", "question"}   # kinds that look ahead


def drop_partial_lists(claims: list[Claim]) -> list[Claim]:
    """Drop a member list that another list in the same article contains (a cut-off copy)."""
    lists = [set(c.value) for c in claims if c.op == "replace" and isinstance(c.value, tuple)]
    return [
        c for c in claims
        if not (c.op == "replace" and isinstance(c.value, tuple) and any(set(c.value) < other for other in lists))
    ]


def dated_earlier(language: Language, sentence: str, start: int, end: int, published_us: int) -> bool:
    """Whether the trigger's clause dates it before publication: a weekday two or more days
    before, or (when the language lists months) another month than the publication's, in
    a clause with no future or plan ("was sacked in January", not "will step down in
    January" nor "next January")."""
    low = language.cues.clause_start(sentence, start)
    high = language.cues.clause_end(sentence, end)
    clause = sentence[low:high]
    published = (published_us // 86_400_000_000 + 3) % 7       # 1970-01-01 was a Thursday (3)
    for day, pattern in enumerate(language.weekdays):
        for found in pattern.finditer(clause):
            if language.next_words.search(clause[max(0, found.start() - 12):found.start()]):
                continue
            if (published - day) % 7 >= 2:
                return True
    if not language.months:
        return False
    # Only the trigger's own clause: "sworn in on Friday after ... July's election" is no July.
    stop = language.cues.terminators.search(sentence, end, high)
    own = sentence[low:stop.start() if stop else high]
    month = datetime.fromtimestamp(published_us / 1_000_000, UTC).month - 1
    named = any(
        number != month and not language.next_words.search(own[max(0, found.start() - 12):found.start()])
        for number, pattern in enumerate(language.months) for found in pattern.finditer(own)
    )
    # (A headline "X to step down in June" looks ahead: its cue ends at the trigger.)
    ahead = language.cues.kinds(sentence, low, high, ("clause", "sentence")) | language.cues.kinds(
        sentence, low, end, ("clause",))
    return named and not ahead & _AHEAD
