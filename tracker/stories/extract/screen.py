r"""A cheap screen for compiled frames: the words a frame's pattern cannot match without.

A frame's regex is long (every alias of every tracked person, every role noun), and
running it over a sentence costs far more than asking whether the sentence holds
its trigger at all. Most frames name literal words ("resigns", "steps down",
"nommé") between their placeholders; a sentence holding none of a frame's
alternatives for such a word cannot match it.

The screen of a frame is derived from its template, with the language's named
patterns expanded and every story placeholder (``{P}``, ``{ROLE}``, ``{BODY}`` ...)
read as "any text": so it is the same for every story, read once per language. It
is a conjunction of alternatives, ``({"resign", "quit"}, {"as"})``: every match
contains at least one literal (lower-cased) of each set. White space (``\s``, ``\s+``)
is read as one space, as extraction's cleaned text has it, so words run on across it
("steps down as"); a sentence with any other white space is not screened at all.
Look-arounds, classes, other escapes and optional parts add nothing; a literal shorter than three characters is
not worth a check. What cannot be read for sure (a construct this reader does not
know, a placeholder inside a character class or escaped) leaves the frame without a
screen: it is then always run. The derivation only ever drops a requirement when
unsure, never adds one, so a skipped frame is one whose regex could not have matched.

The screen is valid for a compiled frame only when the compiled regex is the
template with each placeholder replaced by a self-contained piece (balanced, no
top-level ``|``, not empty): :func:`atomic` checks each piece, and the caller checks
the text itself.

Which literals a sentence holds is found by one regex per language (a trie of every
screen literal, case-insensitive like the frames), so case folding is the regex
engine's own.

Reading a pattern costs far more than the answer weighs, and every process that
extracts reads the same templates again; so the screens read are kept in a small
JSON file in the user's cache folder (``$TRACKER_CACHE_DIR``, else
``$XDG_CACHE_HOME/tracker`` or ``~/.cache/tracker``; ``TRACKER_CACHE_DIR=""`` keeps
none), named by a digest of this module's source, so a changed reader never finds
an old file. A file that cannot be read or written is passed over.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import orjson

from tracker.stories.extract.compiled import cache_folder, write_atomically
from tracker.stories.extract.compiled import compile as compile_re

Screen = tuple[frozenset[str], ...]     # every set must share a literal with the sentence

PLACEHOLDER = re.compile(r"\{([A-Z][A-Z_]*)\}")
_REPEAT = re.compile(r"\{(\d*)(?:,(\d*))?\}")
_LIMIT = 32         # largest set of exact strings followed through a sequence
_SHORTEST = 3       # a set holding a shorter literal screens out too little to be worth a check
_NAME = re.compile(r"P<[A-Za-z_]\w*>")
_BACKREF = re.compile(r"P=[A-Za-z_]\w*\)")
_FLAGS = re.compile(r"([aiLmsux]*)(?:-([imsx]+))?([:)])")
_HEX = {"x": 2, "u": 4, "U": 8}
_EMPTY_ESCAPES = frozenset("bBAZ")
_CLASS_ESCAPES = frozenset("dDSwWafnrtv")
_SPACE = frozenset({" "})
# Text with white space other than single spaces (extraction reads cleaned text, which has none).
_NOT_PLAIN = re.compile(r"[^\S ]|  ")


class Unscreenable(Exception):
    """The pattern holds something the screen cannot read for sure."""


@dataclass(frozen=True, slots=True)
class _Info:
    """What a piece of pattern matches: exactly one of ``exact`` (when finite and small),
    else text holding a literal of each set of ``needs``."""

    exact: frozenset[str] | None
    needs: tuple[frozenset[str], ...] = ()


_ANY = _Info(None)                      # any text, nothing known
_NOTHING = _Info(frozenset({""}))       # the empty string (an assertion)


class _Reader:
    """A recursive reader of Python regex syntax, for what literals a match needs."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.at = 0

    def peek(self, size: int = 1) -> str:
        return self.text[self.at:self.at + size]

    def alternation(self) -> _Info:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.at += 1
            branches.append(self.sequence())
        return _either(branches)

    def sequence(self) -> _Info:
        items: list[_Info] = []
        while self.at < len(self.text) and self.peek() not in "|)":
            atom = self.atom()
            items.append(self.repeat(atom))
        return _concat(items)

    def repeat(self, atom: _Info) -> _Info:
        """Read the repeat after an atom, if any (``high`` 2 stands for "more than one")."""
        char = self.peek()
        if char in ("*", "+", "?") and char:
            low, high = {"*": (0, 2), "+": (1, 2), "?": (0, 1)}[char]
            self.at += 1
        else:
            found = _REPEAT.match(self.text, self.at) if char == "{" else None
            if found is None:
                return atom
            least, most = found.group(1), found.group(2)
            low = int(least or 0)
            if most is None:
                # "{3}", or "{}" (a literal brace in fact: read as a repeat, which needs less)
                high = min(low, 2) if least else 2
            else:
                high = min(int(most), 2) if most else 2
            self.at = found.end()
        if self.peek() in ("?", "+") and self.peek():
            self.at += 1        # lazy or possessive: the same strings
        if (self.peek() in ("*", "+", "?") and self.peek()) or _REPEAT.match(self.text, self.at):
            raise Unscreenable("multiple repeat")
        return _repeated(atom, low, high)

    def atom(self) -> _Info:
        char = self.text[self.at]
        if char == "(":
            return self.group()
        if char == "[":
            self.character_class()
            return _ANY
        if char == ".":
            self.at += 1
            return _ANY
        if char in "^$":
            self.at += 1
            return _NOTHING
        if char == "\\":
            return self.escape()
        if char == "{":
            found = PLACEHOLDER.match(self.text, self.at)
            if found:
                self.at = found.end()
                return _ANY     # a story's piece: anything
            if _REPEAT.match(self.text, self.at):
                raise Unscreenable("nothing to repeat")
        if char in "*+?":
            raise Unscreenable("nothing to repeat")
        self.at += 1
        return _literal(char)

    def escape(self) -> _Info:
        if PLACEHOLDER.match(self.text, self.at + 1):
            raise Unscreenable("an escaped placeholder")
        char = self.text[self.at + 1:self.at + 2]
        if not char:
            raise Unscreenable("a trailing backslash")
        self.at += 2
        if char in _EMPTY_ESCAPES:
            return _NOTHING
        if char == "s":
            return _Info(_SPACE)    # in single-spaced text, a space (see Finder.present)
        if char in _CLASS_ESCAPES:
            return _ANY
        if char in _HEX:
            self.at += _HEX[char]
            return _ANY
        if char == "N":
            end = self.text.find("}", self.at)
            if not self.text.startswith("{", self.at) or end < 0:
                raise Unscreenable("a bad \\N escape")
            self.at = end + 1
            return _ANY
        if char.isascii() and char.isalnum():
            raise Unscreenable(f"escape \\{char}")     # a back-reference, an octal or unknown escape
        return _literal(char)

    def character_class(self) -> None:
        # From "[" to its closing "]": an optional "^", a leading "]" is a member.
        end = self.at + 1
        if self.text.startswith("^", end):
            end += 1
        if self.text.startswith("]", end):
            end += 1
        while end < len(self.text) and self.text[end] != "]":
            if PLACEHOLDER.match(self.text, end):
                raise Unscreenable("a placeholder in a character class")
            end += 2 if self.text[end] == "\\" else 1
        if end >= len(self.text):
            raise Unscreenable("an unclosed character class")
        self.at = end + 1

    def group(self) -> _Info:
        self.at += 1
        kind = "capture"
        if self.peek() == "?":
            self.at += 1
            head = self.peek(3)
            if head.startswith(":"):
                self.at += 1
            elif head.startswith("P<"):
                found = _NAME.match(self.text, self.at)
                if found is None:
                    raise Unscreenable("a bad group name")
                self.at = found.end()
            elif head.startswith("P="):
                found = _BACKREF.match(self.text, self.at)
                if found is None:
                    raise Unscreenable("a bad back-reference")
                self.at = found.end()
                return _ANY
            elif head.startswith(("=", "!")):
                self.at += 1
                kind = "assertion"
            elif head.startswith(("<=", "<!")):
                self.at += 2
                kind = "assertion"
            elif head.startswith(">"):
                self.at += 1
            elif head.startswith("#"):
                end = self.text.find(")", self.at)
                if end < 0:
                    raise Unscreenable("an unclosed comment")
                self.at = end + 1
                return _NOTHING
            else:
                found = _FLAGS.match(self.text, self.at)
                if found is None:
                    raise Unscreenable("an unknown group")
                if "x" in found.group(1):
                    raise Unscreenable("verbose mode")
                self.at = found.end()
                if found.group(3) == ")":
                    return _NOTHING     # flags for the whole pattern (case: the screen ignores it)
        inner = self.alternation()
        if self.peek() != ")":
            raise Unscreenable("an unclosed group")
        self.at += 1
        return _NOTHING if kind == "assertion" else inner


