"""Extract claims from an article's title and summary (a projection: pure, versioned).

Contract: ``extract(story, article)`` returns the claims the text makes about the
story's slots, deterministically; ``rules_version()`` is a hash of the rule data,
so projections know to rebuild whenever a rule changes.

The rules are data (``languages/<code>/``, read by ``rules``): trigger frames
bound to an office or a body, and cue lists with scopes. A frame names a
generic event ("appoint", "resign", "leave" ...) about its target, and the story
file's ``[events]`` (or the defaults of its slot kinds) says what that event does
to the slots. The result depends only on the article's text, language, publisher
and date, on the story definition and on the rule data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from tracker.stories.definition import StoryDefinition
from tracker.stories.extract.compiled import compile as compile_re
from tracker.stories.extract.compiled import kept
from tracker.stories.extract.cues import PRECEDENCE, Reading, factuality
from tracker.stories.extract.events import (
    Event,
    background,
    chairs_are_members,
    dated_day_before,
    dated_earlier,
    drop_partial_lists,
    effective,
    handover_day,
    in_past,
    other_office,
    scheduled,
    succession,
    vacated,
)
from tracker.stories.extract.frames import Compiled, compile_frames, finder_of, public_anchors
from tracker.stories.extract.lexicon import Lexicon, alternatives, build
from tracker.stories.extract.rules import Language, codes, data_digest, languages
from tracker.stories.extract.rules import language as rules_language
from tracker.stories.extract.screen import passes
from tracker.stories.extract.text import clean, sentences
from tracker.stories.refine import HOLDER
from tracker.stories.spec import SINGLE, StoryModel, model_of
from tracker.types import Article, Claim

# Bump when the engine's own behaviour changes (the rule data is hashed on its own).
ENGINE_VERSION = "20"
# Events that give an office its holder: an interim flag is looked for beside them.
_FILLING = ("appoint", "elect", "take_office", "replace")
_ENDING = ("resign", "remove", "leave")
# Events a headline "X to ..." announces for later: still a plan when decided.
_CEREMONIES = ("take_office",)
_VOTES = ("elect", "win")       # outcomes of a vote: one set for a named day is not decided


@cache
def rules_version() -> str:
    """Return the rules' version: the engine's and a hash of every rule data file."""
    return f"{ENGINE_VERSION}.{data_digest()[:16]}"


def __getattr__(name: str) -> Any:
    # ``RULES_VERSION`` and ``LANGUAGES`` stay importable, computed on first use.
    if name == "RULES_VERSION":
        return rules_version()
    if name == "LANGUAGES":
        return languages()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class _Rules:
    model: StoryModel
    story: StoryDefinition
    compiled: dict[str, tuple[Lexicon, tuple[Compiled, ...], tuple[tuple[str, re.Pattern[str]], ...]]]
    roles: dict[str, re.Pattern[str]]
    actor_names: frozenset[str]     # the people who act on the story's offices (a prime minister)

    def role_re(self, code: str) -> re.Pattern[str]:
        """Every role noun of the story's offices in one language (nothing when none)."""
        found = self.roles.get(code)
        if found is None:
            nouns = [n for spec in self.model.slots for n in spec.role_nouns(code)]
            found = self.roles[code] = compile_re(rf"(?<!\w)(?:{alternatives(nouns)})(?!\w)" if nouns else "(?!)",
                                                  re.I)
        return found

    def of(self, code: str) -> tuple[Lexicon, tuple[Compiled, ...], tuple[tuple[str, re.Pattern[str]], ...]]:
        """Return one language's lexicon, compiled frames and public-body anchors (compiled the
        first time: a process that only meets English text never compiles the others)."""
        found = self.compiled.get(code)
        if found is None:
            language = rules_language(code)

            def make() -> tuple[Lexicon, tuple[Compiled, ...], tuple[tuple[str, re.Pattern[str]], ...]]:
                lexicon = build(self.story, self.model, language)
                frames = compile_frames(self.story, self.model, language, lexicon)
                return lexicon, frames, public_anchors(self.model, self.story, lexicon, language)

            # Made once per story file and rule data (kept in the cache folder for the next process).
            key = f"{self.story.id}\0{self.story.digest}\0{code}\0{language.digest}"
            found = self.compiled[code] = kept("rules", key, make)
        return found


