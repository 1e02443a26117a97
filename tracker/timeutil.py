"""Parse, format and convert the instants tracker deals with (always UTC)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from tracker.errors import InputError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def utcnow() -> datetime:
    """Return the current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_micros(moment: datetime) -> int:
    """Return microseconds since the Unix epoch for an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: tracker only handles aware instants")
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """Return the aware UTC datetime for microseconds since the Unix epoch."""
    return EPOCH + timedelta(microseconds=micros)


def isoformat(moment: datetime | None) -> str | None:
    """Format an instant as ISO 8601 in UTC with a ``Z`` suffix (None stays None)."""
    if moment is None:
        return None
    # Naive isoformat is "YYYY-MM-DDTHH:MM:SS" with ".ffffff" only when there are
    # microseconds, the same text as strftime at a fraction of its cost.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def parse_instant(text: str, *, end_of_day: bool = False) -> datetime:
    """Parse a user-given instant: ISO 8601 with ``Z`` or an offset, or a plain date.

    A plain date means midnight UTC at its start, or with ``end_of_day`` the last
    microsecond of that day. A time without zone is refused rather than guessed.
    Raises InputError with a one-line message.
    """
    raw = text.strip()
    if _DATE_ONLY.match(raw):
        try:
            day = date.fromisoformat(raw)
        except ValueError as exc:
            raise InputError(f"invalid date {text!r}: {exc}") from None
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        if end_of_day:
            return start + timedelta(days=1) - timedelta(microseconds=1)
        return start
    candidate = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise InputError(
            f"invalid time {text!r}: use ISO 8601 with Z or an offset "
            "(2023-11-20T18:00:00Z) or a date (2023-11-20)"
        ) from None
    if moment.tzinfo is None:
        raise InputError(
            f"time {text!r} has no zone: add Z for UTC or an offset like +01:00"
        )
    return moment.astimezone(UTC)


def effective_us(iso: str) -> int:
    """The instant a day a decided change takes effect starts, given as ISO text as precise as
    it was told ("2024-01-02", "2024-01", "2024"): 00:00 UTC of the day, of a month's first day,
    of a year's 1 January."""
    parts = [int(p) for p in iso.split("-")] + [1, 1]
    moment = datetime(parts[0], parts[1], parts[2], tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000


def agreed(days: list[str]) -> str | None:
    """The one day several readings agree on (the most precise, when each of the others is
    that day, its month or its year: "2024-01" and "2024-01-02" agree on "2024-01-02"), or None."""
    if not days:
        return None
    finest = max(days, key=len)
    return finest if all(finest.startswith(day) for day in days) else None
