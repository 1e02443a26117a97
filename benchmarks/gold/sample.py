"""Draw the items to label for the gold set: a seeded, stratified sample of matching items.

Usage::

    .venv/bin/python -m benchmarks.gold.sample --lang en [--seed 2023] [--json OUT]
        [--exclude GOLD.toml ...] [--scale 1.0] [--story ID ...]

For each story, every corpus item in the language that the story's match terms
find (the story file's ``[match]`` when it exists, else the terms below) is put
in a stratum by period (before, during and after 17-22 November 2023); each
publisher's feed contributes at least one item, then the quota of each stratum
is filled at random. A second stage adds every item published within a day of
each known change of the story (``WINDOWS``, from the public record), so that
enough items report a change while it is news. The draw depends only on the
corpus and the seed. It lists feed, guid, date and text to read, for labelling
by hand; nothing is labelled. ``--exclude`` leaves out every item (feed, guid)
already named in the given gold files, before anything is drawn, and ``--scale``
multiplies the period quotas, so that a held-out set can be drawn beside the
labelled one; ``--story`` draws other stories than the default five (spain, cruise, upenn,
uk-immigration, pga-tour-board and the other example stories).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.gold.corpus import CORPUS, CorpusItem, feed_languages, find_stories, read_items
from tracker.stories.definition import StoryDefinition
from tracker.stories.match import Matcher

# Match terms for stories whose file is not written yet (sampling only).
FALLBACK_TERMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "binance": (("Binance",), ("Changpeng Zhao*", "Richard Teng*")),
    "argentina": (("Argentina", "Argentine", "Argentinian"), ("Milei*", "Sergio Massa*", "Alberto Fernández*")),
    "uk-cabinet": (("Home Secretary", "Foreign Secretary"), ("Braverman*", "Cleverly*", "David Cameron*")),
    "sejm": (("Sejm",), ("Hołownia*", "Holownia*", "Elżbieta Witek*", "Witek*")),
}
# How many items to draw per story and period (before / during / after 17-22 Nov).
QUOTAS: dict[str, dict[str, int]] = {
    "openai": {"before": 45, "during": 135, "after": 80},
    "binance": {"before": 6, "during": 14, "after": 10},
    "argentina": {"before": 8, "during": 14, "after": 10},
    "uk-cabinet": {"before": 16, "during": 6, "after": 8},
    "sejm": {"before": 6, "during": 3, "after": 6},
    "spain": {"before": 8, "during": 10, "after": 6},
    "cruise": {"before": 8, "during": 10, "after": 8},
    "upenn": {"before": 10, "during": 10, "after": 20},
    "uk-immigration": {"before": 20, "during": 10, "after": 20},
    "pga-tour-board": {"before": 15, "during": 15, "after": 10},
    "netherlands": {"before": 2, "during": 4, "after": 3},
    "poland": {"before": 8, "during": 8, "after": 8},
    "portugal": {"before": 4, "during": 2, "after": 2},
    "houston": {"before": 4, "during": 2, "after": 4},
    "liberia": {"before": 4, "during": 4, "after": 3},
    "sheffield-united": {"before": 4, "during": 2, "after": 4},
    "sunderland": {"before": 3, "during": 2, "after": 3},
    "swansea": {"before": 5, "during": 4, "after": 5},
    "al-ittihad": {"before": 4, "during": 2, "after": 3},
    "us-house-speaker": {"before": 3, "during": 3, "after": 3},
    "bumble": {"before": 3, "during": 2, "after": 2},
    "new-zealand": {"before": 4, "during": 4, "after": 4},
}
# The stories drawn unless --story names others (the ones the first gold set covers).
DEFAULT_STORIES = ("openai", "binance", "argentina", "uk-cabinet", "sejm")
DURING = ("2023-11-17", "2023-11-22")
# A second draw from the day after each known change (from the public record, not
# from the engine), so that enough items report a change as it happens.
WINDOWS: dict[str, tuple[tuple[str, str], ...]] = {
    "openai": (("2023-11-17T20:00", "2023-11-18T20:30"), ("2023-11-20T05:00", "2023-11-21T08:00"),
               ("2023-11-22T05:30", "2023-11-23T06:00"), ("2023-11-29T18:00", "2023-11-30T23:59")),
    "binance": (("2023-11-21T12:00", "2023-11-22T23:59"),),
    "argentina": (("2023-11-19T22:00", "2023-11-20T23:59"), ("2023-12-10T12:00", "2023-12-10T23:59")),
    "uk-cabinet": (("2023-11-13T00:00", "2023-11-14T12:00"),),
    "sejm": (("2023-11-13T00:00", "2023-11-14T23:59"),),
    "spain": (("2023-11-16T09:00", "2023-11-17T23:59"),),
    "cruise": (("2023-11-19T12:00", "2023-11-20T23:59"),),
    "upenn": (("2023-12-09T20:00", "2023-12-10T23:59"),),
    "uk-immigration": (("2023-12-06T17:00", "2023-12-07T20:00"),),
    "pga-tour-board": (("2023-11-14T22:00", "2023-11-16T02:00"), ("2023-11-20T18:00", "2023-11-21T20:00")),
    # The day either side of each transition of tests/data/truth/<id>.toml (bumble's
    # handover falls after the corpus: the day either side of its announcement instead).
    "poland": (("2023-11-12T18:00", "2023-11-14T18:00"), ("2023-11-26T16:00", "2023-11-28T16:00")),
    "portugal": (("2023-11-06T14:00", "2023-11-08T14:00"),),
    "houston": (("2023-12-09T01:30", "2023-12-11T01:30"),),
    "liberia": (("2023-11-16T22:00", "2023-11-18T22:00"),),
    "sheffield-united": (("2023-12-04T12:30", "2023-12-06T12:50"),),
    "sunderland": (("2023-12-03T22:15", "2023-12-05T22:15"),),
    "swansea": (("2023-12-03T22:00", "2023-12-05T22:00"),),
    "al-ittihad": (("2023-11-06T19:00", "2023-11-08T19:00"), ("2023-11-16T12:00", "2023-11-18T12:00")),
    "bumble": (("2023-11-05T12:00", "2023-11-07T12:00"),),
    "new-zealand": (("2023-11-25T22:00", "2023-11-27T22:00"),),
}
WINDOW_QUOTAS = {story_id: 1000 for story_id in QUOTAS}  # every item in a window


def period(day: str) -> str:
    """Return the stratum of a date (YYYY-MM-DD)."""
    if day < DURING[0]:
        return "before"
    return "during" if day <= DURING[1] else "after"


def _definition(story_id: str, stories: dict[str, StoryDefinition]) -> StoryDefinition:
    if story_id in stories:
        return stories[story_id]
    terms, names = FALLBACK_TERMS[story_id]
    return StoryDefinition(id=story_id, title=story_id, path=Path(), terms=terms, names=names,
                           entities=(), raw={}, digest="")


def candidates(lang: str, story_ids: tuple[str, ...] = DEFAULT_STORIES) -> dict[str, list[CorpusItem]]:
    """Return, per story, every matching item in the language, in corpus order."""
    found, _ = find_stories(story_ids)
    definitions = [_definition(s, found) for s in story_ids]
    matcher = Matcher(definitions)
    screen = {t.rstrip("*") for d in definitions for t in (*d.terms, *d.names)}
    languages = feed_languages(CORPUS)
    out: dict[str, list[CorpusItem]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for entry in read_items(CORPUS, screen):
        item_lang = (entry.item.language or languages.get(entry.feed, "")).split("-")[0]
        if item_lang != lang or (entry.feed, entry.guid) in seen:
            continue
        seen.add((entry.feed, entry.guid))
        for story_id in matcher.match(entry.item.title, entry.item.summary):
            out[story_id].append(entry)
    return out


def gold_ids(paths: list[Path]) -> set[tuple[str, str]]:
    """Return the (feed, guid) and (feed, link) of every item named in the gold files."""
    ids: set[tuple[str, str]] = set()
    for path in paths:
        for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("item", []):
            for key in ("guid", "link"):
                if entry.get(key):
                    ids.add((str(entry["feed"]), str(entry[key])))
    return ids


def scaled(quota: dict[str, int], scale: float) -> dict[str, int]:
    """Return the period quotas multiplied by ``scale`` (rounded, at least 1 where non-zero)."""
    return {k: max(1, round(v * scale)) if v else 0 for k, v in quota.items()}


def draw(items: list[CorpusItem], quota: dict[str, int], rng: random.Random) -> list[CorpusItem]:
    """Return a stratified draw: one item per feed first, then each period's quota."""
    by_feed: dict[str, list[CorpusItem]] = defaultdict(list)
    for entry in items:
        by_feed[entry.feed].append(entry)
    chosen: dict[tuple[str, str], CorpusItem] = {}
    for feed in sorted(by_feed):
        pick = rng.choice(by_feed[feed])
        chosen[(pick.feed, pick.guid)] = pick
    for stratum, size in quota.items():
        pool = [e for e in items if period(e.day) == stratum and (e.feed, e.guid) not in chosen]
        have = sum(1 for e in chosen.values() if period(e.day) == stratum)
        for pick in rng.sample(pool, max(0, min(len(pool), size - have))):
            chosen[(pick.feed, pick.guid)] = pick
    return sorted(chosen.values(), key=lambda e: (e.item.published, e.feed, e.guid))


