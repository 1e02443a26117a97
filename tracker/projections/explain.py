"""Explain a slot: which reports support its value, which contradict it, what people decided."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from tracker.projections import load
from tracker.projections.query import (
    Instant,
    micros,
    prefix_position,
    prepare,
    resolve_known_at,
    transitions,
)
from tracker.projections.slots import slot_spec
from tracker.stories import state as fold
from tracker.stories.definition import StoryDefinition
from tracker.stories.refine import ChangeIndex, changes_from_transitions, refine
from tracker.stories.spec import model_of
from tracker.types import Article, Claim, Correction, SlotState, SlotValue, Transition

SUPPORTS, CONTRADICTS = "supports", "contradicts"
MEMO_SIZE = 8   # histories a caller's memo keeps (stories × known-at prefixes)


@dataclass(frozen=True, slots=True)
class Report:
    """One article's claim about the slot, and whether it agrees with the value."""

    article: Article
    claim: Claim
    stance: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """An article a person ruled out, with the reasons given."""

    article: Article
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a slot holds its value at an instant."""

    story: str
    slot: str
    as_of_us: int | None
    known_at_us: int | None
    state: SlotState | None
    changes: tuple[Transition, ...]
    supporting: tuple[Report, ...]
    contradicting: tuple[Report, ...]
    corrections: tuple[Correction, ...]
    rejected: tuple[Rejected, ...]


def _members(value: SlotValue) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    return set(value)


def _when(report: Report) -> tuple[int, str, str]:
    return (report.article.published_us, report.article.publisher, report.article.article_id)


def stance(claim: Claim, held: SlotState | None, former: frozenset[str] = frozenset()) -> str | None:
    """Return whether a claim agrees with the slot's state (a negated claim inverts).

    None when it bears on neither: the removal of someone who does not hold the
    slot now and never held it (``former``: everyone who did), e.g. a board
    member's departure read as "not the CEO" either."""
    value = held.value if held else None
    members = _members(value)
    claimed = _members(claim.value)
    if claim.op in ("remove", "untag") and claimed and not (claimed & (members | former)):
        return None
    if claim.op in ("set", "replace"):
        agrees = claimed == members
    elif claim.op == "clear":
        agrees = not members
    elif claim.op in ("add", "tag"):
        agrees = bool(claimed) and claimed <= members
    elif claim.op in ("remove", "untag"):
        agrees = not (claimed & members)
    elif claim.op == "stay":
        agrees = claimed == members and held is not None and bool(held.interim)
    elif claim.op == "chair":
        agrees = held is not None and held.chair is not None and {held.chair} == claimed
    elif claim.op == "unchair":
        agrees = not (held is not None and held.chair is not None and {held.chair} == claimed)
    else:
        agrees = False
    if claim.factuality == "negated":
        agrees = not agrees
    return SUPPORTS if agrees else CONTRADICTS


class History:
    """A story's accepted transitions, with their operations indexed for ``refine``:
    what ``explain`` needs of the whole history, built once per log position (a
    server keeps it while the log does not grow)."""

    __slots__ = ("by_slot", "index")

    def __init__(self, story: StoryDefinition, found: Sequence[Transition]) -> None:
        model = model_of(story)
        self.by_slot: dict[str, list[Transition]] = {}
        for transition in found:
            self.by_slot.setdefault(transition.slot, []).append(transition)
        for slot in self.by_slot.values():
            slot.sort(key=lambda t: t.at_us)   # stable: stored order breaks ties
        self.index = ChangeIndex(model, changes_from_transitions(model, found),
                                 changes_from_transitions(model, found, told=True))

    def upto(self, slot: str, as_of_us: int | None) -> list[Transition]:
        """The slot's transitions at or before ``as_of_us``, oldest first."""
        found = self.by_slot.get(slot, [])
        if as_of_us is None:
            return found
        return found[: bisect_right(found, as_of_us, key=lambda t: t.at_us)]

    def latest(self, as_of_us: int | None) -> list[Transition]:
        """The last transition of each slot at or before ``as_of_us``."""
        return [found[-1] for slot in self.by_slot if (found := self.upto(slot, as_of_us))]


def history(engine: Engine, story: StoryDefinition, position: int,
            prefix: int | None = None) -> History:
    """Return the story's whole accepted history: stored, or resolved afresh from the log's
    positions 1..``prefix`` when that is a shorter prefix (known at an earlier instant)."""
    if prefix is None or prefix >= position:
        return History(story, transitions(engine, story, position=position))
    return History(story, resolve_known_at(engine, story, prefix))


