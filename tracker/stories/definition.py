"""Load story definitions from ``config/stories/*.toml`` into frozen types.

A story file names the story, the terms that make a feed item relevant, the
entities it tracks (with aliases in several languages) and its offices. Every
key is checked: an unknown key, entity kind or reference is refused in one line
that names the file, the line and the valid choices. The offices, baseline and
event meanings are read into a ``StoryModel`` by ``tracker.stories.spec``; this
module checks the file's shape and its entities.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent.parent
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PERSON = "person"
ENTITY_KINDS = (PERSON, "company", "organisation", "government", "parliament", "country", "party", "body")

# The keys each part of a story file may hold (a list for a table of tables).
TOP = ("id", "title", "description", "match", "entity", "slots", "baseline", "corroboration",
       "events", "background", "succession", "alerts")
MATCH = ("terms", "names")
ENTITY = ("id", "name", "kind", "aliases", "ambiguous")
SLOT = ("kind", "body", "subject", "roles", "seats", "qualifiers", "actors", "tags", "cues", "head")
ALERT = ("name", "kind", "url", "command", "secret_env", "slots")
ALERT_KINDS = ("webhook", "command", "apprise")
_ALERT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,199}$")
CORROBORATION = ("publishers", "window_hours", "quiet_hours", "lookback_hours", "repeat_publishers",
                 "lead_hours", "authoritative")
_HINTS = {
    "roles": "each slot names its organisation with body = \"ENTITY-ID\"",
    "interim": "write qualifiers = [\"interim\"] in the slot",
    "chair": "write qualifiers = [\"chair\"] in the slot",
    "organisation": "each slot names its organisation with body = \"ENTITY-ID\"",
    "partner": "a tags slot names its partner with subject = \"ENTITY-ID\"",
}


@dataclass(frozen=True, slots=True)
class Entity:
    """A tracked person or body (company, government, parliament ...), by canonical name and aliases."""

    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    ambiguous: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AlertSpec:
    """A target the story file subscribes to the story's changes (``[[alerts]]``)."""

    name: str
    kind: str
    address: str                 # the webhook's or apprise service's URL, or the command line
    secret_env: str | None       # a webhook's signing secret is read from this variable
    slots: tuple[str, ...] = ()  # empty: every slot


@dataclass(frozen=True, slots=True)
class StoryDefinition:
    """One story, as configured."""

    id: str
    title: str
    path: Path
    terms: tuple[str, ...]
    names: tuple[str, ...]
    entities: tuple[Entity, ...]
    raw: dict[str, Any] = field(hash=False, compare=False)
    digest: str = ""
    alerts: tuple[AlertSpec, ...] = ()

    def entity(self, entity_id: str) -> Entity:
        """Return an entity by id (KeyError when unknown)."""
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        raise KeyError(entity_id)


class _Invalid(ValueError):
    """A problem in a story file, with the dotted key it is about (for its line)."""

    def __init__(self, message: str, where: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.where = where


def stories_dir() -> Path:
    """Return the folder of story files: $TRACKER_STORIES_DIR, else config/stories."""
    import os

    return Path(os.environ.get("TRACKER_STORIES_DIR", ROOT / "config" / "stories"))


def line_of(text: str, where: tuple[str, ...]) -> int | None:
    """Return the line a dotted key is written on (best effort: header, then ``key =``)."""
    lines = text.splitlines()
    start = 0
    if len(where) > 1:
        header = re.compile(r"^\s*\[+\s*" + r"\s*\.\s*".join(re.escape(p) for p in where[:-1]) + r"\s*\]+")
        for number, line in enumerate(lines):
            if header.match(line):
                start = number
                break
    key = re.compile(r"^\s*(?:\"?" + re.escape(where[-1]) + r"\"?\s*=|\[+\s*(?:[\w-]+\s*\.\s*)*"
                     + re.escape(where[-1]) + r"\s*\]+)") if where else None
    if key is not None:
        for number in range(start, len(lines)):
            if key.match(lines[number]):
                return number + 1
    return start + 1 if where else None


def check_target(kind: str, address: str) -> None:
    """Raise ValueError unless ``address`` suits an alert target of ``kind``."""
    import shlex
    from urllib.parse import urlsplit

    if kind not in ALERT_KINDS:
        raise ValueError(f"unknown target kind {kind!r} (choose from {', '.join(ALERT_KINDS)})")
    if kind == "webhook":
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"a webhook needs an http(s) URL, not {address!r}")
    elif kind == "command":
        try:
            words = shlex.split(address)
        except ValueError as exc:
            raise ValueError(f"cannot read the command line {address!r}: {exc}") from None
        if not words:
            raise ValueError("a command target needs a command line")
    elif "://" not in address:
        raise ValueError(f"an apprise target needs a service URL (e.g. ntfy://topic), not {address!r}")


