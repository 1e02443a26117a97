"""Compile the rule data's regexes once per machine instead of once per process.

The frames, cues, lexicons and screens make hundreds of long regexes (every alias of
every tracked person, every role noun, every cue word), and parsing them is most of
what a process that extracts from one new article spends. The regex engine's own
compiled form of a pattern (its code, flags and groups) depends only on the pattern,
the flags and the interpreter; so :func:`compile` keeps it in a file in the cache
folder (as :mod:`tracker.stories.extract.screen` keeps its screens:
``$TRACKER_CACHE_DIR``, ``""`` keeps none) and the next process hands it to the engine
as is. The file is named by a digest of the interpreter's version, the engine's
magic number and this module's source, so another interpreter never reads it.

A pattern is taken into the file only when the engine, given what was kept, makes a
pattern equal to the one ``re.compile`` makes (same pattern, flags and code); anything
that fails when read back (a damaged file, an interpreter that does not take it) is
compiled by ``re.compile`` instead, for the rest of the process. The result is always
what ``re.compile`` returns.
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import re
import sys
import tempfile
from array import array
from functools import lru_cache
from pathlib import Path
from typing import Any

_WORD = "I"         # the engine's code words, kept as the bytes of an array of them
_MOST = 20_000      # patterns kept in the file; beyond that it starts again with this process's own
_kept: dict[str, dict[bytes, tuple[Any, ...]]] = {}     # per group: the file's patterns, once read
_new: dict[str, dict[bytes, tuple[Any, ...]]] = {}      # per group: compiled since, not yet written
_working = True     # False once anything failed: plain re.compile from then on
_registered = False
COMMON = "common"   # the group of the rule data's own patterns (cues, lexicons, screens)


def cache_folder() -> Path | None:
    """Return the cache folder (None: keep nothing): $TRACKER_CACHE_DIR, else
    $XDG_CACHE_HOME/tracker or ~/.cache/tracker."""
    folder = os.environ.get("TRACKER_CACHE_DIR")
    if folder == "":
        return None
    if folder is None:
        folder = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tracker")
    return Path(folder)


def write_atomically(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all (a temporary file renamed over it); errors
    pass: the next process makes it again."""
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:20]}-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
        temp = None
    except OSError:
        pass
    finally:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)


def cache_file(group: str = COMMON) -> Path | None:
    """Return where one group of compiled patterns is kept (None: keep none, also when the
    engine's code words are not this machine's unsigned ints): the rule data's own patterns
    (``COMMON``) in one file, read whole; any other group (a story's frames, long patterns a
    process needs a few of) in a folder of its own, a file a pattern, read one by one."""
    folder = cache_folder()
    tag = _engine_tag()
    if folder is None or tag is None:
        return None
    if group == COMMON:
        return folder / f"regex-{tag}-{COMMON}.marshal"
    return folder / f"regex-{tag}-{hashlib.sha256(group.encode()).hexdigest()[:12]}"


@lru_cache(maxsize=1)
def _engine_tag() -> str | None:
    """A digest of this module, the interpreter and the regex engine (read once a process),
    or None when the engine's code words are not this machine's unsigned ints."""
    import _sre

    if array(_WORD).itemsize != _sre.CODESIZE:
        return None
    hasher = hashlib.sha256(Path(__file__).read_bytes())
    hasher.update(f"\0{sys.version}\0{sys.implementation.name}\0{_sre.MAGIC}\0{_sre.CODESIZE}".encode())
    return hasher.hexdigest()[:16]


def _load(group: str = COMMON) -> dict[bytes, tuple[Any, ...]]:
    found = _kept.get(group)
    if found is None:
        found = _kept[group] = {}
        path = cache_file(group)
        try:
            read = marshal.loads(path.read_bytes()) if path is not None else {}
            if isinstance(read, dict):
                found = _kept[group] = read
        except (OSError, ValueError, EOFError, TypeError):
            pass    # none yet, or unreadable: compile again
    return found


def _kept_entry(group: str, key: bytes) -> tuple[Any, ...] | None:
    if group == COMMON:
        return _load(group).get(key) or _new.get(group, {}).get(key)
    folder = cache_file(group)
    if folder is None:
        return None
    try:
        data = (folder / key.hex()).read_bytes()
        if hashlib.blake2b(data[16:], digest_size=16).digest() != data[:16]:
            return None     # damaged: compile again
        entry = marshal.loads(data[16:])
    except (OSError, ValueError, EOFError, TypeError):
        return None     # none yet, or unreadable: compile again
    return entry if isinstance(entry, tuple) else None


