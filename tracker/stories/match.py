"""Decide which stories a feed item belongs to.

An item matches a story when its title or summary mentions one of the story's
``match.terms`` (case-insensitive: "OpenAI", "ChatGPT maker") or ``match.names``
(case-sensitive proper names: "Altman", "Shear" but not "shear"). A trailing
``*`` allows inflected endings ("Altman*" also finds Polish "Altmana").
All stories are folded into one compiled pattern, so matching costs one scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tracker.stories.definition import StoryDefinition


def _term_pattern(term: str) -> str:
    stem = term[:-1] if term.endswith("*") else term
    body = r"\s+".join(re.escape(part) for part in stem.split())
    tail = r"\w*" if term.endswith("*") else ""
    return rf"(?<!\w){body}{tail}(?!\w)"


class Matcher:
    """Match text against several stories at once."""

    def __init__(self, stories: Iterable[StoryDefinition]) -> None:
        self.stories = tuple(stories)
        self._groups: list[str] = []
        parts: list[str] = []
        for story in self.stories:
            alternatives = []
            if story.terms:
                alternatives.append("(?i:" + "|".join(_term_pattern(t) for t in story.terms) + ")")
            if story.names:
                alternatives.append("(?:" + "|".join(_term_pattern(n) for n in story.names) + ")")
            group = f"s{len(self._groups)}"
            self._groups.append(story.id)
            parts.append(f"(?P<{group}>{'|'.join(alternatives)})")
        self._pattern = re.compile("|".join(parts)) if parts else None

    def match(self, *texts: str | None) -> list[str]:
        """Return the ids of the stories the texts mention, sorted."""
        if self._pattern is None:
            return []
        found: set[str] = set()
        for text in texts:
            if not text:
                continue
            for m in self._pattern.finditer(text):
                found.add(self._groups[int(m.lastgroup[1:])])  # type: ignore[index]
                if len(found) == len(self._groups):
                    return sorted(found)
        return sorted(found)