_CACHE: dict[tuple[str, str], _Rules] = {}


def _rules(story: StoryDefinition) -> _Rules:
    key = (story.id, story.digest)
    rules = _CACHE.get(key)
    if rules is None:
        model = model_of(story)
        actors = {a for spec in model.slots for a in spec.actors}
        rules = _CACHE[key] = _Rules(model, story, {}, {},
                                     frozenset(e.name for e in story.entities if e.id in actors))
    return rules


def language_of(article: Article) -> str:
    """Return the rule language: the declared one, else a guess from function words."""
    known = codes()
    code = (article.language or "").split("-")[0].split("_")[0].lower()
    if code in known:
        return code
    text = f"{article.title} {article.summary}"
    counts = {c: len(languages()[c].function_words.findall(text)) for c in known}
    fallback = "en" if "en" in counts else known[0]
    best = max(sorted(counts), key=lambda c: counts[c])
    return best if counts[best] > counts[fallback] else fallback


def extract(story: StoryDefinition, article: Article) -> list[Claim]:
    """Return the claims an article makes about a story's slots."""
    rules = _rules(story)
    code = language_of(article)
    language = rules_language(code)
    lexicon, frames, public = rules.of(code)
    finder = finder_of(language)
    title = clean(article.title)
    parts = [(s, True) for s in _title_parts(title, language.explainer)] + [(s, False) for s in sentences(article.summary)]
    bullets = _bullets(article.summary)
    whole = " ".join(s for s, _ in parts)
    mentioned = {entity for entity, pattern in lexicon.body_res if pattern.search(whole)}
    # A public body is in the article when one of its offices, a phrase for it or an actor is.
    mentioned |= {entity for entity, pattern in public if entity not in mentioned and pattern.search(whole)}
    anchor_in_article = bool(lexicon.anchor_re.search(whole))
    people = lexicon.persons_in(whole)
    full_names = {p.name for _, p, amb in people if not amb}
    named_people = {p.name for _, p, _ in people}
    only_person = next(iter(named_people)) if len(named_people) == 1 and named_people <= full_names else None
    if not parts or not (people or mentioned):
        return []
    article_kinds = language.cues.first(title, 0, len(title), ("article",))
    found = language.cues.kinds(whole, 0, len(whole), ("article", "sourced"))
    # A plan counts as decided when the organisation announced it, not when unnamed sources tell it.
    announced = "announce" in found and "unnamed" not in found
    article_kinds.pop("announce", None)
    article_kinds.pop("unnamed", None)
    # The form of the piece (a columnist's byline, a podcast) puts its headline; the summary's
    # sentences are read on their own cues.
    headline_kinds = {**language.cues.first(title, 0, len(title), ("title",)), **article_kinds}
    title_anchored = bool(lexicon.anchor_re.search(title))
    parts = _resolve_pronouns(language, lexicon, _cataphora(language, lexicon, parts, rules.role_re(code)),
                              rules.actor_names)
    parts = _office_pronoun(language, parts, rules.role_re(code))
    parts = _office_named_before(language, lexicon, parts, rules.role_re(code))
    events: list[Event] = []
    for index, (sentence, in_title) in enumerate(parts):
        here = bool(lexicon.anchor_re.search(sentence))
        anchored = here or (title_anchored if not in_title else anchor_in_article)
        names = [m.span() for m in lexicon.person_re.finditer(sentence)] if lexicon.people else []
        has_person = bool(names)
        present: frozenset[str] | None = None     # the screen literals the sentence holds
        for compiled in frames:
            if compiled.needs_person and not has_person:
                continue    # the frame needs a tracked person, and the sentence names none
            gated = not compiled.self_anchored and compiled.body is not None and compiled.body not in mentioned
            if gated and not compiled.anchors_source:
                continue
            if compiled.screen is not None:
                if present is None:
                    present = finder.present(sentence)
                if not passes(compiled.screen, present):
                    continue    # the sentence lacks a word every match of the frame holds
            for match in compiled.regex.finditer(sentence):
                # Without its body in the article, a match must name the office, the body or an actor.
                named = compiled.anchors is not None and bool(compiled.anchors.search(sentence))
                if gated and not named:
                    continue
                if _inside_name(match, names):
                    continue    # the frame matched a surname whose full name begins before it
                if compiled.office_after is not None and (compiled.office_after.match(sentence, match.end())
                                                          or compiled.office_after.match(sentence, match.end("v"))):
                    continue    # "fired as CEO", "out as ORG's CEO": the office's own frame says it
                someone, hedge = None, None
                if "someone" in match.groupdict() and compiled.role is not None:
                    beside = _beside(lexicon, parts, compiled.role, only_person)
                    someone = only_person if beside else _newcomer(rules, lexicon, parts, index, compiled.target)
                    if someone is not None and someone == rules.model.baseline.value(compiled.target):
                        someone = None      # the office's holder at the start is no new holder
                    if someone is not None and not beside:
                        hedge = _hedged_next(language, parts, index)    # told in the next sentence
                event = _event_of(rules, language, lexicon, compiled, match, sentence,
                                  headline_kinds if in_title else article_kinds,
                                  announced, anchored or named, full_names, index, article.published_us,
                                  in_title, title, someone, headline=in_title or sentence in bullets,
                                  hedge=hedge)
                if event is not None:
                    events.append(event)
    events = _office_beside(rules, lexicon, code, parts, events)
    events = _behind_headline(language, parts, events, article.published_us)
    events = background(rules.model, succession(rules.model, vacated(rules.model, other_office(
        rules.model, chairs_are_members(events)))))
    if language.starts is not None or language.ends is not None:
        events = _start_days(rules.model, language, lexicon, parts, events, article.published_us)
    if any(event.effective for event in events):
        # The day of a handover, for its halves that name none and are not put in the past.
        events = handover_day(rules.model, [
            event if event.effective else
            replace(event, past=in_past(language, parts[event.sentence][0], event.spans[0], event.spans[2],
                                        event.spans[1]))
            for event in events])
    claims: dict[tuple[str, ...], Claim] = {}
    for event in events:
        _claims_of(rules.model, language, event, article, claims)
    return drop_partial_lists([claims[k] for k in sorted(claims)])


