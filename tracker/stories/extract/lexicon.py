"""Turn a story's entities and offices into the patterns rule templates are written with.

Rule templates (``languages/<code>/frames.toml``) use placeholders filled here,
per story and language:

- ``{P}`` one tracked person (group ``p``), ``{PL}`` a list of them (group
  ``pl``), ``{ANYP}`` a tracked person without a group;
- ``{BODY}`` the names of the body a frame is bound to (the office's body, or
  the organisation itself), with the language's name endings;
- ``{BODYX}`` the body, a phrase standing for a body of its kind ("the company",
  "parliament", "voters"), or one of the office's actors;
- ``{ROLE}`` the office's role nouns in this language; ``{SUBJECT}`` the entity
  a tags slot describes and ``{TAG}`` the words of one of its tags;
- ``{FILL}`` up to five descriptor words ("co-founder and CEO"), ``{GAP}`` up to
  three auxiliary words ("will not", "has been"), both without punctuation;
- ``{SOMEONE}`` an office's new holder the sentence leaves unnamed ("Argentina has a
  new president"): the one tracked person the article names, beside a role noun of
  the office ("X, the president-elect"), else no claim;
- ``{HELD}`` (single offices) the office's holder when the story began, by any of their
  names ("X succeeds Y" with the office left unnamed: the office Y held);
- any ``{NAME}`` of the language's ``[patterns]``.

A role noun or alias is written plainly: spaces match any white space, a final
``*`` any inflected ending ("prezes*"). Person names and bodies take the
language's case endings ("Altmana", "Sejmu"); an alias listed as ``ambiguous``
only counts in a sentence that also names a body, or in an article that names
the person in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.stories.definition import PERSON, Entity, StoryDefinition
from tracker.stories.extract.compiled import compile as compile_re
from tracker.stories.extract.rules import Language
from tracker.stories.spec import StoryModel


def words_pattern(text: str) -> str:
    """Return the regex of a plainly written phrase: spaces match white space, ``*`` an ending."""
    parts = []
    for word in re.split(r"\s+", text.strip()):
        star = word.endswith("*") and len(word) > 1
        body = re.escape(word[:-1] if star else word)
        parts.append(body + (r"\w*" if star else ""))
    return r"\s+".join(parts)


def alternatives(phrases: tuple[str, ...] | list[str]) -> str:
    """Return one alternation of plainly written phrases, longest first."""
    ordered = sorted({p.strip() for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    return "|".join(words_pattern(p) for p in ordered)


def _word_pattern(word: str, language: Language) -> str:
    if word.endswith("*") and len(word) > 1:
        return re.escape(word[:-1]) + r"\w*"
    if language.feminine_endings and len(word) > 3 and word.endswith("a") and word[-2].isalpha():
        return re.escape(word[:-1]) + f"(?:{language.feminine_endings})"
    if language.name_endings:
        plain = re.escape(word) + f"(?:{language.name_endings})?"
        # An end that changes before the endings: "Zimny" -> "Zimnego", "Kroń" -> "Kronia".
        changed = [re.escape(word[:end.start()]) + f"(?:{forms})" for pattern, forms in language.name_stems
                   if (end := pattern.search(word))]
        dropped = language.fleeting.search(word) if language.fleeting is not None else None
        if dropped:
            # A vowel dropped before an ending: "Marek" -> "Marka", "Paweł" -> "Pawłem".
            short = word[:dropped.start()] + word[dropped.end():]
            changed.append(f"{re.escape(short)}(?:{language.name_endings})")
        return f"(?:{'|'.join([plain, *changed])})" if changed else plain
    return re.escape(word)


def _alias_pattern(alias: str, language: Language) -> str:
    return r"\s+".join(_word_pattern(w, language) for w in re.split(r"\s+", alias.strip()))


# Where a name may start: not inside a word, or after an elided article or preposition
# ("d'Ilse Marek", "qu'Anton Rask").
NAME_START = r"(?:(?<![\w'])|(?<=(?<!\w)[dlDL]')|(?<=(?<!\w)[qQ]u'))"


@dataclass(frozen=True, slots=True)
class Person:
    """One tracked person: canonical name, alias patterns, ambiguous aliases."""

    name: str
    patterns: tuple[re.Pattern[str], ...]
    ambiguous: tuple[re.Pattern[str], ...]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """A story's entities as regex fragments and resolvers, in one language."""

    person: str
    people: tuple[Person, ...]
    bodies: tuple[tuple[str, str], ...]                 # entity id -> name pattern
    body_res: tuple[tuple[str, re.Pattern[str]], ...]   # entity id -> compiled name pattern
    anchor_re: re.Pattern[str]                          # any body an office belongs to
    person_re: re.Pattern[str]                          # ``person``, compiled

    def body(self, entity_id: str) -> str:
        """Return the name pattern of a body (a pattern matching nothing when unknown)."""
        return dict(self.bodies).get(entity_id, "(?!)")

    def body_re(self, entity_id: str) -> re.Pattern[str] | None:
        """Return the compiled name pattern of a body."""
        return dict(self.body_res).get(entity_id)

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
        if not self.people:
            return found
        for match in self.person_re.finditer(text):
            person = self.resolve(match.group(0))
            if person is not None:
                ambiguous = any(p.fullmatch(match.group(0)) for p in person.ambiguous)
                found.append((match.start(), person, ambiguous))
        return found


