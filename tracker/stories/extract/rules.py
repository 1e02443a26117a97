"""Load the rule data: one folder per language under ``languages/``, found by its name.

A language folder holds four TOML files (see README, "Rule data"):

- ``lexicon.toml``: ``[patterns]`` named regex pieces the frames use as
  ``{NAME}`` (verb forms, descriptor phrases); ``[bodies]`` phrases that stand
  for a body by its kind ("the company", "parliament", "voters"); ``[roles]``
  how a role noun is bounded; ``[words]`` interim and chair words, weekdays,
  clause words, list conjunctions, name endings, function words, abbreviations;
- ``frames.toml``: ``[[frame]]`` trigger rules, each naming an event kind and
  what it is bound to (an office, a body, a set, a tags slot);
- ``cues.toml``: clause terminators and ``[[cues]]`` lists with a kind and a scope;
- ``cases.toml``: sentences with the claims they must give (run by the tests).

Adding a language is adding a folder. Nothing here knows a word of any language.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tracker.errors import ConfigError
from tracker.stories.extract.compiled import compile as compile_re
from tracker.stories.extract.compiled import kept
from tracker.stories.extract.cues import Cue, CueSet
from tracker.stories.spec import EVENT_KINDS

FOLDER = Path(__file__).resolve().parent / "languages"
BINDS = ("single", "head", "set", "tags", "body")
_FILES = ("lexicon.toml", "frames.toml", "cues.toml")
_SCOPES = ("clause", "after", "sentence", "article", "title", "sourced")
_KINDS = ("negated", "speculative", "planned", "conditional", "historical", "opinion", "question",
          "announce", "unnamed", "headline", "future", "background")
_WORDS = ("interim", "chair", "weekdays", "months", "next", "past", "past_aux", "month_names", "dates", "seasons", "season_lead", "explainer", "clause", "not_gap", "as_office", "pronouns", "objects", "dropped",
          "office_pronoun",
          "object_before",
          "titled",
          "honorifics",
          "headline_subject",
          "conjunctions",
          "others",
          "name_endings", "feminine_endings", "fleeting", "name_stems", "function_words", "abbreviations", "furniture",
          "new_office", "bare_filled",
          "quoted", "possessives", "clitics", "effective_lead", "effective_relative", "joined", "starts",
          "ends", "article", "article_not_after")
_UNITS = ("year", "month", "week")      # what an ``effective_relative`` phrase names: the next one


@dataclass(frozen=True, slots=True)
class Frame:
    """One trigger rule: an event kind, what it is bound to, a template and how it is put."""

    rule: str
    event: str
    bind: str
    template: str
    base: str = "asserted"          # e.g. "planned" for a nominal "return of X"
    ignore: tuple[str, ...] = ()    # cue kinds the trigger itself carries ("no longer")
    # Whether {P} is the verb's subject, so in the nominative where names decline: by default when
    # the template opens with it.
    subject: bool = False


@dataclass(frozen=True, slots=True)
class Language:
    """Everything one language contributes to extraction, read from its folder."""

    code: str
    frames: tuple[Frame, ...]
    cues: CueSet
    patterns: tuple[tuple[str, str], ...]     # named pieces, expanded in frames as {NAME}
    bodies: tuple[tuple[str, str], ...]       # body kind -> phrases standing for such a body
    role_not_before: str
    role_tail: str
    role_prefix: str
    owner_after: str            # what after a company's role noun names its owner ("prezes OpenAI")
    holder_before: str          # the words before a company's role noun standing for its holder ("son PDG")
    role_derived: tuple[tuple[str, str], ...]   # ending -> ending of the office's noun ("president" -> "presidenc-y")
    # ending a role noun may be written without -> what after the short noun makes it another
    # body's ("président du conseil d'administration" -> "président du conseil", not "... régional")
    role_shortened: tuple[tuple[str, str], ...]
    interim: re.Pattern[str]
    chair: re.Pattern[str]
    weekdays: tuple[re.Pattern[str], ...]
    months: tuple[re.Pattern[str], ...]     # January .. December: a past event in another month is old
    next_words: re.Pattern[str]
    past: re.Pattern[str] | None        # past forms: only a past clause is dated by a weekday or season
    past_aux: re.Pattern[str] | None    # past auxiliaries before the trigger ("was sworn in")
    dates: tuple[tuple[int | None, re.Pattern[str]], ...]  # (month 0-11, or None: the publication's) with group d
    seasons: tuple[tuple[re.Pattern[str], frozenset[int]], ...]  # a season and its months (1-12)
    explainer: re.Pattern[str] | None   # a title's question after a colon that presupposes its head
    clause_words: str
    not_gap: str
    as_office: str
    pronouns: re.Pattern[str] | None
    possessives: re.Pattern[str] | None     # a sentence opening with one (group ``pr``): "Then his time ..."
    objects: re.Pattern[str] | None     # object pronouns ("sacked her from ...")
    dropped: re.Pattern[str] | None     # verbs opening a sentence without their subject ("Został ...")
    office_pronoun: re.Pattern[str] | None  # a copula and a pronoun standing for an office (group ``pro``)
    object_before: re.Pattern[str] | None   # text ending in a verb whose object the next name is ("beats ")
    titled: re.Pattern[str] | None      # text ending in another title the next name holds ("deputy minister ")
    honorifics: str                     # titles of courtesy or rank read past before a name ("prof.")
    # An object pronoun before its verb and how the verb reads with the person put in its place
    # (« Y lui succède » -> « Y succède à X »): a pattern with group ``v`` and a template naming
    # ``\g<v>`` and ``{person}``.
    clitics: tuple[tuple[re.Pattern[str], str], ...]
    headline_subject: re.Pattern[str] | None    # a title's description of a person ("Senior minister")
    conjunctions: str
    barrier: re.Pattern[str] | None     # a coordinating conjunction: a clause cue stops there
    others: str
    name_endings: str
    feminine_endings: str
    fleeting: re.Pattern[str] | None    # a vowel a name drops before its endings ("Marek" -> "Marka")
    name_stems: tuple[tuple[re.Pattern[str], str], ...]   # a name's end and the forms it takes ("-ń" -> "-nia")
    new_office: re.Pattern[str] | None  # a sentence naming an office as new, nothing else ("Nowy wojewoda.")
    bare_filled: re.Pattern[str] | None  # a name and a filling verb with no office after it (group ``v``)
    function_words: re.Pattern[str]
    abbreviations: str
    furniture: tuple[re.Pattern[str], ...]
    quoted: re.Pattern[str] | None      # a quotation: a title claim inside one is attributed
    # The day a decided change takes effect: words before a date or weekday that make it that
    # day ("from", "effective"), phrases naming the next year, month or week ("at the end of the
    # year": the next year), and a clause opening that continues the clause before it, whose
    # date it shares ("to be replaced by").
    effective_lead: re.Pattern[str] | None
    effective_relative: tuple[tuple[re.Pattern[str], str], ...]
    joined: re.Pattern[str] | None
    starts: re.Pattern[str] | None      # verbs of a newcomer starting ("will start at X on 2 January")
    ends: re.Pattern[str] | None        # verbs of a holder's last day ("X's resignation takes effect on 30 June")
    digest: str
    # A headline drops the article of a body's descriptive name ("boss of messaging app" for "the
    # messaging app"): the article, and the words before which the bare name is another body's
    # ("a messaging app", "rival messaging app").
    article: str = ""
    article_not_after: tuple[str, ...] = ()

    def body_phrases(self, kind: str) -> str:
        """Return the phrases that stand for a body of this kind ("" when none)."""
        table = dict(self.bodies)
        if kind == "organisation":
            # An organisation is named as a company is, and by its own phrases where the language has them.
            return "|".join(p for p in (table.get("company", ""), table.get("organisation", "")) if p)
        if kind == "country":
            # A country acts through its government too ("the government", "rząd"): either stands for it.
            return "|".join(p for p in (table.get("country", ""), table.get("government", "")) if p)
        return table.get(kind, "")


def _fail(path: Path, message: str) -> ConfigError:
    return ConfigError(f"{path}: {message}")


def _table(raw: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise _fail(path, f"[{key}] must be a table")
    return value


def _compile(pattern: str, path: Path, what: str, flags: int = re.I) -> re.Pattern[str]:
    try:
        return compile_re(pattern, flags)
    except re.error as exc:
        raise _fail(path, f"{what}: invalid pattern: {exc}") from None


def _frames(path: Path) -> tuple[Frame, ...]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    frames = []
    seen: set[str] = set()
    for i, body in enumerate(raw.get("frame", [])):
        unknown = set(body) - {"rule", "event", "bind", "template", "base", "ignore", "subject"}
        if unknown:
            raise _fail(path, f"frame #{i + 1}: unknown key {sorted(unknown)[0]!r}")
        rule = str(body.get("rule", ""))
        if not rule or rule in seen:
            raise _fail(path, f"frame #{i + 1}: missing or repeated rule name {rule!r}")
        seen.add(rule)
        event, bind = str(body.get("event")), str(body.get("bind"))
        if event not in EVENT_KINDS:
            raise _fail(path, f"frame {rule}: unknown event {event!r} (one of: {', '.join(EVENT_KINDS)})")
        if bind not in BINDS:
            raise _fail(path, f"frame {rule}: unknown bind {bind!r} (one of: {', '.join(BINDS)})")
        template = str(body["template"])
        frames.append(Frame(rule, event, bind, template, str(body.get("base", "asserted")),
                            tuple(str(x) for x in body.get("ignore", ())),
                            bool(body.get("subject", template.startswith("{P}")))))
    return tuple(frames)


def _cues(path: Path) -> CueSet:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    compiled: list[Cue] = []
    for group in raw.get("cues", []):
        kind, scope = str(group.get("kind")), str(group.get("scope"))
        if kind not in _KINDS or scope not in _SCOPES:
            raise _fail(path, f"cues: unknown kind {kind!r} or scope {scope!r}")
        bounded = bool(group.get("bounded", True))
        for word in group.get("words", ()):
            text = rf"(?<!\w){word}(?!\w)" if bounded else str(word)
            compiled.append(Cue(kind, _compile(text, path, f"cue {word!r}"), scope))
    return CueSet(tuple(compiled), _compile(str(raw.get("terminators", r"[,;:!?]")), path, "terminators"))


def _derived(roles: dict[str, Any], path: Path) -> tuple[tuple[str, str], ...]:
    table = roles.get("derived", {})
    if not isinstance(table, dict):
        raise _fail(path, "[roles] derived must be a table of ending = replacement (or a list of them)")
    for ending in table:
        _compile(f"(?:{ending})$", path, f"derived ending {ending!r}")
    # An ending may give several derived nouns ("minister X" -> "resort X", "ministerstwo X").
    return tuple((str(k), str(r)) for k, v in table.items() for r in (v if isinstance(v, list) else [v]))


def _shortened(roles: dict[str, Any], path: Path) -> tuple[tuple[str, str], ...]:
    table = roles.get("shortened", {})
    if not isinstance(table, dict):
        raise _fail(path, "[roles] shortened must be a table of ending = what makes the short noun another's")
    for ending, other in table.items():
        _compile(f"(?:{ending})$", path, f"shortened ending {ending!r}")
        _compile(str(other), path, f"shortened guard of {ending!r}")
    return tuple((str(k), str(v)) for k, v in table.items())


def _digest(folder: Path) -> str:
    hasher = hashlib.sha256()
    for path in sorted(folder / name for name in _FILES):     # not cases.toml: tests, not rules
        hasher.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()


def load_language(folder: Path) -> Language:
    """Read one language folder (ConfigError naming the file on any problem)."""
    for name in _FILES:
        if not (folder / name).is_file():
            raise ConfigError(f"{folder}: language folder lacks {name}")
    lexicon_path = folder / "lexicon.toml"
    try:
        lexicon = tomllib.loads(lexicon_path.read_text(encoding="utf-8"))
        frames = _frames(folder / "frames.toml")
        cueset = _cues(folder / "cues.toml")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{folder}: invalid TOML: {exc}") from None
    words = _table(lexicon, "words", lexicon_path)
    unknown = set(words) - set(_WORDS)
    if unknown:
        raise _fail(lexicon_path, f"[words]: unknown key {sorted(unknown)[0]!r} (one of: {', '.join(_WORDS)})")
    roles = _table(lexicon, "roles", lexicon_path)

    def word(key: str, default: str = "") -> str:
        return str(words.get(key, default))

    return Language(
        code=folder.name,
        frames=frames,
        cues=cueset,
        patterns=tuple((str(k), str(v)) for k, v in _table(lexicon, "patterns", lexicon_path).items()),
        bodies=tuple((str(k), str(v)) for k, v in _table(lexicon, "bodies", lexicon_path).items()),
        role_not_before=str(roles.get("not_before", "")),
        role_tail=str(roles.get("tail", "")),
        role_prefix=str(roles.get("prefix", "")),
        owner_after=str(roles.get("owner_after", "")),
        holder_before=str(roles.get("holder_before", "")),
        role_derived=_derived(roles, lexicon_path),
        role_shortened=_shortened(roles, lexicon_path),
        interim=_compile(word("interim", "(?!)"), lexicon_path, "interim"),
        chair=_compile(word("chair", "(?!)"), lexicon_path, "chair"),
        weekdays=tuple(_compile(rf"(?<!\w){w}(?!\w)", lexicon_path, "weekday")
                       for w in words.get("weekdays", ())),
        months=tuple(_compile(rf"(?<!\w){m}(?!\w)", lexicon_path, "month")
                     for m in words.get("months", ())),
        next_words=_compile(word("next", "(?!)"), lexicon_path, "next"),
        past=_compile(word("past"), lexicon_path, "past") if word("past") else None,
        past_aux=_compile(word("past_aux"), lexicon_path, "past_aux") if word("past_aux") else None,
        dates=_dates(words, lexicon_path),
        explainer=_compile(word("explainer"), lexicon_path, "explainer") if word("explainer") else None,
        seasons=tuple((_compile(rf"(?<!\w)(?:{word('season_lead')})(?:{name})(?!\w)", lexicon_path, "season"),
                       frozenset(int(m) for m in months))
                      for name, months in dict(words.get("seasons", {})).items()),
        clause_words=word("clause"),
        not_gap=word("not_gap"),
        as_office=word("as_office"),
        pronouns=_compile(rf"^(?:{word('pronouns')})(?=\s)", lexicon_path, "pronouns") if word("pronouns") else None,
        possessives=_compile(rf"^{word('possessives')}", lexicon_path, "possessives")
        if word("possessives") else None,
        objects=_compile(rf"(?<![\w'])(?:{word('objects')})", lexicon_path, "objects") if word("objects") else None,
        dropped=_compile(rf"^(?:{word('dropped')})(?!\w)", lexicon_path, "dropped") if word("dropped") else None,
        office_pronoun=_compile(rf"^(?:{word('office_pronoun')})", lexicon_path, "office_pronoun")
        if word("office_pronoun") else None,
        object_before=_compile(rf"(?<!\w)(?:{word('object_before')})\s+(?:(?-i:[A-Z])[\w.'\u2019-]*\s+)?$", lexicon_path, "object_before")
        if word("object_before") else None,
        titled=_compile(rf"(?<!\w)(?:{word('titled')})\s+$", lexicon_path, "titled") if word("titled") else None,
        honorifics=word("honorifics"),
        clitics=_clitics(words, lexicon_path),
        headline_subject=_compile(rf"^(?:{word('headline_subject')})(?=\s)", lexicon_path, "headline_subject")
        if word("headline_subject") else None,
        conjunctions=word("conjunctions", "(?!)"),
        barrier=_compile(rf"(?<!\w)(?:{word('conjunctions')})(?!\w)", lexicon_path, "conjunctions")
        if word("conjunctions") else None,
        others=word("others", "(?!)"),
        name_endings=word("name_endings"),
        feminine_endings=word("feminine_endings"),
        fleeting=_compile(word("fleeting"), lexicon_path, "fleeting", 0) if word("fleeting") else None,
        name_stems=_name_stems(words, lexicon_path),
        new_office=_compile(rf"^(?:{word('new_office')})", lexicon_path, "new_office") if word("new_office") else None,
        bare_filled=_compile(rf"(?:{word('bare_filled')})\s*[.!]?\s*$", lexicon_path, "bare_filled")
        if word("bare_filled") else None,
        function_words=_compile(rf"(?<!\w)(?:{word('function_words', '(?!)')})(?!\w)", lexicon_path,
                                "function_words"),
        abbreviations=word("abbreviations"),
        furniture=tuple(_compile(f, lexicon_path, "furniture", re.S) for f in words.get("furniture", ())),
        quoted=_compile(word("quoted"), lexicon_path, "quoted") if word("quoted") else None,
        effective_lead=_compile(rf"(?<!\w)(?:{word('effective_lead')})\s*$", lexicon_path, "effective_lead")
        if word("effective_lead") else None,
        effective_relative=_relative(words, lexicon_path),
        joined=_compile(rf"^\s*(?:{word('joined')})\s*$", lexicon_path, "joined") if word("joined") else None,
        starts=_compile(rf"(?<!\w)(?:{word('starts')})(?!\w)", lexicon_path, "starts") if word("starts") else None,
        ends=_compile(rf"(?<!\w)(?:{word('ends')})(?!\w)", lexicon_path, "ends") if word("ends") else None,
        digest=_digest(folder),
        article=word("article"),
        article_not_after=tuple(str(w) for w in words.get("article_not_after", ())),
    )


def _name_stems(words: dict[str, Any], path: Path) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Compile the name ends that change before the endings: a table of end = forms (a regex)."""
    table = words.get("name_stems", {})
    if not isinstance(table, dict):
        raise _fail(path, "[words] name_stems must be a table of end = forms")
    for forms in table.values():
        _compile(str(forms), path, "name_stems")
    return tuple((_compile(str(end), path, "name_stems", 0), str(forms)) for end, forms in table.items())


