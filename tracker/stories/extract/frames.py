"""Trigger rules: a verb or role noun anchored to a tracked entity, naming an event.

A ``Frame`` is a regex template (see ``lexicon`` for its placeholders) with a
group ``v`` marking the trigger word: cues are looked for in the clause up to
the trigger's end. The person comes from group ``p`` (one) or ``pl`` (a list);
``board_new`` frames take every person named after the trigger in the sentence.
A language module provides its frames, its cues and its ``{ORGX}``/``{ROLE}``
phrases; nothing here is specific to one story.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from tracker.stories.extract.cues import CueSet
from tracker.stories.extract.lexicon import FILL, GAP, Lexicon


@dataclass(frozen=True, slots=True)
class Frame:
    """One trigger rule: an event kind, a pattern template and how it is put."""

    rule: str
    event: str
    template: str
    base: str = "asserted"          # e.g. "planned" for a nominal "return of X"
    ignore: tuple[str, ...] = ()    # cue kinds the trigger itself carries ("no longer")


@dataclass(frozen=True, slots=True)
class Language:
    """Everything one language contributes to extraction."""

    code: str
    frames: tuple[Frame, ...]
    cues: CueSet
    orgx: str                       # phrases standing for the organisation
    role: str                       # the CEO office
    interim: re.Pattern[str]        # words marking an interim appointment
    chair: re.Pattern[str]          # "chaired by {P}" and the like, group p
    weekdays: tuple[re.Pattern[str], ...] = ()   # Monday .. Sunday
    vocabulary: Sequence[str] = field(default=())


@dataclass(frozen=True, slots=True)
class Compiled:
    """A frame compiled against a story's lexicon."""

    frame: Frame
    regex: re.Pattern[str]


def compile_frames(language: Language, lexicon: Lexicon) -> tuple[Compiled, ...]:
    """Fill every template of a language with the story's patterns."""
    person = lexicon.person
    plist = (
        rf"{person}(?:(?:\s*,\s*|\s*,?\s+(?:and|&|et|i|oraz)\s+){person})*"
        r"(?:\s*,?\s+(?:and|et|i|oraz)\s+(?:others|colleagues|other\s+\w+|d'autres|inni|kilku\s+\w+))?"
    )
    values = {
        "ROLE": language.role,      # first: a role may name the organisation
        "P": rf"(?P<p>{person})",
        "PL": rf"(?P<pl>{plist})",
        "ANYP": person,
        "ORG": lexicon.org,
        "PARTNER": lexicon.partner,
        "ORGX": rf"(?:{lexicon.org}|{language.orgx})",
        "FILL": FILL,
        "GAP": GAP,
    }
    compiled = []
    for frame in language.frames:
        text = frame.template
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        compiled.append(Compiled(frame, re.compile(text, re.I)))
    return tuple(compiled)
