"""Read corpus items the way an import does: feed files -> FeedItems -> Articles.

Both the sampler and the scorer go through here, so an item is labelled and
scored in exactly the form the extractor receives in the real pipeline
(``tracker.ingest.importer.read_file`` for the FeedItem, the projection's
Article fields for the rest). Only files holding one of the screen words are
parsed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import CORPUS, ROOT
from tracker.errors import FeedError, TrackerError
from tracker.ingest.importer import read_file
from tracker.ingest.items import FeedItem
from tracker.stories.definition import StoryDefinition, load_story
from tracker.timeutil import to_micros
from tracker.types import Article

__all__ = ["CORPUS", "ROOT", "CorpusItem", "article_of", "feed_languages", "find_stories", "read_items"]

STORY_DIRS = (ROOT / "config" / "stories", ROOT / "config" / "stories" / "examples")
# A fixed "now" for reading the archive: later than every item, so none is in the future.
NOW = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class CorpusItem:
    """One corpus item: the feed folder it came from, its FeedItem, the file's day."""

    feed: str
    day: str
    item: FeedItem

    @property
    def guid(self) -> str:
        return self.item.item_id


def find_stories(ids: Iterable[str]) -> tuple[dict[str, StoryDefinition], dict[str, str]]:
    """Return the stories found by id (config/stories, then examples) and why others are missing."""
    found: dict[str, StoryDefinition] = {}
    missing: dict[str, str] = {}
    for story_id in sorted(set(ids)):
        paths = [d / f"{story_id}.toml" for d in STORY_DIRS if (d / f"{story_id}.toml").is_file()]
        if not paths:
            missing[story_id] = "no story file " + " or ".join(
                str((d / f"{story_id}.toml").relative_to(ROOT)) for d in STORY_DIRS
            )
            continue
        try:
            found[story_id] = load_story(paths[0])
        except TrackerError as exc:
            missing[story_id] = str(exc)
    return found, missing


def feed_languages(corpus: Path) -> dict[str, str]:
    """Return each feed id's declared language from feeds.tsv (lowercase, primary subtag)."""
    languages: dict[str, str] = {}
    lines = (corpus / "feeds.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        cols = line.split("\t")
        if len(cols) >= 4:
            languages[cols[0]] = cols[3].strip().split("-")[0].lower()
    return languages


def read_items(corpus: Path, screen: Iterable[str], feeds: set[str] | None = None) -> Iterator[CorpusItem]:
    """Yield every item of the files that contain a screen word (lowercased bytes), file by file.

    A file that cannot be read or parsed is skipped (the import counts it as an error).
    """
    needles = [w.lower().encode() for w in screen if w]
    for path in sorted(corpus.glob("*/*.xml")):
        feed = path.parent.name
        if feeds is not None and feed not in feeds:
            continue
        if needles:
            data = path.read_bytes().lower()
            if not any(n in data for n in needles):
                continue
        try:
            items, _ = read_file(path, now=NOW)
        except FeedError:
            continue
        for item in items:
            yield CorpusItem(feed, path.stem, item)


def article_of(entry: CorpusItem, stories: tuple[str, ...], position: int = 0) -> Article:
    """Return the Article the projections build from this item's observation."""
    item = entry.item
    published = to_micros(item.published)
    return Article(
        article_id=item.article_id,
        position=position,
        publisher=item.publisher,
        link=item.link,
        title=item.title,
        summary=item.summary,
        language=item.language,
        published_us=published,
        recorded_us=max(published, to_micros(item.seen_at)),
        content_hash=item.content_hash,
        stories=stories,
    )
