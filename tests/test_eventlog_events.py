"""Typed events: frozen, registered by name, upcast from old schemas, unknown ones reported."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import pytest
from eventlog_helpers import make_event
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.eventlog import codec
from tracker.eventlog.events import (
    ArticleObserved,
    ArticleRejected,
    DomainEvent,
    SlotAsserted,
    UnknownEvent,
    decode,
    event_class,
    register,
    upcaster,
)
from tracker.eventlog.store import EventStore, NewEvent


@register
@dataclass(frozen=True, slots=True)
class NoteTaken(DomainEvent):
    """A test event at schema 3: v1 had ``text``, v2 renamed it ``body``, v3 added ``lang``."""

    TYPE: ClassVar[str] = "TestNoteTaken"
    SCHEMA_VERSION: ClassVar[int] = 3

    body: str
    lang: str


@upcaster("TestNoteTaken", 1)
def _note_v1(payload: dict) -> dict:
    return {"body": payload["text"]}


@upcaster("TestNoteTaken", 2)
def _note_v2(payload: dict) -> dict:
    return {**payload, "lang": "und"}


def test_events_are_frozen() -> None:
    event = ArticleRejected(article_id="a1", reason="duplicate")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.reason = "other"  # type: ignore[misc]


def test_the_registry_maps_type_names_to_classes() -> None:
    assert event_class("ArticleObserved") is ArticleObserved
    assert event_class("SlotAsserted") is SlotAsserted
    assert event_class("NoSuchType") is None


def test_a_second_class_cannot_take_a_registered_name() -> None:
    @dataclass(frozen=True, slots=True)
    class Impostor(DomainEvent):
        TYPE: ClassVar[str] = "ArticleObserved"

    with pytest.raises(ValueError, match="already registered"):
        register(Impostor)


def test_a_typed_event_round_trips_through_the_log(store: EventStore) -> None:
    event = SlotAsserted(story="openai", slot="ceo", op="set", value="Sam Altman",
                         at="2023-11-22T06:00:00Z", source="https://example.org/a", interim=False)
    new = NewEvent.from_domain(event, stream_id="story-openai", occurred_at=make_event(1).occurred_at,
                               idempotency_key="assert-1")
    store.append([new])
    (stored,) = store.read()
    assert stored.type == "SlotAsserted" and stored.schema_version == 1
    assert stored.decoded() == event


def test_an_old_payload_is_upcast_to_the_current_class(store: EventStore) -> None:
    store.append([
        make_event(1, type_="TestNoteTaken", payload={"text": "first"}, schema_version=1),
        make_event(2, type_="TestNoteTaken", payload={"body": "second"}, schema_version=2),
        make_event(3, type_="TestNoteTaken", payload={"body": "third", "lang": "fr"}, schema_version=3),
    ])
    decoded = [e.decoded() for e in store.read()]
    assert decoded == [NoteTaken("first", "und"), NoteTaken("second", "und"), NoteTaken("third", "fr")]
    assert next(e.payload for e in store.read()) == {"text": "first"}  # the log keeps what was written


def test_an_unknown_type_decodes_to_unknown_event(store: EventStore) -> None:
    store.append([make_event(1, type_="WrittenByNewerCode", payload={"x": 1})])
    (stored,) = store.read()
    decoded = stored.decoded()
    assert isinstance(decoded, UnknownEvent)
    assert (decoded.type, decoded.payload) == ("WrittenByNewerCode", {"x": 1})
    assert "not registered" in decoded.reason


def test_a_schema_newer_than_the_class_is_reported_not_guessed() -> None:
    decoded = decode("ArticleRejected", 7, {"article_id": "a", "reason": "r"})
    assert isinstance(decoded, UnknownEvent) and "newer" in decoded.reason


def test_a_payload_missing_a_required_field_is_reported() -> None:
    decoded = decode("ArticleRejected", 1, {"reason": "r"})
    assert isinstance(decoded, UnknownEvent) and "does not fit" in decoded.reason


def test_fields_added_by_newer_code_are_ignored() -> None:
    decoded = decode("ArticleRejected", 1, {"article_id": "a", "reason": "r", "later_field": 1})
    assert decoded == ArticleRejected(article_id="a", reason="r")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_canonical_json_round_trips_and_ignores_key_order(payload: dict) -> None:
    text = codec.dumps(payload)
    assert codec.loads(text) == payload
    assert codec.dumps(dict(reversed(list(payload.items())))) == text


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10), st.sampled_from(range(10)))
def test_changing_any_hashed_field_changes_the_hash(delta: int, index: int) -> None:
    fields: list = ["0" * 64, 5, "s", 1, "T", 1, 100, 200, '{"a":1}', "{}", "k"]
    original = codec.chain_hash(*fields)
    changed = list(fields)
    value = changed[index + 1]
    changed[index + 1] = value + delta + 1 if isinstance(value, int) else f"{value}x"
    assert codec.chain_hash(*changed) != original
