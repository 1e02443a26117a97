"""Events a frame found in one article, and the article-level rules applied to them.

Within one article: a chair named beside a new set of members is one of them; an
asserted reversal ("returns as CEO") makes the earlier events it implies
("fired", "hired elsewhere") background; a successor planned beside an asserted
departure ("X is out; Y will serve as interim CEO") is decided; a successor named without
the office ("X is her replacement") takes the office the article reports vacated; a cut-off copy of a
member list gives way to the full list; a weekday two days before publication dates
a claim. Which events reverse or succeed which is the story's ``[background]`` and
``[succession]`` (or their defaults), not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from tracker.stories.extract.compiled import compile as compile_re
from tracker.stories.extract.rules import Language
from tracker.stories.spec import SINGLE, StoryModel, event_matches
from tracker.timeutil import agreed
from tracker.types import Claim


@dataclass(frozen=True, slots=True)
class Event:
    """One event a frame found: kind, people, how it is put, and its evidence."""

    kind: str
    target: str             # the slot or body the event is about
    rule: str
    subjects: tuple[str, ...]
    members: tuple[str, ...]
    factuality: str
    interim: bool | None
    evidence: str
    sentence: int = 0
    tag: str = ""
    why: str = ""           # the cue that decided the factuality, and the text it scoped
    head: bool = False      # found by a frame bound to a body's head office, no office named
    past: bool = False      # the trigger's clause is put in the past ("was sacked"; read when needed)
    spans: tuple[int, int, int] = (0, 0, 0)     # the match's start, the trigger's start and end
    effective: str = ""     # the day a decided change takes effect (ISO, as precise as told)
    effective_cue: str = ""     # the words that day was read from

    @property
    def key(self) -> str:
        """The event as the story file names it: "KIND TARGET"."""
        return f"{self.kind} {self.target}"


def chairs_are_members(events: list[Event]) -> list[Event]:
    """Count a chair named in the same sentence as a new set of members among them."""
    chairs: dict[tuple[int, str], set[str]] = {}
    for event in events:
        if event.kind == "chair":
            chairs.setdefault((event.sentence, event.target), set()).update(event.subjects)
    return [
        replace(event, members=tuple(sorted(set(event.members) | chairs[(event.sentence, event.target)])))
        if event.kind == "new" and chairs.get((event.sentence, event.target)) else event
        for event in events
    ]


def background(model: StoryModel, events: list[Event]) -> list[Event]:
    """Demote events an asserted reversal in the same article presents as background."""
    demoted: set[tuple[str, str]] = set()
    for event in events:
        if event.factuality == "asserted":
            for pattern in model.background_of(event.key):
                demoted.update((pattern, subject) for subject in event.subjects)
    patterns = {p for p, _ in demoted}

    def told(event: Event) -> bool:
        return any(event_matches(p, event.key) and (p, s) in demoted for p in patterns for s in event.subjects)

    return [
        replace(event, factuality="historical", why="background to a reversal the article reports")
        if event.factuality == "asserted" and told(event) else event
        for event in events
    ]


def succession(model: StoryModel, events: list[Event]) -> list[Event]:
    """Count a planned successor reported beside an asserted departure as decided."""
    decided = {p for e in events if e.factuality == "asserted" for p in model.succession_of(e.key)}
    return [
        replace(event, factuality="asserted", why="decided: a successor beside an asserted departure")
        if event.factuality == "planned" and any(event_matches(p, event.key) for p in decided)
        else event
        for event in events
    ]


def _held_at_start(model: StoryModel, person: str, body: str | None) -> list[str]:
    """The single offices of a body the person held when the story began."""
    return [spec.name for spec in model.slots if spec.kind == SINGLE and spec.body == body
            and spec.elect_of is None and model.baseline.value(spec.name) == person]


def vacated(model: StoryModel, events: list[Event]) -> list[Event]:
    """A successor named without the office ("X is her replacement", bound to the body)
    takes the one single office of that body the article reports someone removed from;
    someone who leaves a body with one single office ("Y sack X and appoint Z", "X was forced
    out") leaves that office; without exactly one such office, it says nothing. Stepping
    down with no office named ("X resigns", read as the head's) is from the one other office
    of that body the person held when the story began, when they did not hold the head's."""
    events = [_own_office(model, e) for e in events]
    asserted = [e for e in events if e.factuality == "asserted"]
    emptied = {e.target for e in asserted if e.kind in ("remove", "resign")}
    for e in asserted:
        if e.kind == "leave" and model.slot(e.target) is None:
            singles = [spec.name for spec in model.slots
                       if spec.kind == SINGLE and spec.body == e.target and spec.elect_of is None]
            if len(singles) == 1:
                emptied.add(singles[0])
    out = []
    for event in events:
        if event.kind == "replace" and model.slot(event.target) is None:
            offices = sorted(name for name in emptied
                             if (spec := model.slot(name)) is not None and spec.kind == SINGLE
                             and spec.body == event.target)
            if len(offices) == 1:
                out.append(replace(event, kind="appoint", target=offices[0]))
            continue
        out.append(event)
    return out


def _own_office(model: StoryModel, event: Event) -> Event:
    spec = model.slot(event.target)
    if not event.head or event.kind not in ("remove", "resign") or len(event.subjects) != 1 \
            or spec is None or spec.kind != SINGLE or model.baseline.value(spec.name) == event.subjects[0]:
        return event
    held = _held_at_start(model, event.subjects[0], spec.body)
    return replace(event, target=held[0], head=False) if len(held) == 1 else event


def other_office(model: StoryModel, events: list[Event]) -> list[Event]:
    """A report that names no office ("X sworn in", "X takes the helm") is about the body's
    head only for someone the article does not name in another office of that body: "New
    foreign minister X sworn in" is no prime minister's oath."""
    elsewhere: set[tuple[str, str]] = set()     # (person, head office) of someone named in another
    for event in events:
        spec = model.slot(event.target)
        if spec is None or spec.kind != SINGLE or spec.elect_of is not None or event.head:
            continue        # (the head's own "-elect" office is no other office)
        head = model.head_of(spec.body) if spec.body is not None else None
        if head is not None and head.name != spec.name:
            elsewhere.update((person, head.name) for person in event.subjects)
    return [event for event in events
            if not (event.head and any((person, event.target) in elsewhere for person in event.subjects))]


# Kinds that look ahead, headline-ese among them ("X to take over on Monday").
_AHEAD = {"future", "planned", "headline", "conditional", "speculative", "question"}


def drop_partial_lists(claims: list[Claim]) -> list[Claim]:
    """Drop a member list that another list in the same article contains (a cut-off copy)."""
    lists = [set(c.value) for c in claims if c.op == "replace" and isinstance(c.value, tuple)]
    return [
        c for c in claims
        if not (c.op == "replace" and isinstance(c.value, tuple) and any(set(c.value) < other for other in lists))
    ]


def _clause_end(language: Language, sentence: str, end: int) -> int:
    """Where the clause at ``end`` closes, reading past an abbreviation's dot ("on Feb. 28")."""
    high = language.cues.clause_end(sentence, end)
    while sentence.startswith(".", high) and _abbreviated(language, sentence, high):
        high = language.cues.clause_end(sentence, high + 1)
    return high


def _abbreviated(language: Language, sentence: str, dot: int) -> bool:
    """Whether the dot at ``dot`` ends an abbreviation ("Feb.")."""
    return bool(language.abbreviations) and re.search(
        rf"(?<!\w)(?:{language.abbreviations})$", sentence[:dot]) is not None


def _looks_ahead(language: Language, sentence: str, low: int, end: int, high: int) -> bool:
    """Whether a future, plan or headline cue governs the trigger: a clause cue before it (or
    ending at it: "X to take over"), or a sentence cue."""
    kinds = language.cues.kinds(sentence, low, end, ("clause",)) | language.cues.kinds(sentence, low, high, ("sentence",))
    return bool(kinds & _AHEAD)


def scheduled(language: Language, sentence: str, start: int, end: int, trigger_start: int | None = None) -> bool:
    """Whether the trigger's clause looks ahead ("will", "to") and names the day it is set
    for ("on Thursday", "on 28 March"): a vote so dated is still to be held."""
    low = _fronted(language, sentence, language.cues.clause_start(sentence, start))
    high = language.cues.clause_end(sentence, end)
    if not _looks_ahead(language, sentence, low, end, high):
        return False
    if language.past is not None and _past(language, sentence, low, (start if trigger_start is None else trigger_start, end)):
        return False                            # "elected X on Sunday": held
    # The trigger's own clause only: "X will be mayor after Y conceded on Tuesday" names no day for X.
    clause = _own_clause(language, sentence, low, end, high)
    return any(p.search(clause) for p in language.weekdays) or any(p.search(clause) for _, p in language.dates)


def _past(language: Language, sentence: str, low: int, trigger: tuple[int, int]) -> bool:
    """Whether the trigger is put in the past: a past form in the trigger itself ("fired",
    "Fired", "sworn in") or an auxiliary among the three words before it ("was sworn in");
    a name before the trigger ("Ahmed takes over") is no past form."""
    if language.past is None:
        return True
    if language.past.search(sentence, trigger[0], trigger[1]):
        return True
    before = sentence[low:trigger[0]].split()[-3:]
    return language.past_aux is not None and any(language.past_aux.fullmatch(w) for w in before)


def _own_clause(language: Language, sentence: str, low: int, end: int, high: int) -> str:
    """The trigger's own clause: from its start to the first terminator after the trigger
    (an abbreviation's dot ends nothing: "Gen. X was sworn in on Friday")."""
    stop = next((m for m in language.cues.terminators.finditer(sentence, end, high)
                 if not (m.group(0).startswith(".") and _abbreviated(language, sentence, m.start()))), None)
    return sentence[low:stop.start() if stop else high]


def _fronted(language: Language, sentence: str, low: int) -> int:
    """Where the trigger's clause starts once a short time phrase fronting the sentence is
    counted in: "On Tuesday, X resigned" dates the clause after its comma."""
    head = sentence[:low].rstrip()
    if not head.endswith(",") or len(head.split()) > 4:
        return low
    patterns = (*language.weekdays, *language.months, *(pattern for _, pattern in language.dates))
    return 0 if any(pattern.search(head) for pattern in patterns) else low


def dated_earlier(language: Language, sentence: str, start: int, end: int, published_us: int,
                  trigger_start: int | None = None) -> bool:
    """Whether the trigger's clause dates it before publication, in a clause with no future
    or plan ("was sacked in January", not "will step down in January" nor "next January"):

    - in a past clause, a weekday two or more days before, a season other than the
      publication's, or a day of a month still ahead this year (so last year's);
    - a day of a month two or more days before;
    - where the language lists months, another month than the publication's.

    Days are counted in UTC, with a day's leeway for the publisher's time zone."""
    low = _fronted(language, sentence, language.cues.clause_start(sentence, start))
    high = _clause_end(language, sentence, end)
    clause = sentence[low:high]
    if _looks_ahead(language, sentence, low, end, high):
        return False
    past = _past(language, sentence, low, (start if trigger_start is None else trigger_start, end))
    if past and any(days >= 2 for days in _weekdays_back(language, clause, published_us)):
        return True
    # Only the trigger's own clause: "sworn in on Friday after ... July's election" is no July.
    own = _own_clause(language, sentence, low, end, high)
    when = datetime.fromtimestamp(published_us / 1_000_000, UTC)
    if past and any(when.month not in months and not language.next_words.search(own[max(0, f.start() - 12):f.start()])
                    for pattern, months in language.seasons for f in pattern.finditer(own)):
        return True
    dated: list[tuple[int, int]] = []           # spans of a full date: its month is read with its day
    for number, pattern in language.dates:
        for found in pattern.finditer(own):
            try:
                named = date(when.year, when.month if number is None else number + 1, int(found.group("d")))
            except ValueError:
                continue
            if named > when.date():
                if past and not _led(language, own, found.start()):
                    return True                 # a past day ahead this year: last year's
                # ("appointed CEO from 1 April": the day the change takes effect)
            elif (when.date() - named).days >= 2:
                return True
            dated.append(found.span())          # within a day, or ahead ("from 1 April"): news
    # (Cues before the trigger were read by _looks_ahead above; here those after it count too.)
    if not language.months or language.cues.kinds(sentence, low, high, ("clause", "sentence")) & _AHEAD:
        return False
    return any(
        number != when.month - 1 and not language.next_words.search(own[max(0, found.start() - 12):found.start()])
        and not any(a <= found.start() < b for a, b in dated)
        and not (number > when.month - 1 and _led(language, own, found.start()))    # "from April"
        for number, pattern in enumerate(language.months) for found in pattern.finditer(own)
    )


def dated_day_before(language: Language, sentence: str, start: int, end: int, published_us: int,
                     trigger_start: int | None = None) -> bool:
    """Whether the trigger's clause, put in the past, names the weekday before publication
    ("was sworn in on Friday" in a Saturday item): within the day's leeway of
    :func:`dated_earlier`, so news on its own, but a day old beside a headline that gives the
    event as the setting of other news."""
    low = _fronted(language, sentence, language.cues.clause_start(sentence, start))
    high = _clause_end(language, sentence, end)
    if _looks_ahead(language, sentence, low, end, high) or not _past(
            language, sentence, low, (start if trigger_start is None else trigger_start, end)):
        return False
    return 1 in _weekdays_back(language, sentence[low:high], published_us)


def _weekdays_back(language: Language, clause: str, published_us: int) -> list[int]:
    """How many days before publication (0-6, in UTC) each weekday a clause names is, but
    those put ahead ("next Friday")."""
    published = (published_us // 86_400_000_000 + 3) % 7       # 1970-01-01 was a Thursday (3)
    return [(published - day) % 7 for day, pattern in enumerate(language.weekdays)
            for found in pattern.finditer(clause)
            if not language.next_words.search(clause[max(0, found.start() - 12):found.start()])]


_YEAR = re.compile(r"\s*,?\s*(?P<y>(?:19|20)\d\d)(?!\d)")     # a year written after a date ("2 January 2024")


def effective(language: Language, sentence: str, start: int, end: int, published_us: int,
              trigger_start: int | None = None) -> tuple[str, str] | None:
    """The day a change the trigger's clause reports takes effect, when the clause names one
    after publication ("will step down on 2 January", "from Monday", "at the end of the year"),
    and the words it was read from; None for a clause put in the past ("was sacked on
    Monday"), or one naming no later day. The words come as "'PHRASE' in 'CLAUSE'".

    Read in the trigger's own clause; else in a clause right after it opening with a lead word
    (", effective 2 January"); else, when the trigger's clause continues the one before it
    ("..., to be replaced by Y"), in that one. The day comes as ISO text as precise as the
    phrase: "2024-01-02" (a day), "2024-01" (a month), "2024" (the next year)."""
    if not _days_of(language).search(sentence):
        return None                             # (most sentences name no day at all)
    low = _fronted(language, sentence, language.cues.clause_start(sentence, start))
    high = _clause_end(language, sentence, end)
    ahead = _looks_ahead(language, sentence, low, end, high)
    # A clause put in the past names the day it takes effect only after a lead word ("was
    # appointed CEO from 1 April"); any other day there is when it happened ("was sacked on Monday").
    led_only = not ahead and _past(language, sentence, low, (start if trigger_start is None else trigger_start, end))
    when = datetime.fromtimestamp(published_us / 1_000_000, UTC).date()
    own = _own_clause(language, sentence, low, end, high)
    # The day is the trigger's, so it is named after the trigger starts, or fronts the sentence
    # ("From Monday, X will ..."): "X said on Monday she would step down" names no day for it.
    opening = language.cues.clause_start(sentence, start)
    verb = start if trigger_start is None else trigger_start
    # A lead word and day opening the clause date it too ("Od 1 kwietnia X ministrem").
    lead_in = opening if verb > opening and _effective_in(
        language, sentence[opening:verb], when, ahead, led_only=True, opening=True) else max(verb, opening)
    told = sentence[low:opening] + sentence[lead_in:low + len(own)]
    found = _effective_in(language, told, when, ahead, led_only=led_only)
    scope = own
    stop = low + len(own)
    mark = language.cues.terminators.match(sentence, stop)
    if found is None and mark is not None and mark.end() > stop:
        # The clause after the trigger's, when it opens with a lead word: ", effective 2 January".
        close = _clause_end(language, sentence, mark.end() + 1)
        following = language.cues.terminators.search(sentence, mark.end() + 1, close)
        after = sentence[mark.end():following.start() if following else close]
        found = _effective_in(language, after, when, ahead, led_only=True, opening=True)
        scope = f"{own}{sentence[stop:mark.end()]}{after}"
    if found is None and not led_only and language.joined is not None and low > 0 \
            and language.joined.match(sentence[low:start]):
        # "X will step down in January, to be replaced by Y": Y's clause shares X's day.
        before = _fronted(language, sentence, language.cues.clause_start(sentence, max(0, low - 2)))
        head = sentence[before:low].rstrip(",;: ")
        head_ahead = bool(language.cues.kinds(sentence, before, low, ("clause", "sentence")) & _AHEAD)
        if head_ahead or language.past is None or not language.past.search(head):
            found = _effective_in(language, head, when, head_ahead or ahead)
            scope = sentence[before:stop]
    return None if found is None else (found[0], f"{found[1]!r} in {scope.strip()!r}")


_DAYS: dict[str, re.Pattern[str]] = {}


def _days_of(language: Language) -> re.Pattern[str]:
    """One pattern for anything that may name a day: a date, month, weekday or relative phrase."""
    found = _DAYS.get(language.digest)
    if found is None:
        pieces = [p.pattern for _, p in language.dates] + [p.pattern for p in language.months] \
            + [p.pattern for p in language.weekdays] + [p.pattern for p, _ in language.effective_relative]
        joined = "|".join(f"(?:{p})" for p in pieces).replace("(?P<d>", "(?:")   # one group name once
        found = _DAYS[language.digest] = compile_re(joined or "(?!)", re.I)
    return found


def in_past(language: Language, sentence: str, start: int, end: int, trigger_start: int | None = None) -> bool:
    """Whether the trigger's clause is put in the past and looks nowhere ahead ("was sacked")."""
    low = _fronted(language, sentence, language.cues.clause_start(sentence, start))
    high = _clause_end(language, sentence, end)
    return not _looks_ahead(language, sentence, low, end, high) and \
        _past(language, sentence, low, (start if trigger_start is None else trigger_start, end))


def handover_day(model: StoryModel, events: list[Event]) -> list[Event]:
    """The halves of one handover an article reports share its day: when the decided changes
    of one single office that look ahead agree on the day they take effect ("X will step down
    on 2 January; Y will succeed her"), those naming none take it ("Y will succeed her")."""
    days: dict[str, list[Event]] = {}
    for event in events:
        spec = model.slot(event.target)
        if event.factuality == "asserted" and spec is not None and spec.kind == SINGLE and not event.past:
            days.setdefault(event.target, []).append(event)
    out = []
    for event in events:
        told = days.get(event.target, [])
        if event in told and not event.effective:
            day = agreed([e.effective for e in told if e.effective])
            source = next((e for e in told if e.effective == day), None)
            if day is not None and source is not None:
                event = replace(event, effective=day, effective_cue=f"{source.effective_cue}, "
                                                                    "said of the same handover")
        out.append(event)
    return out


def _led(language: Language, text: str, at: int) -> bool:
    """Whether a lead word ("from", "effective") comes right before ``at``."""
    return language.effective_lead is not None and language.effective_lead.search(text[:at]) is not None


def _effective_in(language: Language, text: str, published: date, ahead: bool,
                  led_only: bool = False, opening: bool = False) -> tuple[str, str] | None:
    """The first day after ``published`` that ``text`` names, as (ISO text, phrase). A weekday
    counts in a clause that looks ahead or after a lead word ("starting Monday"); with
    ``led_only``, any day counts only right after a lead word, and with ``opening`` only when
    that lead opens the text (", effective 2 January")."""
    found: list[tuple[int, str, str, bool]] = []    # (position, ISO text, phrase, shown with its lead-in)

    def led(at: int) -> bool:
        if _led(language, text, at):
            return not opening or len(text[:at].split()) <= 4
        return not led_only and bool(language.next_words.search(text[max(0, at - 12):at]))

    spans: list[tuple[int, int]] = []
    for number, pattern in language.dates:
        for m in pattern.finditer(text):
            month = published.month if number is None else number + 1
            year = _YEAR.match(text, m.end())
            stop = year.end() if year else m.end()
            try:
                day = date(int(year.group("y")) if year else published.year, month, int(m.group("d")))
            except ValueError:
                continue
            forward = ahead or led(m.start())     # "will ...", "effective 2 January": ahead
            if forward and not year and number is not None and (published - day).days >= 2:
                day = _next_year(day)           # "will step down on 2 January", read in November
            spans.append((m.start(), stop))
            if day > published and (not led_only or led(m.start())):
                found.append((m.start(), day.isoformat(), text[m.start():stop], True))
    for number, pattern in enumerate(language.months):
        for m in pattern.finditer(text):
            if any(a <= m.start() < b for a, b in spans):
                continue
            year = _YEAR.match(text, m.end())
            first = date(int(year.group("y")) if year else published.year, number + 1, 1)
            if (ahead or led(m.start())) and not year and first < published.replace(day=1):
                first = first.replace(year=published.year + 1)     # "will ... in January", in November
            stop = year.end() if year else m.end()
            if first > published and (not led_only or led(m.start())):
                found.append((m.start(), first.isoformat()[:7], text[m.start():stop], True))
    for pattern, unit in language.effective_relative:
        for m in pattern.finditer(text):
            if led_only and not led(m.start()) and (not opening or text[:m.start()].strip()):
                continue
            if unit == "year":
                iso = str(published.year + 1)
            elif unit == "month":
                iso = date(published.year + published.month // 12, published.month % 12 + 1, 1).isoformat()[:7]
            else:
                iso = date.fromordinal(published.toordinal() + 7 - published.weekday()).isoformat()
            found.append((m.start(), iso, m.group(0), False))
    for number, pattern in enumerate(language.weekdays):
        for m in pattern.finditer(text):
            if not ((ahead and not led_only) or led(m.start())):
                continue
            days = (number - published.weekday()) % 7
            if days:        # the publication's own weekday is its day: nothing later
                found.append((m.start(), date.fromordinal(published.toordinal() + days).isoformat(), m.group(0),
                              True))
    if not found:
        return None
    at, iso, phrase, lead_in = min(found)
    return iso, f"{_lead_in(language, text, at) if lead_in else ''}{phrase}".strip()


_SHORT = re.compile(r"(?<!\w)\w{1,4}\s+$")     # a short word before a day: "in", "on", "le", "w"


def _lead_in(language: Language, text: str, at: int) -> str:
    """The words that introduce a day in ``text``, shown with it: "from", "in", "à compter du"."""
    head = text[:at]
    found = (language.effective_lead.search(head) if language.effective_lead is not None else None) \
        or _SHORT.search(head)
    return head[found.start():] if found else ""


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:          # 29 February
        return day.replace(year=day.year + 1, day=28)
