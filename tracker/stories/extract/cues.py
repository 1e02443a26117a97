"""Decide how a claim is put, from cue words with scopes and terminators.

A language supplies cue lists: each cue has a kind (negated, speculative,
planned, conditional, question, historical, opinion, announce) and a scope:

- ``clause``: governs what follows it up to the next terminator (punctuation or
  a clause-opening word such as "but", "after", "which");
- ``after``: governs the trigger it follows in the same clause ("fired years ago");
- ``sentence``: governs the whole sentence ("... – reports", a final "?");
- ``article``: governs every sentence of the article (an explainer's title,
  "Opinion:");
- ``title``: found in the title, governs the title's sentences only (a columnist's
  byline, a podcast: the summary's sentences are read on their own cues).

``announce`` cues are not a factuality: a planned change that the organisation
announced or agreed ("OpenAI says X will ...", "agreement in principle for X
to ...") is a decided change, so they turn "planned" into "asserted".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tracker.stories.extract.compiled import compile as compile_re

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
        Cue(kind, compile_re(rf"(?<!\w){w}(?!\w)" if bounded else w, flags), scope) for w in words
    ]


@dataclass(frozen=True, slots=True)
class CueSet:
    """A language's cues and clause terminators."""

    cues: tuple[Cue, ...]
    terminators: re.Pattern[str]
    # The cues of each set of scopes asked for, in order (filled on first use).
    scoped: dict[tuple[str, ...], tuple[Cue, ...]] = field(default_factory=dict, compare=False, repr=False)

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
        return set(self.first(sentence, start, end, scopes))

    def first(self, sentence: str, start: int, end: int, scopes: Sequence[str],
              barrier: re.Pattern[str] | None = None) -> dict[str, str]:
        """Return, per kind, the first cue of the given scopes found in sentence[start:end]
        (its text). With ``barrier``, a cue followed by a coordinating conjunction before
        ``end`` does not count: "opted not to agree and named Y" names Y."""
        key = tuple(scopes)
        chosen = self.scoped.get(key)
        if chosen is None:
            chosen = self.scoped[key] = tuple(cue for cue in self.cues if cue.scope in scopes)
        found: dict[str, str] = {}
        for cue in chosen:
            if cue.kind in found:
                continue
            for match in cue.pattern.finditer(sentence, start, end):
                if barrier is not None and barrier.search(sentence, match.end(), end):
                    continue
                found[cue.kind] = match.group(0)
                break
        return found


@dataclass(frozen=True, slots=True)
class Reading:
    """How a trigger is put, and why: the cue that decided it and the text it scoped."""

    factuality: str
    cue: str = ""       # the cue's words ("reportedly"), or what decided it ("announced")
    scope: str = ""     # the clause, sentence or title the cue governs


def factuality(
    cueset: CueSet,
    sentence: str,
    trigger: tuple[int, int],
    article_kinds: dict[str, str],
    announced: bool,
    base: str = "asserted",
    headline_decided: bool = False,
    future_decided: bool = False,
    barrier: re.Pattern[str] | None = None,
    title: str = "",
) -> Reading:
    """Return how a trigger at sentence[trigger[0]:trigger[1]] is put, with the cue and scope.

    A ``headline`` cue ("X to join Y") is a decided change when ``headline_decided`` (the
    sentence is the title and the event takes effect when decided), else a plan; a
    ``future`` cue ("will") likewise when ``future_decided``. A clause cue does not reach
    past a coordinating conjunction (``barrier``) before the trigger.
    """
    clause = cueset.clause_start(sentence, trigger[0])
    clause_text = sentence[clause:cueset.clause_end(sentence, trigger[1])].strip()
    why: dict[str, tuple[str, str]] = {k: (w, title) for k, w in article_kinds.items()}
    for kind, words in cueset.first(sentence, clause, trigger[1], ("clause",), barrier).items():
        why.setdefault(kind, (words, clause_text))
    tail = sentence[trigger[1]:cueset.clause_end(sentence, trigger[1])]
    for kind, words in cueset.first(tail, 0, len(tail), ("after",)).items():
        why.setdefault(kind, (words, clause_text))
    for kind, words in cueset.first(sentence, 0, len(sentence), ("sentence",)).items():
        why.setdefault(kind, (words, sentence))
    if base != "asserted":
        why.setdefault(base, ("the frame itself", clause_text))
    for name, decided in (("headline", headline_decided), ("future", future_decided)):
        if name in why:
            found = why.pop(name)
            if not decided:
                why.setdefault("planned", found)
    for kind in PRECEDENCE:
        if kind in why:
            if kind == "planned" and announced:
                return Reading("asserted", "announced", why[kind][1])
            return Reading(kind, *why[kind])
    return Reading("asserted")