def explain(
    engine: Engine,
    story_id: str | None,
    slot: str,
    as_of: Instant = None,
    known_at: Instant = None,
    *,
    stories: Mapping[str, StoryDefinition] | None = None,
    refresh: bool = True,
    memo: MutableMapping[tuple[str, int, int | None], History] | None = None,
) -> Explanation:
    """Return why a slot holds its value at ``as_of`` (as known at ``known_at``).

    The evidence is what bears on the value held then: the reports published up to
    ``as_of`` since the corroboration window before the slot's last two changes
    (since the baseline when it changed less often), so both the value and the one
    it replaced are told. Older reports explain earlier states (ask at an earlier
    instant), and the answer stays the same size however long the history.
    ``memo`` keeps each position's history between calls."""
    story, position = prepare(engine, story_id, stories, refresh)
    spec = slot_spec(story, slot)
    as_of_us, known_at_us = micros(as_of), micros(known_at)
    until = None if known_at_us is None else min(prefix_position(engine, known_at_us), position)
    key = (story.id, position, None if until is None or until >= position else until)
    past = memo.get(key) if memo is not None else None
    if past is None:
        past = history(engine, story, position, key[2])
        if memo is not None:
            while len(memo) >= MEMO_SIZE:  # the oldest first: an older position is seldom asked again
                memo.pop(next(iter(memo)))
            memo[key] = past
    current = fold.state_at(story, past.latest(fold.until(as_of_us)), as_of_us, known_at_us)
    held = next((s for s in current.slots if s.slot == slot), None)
    model = model_of(story)
    told = past.upto(slot, fold.until(as_of_us))     # "now": no change dated later yet
    # The span that bears on the value: from the corroboration window before the change
    # ahead of the last one (so the reports of the value it replaced, which now contradict,
    # show beside those of the new one), or from the baseline when there are fewer.
    start = told[-2].at_us - model.corroboration.window_us if len(told) >= 2 else None
    cut = 0 if start is None else bisect_left(told, start, key=lambda t: t.at_us)
    shown, before = told[cut:], told[:cut]
    if start is not None:
        # A decided change dated by the day it takes effect was reported earlier: read from there.
        start = min([start, *(s.published_us - model.corroboration.window_us
                              for t in told[-2:] for s in t.sources)])
    former = frozenset(_members(before[-1].value if before else
                                fold.baseline_held(model)[spec.name].value)).union(
        *(_members(t.value) for t in shown)
    )
    with engine.connect() as conn:
        evidence = load.load_evidence(conn, story.id, until, keep_rejected=True,
                                      published_from=start, published_to=as_of_us)
        rejected_ids = load.rejected_articles(conn, story.id, until)
        corrections = [c for c in load.load_corrections(conn, story.id, until) if c.slot == slot]
        reasons = load.load_rejections(conn, sorted(rejected_ids))
    supporting: list[Report] = []
    contradicting: list[Report] = []
    rejected: dict[str, Rejected] = {}
    for article, stored in evidence:
        if article.article_id in rejected_ids:
            rejected[article.article_id] = Rejected(
                article, tuple(reasons.get(article.article_id, ()))
            )
            continue
        # The claims as the story reads them: an office named for its holder is that person,
        # and a report's age against the change it tells makes it news or a recap.
        if not any(c.slot == slot for c in stored):
            continue
        # Refined whole: a claim about an office's holder reads the article's other claims.
        claims = refine(model, article, stored, past.index)
        seen: set[tuple[object, ...]] = set()
        for claim in claims:
            said = (claim.op, claim.value, claim.factuality, claim.interim)
            if claim.slot != slot or said in seen:
                continue  # an article repeating itself counts once
            seen.add(said)
            verdict = stance(claim, held, former)
            if verdict is None:
                continue
            report = Report(article, claim, verdict)
            (supporting if report.stance == SUPPORTS else contradicting).append(report)
    if as_of_us is not None:
        corrections = [c for c in corrections if c.at_us <= as_of_us]
    supporting.sort(key=_when)
    contradicting.sort(key=_when)
    return Explanation(
        story.id, slot, as_of_us, known_at_us, held,
        tuple(shown), tuple(supporting), tuple(contradicting),
        tuple(corrections), tuple(rejected[k] for k in sorted(rejected)),
    )
