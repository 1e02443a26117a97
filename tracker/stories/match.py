"""Decide which stories a feed item belongs to.

An item matches a story when its title or summary mentions one of the story's
``match.terms`` (case-insensitive: "OpenAI", "ChatGPT maker") or ``match.names``
(case-sensitive proper names: "Altman", "Shear" but not "shear"). A trailing
``*`` allows inflected endings ("Altman*" also finds Polish "Altmana").
Each story is one compiled pattern, tried only on texts that hold one of its words.
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


def _screen(story: StoryDefinition) -> tuple[str, ...]:
    """Return the longest word of each of a story's terms and names, lowercased: a text
    the story's pattern matches holds one of them."""
    words = {max(parts, key=len) for term in (*story.terms, *story.names)
             if (parts := term.rstrip("*").lower().split())}
    return tuple(sorted(words))


class Matcher:
    """Match text against several stories at once.

    Each story has its own compiled pattern behind a substring screen of its
    words, so a story whose words a text lacks costs a few ``in`` tests: ten
    stories cost little more than one.
    """

    def __init__(self, stories: Iterable[StoryDefinition]) -> None:
        self.stories = tuple(stories)
        self._checks: list[tuple[str, tuple[str, ...], re.Pattern[str]]] = []
        for story in self.stories:
            alternatives = []
            if story.terms:
                alternatives.append("(?i:" + "|".join(_term_pattern(t) for t in story.terms) + ")")
            if story.names:
                alternatives.append("(?:" + "|".join(_term_pattern(n) for n in story.names) + ")")
            if alternatives:
                self._checks.append((story.id, _screen(story), re.compile("|".join(alternatives))))

    def match(self, *texts: str | None) -> list[str]:
        """Return the ids of the stories the texts mention, sorted."""
        found: set[str] = set()
        for text in texts:
            if not text:
                continue
            low = text.lower()
            for story_id, words, pattern in self._checks:
                if story_id in found or not any(w in low for w in words):
                    continue
                if pattern.search(text) is not None:
                    found.add(story_id)
        return sorted(found)
