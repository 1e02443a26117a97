"""Extract claims from an article's title and summary (a projection: pure, versioned).

Contract: ``extract(story, article)`` returns the claims the text makes about the
story's slots, deterministically; ``RULES_VERSION`` changes whenever the rules'
behaviour does, so projections know to rebuild.
"""

from __future__ import annotations

from tracker.stories.definition import StoryDefinition
from tracker.types import Article, Claim

RULES_VERSION = "0"


def extract(story: StoryDefinition, article: Article) -> list[Claim]:
    """Return the claims an article makes about a story's slots."""
    return []
