"""Version the projections: a change of rules, story file or table layout means rebuild."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from tracker.stories import corroborate, state
from tracker.stories import extract as extract_rules
from tracker.stories.definition import StoryDefinition

# Bump when the projection tables or what is stored in them change meaning.
SCHEMA_VERSION = "projections-6"


def rules_version() -> str:
    """Return the extraction rules' version (read at call time, never cached)."""
    return str(extract_rules.RULES_VERSION)


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def log_version(stories: Iterable[StoryDefinition]) -> str:
    """Return the version of the claims projection: table layout, rules, story files."""
    parts = [SCHEMA_VERSION, rules_version()]
    parts += sorted(f"{s.id}:{s.digest}" for s in stories)
    return _digest(parts)


def transitions_version(story: StoryDefinition) -> str:
    """Return the version of one story's transitions: its claims plus the resolve code."""
    extra = [
        str(getattr(corroborate, "RULES_VERSION", getattr(corroborate, "VERSION", ""))),
        str(getattr(state, "RULES_VERSION", getattr(state, "VERSION", ""))),
    ]
    return _digest([SCHEMA_VERSION, rules_version(), story.id, story.digest, *extra])
