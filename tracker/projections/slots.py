"""What a story's slots accept: kind, default operation, allowed values.

Read from the story file's slot section when it has one (``[slots.<name>]`` or
``[[slot]]`` tables with ``kind`` and, for tags, ``tags``/``values``); a story
without one gets the three slots of the first story: ``ceo`` (one person),
``board`` (a set of people) and ``microsoft`` (a set of tags).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tracker.errors import InputError
from tracker.stories.definition import StoryDefinition

SINGLE, SET, TAGS = "single", "set", "tags"
_DEFAULT_OP = {SINGLE: "set", SET: "add", TAGS: "tag"}
_OPS = {SINGLE: ("set", "clear"), SET: ("add", "remove", "clear"), TAGS: ("tag", "untag", "clear")}
_KIND_WORDS = {
    "single": SINGLE, "one": SINGLE, "person": SINGLE, "holder": SINGLE, "value": SINGLE,
    "set": SET, "members": SET, "people": SET, "persons": SET, "many": SET, "list": SET,
    "tags": TAGS, "tag": TAGS, "roles": TAGS, "flags": TAGS,
}
_FALLBACK = {"ceo": SINGLE, "board": SET, "microsoft": TAGS}
_FALLBACK_TAGS = ("investor", "partner", "observer", "employer")


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


def _section(raw: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for key in ("slots", "slot"):
        section = raw.get(key)
        if isinstance(section, dict):
            for name, body in section.items():
                if isinstance(body, dict):
                    found[str(name)] = body
        elif isinstance(section, list):
            for body in section:
                if isinstance(body, dict) and isinstance(body.get("id", body.get("name")), str):
                    found[str(body.get("id", body.get("name")))] = body
    return found


def _kind(name: str, body: Mapping[str, Any]) -> str:
    for key in ("kind", "type", "cardinality"):
        word = body.get(key)
        if isinstance(word, str) and word.lower() in _KIND_WORDS:
            return _KIND_WORDS[word.lower()]
    if any(isinstance(body.get(k), list) for k in ("tags", "values")):
        return TAGS
    return _FALLBACK.get(name, SINGLE)


def _tags(body: Mapping[str, Any]) -> tuple[str, ...]:
    for key in ("tags", "values"):
        value = body.get(key)
        if isinstance(value, list):
            names = [v if isinstance(v, str) else v.get("id") for v in value]
            return tuple(str(n) for n in names if n)
        if isinstance(value, dict):
            return tuple(str(k) for k in value)
    return ()


def slot_specs(story: StoryDefinition) -> dict[str, SlotSpec]:
    """Return the story's slots by name."""
    section = _section(story.raw) or {name: {} for name in _FALLBACK}
    specs: dict[str, SlotSpec] = {}
    for name, body in section.items():
        kind = _kind(name, body)
        aliases: tuple[tuple[str, str], ...] = ()
        if kind == TAGS:
            values = _tags(body) or _FALLBACK_TAGS
        else:
            people = [e for e in story.entities if e.kind == "person"] or list(story.entities)
            values = tuple(e.name for e in people)
            aliases = tuple((a, e.name) for e in people for a in (e.id, *e.aliases))
        op = body.get("default_op")
        default = op if isinstance(op, str) and op in _OPS[kind] else _DEFAULT_OP[kind]
        specs[name] = SlotSpec(name, kind, default, _OPS[kind], values, aliases)
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