def _literal(char: str) -> _Info:
    # A character stands for itself in lower case when IGNORECASE matches the two (a dotted
    # capital I, whose lower case is two characters, stands for anything).
    lower = char.lower()
    if char.isascii() or (len(lower) == 1 and re.fullmatch(re.escape(lower), char, re.I)):
        return _Info(frozenset({lower}))
    return _ANY


def _concat(items: list[_Info]) -> _Info:
    needs: list[frozenset[str]] = []
    current: frozenset[str] | None = frozenset({""})
    whole = True
    for item in items:
        if item.exact is None:
            if current is not None:
                needs.append(current)
            current = None
            whole = False
            needs.extend(item.needs)
        elif current is None:
            current = item.exact
        else:
            joined = frozenset(a + b for a in current for b in item.exact)
            if len(joined) <= _LIMIT:
                current = joined
            else:
                needs.append(current)
                current = item.exact
                whole = False
    if whole and current is not None:
        return _Info(current)
    if current is not None:
        needs.append(current)
    return _Info(None, tuple(needs))


def _either(branches: list[_Info]) -> _Info:
    if len(branches) == 1:
        return branches[0]
    if all(b.exact is not None for b in branches):
        union = frozenset().union(*(b.exact for b in branches if b.exact is not None))
        if len(union) <= _LIMIT:
            return _Info(union)
    picked: set[str] = set()
    for branch in branches:
        best = _best(_normal(branch.needs if branch.exact is None else (branch.exact,)))
        if best is None:
            return _ANY         # a branch needing nothing: the alternation needs nothing
        picked |= best
    return _Info(None, (frozenset(picked),))


