"""Manage alert targets: add, remove, list (the library side of ``tracker alerts``)."""

from __future__ import annotations

import secrets
import shlex
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.alerts import outbox, tables
from tracker.errors import InputError, StorageError
from tracker.eventlog.sql import first_line

KINDS = ("webhook", "command", "apprise")


@dataclass(frozen=True, slots=True)
class Target:
    """Where notifications go, and which changes it follows."""

    id: int
    name: str
    kind: str
    address: str
    secret: str | None
    story: str | None
    slots: tuple[str, ...] | None


def _check(kind: str, address: str) -> None:
    if kind not in KINDS:
        raise InputError(f"unknown target kind {kind!r} (choose from {', '.join(KINDS)})")
    if kind == "webhook":
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"a webhook needs an http(s) URL, not {address!r}")
    elif kind == "command":
        try:
            if not shlex.split(address):
                raise InputError("a command target needs a command line")
        except ValueError as exc:
            raise InputError(f"cannot read the command line {address!r}: {exc}") from None
    elif "://" not in address:
        raise InputError(f"an apprise target needs a service URL (e.g. ntfy://topic), not {address!r}")


def add(
    engine: Engine, name: str, kind: str, address: str, *, story: str | None = None,
    slots: tuple[str, ...] = (), secret: str | None = None,
) -> Target:
    """Add a target; it hears of changes accepted from now on. A webhook gets a secret."""
    _check(kind, address)
    if kind == "webhook" and secret is None:
        secret = secrets.token_hex(32)
    t = tables.targets
    try:
        with engine.connect().execution_options(write=True) as conn, conn.begin():
            if conn.execute(sa.select(t.c.id).where(t.c.name == name)).first() is not None:
                raise InputError(f"a target named {name!r} exists already")
            outbox.baseline(conn)
            inserted = conn.execute(t.insert().values(
                name=name, kind=kind, address=address, secret=secret, story=story,
                slots=orjson.dumps(sorted(slots)).decode() if slots else None,
                created_us=outbox.now_us(),
            )).inserted_primary_key
            new_id = inserted[0] if inserted is not None else 0
    except sa.exc.DBAPIError as exc:
        raise StorageError(f"cannot add the target: {first_line(exc)}") from None
    return Target(int(new_id), name, kind, address, secret, story, tuple(sorted(slots)) or None)


def remove(engine: Engine, name: str) -> int:
    """Remove a target and its undelivered notifications; return its id."""
    t = tables.targets
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        row = conn.execute(sa.select(t.c.id).where(t.c.name == name)).first()
        if row is None:
            raise InputError(f"no target named {name!r}")
        ids = sa.select(tables.outbox.c.id).where(tables.outbox.c.target_id == row[0])
        conn.execute(tables.attempts.delete().where(tables.attempts.c.outbox_id.in_(ids)))
        conn.execute(tables.outbox.delete().where(tables.outbox.c.target_id == row[0]))
        conn.execute(t.delete().where(t.c.id == row[0]))
    return int(row[0])


def _target(row: Any) -> Target:
    slots = tuple(orjson.loads(row[6])) if row[6] else None
    return Target(int(row[0]), row[1], row[2], row[3], row[4], row[5], slots)


_COLUMNS = (
    tables.targets.c.id, tables.targets.c.name, tables.targets.c.kind, tables.targets.c.address,
    tables.targets.c.secret, tables.targets.c.story, tables.targets.c.slots,
)


def all_targets(engine: Engine) -> list[Target]:
    """Return every target, oldest first."""
    with engine.connect() as conn:
        return [_target(r) for r in conn.execute(sa.select(*_COLUMNS).order_by(tables.targets.c.id))]


def by_name(engine: Engine, name: str) -> Target:
    """Return one target (InputError when there is none of that name)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(*_COLUMNS).where(tables.targets.c.name == name)).first()
    if row is None:
        raise InputError(f"no target named {name!r}")
    return _target(row)


def by_id(engine: Engine, target_id: int) -> Target | None:
    """Return one target by id, or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(*_COLUMNS).where(tables.targets.c.id == target_id)).first()
    return None if row is None else _target(row)