def _behind_headline(language: Language, parts: list[tuple[str, bool]], events: list[Event],
                     published_us: int) -> list[Event]:
    """An event the headline gives as past or as the setting of other news ("Rally after X sworn
    in") and a summary sentence dates to the day before publication ("X was sworn in on Friday",
    in a Saturday item) is a day-old event told again: historical, not news."""
    told = {(e.kind, e.target, e.subjects) for e in events
            if parts[e.sentence][1] and e.factuality == "historical"}
    if not told:
        return events
    return [
        replace(event, factuality="historical",
                why="background: the headline gives it as past, and this sentence dates it the day before")
        if event.factuality == "asserted" and not parts[event.sentence][1]
        and (event.kind, event.target, event.subjects) in told
        and dated_day_before(language, parts[event.sentence][0], event.spans[0], event.spans[2], published_us,
                             event.spans[1])
        else event
        for event in events
    ]


def _start_days(model: StoryModel, language: Language, lexicon: Lexicon, parts: list[tuple[str, bool]],
                events: list[Event], published_us: int) -> list[Event]:
    """The new holder of a decided change, undated where the article names it, takes the day
    another sentence opening with their name says they start ("Y will start at the company on
    2 January"): the day of that handover. So does a departing holder, from a sentence saying
    when they go ("X's resignation takes effect on 30 June")."""
    out = []
    for event in events:
        spec = model.slot(event.target)
        verbs = language.starts if event.kind in _FILLING else language.ends if event.kind in _ENDING else None
        # A newcomer's day is a single office's; a departure's, any office's or the body's.
        office = event.kind in _ENDING or (spec is not None and spec.kind == SINGLE)
        if event.factuality == "asserted" and not event.effective and verbs is not None \
                and office and len(event.subjects) == 1:
            for index, (sentence, _) in enumerate(parts):
                named = lexicon.persons_in(sentence)
                if index == event.sentence or not named or named[0][0] != 0 \
                        or named[0][1].name != event.subjects[0]:
                    continue
                verb = verbs.search(sentence, 0, 60)
                day = effective(language, sentence, verb.start(), verb.end(), published_us) if verb else None
                if day is not None:
                    event = replace(event, effective=day[0], effective_cue=day[1])
                    break
        out.append(event)
    return out


