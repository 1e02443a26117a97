"""Turn claims into accepted transitions: corroboration, corrections, time of change.

Contract: ``resolve(story, evidence, corrections)`` takes every (article, claims)
pair known and the human corrections, and returns the accepted transitions,
oldest first, deterministically.

A slot operation (slot, op, value) is accepted when, from its earliest asserted
report, at least N distinct publishers assert it within W (syndicated copies --
same link or the same title -- count once), or one authoritative publisher
does; or, marked single-source, when one report stands and nothing contradicts
it for Q after it (nor in the lookback before it: a lone recap of an old event
must not undo a change reported since). An operation already accepted once
comes back mostly in recaps, so accepting it again needs ``repeat_publishers``
(or an authority), never a lone report. The change takes the time of its earliest supporting publication,
or, for a decided change its reports say takes effect later ("will step down on 2 January"),
that day (00:00 UTC) when the accepted reports that name a day agree on it (a month and a day
in it agree on the day; reports naming none do not count against it).
A correction is accepted as is and silences conflicting reports within W of it.
Accepted operations are then folded from the baseline, oldest first; those that
change nothing are dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from tracker.stories.definition import StoryDefinition
from tracker.stories.refine import HOLDER, changes_from_transitions, ever_set, never_held
from tracker.stories.spec import SINGLE, StoryModel, model_of
from tracker.stories.state import Held, apply_op, baseline_held
from tracker.timeutil import agreed, effective_us
from tracker.types import Article, Claim, Correction, SlotValue, Source, Transition

RULES_VERSION = "7"
_WORD = re.compile(r"[^\w]+")
_SCHEME = re.compile(r"^https?://(www\.)?")
_WHOLE = ("replace", "set")
_INVERSE = {"add": "remove", "remove": "add", "tag": "untag", "untag": "tag", "chair": "unchair", "unchair": "chair"}
_RANK = {"asserted": 0, "negated": 1, "planned": 2, "speculative": 3, "conditional": 4,
         "question": 5, "historical": 6, "opinion": 7, "background": 8}

Key = tuple[str, str, SlotValue]


class _Support(NamedTuple):
    """One article's support for one slot operation (a tuple: made by the hundred thousand)."""

    key: Key
    article: Article
    claim: Claim
    unit: int            # syndication unit: copies of one story share it
    authority: bool      # published by an authoritative publisher


@dataclass(frozen=True, slots=True)
class _Op:
    at_us: int
    slot: str
    op: str
    value: SlotValue
    interim: bool | None
    sources: tuple[Source, ...]
    single_source: bool = False
    correction: bool = False
    note: str | None = None
    window: tuple[_Support, ...] = ()  # the supports of an accepted report (sources made on use)


@lru_cache(maxsize=65536)
def _norm_link(link: str) -> str:
    return _SCHEME.sub("", link.strip().lower()).split("#")[0].rstrip("/")


_OUTLET_SUFFIX = re.compile(r"\s+[-|–—]\s+[^-|–—]{1,40}$")


@lru_cache(maxsize=65536)
def _title_mark(title: str) -> str:
    return "title:" + _WORD.sub(" ", _OUTLET_SUFFIX.sub("", title).lower()).strip()


@lru_cache(maxsize=65536)
def _summary_mark(summary: str) -> str:
    text = _WORD.sub(" ", summary.lower()).strip()
    return "summary:" + text[:80] if len(text) >= 60 else ""


def _marks(article: Article) -> tuple[str, ...]:
    """Return what syndicated copies share: the link, the title, the opening of the summary.

    The parts are memoised: copies repeat their text."""
    return (
        "link:" + _norm_link(article.link) if article.link else "",
        _title_mark(article.title),
        _summary_mark(article.summary),
    )


def _units(articles: Sequence[Article]) -> tuple[list[int], list[int]]:
    """Group syndicated copies (same link, title or summary opening).

    Return, for each article (by index), its group's number (entries of one article
    id share a group) and its rank in time order (publication time, then id)."""
    units, rank, _ = _syndication(articles)
    return units, rank


