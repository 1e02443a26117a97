"""Serialise events canonically and chain their hashes (SHA-256)."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

GENESIS_HASH = "0" * 64
_OPTS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    """Return the canonical JSON text of a value: sorted keys, no spaces, UTF-8."""
    return orjson.dumps(value, option=_OPTS).decode()


def loads(text: str | bytes) -> Any:
    """Decode JSON text."""
    return orjson.loads(text)


def chain_hash(
    prev_hash: str,
    position: int,
    stream_id: str,
    stream_version: int,
    type_: str,
    schema_version: int,
    occurred_at: int,
    recorded_at: int,
    payload: str,
    metadata: str,
    idempotency_key: str | None,
) -> str:
    """Return the hash of one event, chained to the hash of the event before it.

    Every stored column takes part, so a changed payload, a moved position or a
    rewritten timestamp all break the chain at that event.
    """
    record = orjson.dumps(
        [
            position,
            stream_id,
            stream_version,
            type_,
            schema_version,
            occurred_at,
            recorded_at,
            payload,
            metadata,
            idempotency_key,
        ]
    )
    return hashlib.sha256(prev_hash.encode() + b"\n" + record).hexdigest()
