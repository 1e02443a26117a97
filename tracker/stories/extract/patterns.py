"""Compile the frames' long regular expressions once per machine, not once per process.

Parsing and compiling a frame's pattern (a few thousand characters: every tracked name,
clause word and role noun spelt out) costs milliseconds; a story has hundreds, so a new
process (a query that brings the projections up to date, each rebuild worker) spent most
of its first extraction compiling. The compiler's output, the pattern program, is kept in
the cache folder (``$TRACKER_CACHE_DIR``, as the screens are), one small file per
pattern, and later processes build the pattern object from it directly.

The program is exactly what :mod:`re` would make, for the same Python and regular
expression engine (the folder is named after both); each file carries digests of its
pattern and its program, and the engine checks a program before it accepts it. Any failure - no cache, an unreadable or foreign file, another
Python - falls back to :func:`re.compile`; the cache is safe to delete.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import sys
import tempfile
from array import array
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

try:  # the engine's own entry points (CPython); without them every pattern is compiled
    import _sre

    _compiler: Any = importlib.import_module("re._compiler")
    _parser: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - another Python
    _sre = None  # type: ignore[assignment]

MAX_FILES = 20_000      # more than this many programs kept: the older half is deleted
_WORD = "I"             # the program's code words, as the engine's CODESIZE (4 bytes)
_trimmed = False


def folder() -> Path | None:
    """Return the folder the programs are kept in (None: keep none)."""
    return _folder(os.environ.get("TRACKER_CACHE_DIR"), os.environ.get("XDG_CACHE_HOME"))


@lru_cache(maxsize=8)
def _folder(_cache_dir: str | None, _xdg: str | None) -> Path | None:
    from tracker.stories.extract.screen import cache_file

    screens = cache_file()
    if screens is None or _sre is None or array(_WORD).itemsize != _sre.CODESIZE:
        return None
    tag = f"{sys.implementation.cache_tag}-{_sre.MAGIC}-{_sre.CODESIZE}"
    return screens.parent / f"patterns-{tag}"


def compile(source: str, flags: int = 0) -> re.Pattern[str]:
    """Return ``re.compile(source, flags)``, built from a kept program when there is one."""
    flags = int(flags)
    where = folder()
    if where is None:
        return re.compile(source, flags)
    key = hashlib.sha256(f"{flags}\0{source}".encode()).hexdigest()[:40]
    path = where / key
    try:
        kept = _load(path, source)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError):
        kept = None     # none yet, or not one this engine accepts: compile it again
    if kept is not None:
        return kept
    try:
        parsed = _parser.parse(source, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        pattern: re.Pattern[str] = _sre.compile(source, flags | parsed.state.flags, code,
                                                parsed.state.groups - 1, groupindex, tuple(indexgroup))
    except re.error:
        raise
    except Exception:   # pragma: no cover - an engine whose internals differ: compile as usual
        return re.compile(source, flags)
    _store(where, path, source, pattern, code, indexgroup)
    return pattern


def _load(path: Path, source: str) -> re.Pattern[str] | None:
    data = path.read_bytes()
    head, _, body = data.partition(b"\n")
    meta = orjson.loads(head)
    if meta["source"] != hashlib.sha256(source.encode()).hexdigest() \
            or meta["code"] != hashlib.blake2b(body, digest_size=16).hexdigest():
        return None     # another pattern's program, or a damaged one
    code = array(_WORD)
    code.frombytes(body)
    # The engine validates the program (RuntimeError when it is not one it can run).
    pattern: re.Pattern[str] = _sre.compile(source, meta["flags"], code.tolist(), meta["groups"],
                                            meta["groupindex"], tuple(meta["indexgroup"]))
    return pattern


def _store(where: Path, path: Path, source: str, pattern: re.Pattern[str], code: list[int],
           indexgroup: list[str | None]) -> None:
    """Write one program atomically; errors pass (the next process compiles it again)."""
    temp = None
    try:
        body = array(_WORD, code).tobytes()
        meta = {"source": hashlib.sha256(source.encode()).hexdigest(), "flags": pattern.flags,
                "groups": pattern.groups, "groupindex": dict(pattern.groupindex), "indexgroup": indexgroup,
                "code": hashlib.blake2b(body, digest_size=16).hexdigest()}
        where.mkdir(parents=True, exist_ok=True)
        _trim(where)
        handle, temp = tempfile.mkstemp(dir=where, prefix=".new-")
        with os.fdopen(handle, "wb") as out:
            out.write(orjson.dumps(meta) + b"\n" + body)
        os.replace(temp, path)
        temp = None
    except (OSError, OverflowError):
        pass
    finally:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)


def _trim(where: Path) -> None:
    """Keep the folder bounded: once per process that writes, past MAX_FILES programs
    delete the older half (by last write)."""
    global _trimmed
    if _trimmed:
        return
    _trimmed = True
    entries = [e for e in os.scandir(where) if e.is_file()]
    if len(entries) <= MAX_FILES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime)
    for entry in entries[: len(entries) - MAX_FILES // 2]:
        Path(entry.path).unlink(missing_ok=True)