def in_window(entry: CorpusItem, story_id: str) -> bool:
    """Whether an item was published in one of the story's change windows (UTC)."""
    stamp = entry.item.published.strftime("%Y-%m-%dT%H:%M")
    return any(start <= stamp <= end for start, end in WINDOWS.get(story_id, ()))


def draw_windows(items: list[CorpusItem], taken: set[tuple[str, str]], size: int,
                 rng: random.Random) -> list[CorpusItem]:
    """Return up to ``size`` more items from the story's change windows, not already taken."""
    pool = [e for e in items if (e.feed, e.guid) not in taken]
    return sorted(rng.sample(pool, min(size, len(pool))), key=lambda e: (e.item.published, e.feed, e.guid))


def main(argv: list[str] | None = None) -> int:
    """Print the sample as JSON lines (or write them to a file)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--json", type=Path, help="write the sample here instead of stdout")
    parser.add_argument("--exclude", type=Path, action="append", default=[], metavar="GOLD",
                        help="leave out the items this gold file names (repeatable)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the period quotas by this")
    parser.add_argument("--story", action="append", choices=sorted(QUOTAS), metavar="ID",
                        help=f"draw this story (repeatable; default {', '.join(DEFAULT_STORIES)})")
    args = parser.parse_args(argv)
    story_ids: tuple[str, ...] = tuple(s for s in QUOTAS if s in (args.story or DEFAULT_STORIES))
    rng = random.Random(args.seed)
    excluded = gold_ids(args.exclude)
    pools = {story_id: [e for e in items if (e.feed, e.guid) not in excluded
                        and (e.feed, e.item.link or "") not in excluded]
             for story_id, items in candidates(args.lang, story_ids).items()}
    rows: list[dict[str, str]] = []
    taken: dict[str, set[tuple[str, str]]] = {}

    def add(story_id: str, entry: CorpusItem, stage: str) -> None:
        taken.setdefault(story_id, set()).add((entry.feed, entry.guid))
        rows.append({
            "story": story_id, "stage": stage, "feed": entry.feed, "guid": entry.guid,
            "day": entry.day, "period": period(entry.day),
            "published": entry.item.published.isoformat(),
            "title": entry.item.title, "summary": entry.item.summary,
        })

    for story_id in story_ids:
        for entry in draw(pools.get(story_id, []), scaled(QUOTAS[story_id], args.scale), rng):
            add(story_id, entry, "stratified")
    # The second stage has its own generator, so the first stage's draw never changes.
    window_rng = random.Random(args.seed + 1)
    for story_id in story_ids:
        size = WINDOW_QUOTAS[story_id]
        windowed = [e for e in pools.get(story_id, []) if in_window(e, story_id)]
        for entry in draw_windows(windowed, taken.get(story_id, set()), size, window_rng):
            add(story_id, entry, "window")
    print(json.dumps({s: len(v) for s, v in pools.items()}), file=sys.stderr)
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