def _office_beside(rules: _Rules, lexicon: Lexicon, code: str, parts: list[tuple[str, bool]],
                   events: list[Event]) -> list[Event]:
    """An oath naming no office ("X sworn in") is the head's unless a sentence beside it that
    names no one (or only the offices' actors) names one other office of that body and none of
    the head's but as an actor's title ("X sworn in. She is the new foreign minister", "X took
    the oath. The new finance minister ...", "... in Prime Minister Y's cabinet"): that office's."""
    out = []
    for event in events:
        head = rules.model.slot(event.target)
        if not event.head or event.kind != "take_office" or head is None or head.body is None:
            out.append(event)
            continue
        others = [spec for spec in rules.model.slots if spec.body == head.body and spec.kind == SINGLE
                  and spec.name != head.name and spec.elect_of is None and spec.role_nouns(code)]
        own = rules.model.slot(head.name)
        own_re = _nouns_re(own.role_nouns(code)) if own is not None else None
        found: set[str] = set()
        for index in (event.sentence - 1, event.sentence + 1):
            if not 0 <= index < len(parts):
                continue
            sentence = parts[index][0]
            people = lexicon.persons_in(sentence)
            if {p.name for _, p, _ in people} - rules.actor_names:
                continue    # the sentence names someone else than the offices' actors
            # The head's own role noun counts unless it is an actor's title ("the prime minister's X").
            if own_re is not None and any(not any(m.start() <= at <= m.end() + 3 for at, _, _ in people)
                                          for m in own_re.finditer(sentence)):
                continue
            found.update(spec.name for spec in others if _nouns_re(spec.role_nouns(code)).search(sentence))
        if len(found) == 1:
            event = replace(event, target=next(iter(found)), head=False)
        out.append(event)
    return out


@cache
def _nouns_re(nouns: tuple[str, ...]) -> re.Pattern[str]:
    return compile_re(rf"(?<!\w)(?:{alternatives(list(nouns))})(?!\w)" if nouns else "(?!)", re.I)


def _inside_name(match: re.Match[str], names: list[tuple[int, int]]) -> bool:
    """Whether the match's person (or list) starts inside a longer name: "defeats Hugo Brann to
    become" must not read "Brann to become", which a check of the word before the name misses."""
    for group in ("p", "pl"):
        start = match.start(group) if group in match.re.groupindex else -1
        if start >= 0 and any(begin < start < end for begin, end in names):
            return True
    return False


