"""Compile a language's frames against one story: each frame once per target it binds to.

A frame (``languages/<code>/frames.toml``) names an event kind and what it is
bound to:

- ``single``: every single-holder office with role nouns in the language
  (``{ROLE}`` is the office's role nouns, ``{BODY}`` its body);
- ``head``: the office that leads each body ("takes the helm", "à la tête de");
- ``set``: every set office (a board, a cabinet) with role nouns in the language;
- ``tags``: every tag of a tags slot that has cue words in the language
  (``{SUBJECT}`` the entity it describes, ``{TAG}`` the tag's words);
- ``body``: every organisation of the story (``{BODY}`` its names): joining,
  leaving, returning to it without an office named.

The compiled frame keeps its target, so an event always knows which office or
body it is about; nothing here is specific to one story or one language.
"""

from __future__ import annotations

import re
from functools import cache

from tracker.stories.definition import PERSON, StoryDefinition
from tracker.stories.extract.compiled import compile as compile_re
from tracker.stories.extract.compiled import kept
from tracker.stories.extract.lexicon import NAME_START, Lexicon, alternatives
from tracker.stories.extract.rules import Frame, Language
from tracker.stories.extract.screen import PLACEHOLDER, Finder, Screen, atomic, keep, required
from tracker.stories.spec import SET, SINGLE, TAGS, SlotSpec, StoryModel

# Bodies whose offices are unique enough that naming the office anchors a report to them.
PUBLIC_BODIES = ("government", "parliament", "country", "party")


class Compiled:
    """A frame compiled for one target: a slot name or a body's entity id.

    Its patterns are compiled when first used: a frame whose screen no sentence passes
    (see ``screen``) never pays for compiling its long regex.
    """

    __slots__ = ("_regex", "_story", "after_source", "anchors_source", "body",
                 "frame", "needs_person", "role_source", "screen", "self_anchored", "source", "tag", "target")

    def __init__(self, frame: Frame, source: str, target: str, body: str | None, tag: str = "",
                 self_anchored: bool = False, anchors_source: str = "", after_source: str = "",
                 needs_person: bool = True, role_source: str = "", screen: Screen | None = None,
                 story: str = "") -> None:
        self.frame = frame
        self.source = source                # the regex, compiled case-insensitively on first use
        self.target = target                # slot name ("ceo") or entity id ("openai")
        self.body = body                    # the entity id whose mention anchors the event
        self.tag = tag                      # for tags frames: the tag
        self.self_anchored = self_anchored  # the pattern names its own entity (a partner, a tags subject)
        self.anchors_source = anchors_source    # role nouns, body names, actors: a match naming one is anchored
        self.after_source = after_source    # "fired as CEO": a departure from that office, not the body
        self.needs_person = needs_person    # matches only where a tracked person is named ({P} or {PL}, no {PH})
        self.role_source = role_source      # the office's role nouns and their derived forms
        self.screen = screen                # literals a sentence must hold to match (None: always run)
        self._story = story
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        """The frame's regex."""
        if self._regex is None:
            try:
                self._regex = compile_re(self.source, re.I, group=f"frames:{self._story}")
            except re.error as exc:
                from tracker.errors import ConfigError

                raise ConfigError(f"rule {self.frame.rule} for {self._story}/{self.target}: "
                                  f"invalid pattern: {exc}") from None
        return self._regex

    @property
    def anchors(self) -> re.Pattern[str] | None:
        """What, named inside a match, anchors it (None: nothing does)."""
        return _pattern(self.anchors_source) if self.anchors_source else None

    @property
    def office_after(self) -> re.Pattern[str] | None:
        """After a departure from the body, the office it is from ("fired as CEO"), or None."""
        return _pattern(self.after_source) if self.after_source else None

    @property
    def role(self) -> re.Pattern[str] | None:
        """The office's role nouns and their derived forms (None: no office)."""
        return _pattern(self.role_source) if self.role_source else None


@cache
def _pattern(source: str) -> re.Pattern[str]:
    # Compiled once per process, on first use, and shared by every frame that has the same piece.
    return compile_re(source, re.I)


