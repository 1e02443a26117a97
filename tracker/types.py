"""Frozen types handed between stages: matched articles, claims, transitions, state.

poll -> parse (``FeedItem``, in tracker.ingest) -> match -> append
(``ArticleObserved``) -> project: ``Article`` -> ``Claim`` (extract) ->
``Transition`` (resolve, corroborate) -> ``SlotState`` / ``StoryState`` (query).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How a claim is put: only "asserted" claims can move state.
Factuality = Literal[
    "asserted",
    "speculative",   # reported-speculative: "reportedly", "in talks", "could"
    "planned",       # "X to return", "expected to", "will"
    "negated",       # "will not return", "denies"
    "question",      # "Is X the new CEO?"
    "conditional",   # "if X returns ..."; French journalistic conditional
    "historical",    # recap: "has been fired before", "a timeline of ..."
    "opinion",       # "why X should ...", analysis
    "background",    # a descriptor: "OpenAI's new CEO X said ...", "ousted CEO X"
]

# What a claim does to a slot.
Op = Literal["set", "clear", "add", "remove", "replace", "tag", "untag", "chair", "unchair", "stay"]

SlotValue = str | tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Article:
    """An observed article as the projections see it (latest revision wins)."""

    article_id: str
    position: int          # position of the event that gave this revision
    publisher: str
    link: str | None
    title: str
    summary: str
    language: str | None
    published_us: int      # event time, microseconds since the epoch (UTC)
    recorded_us: int       # knowledge time
    content_hash: str
    stories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Claim:
    """One statement an article makes about a slot, with how it is put."""

    story: str
    article_id: str
    slot: str                        # "ceo", "board", "microsoft"
    op: Op
    value: SlotValue                 # canonical entity name(s) or tag; None for clear
    factuality: Factuality
    language: str
    evidence: str                    # the span of text the claim rests on
    interim: bool | None = None      # for ceo: an interim appointment
    rule: str = ""                   # the rule that produced it (for explain)
    cue: str = ""                    # why it has its factuality: "speculative: 'in talks' in '...'"
    # The day a decided change takes effect, as precise as the text tells it ("2024-01-02",
    # "2024-01", "2024"; "" when none or past), and the words it was read from.
    effective: str = ""
    effective_cue: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """An article cited as evidence."""

    article_id: str
    publisher: str
    published_us: int
    link: str | None
    title: str
    factuality: Factuality = "asserted"
    authoritative: bool = False


@dataclass(frozen=True, slots=True)
class Transition:
    """An accepted change of one slot, at the time of its earliest support."""

    story: str
    slot: str
    at_us: int
    op: Op
    value: SlotValue                 # the slot's whole value after the change
    interim: bool | None = None
    chair: str | None = None         # board chair after the change (board slot)
    sources: tuple[Source, ...] = ()
    single_source: bool = False      # accepted on one report nothing contradicted
    correction: bool = False         # came from a human assertion
    note: str | None = None


@dataclass(frozen=True, slots=True)
class SlotState:
    """A slot's value at an instant, and since when it has held."""

    slot: str
    value: SlotValue
    since_us: int | None
    interim: bool | None = None
    chair: str | None = None
    evidence: tuple[Source, ...] = ()
    single_source: bool = False


@dataclass(frozen=True, slots=True)
class StoryState:
    """Every slot of a story at an instant (event time), as known at another."""

    story: str
    as_of_us: int | None
    known_at_us: int | None
    slots: tuple[SlotState, ...]


@dataclass(frozen=True, slots=True)
class Correction:
    """A human assertion about a slot (from a ``SlotAsserted`` event)."""

    story: str
    slot: str
    op: Op
    value: str | None
    at_us: int
    source: str
    position: int
    note: str | None = None
    interim: bool | None = None
