"""Fold transitions into a story's state at an instant, from the story's baseline.

Contract: ``state_at(story, transitions, as_of_us)`` is a pure fold of the
baseline and every transition with ``at_us <= as_of_us`` (None: all of them).
Each transition carries its slot's whole value after the change, so the fold is
"the last transition of each slot at or before the instant, else the baseline".
``apply_op`` is the one place that says what an operation does to a slot; the
corroboration step uses it to compute those values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.stories.definition import StoryDefinition
from tracker.stories.spec import SET, SINGLE, StoryModel, model_of
from tracker.timeutil import to_micros, utcnow
from tracker.types import SlotState, SlotValue, StoryState, Transition


@dataclass(frozen=True, slots=True)
class Held:
    """A slot's value with its interim flag and chair, as operations see it."""

    value: SlotValue
    interim: bool | None = None
    chair: str | None = None


def baseline_held(model: StoryModel) -> dict[str, Held]:
    """Return every slot's baseline value, by slot name."""
    chairs = dict(model.baseline.chairs)
    interims = dict(model.baseline.interims)
    held = {}
    for spec in model.slots:
        value = model.baseline.value(spec.name)
        if spec.kind != SINGLE and value is None:
            value = ()
        held[spec.name] = Held(value, interims.get(spec.name), chairs.get(spec.name))
    return held


def apply_op(
    model: StoryModel, slot: str, held: Held, op: str, value: SlotValue, interim: bool | None = None
) -> Held:
    """Return a slot's value after one operation (unchanged when it does not apply)."""
    spec = model.slot(slot)
    if spec is None:
        return held
    if spec.kind == SINGLE:
        if op == "set" and isinstance(value, str):
            if interim is None and value == held.value:
                return held
            return Held(value, bool(interim) if spec.interim else None)
        if op == "clear" or (op == "remove" and value == held.value):
            return Held(None, None)
        if op == "stay" and value == held.value and spec.interim and not held.interim:
            # A holder who resigns and stays on until a successor: still the holder, now interim.
            return Held(held.value, True)
        return held
    members = set(held.value) if isinstance(held.value, tuple) else set()
    items = set(value) if isinstance(value, tuple) else ({value} if isinstance(value, str) else set())
    chair = held.chair
    if op in ("add", "tag"):
        members |= items
    elif op in ("remove", "untag"):
        members -= items
    elif op in ("replace", "set"):
        members = items
    elif op == "clear":
        members = set()
    elif op == "chair" and spec.kind == SET and isinstance(value, str):
        members.add(value)
        chair = value
    elif op == "unchair" and value == chair:
        chair = None        # the chair steps down and keeps the seat
    if spec.kind == SET and chair is not None and chair not in members:
        chair = None
    return Held(tuple(sorted(members)), None, chair if spec.kind == SET else None)


def _slot_state(name: str, held: Held, last: Transition | None) -> SlotState:
    if last is None:
        return SlotState(name, held.value, None, held.interim, held.chair)
    return SlotState(
        slot=name,
        value=last.value,
        since_us=last.at_us,
        interim=last.interim,
        chair=last.chair,
        evidence=last.sources,
        single_source=last.single_source,
    )


def until(as_of_us: int | None) -> int:
    """The instant a state "now" (no ``as_of``) is read at: the present, so a decided change
    dated by the later day it takes effect does not show before that day."""
    return as_of_us if as_of_us is not None else to_micros(utcnow())


def state_at(
    story: StoryDefinition,
    transitions: Sequence[Transition],
    as_of_us: int | None,
    known_at_us: int | None = None,
) -> StoryState:
    """Return the story's state at ``as_of_us`` (event time): baseline + transitions up to it."""
    model = model_of(story)
    base = baseline_held(model)
    last: dict[str, Transition] = {}
    for transition in transitions:
        if as_of_us is not None and transition.at_us > as_of_us:
            continue
        previous = last.get(transition.slot)
        if previous is None or transition.at_us >= previous.at_us:
            last[transition.slot] = transition
    slots = tuple(_slot_state(spec.name, base[spec.name], last.get(spec.name)) for spec in model.slots)
    return StoryState(story.id, as_of_us, known_at_us, slots)


def value_of(state: StoryState, slot: str) -> SlotValue:
    """Return one slot's value in a state (KeyError when the story has no such slot)."""
    for held in state.slots:
        if held.slot == slot:
            return held.value
    raise KeyError(slot)


__all__ = ["SET", "Held", "apply_op", "baseline_held", "state_at", "until", "value_of"]
