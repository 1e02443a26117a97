"""Extract claims from an article's title and summary (a projection: pure, versioned).

Contract: ``extract(story, article)`` returns the claims the text makes about the
story's slots, deterministically; ``RULES_VERSION`` changes whenever the rules'
behaviour does, so projections know to rebuild.

Each language module supplies trigger frames (a verb or role noun anchored to a
tracked entity) and cue lists; a frame names an *event* ("leave",
"appoint_ceo", ...) and the story file's ``[events]`` table says what that event
does to the slots. The result depends only on the article's text, language,
publisher and date, and on the story definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.stories.definition import StoryDefinition
from tracker.stories.extract import en, fr, pl
from tracker.stories.extract.cues import factuality
from tracker.stories.extract.frames import Compiled, Language, compile_frames
from tracker.stories.extract.lexicon import Lexicon, Person, build
from tracker.stories.extract.text import clean, sentences
from tracker.stories.spec import StoryModel, model_of
from tracker.types import Article, Claim

RULES_VERSION = "2"

# Events about the partner stand on the partner's name and a tracked person's full name.
_PARTNER_EVENTS = ("join_partner", "partner_observer")
LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (en.LANGUAGE, fr.LANGUAGE, pl.LANGUAGE)}


@dataclass(frozen=True, slots=True)
class _Rules:
    model: StoryModel
    lexicon: Lexicon
    frames: dict[str, tuple[Compiled, ...]]


_CACHE: dict[tuple[str, str], _Rules] = {}


def _rules(story: StoryDefinition) -> _Rules:
    key = (story.id, story.digest)
    rules = _CACHE.get(key)
    if rules is None:
        model = model_of(story)
        lexicon = build(story, model)
        frames = {code: compile_frames(lang, lexicon) for code, lang in LANGUAGES.items()}
        rules = _Rules(model, lexicon, frames)
        _CACHE[key] = rules
    return rules


def language_of(article: Article) -> str:
    """Return the rule language for an article (its declared language, else English)."""
    code = (article.language or "en").split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else "en"


def _members(lexicon: Lexicon, sentence: str, start: int) -> list[tuple[int, Person, bool]]:
    return [m for m in lexicon.persons_in(sentence[start:])]


def extract(story: StoryDefinition, article: Article) -> list[Claim]:
    """Return the claims an article makes about a story's slots."""
    rules = _rules(story)
    code = language_of(article)
    language = LANGUAGES[code]
    lexicon = rules.lexicon
    title = clean(article.title)
    parts = [(s, True) for s in sentences(title)] + [(s, False) for s in sentences(article.summary)]
    whole = " ".join(s for s, _ in parts)
    org_in_article = bool(lexicon.org_re.search(whole))
    full_names = {p.name for _, p, amb in lexicon.persons_in(whole) if not amb}
    if not parts or not (org_in_article or full_names):
        return []
    article_kinds = language.cues.kinds(title, 0, len(title), ("article",))
    found = language.cues.kinds(whole, 0, len(whole), ("article", "sourced"))
    # A plan counts as decided when the organisation announced it, not when unnamed sources tell it.
    announced = "announce" in found and "unnamed" not in found
    article_kinds.discard("announce")
    article_kinds.discard("unnamed")
    title_has_org = bool(lexicon.org_re.search(title))
    events: list[_Event] = []
    for index, (sentence, in_title) in enumerate(parts):
        org_here = bool(lexicon.org_re.search(sentence))
        for compiled in rules.frames[code]:
            for match in compiled.regex.finditer(sentence):
                if compiled.frame.event not in _PARTNER_EVENTS and not org_in_article:
                    continue
                anchored = org_here or (title_has_org if not in_title else org_in_article)
                event = _event_of(rules, language, compiled, match, sentence, article_kinds,
                                  announced, anchored, full_names, index, article.published_us)
                if event is not None:
                    events.append(event)
    events = _background(rules.model, _chairs_are_members(events))
    claims: dict[tuple[str, ...], Claim] = {}
    for event in events:
        _claims_of(rules, language, event, article, claims)
    return _drop_partial_lists([claims[k] for k in sorted(claims)])


@dataclass(frozen=True, slots=True)
class _Event:
    """One event a frame found: kind, people, how it is put, and its evidence."""

    kind: str
    rule: str
    subjects: tuple[str, ...]
    members: tuple[str, ...]
    factuality: str
    interim: bool | None
    evidence: str
    sentence: int = 0


def _chairs_are_members(events: list[_Event]) -> list[_Event]:
    """Count a chair named in the same sentence as a new board among its members."""
    chairs: dict[int, set[str]] = {}
    for event in events:
        if event.kind == "board_chair":
            chairs.setdefault(event.sentence, set()).update(event.subjects)
    out = []
    for event in events:
        if event.kind == "board_new" and chairs.get(event.sentence):
            members = tuple(sorted(set(event.members) | chairs[event.sentence]))
            event = _Event(event.kind, event.rule, event.subjects, members, event.factuality,
                           event.interim, event.evidence, event.sentence)
        out.append(event)
    return out