def _resolve_pronouns(language: Language, lexicon: Lexicon, parts: list[tuple[str, bool]],
                      actors: frozenset[str] = frozenset()) -> list[tuple[str, bool]]:
    """A sentence opening with a subject pronoun is about the one person the sentence before
    named: "X was ousted on Friday. She has lost her job as ..." reads as X. When the pattern
    has a group ``pro`` ("A day later, she ..."), only that group is replaced, and only
    when the words before it name no one. One opening with a possessive ("Then his time
    at ...") is that person's. A sentence opening with a verb whose subject a language may
    leave out ("Został szefem MSZ") and naming no one is about that person too. A title's
    second sentence reads the title's first; the first sentence of the title, nothing."""
    if language.pronouns is None and language.objects is None and language.dropped is None \
            and language.possessives is None and not language.clitics:
        return parts
    out: list[tuple[str, bool]] = []
    previous: set[str] = set()
    after_title = False     # the part before is a title sentence
    for sentence, in_title in parts:
        if len(previous) == 1 and (after_title or not in_title):
            person = next(iter(previous))
            found = language.pronouns.match(sentence) if language.pronouns is not None else None
            owner = language.possessives.match(sentence) if language.possessives is not None else None
            if found:
                start = found.start("pro") if "pro" in found.re.groupindex else 0
                if start <= 0 or not lexicon.persons_in(sentence[:start]):
                    sentence = sentence[:max(start, 0)] + person + sentence[found.end():]
            elif owner:
                # "Then his time at X was over": the possessive is the same person's.
                start, end = owner.span("pr")
                sentence = f"{sentence[:start]}{person}'s{sentence[end:]}"
            elif language.dropped is not None and language.dropped.match(sentence) \
                    and not lexicon.persons_in(sentence):
                sentence = f"{person} {sentence}"
            # An object pronoun ("the prime minister sacked her from ...") is that person too, when
            # the sentence names no one but the office's actors.
            here = {p.name for _, p, _ in lexicon.persons_in(sentence)}
            if language.objects is not None and not here - actors:
                sentence = language.objects.sub(person, sentence)
            # An object pronoun before its verb, the sentence naming someone else: « Y lui succède »
            # is Y succeeding that person.
            if here and person not in here:
                for clitic, template in language.clitics:
                    sentence = clitic.sub(_reader(template, person), sentence)
        named = {person.name for _, person, _ in lexicon.persons_in(sentence)}
        previous = named or previous
        after_title = in_title
        out.append((sentence, in_title))
    return out


def _reader(template: str, person: str) -> Callable[[re.Match[str]], str]:
    """The verb of a clitic match read with the person in the pronoun's place."""
    def read(match: re.Match[str]) -> str:
        return match.expand(template).replace("{person}", person)
    return read


def _office_pronoun(language: Language, parts: list[tuple[str, bool]],
                    roles: re.Pattern[str]) -> list[tuple[str, bool]]:
    """A sentence opening with a copula and a pronoun that stands for an office ("Został nim X"
    after "The company has a new CEO") names the office the sentence before named last: the
    pronoun gives way to that role noun, put first ("CEO został X"), as the office-first
    sentences are written."""
    if language.office_pronoun is None:
        return parts
    out = list(parts)
    for index in range(1, len(parts)):
        sentence, in_title = parts[index]
        found = language.office_pronoun.match(sentence)
        offices = list(roles.finditer(parts[index - 1][0])) if found else []
        if found and offices and "pro" in found.re.groupindex:
            start, end = found.span("pro")
            verb = sentence[:start].strip().lower()
            out[index] = (f"{offices[-1].group(0)} {verb} {sentence[end:].lstrip()}", in_title)
    return out


def _office_named_before(language: Language, lexicon: Lexicon, parts: list[tuple[str, bool]],
                         roles: re.Pattern[str]) -> list[tuple[str, bool]]:
    """A sentence that names only an office as new ("Nowy wojewoda."), followed by one that names a
    person and a filling verb with no office after it ("X powołana."), tells that person filled that
    office: the verb reads with the office put after it ("X powołana na wojewoda")."""
    if language.new_office is None or language.bare_filled is None:
        return parts
    out = list(parts)
    for index in range(1, len(parts)):
        before, sentence = parts[index - 1][0], parts[index][0]
        opening = language.new_office.match(before)
        office = roles.match(before, opening.end()) if opening else None
        if office is None or lexicon.persons_in(before) or roles.search(sentence):
            continue
        rest = before[office.end():].strip(" .!")
        verb = language.bare_filled.search(sentence)
        if len(rest.split()) > 3 or verb is None or not lexicon.persons_in(sentence[:verb.start()]):
            continue
        named = before[office.start():].strip(" .!")
        at = verb.end("v")
        out[index] = (f"{sentence[:at]} na {named}{sentence[at:]}", parts[index][1])
    return out


