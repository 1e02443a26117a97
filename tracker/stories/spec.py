"""Read a story's slots, baseline, event meanings and corroboration settings.

These sections of a story file drive extraction, corroboration and the fold::

    [slots.ceo]      kind = "single", interim = true
    [slots.board]    kind = "set", chair = true
    [slots.microsoft] kind = "tags", tags = [...], subject = "microsoft"
    [baseline]       as_of, source, one key per slot (+ <slot>_chair, <slot>_interim)
    [corroboration]  publishers, window_hours, quiet_hours, lookback_hours,
                     repeat_publishers, authoritative
    [events]         event kind -> slot operations ("ceo set $person")
    [background]     event kind -> kinds an article reporting it tells as background
    [succession]     event kind -> kinds whose planned report beside it is decided

Values may name entities by id or canonical name; the model holds canonical names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.errors import ConfigError
from tracker.stories.definition import StoryDefinition
from tracker.timeutil import parse_instant, to_micros
from tracker.types import SlotValue

SINGLE, SET, TAGS = "single", "set", "tags"
HOUR_US = 3_600_000_000
_KINDS = {"single": SINGLE, "one": SINGLE, "set": SET, "people": SET, "tags": TAGS}
_OPS = ("set", "clear", "add", "remove", "replace", "tag", "untag", "chair")


@dataclass(frozen=True, slots=True)
class SlotSpec:
    """One slot: a single holder, a set of people, or a set of tags."""

    name: str
    kind: str
    tags: tuple[str, ...] = ()
    interim: bool = False
    chair: bool = False


@dataclass(frozen=True, slots=True)
class Baseline:
    """The state known before the story's period starts, with its date and source."""

    as_of_us: int
    source: str
    values: tuple[tuple[str, SlotValue], ...]
    chairs: tuple[tuple[str, str | None], ...] = ()
    interims: tuple[tuple[str, bool | None], ...] = ()

    def value(self, slot: str) -> SlotValue:
        """Return a slot's baseline value (None, or () for sets, when unset)."""
        return dict(self.values).get(slot)


@dataclass(frozen=True, slots=True)
class EventOp:
    """One slot operation an extracted event stands for."""

    slot: str
    op: str
    value: str          # "$person", "$people", a literal tag, or "" (clear)


@dataclass(frozen=True, slots=True)
class Corroboration:
    """How much support a change needs: N publishers in W, or one authority, or Q quiet."""

    publishers: int = 2
    window_us: int = 12 * HOUR_US
    quiet_us: int = 24 * HOUR_US
    authoritative: tuple[str, ...] = ()
    lookback_us: int = 7 * 24 * HOUR_US
    repeat_publishers: int = 4


@dataclass(frozen=True, slots=True)
class StoryModel:
    """Everything about a story's slots that the projections need."""

    story: str
    organisation: str                 # canonical name of the organisation the slots describe
    partner: str | None               # canonical name of the tagged partner, if any
    slots: tuple[SlotSpec, ...]
    baseline: Baseline
    events: tuple[tuple[str, tuple[EventOp, ...]], ...]
    corroboration: Corroboration
    background: tuple[tuple[str, tuple[str, ...]], ...] = ()
    succession: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def slot(self, name: str) -> SlotSpec | None:
        """Return a slot by name, or None."""
        for spec in self.slots:
            if spec.name == name:
                return spec
        return None

    def ops_for(self, event: str) -> tuple[EventOp, ...]:
        """Return the slot operations an event kind stands for (none when unknown)."""
        return dict(self.events).get(event, ())

    def succession_of(self, event: str) -> tuple[str, ...]:
        """Return the event kinds a planned report of becomes decided beside an asserted ``event``."""
        return dict(self.succession).get(event, ())

    def background_of(self, event: str) -> tuple[str, ...]:
        """Return the event kinds an article reporting ``event`` presents as background."""
        return dict(self.background).get(event, ())


_CACHE: dict[tuple[str, str], StoryModel] = {}


def model_of(story: StoryDefinition) -> StoryModel:
    """Return the story's slot model (cached by story digest); ConfigError when invalid."""
    key = (story.id, story.digest)
    model = _CACHE.get(key)
    if model is None:
        try:
            model = _build(story)
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{story.path}: invalid story definition: {exc}") from None
        _CACHE[key] = model
    return model


def _names(story: StoryDefinition) -> dict[str, str]:
    names: dict[str, str] = {}
    for entity in story.entities:
        names[entity.id] = entity.name
        names[entity.name] = entity.name
    return names


def _canonical(names: dict[str, str], value: Any, what: str) -> str:
    if not isinstance(value, str) or value not in names:
        raise ValueError(f"{what}: {value!r} is not a known entity")
    return names[value]


