"""Write notifications into the outbox, in the transaction that accepts the transitions.

A change's identity is its story, slot, op, value and time (``change_key``).
:func:`record` compares a story's newly resolved transitions with the changes
already announced (``alert_changes``):

* a transition not announced yet becomes ``accepted`` and gets a ``changed``
  notification for every matching target;
* an announced change missing from the new transitions (a correction, new
  evidence or a rejection reversed it) becomes ``retracted`` and gets a
  ``retracted`` notification;
* a transition announced before, and still there, writes nothing: replays and
  rebuilds that recompute the same transitions send nothing new.

The idempotency key of a notification is ``sha256(change_key, kind, generation)``
(hex, 64 characters): the same for every attempt and every replay, different for
a change retracted then accepted again. Each outbox row is unique on (target, key).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tracker.alerts import tables
from tracker.timeutil import from_micros, isoformat

CHANGED, RETRACTED = "changed", "retracted"
ACCEPTED = "accepted"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def now_us() -> int:
    """Return the wall-clock time in microseconds since the epoch."""
    return time.time_ns() // 1000


def change_key(story: str, slot: str, op: str, value: str, at_us: int) -> str:
    """Return the stable identity of a change (``value`` as the stored JSON text)."""
    text = "\x1f".join((story, slot, op, value, str(at_us)))
    return hashlib.sha256(text.encode()).hexdigest()


def idempotency_key(key: str, kind: str, generation: int) -> str:
    """Return the idempotency key of one notification about a change."""
    return hashlib.sha256(f"{key}\x1f{kind}\x1f{generation}".encode()).hexdigest()


def _iso(micros: int) -> str:
    return isoformat(from_micros(micros)) or ""


def _payload(row: Mapping[str, Any], kind: str, ikey: str, at: int) -> dict[str, Any]:
    """Return the JSON body of a notification about a transition row."""
    sources = orjson.loads(row["sources"]) if row.get("sources") else []
    first = min(sources, key=lambda s: (s["published_us"], s["publisher"]), default=None)
    return {
        "idempotency_key": ikey,
        "event": kind,
        "story": row["story"],
        "slot": row["slot"],
        "op": row["op"],
        "value": orjson.loads(row["value"]),
        "at": _iso(row["at_us"]),
        "interim": row.get("interim"),
        "chair": row.get("chair"),
        "correction": bool(row.get("correction")),
        "publishers": sorted({s["publisher"] for s in sources}),
        "first_source": first["link"] if first else None,
        "sources": len(sources),
        # A decided change reported ahead of its day ("takes effect 2 January"): told when it is
        # accepted, as the news it is, with the day it takes effect.
        "scheduled": first is not None and row["at_us"] > first["published_us"],
        "note": row.get("note"),
        ("retracted_at" if kind == RETRACTED else "accepted_at"): _iso(at),
    }


def _matching(conn: Connection, story: str) -> list[tuple[int, frozenset[str] | None]]:
    """Return the targets that follow a story: (id, slots or None for every slot)."""
    t = tables.targets
    query = sa.select(t.c.id, t.c.slots).where(sa.or_(t.c.story.is_(None), t.c.story == story))
    return [
        (row[0], frozenset(orjson.loads(row[1])) if row[1] else None)
        for row in conn.execute(query.order_by(t.c.id))
    ]


def record(conn: Connection, story: str, accepted: Sequence[Mapping[str, Any]]) -> int:
    """Note a story's newly resolved transition rows; return the notifications written.

    Called by the projection engine inside the transaction that stores the rows,
    so the outbox holds a notification exactly when the transition is stored.
    """
    targets = _matching(conn, story)
    if not targets:
        # Nobody to tell: nothing to remember either. A target added later is told of
        # changes from then on (``baseline``, which also settles what no longer stands).
        return 0
    c = tables.changes
    at = now_us()
    known = {
        row[0]: (row[1], row[2])
        for row in conn.execute(
            sa.select(c.c.key, c.c.state, c.c.generation).where(c.c.story == story)
        )
    }
    notes: list[dict[str, Any]] = []
    fresh: dict[str, Mapping[str, Any]] = {}
    for row in accepted:
        key = change_key(story, row["slot"], row["op"], row["value"], row["at_us"])
        fresh.setdefault(key, row)
    added: list[dict[str, Any]] = []
    for key, row in fresh.items():
        before = known.get(key)
        if before is not None and before[0] == ACCEPTED:
            continue
        generation = 0 if before is None else before[1] + 1
        values = {"state": ACCEPTED, "generation": generation, "changed_us": at}
        if before is None:
            added.append({"key": key, "story": story, "slot": row["slot"], "op": row["op"],
                          "value": row["value"], "at_us": row["at_us"], **values})
        else:
            conn.execute(c.update().where(c.c.key == key).values(**values))
        notes += _notes(targets, row, key, CHANGED, generation, at)
    if added:
        conn.execute(c.insert(), added)
    gone = [k for k, (state, _) in known.items() if state == ACCEPTED and k not in fresh]
    if gone:
        _retract(conn, story, gone, targets, at, notes)
    if notes:
        conn.execute(tables.outbox.insert(), notes)
    return len(notes)


def _retract(
    conn: Connection, story: str, keys: list[str],
    targets: list[tuple[int, frozenset[str] | None]], at: int, notes: list[dict[str, Any]],
) -> None:
    """Mark announced changes retracted and queue their follow-ups.

    A follow-up repeats what the announcement said (publishers, first source)."""
    c = tables.changes
    found = conn.execute(
        sa.select(c.c.key, c.c.slot, c.c.op, c.c.value, c.c.at_us, c.c.generation)
        .where(c.c.key.in_(keys))
    ).all()
    said = _announced(conn, keys)
    for key, slot, op, value, at_us, generation in found:
        conn.execute(c.update().where(c.c.key == key).values(state=RETRACTED, changed_us=at))
        row = {"story": story, "slot": slot, "op": op, "value": value, "at_us": at_us}
        notes += _notes(targets, row, key, RETRACTED, generation, at, said.get(key))


def _announced(conn: Connection, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Return the last ``changed`` body written for each change."""
    o = tables.outbox
    query = sa.select(o.c.change_key, o.c.payload).where(
        o.c.change_key.in_(list(keys)), o.c.kind == CHANGED
    ).order_by(o.c.id)
    return {key: orjson.loads(payload) for key, payload in conn.execute(query)}