def _expand(template: str, pieces: dict[str, str]) -> str:
    # Named pieces may use other pieces and placeholders; expand until nothing changes.
    for _ in range(6):
        before = template
        for key, value in pieces.items():
            template = template.replace("{" + key + "}", value)
        if template == before:
            break
    return template


def _gap_words(language: Language, person: str) -> tuple[str, str]:
    clause = language.clause_words or "(?!)"
    not_gap = "|".join(p for p in (clause, language.not_gap) if p) or "(?!)"
    fill = rf"(?:(?!(?:{clause})\s)[\w'.&-]+\s+){{0,5}}?"
    # Auxiliaries between a subject and its verb ("will not", "has been"): never a name.
    gap = rf"(?:(?!(?:{not_gap})\s)(?!{person})[\w'-]+\s+){{0,3}}?"
    return fill, gap


def _held(model: StoryModel, lexicon: Lexicon, spec: SlotSpec) -> str:
    """The office's holder at the story's start, by any of their names ("X succeeds Y": the
    office Y held), or a pattern matching nothing when the office starts vacant."""
    base = model.baseline.value(spec.name)
    person = next((p for p in lexicon.people if p.name == base), None) if isinstance(base, str) else None
    if person is None:
        return "(?!)"
    # After an elided article or preposition too ("succède d'Ilse ...", "qu'Anton ...").
    return NAME_START + "(?:" + "|".join(p.pattern for p in person.patterns) + r")(?!\w)"


def _role(spec: SlotSpec, language: Language) -> str | None:
    nouns = spec.role_nouns(language.code)
    if not nouns:
        return None
    plain, short = _short_forms(list(nouns), language)
    # A shared office, its nouns in the plural too: "co-chief executive", "co-CEOs", "joint managers".
    alts = "|".join(p for p in (alternatives(plain), _guarded(short, "")) if p)
    role = f"{language.role_prefix}(?<!\\w)(?:(?:co-|joint\\s+)(?:{alts})s?|(?:{alts}))(?!\\w)"
    if language.role_not_before:
        role += rf"(?!\s+(?:{language.role_not_before})\b)"
    # "CEO of X" is X's CEO; "a board of X, Y and Z" lists its members.
    return role + language.role_tail if spec.kind == SINGLE else role


def _short_forms(nouns: list[str], language: Language) -> tuple[list[str], dict[str, list[str]]]:
    """Split an office's nouns into those read as written and the short forms the language lets
    them take ("président du conseil" for "président du conseil d'administration"), each with
    the words after it that make it another body's office ("du conseil régional")."""
    short: dict[str, list[str]] = {}
    for ending, other in language.role_shortened:
        for noun in nouns:
            found = re.search(f"(?:{ending})$", noun)
            if found and found.start() > 0:
                short.setdefault(noun[:found.start()].strip(), []).append(other)
    return [n for n in nouns if n not in short], short


def _guarded(short: dict[str, list[str]], after: str) -> str:
    """The short nouns, each kept from reading a longer name of another body."""
    return "|".join(rf"(?:{alternatives([noun])}){after}(?!\s+(?:{'|'.join(others)}))"
                    for noun, others in sorted(short.items(), key=lambda item: -len(item[0])))


def _stem(spec: SlotSpec, language: Language) -> str:
    """The office's role nouns as word starts, for derived forms ("president" in "presidential"),
    with the language's derived endings ("president" -> "presidenc" in "presidency")."""
    plain, short = _short_forms(list(spec.role_nouns(language.code)), language)
    nouns = _derive(plain, language)
    derived_short: dict[str, list[str]] = {}
    for noun, others in short.items():
        for form in _derive([noun], language):
            derived_short.setdefault(form, []).extend(others)
    # The places that stand for the office ("le Quai d'Orsay", "la place Beauvau") follow the
    # same articles as its noun.
    nouns += list(spec.seat_names(language.code))
    parts = [p for p in (alternatives(nouns) if nouns else "", _guarded(derived_short, r"\w*+")) if p]
    return rf"(?<!\w)(?:{'|'.join(parts)})" if parts else "(?!)"


