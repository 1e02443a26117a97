"""The OpenAPI 3.1 schema of the JSON API (served at ``/openapi.json``)."""

from __future__ import annotations

from typing import Any

from tracker import __version__


def _param(name: str, where: str, text: str, *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path",
            "description": text, "schema": {"type": "string"}}


STORY = _param("story", "path", "Story id.")
AS_OF = _param("as_of", "query", "Event time: ISO 8601 with Z or an offset, or a date.")
KNOWN_AT = _param("known_at", "query", "Knowledge time: only what the log had recorded by then.")
SINCE = _param("since", "query", "Only changes at or after this event time.")
UNTIL = _param("until", "query", "Only changes at or before this event time.")
LIMIT = _param("limit", "query", "At most the first N changes (a whole number).")
LAST = _param("last", "query", "Only the last N changes, still oldest first (not with limit).")


def _get(summary: str, params: list[dict[str, Any]], ref: str) -> dict[str, Any]:
    return {"get": {
        "summary": summary, "parameters": params,
        "responses": {
            "200": {"description": "the document, as the CLI's --json prints it",
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}},
            "400": {"description": "a bad parameter", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}},
            "404": {"description": "unknown story or slot", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }}


_SOURCE = {"type": "object", "properties": {
    "article_id": {"type": "string"}, "publisher": {"type": "string"},
    "published": {"type": ["string", "null"]}, "link": {"type": ["string", "null"]},
    "title": {"type": "string"}, "factuality": {"type": "string"},
    "authoritative": {"type": "boolean"}}}
_VALUE = {"type": ["string", "array", "null"], "items": {"type": "string"}}
_TRANSITION = {"type": "object", "properties": {
    "slot": {"type": "string"}, "at": {"type": "string"}, "value": _VALUE, "op": {"type": "string"},
    "interim": {"type": ["boolean", "null"]}, "chair": {"type": ["string", "null"]},
    "single_source": {"type": "boolean"}, "correction": {"type": "boolean"},
    "note": {"type": ["string", "null"]},
    "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}}}


def schema() -> dict[str, Any]:
    """Return the OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "tracker", "version": __version__,
                 "description": "Read-only: a story's state, timeline and explanations, and the "
                                "event log. Every document has the shape of the CLI's --json."},
        "paths": {
            "/api/stories": _get("The stories", [], "Stories"),
            "/api/stories/{story}/state": _get("tracker state --json", [STORY, AS_OF, KNOWN_AT], "State"),
            "/api/stories/{story}/timeline": _get(
                "tracker timeline --json", [STORY, KNOWN_AT, SINCE, UNTIL, LIMIT, LAST], "Timeline"),
            "/api/stories/{story}/explain/{slot}": _get(
                "tracker explain SLOT --json",
                [STORY, _param("slot", "path", "Slot name."), AS_OF, KNOWN_AT], "Explanation"),
            "/api/events": _get(
                "tracker events --json (one document per line there, a list here)",
                [_param("after", "query", "Events after this position (default: the last ones)."),
                 _param("limit", "query", "How many (default 20, at most 1000).")], "Events"),
            "/api/stream": {"get": {
                "summary": "Server-sent events: `position` whenever the log grows",
                "responses": {"200": {"description": "text/event-stream",
                                      "content": {"text/event-stream": {}}}}}},
        },
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
            "Source": _SOURCE,
            "Transition": _TRANSITION,
            "Stories": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}}}},
            "State": {"type": "object", "properties": {
                "story": {"type": "string"}, "as_of": {"type": ["string", "null"]},
                "known_at": {"type": ["string", "null"]},
                "slots": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                    "value": _VALUE, "interim": {"type": ["boolean", "null"]},
                    "chair": {"type": ["string", "null"]}, "since": {"type": ["string", "null"]},
                    "single_source": {"type": "boolean"},
                    "evidence": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}}}}}},
            "Timeline": {"type": "array", "items": {"$ref": "#/components/schemas/Transition"}},
            "Explanation": {"type": "object", "properties": {
                "story": {"type": "string"}, "slot": {"type": "string"}, "value": _VALUE,
                "since": {"type": ["string", "null"]},
                "changes": {"type": "array", "items": {"$ref": "#/components/schemas/Transition"}},
                "supporting": {"type": "array"}, "contradicting": {"type": "array"},
                "corrections": {"type": "array"}, "rejected": {"type": "array"}}},
            "Events": {"type": "array", "items": {"type": "object", "properties": {
                "position": {"type": "integer"}, "stream_id": {"type": "string"},
                "type": {"type": "string"}, "occurred_at": {"type": "string"},
                "recorded_at": {"type": "string"}, "summary": {"type": "string"},
                "payload": {"type": "object"}, "hash": {"type": "string"}}}},
        }},
    }
