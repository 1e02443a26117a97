"""Load the story files once per content: queries re-read bytes, not TOML."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from tracker.stories.definition import StoryDefinition, load_stories, stories_dir

_CACHE: dict[str, tuple[str, Mapping[str, StoryDefinition]]] = {}


def current_stories(folder: Path | None = None) -> Mapping[str, StoryDefinition]:
    """Return the stories of a folder (default: the configured one), parsed again only
    when a file's bytes changed."""
    folder = folder or stories_dir()
    if not folder.is_dir():
        return load_stories(folder)  # raises the usual ConfigError
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.toml")):
        digest.update(path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            return load_stories(folder)
    key = str(folder)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == digest.hexdigest():
        return cached[1]
    stories = load_stories(folder)
    _CACHE[key] = (digest.hexdigest(), stories)
    return stories
