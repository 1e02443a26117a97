"""Turn claims into accepted transitions: corroboration, corrections, time of change.

Contract: ``resolve(story, evidence, corrections)`` takes every (article, claims)
pair known and the human corrections, and returns the accepted transitions,
oldest first, deterministically.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.stories.definition import StoryDefinition
from tracker.types import Article, Claim, Correction, Transition


def resolve(
    story: StoryDefinition,
    evidence: Sequence[tuple[Article, Sequence[Claim]]],
    corrections: Sequence[Correction] = (),
) -> list[Transition]:
    """Return the accepted transitions of a story, oldest first."""
    return []