def _cataphora(language: Language, lexicon: Lexicon, parts: list[tuple[str, bool]],
               roles: re.Pattern[str]) -> list[tuple[str, bool]]:
    """A title opening with a description of a person ("Senior minister fired over ...") and
    naming no one is about the one person who opens the summary's first sentence naming anyone
    ("X wrote ..."). Not an office of the story ("Home secretary sacked"): that office's holder."""
    if language.headline_subject is None or not parts or not parts[0][1]:
        return parts
    title, _ = parts[0]
    found = language.headline_subject.match(title)
    if not found or lexicon.persons_in(title) or roles.search(found.group(0)):
        return parts
    for sentence, in_title in parts[1:]:
        people = lexicon.persons_in(sentence)
        if people:
            named = {p.name for _, p, _ in people}
            if len(named) == 1 and not in_title and people[0][0] == 0:
                return [(next(iter(named)) + title[found.end():], True), *parts[1:]]
            break
    return parts


def _beside(lexicon: Lexicon, parts: list[tuple[str, bool]], role: re.Pattern[str], person: str | None,
            reach: int = 40) -> bool:
    """Whether the article names the person next to one of the office's role nouns
    ("X, the president-elect", "president-elect X"): the holder an unnamed office refers to."""
    if person is None:
        return False
    for sentence, _ in parts:
        spots = [m.start() for m in role.finditer(sentence)]
        if spots and any(p.name == person and any(abs(at - s) <= reach for s in spots)
                         for at, p, _ in lexicon.persons_in(sentence)):
            return True
    return False


# The kinds that leave a change not (or not surely) done, in the order factuality weighs them.
_HEDGES = tuple(kind for kind in PRECEDENCE if kind not in ("opinion", "background", "historical"))


def _hedged_next(language: Language, parts: list[tuple[str, bool]], index: int) -> tuple[str, str] | None:
    """How the sentence after an unnamed new holder's, which names them, hedges the change
    ("ORG names new CEO. X is expected to be confirmed ..."): its first hedge kind and cue, or None."""
    if index + 1 >= len(parts):
        return None
    sentence = parts[index + 1][0]
    found = language.cues.first(sentence, 0, len(sentence), ("clause", "after", "sentence"))
    return next(((kind, found[kind]) for kind in _HEDGES if kind in found), None)


def _newcomer(rules: _Rules, lexicon: Lexicon, parts: list[tuple[str, bool]], index: int,
              slot: str) -> str | None:
    """The new holder of an office the sentence leaves unnamed ("X has a new CEO"), told in the
    sentence right after it ("She is Y, ...", "Y has signed ...", "The board appointed Y"): the
    one person it names who neither acts on the office nor held it at the story's start. Not an
    elected office: whether a winner or a holder is meant is for the words around the name."""
    spec = rules.model.slot(slot)
    if index + 1 >= len(parts) or spec is None or spec.elect:
        return None     # an elected office's next holder may be its winner or its new holder
    held = rules.model.baseline.value(slot)
    found = {p.name for _, p, amb in lexicon.persons_in(parts[index + 1][0]) if not amb}
    found -= rules.actor_names | ({held} if isinstance(held, str) else set())
    return next(iter(found)) if len(found) == 1 else None


def _title_parts(title: str, explainer: re.Pattern[str] | None = None) -> list[str]:
    """Split a title's sentences, and a statement from the question after its colon
    ("X ousted: was it necessary?" states the ouster and asks the rest). An explainer's
    question that presupposes its head ("X: who is the new CEO?") stays whole."""
    out = []
    for sentence in sentences(title):
        head, colon, tail = sentence.rpartition(": ")
        if colon and tail.rstrip().endswith("?") and "?" not in head and head.strip() \
                and not (explainer is not None and explainer.match(tail.strip())):
            out += [head.strip(), tail.strip()]
        else:
            out.append(sentence)
    return out


def _persons(lexicon: Lexicon, text: str, anchored: bool, full_names: set[str]) -> list[str]:
    names = []
    for _, person, ambiguous in lexicon.persons_in(text):
        if ambiguous and not anchored and person.name not in full_names:
            continue
        if person.name not in names:
            names.append(person.name)
    return names


