"""Score the claim extractor against the hand-labelled gold set.

Usage::

    .venv/bin/python -m benchmarks.gold [--gold FILE ...] [--corpus DIR]

Loads the gold files (benchmarks/gold/*.toml by default), finds each item in the
corpus by feed and guid (or link), turns it into the Article the projections
build, runs ``tracker.stories.extract.extract`` with the item's story, and
compares the engine's asserted claims (item, slot, op, value) with the gold
asserted claims. Prints one JSON document: precision and recall overall, per
slot, per language and per story; for every non-asserted gold factuality how
many of those claims the engine asserted anyway; the false positives and misses
with the engine's rule and evidence. An item whose text the story's match terms
do not find gets no claims, as in the pipeline (it never enters the log). A
story whose file is missing is skipped and named in ``skipped_stories``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.gold.corpus import CORPUS, CorpusItem, article_of, find_stories, read_items
from tracker.stories.corroborate import resolve
from tracker.stories.definition import StoryDefinition
from tracker.stories.extract import extract
from tracker.stories.match import Matcher
from tracker.stories.refine import ChangeIndex, changes_from_transitions, refine
from tracker.stories.spec import model_of
from tracker.types import Claim

GOLD_DIR = Path(__file__).resolve().parent
FACTUALITIES = ("asserted", "speculative", "planned", "negated", "question", "conditional",
                "historical", "opinion")
OPS = ("set", "clear", "add", "remove", "replace", "tag", "untag", "chair", "unchair", "stay")
_ITEM_KEYS = {"feed", "guid", "link", "story", "lang", "claims", "note"}
_CLAIM_KEYS = {"slot", "op", "value", "factuality"}

Value = str | tuple[str, ...] | None
Key = tuple[str, str, str, str, str, Value]  # feed, guid, story, slot, op, value


class GoldError(Exception):
    """A gold file that cannot be read or does not follow the format."""


@dataclass(frozen=True, slots=True)
class GoldClaim:
    slot: str
    op: str
    value: Value
    factuality: str


@dataclass(frozen=True, slots=True)
class GoldItem:
    source: str  # file:index, for error messages
    feed: str
    guid: str | None
    link: str | None
    story: str
    lang: str
    claims: tuple[GoldClaim, ...]


def _value(raw: Any, where: str) -> Value:
    if raw is None or isinstance(raw, str):
        return raw
    if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
        return tuple(sorted(raw))
    raise GoldError(f"{where}: value must be a string or a list of strings")


def load_gold(paths: Sequence[Path]) -> list[GoldItem]:
    """Read gold files; raise GoldError naming the file and item on any problem."""
    items: list[GoldItem] = []
    for path in paths:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise GoldError(f"{path}: cannot read: {exc.strerror}") from None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise GoldError(f"{path}: invalid TOML: {exc}") from None
        for index, entry in enumerate(raw.get("item", []), 1):
            where = f"{path.name} item {index}"
            if not isinstance(entry, dict):
                raise GoldError(f"{where}: must be a table")
            unknown = set(entry) - _ITEM_KEYS
            if unknown:
                raise GoldError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
            for key in ("feed", "story", "lang"):
                if not isinstance(entry.get(key), str) or not entry[key]:
                    raise GoldError(f"{where}: '{key}' must be a non-empty string")
            if not (entry.get("guid") or entry.get("link")):
                raise GoldError(f"{where}: needs 'guid' or 'link'")
            if not isinstance(entry.get("claims"), list):
                raise GoldError(f"{where}: 'claims' must be a list (claims = [] for none)")
            claims = []
            for c in entry["claims"]:
                if not isinstance(c, dict) or set(c) - _CLAIM_KEYS or not {"slot", "op", "factuality"} <= set(c):
                    raise GoldError(f"{where}: a claim needs slot, op, value, factuality (only those)")
                if c["op"] not in OPS:
                    raise GoldError(f"{where}: op {c['op']!r} is not one of {', '.join(OPS)}")
                if c["factuality"] not in FACTUALITIES:
                    raise GoldError(f"{where}: factuality {c['factuality']!r} is not one of {', '.join(FACTUALITIES)}")
                claims.append(GoldClaim(c["slot"], c["op"], _value(c.get("value"), where), c["factuality"]))
            items.append(GoldItem(where, entry["feed"], entry.get("guid"), entry.get("link"),
                                  entry["story"], entry["lang"], tuple(claims)))
    return items


def locate(corpus: Path, gold: Iterable[GoldItem]) -> dict[tuple[str, str], CorpusItem]:
    """Return the corpus items the gold names, by (feed, guid or link)."""
    wanted = {(g.feed, g.guid or g.link or "") for g in gold}
    feeds = {feed for feed, _ in wanted}
    found: dict[tuple[str, str], CorpusItem] = {}
    for entry in read_items(corpus, (), feeds):
        for key in ((entry.feed, entry.guid), (entry.feed, entry.item.link or "")):
            if key in wanted and key not in found:
                found[key] = entry
    return found


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def _figures(tp: int, fp: int, fn: int) -> dict[str, Any]:
    return {"precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn),
            "tp": tp, "fp": fp, "fn": fn}


def _norm(value: Value | list[str]) -> Value:
    if isinstance(value, (tuple, list)):
        return tuple(sorted(value))
    return value


def _shown(value: Value) -> Any:
    return list(value) if isinstance(value, tuple) else value


_CHANGES: dict[tuple[str, str, str], ChangeIndex] = {}


def changes_of(story: StoryDefinition, corpus: Path) -> ChangeIndex:
    """Return the changes the engine accepts for a story over the whole corpus.

    The claims are scored as the story reads them (``tracker.stories.refine``): a removal
    of someone who did not hold the office is no claim, and a report's age against the
    change it reports decides whether it is news or a recap. The changes come from the
    engine itself: every corpus item the story matches, extracted and resolved.
    """
    key = (story.id, story.digest, str(corpus))
    found = _CHANGES.get(key)
    if found is None:
        matcher = Matcher([story])
        screen = [*story.terms, *(n.rstrip("*") for n in story.names)]
        seen: set[str] = set()
        evidence = []
        for entry in read_items(corpus, screen):
            item = entry.item
            if item.article_id in seen or not matcher.match(item.title, item.summary):
                continue
            seen.add(item.article_id)
            article = article_of(entry, (story.id,))
            evidence.append((article, extract(story, article)))
        evidence.sort(key=lambda pair: (pair[0].published_us, pair[0].article_id))
        model = model_of(story)
        transitions = resolve(story, evidence)
        found = _CHANGES[key] = ChangeIndex(model, changes_from_transitions(model, transitions),
                                            changes_from_transitions(model, transitions, told=True))
    return found


def score(gold: Sequence[GoldItem], corpus: Path,
          stories: dict[str, StoryDefinition] | None = None) -> dict[str, Any]:
    """Return the figures of the engine against the gold items (see the module docstring)."""
    missing: dict[str, str] = {}
    if stories is None:
        stories, missing = find_stories(g.story for g in gold)
    items = [g for g in gold if g.story in stories]
    located = locate(corpus, items)
    matchers = {story_id: Matcher([story]) for story_id, story in stories.items()}
    gold_claims: dict[Key, str] = {}
    engine: dict[Key, Claim] = {}
    engine_other: dict[Key, Claim] = {}
    lang_of: dict[tuple[str, str], str] = {}
    not_found: list[dict[str, str]] = []
    unmatched: list[dict[str, str]] = []
    scored = 0
    for g in items:
        ident = g.guid or g.link or ""
        entry = located.get((g.feed, ident))
        if entry is None:
            not_found.append({"feed": g.feed, "id": ident, "at": g.source})
            continue
        scored += 1
        guid = entry.guid
        lang_of[(g.feed, guid)] = g.lang
        for c in g.claims:
            gold_claims[(g.feed, guid, g.story, c.slot, c.op, c.value)] = c.factuality
        story = stories[g.story]
        if g.story not in matchers[g.story].match(entry.item.title, entry.item.summary):
            unmatched.append({"feed": g.feed, "guid": guid, "story": g.story})
            continue
        item = article_of(entry, (g.story,))
        refined = refine(model_of(story), item, extract(story, item), changes_of(story, corpus))
        for claim in refined:
            key = (g.feed, guid, g.story, claim.slot, claim.op, _norm(claim.value))
            (engine if claim.factuality == "asserted" else engine_other).setdefault(key, claim)
    gold_asserted = {k for k, f in gold_claims.items() if f == "asserted"}
    tp_keys = gold_asserted & set(engine)
    fp_keys = sorted(set(engine) - gold_asserted, key=repr)
    fn_keys = sorted(gold_asserted - set(engine), key=repr)

    def split(index: int | None) -> dict[str, Any]:
        groups: dict[str, Counter[str]] = defaultdict(Counter)

        def group(k: Key) -> str:
            return lang_of[(k[0], k[1])] if index is None else str(k[index])

        for name, keys in (("tp", tp_keys), ("fp", fp_keys), ("fn", fn_keys)):
            for k in keys:
                groups[group(k)][name] += 1
        return {g: _figures(c["tp"], c["fp"], c["fn"]) for g, c in sorted(groups.items())}

    by_factuality: dict[str, Any] = {}
    for fact in FACTUALITIES[1:]:
        keys = [k for k, f in gold_claims.items() if f == fact]
        if keys:
            wrong = sum(1 for k in keys if k in engine)
            by_factuality[fact] = {"gold": len(keys), "engine_asserted": wrong,
                                   "wrongly_asserted_rate": _ratio(wrong, len(keys))}
    not_claims = sum(1 for k in fp_keys if k not in gold_claims)

    def listing(keys: list[Key], source: dict[Key, Claim]) -> list[dict[str, Any]]:
        out = []
        for k in keys:
            claim = source.get(k)
            out.append({
                "feed": k[0], "guid": k[1], "story": k[2], "slot": k[3], "op": k[4],
                "value": _shown(k[5]), "gold": gold_claims.get(k),
                "engine": claim.factuality if claim else None,
                "rule": claim.rule if claim else None, "evidence": claim.evidence if claim else None,
            })
        return out

    return {
        "gold_items": len(gold), "scored_items": scored,
        "gold_claims": len(gold_claims), "gold_asserted": len(gold_asserted),
        "engine_asserted": len(engine),
        "overall": _figures(len(tp_keys), len(fp_keys), len(fn_keys)),
        "per_slot": split(3), "per_language": split(None), "per_story": split(2),
        "per_gold_factuality": by_factuality,
        "false_positives_not_in_gold": not_claims,
        "skipped_stories": missing, "not_found": not_found, "unmatched": unmatched,
        "false_positives": listing(fp_keys, engine),
        "misses": listing(fn_keys, engine_other),
    }


def check() -> None:
    """Raise unless the extraction API, the corpus and a gold file exist (for benchmarks/run.py)."""
    from tracker.stories.extract import extract  # noqa: F401

    if not CORPUS.is_dir():
        raise FileNotFoundError(f"corpus not found at {CORPUS}")
    if not any(GOLD_DIR.glob("*.toml")):
        raise FileNotFoundError(f"no gold files in {GOLD_DIR}")


def measure() -> dict[str, Any]:
    """Score the default gold files against the default corpus (run in a probe process)."""
    return score(load_gold(sorted(GOLD_DIR.glob("*.toml"))), CORPUS)


def run(probe: Any) -> dict[str, Any]:
    """The ``gold`` section of benchmarks/run.py: the scorer's figures, in its own process."""
    return {"status": "ok", **probe("gold.score", "measure")}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, score, print the JSON document."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gold", description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, action="append", metavar="FILE",
                        help="gold file (repeatable; default benchmarks/gold/*.toml)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, metavar="DIR",
                        help="the corpus folder (<feed-id>/<date>.xml)")
    args = parser.parse_args(argv)
    paths = args.gold or sorted(GOLD_DIR.glob("*.toml"))
    if not paths:
        print(f"error: no gold files in {GOLD_DIR}", file=sys.stderr)
        return 2
    if not args.corpus.is_dir():
        print(f"error: corpus folder not found: {args.corpus}", file=sys.stderr)
        return 2
    try:
        gold = load_gold(paths)
    except GoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = score(gold, args.corpus)
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
