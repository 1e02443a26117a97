"""Fold transitions into a story's state at an instant, from the story's baseline.

Contract: ``state_at(story, transitions, as_of_us)`` is a pure fold of the
baseline and every transition with ``at_us <= as_of_us`` (None: all of them).
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.stories.definition import StoryDefinition
from tracker.types import StoryState, Transition


def state_at(
    story: StoryDefinition,
    transitions: Sequence[Transition],
    as_of_us: int | None,
    known_at_us: int | None = None,
) -> StoryState:
    """Return the story's state at ``as_of_us`` (event time)."""
    return StoryState(story.id, as_of_us, known_at_us, ())