def _bullets(summary: str) -> set[str]:
    """Return the summary's lines written as headlines: a standfirst's bullet points, each a
    line of its own without a full stop ("X to replace Y on the board"). A headline's "X to
    ..." is a decision, so it is one in such a line too."""
    if "\n" not in summary:
        return set()
    out = set()
    for line in summary.split("\n"):
        text = clean(line).strip()
        if text and not re.search(r"[.!?…:]$", text) and len(text.split()) <= 16 and sentences(text) == [text]:
            out.add(text)
    return out


def _event_of(
    rules: _Rules,
    language: Language,
    lexicon: Lexicon,
    compiled: Compiled,
    match: re.Match[str],
    sentence: str,
    article_kinds: dict[str, str],
    announced: bool,
    anchored: bool,
    full_names: set[str],
    index: int,
    published_us: int,
    in_title: bool = False,
    title: str = "",
    someone: str | None = None,
    headline: bool = False,
    hedge: tuple[str, str] | None = None,
) -> Event | None:
    frame = compiled.frame
    groups = match.groupdict()
    v_start, v_end = match.span("v")
    people: list[str] = []
    subjects: list[str] = []
    key = f"{frame.event} {compiled.target}"
    if frame.event == "new":
        listed = groups.get("pl") or sentence[v_end:]
        people = _persons(lexicon, listed, anchored, full_names)
        if len(people) < 2:
            return None
    elif groups.get("pl"):
        subjects = _persons(lexicon, groups["pl"], anchored, full_names)
    elif groups.get("p"):
        start = match.start("p")
        if start == match.start() and language.object_before is not None \
                and language.object_before.search(sentence, max(0, start - 80), start):
            return None   # the name is the object of the verb before it ("beats X to become ...")
        if frame.bind == "head" and frame.event == "take_office" and _titled(language, compiled, sentence, start):
            return None   # "deputy minister X sworn in": the oath of another title than the head's
        if frame.subject and language.name_endings and _oblique(lexicon, groups["p"]):
            return None   # the subject's name in another case ("Cichonia zastąpi Y": Cichoń is the object)
        subjects = _persons(lexicon, groups["p"], anchored, full_names)
    holder = next((name[2:] for name, value in groups.items() if name.startswith("h_") and value), None)
    if "someone" in groups:
        # The office's new holder, unnamed in the sentence: the one person the article names,
        # beside the office's role noun.
        if someone is None:
            return None
        subjects = [someone]
    elif holder is not None:
        # The office named in place of its holder: resolved against the story's state later.
        subjects = [f"{HOLDER}{holder}"]
    elif not anchored and not compiled.self_anchored:
        # Without a body in the sentence (or title), only full names count.
        subjects = [s for s in subjects if s in full_names]
    needs_person = any(op.value == "$person" for op in rules.model.ops_for(key))
    if frame.event != "new" and (needs_person or groups.get("p") or groups.get("pl")) and not subjects:
        return None
    reading = factuality(language.cues, sentence, (v_start, v_end), article_kinds, announced, frame.base,
                         headline_decided=headline and frame.event not in _CEREMONIES,
                         future_decided=frame.event not in _CEREMONIES, barrier=language.barrier,
                         title=title)
    fact, why = reading.factuality, _why(reading)
    if fact in frame.ignore:
        fact, why = "asserted", f"the trigger carries {fact!r} itself"
    if fact == "asserted" and hedge is not None:
        fact, why = hedge[0], f"the next sentence, naming the new holder, puts it so: {hedge[1]!r}"
    quote = _quotation(language, sentence, match.span(), (v_start, v_end)) if in_title else None
    if fact == "asserted" and quote is not None:
        fact, why = "speculative", f"the title quotes it: {quote!r}"
    if fact == "asserted" and dated_earlier(language, sentence, match.start(), v_end, published_us, v_start):
        fact, why = "historical", "a day, month or season before publication dates it"
    elif fact == "asserted" and frame.event in _VOTES and scheduled(language, sentence, match.start(), v_end, v_start):
        fact, why = "planned", "a vote set for a named day is still to be held"
    interim = None
    spec = rules.model.slot(compiled.target)
    if frame.event in _FILLING and spec is not None and spec.interim:
        clause = language.cues.clause_start(sentence, match.start())
        found = language.interim.search(sentence, min(clause, match.start()), match.end() + 40)
        # Taking office by oath is the full office unless an interim word says otherwise.
        interim = True if found else (False if frame.event in _CEREMONIES else None)
    elif frame.event == "return" and spec is not None:
        interim = False
    # The day a decided change takes effect, read for a plan too: a successor it names may be decided.
    day = effective(language, sentence, match.start(), v_end, published_us, v_start) \
        if fact in ("asserted", "planned") else None
    return Event(frame.event, compiled.target, frame.rule, tuple(subjects), tuple(sorted(people)), fact,
                 interim, match.group(0).strip(), index, compiled.tag, why, frame.bind == "head",
                 False, (match.start(), v_start, v_end), *(day or ("", "")))