def _body_pattern(entity: Entity, language: Language) -> str:
    aliases = sorted(entity.aliases, key=lambda a: (-len(a), a))

    def words(alias: str) -> str:
        return r"[\s-]+".join(_word_pattern(w, language) for w in re.split(r"\s+", alias.strip()))

    names = [words(a) + _not_another(a, aliases) for a in aliases]
    if language.article:
        # A descriptive name ("the messaging app") without its article, as a headline writes it
        # ("boss of messaging app"): not another body's ("a messaging app", "rival messaging app X").
        lead = re.compile(rf"(?:{language.article})\s+(?=[a-z])")
        guard = "".join(rf"(?<!\b{re.escape(w)}\s)" for w in language.article_not_after)
        names += [guard + words(lead.sub("", a, count=1)) + r"(?!\s+(?-i:[A-Z]))"
                  for a in aliases if lead.match(a)]
    return r"(?<!\w)(?i:" + "|".join(names) + r")(?:'s|'|-\w+)?(?!\w)"


def _not_another(alias: str, aliases: list[str]) -> str:
    """A short alias that a longer one completes with a linking word and a name ("CHU" beside
    "CHU de Valmont") is not the body when the same word brings another name ("CHU de Rennes")."""
    links = set()
    for longer in aliases:
        rest = longer[len(alias):] if longer.lower().startswith(alias.lower() + " ") else ""
        words = rest.split()
        if len(words) >= 2 and words[0].islower() and words[1][:1].isupper():
            links.add(re.escape(words[0]))
    return rf"(?!\s+(?:{'|'.join(sorted(links))})\s+(?-i:[A-ZÀ-Ý]))" if links else ""


def build(story: StoryDefinition, model: StoryModel, language: Language) -> Lexicon:
    """Compile the story's entities into a Lexicon for one language."""
    people = []
    all_aliases: list[str] = []
    bodies: list[tuple[str, str]] = []
    for entity in story.entities:
        if entity.kind != PERSON:
            bodies.append((entity.id, _body_pattern(entity, language)))
            continue
        aliases = sorted(entity.aliases, key=lambda a: (-len(a), a))
        people.append(
            Person(
                entity.name,
                tuple(compile_re(_alias_pattern(a, language)) for a in aliases),
                tuple(compile_re(_alias_pattern(a, language)) for a in entity.ambiguous),
            )
        )
        all_aliases.extend(aliases)
    all_aliases.sort(key=lambda a: (-len(a), a))
    person = (NAME_START + r"(?-i:"
              + "|".join(_alias_pattern(a, language) for a in all_aliases) + r")(?!\w)"
              if all_aliases else "(?!)")
    table = dict(bodies)
    anchors = [table[b] for b in model.bodies() if b in table]
    anchor = compile_re("|".join(anchors) if anchors else "(?!)")
    return Lexicon(person, tuple(people), tuple(bodies),
                   tuple((k, compile_re(v)) for k, v in bodies), anchor, compile_re(person))