def _slots(raw: dict[str, Any]) -> tuple[SlotSpec, ...]:
    section = raw.get("slots", {})
    if not isinstance(section, dict):
        raise ValueError("[slots] must be a table of slot tables")
    specs = []
    for name in section:
        body = section[name]
        if not isinstance(body, dict):
            raise ValueError(f"slot {name!r} must be a table")
        kind = _KINDS.get(str(body.get("kind", "single")))
        if kind is None:
            raise ValueError(f"slot {name!r}: kind must be single, set or tags")
        tags = tuple(str(t) for t in body.get("tags", ()))
        specs.append(SlotSpec(name, kind, tags, bool(body.get("interim")), bool(body.get("chair"))))
    return tuple(specs)


def _baseline(raw: dict[str, Any], slots: tuple[SlotSpec, ...], names: dict[str, str]) -> Baseline:
    body = raw.get("baseline", {})
    if not isinstance(body, dict):
        raise ValueError("[baseline] must be a table")
    as_of = body.get("as_of")
    as_of_us = to_micros(parse_instant(as_of)) if isinstance(as_of, str) else 0
    values: list[tuple[str, SlotValue]] = []
    chairs: list[tuple[str, str | None]] = []
    interims: list[tuple[str, bool | None]] = []
    for spec in slots:
        given = body.get(spec.name)
        if spec.kind == SINGLE:
            values.append((spec.name, None if given is None else _canonical(names, given, spec.name)))
            interims.append((spec.name, bool(body.get(f"{spec.name}_interim", False))))
        elif spec.kind == SET:
            people = sorted(_canonical(names, v, spec.name) for v in (given or ()))
            values.append((spec.name, tuple(people)))
            chair = body.get(f"{spec.name}_chair")
            chairs.append((spec.name, None if chair is None else _canonical(names, chair, "chair")))
        else:
            tags = sorted(str(t) for t in (given or ()))
            unknown = [t for t in tags if spec.tags and t not in spec.tags]
            if unknown:
                raise ValueError(f"baseline {spec.name}: unknown tags {unknown}")
            values.append((spec.name, tuple(tags)))
    return Baseline(as_of_us, str(body.get("source", "")), tuple(values), tuple(chairs), tuple(interims))


def _events(raw: dict[str, Any], slots: tuple[SlotSpec, ...]) -> tuple[tuple[str, tuple[EventOp, ...]], ...]:
    section = raw.get("events", {})
    if not isinstance(section, dict):
        raise ValueError("[events] must be a table")
    known = {s.name: s for s in slots}
    events = []
    for event in sorted(section):
        ops = []
        for text in section[event]:
            parts = str(text).split()
            if len(parts) not in (2, 3) or parts[0] not in known or parts[1] not in _OPS:
                raise ValueError(f"event {event!r}: bad operation {text!r} (want 'SLOT OP [VALUE]')")
            value = parts[2] if len(parts) == 3 else ""
            spec = known[parts[0]]
            if spec.kind == TAGS and value and not value.startswith("$") and value not in spec.tags:
                raise ValueError(f"event {event!r}: {value!r} is not a tag of {spec.name!r}")
            ops.append(EventOp(parts[0], parts[1], value))
        events.append((event, tuple(ops)))
    return tuple(events)


def _corroboration(raw: dict[str, Any]) -> Corroboration:
    body = raw.get("corroboration", {})
    if not isinstance(body, dict):
        raise ValueError("[corroboration] must be a table")
    publishers = int(body.get("publishers", 2))
    if publishers < 1:
        raise ValueError("corroboration.publishers must be at least 1")
    return Corroboration(
        publishers=publishers,
        window_us=int(float(body.get("window_hours", 12)) * HOUR_US),
        quiet_us=int(float(body.get("quiet_hours", 24)) * HOUR_US),
        authoritative=tuple(sorted(str(a).lower() for a in body.get("authoritative", ()))),
        lookback_us=int(float(body.get("lookback_hours", 168)) * HOUR_US),
        repeat_publishers=int(body.get("repeat_publishers", 2 * publishers)),
    )


def _kinds_table(raw: dict[str, Any], name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise ValueError(f"[{name}] must be a table of event kinds")
    return tuple((str(k), tuple(str(x) for x in v)) for k, v in sorted(table.items()))


def _build(story: StoryDefinition) -> StoryModel:
    raw = story.raw
    names = _names(story)
    slots = _slots(raw)
    roles = raw.get("roles", {})
    organisation = _canonical(names, roles.get("organisation", story.entities[0].id), "roles.organisation")
    partner_id = roles.get("partner")
    partner = None if partner_id is None else _canonical(names, partner_id, "roles.partner")
    return StoryModel(
        story=story.id,
        organisation=organisation,
        partner=partner,
        slots=slots,
        baseline=_baseline(raw, slots, names),
        events=_events(raw, slots),
        corroboration=_corroboration(raw),
        background=_kinds_table(raw, "background"),
        succession=_kinds_table(raw, "succession"),
    )