def _syndication(
    articles: Sequence[Article],
) -> tuple[list[int], list[int], dict[str, tuple[int, int]]]:
    """Return ``_units``' groups and ranks, and each mark's group and first holder (by
    article index)."""
    node: dict[str, int] = {}
    nodes = [node.setdefault(article.article_id, i) for i, article in enumerate(articles)]
    parent = list(range(len(articles)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = x = parent[parent[x]]
        return x

    order = sorted(range(len(articles)),
                   key=lambda i: (articles[i].published_us, articles[i].article_id))
    first: dict[str, int] = {}
    rank = [0] * len(articles)
    for place, index in enumerate(order):
        rank[index] = place
        n = nodes[index]
        for mark in _marks(articles[index]):
            if len(mark) < 12:
                continue
            seen = first.setdefault(mark, n)
            if seen != n:
                a, b = find(seen), find(n)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return [find(n) for n in nodes], rank, {mark: (find(n), n) for mark, n in first.items()}


def _source(support: _Support) -> Source:
    article = support.article
    return Source(
        article_id=article.article_id,
        publisher=article.publisher,
        published_us=article.published_us,
        link=article.link,
        title=article.title,
        factuality=support.claim.factuality,
        authoritative=support.authority,
    )


@lru_cache(maxsize=65536)
def _is_authority(publisher: str, authorities: tuple[str, ...]) -> bool:
    publisher = publisher.lower()
    return any(publisher == a or publisher.endswith("." + a) for a in authorities)


def _strength(claim: Claim) -> tuple[int, str, str]:
    return (_RANK[claim.factuality], claim.rule, claim.evidence)


def _stands_for_holder(claim: Claim) -> bool:
    # "The Home Secretary was fired": who that was is read against the state (refine), not here.
    return isinstance(claim.value, str) and claim.value.startswith(HOLDER)


def _supports(
    model: StoryModel,
    evidence: Sequence[tuple[Article, Sequence[Claim]]],
    grouping: tuple[Sequence[int], Sequence[int]] | None = None,
    holders: dict[str, set[str]] | None = None,
) -> dict[Key, list[_Support]]:
    """Return, per slot operation, one support per article (its strongest claim).

    ``grouping`` (units and ranks, as ``_units`` gives them) and ``holders`` (as
    ``ever_set`` gives them) default to those of ``evidence`` itself."""
    units, rank = _units([article for article, _ in evidence]) if grouping is None else grouping
    known = {slot.name for slot in model.slots}
    if holders is None:
        holders = ever_set(model, evidence)
    authorities = model.corroboration.authoritative
    best: dict[tuple[str, str, SlotValue, str], tuple[Claim, int]] = {}
    for index, (article, claims) in enumerate(evidence):
        article_id = article.article_id
        for claim in claims:
            if claim.slot not in known or never_held(claim, holders) or _stands_for_holder(claim):
                continue
            pair = (claim.slot, claim.op, claim.value, article_id)
            found = best.get(pair)
            if found is None or _strength(claim) < _strength(found[0]):
                best[pair] = (claim, index)
    grouped: dict[Key, list[_Support]] = {}
    # In time order (publication time, then article id), so each list comes out sorted.
    for (slot, op, value, _), (claim, index) in sorted(best.items(), key=lambda e: rank[e[1][1]]):
        article = evidence[index][0]
        key = (slot, op, value)
        support = _Support(key, article, claim, units[index],
                           _is_authority(article.publisher, authorities))
        supports = grouped.get(key)
        if supports is None:
            grouped[key] = [support]
        else:
            supports.append(support)
    return grouped


def _distinct(supports: Sequence[_Support]) -> int:
    """Count distinct publishers, syndicated copies counting once."""
    seen_units: set[int] = set()
    publishers: set[str] = set()
    for support in supports:
        if support.unit in seen_units:
            continue
        seen_units.add(support.unit)
        publishers.add(support.article.publisher)
    return len(publishers)


def _conflicts(model: StoryModel, a: Key, b: Key) -> bool:
    """Whether two slot operations cannot both describe the same moment."""
    if a[0] != b[0] or a == b:
        return False
    spec = model.slot(a[0])
    if spec is not None and spec.kind == SINGLE:
        if "stay" in (a[1], b[1]):
            return a[2] == b[2] and "set" not in (a[1], b[1])   # staying on is no new holder
        return (a[1] == "set" and b[1] == "set") or a[2] == b[2]
    if a[1] in _WHOLE and b[1] in _WHOLE:
        return True                     # two different whole values (member lists)
    return _INVERSE.get(a[1]) == b[1] and a[2] == b[2]


def _times(grouped: dict[Key, list[_Support]], factuality: str) -> dict[Key, list[int]]:
    """Return, per key, the sorted publication times of its supports of one factuality."""
    return {
        key: [s.article.published_us for s in supports if s.claim.factuality == factuality]
        for key, supports in grouped.items()
    }


def _any_between(times: list[int], start: int, end: int) -> bool:
    """Whether a sorted list holds a time in [start, end]."""
    i = bisect_left(times, start)
    return i < len(times) and times[i] <= end


def _contradicted(
    model: StoryModel,
    key: Key,
    start: int,
    end: int,
    asserted: dict[Key, list[int]],
    negated: dict[Key, list[int]],
) -> bool:
    if _any_between(negated.get(key, []), start, end):
        return True
    return any(
        _conflicts(model, key, other) and _any_between(times, start, end)
        for other, times in asserted.items()
    )


def _interim(supports: Sequence[_Support]) -> bool | None:
    flags = [s.claim.interim for s in supports if s.claim.interim is not None]
    if not flags:
        return None
    return flags.count(True) > len(flags) / 2


def _dated(window: Sequence[_Support], lead_us: int) -> int:
    """Date a corroborated change by its earliest report that another publisher confirms soon after.

    One publisher whose clock runs hours ahead (a feed stamping local time as UTC) cannot
    date a change alone: its report counts only if another publisher's follows within
    ``lead_us``. A fast real scoop is confirmed within that lead, so it still dates it.
    """
    for index, support in enumerate(window):
        for other in window[index + 1:]:
            if other.article.published_us - support.article.published_us > lead_us:
                break
            if other.unit != support.unit and other.article.publisher != support.article.publisher:
                return support.article.published_us
    publishers: set[str] = set()
    for support in window:      # no pair that close: the time the second publisher reported
        publishers.add(support.article.publisher)
        if len(publishers) == 2:
            return support.article.published_us
    return window[0].article.published_us


def _accepted(
    model: StoryModel,
    evidence: Sequence[tuple[Article, Sequence[Claim]]],
    grouped: dict[Key, list[_Support]] | None = None,
) -> list[_Op]:
    if grouped is None:
        grouped = _supports(model, evidence)
    asserted_at = _times(grouped, "asserted")
    negated_at = _times(grouped, "negated")
    horizon = max((a.recorded_us for a, _ in evidence), default=0)
    ops: list[_Op] = []
    for key in sorted(grouped, key=repr):
        ops += _walk(model, key, _asserted(model, grouped[key]), False, horizon,
                     asserted_at, negated_at)
    return ops


def _asserted(model: StoryModel, supports: Sequence[_Support]) -> list[_Support]:
    """Return the asserted supports a key's walk looks at (none before the baseline)."""
    base = model.baseline.as_of_us
    return [s for s in supports if s.claim.factuality == "asserted" and s.article.published_us >= base]


def _walk(
    model: StoryModel,
    key: Key,
    asserted: Sequence[_Support],
    repeat: bool,
    horizon: int,
    asserted_at: dict[Key, list[int]],
    negated_at: dict[Key, list[int]],
) -> list[_Op]:
    """Walk one key's asserted supports (time order) window by window; return the accepted
    operations. ``repeat``: whether the key was accepted before the first of them."""
    rules = model.corroboration
    times = [s.article.published_us for s in asserted]
    authorities = [0]  # authorities[j]: authoritative supports among asserted[:j]
    for s in asserted:
        authorities.append(authorities[-1] + s.authority)
    ops: list[_Op] = []
    i = 0
    while i < len(asserted):
        start = times[i]
        end = bisect_right(times, start + rules.window_us, lo=i)
        window = asserted[i:end]
        authority = authorities[end] > authorities[i]
        single = False
        needed = rules.repeat_publishers if repeat else rules.publishers
        if not authority and _distinct(window) < needed:
            quiet_end = start + rules.quiet_us
            if repeat:
                i += 1
                continue
            if horizon < quiet_end or _contradicted(
                model, key, start - rules.lookback_us, quiet_end, asserted_at, negated_at
            ):
                i += 1
                continue
            single = True
        at = start if single or authority else _dated(window, rules.lead_us)
        day = agreed([s.claim.effective for s in window if s.claim.effective])
        note = None
        if day is not None and effective_us(day) > at:
            # A decided change dated by the day it takes effect, not the day it was told.
            at = effective_us(day)
            cue = next(s.claim.effective_cue for s in window if s.claim.effective == day)
            note = f"takes effect {day}: {cue}"
        ops.append(_Op(at, key[0], key[1], key[2], _interim(window), (), single,
                       note=note, window=tuple(window)))
        i += len(window)
        repeat = True
    return ops


def _corrected(model: StoryModel, ops: list[_Op], corrections: Sequence[Correction]) -> list[_Op]:
    window = model.corroboration.window_us
    kept = []
    for op in ops:
        key: Key = (op.slot, op.op, op.value)
        if any(
            abs(op.at_us - c.at_us) <= window
            and (_conflicts(model, key, (c.slot, c.op, c.value)) or key == (c.slot, c.op, c.value))
            for c in corrections
        ):
            continue
        kept.append(op)
    for c in corrections:
        source = Source(f"correction:{c.position}", "correction", c.at_us, c.source, c.note or "", "asserted", True)
        kept.append(_Op(c.at_us, c.slot, c.op, c.value, c.interim, (source,), False, True, c.note))
    return kept


def _order(model: StoryModel, op: _Op) -> tuple[int, int, int, str, str]:
    slot_rank = [s.name for s in model.slots].index(op.slot) if model.slot(op.slot) else 99
    # Within one instant: removals before additions, so a replacement reads naturally.
    op_rank = {"remove": 0, "untag": 0, "clear": 0, "unchair": 0, "replace": 1, "set": 1, "add": 2, "tag": 2, "chair": 3, "stay": 3}
    return (op.at_us, slot_rank, op_rank.get(op.op, 4), repr(op.value), op.op)


def accepted_changes(
    story: StoryDefinition,
    evidence: Sequence[tuple[Article, Sequence[Claim]]],
    corrections: Sequence[Correction] = (),
) -> list[tuple[int, str, str, SlotValue]]:
    """Return the operations (at, slot, op, value) behind the accepted transitions: the
    changes of the story's state (an operation accepted again while it holds is none)."""
    return changes_from_transitions(model_of(story), resolve(story, evidence, corrections))


def resolve(
    story: StoryDefinition,
    evidence: Sequence[tuple[Article, Sequence[Claim]]],
    corrections: Sequence[Correction] = (),
) -> list[Transition]:
    """Return the accepted transitions of a story, oldest first."""
    model = model_of(story)
    ops = _corrected(model, _accepted(model, evidence), [c for c in corrections if c.story == story.id])
    return fold(model, story.id, ops, baseline_held(model))


def fold(model: StoryModel, story_id: str, ops: list[_Op], held: dict[str, Held]) -> list[Transition]:
    """Fold operations (in ``_accepted`` order, corrections last) from the slots' values
    ``held`` (changed in place): the transitions, those that change nothing left out."""
    transitions: list[Transition] = []
    for op in sorted(ops, key=lambda o: _order(model, o)):
        before = held[op.slot]
        after = apply_op(model, op.slot, before, op.op, op.value, op.interim)
        if after == before:
            continue
        held[op.slot] = after
        transitions.append(
            Transition(
                story=story_id,
                slot=op.slot,
                at_us=op.at_us,
                op=op.op,  # type: ignore[arg-type]
                value=after.value,
                interim=after.interim,
                chair=after.chair,
                sources=op.sources or tuple(_source(s) for s in op.window),
                single_source=op.single_source,
                correction=op.correction,
                note=op.note,
            )
        )
    return transitions