def _derive(nouns: list[str], language: Language) -> list[str]:
    """Nouns with the forms the language's derived endings give them."""
    nouns = list(nouns)
    for ending, replacement in language.role_derived:
        # An ending, or with a leading "^" the start of the noun ("minister of X" -> "ministry of X").
        where = ending if ending.startswith("^") else rf"(?:{ending})$"
        # A noun written with a final "*" ("président*") derives from its written stem.
        bare = [n[:-1] if n.endswith("*") else n for n in nouns]
        nouns += [re.sub(where, replacement, n) for n in dict.fromkeys(bare) if re.search(where, n)]
    return nouns


def _seat(spec: SlotSpec, language: Language) -> str:
    """The places that stand for the office, written without an article ("quitte Bercy")."""
    seats = list(spec.seat_names(language.code))
    return rf"(?<!\w)(?:{alternatives(seats)})(?!\w)" if seats else "(?!)"


def _bodyx(model: StoryModel, story: StoryDefinition, lexicon: Lexicon, language: Language,
           body: str | None, actors: tuple[str, ...] = ()) -> str:
    parts = []
    if body is not None:
        parts.append(lexicon.body(body))
        entity = model.entity(body)
        phrases = language.body_phrases(entity.kind) if entity is not None else ""
        if phrases:
            parts.append(_not_other_body(story, body) + phrases)
    for actor in actors:
        entity = model.entity(actor)
        if entity is None:
            continue
        if entity.kind == PERSON:
            parts.append(r"(?<![\w'])(?-i:" + alternatives(list(entity.aliases)) + r")(?:'s)?(?!\w)")
        else:
            parts.append(lexicon.body(actor))
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


def _not_other_body(story: StoryDefinition, body: str) -> str:
    """A lookahead that keeps a kind's phrase from standing for a body when the words are the
    name of another body of the story: "the Senate" is no House's where the story tracks the
    Senate too."""
    others = [alias for entity in story.entities if entity.kind != PERSON and entity.id != body
              for alias in entity.aliases]
    return rf"(?!(?:{alternatives(others)})(?!\w))" if others else ""


def _anchors(model: StoryModel, lexicon: Lexicon, language: Language, spec: SlotSpec | None,
             body: str | None, actors: tuple[str, ...] = ()) -> str:
    """What, named inside a match, ties it to its office without the body in the article:
    the body's names, one of its actors, or, for a public office (a government's, a
    parliament's, a country's), one of its role nouns: "the Home Secretary" names one
    office, while "the CEO" or "the board" could be any company's."""
    parts = []
    entity = model.entity(body) if body is not None else None
    public = entity is not None and entity.kind in PUBLIC_BODIES
    if spec is not None and public and spec.kind == SINGLE and spec.role_nouns(language.code):
        # The places that stand for such an office ("Matignon", "place Beauvau") name it as well.
        nouns = [*spec.role_nouns(language.code), *spec.seat_names(language.code)]
        parts.append(rf"(?<!\w)(?:{alternatives(nouns)})(?!\w)")
    if body is not None:
        parts.append(lexicon.body(body))
    for actor in (*(spec.actors if spec is not None else ()), *actors):
        entity = model.entity(actor)
        if entity is not None:
            parts.append(r"(?<!\w)(?:" + alternatives(list(entity.aliases)) + r")(?!\w)")
    return "|".join(parts)


def _holder(model: StoryModel, lexicon: Lexicon, language: Language, spec: SlotSpec) -> str | None:
    """The office named in place of its holder ("the Home Secretary", "OpenAI's CEO")."""
    role = _role(spec, language)
    if role is None or spec.body is None:
        return None
    entity = model.entity(spec.body)
    owner = rf"{lexicon.body(spec.body)}(?:'s|\u2019s)?"
    if entity is not None and entity.kind in PUBLIC_BODIES:
        # "Britain's Home Secretary", "the Home Secretary", "Home Secretary X's post"
        prefix = rf"(?:(?:{owner}|the|its|(?-i:[A-Z][\w.-]*)(?:'s|\u2019s))\s+)?"
    else:
        # A company's office needs the company or "the": "OpenAI's CEO", "the CEO" (or the
        # language's own words: "son entraîneur").
        words = language.holder_before or r"the\s+|its\s+"
        prefix = rf"(?:{owner}\s+|{words})"
        if language.owner_after:
            # Or the company after the role noun, where the language puts it there ("prezes OpenAI").
            return (rf"(?:{prefix}(?:(?:new|interim|acting)\s+)?{role}|{role}\s+(?:{language.owner_after}))"
                    rf"(?!\s+{lexicon.person})")
    return rf"{prefix}(?:(?:new|interim|acting)\s+)?{role}(?!\s+{lexicon.person})"


