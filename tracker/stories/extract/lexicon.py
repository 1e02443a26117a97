"""Turn a story's entities into the patterns rules are written with.

Rule templates use placeholders that this module fills from the story file:

- ``{P}`` one tracked person (group ``p``), ``{PL}`` a list of them (group ``pl``),
  ``{ANYP}`` a tracked person without a group (an object that is not the subject);
- ``{ORG}`` the organisation the slots describe; ``{PARTNER}`` the tagged partner;
- ``{ORGX}`` the organisation or a phrase standing for it ("the board", "the
  company"), supplied per language;
- ``{FILL}`` up to five descriptor words ("co-founder and CEO"), ``{GAP}`` up to
  three auxiliary words ("will not", "has been"), both without punctuation.

Person names may carry Polish case endings ("Altmana", "Sama"); an alias listed
as ``ambiguous`` (a bare surname others share) only counts in a sentence that
also names the organisation, or in an article that names the person in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.stories.definition import StoryDefinition
from tracker.stories.spec import StoryModel

# Polish noun endings a name may take ("Altmana", "Brockmanem", "Sutskeverowi").
_ENDINGS = r"(?:a|u|owi|em|ie|ę|ą|y|i|ego|emu)?"
_CLAUSE_WORDS = (
    r"that|who|which|whom|but|then|when|while|after|before|since|if|unless|because|"
    r"it|he|she|they|we|qui|que|quand|après|si|który|która|które|gdy|po|jeśli"
)
FILL = rf"(?:(?!(?:{_CLAUSE_WORDS})\s)[\w'.&-]+\s+){{0,5}}?"
GAP = rf"(?:(?!(?:{_CLAUSE_WORDS}|and|or)\s)[\w'-]+\s+){{0,3}}?"


def _word_pattern(word: str) -> str:
    if len(word) > 3 and word.endswith("a") and word[-2].isalpha():
        # Feminine names decline by their final vowel: "Mira" -> "Mirę", "Miry", "Mirą".
        return re.escape(word[:-1]) + r"(?:a|ę|y|ą|ie|o)"
    return re.escape(word) + _ENDINGS


def _alias_pattern(alias: str) -> str:
    return r"\s+".join(_word_pattern(w) for w in re.split(r"\s+", alias.strip()))


@dataclass(frozen=True, slots=True)
class Person:
    """One tracked person: canonical name, alias patterns, ambiguous aliases."""

    name: str
    patterns: tuple[re.Pattern[str], ...]
    ambiguous: tuple[re.Pattern[str], ...]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The story's entities as regex fragments and resolvers."""

    person: str
    org: str
    partner: str
    people: tuple[Person, ...]
    org_re: re.Pattern[str]

    def resolve(self, text: str) -> Person | None:
        """Return the tracked person a matched name stands for."""
        text = text.strip()
        for person in self.people:
            if any(p.fullmatch(text) for p in person.patterns):
                return person
        return None

    def persons_in(self, text: str) -> list[tuple[int, Person, bool]]:
        """Return (position, person, by an ambiguous alias) for every name in text."""
        found: list[tuple[int, Person, bool]] = []
        for match in re.finditer(self.person, text):
            person = self.resolve(match.group(0))
            if person is not None:
                ambiguous = any(p.fullmatch(match.group(0)) for p in person.ambiguous)
                found.append((match.start(), person, ambiguous))
        return found


def build(story: StoryDefinition, model: StoryModel) -> Lexicon:
    """Compile the story's entities into a Lexicon."""
    entities = {item["id"]: item for item in story.raw.get("entity", []) if isinstance(item, dict)}
    people = []
    all_aliases: list[str] = []
    org_aliases: list[str] = []
    partner_aliases: list[str] = []
    for entity in story.entities:
        raw = entities.get(entity.id, {})
        if entity.name == model.organisation:
            org_aliases.extend(entity.aliases)
            continue
        if entity.name == model.partner:
            partner_aliases.extend(entity.aliases)
            continue
        if entity.kind != "person":
            continue
        aliases = sorted(entity.aliases, key=lambda a: (-len(a), a))
        ambiguous = tuple(str(a) for a in raw.get("ambiguous", ()))
        people.append(
            Person(
                entity.name,
                tuple(re.compile(_alias_pattern(a)) for a in aliases),
                tuple(re.compile(_alias_pattern(a)) for a in ambiguous),
            )
        )
        all_aliases.extend(aliases)
    all_aliases.sort(key=lambda a: (-len(a), a))
    person = r"(?<![\w'])(?-i:" + "|".join(_alias_pattern(a) for a in all_aliases) + r")(?!\w)"
    org = r"(?<!\w)(?i:" + "|".join(re.escape(a).replace(r"\ ", r"[\s-]+") for a in sorted(org_aliases, key=len, reverse=True)) + r")(?:'s|'|-\w+)?(?!\w)"
    partner = r"(?<!\w)(?-i:" + "|".join(re.escape(a) for a in sorted(partner_aliases, key=len, reverse=True)) + r")(?:'s)?(?!\w)"
    return Lexicon(person, org, partner, tuple(people), re.compile(org))
