"""Deliver the outbox: claim a due notification, send it, record the attempt; retry with backoff.

One notification at a time: it is claimed with a lease (``leased_until_us``) in
one short transaction, delivered outside any transaction, then its attempt is
recorded and its row marked ``delivered`` (or rescheduled, or ``failed`` after
``max_attempts``) in another. A sender killed mid-delivery leaves the row
leased; once the lease runs out any sender retries it, with the same
idempotency key, so a receiver that had not acknowledged gets it again and
nothing is lost. Retries back off exponentially: ``base * 2**(attempts-1)``
seconds, capped at ``max_delay``, plus up to a quarter of jitter.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.alerts import channels, tables, targets
from tracker.alerts.outbox import DELIVERED, FAILED, PENDING, now_us
from tracker.errors import InputError
from tracker.eventlog import codec

log = logging.getLogger("tracker.alerts")
BASE_DELAY_S = 2.0
MAX_DELAY_S = 900.0
MAX_ATTEMPTS = 12


@dataclass(frozen=True, slots=True)
class Claimed:
    """A notification this sender holds the lease of."""

    id: int
    target_id: int
    payload: str
    attempts: int


@dataclass(frozen=True, slots=True)
class SendSummary:
    """What one pass over the outbox did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0                         # waiting for a target's configuration, not tried
    reasons: tuple[str, ...] = ()         # why each held target waits


class Sender:
    """Send due notifications from the outbox to their targets."""

    def __init__(
        self,
        engine: Engine,
        *,
        timeout: float = channels.TIMEOUT_S,
        lease_s: float | None = None,
        base_delay_s: float = BASE_DELAY_S,
        max_delay_s: float = MAX_DELAY_S,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.engine = engine
        self.timeout = timeout
        self.lease_us = int((lease_s if lease_s is not None else timeout + 5.0) * 1_000_000)
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.max_attempts = max_attempts

    def held(self) -> dict[int, str]:
        """Return the targets that cannot be sent to as configured (a declared webhook whose
        secret's variable is unset), by id, with why: their notifications wait, untried,
        rather than spend their attempts."""
        found = {}
        for target in targets.all_targets(self.engine):
            try:
                target.signing_secret()
            except InputError as exc:
                found[target.id] = f"{target.name}: {exc}"
        return found

    def claim(self, held: Collection[int] = ()) -> Claimed | None:
        """Lease the oldest due notification (None when nothing is due), leaving out the
        ``held`` targets'."""
        o = tables.outbox
        now = now_us()
        query = (
            sa.select(o.c.id, o.c.target_id, o.c.payload, o.c.attempts)
            .where(o.c.status == PENDING, o.c.next_attempt_us <= now)
            .where(sa.or_(o.c.leased_until_us.is_(None), o.c.leased_until_us < now))
            .order_by(o.c.next_attempt_us, o.c.id)
            .limit(1)
        )
        if held:
            query = query.where(o.c.target_id.notin_(sorted(held)))
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row = conn.execute(query).first()
            if row is None:
                return None
            conn.execute(o.update().where(o.c.id == row[0]).values(leased_until_us=now + self.lease_us))
        return Claimed(int(row[0]), int(row[1]), row[2], int(row[3]))

    def backoff_us(self, attempts: int) -> int:
        """Return the wait before the next attempt after ``attempts`` failed ones."""
        delay = min(self.max_delay_s, self.base_delay_s * 2 ** max(0, attempts - 1))
        return int(delay * (1 + random.random() / 4) * 1_000_000)

    def send(self, item: Claimed) -> str:
        """Deliver one claimed notification and record the attempt; return its new status."""
        target = targets.by_id(self.engine, item.target_id)
        started = time.monotonic()
        try:
            if target is None:
                raise channels.DeliveryError("the target was removed")
            detail, ok = channels.deliver(target, item.payload.encode(), timeout=self.timeout), True
        except channels.DeliveryError as exc:
            detail, ok = str(exc)[:500], False
        except Exception as exc:  # a bug in a channel: record it, never stop the sender
            detail, ok = f"{type(exc).__name__}: {exc}"[:500], False
        took = int((time.monotonic() - started) * 1000)
        return self._record(item, ok, detail, took)

    def _record(self, item: Claimed, ok: bool, detail: str, took_ms: int) -> str:
        o = tables.outbox
        now = now_us()
        attempts = item.attempts + 1
        if ok:
            status, values = DELIVERED, {"delivered_us": now}
        elif attempts >= self.max_attempts:
            status, values = FAILED, {}
        else:
            status, values = PENDING, {"next_attempt_us": now + self.backoff_us(attempts)}
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            conn.execute(tables.attempts.insert().values(
                outbox_id=item.id, at_us=now, ok=ok, detail=detail, duration_ms=took_ms,
            ))
            conn.execute(o.update().where(o.c.id == item.id, o.c.status == PENDING).values(
                status=status, attempts=attempts, leased_until_us=None, **values,
            ))
        if not ok:
            log.warning(codec.dumps({"event": "alert_failed", "outbox": item.id,
                                     "attempt": attempts, "status": status, "detail": detail}))
        return status

    def run_once(self, limit: int = 1000, stop: threading.Event | None = None) -> SendSummary:
        """Send what is due now, up to ``limit`` notifications."""
        counts = {DELIVERED: 0, PENDING: 0, FAILED: 0}
        held = self.held()
        for reason in held.values():
            log.warning(codec.dumps({"event": "alert_target_held", "detail": reason}))
        for _ in range(limit):
            if stop is not None and stop.is_set():
                break
            item = self.claim(held)
            if item is None:
                break
            counts[self.send(item)] += 1
        waiting = pending_count(self.engine, held) if held else 0
        return SendSummary(counts[DELIVERED], counts[PENDING], counts[FAILED], waiting,
                           tuple(held.values()))

    def run(self, stop: threading.Event, interval_s: float = 1.0) -> None:
        """Send due notifications until ``stop`` is set, looking again every ``interval_s``."""
        while not stop.is_set():
            try:
                self.run_once(stop=stop)
            except sa.exc.DBAPIError as exc:  # the database is away: try again later
                log.error(codec.dumps({"event": "alerts_failed", "error": str(exc).splitlines()[0]}))
            stop.wait(interval_s)


def pending_count(engine: Engine, target_ids: Collection[int] | None = None) -> int:
    """Return how many notifications wait for delivery (to some targets only)."""
    o = tables.outbox
    query = sa.select(sa.func.count()).select_from(o).where(o.c.status == PENDING)
    if target_ids is not None:
        query = query.where(o.c.target_id.in_(sorted(target_ids)))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)
