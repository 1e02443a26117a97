"""Load story definitions from ``config/stories/*.toml`` into frozen types.

A story file names the story, the terms that make a feed item relevant, and the
entities it tracks (with aliases in several languages). Sections this module
does not interpret (slots, rules, corroboration ...) are kept in ``raw`` for the
modules that do. Errors name the file (and line, for TOML syntax errors).
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


@dataclass(frozen=True, slots=True)
class Entity:
    """A tracked person or organisation, by canonical name and aliases."""

    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]


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

    def entity(self, entity_id: str) -> Entity:
        """Return an entity by id (KeyError when unknown)."""
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        raise KeyError(entity_id)


def stories_dir() -> Path:
    """Return the folder of story files: $TRACKER_STORIES_DIR, else config/stories."""
    import os

    return Path(os.environ.get("TRACKER_STORIES_DIR", ROOT / "config" / "stories"))


def load_story(path: Path) -> StoryDefinition:
    """Parse and check one story file; raise ConfigError naming the file on any problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read story file: {exc.strerror}") from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: story file is not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    try:
        return _build(path, raw, hashlib.sha256(data).hexdigest())
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: invalid story definition: {exc}") from None


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{what} must be a list of non-empty strings")
    return tuple(value)


def _build(path: Path, raw: dict[str, Any], digest: str) -> StoryDefinition:
    story_id = raw.get("id")
    if not isinstance(story_id, str) or not _ID.match(story_id):
        raise ValueError("'id' must be a lowercase identifier")
    match = raw.get("match", {})
    if not isinstance(match, dict):
        raise ValueError("[match] must be a table")
    terms = _strings(match.get("terms", []), "match.terms")
    names = _strings(match.get("names", []), "match.names")
    entities = []
    seen: set[str] = set()
    for i, item in enumerate(raw.get("entity", [])):
        if not isinstance(item, dict):
            raise ValueError(f"entity #{i + 1} must be a table")
        entity_id = item["id"]
        if entity_id in seen:
            raise ValueError(f"entity {entity_id!r} is defined twice")
        seen.add(entity_id)
        name = item["name"]
        aliases = _strings(item.get("aliases", [name]), f"entity {entity_id!r} aliases")
        entities.append(Entity(entity_id, name, item.get("kind", "person"), aliases))
    if not terms and not names:
        raise ValueError("[match] needs 'terms' or 'names'")
    return StoryDefinition(
        id=story_id,
        title=str(raw.get("title", story_id)),
        path=path,
        terms=terms,
        names=names,
        entities=tuple(entities),
        raw=raw,
        digest=digest,
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
