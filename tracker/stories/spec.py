"""Read a story's offices, baseline, event meanings and corroboration into frozen types.

This is the one place a story file's sections are interpreted (``definition``
checks its keys and entities first); extraction, corroboration, the fold and the
CLI all use the ``StoryModel`` built here::

    [slots.ceo]    kind = "single", body = "openai", roles = {en = [...]}, qualifiers = ["interim"]
    [slots.board]  kind = "set", body = "openai", roles = {...}, qualifiers = ["chair"]
    [slots.microsoft] kind = "tags", body = "openai", subject = "microsoft", tags = [...], cues = {...}
    [baseline]     as_of, source, one key per slot (+ <slot>_chair, <slot>_interim)
    [corroboration] publishers, window_hours, quiet_hours, lookback_hours, repeat_publishers, lead_hours,
                   authoritative
    [events]       "KIND TARGET" -> slot operations ("ceo set $person"); defaults follow the slot kinds
    [background]   "KIND TARGET" -> event kinds an article reporting it tells as background
    [succession]   "KIND TARGET" -> event kinds whose planned report beside it is decided

Values may name entities by id or canonical name; the model holds canonical names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.errors import ConfigError
from tracker.stories.definition import PERSON, Entity, StoryDefinition
from tracker.timeutil import parse_instant, to_micros
from tracker.types import SlotValue

SINGLE, SET, TAGS = "single", "set", "tags"
KINDS = (SINGLE, SET, TAGS)
HOUR_US = 3_600_000_000
OPS = ("set", "clear", "add", "remove", "replace", "tag", "untag", "chair", "unchair", "stay")
QUALIFIERS = {SINGLE: ("interim", "elect"), SET: ("chair",), TAGS: ()}
EVENT_KINDS = (
    "appoint", "elect", "win", "take_office", "return", "replace", "remove", "resign",
    "join", "leave", "chair", "unchair", "new", "tag",
)
ENTITY_EVENTS = ("join", "leave", "return")
_FILLS = ("appoint", "take_office", "return", "replace", "elect", "win")
_EMPTIES = ("remove", "resign", "leave")
_OPS_BY_KIND = {SINGLE: ("set", "clear", "remove", "stay"), SET: ("add", "remove", "replace", "chair", "unchair", "clear"),
                TAGS: ("tag", "untag", "clear")}
_DEFAULT_OP = {SINGLE: "set", SET: "add", TAGS: "tag"}


@dataclass(frozen=True, slots=True)
class SlotSpec:
    """One office (slot): a single holder, a set of members, or a set of tags."""

    name: str
    kind: str
    body: str | None = None                 # entity id of the body the office belongs to
    subject: str | None = None              # tags: the entity whose relationship is tagged
    roles: tuple[tuple[str, tuple[str, ...]], ...] = ()     # language -> role nouns
    seats: tuple[tuple[str, tuple[str, ...]], ...] = ()     # language -> place names standing for the office
    qualifiers: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()            # entity ids that also fill or empty the office
    tags: tuple[str, ...] = ()
    tag_cues: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = ()  # tag -> lang -> words
    head: bool = False                      # the office that leads its body ("takes the helm")
    elect_of: str | None = None             # for <office>_elect: the office it is the holder-elect of

    @property
    def interim(self) -> bool:
        return "interim" in self.qualifiers

    @property
    def chair(self) -> bool:
        return "chair" in self.qualifiers

    @property
    def elect(self) -> bool:
        return "elect" in self.qualifiers

    @property
    def default_op(self) -> str:
        return _DEFAULT_OP[self.kind]

    @property
    def ops(self) -> tuple[str, ...]:
        return _OPS_BY_KIND[self.kind]

    def role_nouns(self, language: str) -> tuple[str, ...]:
        """Return the office's role nouns in one language (none: no role frame applies)."""
        return dict(self.roles).get(language, ())

    def seat_names(self, language: str) -> tuple[str, ...]:
        """Return the place names that stand for the office in one language ("Bercy", "Matignon")."""
        return dict(self.seats).get(language, ())


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
    value: str          # "$person", "$people", "$tag", a literal tag, or "" (clear)


@dataclass(frozen=True, slots=True)
class Corroboration:
    """How much support a change needs: N publishers in W, or one authority, or Q quiet."""

    publishers: int = 2
    window_us: int = 12 * HOUR_US
    quiet_us: int = 24 * HOUR_US
    authoritative: tuple[str, ...] = ()
    lookback_us: int = 7 * 24 * HOUR_US
    repeat_publishers: int = 4
    lead_us: int = 2 * HOUR_US          # a report dates a change only if another publisher follows within this


