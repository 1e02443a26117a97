"""What a story's slots accept from a person (``tracker assert``): op, and allowed values.

A thin view of the story model (``tracker.stories.spec``), the one place slots
are read: the same slots, kinds and tags everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.errors import InputError
from tracker.stories.definition import PERSON, StoryDefinition
from tracker.stories.spec import SET, SINGLE, TAGS, model_of

__all__ = ["SET", "SINGLE", "TAGS", "SlotSpec", "slot_spec", "slot_specs"]


@dataclass(frozen=True, slots=True)
class SlotSpec:
    """One slot: its kind (single, set, tags), default op and the values it takes."""

    name: str
    kind: str
    default_op: str
    ops: tuple[str, ...]
    values: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()

    def canonical(self, text: str) -> str:
        """Return the canonical value for a user's spelling, or raise InputError."""
        wanted = text.strip().casefold()
        for value in self.values:
            if value.casefold() == wanted:
                return value
        for alias, value in self.aliases:
            if alias.casefold() == wanted:
                return value
        raise InputError(
            f"{text!r} is not a value of slot {self.name!r} (one of: {', '.join(self.values)})"
        )


def slot_specs(story: StoryDefinition) -> dict[str, SlotSpec]:
    """Return the story's slots by name."""
    model = model_of(story)
    people = [e for e in story.entities if e.kind == PERSON]
    specs: dict[str, SlotSpec] = {}
    for spec in model.slots:
        if spec.kind == TAGS:
            specs[spec.name] = SlotSpec(spec.name, TAGS, spec.default_op, spec.ops, spec.tags)
            continue
        values = tuple(e.name for e in people)
        aliases = tuple((a, e.name) for e in people for a in (e.id, *e.aliases))
        # 'stay' (the holder stays on as interim) needs an office that can be held interim.
        ops = tuple(op for op in spec.ops if op != "stay" or spec.interim)
        specs[spec.name] = SlotSpec(spec.name, spec.kind, spec.default_op, ops, values, aliases)
    return specs


def slot_spec(story: StoryDefinition, slot: str) -> SlotSpec:
    """Return one slot of a story, or raise InputError naming the known ones."""
    specs = slot_specs(story)
    try:
        return specs[slot]
    except KeyError:
        raise InputError(
            f"unknown slot {slot!r} for story {story.id!r} (one of: {', '.join(specs)})"
        ) from None
