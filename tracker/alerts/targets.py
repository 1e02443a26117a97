"""Manage alert targets: add, remove, list (the library side of ``tracker alerts``)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tracker.alerts import outbox, tables
from tracker.errors import ConfigError, InputError, StorageError
from tracker.eventlog.sql import first_line
from tracker.stories.definition import ALERT_KINDS, AlertSpec, StoryDefinition, check_target

KINDS = ALERT_KINDS


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
    declared_in: str | None = None   # the story whose file declares it (None: ``alerts add``)
    secret_env: str | None = None    # the variable holding its signing secret

    def signing_secret(self) -> str | None:
        """The secret a webhook signs with (from the environment for a declared target)."""
        if self.secret_env:
            found = os.environ.get(self.secret_env)
            if not found:
                raise InputError(f"the signing secret's variable {self.secret_env} is not set")
            return found
        return self.secret


def _check(kind: str, address: str) -> None:
    try:
        check_target(kind, address)
    except ValueError as exc:
        raise InputError(str(exc)) from None


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
        row = conn.execute(sa.select(t.c.id, t.c.declared_in).where(t.c.name == name)).first()
        if row is None:
            raise InputError(f"no target named {name!r}")
        if row[1] is not None:
            raise InputError(f"target {name!r} is declared in story {row[1]!r}: remove it from "
                             "that story file's [[alerts]]")
        _drop(conn, int(row[0]))
    return int(row[0])


def _drop(conn: Connection, target_id: int) -> None:
    ids = sa.select(tables.outbox.c.id).where(tables.outbox.c.target_id == target_id)
    conn.execute(tables.attempts.delete().where(tables.attempts.c.outbox_id.in_(ids)))
    conn.execute(tables.outbox.delete().where(tables.outbox.c.target_id == target_id))
    conn.execute(tables.targets.delete().where(tables.targets.c.id == target_id))


def declare(conn: Connection, stories: Mapping[str, StoryDefinition]) -> int:
    """Make the targets of the story files' ``[[alerts]]`` the declared targets; return how
    many rows changed. A new one hears of changes accepted from then on (as with
    ``alerts add``), a changed one keeps its history, one no longer declared is removed
    with its undelivered notifications. Runs in the caller's transaction."""
    t = tables.targets
    rows = {r[1]: r for r in conn.execute(sa.select(*_COLUMNS))}
    wanted: dict[str, tuple[StoryDefinition, AlertSpec]] = {}
    for story in stories.values():
        for alert in story.alerts:
            if alert.name in wanted:
                raise ConfigError(f"{story.path}: alert {alert.name!r} is also declared by story "
                                  f"{wanted[alert.name][0].id!r}")
            wanted[alert.name] = (story, alert)
    changed = 0
    for name, (story, alert) in wanted.items():
        slots = orjson.dumps(list(alert.slots)).decode() if alert.slots else None
        values = {"kind": alert.kind, "address": alert.address, "secret": None, "story": story.id,
                  "slots": slots, "declared_in": story.id, "secret_env": alert.secret_env}
        row = rows.get(name)
        if row is None:
            if not changed:
                outbox.baseline(conn)
            conn.execute(t.insert().values(name=name, created_us=outbox.now_us(), **values))
            changed += 1
        elif row[7] is None:
            raise ConfigError(f"{story.path}: alert {name!r}: a target of that name was added with "
                              "`tracker alerts add`; rename one of them")
        elif dict(zip(_NAMES[2:], row[2:], strict=True)) != values:
            conn.execute(t.update().where(t.c.id == row[0]).values(**values))
            changed += 1
    for name, row in rows.items():
        if row[7] is not None and name not in wanted:
            _drop(conn, int(row[0]))
            changed += 1
    return changed


def sync(engine: Engine, stories: Mapping[str, StoryDefinition]) -> int:
    """``declare`` in a transaction of its own."""
    try:
        with engine.connect().execution_options(write=True) as conn, conn.begin():
            return declare(conn, stories)
    except sa.exc.DBAPIError as exc:
        raise StorageError(f"cannot record the declared alert targets: {first_line(exc)}") from None


def _target(row: Any) -> Target:
    slots = tuple(orjson.loads(row[6])) if row[6] else None
    return Target(int(row[0]), row[1], row[2], row[3], row[4], row[5], slots, row[7], row[8])


_COLUMNS = (
    tables.targets.c.id, tables.targets.c.name, tables.targets.c.kind, tables.targets.c.address,
    tables.targets.c.secret, tables.targets.c.story, tables.targets.c.slots,
    tables.targets.c.declared_in, tables.targets.c.secret_env,
)
_NAMES = tuple(column.name for column in _COLUMNS)


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