@dataclass(frozen=True, slots=True)
class StoryModel:
    """Everything about a story's offices that extraction, resolution and the fold need."""

    story: str
    slots: tuple[SlotSpec, ...]
    baseline: Baseline
    events: tuple[tuple[str, tuple[EventOp, ...]], ...]
    corroboration: Corroboration
    background: tuple[tuple[str, tuple[str, ...]], ...] = ()
    succession: tuple[tuple[str, tuple[str, ...]], ...] = ()
    entities: tuple[Entity, ...] = field(default=(), compare=False)

    def slot(self, name: str) -> SlotSpec | None:
        """Return a slot by name, or None."""
        for spec in self.slots:
            if spec.name == name:
                return spec
        return None

    def entity(self, entity_id: str) -> Entity | None:
        """Return an entity by id, or None."""
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        return None

    def bodies(self) -> tuple[str, ...]:
        """Return the entity ids that offices belong to, in declaration order."""
        seen: list[str] = []
        for spec in self.slots:
            if spec.body and spec.kind != TAGS and spec.body not in seen:
                seen.append(spec.body)
        return tuple(seen)

    def head_of(self, body: str) -> SlotSpec | None:
        """Return the office that leads a body: one marked ``head``, else its only single office."""
        singles = [s for s in self.slots if s.body == body and s.kind == SINGLE and s.elect_of is None]
        marked = [s for s in singles if s.head]
        if marked:
            return marked[0]
        return singles[0] if len(singles) == 1 else None

    def ops_for(self, event: str) -> tuple[EventOp, ...]:
        """Return the slot operations an event ("KIND TARGET") stands for (none when unknown)."""
        return dict(self.events).get(event, ())

    def succession_of(self, event: str) -> tuple[str, ...]:
        """Return the event keys a planned report of becomes decided beside an asserted ``event``."""
        return _lookup(self.succession, event)

    def background_of(self, event: str) -> tuple[str, ...]:
        """Return the event keys an article reporting ``event`` presents as background."""
        return _lookup(self.background, event)


def _lookup(table: tuple[tuple[str, tuple[str, ...]], ...], event: str) -> tuple[str, ...]:
    found = dict(table)
    return found.get(event, ()) + found.get(event.split(" ")[0], ())


def event_matches(pattern: str, event: str) -> bool:
    """Whether an event key ("leave openai") matches a pattern ("leave openai" or just "leave")."""
    return pattern == event or (" " not in pattern and event.split(" ")[0] == pattern)


_CACHE: dict[tuple[str, str], StoryModel] = {}


def model_of(story: StoryDefinition) -> StoryModel:
    """Return the story's model (cached by story digest); ConfigError when invalid."""
    key = (story.id, story.digest)
    model = _CACHE.get(key)
    if model is None:
        try:
            model = _build(story)
        except ValueError as exc:
            raise ConfigError(f"{story.path}: {exc}") from None
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
        known = ", ".join(sorted({v for v in names.values()}))
        raise ValueError(f"{what}: {value!r} is not a known entity (one of: {known})")
    return names[value]


def _body(story: StoryDefinition, value: Any, what: str, person_ok: bool = False) -> str:
    ids = {e.id: e for e in story.entities}
    if not isinstance(value, str) or value not in ids or (ids[value].kind == PERSON and not person_ok):
        known = ", ".join(e.id for e in story.entities if person_ok or e.kind != PERSON) or "none"
        raise ValueError(f"{what}: {value!r} is not an entity id{'' if person_ok else ' of a body'} "
                         f"(one of: {known})")
    return value


