"""The frame screen: the literals a frame's regex cannot match without, and the finder
that tells which of them a sentence holds. A screen may only ever skip a frame whose
regex would not have matched."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tracker.stories.definition import load_story
from tracker.stories.extract import _rules
from tracker.stories.extract.frames import _expand, finder_of
from tracker.stories.extract.rules import languages
from tracker.stories.extract.screen import Finder, atomic, passes, required
from tracker.stories.extract.text import clean, sentences

EXTRACT = Path(__file__).resolve().parent.parent / "tracker" / "stories" / "extract"


def _sets(pattern: str) -> list[list[str]] | None:
    found = required(pattern)
    return None if found is None else [sorted(s) for s in found]


@pytest.mark.parametrize(("pattern", "screen"), [
    # White space is read as the one space of cleaned text: words run on across it.
    (r"{P}\s+(?P<v>resigns|quits)\s+as\s+{ROLE}", [[" quits as ", " resigns as "]]),
    (r"{P}\s+(?P<v>parts|part)\s+(?:company|ways)\s+with\s+{PH}",
     [[" part company with ", " part ways with ", " parts company with ", " parts ways with "]]),
    (r"gets?\s*the\s+axe", [["get the axe", "gets the axe", "getsthe axe", "getthe axe"]]),
    (r"(?:steps[\s-]down|bows\s+out)", [["bows out", "steps"]]),   # one literal of each branch
    (r"resigns(?:\w+\s+){0,2}as", [["resigns"]]),
    (r"(?<!\bdeputy\s)Chair(?:man)?\b", [["chair"]]),          # look-arounds need nothing
    (r"(?-i:[A-Z]\w+)\s+nommée?", [[" nommé"]]),
    (r"(?:names|{BODY})\s+new", [[" new"]]),                  # a branch needing nothing
    (r"x{0,2}yz|ab", None),                                   # too short to screen
    (r"(?:resign)?\s+{ROLE}", None),                          # only optional words
    (r"(a)\1", None),                                         # a back-reference: not read
    (r"[{ROLE}]abc", None),                                   # a placeholder inside a class
    (r"(?x) resigns", None),                                  # verbose mode
    (r"resign\u2019s", [["resign"]]),                          # an escape stands for anything
    (r"(?:resigned|resigns){2}", [["resigned", "resigns"]]),
])
def test_the_screen_is_what_every_match_holds(pattern: str, screen: list[list[str]] | None) -> None:
    assert _sets(pattern) == screen


@pytest.mark.parametrize(("piece", "alone"), [
    (r"(?:ceo|chief\s+executive)", True),
    (r"(?<!\w)(?:ceo)(?!\w)(?!\s+(?:of)\b)", True),
    (r"[|(]x", True),
    ("ceo|president", False),          # a top-level alternation splits what holds it
    ("", False),
    ("?x", False),
    ("(?:x", False),
    ("x)", False),
    ("x\\", False),
    ("x{2,", False),
])
def test_a_piece_stands_alone_only_when_self_contained(piece: str, alone: bool) -> None:
    assert atomic(piece) is alone


def test_the_finder_reports_every_literal_a_sentence_holds() -> None:
    finder = Finder(frozenset({"step", "steps", "down", "own", "resign"}))
    assert finder.present("She Steps DOWN today") == {"step", "steps", "down", "own"}
    assert finder.present("nothing here") == frozenset()
    # Other white space than single spaces: the screen cannot tell, so every literal counts.
    assert finder.present("nothing  here") == finder.literals
    assert finder.present("nothing\there") == finder.literals


@pytest.mark.parametrize("text", ["KİNG", "kıng", "ſtep", "\u212aing", "Straße", "ÉLU", "élu", "Zostałą"])
def test_the_finder_folds_case_as_the_regex_engine_does(text: str) -> None:
    literals = frozenset({"king", "step", "strasse", "élu", "został"})
    finder = Finder(literals)
    held = finder.present(text)
    for literal in literals:
        assert (literal in held) is bool(re.search(re.escape(literal), text, re.I)), literal


def _case_texts() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(EXTRACT.glob("languages/*/cases.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8")).get("case", []):
            found.append((path.parent.name, case["story"], case["title"] + "\n" + case.get("summary", "")))
    return found


def test_no_screened_out_frame_matches_a_golden_sentence() -> None:
    # Every frame of each case story, in each language its cases are written in, over every
    # sentence of those cases: a frame the screen skips must have no match there.
    texts = _case_texts()
    checked = 0
    for code, story_id in sorted({(c, s) for c, s, _ in texts}):
        story = load_story(EXTRACT / "case_stories" / f"{story_id}.toml")
        _, frames, _ = _rules(story).of(code)
        finder = finder_of(languages()[code])
        for text in (t for c, s, t in texts if (c, s) == (code, story_id)):
            title, summary = text.split("\n", 1)
            for sentence in sentences(clean(title)) + sentences(summary):
                present = finder.present(sentence)
                for compiled in frames:
                    if not passes(compiled.screen, present):
                        checked += 1
                        assert compiled.regex.search(sentence) is None, (compiled.frame.rule, sentence)
    assert checked > 1000


def test_most_frames_have_a_screen() -> None:
    for code, language in languages().items():
        named = dict(language.patterns)
        screened = sum(required(_expand(f.template, named)) is not None for f in language.frames)
        assert screened >= 0.8 * len(language.frames), code


def test_every_frame_of_every_case_story_compiles() -> None:
    # Frames compile when first used; a broken one must still fail here, not in a user's worker.
    count = 0
    for path in sorted((EXTRACT / "case_stories").glob("*.toml")):
        story = load_story(path)
        for code in languages():
            for compiled in _rules(story).of(code)[1]:
                assert compiled.regex.pattern, compiled.frame.rule
                count += 1
    assert count > 1000


_SCREENS = (
    "import hashlib, sys\n"
    "from pathlib import Path\n"
    "from tracker.stories.definition import load_story\n"
    "from tracker.stories.extract import _rules, screen\n"
    "story = load_story(Path(sys.argv[1]))\n"
    "found = [repr(c.screen and [sorted(s) for s in c.screen])\n"
    "         for code in ('en', 'fr', 'pl') for c in _rules(story).of(code)[1]]\n"
    "print(screen._read.cache_info().misses, hashlib.sha256('|'.join(found).encode()).hexdigest())\n"
)


def _screens_in_a_process(story: Path, cache: str) -> tuple[int, str]:
    import os
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _SCREENS, str(story)], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "TRACKER_CACHE_DIR": cache}, check=True)
    misses, digest = out.stdout.split()
    return int(misses), digest


def test_screens_read_once_are_kept_for_the_next_process(tmp_path: Path) -> None:
    story = EXTRACT / "case_stories" / "company.toml"
    first, screens = _screens_in_a_process(story, str(tmp_path))
    assert first > 100 and len(list(tmp_path.glob("screens-*.json"))) == 1
    again, kept = _screens_in_a_process(story, str(tmp_path))
    assert (again, kept) == (0, screens)        # no pattern read again, the same screens
    # An unreadable file is passed over (and written anew); no cache at all reads every time.
    # (The frames compiled from the screens are kept beside them: without those, the screens are asked.)
    next(tmp_path.glob("screens-*.json")).write_text("{not json", encoding="utf-8")
    for kept_rules in tmp_path.glob("rules-*.pickle"):
        kept_rules.unlink()
    assert _screens_in_a_process(story, str(tmp_path)) == (first, screens)
    assert _screens_in_a_process(story, str(tmp_path))[0] == 0
    assert _screens_in_a_process(story, "") == (first, screens)