def _alert(item: Any, number: int, seen: set[str]) -> AlertSpec:
    where = ("alerts",)
    _keys(item, ALERT, f"[[alerts]] number {number}", where)
    name = item.get("name")
    if not isinstance(name, str) or not _ALERT_NAME.match(name):
        raise _Invalid(f"[[alerts]] number {number} needs a name: letters, digits, '_', '-', '.' or ':'",
                       (*where, "name") if "name" in item else where)
    if name in seen:
        raise _Invalid(f"alert {name!r} is declared twice", (*where, "name"))
    seen.add(name)
    kind = item.get("kind")
    if kind not in ALERT_KINDS:
        raise _Invalid(f"unknown alert kind {kind!r} in alert {name!r} (valid: {', '.join(ALERT_KINDS)})",
                       (*where, "kind") if "kind" in item else (*where, "name"))
    field_of = "command" if kind == "command" else "url"
    for key in ("url", "command", "secret_env"):
        if key in item and key != field_of and not (key == "secret_env" and kind == "webhook"):
            raise _Invalid(f"{key!r} does not go with kind = \"{kind}\" in alert {name!r}", (*where, key))
    address = item.get(field_of)
    if not isinstance(address, str):
        raise _Invalid(f"alert {name!r} of kind {kind} needs {field_of} = \"...\"", (*where, "name"))
    try:
        check_target(kind, address)
    except ValueError as exc:
        raise _Invalid(f"{exc} (alert {name!r})", (*where, field_of)) from None
    secret_env = item.get("secret_env")
    if kind == "webhook" and not (isinstance(secret_env, str) and _ENV_NAME.match(secret_env)):
        raise _Invalid(f"webhook alert {name!r} signs with a secret from the environment: write "
                       "secret_env = \"VARIABLE_NAME\" (the secret itself never goes in the file)",
                       (*where, "secret_env") if "secret_env" in item else (*where, "name"))
    slots = _strings(item.get("slots", []), f"alert {name!r} slots", (*where, "slots"))
    return AlertSpec(name, kind, address, secret_env, tuple(sorted(set(slots))))


def _alerts(raw: dict[str, Any]) -> tuple[AlertSpec, ...]:
    items = raw.get("alerts", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _Invalid("[[alerts]] must be an array of tables", ("alerts",))
    seen: set[str] = set()
    return tuple(_alert(item, n, seen) for n, item in enumerate(items, 1))


def _digest(raw: dict[str, Any]) -> str:
    """The story's version: its data without ``[[alerts]]`` (who hears of a change does not
    change what the projections hold), so layout, comments and subscriptions need no rebuild."""
    import orjson

    kept = {key: value for key, value in raw.items() if key != "alerts"}
    return hashlib.sha256(orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)).hexdigest()