def _words_by_language(value: Any, what: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a table of languages: {{ en = [...], fr = [...] }}")
    from tracker.stories.extract.rules import codes

    known = codes()
    out = []
    for code, words in sorted(value.items()):
        if code not in known:
            raise ValueError(f"{what}: unknown language {code!r} (one of: {', '.join(known)})")
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise ValueError(f"{what}.{code} must be a list of non-empty strings")
        out.append((code, tuple(words)))
    return tuple(out)


def _slots(story: StoryDefinition) -> tuple[SlotSpec, ...]:
    section = story.raw.get("slots", {})
    specs: list[SlotSpec] = []
    default_body = next((e.id for e in story.entities if e.kind != PERSON), None)
    for name, body in section.items():
        kind = body.get("kind", SINGLE)
        if kind not in KINDS:
            raise ValueError(f"slot {name!r}: kind {kind!r} is not one of: {', '.join(KINDS)}")
        qualifiers = tuple(str(q) for q in body.get("qualifiers", ()))
        for qualifier in qualifiers:
            if qualifier not in QUALIFIERS[kind]:
                allowed = ", ".join(QUALIFIERS[kind]) or "none"
                raise ValueError(f"slot {name!r}: qualifier {qualifier!r} does not apply to a {kind} "
                                 f"slot (one of: {allowed})")
        owner = body.get("body", default_body)
        owner = None if owner is None else _body(story, owner, f"slot {name!r} body")
        subject = None
        tags: tuple[str, ...] = ()
        tag_cues: list[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]] = []
        if kind == TAGS:
            subject = _body(story, body.get("subject", owner), f"slot {name!r} subject")
            tags = tuple(str(t) for t in body.get("tags", ()))
            if not tags:
                raise ValueError(f"slot {name!r}: a tags slot needs its vocabulary in tags = [...]")
            cues = body.get("cues", {})
            if not isinstance(cues, dict):
                raise ValueError(f"slot {name!r}: cues must be a table of tags")
            for tag, words in sorted(cues.items()):
                if tag not in tags:
                    raise ValueError(f"slot {name!r}: cues for {tag!r}, which is not one of its tags "
                                     f"({', '.join(tags)})")
                tag_cues.append((tag, _words_by_language(words, f"slot {name!r} cues.{tag}")))
        actors = tuple(_body(story, a, f"slot {name!r} actors", person_ok=True) for a in body.get("actors", ()))
        spec = SlotSpec(
            name=name, kind=kind, body=owner, subject=subject,
            roles=_words_by_language(body.get("roles"), f"slot {name!r} roles"),
            seats=_words_by_language(body.get("seats"), f"slot {name!r} seats"),
            qualifiers=qualifiers, actors=actors, tags=tags, tag_cues=tuple(tag_cues),
            head=bool(body.get("head", False)),
        )
        specs.append(spec)
        if spec.elect:
            specs.append(SlotSpec(name=f"{name}_elect", kind=SINGLE, body=owner, elect_of=name))
    names = [s.name for s in specs]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"slot {name!r} is defined twice (an 'elect' qualifier adds {name!r})")
    return tuple(specs)


def _baseline(raw: dict[str, Any], slots: tuple[SlotSpec, ...], names: dict[str, str]) -> Baseline:
    body = raw.get("baseline", {})
    allowed = ["as_of", "source"]
    for spec in slots:
        allowed.append(spec.name)
        if spec.kind == SINGLE and spec.interim:
            allowed.append(f"{spec.name}_interim")
        if spec.kind == SET and spec.chair:
            allowed.append(f"{spec.name}_chair")
    for key in body:
        if key not in allowed:
            raise ValueError(f"baseline.{key}: unknown key in [baseline] (valid: {', '.join(allowed)})")
    as_of = body.get("as_of")
    try:
        as_of_us = to_micros(parse_instant(as_of)) if isinstance(as_of, str) else 0
    except Exception:  # parse_instant raises InputError with its own words
        raise ValueError(f"baseline.as_of: {as_of!r} is not an ISO 8601 instant") from None
    values: list[tuple[str, SlotValue]] = []
    chairs: list[tuple[str, str | None]] = []
    interims: list[tuple[str, bool | None]] = []
    for spec in slots:
        given = body.get(spec.name)
        if spec.kind == SINGLE:
            values.append((spec.name, None if given is None else _canonical(names, given, f"baseline.{spec.name}")))
            interims.append((spec.name, bool(body.get(f"{spec.name}_interim", False))))
        elif spec.kind == SET:
            if given is not None and not isinstance(given, list):
                raise ValueError(f"baseline.{spec.name} must be a list")
            people = sorted(_canonical(names, v, f"baseline.{spec.name}") for v in (given or ()))
            values.append((spec.name, tuple(people)))
            chair = body.get(f"{spec.name}_chair")
            chairs.append((spec.name, None if chair is None else _canonical(names, chair, f"baseline.{spec.name}_chair")))
        else:
            if given is not None and not isinstance(given, list):
                raise ValueError(f"baseline.{spec.name} must be a list of tags")
            tags = sorted(str(t) for t in (given or ()))
            unknown = [t for t in tags if t not in spec.tags]
            if unknown:
                raise ValueError(f"baseline.{spec.name}: {unknown[0]!r} is not one of its tags ({', '.join(spec.tags)})")
            values.append((spec.name, tuple(tags)))
    return Baseline(as_of_us, str(body.get("source", "")), tuple(values), tuple(chairs), tuple(interims))


