"""Resolve a story's transitions again only from where new evidence can reach.

A full resolution (:func:`full`) also returns what a later, partial one needs, kept
as projections beside the transitions: the horizon (latest recorded time) and the
holders of single slots; every accepted operation before corrections, one per
window (its key, the window's first time, its time of change, its reports by evidence
position); and the syndication group of every mark (link, title, summary opening)
and its first holder.

:func:`incremental` then takes new articles and corrections (anything else -- a
revision, a rejection, a new holder, a copy joining two known groups into one --
returns None: resolve the whole story). A copy of one known group joins it: the
groups of the known reports stay as they are. A correction changes no walk, only
the fold from W before it. Keys interact only through the reports' times
(contradictions), the horizon and the groups; an operation key's walk is redone
from the earliest window start a new report can change:

* its own asserted report at ``p`` changes the windows starting from ``p - W``;
* an asserted report of a conflicting key, or a negated report of its own, at
  ``p`` changes the single-source checks of windows starting from ``p - Q``,
  which apply only while the key has not been accepted yet;
* a later horizon changes the single-source checks of windows starting after
  ``H - Q`` (again only before the key's first acceptance).

Windows starting earlier see the same reports and verdicts, so the walk up to there
is unchanged and resumes after the last accepted window before it. Only the reports
published from the earliest of these instants minus the lookback are read. The
fold is then redone from the earliest instant any key was redone from, starting
from each slot's value in the last transition before it. The result is the full
resolution's, row for row (``tests/test_resolution.py`` checks it).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from tracker.db import Sql, flag, sql_of
from tracker.projections import checkpoints, load, rows
from tracker.stories import corroborate as c
from tracker.stories.definition import StoryDefinition
from tracker.stories.refine import ever_set
from tracker.stories.spec import StoryModel, model_of
from tracker.stories.state import Held, baseline_held
from tracker.types import Article, Claim, Correction, Source, Transition

AMBIGUOUS = 0  # the group of a mark hash two marks of different groups share
_NEVER = 1 << 62

Key = c.Key

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# The reads and writes are SQL text on the driver's cursor (tracker.db.Sql): the same code
# serves the engine (an SQLAlchemy connection) and a catch-up over plain sqlite3
# (tracker.projections.lean). Boolean columns are read back as SQLAlchemy gives them.
_TRANSITION_COLUMNS = ("story", "seq", "slot", "at_us", "op", "value", "interim", "chair", "sources",
                       "single_source", "correction", "note")


def mark_hash(mark: str) -> int:
    """Return a mark's 64-bit hash (signed, as the databases store integers)."""
    return int.from_bytes(hashlib.blake2b(mark.encode(), digest_size=8).digest(), "big", signed=True)


def _valid_marks(article: Article) -> list[str]:
    return [m for m in c._marks(article) if len(m) >= 12]


def _key_json(key: Key) -> list[Any]:
    return [key[0], key[1], key[2]]


def _key_of(slot: str, op: str, value: Any) -> Key:
    return (slot, op, tuple(value) if isinstance(value, list) else value)


