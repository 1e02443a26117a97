"""The append-only event log: typed events, the table, and the store."""

from typing import TYPE_CHECKING, Any

from tracker.eventlog.events import (
    ArticleObserved,
    ArticleRejected,
    ArticleRevised,
    DomainEvent,
    SlotAsserted,
    UnknownEvent,
    decode,
    register,
    upcaster,
)

if TYPE_CHECKING:
    from tracker.eventlog.store import EventStore, NewEvent, RecordedEvent, VerifyReport

_STORE = ("EventStore", "NewEvent", "RecordedEvent", "VerifyReport")


def __getattr__(name: str) -> Any:
    # The store (and SQLAlchemy with it) is imported when first asked for: reading the
    # typed events alone does not need it.
    if name in _STORE:
        from tracker.eventlog import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "ArticleObserved",
    "ArticleRejected",
    "ArticleRevised",
    "DomainEvent",
    "EventStore",
    "NewEvent",
    "RecordedEvent",
    "SlotAsserted",
    "UnknownEvent",
    "VerifyReport",
    "decode",
    "register",
    "upcaster",
]
