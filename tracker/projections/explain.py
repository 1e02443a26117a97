"""Explain a slot: which reports support its value, which contradict it, what people decided."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from tracker.projections import load
from tracker.projections.query import Instant, micros, prefix_position, prepare, transitions
from tracker.projections.slots import slot_spec
from tracker.stories import state as fold
from tracker.stories.definition import StoryDefinition
from tracker.stories.refine import changes_from_transitions, refine
from tracker.stories.spec import model_of
from tracker.types import Article, Claim, Correction, SlotState, SlotValue, Transition

SUPPORTS, CONTRADICTS = "supports", "contradicts"


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
    elif claim.op == "chair":
        agrees = held is not None and held.chair is not None and {held.chair} == claimed
    else:
        agrees = False
    if claim.factuality == "negated":
        agrees = not agrees
    return SUPPORTS if agrees else CONTRADICTS


def explain(
    engine: Engine,
    story_id: str | None,
    slot: str,
    as_of: Instant = None,
    known_at: Instant = None,
    *,
    stories: Mapping[str, StoryDefinition] | None = None,
    refresh: bool = True,
) -> Explanation:
    """Return why a slot holds its value at ``as_of`` (as known at ``known_at``)."""
    story, position = prepare(engine, story_id, stories, refresh)
    slot_spec(story, slot)
    as_of_us, known_at_us = micros(as_of), micros(known_at)
    found = transitions(engine, story, as_of_us=as_of_us, known_at_us=known_at_us, position=position)
    current = fold.state_at(story, found, as_of_us, known_at_us)
    held = next((s for s in current.slots if s.slot == slot), None)
    former = frozenset(_members(fold.baseline_held(model_of(story))[slot].value)).union(
        *(_members(t.value) for t in found if t.slot == slot)
    )
    until = None if known_at_us is None else min(prefix_position(engine, known_at_us), position)
    with engine.connect() as conn:
        evidence = load.load_evidence(conn, story.id, until, keep_rejected=True)
        rejected_ids = load.rejected_articles(conn, story.id, until)
        corrections = [c for c in load.load_corrections(conn, story.id, until) if c.slot == slot]
        reasons = load.load_rejections(conn, sorted(rejected_ids))
    supporting: list[Report] = []
    contradicting: list[Report] = []
    rejected: dict[str, Rejected] = {}
    model = model_of(story)
    changes = changes_from_transitions(model, found)
    for article, stored in evidence:
        if as_of_us is not None and article.published_us > as_of_us:
            continue
        # The claims as the story reads them: an office named for its holder is that person,
        # and a report's age against the change it tells makes it news or a recap.
        claims = refine(model, article, stored, changes)
        if article.article_id in rejected_ids:
            rejected[article.article_id] = Rejected(
                article, tuple(reasons.get(article.article_id, ()))
            )
            continue
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
        tuple(t for t in found if t.slot == slot), tuple(supporting), tuple(contradicting),
        tuple(corrections), tuple(rejected[k] for k in sorted(rejected)),
    )