def _background(model: StoryModel, events: list[_Event]) -> list[_Event]:
    """Demote events an asserted reversal in the same article presents as background."""
    demoted: set[tuple[str, str]] = set()
    for event in events:
        if event.factuality != "asserted":
            continue
        for kind in model.background_of(event.kind):
            for subject in event.subjects:
                demoted.add((kind, subject))
    if not demoted:
        return events
    out = []
    for event in events:
        if event.factuality == "asserted" and any((event.kind, s) in demoted for s in event.subjects):
            event = _Event(event.kind, event.rule, event.subjects, event.members, "historical",
                           event.interim, event.evidence, event.sentence)
        out.append(event)
    return out


def _drop_partial_lists(claims: list[Claim]) -> list[Claim]:
    """Drop a member list that another list in the same article contains (a cut-off copy)."""
    lists = [set(c.value) for c in claims if c.op == "replace" and isinstance(c.value, tuple)]
    return [
        c for c in claims
        if not (c.op == "replace" and isinstance(c.value, tuple) and any(set(c.value) < other for other in lists))
    ]


def _dated_earlier(language: Language, sentence: str, start: int, end: int, published_us: int) -> bool:
    """Whether the trigger's clause names a weekday two or more days before publication."""
    begin = language.cues.clause_start(sentence, start)
    stop = language.cues.clause_end(sentence, end)
    clause = sentence[begin:stop]
    published = (published_us // 86_400_000_000 + 3) % 7       # 1970-01-01 was a Thursday (3)
    for day, pattern in enumerate(language.weekdays):
        for found in pattern.finditer(clause):
            if _NEXT.search(clause[max(0, found.start() - 12):found.start()]):
                continue
            if (published - day) % 7 >= 2:
                return True
    return False


_NEXT = re.compile(r"(?:next|coming|this|prochain|ce|w\s+przyszł\w*|w\s+najbliższ\w*)\s*$", re.I)


def _persons(lexicon: Lexicon, text: str, org_here: bool, full_names: set[str]) -> list[str]:
    names = []
    for _, person, ambiguous in lexicon.persons_in(text):
        if ambiguous and not org_here and person.name not in full_names:
            continue
        if person.name not in names:
            names.append(person.name)
    return names


def _event_of(
    rules: _Rules,
    language: Language,
    compiled: Compiled,
    match: re.Match[str],
    sentence: str,
    article_kinds: set[str],
    announced: bool,
    anchored: bool,
    full_names: set[str],
    index: int,
    published_us: int,
) -> _Event | None:
    frame = compiled.frame
    lexicon = rules.lexicon
    groups = match.groupdict()
    v_start, v_end = match.span("v")
    people: list[str] = []
    subjects: list[str] = []
    if frame.event == "board_new":
        people = _persons(lexicon, sentence[v_end:], anchored, full_names)
        if len(people) < 2:
            return None
    elif groups.get("pl"):
        subjects = _persons(lexicon, groups["pl"], anchored, full_names)
    elif groups.get("p"):
        subjects = _persons(lexicon, groups["p"], anchored, full_names)
    if not anchored and frame.event not in _PARTNER_EVENTS:
        # Without the organisation in the sentence (or title), only full names count.
        subjects = [s for s in subjects if s in full_names]
    needs_person = any(op.value == "$person" for op in rules.model.ops_for(frame.event))
    if (needs_person or groups.get("p") or groups.get("pl")) and not subjects:
        return None
    fact = factuality(language.cues, sentence, (v_start, v_end), article_kinds, announced, frame.base)
    if fact in frame.ignore:
        fact = "asserted"
    if fact == "asserted" and _dated_earlier(language, sentence, match.start(), v_end, published_us):
        fact = "historical"
    interim = None
    if frame.event == "appoint_ceo":
        clause = language.cues.clause_start(sentence, match.start())
        found = language.interim.search(sentence, min(clause, match.start()), match.end() + 40)
        interim = True if found else None
    elif frame.event == "return_ceo":
        interim = False
    return _Event(frame.event, frame.rule, tuple(subjects), tuple(sorted(people)), fact, interim,
                  match.group(0).strip(), index)


def _claims_of(
    rules: _Rules, language: Language, event: _Event, article: Article, out: dict[tuple[str, ...], Claim]
) -> None:
    for op in rules.model.ops_for(event.kind):
        if op.value == "$person":
            values: list[object] = list(event.subjects)
        elif op.value == "$people":
            values = [event.members]
        else:
            values = [op.value or None]
        for value in values:
            claim = Claim(
                story=rules.model.story,
                article_id=article.article_id,
                slot=op.slot,
                op=op.op,  # type: ignore[arg-type]
                value=value,  # type: ignore[arg-type]
                factuality=event.factuality,  # type: ignore[arg-type]
                language=language.code,
                evidence=event.evidence,
                interim=event.interim if op.slot == "ceo" and op.op == "set" else None,
                rule=event.rule,
            )
            key = (op.slot, op.op, repr(value), event.factuality, event.rule, event.evidence)
            out.setdefault(key, claim)


__all__ = ["RULES_VERSION", "extract", "language_of"]