def compile_frames(story: StoryDefinition, model: StoryModel, language: Language,
                   lexicon: Lexicon) -> tuple[Compiled, ...]:
    """Fill every template of a language with the story's patterns, once per target."""
    person = lexicon.person
    plist = (
        rf"{person}(?:(?:\s*,\s*|\s*,?\s+(?:{language.conjunctions})\s+){person})*"
        rf"(?:\s*,?\s+(?:{language.conjunctions})\s+(?:{language.others}))?"
    )
    fill, gap = _gap_words(language, person)
    common = {
        # A title of courtesy or rank before the name ("prof.", "dr") is read past.
        "P": rf"(?:(?:{language.honorifics})\s*)*(?P<p>{person})" if language.honorifics else rf"(?P<p>{person})",
        "PL": rf"(?P<pl>{plist})",
        "ANYP": person,
        "FILL": fill,
        "GAP": gap,
        # The office's new holder left unnamed ("Argentina has a new president"): the one
        # tracked person the article names, if it names only one.
        "SOMEONE": "(?P<someone>)",
    }
    named = dict(language.patterns)
    office_bodies = set(model.bodies())
    compiled: list[Compiled] = []

    def holders(offices: list[SlotSpec]) -> str:
        # {PH}: a tracked person, or an office named in place of its holder (group h_SLOT).
        parts = [f"(?P<p>{person})"]
        for spec in offices:
            pattern = _holder(model, lexicon, language, spec)
            if pattern:
                parts.append(f"(?P<h_{spec.name}>{pattern})")
        return "(?:" + "|".join(parts) + ")"

    def add(frame: Frame, target: str, body: str | None, values: dict[str, str], tag: str = "",
            self_anchored: bool = False, anchors: str = "", office_after: str = "") -> None:
        if "{PH}" in frame.template and "PH" not in values:
            spec = model.slot(target)
            offices = [spec] if spec is not None else [
                s for s in model.slots if s.body == target and s.kind == SINGLE and s.elect_of is None]
            values = {**values, "PH": holders(offices)}
        neutral = _expand(frame.template, named)
        pieces = {**values, **common}
        text = _expand(neutral, pieces)
        left = re.search(r"\{[A-Z][A-Z_]*\}", text)
        if left:
            from tracker.errors import ConfigError

            raise ConfigError(f"rule {frame.rule}: {left.group(0)} is not a placeholder of a "
                              f"{frame.bind} frame nor a pattern of the {language.code} lexicon")
        person_only = ("{P}" in frame.template or "{PL}" in frame.template) and "{PH}" not in frame.template
        compiled.append(Compiled(frame, text, target, body, tag, self_anchored, anchors, office_after,
                                 person_only, values.get("ROLE_STEM", ""), _screen(neutral, text, pieces),
                                 story.id))

    for frame in language.frames:
        if frame.bind in ("single", "set"):
            kind = SINGLE if frame.bind == "single" else SET
            for spec in model.slots:
                role = _role(spec, language) if spec.kind == kind and spec.elect_of is None else None
                if role is None:
                    continue
                body = spec.body
                values = {"ROLE": role, "ROLE_STEM": _stem(spec, language), "SEAT": _seat(spec, language),
                          "HELD": _held(model, lexicon, spec) if kind == SINGLE else "(?!)",
                          "BODY": lexicon.body(body) if body else "(?!)",
                          "BODYX": _bodyx(model, story, lexicon, language, body, spec.actors)}
                add(frame, spec.name, body, values, anchors=_anchors(model, lexicon, language, spec, body))
        elif frame.bind == "head":
            for body in model.bodies():
                head = model.head_of(body)
                if head is None:
                    continue
                role = _role(head, language) or "(?!)"
                values = {"ROLE": role, "BODY": lexicon.body(body), "HELD": _held(model, lexicon, head),
                          "BODYX": _bodyx(model, story, lexicon, language, body, head.actors)}
                add(frame, head.name, body, values, anchors=_anchors(model, lexicon, language, head, body))
        elif frame.bind == "tags":
            for spec in model.slots:
                if spec.kind != TAGS or spec.subject is None:
                    continue
                for tag, by_language in spec.tag_cues:
                    words = dict(by_language).get(language.code)
                    if not words:
                        continue
                    values = {"SUBJECT": lexicon.body(spec.subject), "TAG": f"(?:{alternatives(list(words))})",
                              "BODY": lexicon.body(spec.body) if spec.body else "(?!)",
                              "BODYX": _bodyx(model, story, lexicon, language, spec.body)}
                    add(frame, spec.name, spec.subject, values, tag, self_anchored=True)
        else:
            for entity in story.entities:
                if entity.kind == PERSON:
                    continue
                actors = tuple(dict.fromkeys(a for s in model.slots if s.body == entity.id for a in s.actors))
                values = {"BODY": lexicon.body(entity.id),
                          "BODYX": _bodyx(model, story, lexicon, language, entity.id, actors)}
                roles = [r for s in model.slots if s.body == entity.id and s.kind == SINGLE
                         for r in s.role_nouns(language.code)]
                # "resigned (on) Tuesday as CEO": a weekday may come between the verb and the office.
                day = "|".join(p.pattern for p in language.weekdays)
                day = rf"(?:(?:on\s+)?(?:{day})\s+)?" if day else ""
                after = (rf"\s*{day}(?:{lexicon.body(entity.id)}\s+)?(?:{language.as_office})\s+(?:[\w'.&-]+\s+){{0,3}}?"
                         rf"(?:{alternatives(roles)})(?!\w)"
                         if frame.event == "leave" and roles and language.as_office else "")
                add(frame, entity.id, entity.id, values, self_anchored=entity.id not in office_bodies,
                    anchors=_anchors(model, lexicon, language, None, entity.id, actors), office_after=after)
    keep()  # the screens read for this language, for the next process
    return tuple(compiled)