def _default_ops(kind: str, spec: SlotSpec, tag: str = "") -> tuple[EventOp, ...]:
    """What an event bound to a slot does when the story file does not say."""
    if spec.kind == SINGLE:
        if spec.elect and kind in ("elect", "win"):
            return (EventOp(f"{spec.name}_elect", "set", "$person"),)
        if spec.elect and kind == "take_office":
            return (EventOp(spec.name, "set", "$person"), EventOp(f"{spec.name}_elect", "clear", ""))
        if kind in _FILLS:
            return (EventOp(spec.name, "set", "$person"),)
        if kind in _EMPTIES:
            return (EventOp(spec.name, "remove", "$person"),)
    elif spec.kind == SET:
        if kind in (*_FILLS, "join"):
            return (EventOp(spec.name, "add", "$person"),)
        if kind in _EMPTIES:
            return (EventOp(spec.name, "remove", "$person"),)
        if kind in ("chair", "unchair"):
            return (EventOp(spec.name, kind, "$person"),)
        if kind == "new":
            return (EventOp(spec.name, "replace", "$people"),)
    elif kind == "tag":
        return (EventOp(spec.name, "tag", "$tag"),)
    return ()


def _parse_op(text: Any, slots: dict[str, SlotSpec], what: str) -> EventOp:
    parts = str(text).split()
    if len(parts) not in (2, 3) or parts[0] not in slots or parts[1] not in OPS:
        raise ValueError(f"{what}: bad operation {text!r} (want 'SLOT OP [VALUE]' with SLOT one of "
                         f"{', '.join(slots)} and OP one of {', '.join(OPS)})")
    spec = slots[parts[0]]
    value = parts[2] if len(parts) == 3 else ""
    if parts[1] not in spec.ops:
        raise ValueError(f"{what}: {parts[1]!r} does not apply to the {spec.kind} slot {spec.name!r} "
                         f"(one of: {', '.join(spec.ops)})")
    if parts[1] == "stay" and not spec.interim:
        raise ValueError(f"{what}: 'stay' marks the holder interim: write qualifiers = [\"interim\"] "
                         f"in [slots.{spec.name}]")
    if spec.kind == TAGS and value and not value.startswith("$") and value not in spec.tags:
        raise ValueError(f"{what}: {value!r} is not a tag of {spec.name!r} ({', '.join(spec.tags)})")
    if value.startswith("$") and value not in ("$person", "$people", "$tag"):
        raise ValueError(f"{what}: unknown variable {value!r} (one of: $person, $people, $tag)")
    return EventOp(parts[0], parts[1], value)


def _event_key(key: str, slots: dict[str, SlotSpec], bodies: set[str], what: str) -> str:
    parts = key.split()
    if len(parts) != 2 or parts[0] not in EVENT_KINDS:
        raise ValueError(f"{what}: {key!r} is not 'KIND TARGET' (KIND one of: {', '.join(EVENT_KINDS)})")
    if parts[1] not in slots and parts[1] not in bodies:
        raise ValueError(f"{what}: {key!r}: {parts[1]!r} is not a slot or a body "
                         f"(one of: {', '.join([*slots, *sorted(bodies)])})")
    if parts[1] in bodies and parts[1] not in slots and parts[0] not in ENTITY_EVENTS:
        raise ValueError(f"{what}: {key!r}: an organisation takes only {', '.join(ENTITY_EVENTS)}")
    return key


