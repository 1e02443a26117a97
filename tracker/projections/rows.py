"""Turn stage types into projection rows and back (values as canonical JSON text)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from tracker.types import Article, Claim, Correction, SlotValue, Source, Transition

_OPTS = orjson.OPT_SORT_KEYS


def dump(value: Any) -> str:
    """Return canonical JSON text (tuples become lists)."""
    return orjson.dumps(value, option=_OPTS).decode()


def load_value(text: str | None) -> SlotValue:
    """Decode a stored slot value: lists become tuples."""
    if text is None:
        return None
    value = orjson.loads(text)
    if isinstance(value, list):
        return tuple(value)
    return value  # type: ignore[no-any-return]


def split_stories(text: str) -> tuple[str, ...]:
    """Decode a comma-joined list of story ids."""
    return tuple(text.split(",")) if text else ()


def claims_json(claims: Sequence[Claim]) -> str | None:
    """Return the stored JSON of an article's claims (None when it makes none). A claim of a
    decided change dated later adds the day it takes effect and the words it was read from."""
    if not claims:
        return None
    return dump([
        [c.slot, c.op, c.value, c.factuality, c.language, c.evidence, c.interim, c.rule, c.cue,
         *((c.effective, c.effective_cue) if c.effective else ())]
        for c in claims
    ])


_PARSED: dict[str, list[tuple[Any, ...]]] = {}


def claims_from_json(story: str, article_id: str, text: str) -> list[Claim]:
    """Rebuild an article's claims from their stored JSON (parsed once per distinct text)."""
    parsed = _PARSED.get(text)
    if parsed is None:
        if len(_PARSED) > 100_000:
            _PARSED.clear()
        parsed = _PARSED[text] = [
            (c[0], c[1], tuple(c[2]) if isinstance(c[2], list) else c[2], c[3], c[4], c[5],
             c[6], c[7], c[8] if len(c) > 8 else "", c[9] if len(c) > 9 else "",
             c[10] if len(c) > 10 else "")
            for c in orjson.loads(text)
        ]
    return [Claim(story, article_id, *c) for c in parsed]


def article_from_row(row: Any) -> Article:
    """Rebuild an Article from an evidence row (position, article_id, publisher, link,
    title, summary, language, published_us, recorded_us, content_hash, stories)."""
    return Article(
        row[1], row[0], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
        split_stories(row[10]),
    )


def correction_from_row(row: Any) -> Correction:
    """Rebuild a Correction from a corrections row (position, story, slot, op, value,
    at_us, source, note, interim)."""
    return Correction(row[1], row[2], row[3], row[4], row[5], row[6], row[0], row[7], row[8])


def source_dict(source: Source) -> dict[str, Any]:
    """Return the JSON form of a source."""
    return {
        "article_id": source.article_id, "publisher": source.publisher,
        "published_us": source.published_us, "link": source.link, "title": source.title,
        "factuality": source.factuality, "authoritative": source.authoritative,
    }


def source_from_dict(data: Mapping[str, Any]) -> Source:
    """Rebuild a Source from its JSON form."""
    return Source(
        data["article_id"], data["publisher"], data["published_us"], data["link"],
        data["title"], data["factuality"], data["authoritative"],
    )


def transition_rows(story: str, items: Sequence[Transition]) -> list[dict[str, Any]]:
    """Return the rows of a story's transitions, numbered in order."""
    return [
        {
            "story": story, "seq": seq, "slot": t.slot, "at_us": t.at_us, "op": t.op,
            "value": dump(t.value), "interim": t.interim, "chair": t.chair,
            "sources": dump([source_dict(s) for s in t.sources]),
            "single_source": bool(t.single_source), "correction": bool(t.correction),
            "note": t.note,
        }
        for seq, t in enumerate(items)
    ]


def transition_from_row(story: str, row: Any) -> Transition:
    """Rebuild a Transition from a row (slot, at_us, op, value, interim, chair, sources,
    single_source, correction, note)."""
    return Transition(
        story, row[0], row[1], row[2], load_value(row[3]), row[4], row[5],
        tuple(source_from_dict(s) for s in orjson.loads(row[6])), bool(row[7]), bool(row[8]),
        row[9],
    )
