"""Typed events: frozen dataclasses, a registry by type name, and upcasters.

The log holds only what cannot be recomputed: what was observed (articles and
their revisions) and what a human decided (assertions, rejections). Claims and
story state are projections and never appear here.

A stored payload carries its ``schema_version``; :func:`decode` runs the
registered upcasters from that version up to the class's current one, so old
payloads load as today's class. A type nobody registered decodes to
:class:`UnknownEvent` instead of failing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]

_REGISTRY: dict[str, type[DomainEvent]] = {}
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}
_FIELDS: dict[type, frozenset[str]] = {}

E = TypeVar("E", bound="type[DomainEvent]")


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Base of every typed event; subclasses set TYPE and SCHEMA_VERSION."""

    TYPE: ClassVar[str] = ""
    SCHEMA_VERSION: ClassVar[int] = 1

    def to_payload(self) -> Payload:
        """Return the JSON-ready payload of this event."""
        return dataclasses.asdict(self)

    @classmethod
    def from_payload(cls, payload: Payload) -> DomainEvent:
        """Build the event from a payload at the current schema version.

        Keys the class does not know (written by newer code) are ignored.
        """
        names = _FIELDS.get(cls)
        if names is None:
            names = _FIELDS[cls] = frozenset(f.name for f in dataclasses.fields(cls))
        if payload.keys() <= names:
            return cls(**payload)
        return cls(**{k: v for k, v in payload.items() if k in names})


@dataclass(frozen=True, slots=True)
class UnknownEvent:
    """An event whose type is not registered (written by newer code, say)."""

    type: str
    schema_version: int
    payload: Payload
    reason: str = "type not registered"


def register(cls: E) -> E:
    """Register an event class under its TYPE (class decorator)."""
    if not cls.TYPE:
        raise ValueError(f"{cls.__name__} has no TYPE")
    if cls.TYPE in _REGISTRY and _REGISTRY[cls.TYPE] is not cls:
        raise ValueError(f"event type {cls.TYPE!r} is already registered")
    _REGISTRY[cls.TYPE] = cls
    return cls


def upcaster(type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function turning a payload at ``from_version`` into ``from_version + 1``."""

    def decorator(func: Upcaster) -> Upcaster:
        _UPCASTERS[(type_name, from_version)] = func
        return func

    return decorator


def event_class(type_name: str) -> type[DomainEvent] | None:
    """Return the class registered for a type name, or None."""
    return _REGISTRY.get(type_name)


def decode(type_name: str, schema_version: int, payload: Payload) -> DomainEvent | UnknownEvent:
    """Turn a stored payload into its typed event, upcasting old versions first."""
    cls = _REGISTRY.get(type_name)
    if cls is None:
        return UnknownEvent(type_name, schema_version, payload)
    if schema_version > cls.SCHEMA_VERSION:
        return UnknownEvent(type_name, schema_version, payload,
                            f"schema version {schema_version} is newer than {cls.SCHEMA_VERSION}")
    version = schema_version
    while version < cls.SCHEMA_VERSION:
        step = _UPCASTERS.get((type_name, version))
        if step is None:
            return UnknownEvent(type_name, schema_version, payload,
                                f"no upcaster from schema version {version}")
        payload = step(payload)
        version += 1
    try:
        return cls.from_payload(payload)
    except TypeError as exc:  # a required field is missing: report, do not crash readers
        return UnknownEvent(type_name, schema_version, payload, f"payload does not fit: {exc}")


# --- what was observed ---------------------------------------------------


@register
@dataclass(frozen=True, slots=True)
class ArticleObserved(DomainEvent):
    """A feed item matching at least one story was seen for the first time.

    ``occurred_at`` of the stored event is ``published`` (event time).
    """

    TYPE: ClassVar[str] = "ArticleObserved"
    SCHEMA_VERSION: ClassVar[int] = 1

    article_id: str
    feed_url: str
    publisher: str
    item_id: str
    link: str | None
    title: str
    summary: str
    published: str
    published_raw: str | None
    language: str | None
    stories: list[str]
    content_hash: str
    feed_title: str | None = None


@register
@dataclass(frozen=True, slots=True)
class ArticleRevised(DomainEvent):
    """An already observed item came back with a changed title or summary."""

    TYPE: ClassVar[str] = "ArticleRevised"
    SCHEMA_VERSION: ClassVar[int] = 1

    article_id: str
    title: str
    summary: str
    content_hash: str
    previous_hash: str
    stories: list[str]
    link: str | None = None
    published: str | None = None


# --- what a human decided ------------------------------------------------


@register
@dataclass(frozen=True, slots=True)
class SlotAsserted(DomainEvent):
    """A person stated a slot's value at an instant, with a source (a correction).

    ``op`` is one of set / clear / add / remove / tag / untag; ``value`` is the
    canonical entity name or tag (None for clear).
    """

    TYPE: ClassVar[str] = "SlotAsserted"
    SCHEMA_VERSION: ClassVar[int] = 1

    story: str
    slot: str
    op: str
    value: str | None
    at: str
    source: str
    note: str | None = None
    interim: bool | None = None
    author: str | None = None


@register
@dataclass(frozen=True, slots=True)
class ArticleRejected(DomainEvent):
    """A person ruled an observed article out as evidence."""

    TYPE: ClassVar[str] = "ArticleRejected"
    SCHEMA_VERSION: ClassVar[int] = 1

    article_id: str
    reason: str
    author: str | None = None
    stories: list[str] = field(default_factory=list)