def _events(story: StoryDefinition, slots: tuple[SlotSpec, ...]) -> tuple[tuple[str, tuple[EventOp, ...]], ...]:
    by_name = {s.name: s for s in slots}
    bodies = {e.id for e in story.entities if e.kind != PERSON}
    table: dict[str, tuple[EventOp, ...]] = {}
    for spec in slots:
        if spec.elect_of is not None:
            continue
        for kind in EVENT_KINDS:
            ops = _default_ops(kind, spec)
            if ops:
                table[f"{kind} {spec.name}"] = ops
    for body in bodies:
        table[f"leave {body}"] = tuple(
            EventOp(s.name, "remove", "$person") for s in slots
            if s.body == body and s.kind in (SINGLE, SET) and s.elect_of is None
        )
    for key, ops in story.raw.get("events", {}).items():
        what = f"[events] {key!r}"
        _event_key(key, by_name, bodies, "[events]")
        if not isinstance(ops, list):
            raise ValueError(f"{what} must be a list of operations")
        table[key] = tuple(_parse_op(text, by_name, what) for text in ops)
    return tuple(sorted((k, v) for k, v in table.items() if v))


def _kinds_table(story: StoryDefinition, name: str, slots: tuple[SlotSpec, ...],
                 default: dict[str, tuple[str, ...]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    table = story.raw.get(name)
    if table is None:
        return tuple(sorted(default.items()))
    by_name = {s.name: s for s in slots}
    bodies = {e.id for e in story.entities if e.kind != PERSON}
    out = []
    for key, kinds in sorted(table.items()):
        if " " in key:
            _event_key(key, by_name, bodies, f"[{name}]")
        elif key not in EVENT_KINDS:
            raise ValueError(f"[{name}]: {key!r} is not an event kind (one of: {', '.join(EVENT_KINDS)})")
        if not isinstance(kinds, list):
            raise ValueError(f"[{name}] {key!r} must be a list of event kinds")
        for kind in kinds:
            if str(kind).split(" ")[0] not in EVENT_KINDS:
                raise ValueError(f"[{name}] {key!r}: {kind!r} is not an event kind (one of: {', '.join(EVENT_KINDS)})")
        out.append((key, tuple(str(k) for k in kinds)))
    return tuple(out)


def _default_background(story: StoryDefinition, slots: tuple[SlotSpec, ...]) -> dict[str, tuple[str, ...]]:
    """An asserted return tells the departures it reverses, and a move elsewhere, as background."""
    bodies = [e.id for e in story.entities if e.kind != PERSON]
    offices = [s.name for s in slots if s.kind in (SINGLE, SET) and s.elect_of is None]
    told = [f"leave {b}" for b in bodies] + [f"{k} {s}" for s in offices for k in ("remove", "resign")]
    return {"return": tuple(told + [f"join {b}" for b in bodies])}


def _default_succession(slots: tuple[SlotSpec, ...]) -> dict[str, tuple[str, ...]]:
    """A successor planned beside an asserted departure is decided ("X is out; Y will lead")."""
    fills = tuple(f"appoint {s.name}" for s in slots if s.kind == SINGLE and s.elect_of is None)
    return {kind: fills for kind in ("leave", "remove", "resign")}


def _corroboration(raw: dict[str, Any]) -> Corroboration:
    body = raw.get("corroboration", {})
    try:
        publishers = int(body.get("publishers", 2))
        window = float(body.get("window_hours", 12))
        quiet = float(body.get("quiet_hours", 24))
        lookback = float(body.get("lookback_hours", 168))
        repeat = int(body.get("repeat_publishers", 2 * publishers))
        lead = float(body.get("lead_hours", 2))
    except (TypeError, ValueError):
        raise ValueError("[corroboration]: publishers, window_hours, quiet_hours, lookback_hours and "
                         "repeat_publishers must be numbers") from None
    if publishers < 1:
        raise ValueError("corroboration.publishers must be at least 1")
    authoritative = body.get("authoritative", [])
    if not isinstance(authoritative, list):
        raise ValueError("corroboration.authoritative must be a list of publishers (domains)")
    return Corroboration(
        publishers=publishers,
        window_us=int(window * HOUR_US),
        quiet_us=int(quiet * HOUR_US),
        authoritative=tuple(sorted(str(a).lower() for a in authoritative)),
        lookback_us=int(lookback * HOUR_US),
        repeat_publishers=repeat,
        lead_us=int(lead * HOUR_US),
    )


def _build(story: StoryDefinition) -> StoryModel:
    names = _names(story)
    slots = _slots(story)
    return StoryModel(
        story=story.id,
        slots=slots,
        baseline=_baseline(story.raw, slots, names),
        events=_events(story, slots),
        corroboration=_corroboration(story.raw),
        background=_kinds_table(story, "background", slots, _default_background(story, slots)),
        succession=_kinds_table(story, "succession", slots, _default_succession(slots)),
        entities=story.entities,
    )