@dataclass
class Update:
    """What to write for one story: everything (``keep`` None) or a tail."""

    story: str
    transitions: list[dict[str, Any]]
    ops: list[dict[str, Any]]
    marks: list[dict[str, Any]]
    meta: dict[str, Any] | None
    keep: int | None = None            # transitions kept (seq below it); None: replace all
    redone: list[tuple[Key, int]] = field(default_factory=list)  # ops dropped from a start on
    moved: list[dict[str, Any]] = field(default_factory=list)  # marks with an earlier holder

    def write(self, conn: Connection | Sql, listening: bool) -> list[dict[str, Any]] | None:
        """Write the rows; return every transition row when ``listening`` (for the outbox)."""
        sql = sql_of(conn)
        story = self.story
        if self.keep is None:
            for table in ("proj_transitions", "proj_accepted", "proj_marks", "proj_resolution"):
                sql.run(f"DELETE FROM {table} WHERE story = ?", (story,))
        else:
            if self.keep != _NEVER:
                sql.run("DELETE FROM proj_transitions WHERE story = ? AND seq >= ?", (story, self.keep))
            for key, start in self.redone:
                sql.run("DELETE FROM proj_accepted WHERE story = ? AND slot = ? AND op = ? AND value = ? "
                        "AND start_us >= ?", (story, key[0], key[1], rows.dump(key[2]), start))
            if self.meta is not None:
                sql.run("DELETE FROM proj_resolution WHERE story = ?", (story,))
            if self.moved:
                moved = [x["mark"] for x in self.moved]
                sql.run(f"DELETE FROM proj_marks WHERE story = ? AND mark IN ({', '.join('?' * len(moved))})",
                        (story, *moved))
                sql.insert("proj_marks", self.moved)
        for table, items in (("proj_transitions", self.transitions), ("proj_accepted", self.ops),
                             ("proj_marks", self.marks)):
            sql.insert(table, items)
        if self.meta is not None:
            sql.insert("proj_resolution", [self.meta])
        if not listening or self.keep == _NEVER:
            return None  # nobody to tell, or the transitions did not change
        if self.keep is None:
            return self.transitions
        found = sql.rows(f"SELECT {', '.join(_TRANSITION_COLUMNS)} FROM proj_transitions "
                         "WHERE story = ? AND seq < ? ORDER BY seq", (story, self.keep))
        kept = []
        for row in found:
            item = dict(zip(_TRANSITION_COLUMNS, row, strict=True))
            item["interim"] = flag(item["interim"])
            item["single_source"], item["correction"] = bool(item["single_source"]), bool(item["correction"])
            kept.append(item)
        return kept + self.transitions


def _op_row(story: str, op: c._Op) -> dict[str, Any]:
    return {
        "story": story, "slot": op.slot, "op": op.op, "value": rows.dump(op.value),
        "start_us": op.window[0].article.published_us, "at_us": op.at_us,
        "interim": op.interim, "single_source": bool(op.single_source),
        "reports": orjson.dumps([s.article.position for s in op.window]).decode(),
        "note": op.note,
    }


def _meta(story: str, horizon: int, holders: dict[str, set[str]], firsts: dict[Key, int]) -> dict[str, Any]:
    return {
        "story": story, "horizon": horizon,
        "holders": rows.dump({slot: sorted(names) for slot, names in holders.items()}),
        "firsts": rows.dump(sorted(([*_key_json(k), s] for k, s in firsts.items()), key=repr)),
    }


def _transition_rows(story: str, items: Sequence[Transition], first: int) -> list[dict[str, Any]]:
    found = rows.transition_rows(story, items)
    for row in found:
        row["seq"] += first
    return found


def full(
    story: StoryDefinition,
    evidence: Sequence[tuple[Article, Sequence[Claim]]],
    corrections: Sequence[Correction],
) -> Update:
    """Resolve a story over all of its evidence (as ``corroborate.resolve``) and return
    its transitions with what a later partial resolution needs."""
    model = model_of(story)
    articles = [article for article, _ in evidence]
    units, rank, groups = c._syndication(articles)
    holders = ever_set(model, evidence)
    grouped = c._supports(model, evidence, (units, rank), holders)
    ops = c._accepted(model, evidence, grouped)
    mine = [x for x in corrections if x.story == story.id]
    transitions = c.fold(model, story.id, c._corrected(model, ops, mine), baseline_held(model))
    labels: dict[int, tuple[int, int]] = {}
    for mark, (unit, holder) in groups.items():
        hashed = mark_hash(mark)
        label = (articles[unit].position, articles[holder].position)
        if labels.setdefault(hashed, label)[0] != label[0]:
            labels[hashed] = (AMBIGUOUS, label[1])
    firsts: dict[Key, int] = {}
    for op in ops:
        firsts.setdefault((op.slot, op.op, op.value), op.window[0].article.published_us)
    horizon = max((a.recorded_us for a in articles), default=0)
    return Update(
        story.id,
        rows.transition_rows(story.id, transitions),
        [_op_row(story.id, op) for op in ops],
        [{"story": story.id, "mark": h, "unit": u, "holder": p} for h, (u, p) in labels.items()],
        _meta(story.id, horizon, holders, firsts),
    )