def _notes(
    targets: list[tuple[int, frozenset[str] | None]], row: Mapping[str, Any], key: str,
    kind: str, generation: int, at: int, said: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    ikey = idempotency_key(key, kind, generation)
    data = _payload(row, kind, ikey, at)
    if said is not None:
        for field in ("interim", "chair", "correction", "publishers", "first_source", "sources"):
            data[field] = said.get(field, data[field])
    body = orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
    return [
        {
            "target_id": target, "idempotency_key": ikey, "change_key": key, "kind": kind,
            "payload": body, "created_us": at, "status": PENDING, "attempts": 0,
            "next_attempt_us": at, "leased_until_us": None, "delivered_us": None,
        }
        for target, slots in targets
        if slots is None or row["slot"] in slots
    ]


def baseline(conn: Connection) -> int:
    """Mark every stored transition as announced (without notifying); return how many.

    ``tracker alerts add`` calls it, so a new target hears of changes from then
    on, not of the whole history already projected; and an announced change that no
    longer stands (reversed while nobody was listening) is settled as retracted,
    silently, so the new target is never told a retraction of what it never heard.
    """
    from tracker.projections import tables as projection

    t, c = projection.transitions, tables.changes
    have = {row[0]: row[1] for row in conn.execute(sa.select(c.c.key, c.c.state))}
    at = now_us()
    added = []
    standing: set[str] = set()
    for story, slot, op, value, at_us in conn.execute(
        sa.select(t.c.story, t.c.slot, t.c.op, t.c.value, t.c.at_us)
    ):
        key = change_key(story, slot, op, value, at_us)
        standing.add(key)
        if key in have:
            continue
        have[key] = ACCEPTED
        added.append({"key": key, "story": story, "slot": slot, "op": op, "value": value,
                      "at_us": at_us, "state": ACCEPTED, "generation": 0, "changed_us": at})
    if added:
        conn.execute(c.insert(), added)
    stale = [key for key, state in have.items() if state == ACCEPTED and key not in standing]
    back = [key for key in standing if have.get(key) == RETRACTED]  # reversed, then back again
    for keys, values in ((stale, {"state": RETRACTED}),
                         (back, {"state": ACCEPTED, "generation": c.c.generation + 1})):
        for start in range(0, len(keys), 500):
            conn.execute(c.update().where(c.c.key.in_(keys[start:start + 500]))
                         .values(changed_us=at, **values))
    return len(added)
