"""Start the ``tracker`` command, answering a plain read without loading the CLI stack.

``tracker state ... --json`` and ``tracker timeline ... --json`` on an SQLite
file whose projections are at the end of the log are answered here, and so is
``tracker state ...`` into a pipe or a file (its tab-separated lines): the driver
(sqlite3) runs the same queries as :mod:`tracker.projections.query`, and the
same fold and JSON shape follow. Click,
SQLAlchemy, Alembic and rich are never imported. Anything else - another
command or option, a time that does not parse, PostgreSQL, a database that is
new or whose schema is behind - goes to the full CLI (:func:`tracker.cli.main`), which says what is
wrong. Projections behind the log by a few new events are brought up to date here
first (:mod:`tracker.projections.lean`, plain sqlite3 too); when that path declines, the
full CLI does it.
"""

from __future__ import annotations

import sys
from typing import Any

import orjson

LOG = "log"  # the log checkpoint's name (tracker.projections.engine.LOG)
DEFAULT_STORY = "openai"  # as tracker.projections.query.DEFAULT_STORY
_GLOBAL_VALUE = {"--db"}
_GLOBAL_FLAGS = {"-q", "--quiet"}
_STATE_VALUE = {"--story", "--as-of", "--known-at"}
_VALUED = {"state": _STATE_VALUE, "timeline": {"--story", "--known-at"}}
_COLUMNS = "slot, at_us, op, value, interim, chair, sources, single_source, correction, note, seq"


def dump_json(value: Any) -> str:
    """Return stable, indented JSON text (sorted keys), as every ``--json`` prints it."""
    return orjson.dumps(
        value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    ).decode()


def _options(args: list[str], valued: set[str], flags: set[str]) -> dict[str, str] | None:
    """Split ``--opt VALUE``, ``--opt=VALUE`` and flags; None when anything else is there."""
    found: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name in valued:
            if not eq:
                if i + 1 >= len(args):
                    return None
                i += 1
                value = args[i]
            if name in found:
                return None
            found[name] = value
        elif arg in flags:
            found[arg] = ""
        else:
            return None
        i += 1
    return found


def parse_args(argv: list[str], *, piped: bool = False) -> tuple[str, dict[str, str]] | None:
    """Return the command and options of a ``[--db URL] [-q] state [--story ID]
    [--as-of T] [--known-at T] --json`` or ``[--db URL] [-q] timeline [--story ID]
    [--known-at T] --json`` command line, or None when it is anything else. ``piped``:
    the output is no terminal, so ``state`` without ``--json`` (tab-separated) qualifies too."""
    at = next((i for i, arg in enumerate(argv) if arg in _VALUED), None)
    if at is None:
        return None
    arg = argv[at]
    head = _options(argv[:at], _GLOBAL_VALUE, _GLOBAL_FLAGS)
    tail = _options(argv[at + 1:], _VALUED[arg], {"--json"})
    if head is None or tail is None or ("--json" not in tail and not (piped and arg == "state")):
        return None
    return arg, {**head, **tail}


def parse_state_args(argv: list[str]) -> dict[str, str] | None:
    """Return the options of a ``state --json`` command line (see :func:`parse_args`)."""
    found = parse_args(argv)
    return found[1] if found is not None and found[0] == "state" else None


def quick_state(options: dict[str, str]) -> str | None:
    """Return the ``state --json`` document, or None when the full path must answer."""
    return quick("state", options)


def quick(command: str, options: dict[str, str]) -> str | None:
    """Return the ``--json`` document of a ``state`` or ``timeline`` command (without
    ``--json``, the state's tab-separated lines), or None when the full path must answer."""
    from tracker import db
    from tracker.errors import InputError
    from tracker.timeutil import parse_instant, to_micros

    try:
        as_of = parse_instant(options["--as-of"]) if "--as-of" in options else None
        known_at = parse_instant(options["--known-at"]) if "--known-at" in options else None
    except InputError:
        return None
    answer = _state if command == "state" else _timeline
    for attempt in range(2):
        conn = db.read_connection(options.get("--db"))
        if conn is None:
            return None
        try:
            found = answer(conn, options.get("--story"),
                           None if as_of is None else to_micros(as_of),
                           None if known_at is None else to_micros(known_at), "--json" in options)
        except Exception:  # any surprise: the full path answers, with its own errors
            return None
        finally:
            conn.close()
        if found is not None or attempt or not _catch_up(options.get("--db")):
            return found
    return None


