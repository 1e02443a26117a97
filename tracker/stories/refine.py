"""Claims an analyst would sign: an article's claims read against what the story already holds.

Extraction reads one article alone. Two judgements need the story's accepted
changes, and both are deterministic from the log (the changes come from the
claims themselves, resolved by ``corroborate``):

- **who can be removed.** Removing someone from an office they do not hold, and did
  not hold in the week before, is no claim: "X quits the company" does not remove X
  as its CEO when X never was, nor from its board when X never sat on it. ``never_held`` gives the removals
  resolution drops outright (no accepted change ever made the person the holder).
- **how old the news is.** A report of a change the story took on a day or more
  before the article is a recap (historical), however it is phrased; a change
  reported within a day of when it happened is news, even told in an "after ..."
  clause or an explainer. ``refine`` applies this, with the accepted changes.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import replace

from tracker.stories.spec import SET, SINGLE, TAGS, StoryModel
from tracker.stories.state import Held, apply_op
from tracker.types import Article, Claim, SlotValue, Transition

DAY_US = 86_400_000_000
HOLDER = "@holder:"     # the value of a claim about whoever held an office (see extract)
Change = tuple[int, str, str, SlotValue]       # (at, slot, op, value) of an accepted operation


def ever_set(model: StoryModel, evidence: Iterable[tuple[Article, Sequence[Claim]]]) -> dict[str, set[str]]:
    """Return, per single slot, who could ever have held it: its baseline holder and anyone
    an asserted claim names as its holder."""
    held: dict[str, set[str]] = {}
    for spec in model.slots:
        if spec.kind == SINGLE:
            base = model.baseline.value(spec.name)
            held[spec.name] = {base} if isinstance(base, str) else set()
    for _, claims in evidence:
        for claim in claims:
            if claim.op == "set" and claim.factuality == "asserted" and isinstance(claim.value, str) \
                    and claim.slot in held:
                held[claim.slot].add(claim.value)
    return held


def never_held(claim: Claim, holders: dict[str, set[str]]) -> bool:
    """Whether a claim removes someone from a single office nobody ever said they held."""
    return claim.op == "remove" and claim.slot in holders and claim.value not in holders[claim.slot]


def _after(model: StoryModel, slot: str, holder: SlotValue, op: str, value: SlotValue) -> SlotValue:
    return apply_op(model, slot, Held(holder), op, value).value


class ChangeIndex:
    """A story's accepted changes, indexed for refine's questions: per slot, the change
    times in order with the holder before and after each, and per (slot, op, value)
    the times it happened. Each question is a binary search and a short walk, not a
    scan of the whole history, so reading one article costs the same at any log size."""

    __slots__ = ("_after", "_before", "_model", "_times", "_told")

    def __init__(self, model: StoryModel, changes: Iterable[Change],
                 told_at: Iterable[Change] | None = None) -> None:
        """``told_at``: the same changes dated by when they were first told (a decided change
        dated by the day it takes effect was told before it): a report's age is measured from
        the latest of the two, so a recap of the decision is one, and the day it takes effect
        is news again."""
        self._model = model
        per_slot: dict[str, list[Change]] = {}
        told: dict[tuple[str, str, SlotValue], set[int]] = {}
        for change in changes:
            per_slot.setdefault(change[1], []).append(change)
            told.setdefault((change[1], change[2], change[3]), set()).add(change[0])
        for change in told_at or ():
            told.setdefault((change[1], change[2], change[3]), set()).add(change[0])
        self._times: dict[str, list[int]] = {}
        self._before: dict[str, list[SlotValue]] = {}
        self._after: dict[str, list[SlotValue]] = {}
        for slot, found in per_slot.items():
            holder = model.baseline.value(slot)
            times, before, after = [], [], []
            for at, _, op, value in sorted(found):
                times.append(at)
                before.append(holder)
                holder = _after(model, slot, holder, op, value)
                after.append(holder)
            self._times[slot], self._before[slot], self._after[slot] = times, before, after
        self._told = {key: sorted(ats) for key, ats in told.items()}

    def _held_after(self, slot: str, count: int) -> SlotValue:
        """The holder once the first ``count`` changes of a slot are applied."""
        return self._after[slot][count - 1] if count else self._model.baseline.value(slot)

    def held_between(self, slot: str, person: str, start: int, end: int) -> bool:
        """Whether ``person`` held a single slot, or was a member of a set slot, at any
        instant of [start, end]."""
        times = self._times.get(slot, [])
        low, high = bisect_right(times, start), bisect_right(times, end)
        if any(_holds(self._before[slot][k], person) for k in range(low, high)):
            return True
        return _holds(self._held_after(slot, high), person)

    def holder_for(self, slot: str, published: int, window: int, recent: int = DAY_US) -> str | None:
        """Who an office named in place of its holder stands for at ``published``: the person a
        change of the day before (or just after) removed or replaced, else the holder then."""
        times = self._times.get(slot, [])
        end = bisect_right(times, published + window)
        found: SlotValue = None
        for k in range(end - 1, bisect_left(times, published - recent) - 1, -1):
            before = self._before[slot][k]
            if before is not None and self._after[slot][k] != before:
                found = before   # the last holder a change in [published - recent, + window] ended
                break
        if found is None:
            found = self._held_after(slot, bisect_right(times, published))
        return found if isinstance(found, str) else None

    def last_told(self, slot: str, op: str, value: SlotValue, until: int) -> int | None:
        """The latest time at or before ``until`` that this operation was accepted."""
        times = self._told.get((slot, op, value), [])
        count = bisect_right(times, until)
        return times[count - 1] if count else None


def _holds(value: SlotValue, person: str) -> bool:
    """Whether a slot's value is the person, or a set of members that holds them."""
    return value == person or (isinstance(value, tuple) and person in value)