def _clitics(words: dict[str, Any], path: Path) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Compile the object pronouns read before their verb: pairs of a pattern and a template."""
    out = []
    for pair in words.get("clitics", ()):
        if not isinstance(pair, list) or len(pair) != 2:
            raise _fail(path, "[words] clitics must be a list of [pattern, template] pairs")
        pattern, template = (str(p) for p in pair)
        compiled = _compile(pattern, path, "clitics")
        if "v" not in compiled.groupindex:
            raise _fail(path, f"clitics: pattern {pattern!r} has no group v")
        out.append((compiled, template))
    return tuple(out)


def _relative(words: dict[str, Any], path: Path) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Compile the phrases naming the next year, month or week: a table of phrase = unit."""
    table = words.get("effective_relative", {})
    if not isinstance(table, dict) or any(str(unit) not in _UNITS for unit in table.values()):
        raise _fail(path, f"[words] effective_relative must be a table of phrase = one of {', '.join(_UNITS)}")
    return tuple((_compile(rf"(?<!\w)(?:{phrase})(?!\w)", path, "effective_relative"), str(unit))
                 for phrase, unit in table.items())


def _dates(words: dict[str, Any], path: Path) -> tuple[tuple[int | None, re.Pattern[str]], ...]:
    """Compile the day-of-month patterns, one per month where a pattern names ``{MONTH}``."""
    names = [str(n) for n in words.get("month_names", ())]
    out: list[tuple[int | None, re.Pattern[str]]] = []
    for pattern in words.get("dates", ()):
        text = str(pattern)
        if "{MONTH}" not in text:
            out.append((None, _compile(rf"(?<!\w){text}(?!\w)", path, "date")))
            continue
        out.extend((number, _compile(rf"(?<!\w){text.replace('{MONTH}', name)}(?!\w)", path, "date"))
                   for number, name in enumerate(names))
    return tuple(out)


@cache
def languages() -> dict[str, Language]:
    """Return every language of the rule data, by folder name."""
    return {code: language(code) for code in codes()}


@cache
def language(code: str) -> Language:
    """Return one language of the rule data (read alone: text in one language needs no other)."""
    if code not in codes():
        raise KeyError(code)
    return _kept_language(FOLDER / code)


def _kept_language(folder: Path) -> Language:
    """Read a language folder, or take what an earlier process read of the same files."""
    try:
        key = f"{folder}\0{_digest(folder)}"
    except OSError:
        return load_language(folder)  # a file missing: the usual ConfigError
    return kept("language", key, lambda: load_language(folder))  # type: ignore[no-any-return]


@cache
def codes() -> tuple[str, ...]:
    """Return the language codes the rule data has, without compiling anything."""
    return tuple(sorted(p.name for p in FOLDER.iterdir() if p.is_dir() and (p / "frames.toml").is_file()))


def data_digest() -> str:
    """Return one hash of every rule data file (the rules' version)."""
    hasher = hashlib.sha256()
    for code in codes():
        hasher.update(code.encode() + b"\0" + _digest(FOLDER / code).encode())
    return hasher.hexdigest()
