"""Read the delivery history: notifications, newest first, with their attempts."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.alerts import tables
from tracker.alerts.targets import by_name
from tracker.timeutil import from_micros, isoformat


def _iso(micros: int | None) -> str | None:
    return None if micros is None else isoformat(from_micros(micros))


def recent(engine: Engine, target_name: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Return the newest notifications (of one target, by name) as JSON-ready dicts."""
    o, t, a = tables.outbox, tables.targets, tables.attempts
    query = sa.select(
        o.c.id, t.c.name, o.c.kind, o.c.payload, o.c.status, o.c.created_us, o.c.delivered_us,
        o.c.next_attempt_us, o.c.idempotency_key,
    ).join(t, t.c.id == o.c.target_id)
    if target_name is not None:
        query = query.where(o.c.target_id == by_name(engine, target_name).id)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(o.c.id.desc()).limit(limit)).all()
        ids = [r[0] for r in rows]
        tries: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        if ids:
            for outbox_id, at_us, ok, detail, took in conn.execute(
                sa.select(a.c.outbox_id, a.c.at_us, a.c.ok, a.c.detail, a.c.duration_ms)
                .where(a.c.outbox_id.in_(ids)).order_by(a.c.id)
            ):
                tries[outbox_id].append({"at": _iso(at_us), "ok": bool(ok), "detail": detail,
                                         "duration_ms": took})
    out = []
    for oid, name, kind, payload, status, created, delivered, due, key in rows:
        data = orjson.loads(payload)
        out.append({
            "id": oid, "target": name, "kind": kind, "story": data["story"], "slot": data["slot"],
            "op": data["op"], "value": data["value"], "at": data["at"], "status": status,
            "created": _iso(created), "delivered": _iso(delivered),
            "next_attempt": _iso(due) if status == "pending" else None,
            "idempotency_key": key, "attempts": tries[oid],
        })
    return out