def _repeated(atom: _Info, low: int, high: int) -> _Info:
    if low == 1 and high == 1:
        return atom
    if atom.exact == _SPACE:
        # A run of white space is one space in single-spaced text: "\s+" reads " ".
        return _Info(_SPACE if low else frozenset({"", " "}))
    if low == 0:
        return _Info(atom.exact | {""}) if high == 1 and atom.exact is not None else _ANY
    return _Info(None, (atom.exact,) if atom.exact is not None else atom.needs)


def _normal(needs: tuple[frozenset[str], ...]) -> Screen:
    """Drop the sets that screen out too little; in each set, a literal holding another
    literal of the set adds nothing."""
    out: list[frozenset[str]] = []
    for found in needs:
        if not found or min(len(s) for s in found) < _SHORTEST:
            continue
        kept = frozenset(s for s in found if not any(o != s and o in s for o in found))
        if kept not in out:
            out.append(kept)
    return tuple(out)


def _best(needs: Screen) -> frozenset[str] | None:
    # The set most likely to screen a sentence out: the longest shortest literal, then the fewest.
    return max(needs, key=lambda s: (min(len(x) for x in s), -len(s), sorted(s)), default=None)


_KEPT: dict[str, Screen | None] | None = None     # the cache file's screens, once read
_NEW: dict[str, Screen | None] = {}                  # screens read since, not yet written


def cache_file() -> Path | None:
    """Return the file the screens read are kept in (None: keep none)."""
    folder = cache_folder()
    if folder is None:
        return None
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return folder / f"screens-{digest}.json"


