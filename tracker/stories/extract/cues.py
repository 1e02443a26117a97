"""Decide how a claim is put, from cue words with scopes and terminators.

A language supplies cue lists: each cue has a kind (negated, speculative,
planned, conditional, question, historical, opinion, announce) and a scope:

- ``clause``: governs what follows it up to the next terminator (punctuation or
  a clause-opening word such as "but", "after", "which");
- ``after``: governs the trigger it follows in the same clause ("fired years ago");
- ``sentence``: governs the whole sentence ("... – reports", a final "?");
- ``article``: governs every sentence of the article (an explainer's title,
  an opinion column's byline).

``announce`` cues are not a factuality: a planned change that the organisation
announced or agreed ("OpenAI says X will ...", "agreement in principle for X
to ...") is a decided change, so they turn "planned" into "asserted".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_PUNCTUATION = re.compile(r"[,;:!?()\[\]\"“”«»—–|]|\s-\s|\.(?:\s|$)")
# When several cues govern a trigger, the first kind in this list wins.
PRECEDENCE = ("question", "conditional", "negated", "speculative", "opinion", "background", "historical",
              "planned")


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue word or phrase of one kind, with the scope it governs."""

    kind: str
    pattern: re.Pattern[str]
    scope: str = "clause"


def cues(kind: str, scope: str, words: Iterable[str], flags: int = re.I, bounded: bool = True) -> list[Cue]:
    """Compile one cue per regex fragment (word-bounded unless ``bounded`` is false)."""
    return [
        Cue(kind, re.compile(rf"(?<!\w){w}(?!\w)" if bounded else w, flags), scope) for w in words
    ]


@dataclass(frozen=True, slots=True)
class CueSet:
    """A language's cues and clause terminators."""

    cues: tuple[Cue, ...]
    terminators: re.Pattern[str]

    def clause_start(self, sentence: str, position: int) -> int:
        """Return where the clause holding ``position`` starts."""
        start = 0
        for match in self.terminators.finditer(sentence, 0, position):
            start = match.start() if match.group(0)[:1].isalpha() else match.end()
        return start

    def clause_end(self, sentence: str, position: int) -> int:
        """Return where the punctuation closing the clause at ``position`` is."""
        match = _PUNCTUATION.search(sentence, position)
        return match.start() if match else len(sentence)

    def kinds(self, sentence: str, start: int, end: int, scopes: Sequence[str]) -> set[str]:
        """Return the kinds of cues of the given scopes found in sentence[start:end]."""
        found = set()
        for cue in self.cues:
            if cue.scope in scopes and cue.pattern.search(sentence, start, end):
                found.add(cue.kind)
        return found


def factuality(
    cueset: CueSet,
    sentence: str,
    trigger: tuple[int, int],
    article_kinds: set[str],
    announced: bool,
    base: str = "asserted",
    headline_decided: bool = False,
    future_decided: bool = False,
) -> str:
    """Return the factuality of a trigger at sentence[trigger[0]:trigger[1]].

    A ``headline`` cue ("X to join Y") is a decided change when ``headline_decided`` (the
    sentence is the title and the event takes effect when decided), else a plan.
    """
    clause = cueset.clause_start(sentence, trigger[0])
    kinds = set(article_kinds)
    kinds |= cueset.kinds(sentence, clause, trigger[1], ("clause",))
    tail = sentence[trigger[1]:cueset.clause_end(sentence, trigger[1])]
    kinds |= cueset.kinds(tail, 0, len(tail), ("after",))
    kinds |= cueset.kinds(sentence, 0, len(sentence), ("sentence",))
    if base != "asserted":
        kinds.add(base)
    if "headline" in kinds:
        kinds.discard("headline")
        if not headline_decided:
            kinds.add("planned")
    if "future" in kinds:
        # "X will step down": a reported decision; a ceremony still to come is a plan.
        kinds.discard("future")
        if not future_decided:
            kinds.add("planned")
    for kind in PRECEDENCE:
        if kind in kinds:
            if kind == "planned" and announced:
                return "asserted"
            return kind
    return "asserted"