def compile(pattern: str, flags: int = 0, group: str = COMMON) -> re.Pattern[str]:
    """Return ``re.compile(pattern, flags)``, from the kept compiled form when there is one
    (``group``: where it is kept)."""
    global _working, _registered
    flags = int(flags)
    if not _working or not isinstance(pattern, str):
        return re.compile(pattern, flags)
    key = _key(pattern, flags)
    entry = _kept_entry(group, key)
    if entry is not None:
        try:
            return _engine(pattern, entry)
        except Exception:
            _working = False    # not this file's patterns, or not this interpreter's engine
            return re.compile(pattern, flags)
    made = re.compile(pattern, flags)
    try:
        entry = _entry(pattern, flags)
        if _engine(pattern, entry) == made:
            if group != COMMON:
                _store(group, key, entry)
            else:
                if not _registered:
                    _registered = True
                    atexit.register(keep)
                _new.setdefault(group, {})[key] = entry
    except Exception:
        _working = False
    return made


_trimmed: set[str] = set()


def _store(group: str, key: bytes, entry: tuple[Any, ...]) -> None:
    """Keep one pattern of a group in its own file (atomically; errors pass). Past ``_MOST``
    files in the group's folder, once a process, the older half is deleted."""
    folder = cache_file(group)
    if folder is None:
        return
    if group not in _trimmed:
        _trimmed.add(group)
        try:
            files = sorted((e for e in os.scandir(folder) if e.is_file()), key=lambda e: e.stat().st_mtime)
            for old in files[: max(0, len(files) - _MOST // 2)] if len(files) > _MOST else []:
                Path(old.path).unlink(missing_ok=True)
        except OSError:
            pass    # no folder yet
    payload = marshal.dumps(entry)
    # A digest of the program first, then the program.
    write_atomically(folder / key.hex(), hashlib.blake2b(payload, digest_size=16).digest() + payload)


def _key(pattern: str, flags: int) -> bytes:
    # Patterns are long (every alias of every person): the file keeps a digest of each.
    return hashlib.blake2b(f"{flags}\0{pattern}".encode(), digest_size=16).digest()


def _engine(pattern: str, entry: tuple[Any, ...]) -> re.Pattern[str]:
    import _sre

    final, code, groups, groupindex, indexgroup = entry
    words = array(_WORD)
    words.frombytes(code)
    return _sre.compile(pattern, final, words.tolist(), groups, groupindex, indexgroup)  # type: ignore[no-any-return]


def _entry(pattern: str, flags: int) -> tuple[Any, ...]:
    """What the engine is given for a pattern (as ``re._compiler.compile`` makes it)."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = array(_WORD, _compiler._code(parsed, flags)).tobytes()    # read back at once (see _engine)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup))


def keep() -> None:
    """Write the patterns compiled since their files were read (atomically; errors pass)."""
    for group in list(_new):
        _keep(group)


def _keep(group: str) -> None:
    fresh = _new.pop(group, {})
    path = cache_file(group)
    if not fresh or path is None:
        return
    old = _load(group)
    kept = dict(old) if len(old) + len(fresh) <= _MOST else {}
    kept.update(fresh)
    _kept[group] = kept
    write_atomically(path, marshal.dumps(kept))


# --- what is made from the rule data -------------------------------------------------------

_SOURCES = (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent)


def _code_key() -> str:
    """A digest of the extraction code as it is on disk (each module's name, size and
    modification time): a changed module is never read from an old file."""
    hasher = hashlib.sha256(f"{sys.version}\0".encode())
    for folder in _SOURCES:
        for path in sorted(folder.glob("*.py")):
            found = path.stat()
            hasher.update(f"{path}\0{found.st_size}\0{found.st_mtime_ns}\0".encode())
    return hasher.hexdigest()


_CODE_KEY: list[str] = []


def _reduce_pattern(pattern: re.Pattern[str]) -> tuple[Any, ...]:
    return (compile, (pattern.pattern, pattern.flags))


def kept(kind: str, key: str, make: Any) -> Any:
    """Return ``make()``, read back from the cache folder when an earlier process made it
    for the same ``key`` (which must name everything it is made of besides the code).

    What is kept is pickled with its regexes as their patterns, compiled again through
    :func:`compile` when read back (so from their kept compiled form)."""
    import copyreg
    import io
    import pickle

    folder = cache_folder()
    if folder is None:
        return make()
    if not _CODE_KEY:
        _CODE_KEY.append(_code_key())
    name = hashlib.sha256(f"{_CODE_KEY[0]}\0{kind}\0{key}".encode()).hexdigest()[:24]
    path = folder / f"{kind}-{name}.pickle"
    try:
        return pickle.loads(path.read_bytes())  # written by this code into the user's own cache
    except Exception:
        pass    # none yet, or unreadable: make it
    value = make()
    try:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = {**copyreg.dispatch_table, re.Pattern: _reduce_pattern}
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError):
        return value
    write_atomically(path, buffer.getvalue())
    return value
