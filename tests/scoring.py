"""Score a story's replayed state against a ground-truth file.

Truth files: the shared corpus's truth.toml (OpenAI) and tests/data/truth/<id>.toml
(the example stories); each names its slots and baseline. The score: at every
checkpoint each slot equals the truth; hour by hour the state agrees with the
truth except in the 6 h after each true transition; every true transition is
reached within 6 h (or a caller's tighter reach); the timeline makes no change
that is not within 6 h of a true transition of the same slot.

Callers supply ``state(at_us) -> {slot: value}`` and the timeline as
``(slot, at_us, value)`` triples, so the same scoring serves the library-level
test (extract -> resolve -> fold) and the end-to-end one (import -> CLI).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.timeutil import from_micros, isoformat, parse_instant, to_micros

HOUR = 3_600_000_000
SLACK = 6 * HOUR
Value = str | tuple[str, ...] | None
# Baseline keys that are not slots of their own: qualifiers of a slot, and the file's notes.
_NOT_SLOTS = ("as_of", "source")
_QUALIFIER_SUFFIXES = ("_interim", "_chair")


def _norm(value: Any) -> Value:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(sorted(str(v) for v in value))
    return value or None          # "" in a truth file is a vacant office


@dataclass(frozen=True)
class Truth:
    """The true baseline, transitions and checkpoints of a story."""

    start_us: int
    slots: tuple[str, ...]
    baseline: dict[str, Value]
    transitions: list[tuple[int, dict[str, Value]]]      # (at, slot values after)
    checkpoints: list[tuple[int, dict[str, Value]]]

    def at(self, at_us: int) -> dict[str, Value]:
        """Return the true state at an instant."""
        state = dict(self.baseline)
        for when, values in self.transitions:
            if when <= at_us:
                state.update(values)
        return state

    def changes(self, slot: str) -> list[int]:
        """Return the instants at which a slot truly changes."""
        return [when for when, values in self.transitions if slot in values]


def load_truth(path: Path) -> Truth:
    """Parse a truth file into a Truth.

    The slots are the file's ``slots = [...]``, else every baseline key but
    ``as_of``, ``source`` and the ``<slot>_interim`` / ``<slot>_chair`` qualifiers.
    A truth may list ``<slot>_interim`` in ``slots`` to score that flag too (true
    while the holder is acting or caretaker). A slot whose baseline is a list is a set: a transition gives it whole
    (``<slot>_set``) or changes it (``<slot>_add``, ``<slot>_remove``); any other
    slot is given by ``<slot> = value`` (``""`` for vacant).
    """
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    base = raw["baseline"]
    slots = tuple(raw.get("slots") or (
        key for key in base if key not in _NOT_SLOTS and not key.endswith(_QUALIFIER_SUFFIXES)
    ))
    sets = {slot for slot in slots if isinstance(base.get(slot), list)}
    state: dict[str, Value] = {slot: _norm(base.get(slot)) for slot in slots}
    baseline = dict(state)
    transitions = []
    for item in raw.get("transition", []):
        after: dict[str, Value] = {}
        for slot in slots:
            if slot not in sets:
                if slot in item and _norm(item[slot]) != state[slot]:
                    after[slot] = _norm(item[slot])
                continue
            members = set(state[slot] or ())
            if f"{slot}_set" in item:
                members = set(item[f"{slot}_set"])
            members -= set(item.get(f"{slot}_remove", ()))
            members |= set(item.get(f"{slot}_add", ()))
            if _norm(members) != state[slot]:
                after[slot] = _norm(members)
        state.update(after)
        transitions.append((to_micros(parse_instant(item["at"])), after))
    checkpoints = [
        (to_micros(parse_instant(c["at"])), {k: _norm(v) for k, v in c["expect"].items()})
        for c in raw.get("checkpoint", [])
    ]
    return Truth(to_micros(parse_instant(base["as_of"])), slots, baseline, transitions, checkpoints)


@dataclass
class Score:
    """What the scoring found."""

    checkpoints_ok: int = 0
    checkpoints_total: int = 0
    hours_ok: int = 0
    hours_total: int = 0
    transitions_found: int = 0
    transitions_total: int = 0
    spurious: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def hourly_agreement(self) -> float:
        """Return the share of hour-slot checks that agreed (1.0 when none ran)."""
        return self.hours_ok / self.hours_total if self.hours_total else 1.0

    @property
    def perfect(self) -> bool:
        """Whether everything agreed."""
        return (
            self.checkpoints_ok == self.checkpoints_total
            and self.hours_ok == self.hours_total
            and self.transitions_found == self.transitions_total
            and not self.spurious
        )

    def summary(self) -> str:
        """Return a one-paragraph report, with the first failures."""
        lines = [
            f"checkpoints {self.checkpoints_ok}/{self.checkpoints_total}, "
            f"hourly agreement {100 * self.hourly_agreement:.2f}% ({self.hours_ok}/{self.hours_total}), "
            f"transitions found {self.transitions_found}/{self.transitions_total}, "
            f"spurious changes {len(self.spurious)}"
        ]
        lines += self.failures[:15] + self.spurious[:15]
        return "\n".join(lines)


def score(
    truth: Truth,
    state: Callable[[int], dict[str, Any]],
    timeline: Iterable[tuple[str, int, Any]],
    end_us: int,
    slots: Sequence[str] | None = None,
    reach_us: int = SLACK,
) -> Score:
    """Score a replayed story against the truth, hour by hour up to ``end_us``.

    ``slots`` defaults to the truth's; a transition counts as found when the
    state shows it within ``reach_us`` of the true instant.
    """
    slots = truth.slots if slots is None else tuple(slots)
    result = Score()
    for at_us, expect in truth.checkpoints:
        got = state(at_us)
        for slot, want in expect.items():
            result.checkpoints_total += 1
            if _norm(got.get(slot)) == want:
                result.checkpoints_ok += 1
            else:
                result.failures.append(f"checkpoint {isoformat(from_micros(at_us))} {slot}: {_norm(got.get(slot))!r} != {want!r}")
    hour = truth.start_us
    while hour <= end_us:
        got = state(hour)
        want = truth.at(hour)
        for slot in slots:
            if any(t <= hour <= t + SLACK for t in truth.changes(slot)):
                continue
            result.hours_total += 1
            if _norm(got.get(slot)) == want[slot]:
                result.hours_ok += 1
            else:
                result.failures.append(f"hour {isoformat(from_micros(hour))} {slot}: {_norm(got.get(slot))!r} != {want[slot]!r}")
        hour += HOUR
    for at_us, values in truth.transitions:
        for slot, want in values.items():
            result.transitions_total += 1
            reached = any(
                _norm(state(at_us + step).get(slot)) == want for step in range(0, reach_us + 1, HOUR // 4)
            )
            if reached:
                result.transitions_found += 1
            else:
                result.failures.append(f"transition {isoformat(from_micros(at_us))} {slot} -> {want!r} "
                                       f"not reached within {reach_us / HOUR:g} h")
    for slot, at_us, value in timeline:
        if slot not in slots:
            continue
        if not any(abs(at_us - t) <= SLACK for t in truth.changes(slot)):
            result.spurious.append(f"spurious change {isoformat(from_micros(at_us))} {slot} -> {_norm(value)!r}")
    return result