def _screen(neutral: str, text: str, pieces: dict[str, str]) -> Screen | None:
    """The screen of a frame's template (its named patterns expanded, ``neutral``), when it
    holds for the compiled ``text``: each placeholder's piece stands on its own, and the text
    is the template with those pieces put in. Otherwise None: the frame is always run."""
    screen = required(neutral)
    if screen is None:
        return None
    full: dict[str, str] = {}
    for name in set(PLACEHOLDER.findall(neutral)):
        piece = full[name] = _expand("{" + name + "}", pieces)
        if not atomic(piece):
            return None
    rebuilt = PLACEHOLDER.sub(lambda m: full[m.group(1)], neutral)
    return screen if rebuilt == text else None


_FINDERS: dict[tuple[str, str], Finder] = {}


def finder_of(language: Language) -> Finder:
    """Return the finder of every screen literal of a language's frames (made once)."""
    key = (language.code, language.digest)
    found = _FINDERS.get(key)
    if found is None:

        def make() -> Finder:
            named = dict(language.patterns)
            literals = {lit for frame in language.frames
                        for alternatives_ in (required(_expand(frame.template, named)) or ())
                        for lit in alternatives_}
            return Finder(frozenset(literals))

        found = _FINDERS[key] = kept("finder", f"{language.code}\0{language.digest}", make)
    return found


def public_anchors(model: StoryModel, story: StoryDefinition, lexicon: Lexicon,
                   language: Language) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """For each public body (a government, parliament, country, party): what in an article
    ties it to the story without its name: a role noun of its offices, a phrase standing for
    such a body, or an actor."""
    found = []
    for entity in story.entities:
        if entity.kind not in PUBLIC_BODIES:
            continue
        offices = [s for s in model.slots if s.body == entity.id]
        parts = [_anchors(model, lexicon, language, spec, entity.id) for spec in offices]
        phrases = language.body_phrases(entity.kind)
        if phrases:
            parts.append(rf"(?<!\w){_not_other_body(story, entity.id)}(?:{phrases})(?!\w)")
        pattern = "|".join(p for p in parts if p)
        if pattern:
            found.append((entity.id, compile_re(pattern, re.I)))
    return tuple(found)