def _oblique(lexicon: Lexicon, text: str) -> bool:
    """Whether a matched name is in another case than its nominative: its last word is the
    canonical surname's stem with another ending ("Cichonia", "Wolskiego" for "Cichoń", "Wolski"),
    so it cannot be a verb's subject."""
    person = lexicon.resolve(text)
    if person is None:
        return False
    said, own = text.split()[-1].lower(), person.name.split()[-1].lower()
    return len(own) > 3 and said != own and said.startswith(own[:-1])


def _titled(language: Language, compiled: Compiled, sentence: str, start: int) -> bool:
    """Whether the name at ``start`` follows a title other than the office's own role nouns
    ("Wiceminister finansów X", "deputy mayor X"): an oath naming no office is then that title's.
    (A deputy who takes the helm does become the head: only oaths are read so.)"""
    if language.titled is None:
        return False
    found = language.titled.search(sentence, max(0, start - 80), start)
    role = compiled.role
    return found is not None and not (role is not None and role.search(found.group(0)))


def _quotation(language: Language, sentence: str, span: tuple[int, int],
               trigger: tuple[int, int]) -> str | None:
    """Return a quotation holding the trigger or an end of the match (a headline's attributed
    claim: "OpenAI 'hires X' as CEO", "'X' to lead Y"), or None. A quoted word wholly inside
    the match ("fires 'visionary' CEO X") does not attribute it."""
    if language.quoted is None:
        return None
    start, end = span
    for found in language.quoted.finditer(sentence):
        q_start, q_end = found.span()
        if q_start <= start < q_end or q_start < end <= q_end or q_start <= trigger[0] < trigger[1] <= q_end:
            return found.group(0)
    return None


def _why(reading: Reading) -> str:
    if not reading.cue:
        return ""
    if reading.cue == "announced":
        return f"announced: a plan the article says was decided, in {reading.scope!r}"
    return f"{reading.cue!r} in {reading.scope!r}"


def _claims_of(
    model: StoryModel, language: Language, event: Event, article: Article, out: dict[tuple[str, ...], Claim]
) -> None:
    for op in model.ops_for(event.key):
        if op.value == "$person":
            values: list[object] = list(event.subjects)
        elif op.value == "$people":
            values = [event.members]
        elif op.value == "$tag":
            values = [event.tag or None]
        else:
            values = [op.value or None]
        spec = model.slot(op.slot)
        for value in values:
            if op.value == "$tag" and value is None:
                continue
            claim = Claim(
                story=model.story,
                article_id=article.article_id,
                slot=op.slot,
                op=op.op,  # type: ignore[arg-type]
                value=value,  # type: ignore[arg-type]
                factuality=event.factuality,  # type: ignore[arg-type]
                language=language.code,
                evidence=event.evidence,
                interim=event.interim if op.op == "set" and spec is not None and spec.interim else None,
                rule=event.rule,
                cue=event.why,
                # Only a decided change is dated by the day it takes effect.
                effective=event.effective if event.factuality == "asserted" else "",
                effective_cue=event.effective_cue if event.factuality == "asserted" else "",
            )
            key = (op.slot, op.op, repr(value), event.factuality, event.rule, event.evidence)
            out.setdefault(key, claim)


__all__ = ["extract", "language_of", "rules_version"]