def load_story(path: Path) -> StoryDefinition:
    """Parse and check one story file; raise ConfigError naming the file and line on any problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read story file: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
        raw = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: story file is not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    try:
        story = _build(path, raw, _digest(raw))
        from tracker.stories.spec import model_of

        model = model_of(story)     # offices, baseline and events are checked here
        names = {spec.name for spec in model.slots}
        for alert in story.alerts:
            unknown = sorted(set(alert.slots) - names)
            if unknown:
                raise _Invalid(f"unknown slot {unknown[0]!r} in alert {alert.name!r} "
                               f"(valid: {', '.join(sorted(names))})", ("alerts", "slots"))
        return story
    except _Invalid as exc:
        line = line_of(text, exc.where)
        raise ConfigError(f"{path}:{line}: {exc}" if line else f"{path}: {exc}") from None
    except ConfigError as exc:
        # The model names the file already; add the line of the key it is about when it can be found.
        message = str(exc)
        prefix = f"{path}: "
        body = message[len(prefix):] if message.startswith(prefix) else message
        line = _line_for_message(text, body)
        raise ConfigError(f"{path}:{line}: {body}" if line else f"{path}: {body}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: invalid story definition: {exc}") from None


def _line_for_message(text: str, message: str) -> int | None:
    """Find the line of the key a model error is about ("slot 'ceo': kind ...", "baseline.ceo: ...")."""
    slot = re.match(r"slot '([\w-]+)'(?:\s+(\w+))?", message)
    if slot:
        rest = message[slot.end():]
        key = slot.group(2) or next((k for k in SLOT if re.match(rf":?\s+{k}\b", rest)), None)
        if key is None and "qualifier" in rest.split("(")[0]:
            key = "qualifiers"
        if key is not None:
            for where in (("slots", slot.group(1), key), ("slots", slot.group(1), f"{key}.")):
                found = _key_line(text, where)
                if found:
                    return found
        return line_of(text, ("slots", slot.group(1)))
    dotted = re.match(r"(baseline|corroboration|match)\.(\w+)", message)
    if dotted:
        return line_of(text, (dotted.group(1), dotted.group(2)))
    section = re.match(r"\[(\w+)\]:? '([^']+)'", message)
    if section:
        return line_of(text, (section.group(1), section.group(2)))
    for name in ("baseline", "corroboration", "events"):
        if message.startswith(f"[{name}]"):
            return line_of(text, (name,))
    return None


def _key_line(text: str, where: tuple[str, ...]) -> int | None:
    """The line of ``key =`` or ``key.sub =`` inside a table, or None."""
    header = line_of(text, where[:-1])
    lines = text.splitlines()
    key = where[-1]
    pattern = re.compile(r"^\s*" + re.escape(key.rstrip(".")) + (r"\s*\." if key.endswith(".") else r"\s*="))
    for number in range((header or 1), len(lines)):
        if lines[number].lstrip().startswith("["):
            break
        if pattern.match(lines[number]):
            return number + 1
    return None


def _strings(value: Any, what: str, where: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Invalid(f"{what} must be a list of non-empty strings", where)
    return tuple(value)


def _keys(table: Any, allowed: tuple[str, ...], what: str, where: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise _Invalid(f"{what} must be a table", where)
    for key in table:
        if key not in allowed:
            hint = _HINTS.get(key)
            extra = f"; {hint}" if hint else ""
            raise _Invalid(f"unknown key {key!r} in {what} (valid: {', '.join(allowed)}){extra}", (*where, key))
    return table


def _entities(raw: dict[str, Any]) -> tuple[Entity, ...]:
    items = raw.get("entity", [])
    if not isinstance(items, list):
        raise _Invalid("[[entity]] must be an array of tables", ("entity",))
    entities = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        item = _keys(item, ENTITY, f"entity #{i + 1}", ("entity",))
        entity_id = item.get("id")
        if not isinstance(entity_id, str) or not _ID.match(entity_id):
            raise _Invalid(f"entity #{i + 1}: 'id' must be a lowercase identifier", ("entity", "id"))
        if entity_id in seen:
            raise _Invalid(f"entity {entity_id!r} is defined twice", ("entity", "id"))
        seen.add(entity_id)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _Invalid(f"entity {entity_id!r}: 'name' must be a non-empty string", ("entity", "name"))
        kind = item.get("kind", PERSON)
        if kind not in ENTITY_KINDS:
            raise _Invalid(f"entity {entity_id!r}: kind {kind!r} is not one of: {', '.join(ENTITY_KINDS)}",
                           ("entity", "kind"))
        aliases = _strings(item.get("aliases", [name]), f"entity {entity_id!r} aliases", ("entity", "aliases"))
        ambiguous = _strings(item.get("ambiguous", []), f"entity {entity_id!r} ambiguous", ("entity", "ambiguous"))
        missing = [a for a in ambiguous if a not in aliases]
        if missing:
            raise _Invalid(f"entity {entity_id!r}: ambiguous alias {missing[0]!r} is not one of its aliases",
                           ("entity", "ambiguous"))
        entities.append(Entity(entity_id, name, kind, aliases, ambiguous))
    return tuple(entities)


def _check_sections(raw: dict[str, Any]) -> None:
    _keys(raw, TOP, "the story file", ())
    _keys(raw.get("match", {}), MATCH, "[match]", ("match",))
    slots = raw.get("slots", {})
    if not isinstance(slots, dict):
        raise _Invalid("[slots] must be a table of offices: [slots.NAME] with kind, body and roles",
                       ("slots",))
    for name, body in slots.items():
        if not _ID.match(name) or "-" in name:
            raise _Invalid(f"slot name {name!r} must be a lowercase identifier (letters, digits, _)",
                           ("slots", name))
        _keys(body, SLOT, f"[slots.{name}]", ("slots", name))
        for key in ("qualifiers", "actors", "tags"):
            if key in body:
                _strings(body[key], f"slot {name!r} {key}", ("slots", name, key))
    _keys(raw.get("corroboration", {}), CORROBORATION, "[corroboration]", ("corroboration",))
    for section in ("baseline", "events", "background", "succession"):
        if not isinstance(raw.get(section, {}), dict):
            raise _Invalid(f"[{section}] must be a table", (section,))


def _build(path: Path, raw: dict[str, Any], digest: str) -> StoryDefinition:
    _check_sections(raw)
    story_id = raw.get("id")
    if not isinstance(story_id, str) or not _ID.match(story_id):
        raise _Invalid("'id' must be a lowercase identifier", ("id",))
    match = raw.get("match", {})
    terms = _strings(match.get("terms", []), "match.terms", ("match", "terms"))
    names = _strings(match.get("names", []), "match.names", ("match", "names"))
    if not terms and not names:
        raise _Invalid("[match] needs 'terms' or 'names'", ("match",))
    return StoryDefinition(
        id=story_id,
        title=str(raw.get("title", story_id)),
        path=path,
        terms=terms,
        names=names,
        entities=_entities(raw),
        raw=raw,
        digest=digest,
        alerts=_alerts(raw),
    )


def load_stories(folder: Path | None = None) -> dict[str, StoryDefinition]:
    """Load every ``*.toml`` story in a folder, by id (ConfigError on a bad one)."""
    folder = folder or stories_dir()
    if not folder.is_dir():
        raise ConfigError(f"{folder}: story folder not found")
    stories: dict[str, StoryDefinition] = {}
    for path in sorted(folder.glob("*.toml")):
        story = load_story(path)
        if story.id in stories:
            raise ConfigError(f"{path}: story id {story.id!r} is also used by {stories[story.id].path}")
        stories[story.id] = story
    return stories


def get_story(story_id: str, folder: Path | None = None) -> StoryDefinition:
    """Return one story by id; InputError-like ConfigError listing the known ones."""
    from tracker.errors import InputError

    stories = load_stories(folder)
    try:
        return stories[story_id]
    except KeyError:
        known = ", ".join(sorted(stories)) or "none"
        raise InputError(f"unknown story {story_id!r} (known: {known})") from None