def _groups_of(sql: Sql, story_id: str, hashes: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Return the saved group and first holder of some mark hashes."""
    query = "SELECT mark, unit, holder FROM proj_marks WHERE story = ? AND mark IN ({})"
    return {h: (u, p) for h, u, p in sql.rows_in(query, (story_id,), list(dict.fromkeys(hashes)))}


def _articles(sql: Sql, story_id: str, positions: set[int]) -> dict[int, Article]:
    query = ("SELECT position, article_id, publisher, link, title, summary, language, published_us, "
             "recorded_us, content_hash, stories FROM proj_evidence WHERE story = ? AND position IN ({})")
    return {row[0]: rows.article_from_row(row) for row in sql.rows_in(query, (story_id,), sorted(positions))}


Joined = tuple[dict[int, int], list[dict[str, Any]], list[dict[str, Any]]]


def _join(sql: Sql, story_id: str, new: Sequence[tuple[Article, Sequence[Claim]]]) -> Joined | None:
    """Group new articles with the known groups they are copies of (a shared mark).

    Return each new article's group (by position), the marks to add and the marks whose
    first holder is now a new article; None when they would join two known groups into
    one (every report of both would count differently), or a mark's hash is ambiguous
    or not the saved mark's."""
    marks = {article.position: _valid_marks(article) for article, _ in new}
    saved = _groups_of(sql, story_id, [mark_hash(m) for found in marks.values() for m in found])
    holders = _articles(sql, story_id, {holder for _, holder in saved.values()})
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(x: tuple[int, int]) -> tuple[int, int]:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    seen: dict[str, tuple[int, int]] = {}
    for article, _ in new:
        node = find((1, article.position))
        for mark in marks[article.position]:
            hashed = mark_hash(mark)
            if hashed in saved:
                unit, holder = saved[hashed]
                if unit == AMBIGUOUS or holder not in holders or mark not in _valid_marks(holders[holder]):
                    return None
                other = find((0, unit))
            else:
                other = find(seen.setdefault(mark, node))
            if other != node:
                if other[0] == 0 and node[0] == 0:
                    return None  # two known groups become one
                parent[max(node, other)] = min(node, other)  # a known group (0, ...) wins
                node = find(node)
    units = {}
    for article, _ in new:
        root = find((1, article.position))
        units[article.position] = root[1]
    time_order = {a.position: (a.published_us, a.article_id) for a, _ in new}
    added: dict[int, dict[str, Any]] = {}
    moved: list[dict[str, Any]] = []
    for article, _ in sorted(new, key=lambda pair: time_order[pair[0].position]):
        for mark in marks[article.position]:
            hashed = mark_hash(mark)
            unit = units[article.position]
            if hashed in saved:
                first = holders[saved[hashed][1]]
                if (article.published_us, article.article_id) < (first.published_us, first.article_id):
                    saved[hashed] = (saved[hashed][0], article.position)
                    holders[article.position] = article
                    moved.append({"story": story_id, "mark": hashed, "unit": saved[hashed][0],
                                  "holder": article.position})
            elif hashed not in added:
                added[hashed] = {"story": story_id, "mark": hashed, "unit": unit, "holder": article.position}
    return units, list(added.values()), moved


def incremental(
    conn: Connection | Sql, story: StoryDefinition, since: int, corrections: Sequence[Correction]
) -> Update | None:
    """Resolve a story again after new articles only (see the module's docstring);
    None when the change is not only new articles, or the saved state is missing."""
    sql = sql_of(conn)
    if checkpoints.revised_or_rejected_since(sql, story.id, since):
        return None
    meta = sql.first("SELECT horizon, holders, firsts FROM proj_resolution WHERE story = ?", (story.id,))
    if meta is None:
        return None
    model = model_of(story)
    rules = model.corroboration
    W, Q, L = rules.window_us, rules.quiet_us, rules.lookback_us
    base = model.baseline.as_of_us
    horizon = int(meta[0])
    holders = {slot: set(names) for slot, names in orjson.loads(meta[1]).items()}
    firsts: dict[Key, int] = {_key_of(*item[:3]): item[3] for item in orjson.loads(meta[2])}

    new = load.load_evidence(sql, story.id, after=since)
    # A correction silences the reports within W of it: the fold is redone from there.
    fixed = [x for x in corrections if x.story == story.id and x.position > since]
    refold = min((x.at_us - W for x in fixed), default=_NEVER)
    if not new and refold == _NEVER:
        return Update(story.id, [], [], [], None, keep=_NEVER)
    # A new holder changes which removals count, anywhere in time.
    for _, claims in new:
        for claim in claims:
            if claim.op == "set" and claim.factuality == "asserted" and isinstance(claim.value, str) \
                    and claim.slot in holders and claim.value not in holders[claim.slot]:
                return None
    joined = _join(sql, story.id, new)
    if joined is None:
        return None
    new_units, new_marks, moved = joined
    fresh = {article.position for article, _ in new}
    later = max(horizon, max((article.recorded_us for article, _ in new), default=horizon))

    ranks = list(range(len(new)))
    grouped_new = c._supports(model, new, (ranks, ranks), holders)
    starts: dict[Key, int] = {}
    bands: list[tuple[int, str, Key | None]] = []
    for key, supports in grouped_new.items():
        for s in supports:
            p = s.article.published_us
            if s.claim.factuality == "asserted":
                if p >= base:
                    starts[key] = min(starts.get(key, _NEVER), p - W)
                bands.append((p - Q, "conflicts", key))
            elif s.claim.factuality == "negated":
                bands.append((p - Q, "self", key))
    if later > horizon:
        bands.append((horizon - Q + 1, "all", None))
    meta_row = _meta(story.id, later, holders, firsts)
    if not starts and not bands and refold == _NEVER:
        return Update(story.id, [], [], new_marks, meta_row, keep=_NEVER, moved=moved)

    earliest = min([*starts.values(), *(b[0] for b in bands)], default=_NEVER)
    window = [] if earliest == _NEVER else load.load_evidence(sql, story.id, published_from=earliest - L - 1)
    known = [i for i, (article, _) in enumerate(window) if article.position not in fresh]
    wanted = {i: _valid_marks(window[i][0]) for i in known}
    groups = _groups_of(sql, story.id, [mark_hash(m) for marks in wanted.values() for m in marks])
    units = [new_units.get(article.position, article.position) for article, _ in window]
    for i, marks in wanted.items():
        labels = {groups[h][0] if h in groups else None for h in map(mark_hash, marks)} - {AMBIGUOUS}
        if marks and (len(labels) != 1 or None in labels):
            return None  # every mark's hash ambiguous, or a mark not saved
        for label in labels:
            units[i] = label  # type: ignore[assignment]
    order = sorted(range(len(window)), key=lambda i: (window[i][0].published_us, window[i][0].article_id))
    rank = [0] * len(window)
    for place, index in enumerate(order):
        rank[index] = place
    grouped = c._supports(model, window, (units, rank), holders)
    asserted_at = c._times(grouped, "asserted")
    negated_at = c._times(grouped, "negated")

    redone: dict[Key, tuple[int, list[c._Op]]] = {}
    for key in sorted(set(grouped) | set(starts), key=repr):
        start = starts.get(key, _NEVER)
        for lo, kind, other in bands:
            applies = kind == "all" or (kind == "self" and other == key) or (
                kind == "conflicts" and other is not None and c._conflicts(model, other, key))
            if applies and firsts.get(key, _NEVER) >= lo:
                start = min(start, lo)
        if start == _NEVER:
            continue
        asserted = c._asserted(model, grouped.get(key, []))
        times = [s.article.published_us for s in asserted]
        prev = sql.scalar(
            "SELECT start_us FROM proj_accepted WHERE story = ? AND slot = ? AND op = ? AND value = ? "
            "AND start_us < ? ORDER BY start_us DESC LIMIT 1", (story.id, key[0], key[1], rows.dump(key[2]), start))
        if prev is not None and prev + W >= start:
            i = bisect_right(times, prev + W)
        else:
            i = bisect_left(times, start)
        repeat = firsts.get(key, _NEVER) < start
        redone[key] = (start, c._walk(model, key, asserted[i:], repeat, later, asserted_at, negated_at))
        if not repeat:
            ops = redone[key][1]
            if ops:
                firsts[key] = ops[0].window[0].article.published_us
            else:
                firsts.pop(key, None)
    meta_row = _meta(story.id, later, holders, firsts)
    new_ops = [_op_row(story.id, op) for _, ops in redone.values() for op in ops]
    if not redone and refold == _NEVER:
        return Update(story.id, [], [], new_marks, meta_row, keep=_NEVER, moved=moved)

    since_us = min([refold, *(start for start, _ in redone.values())])
    tail: list[tuple[str, int, c._Op]] = []
    query = ("SELECT slot, op, value, start_us, at_us, interim, single_source, reports, note "
             "FROM proj_accepted WHERE story = ? AND at_us >= ?")
    stored = []
    for slot, op, value, start_us, at_us, interim, single, positions, note in sql.rows(query, (story.id, since_us)):
        key = (slot, op, rows.load_value(value))
        if key not in redone or start_us < redone[key][0]:
            stored.append((key, start_us, at_us, flag(interim), bool(single), orjson.loads(positions), note))
    sources = _sources(sql, model, story.id, [p for item in stored for p in item[5]])
    for key, start_us, at_us, interim, single, positions, note in stored:
        found = tuple(sources[p] for p in positions)
        tail.append((repr(key), start_us, c._Op(at_us, key[0], key[1], key[2], interim, found, single,
                                                note=note)))
    for key, (_, ops) in redone.items():
        tail += [(repr(key), op.window[0].article.published_us, op) for op in ops]
    tail.sort(key=lambda item: (item[0], item[1]))
    mine = [x for x in corrections if x.story == story.id]
    kept = [op for op in c._corrected(model, [item[2] for item in tail], mine)
            if not op.correction or op.at_us >= since_us]

    held = _held_before(sql, model, story.id, since_us)
    # Transitions are in time order: those before the instant are the first ``keep``.
    keep = sql.scalar("SELECT min(seq) FROM proj_transitions WHERE story = ? AND at_us >= ?", (story.id, since_us))
    if keep is None:
        last = sql.scalar("SELECT max(seq) FROM proj_transitions WHERE story = ?", (story.id,))
        keep = 0 if last is None else last + 1
    transitions = c.fold(model, story.id, kept, held)
    return Update(
        story.id, _transition_rows(story.id, transitions, keep), new_ops, new_marks, meta_row,
        keep=keep, redone=[(key, start) for key, (start, _) in redone.items()], moved=moved,
    )


def _sources(sql: Sql, model: StoryModel, story_id: str, positions: Sequence[int]) -> dict[int, Source]:
    """Return the sources of accepted windows' reports (all asserted) by evidence position."""
    authorities = model.corroboration.authoritative
    query = ("SELECT position, article_id, publisher, published_us, link, title FROM proj_evidence "
             "WHERE story = ? AND position IN ({})")
    return {position: Source(article_id, publisher, published_us, link, title, "asserted",
                             c._is_authority(publisher, authorities))
            for position, article_id, publisher, published_us, link, title
            in sql.rows_in(query, (story_id,), sorted(set(positions)))}


def _held_before(sql: Sql, model: StoryModel, story_id: str, at_us: int) -> dict[str, Held]:
    """Return every slot's value as the last transition before an instant left it."""
    held = baseline_held(model)
    for slot in held:
        row = sql.first(
            "SELECT value, interim, chair FROM proj_transitions WHERE story = ? AND slot = ? AND at_us < ? "
            "ORDER BY at_us DESC, seq DESC LIMIT 1", (story_id, slot, at_us))
        if row is not None:
            held[slot] = Held(rows.load_value(row[0]), flag(row[1]), row[2])
    return held


def listening(conn: Connection, story_id: str) -> bool:
    """Whether an alert target follows the story (its outbox needs every transition)."""
    from tracker.alerts import outbox as alert_outbox

    return bool(alert_outbox._matching(conn, story_id))