def _kept() -> dict[str, Screen | None]:
    global _KEPT
    if _KEPT is None:
        _KEPT = {}
        path = cache_file()
        try:
            raw = orjson.loads(path.read_bytes()) if path is not None else {}
            _KEPT = {pattern: None if sets is None else tuple(frozenset(s) for s in sets)
                     for pattern, sets in raw.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            pass    # none yet, or unreadable: read the patterns again
    return _KEPT


def keep() -> None:
    """Write the screens read since the cache file was read (atomically; errors pass)."""
    path = cache_file()
    if not _NEW or path is None:
        return
    kept = _kept()
    kept.update(_NEW)
    _NEW.clear()
    data = {p: None if s is None else [sorted(x) for x in s] for p, s in kept.items()}
    write_atomically(path, orjson.dumps(data, option=orjson.OPT_SORT_KEYS))


def required(pattern: str) -> Screen | None:
    """Return the screen of a pattern whose ``{NAME}`` placeholders stand for anything
    (None: it cannot be read for sure, or requires no literal)."""
    kept = _kept()
    if pattern in kept:
        return kept[pattern]
    found = _NEW[pattern] = _read(pattern)
    return found


@lru_cache(maxsize=4096)
def _read(pattern: str) -> Screen | None:
    reader = _Reader(pattern)
    try:
        info = reader.alternation()
        if reader.at != len(pattern):
            raise Unscreenable("an unopened group")
    except Unscreenable:
        return None
    screen = _normal((info.exact,) if info.exact is not None else info.needs)
    return screen or None


_TOKEN = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\\\]])*\]|[()|]|[^\\\[()|]+", re.S)


@lru_cache(maxsize=4096)
def atomic(piece: str) -> bool:
    """Whether a piece of pattern stands on its own wherever a placeholder puts it: not
    empty, groups balanced, no top-level ``|``, nothing that reads on into what follows
    (a trailing backslash, an unclosed class or repeat) or applies to what precedes (a
    leading repeat)."""
    if not piece or piece[0] in "*+?{" or re.search(r"\{[\d,]*$", piece):
        return False
    depth = 0
    covered = 0
    for token in _TOKEN.finditer(piece):
        if token.start() != covered:
            return False
        covered = token.end()
        text = token.group(0)
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
            if depth < 0:
                return False
        elif text == "|" and depth == 0:
            return False
    return covered == len(piece) and depth == 0


class Finder:
    """Which screen literals a sentence holds: one case-insensitive regex, a trie of them
    all in a look-ahead, reports at each position the longest literal starting there; the
    shorter ones starting there are its prefixes.

    That needs no two characters of the literals to match each other under IGNORECASE
    (then one text character takes one path down the trie, and equal literals are equal
    strings): checked here with the regex engine, and where it fails, every literal
    counts as present, so nothing is screened out.
    """

    def __init__(self, literals: frozenset[str]) -> None:
        self.literals = literals
        ordered = sorted(literals)
        alphabet = sorted({c for lit in ordered for c in lit})
        clash = any(re.fullmatch(re.escape(a), b, re.I) for i, a in enumerate(alphabet) for b in alphabet[i + 1:])
        # Each literal with every literal it starts with (itself included).
        self.prefixes = {lit: frozenset(lit[:k] for k in range(1, len(lit) + 1) if lit[:k] in literals)
                         for lit in ordered}
        self.regex = compile_re(f"(?=({_trie(ordered)}))", re.I) if ordered and not clash else None
        self._alphabet = alphabet
        self._folds: dict[str, str] = {}

    def present(self, sentence: str) -> frozenset[str]:
        """Return every literal the sentence holds (all of them when they cannot be told)."""
        if self.regex is None or _NOT_PLAIN.search(sentence):
            return self.literals    # "\s+" was read as one space: only single-spaced text is told
        found: set[str] = set()
        prefixes = self.prefixes
        for match in self.regex.finditer(sentence):
            text = match.group(1)
            held = prefixes.get(text.lower() if text.isascii() else self._fold(text))
            if held is None:
                return self.literals    # not expected; holding everything is always safe
            found |= held
        return frozenset(found)

    def _fold(self, text: str) -> str:
        """The literal a matched text stands for, character by character: the one character
        of the literals that IGNORECASE matches to it (asked of the regex engine)."""
        out = []
        for char in text:
            folded = self._folds.get(char)
            if folded is None:
                folded = next((c for c in self._alphabet if re.fullmatch(re.escape(c), char, re.I)), char)
                self._folds[char] = folded
            out.append(folded)
        return "".join(out)


def _trie(literals: list[str]) -> str:
    """One regex for a sorted list of literals, longest match first at each position."""
    children: dict[str, list[str]] = {}
    ends = False
    for literal in literals:
        if not literal:
            ends = True
        else:
            children.setdefault(literal[0], []).append(literal[1:])
    if not children:
        return ""
    body = "|".join(re.escape(char) + _trie(rest) for char, rest in sorted(children.items()))
    if ends:
        return f"(?:{body})?"
    return body if len(children) == 1 and not body.count("|") else f"(?:{body})"


def passes(screen: Screen | None, present: frozenset[str]) -> bool:
    """Whether a sentence holding ``present`` may match a frame with this screen."""
    return screen is None or all(not present.isdisjoint(s) for s in screen)
