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
from functools import cache
from typing import Any

from tracker.stories.definition import StoryDefinition
from tracker.stories.extract.cues import factuality
from tracker.stories.extract.events import (
    Event,
    background,
    chairs_are_members,
    dated_earlier,
    drop_partial_lists,
    succession,
)
from tracker.stories.extract.frames import Compiled, Language, compile_frames
from tracker.stories.extract.lexicon import Lexicon, build
from tracker.stories.extract.text import clean, sentences
from tracker.stories.spec import StoryModel, model_of
from tracker.types import Article, Claim

RULES_VERSION = "4"

# Events about the partner stand on the partner's name and a tracked person's full name.
_PARTNER_EVENTS = ("join_partner", "partner_observer")
_CODES = ("en", "fr", "pl")


@cache
def languages() -> dict[str, Language]:
    """Return the rule languages by code (their patterns are compiled on first use)."""
    from tracker.stories.extract import en, fr, pl

    return {lang.code: lang for lang in (en.LANGUAGE, fr.LANGUAGE, pl.LANGUAGE)}


def __getattr__(name: str) -> Any:
    # ``LANGUAGES`` stays importable, but importing this package compiles no pattern.
    if name == "LANGUAGES":
        return languages()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class _Rules:
    model: StoryModel
    lexicon: Lexicon
    compiled: dict[str, tuple[Compiled, ...]]  # by language code, filled on first use

    def frames(self, code: str) -> tuple[Compiled, ...]:
        """Return one language's compiled frames (compiling them the first time: a
        process that only meets English text never compiles the others)."""
        found = self.compiled.get(code)
        if found is None:
            found = self.compiled[code] = compile_frames(languages()[code], self.lexicon)
        return found


_CACHE: dict[tuple[str, str], _Rules] = {}


def _rules(story: StoryDefinition) -> _Rules:
    key = (story.id, story.digest)
    rules = _CACHE.get(key)
    if rules is None:
        model = model_of(story)
        lexicon = build(story, model)
        rules = _Rules(model, lexicon, {})
        _CACHE[key] = rules
    return rules


# Function words that tell the languages apart when a feed does not declare one.
_FUNCTION_WORDS = {
    "fr": r"(?<!\w)(?:le|la|les|des|du|une|est|et|dans|pour|sur|qui|au|aux|d'|l')(?!\w)",
    "pl": r"(?<!\w)(?:się|nie|jest|został\w*|że|na|do|przez|oraz|jako|już|który\w*)(?!\w)",
    "en": r"(?<!\w)(?:the|a|of|and|to|is|was|as|for|with|after|has|his)(?!\w)",
}


@cache
def _function_words() -> dict[str, re.Pattern[str]]:
    return {lang: re.compile(pattern, re.I) for lang, pattern in _FUNCTION_WORDS.items()}


def language_of(article: Article) -> str:
    """Return the rule language: the declared one, else a guess from function words."""
    code = (article.language or "").split("-")[0].split("_")[0].lower()
    if code in _CODES:
        return code
    text = f"{article.title} {article.summary}"
    counts = {lang: len(pattern.findall(text)) for lang, pattern in _function_words().items()}
    best = max(sorted(counts), key=lambda lang: counts[lang])
    return best if counts[best] > counts["en"] else "en"


def extract(story: StoryDefinition, article: Article) -> list[Claim]:
    """Return the claims an article makes about a story's slots."""
    rules = _rules(story)
    code = language_of(article)
    language = languages()[code]
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
    events: list[Event] = []
    for index, (sentence, in_title) in enumerate(parts):
        org_here = bool(lexicon.org_re.search(sentence))
        for compiled in rules.frames(code):
            for match in compiled.regex.finditer(sentence):
                if compiled.frame.event not in _PARTNER_EVENTS and not org_in_article:
                    continue
                anchored = org_here or (title_has_org if not in_title else org_in_article)
                event = _event_of(rules, language, compiled, match, sentence, article_kinds,
                                  announced, anchored, full_names, index, article.published_us)
                if event is not None:
                    events.append(event)
    events = background(rules.model, succession(rules.model, chairs_are_members(events)))
    claims: dict[tuple[str, ...], Claim] = {}
    for event in events:
        _claims_of(rules, language, event, article, claims)
    return drop_partial_lists([claims[k] for k in sorted(claims)])


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
) -> Event | None:
    frame = compiled.frame
    lexicon = rules.lexicon
    groups = match.groupdict()
    v_start, v_end = match.span("v")
    people: list[str] = []
    subjects: list[str] = []
    if frame.event == "board_new":
        listed = groups.get("pl") or sentence[v_end:]
        people = _persons(lexicon, listed, anchored, full_names)
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
    if frame.event != "board_new" and (needs_person or groups.get("p") or groups.get("pl")) and not subjects:
        return None
    fact = factuality(language.cues, sentence, (v_start, v_end), article_kinds, announced, frame.base)
    if fact in frame.ignore:
        fact = "asserted"
    if fact == "asserted" and dated_earlier(language, sentence, match.start(), v_end, published_us):
        fact = "historical"
    interim = None
    if frame.event == "appoint_ceo":
        clause = language.cues.clause_start(sentence, match.start())
        found = language.interim.search(sentence, min(clause, match.start()), match.end() + 40)
        interim = True if found else None
    elif frame.event == "return_ceo":
        interim = False
    return Event(frame.event, frame.rule, tuple(subjects), tuple(sorted(people)), fact, interim,
                  match.group(0).strip(), index)


def _has_interim(model: StoryModel, slot: str) -> bool:
    spec = model.slot(slot)
    return spec is not None and spec.interim


def _claims_of(
    rules: _Rules, language: Language, event: Event, article: Article, out: dict[tuple[str, ...], Claim]
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
                interim=event.interim if op.op == "set" and _has_interim(rules.model, op.slot) else None,
                rule=event.rule,
            )
            key = (op.slot, op.op, repr(value), event.factuality, event.rule, event.evidence)
            out.setdefault(key, claim)


__all__ = ["RULES_VERSION", "extract", "language_of"]