def _named_in(model: StoryModel, person: str, article: Article) -> bool:
    text = f"{article.title} {article.summary}"
    entity = next((e for e in model.entities if e.name == person), None)
    aliases = entity.aliases if entity is not None else (person,)
    return any(alias in text for alias in aliases)


def refine(model: StoryModel, article: Article, claims: Sequence[Claim],
           changes: Sequence[Change] | ChangeIndex, recap_after_us: int = DAY_US) -> list[Claim]:
    """Return an article's claims as the story reads them: removals of people who did not
    hold the office dropped, and asserted or recap claims dated by the change they report.

    ``changes`` may be a ``ChangeIndex`` built once for many articles."""
    index = changes if isinstance(changes, ChangeIndex) else ChangeIndex(model, changes)
    lookback = model.corroboration.lookback_us
    window = model.corroboration.window_us
    published = article.published_us
    # The article's own named claims: "CEO fired ... X is no longer CEO" says whom the office stands for.
    named: dict[tuple[str, str], set[str]] = {}
    for c in claims:
        if isinstance(c.value, str) and not c.value.startswith(HOLDER):
            named.setdefault((c.slot, c.op), set()).add(c.value)
    out: list[Claim] = []
    for claim in claims:
        if isinstance(claim.value, str) and claim.value.startswith(HOLDER):
            office = claim.value[len(HOLDER):]
            said = named.get((office, claim.op), set())
            person = next(iter(said)) if len(said) == 1 else index.holder_for(office, published, window)
            # Only someone the article names elsewhere: "the Home Secretary ... Braverman".
            if person is None or not _named_in(model, person, article):
                continue
            claim = replace(claim, value=person)
        spec = model.slot(claim.slot)
        if spec is not None and spec.kind in (SINGLE, SET) and claim.op == "remove" and isinstance(claim.value, str) \
                and not index.held_between(claim.slot, claim.value, published - lookback,
                                           published + window):
            continue
        if claim.factuality in ("asserted", "historical"):
            last = index.last_told(claim.slot, claim.op, claim.value, published + window)
            if last is not None:
                age = published - last
                fresh = age < recap_after_us
                wanted = "asserted" if fresh else "historical"
                if wanted != claim.factuality:
                    hours = age / 3_600_000_000
                    why = (f"reported {hours:.0f} h after the change it tells: news" if fresh
                           else f"reported {hours:.0f} h after the change it tells: a recap")
                    claim = replace(claim, factuality=wanted, cue=why)  # type: ignore[arg-type]
        out.append(claim)
    return out


def told_us(transition: Transition) -> int:
    """When a change was first told: its time, or, for a decided change dated by the day it
    takes effect (after every report of it), its earliest report."""
    reports = [s.published_us for s in transition.sources]
    if reports and max(reports) < transition.at_us:
        return min(reports)
    return transition.at_us


def changes_from_transitions(model: StoryModel, transitions: Iterable[Transition],
                             told: bool = False) -> list[Change]:
    """Return the operations (at, slot, op, value) behind a story's transitions (each carries
    its slot's whole value after the change: the operation is the difference). ``told``: each
    dated by when it was first told (``told_us``) instead of when it took effect."""
    held: dict[str, SlotValue] = {s.name: model.baseline.value(s.name) for s in model.slots}
    chairs: dict[str, str | None] = dict(model.baseline.chairs)
    out: list[Change] = []
    for t in sorted(transitions, key=lambda t: t.at_us):
        spec = model.slot(t.slot)
        if spec is None:
            continue
        at = told_us(t) if told else t.at_us
        before = held.get(t.slot)
        if spec.kind == SINGLE:
            if isinstance(t.value, str):
                # A holder who resigns and stays on as caretaker is told by reports of that "stay".
                kept = t.op == "stay" and t.value == before
                out.append((at, t.slot, "stay" if kept else "set", t.value))
            elif isinstance(before, str):
                out.append((at, t.slot, "remove", before))
        else:
            old = set(before) if isinstance(before, tuple) else set()
            new = set(t.value) if isinstance(t.value, tuple) else set()
            grow, shrink = ("tag", "untag") if spec.kind == TAGS else ("add", "remove")
            if t.op == "replace":
                out.append((at, t.slot, "replace", tuple(sorted(new))))
            out += [(at, t.slot, grow, v) for v in sorted(new - old)]
            out += [(at, t.slot, shrink, v) for v in sorted(old - new)]
            if spec.kind == SET and t.chair and t.chair != chairs.get(t.slot):
                out.append((at, t.slot, "chair", t.chair))
            elif spec.kind == SET and t.chair is None and chairs.get(t.slot) in new:
                out.append((at, t.slot, "unchair", chairs.get(t.slot)))   # stepped down, kept the seat
            chairs[t.slot] = t.chair
        held[t.slot] = t.value
    return out


__all__ = ["Change", "ChangeIndex", "changes_from_transitions", "ever_set", "never_held", "refine", "told_us"]
