"""The append-only event log: typed events, the table, and the store."""

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
from tracker.eventlog.store import EventStore, NewEvent, RecordedEvent, VerifyReport

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
