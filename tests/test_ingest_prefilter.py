"""The import's pre-filter: items no story can match skip the parse, with the same events."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker import db
from tracker.eventlog.store import EventStore
from tracker.ingest.importer import import_paths
from tracker.ingest.parse import parse_feed
from tracker.ingest.prefilter import may_match, minimal_words, screen
from tracker.stories.definition import stories_dir

NOW = datetime(2023, 12, 1, tzinfo=UTC)
WORDS = ("openai", "altman")


def rss(*items: str, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    body = "".join(items)
    return (f"{declaration}<rss version=\"2.0\"><channel><title>T</title>"
            f"<link>https://news.example/</link>{body}</channel></rss>").encode()


def item(title: str, guid: str, date: str = "Fri, 17 Nov 2023 20:00:00 GMT", extra: str = "") -> str:
    return (f"<item><title>{title}</title><link>https://news.example/{guid}</link>"
            f"<guid>{guid}</guid><pubDate>{date}</pubDate>{extra}</item>")


@pytest.mark.parametrize("text", [
    "Open&#65;I names a chief",           # a character reference inside the word
    "<![CDATA[OpenAI names a chief]]>",   # CDATA
    "Sam &amp;#65;ltman returns",         # entity-encoded twice (XML, then HTML)
    "<![CDATA[Open&shy;AI]]>x".replace("&shy;", ""),
    "ALTMANA wraca",                      # case and an inflected ending
])
def test_encoded_mentions_are_kept(text: str) -> None:
    assert may_match(item(text, "g1").encode(), WORDS)


def test_a_block_without_any_word_is_stubbed() -> None:
    assert not may_match(item("Weather for the weekend", "g2").encode(), WORDS)
    body = rss(item("Weather for the weekend", "w1", extra="<description>Rain, &lt;b&gt;wind&lt;/b&gt;</description>"),
               item("OpenAI board meets", "o1"),
               item("Late news about football", "w2", date="Sat, 18 Nov 2023 09:00:00 GMT"))
    screened, stubbed = screen(body, WORDS)
    assert stubbed == 2
    whole, cut = parse_feed(body), parse_feed(screened)
    assert len(cut.entries) == len(whole.entries) == 3
    assert [e["id"] for e in cut.entries] == [e["id"] for e in whole.entries]
    assert [e["link"] for e in cut.entries] == [e["link"] for e in whole.entries]
    assert [e["published_parsed"] for e in cut.entries] == [e["published_parsed"] for e in whole.entries]
    assert cut.entries[1]["title"] == "OpenAI board meets"
    assert cut.entries[0]["title"] == "-"


def test_other_encodings_and_unclean_cuts_are_parsed_whole() -> None:
    latin = rss(item("Weather", "w1"), declaration='<?xml version="1.0" encoding="iso-8859-1"?>')
    assert screen(latin, WORDS) == (latin, 0)
    broken = b"<rss><channel><item><title>x</title></channel></rss>"
    assert screen(broken, WORDS) == (broken, 0)
    invalid = rss(item("Caf\xe9", "w1")).replace("Caf\xe9".encode(), b"Caf\xe9")
    assert screen(invalid, WORDS) == (invalid, 0)


def _events(url: str) -> list[tuple[str, str, object]]:
    engine = db.open_database(url)
    try:
        return [(e.stream_id, e.type, e.payload) for e in EventStore(engine).read()]
    finally:
        engine.dispose()


@pytest.mark.corpus
@pytest.mark.slow
def test_the_corpus_appends_the_same_events_with_and_without_it(corpus_dir: Path,
                                                                  tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / name}.sqlite" for name in ("plain", "screened")]
    summaries = []
    for url, prefilter in zip(urls, (False, True), strict=True):
        engine = db.open_database(url)
        summaries.append(import_paths(engine, [corpus_dir], clock=lambda: NOW,
                                      prefilter=prefilter, update_projections=False))
        engine.dispose()
    plain, screened = (_events(url) for url in urls)
    assert len(plain) > 400
    assert screened == plain
    assert summaries[1].items == summaries[0].items
    assert summaries[1].matched == summaries[0].matched


def test_minimal_words_screen_the_same_texts() -> None:
    words = ("openai", "openaivex", "altman", "altmanvex", "vexopenai", "toner")
    assert minimal_words(words) == ("altman", "openai", "toner")
    for text in ("an openaivex story", "altmanvex", "Toner", "nothing here", "vexopenai"):
        low = text.lower()
        assert any(w in low for w in words) == any(w in low for w in minimal_words(words))


DEMO = Path(__file__).resolve().parent.parent / "tracker" / "data" / "demo"
_NAMES = re.compile(r"OpenAI|Open AI|ChatGPT|Microsoft|Altman|Murati|Shear|Brockman|Sutskever"
                    r"|Toner|McCauley|D'Angelo|D’Angelo|Taylor|Summers")


def test_a_story_added_later_finds_its_items_on_reimport(sqlite_url: str, tmp_path: Path) -> None:
    shipped = (stories_dir() / "openai.toml").read_text(encoding="utf-8")
    folder = tmp_path / "stories"
    folder.mkdir()
    other = re.sub(r'(?m)^id = "openai"$', 'id = "other"', shipped, count=1)
    (folder / "other.toml").write_text(_NAMES.sub(lambda m: m.group(0) + "zq", other),
                                       encoding="utf-8")
    engine = db.open_database(sqlite_url)
    files = sorted(DEMO.glob("*.xml"))
    first = import_paths(engine, files, stories_dir=folder, update_projections=False)
    assert first.appended == 0  # the renamed story matches nothing in the demo feeds
    (folder / "openai.toml").write_text(shipped, encoding="utf-8")
    second = import_paths(engine, files, stories_dir=folder, update_projections=False)
    engine.dispose()
    fresh = db.open_database(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    plain = import_paths(fresh, files, update_projections=False, prefilter=False)
    fresh.dispose()
    assert second.appended == plain.appended > 20