def _catch_up(url: str | None) -> bool:
    """Take the log's new events into the projections here, when few and plain enough
    (see :mod:`tracker.projections.lean`); True when that was done."""
    from tracker import db
    from tracker.projections import lean

    path = db.sqlite_file(url)
    try:
        return path is not None and lean.catch_up(path)
    except Exception:  # any surprise: the full path brings them up to date, or says why not
        return False


def _fresh_story(conn: Any, story_id: str | None, known_at_us: int | None) -> Any:
    """Return the story asked for when its stored projection answers for it (a read
    transaction is then open), else None."""
    from tracker.projections.catalog import current_stories
    from tracker.projections.versions import log_version, transitions_version

    stories = current_stories()
    if story_id is None:
        story_id = next(iter(stories)) if len(stories) == 1 else DEFAULT_STORY
    story = stories.get(story_id)
    if story is None:
        return None
    conn.execute("BEGIN")  # one snapshot for the checks and the rows
    marks = {name: (position, version) for name, position, version in
             conn.execute("SELECT name, position, version FROM projection_checkpoints")}
    last = int(conn.execute("SELECT max(position) FROM events").fetchone()[0] or 0)
    wanted = {LOG: log_version(stories.values())}
    wanted.update({f"transitions:{s.id}": transitions_version(s) for s in stories.values()})
    if any(marks.get(name) != (last, version) for name, version in wanted.items()):
        return None  # the projections are behind the log or out of date: update them first
    if known_at_us is not None:
        prefix = conn.execute(
            "SELECT max(position) FROM events WHERE recorded_at <= ?", (known_at_us,)
        ).fetchone()[0]
        if int(prefix or 0) < last:
            return None  # an earlier prefix of the log is resolved afresh
    return story


def _transition(story_id: str, row: Any) -> Any:
    from tracker.projections import rows

    interim = None if row[4] is None else bool(row[4])  # SQLite keeps 0/1
    return rows.transition_from_row(story_id, (*row[:4], interim, *row[5:]))


def _timeline(conn: Any, story_id: str | None, as_of_us: int | None,
              known_at_us: int | None, as_json: bool) -> str | None:
    from tracker.projections import present

    story = _fresh_story(conn, story_id, known_at_us)
    if story is None:
        return None
    found = conn.execute(f"SELECT {_COLUMNS} FROM proj_transitions WHERE story = ? ORDER BY seq",
                         (story.id,)).fetchall()
    conn.execute("COMMIT")
    return dump_json([present.transition_json(_transition(story.id, row)) for row in found])


def _state(conn: Any, story_id: str | None, as_of_us: int | None,
           known_at_us: int | None, as_json: bool) -> str | None:
    from tracker.projections import present
    from tracker.projections.slots import slot_specs
    from tracker.stories import state as fold

    story = _fresh_story(conn, story_id, known_at_us)
    if story is None:
        return None
    found = []
    query = (f"SELECT {_COLUMNS} FROM proj_transitions WHERE story = ? AND slot = ? AND at_us <= ? "
             "ORDER BY at_us DESC, seq DESC LIMIT 1")
    for slot in slot_specs(story):
        params = (story.id, slot, fold.until(as_of_us))     # "now": no change dated later yet
        row = conn.execute(query, params).fetchone()
        if row is not None:
            found.append((row[-1], _transition(story.id, row)))
    conn.execute("COMMIT")
    transitions = [t for _, t in sorted(found, key=lambda pair: pair[0])]
    result = fold.state_at(story, transitions, as_of_us, known_at_us)
    return dump_json(present.state_json(result)) if as_json else present.state_text(result).rstrip("\n")


def main(argv: list[str] | None = None) -> None:
    """Run ``tracker``: a plain read here when it qualifies, else the full CLI."""
    args = sys.argv[1:] if argv is None else argv
    found = parse_args(args, piped=not sys.stdout.isatty())
    if found is not None:
        text = quick(*found)
        if text is not None:
            try:
                sys.stdout.write(text + "\n")
                sys.stdout.flush()
            except BrokenPipeError:
                raise SystemExit(0) from None
            raise SystemExit(0)
    from tracker.cli import main as full

    full(argv)
