"""Compiled regexes and what is made from the rule data, kept for the next process, are what
compiling and making them again gives."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PATTERNS = [(r"(?<!\w)(?P<p>chief\s+executive|CEO)(?!\w)", re.I), (r"[A-Z]\w+", 0),
            (r"(?-i:[A-Z])\w*|ł[aą]", re.I | re.S)]

_SCRIPT = (
    "import re, sys\n"
    "from tracker.stories.extract import compiled\n"
    "patterns = [(r'(?<!\\w)(?P<p>chief\\s+executive|CEO)(?!\\w)', re.I), (r'[A-Z]\\w+', 0),\n"
    "            (r'(?-i:[A-Z])\\w*|ł[aą]', re.I | re.S)]\n"
    "kept = len(compiled._load())\n"
    "found = [compiled.compile(p, f) for p, f in patterns]\n"
    "same = all(a == re.compile(p, f) and a.groupindex == re.compile(p, f).groupindex\n"
    "           for a, (p, f) in zip(found, patterns))\n"
    "made = compiled.kept('sample', 'key', lambda: {'x': re.compile('a+b', re.I), 'n': 3})\n"
    "same = same and compiled.compile(r'fo+\\d', re.I, group='frames:sample') == re.compile(r'fo+\\d', re.I)\n"
    "print(kept, same, compiled._working, made['x'] == re.compile('a+b', re.I), made['n'])\n"
)


def _run(cache: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "TRACKER_CACHE_DIR": cache}, check=True)
    return out.stdout.split()


def test_compiled_patterns_are_kept_and_equal(tmp_path: Path) -> None:
    assert _run(str(tmp_path)) == ["0", "True", "True", "True", "3"]
    (kept,) = tmp_path.glob("regex-*-common.marshal")
    (frames,) = [p for p in tmp_path.glob("regex-*") if p.is_dir()]   # a story's frames: a file a pattern
    assert len(list(frames.iterdir())) == 1
    assert len(list(tmp_path.glob("sample-*.pickle"))) == 1
    again = _run(str(tmp_path))
    assert int(again[0]) >= len(PATTERNS) and again[1:] == ["True", "True", "True", "3"]
    # A damaged file is passed over (compiled again); no cache folder keeps nothing.
    kept.write_bytes(b"\x00not marshal")
    for made in tmp_path.glob("sample-*.pickle"):
        made.write_bytes(b"not a pickle")
    for program in frames.iterdir():                               # a changed byte is seen
        data = bytearray(program.read_bytes())
        data[-1] ^= 1
        program.write_bytes(bytes(data))
    assert _run(str(tmp_path))[1:] == ["True", "True", "True", "3"]
    assert _run("") == ["0", "True", "True", "True", "3"]


def test_a_kept_form_the_engine_refuses_falls_back_to_compiling(tmp_path: Path, monkeypatch: object) -> None:
    from tracker.stories.extract import compiled

    key = compiled._key(r"x+y", int(re.I))
    monkeypatch.setattr(compiled, "_kept", {compiled.COMMON: {key: (int(re.I | re.U), [999999], 0, {}, (None,))}})  # type: ignore[attr-defined]
    monkeypatch.setattr(compiled, "_working", True)  # type: ignore[attr-defined]
    assert compiled.compile(r"x+y", re.I) == re.compile(r"x+y", re.I)
    assert compiled._working is False
