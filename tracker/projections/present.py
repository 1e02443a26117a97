"""Turn query results into JSON-ready values (stable: sorted sets, ISO 8601 times with Z)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tracker.timeutil import from_micros, isoformat
from tracker.types import Correction, SlotValue, Source, StoryState, Transition

if TYPE_CHECKING:
    from tracker.projections.explain import Explanation, Report


@lru_cache(maxsize=65_536)
def when(micros: int | None) -> str | None:
    """Return ISO 8601 UTC text for microseconds since the epoch (None stays None); the
    same instants recur across a document (each source of every change), so it is kept."""
    return None if micros is None else isoformat(from_micros(micros))


def value_text(value: SlotValue, *, chair: str | None = None, interim: bool | None = None) -> str:
    """Return a slot value for people: names joined, the chair and an interim holder marked."""
    if value is None:
        text = "—"
    elif isinstance(value, str):
        text = value
    else:
        names = [f"{v} (chair)" if v == chair else v for v in sorted(value)]
        text = ", ".join(names) if names else "—"
    return text + " (interim)" if interim else text


def state_text(state: StoryState) -> str:
    """Return a state as tab-separated lines for a pipe (``tracker state`` not on a terminal):
    a header ``slot value since evidence``, then a line a slot; tabs and newlines in a
    value become spaces."""
    lines = ["slot\tvalue\tsince\tevidence"]
    for s in state.slots:
        count = f"{len(s.evidence)}" + (" (single source)" if s.single_source else "")
        value = " ".join(value_text(s.value, chair=s.chair, interim=s.interim).split())
        lines.append(f"{s.slot}\t{value}\t{when(s.since_us) or '—'}\t{count}")
    return "\n".join(lines) + "\n"


def value_json(value: SlotValue) -> Any:
    """Return a slot value as JSON: a string or null, or a sorted list for sets and tags."""
    if value is None or isinstance(value, str):
        return value
    return sorted(value)


def source_json(source: Source) -> dict[str, Any]:
    """Return a cited article as JSON."""
    return {
        "article_id": source.article_id, "publisher": source.publisher,
        "published": when(source.published_us), "link": source.link, "title": source.title,
        "factuality": source.factuality, "authoritative": source.authoritative,
    }


def state_json(state: StoryState) -> dict[str, Any]:
    """Return a story's state as the ``tracker state --json`` document."""
    return {
        "story": state.story,
        "as_of": when(state.as_of_us),
        "known_at": when(state.known_at_us),
        "slots": {
            s.slot: {
                "value": value_json(s.value),
                "interim": s.interim,
                "chair": s.chair,
                "since": when(s.since_us),
                "single_source": s.single_source,
                "evidence": [source_json(e) for e in s.evidence],
            }
            for s in state.slots
        },
    }


def transition_json(t: Transition) -> dict[str, Any]:
    """Return one accepted change as a ``tracker timeline --json`` entry."""
    return {
        "slot": t.slot, "at": when(t.at_us), "value": value_json(t.value), "op": t.op,
        "interim": t.interim, "chair": t.chair, "single_source": t.single_source,
        "correction": t.correction, "note": t.note,
        "sources": [source_json(s) for s in t.sources],
    }


def correction_json(c: Correction) -> dict[str, Any]:
    """Return a human assertion as JSON."""
    return {
        "position": c.position, "slot": c.slot, "op": c.op, "value": c.value,
        "at": when(c.at_us), "source": c.source, "note": c.note, "interim": c.interim,
    }


def report_json(r: Report) -> dict[str, Any]:
    """Return one article's claim, with its article, as JSON."""
    a, c = r.article, r.claim
    return {
        "article_id": a.article_id, "publisher": a.publisher, "published": when(a.published_us),
        "recorded": when(a.recorded_us), "title": a.title, "link": a.link,
        "factuality": c.factuality, "op": c.op, "value": value_json(c.value),
        "interim": c.interim, "evidence": c.evidence, "rule": c.rule, "stance": r.stance,
        "why": c.cue, "effective": c.effective or None, "effective_from": c.effective_cue or None,
    }


def explanation_json(x: Explanation) -> dict[str, Any]:
    """Return the ``tracker explain --json`` document."""
    held = x.state
    return {
        "story": x.story,
        "slot": x.slot,
        "as_of": when(x.as_of_us),
        "known_at": when(x.known_at_us),
        "value": value_json(held.value) if held else None,
        "interim": held.interim if held else None,
        "chair": held.chair if held else None,
        "since": when(held.since_us) if held else None,
        "changes": [transition_json(t) for t in x.changes],
        "supporting": [report_json(r) for r in x.supporting],
        "contradicting": [report_json(r) for r in x.contradicting],
        "corrections": [correction_json(c) for c in x.corrections],
        "rejected": [
            {"article_id": r.article.article_id, "publisher": r.article.publisher,
             "title": r.article.title, "reasons": list(r.reasons)}
            for r in x.rejected
        ],
    }
