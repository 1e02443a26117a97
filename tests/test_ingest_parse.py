"""Parsing and normalising feed bodies, hostile ones included (no database)."""

from __future__ import annotations

import resource
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker.errors import ParseError
from tracker.ingest.normalize import (
    MAX_SUMMARY,
    canonical_link,
    content_hash,
    normalize,
    plain_text,
    registrable_domain,
)
from tracker.ingest.parse import defuse, parse_feed

DATA = Path(__file__).parent / "data" / "feeds"
SEEN = datetime(2023, 11, 25, 12, 0, tzinfo=UTC)
FEED = "https://feeds.example/x.xml"


def items_of(name: str) -> list:
    return normalize(parse_feed((DATA / name).read_bytes()), FEED, seen_at=SEEN)


def test_rss_items_are_normalised() -> None:
    items = items_of("good.xml")
    assert [i.item_id for i in items] == ["ng-1001", "ng-1002", "ng-1003", "ng-1004"]
    first = items[0]
    assert first.summary == "Directors of the AI lab gathered for an unscheduled session, a spokesperson said."
    assert first.link == "https://www.northwind-gazette.example/tech/2023/11/board-meets?id=7"
    assert first.publisher == "northwind-gazette.example"
    assert first.language == "en-gb"
    assert first.published == datetime(2023, 11, 17, 20, 5, tzinfo=UTC)
    assert first.published_raw == "Fri, 17 Nov 2023 20:05:00 GMT"
    # A local offset is converted to UTC.
    assert items[2].published == datetime(2023, 11, 18, 8, 30, tzinfo=UTC)
    assert len({i.article_id for i in items}) == 4


def test_article_ids_are_stable_and_depend_on_the_feed() -> None:
    parsed = parse_feed((DATA / "good.xml").read_bytes())
    again = normalize(parsed, FEED, seen_at=SEEN)
    other = normalize(parsed, "https://elsewhere.example/feed", seen_at=SEEN)
    assert [i.article_id for i in items_of("good.xml")] == [i.article_id for i in again]
    assert items_of("good.xml")[0].article_id != other[0].article_id


def test_atom_language_comes_from_the_entry() -> None:
    items = items_of("atom.xml")
    assert items[0].language == "fr"
    assert items[0].title == "Chez OpenAI, la direction change encore de visage"
    assert items[0].published == datetime(2023, 11, 20, 6, 45, tzinfo=UTC)


def test_repeated_guids_are_told_apart_and_exact_duplicates_dropped() -> None:
    items = items_of("dup_guids.xml")
    assert len(items) == 2
    assert items[0].item_id == "same-guid"
    assert items[1].item_id.startswith("same-guid#")
    assert items[0].article_id != items[1].article_id


def test_items_without_guid_use_the_link_else_a_content_hash() -> None:
    items = items_of("no_guids.xml")
    assert items[0].item_id == "https://ledger.example/interim"
    assert items[1].item_id.startswith("sha256:")
    assert items[1].link is None
    assert items[1].publisher == "feeds.example"  # falls back to the feed's domain


def test_missing_invalid_and_future_dates_become_first_seen() -> None:
    items = {i.item_id: i for i in items_of("dates.xml")}
    for key in ("cm-1", "cm-2", "cm-3"):
        assert items[key].published == SEEN
        assert items[key].published_inferred
    assert items["cm-2"].published_raw == "the day after tomorrow"
    assert items["cm-3"].published_raw == "Thu, 01 Jan 2099 00:00:00 GMT"
    assert items["cm-4"].published == datetime(2023, 11, 21, 12, tzinfo=UTC)
    assert not items["cm-4"].published_inferred


def test_scripts_styles_and_javascript_links_are_removed() -> None:
    [item] = items_of("script.xml")
    assert item.title == "OpenAI update"
    assert item.summary == "Board news\nand more."   # the paragraph ends where its </p> was
    assert "script" not in item.summary and "cookie" not in item.summary
    assert item.link is None


def test_billion_laughs_does_not_expand() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parsed = parse_feed((DATA / "billion_laughs.xml").read_bytes())
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after - before < 50 * 1024  # KiB: no gigabytes of "lol"
    assert all(len(e.get("title", "")) < 100 for e in parsed.entries)


def test_external_entities_are_not_resolved() -> None:
    body = (DATA / "xxe.xml").read_bytes()
    try:
        items = normalize(parse_feed(body), FEED, seen_at=SEEN)
    except ParseError:
        return
    assert all("root:" not in i.summary and "root:" not in i.title for i in items)


def test_defuse_cuts_only_an_entity_declaring_dtd() -> None:
    plain = b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://x/rss.dtd"><rss/>'
    assert defuse(plain) == plain
    assert b"ENTITY" not in defuse((DATA / "billion_laughs.xml").read_bytes())


@pytest.mark.parametrize("name", ["garbage.bin", "html_page.html"])
def test_non_feeds_are_errors(name: str) -> None:
    with pytest.raises(ParseError):
        parse_feed((DATA / name).read_bytes())


@pytest.mark.parametrize("body", [b"", b"   \n"])
def test_an_empty_body_is_an_error(body: bytes) -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_feed(body)


def test_a_truncated_feed_keeps_its_complete_items_as_partial() -> None:
    parsed = parse_feed((DATA / "truncated.xml").read_bytes())
    assert parsed.bozo and parsed.partial
    items = normalize(parsed, FEED, seen_at=SEEN)
    assert items[0].item_id == "ng-1001"
    assert all(i.partial for i in items)
    assert all(i.title or i.summary or i.link for i in items)


def test_a_wrong_declared_encoding_is_read_with_a_warning() -> None:
    parsed = parse_feed((DATA / "wrong_encoding.xml").read_bytes())
    assert parsed.warning is not None
    items = normalize(parsed, FEED, seen_at=SEEN)
    assert items[0].title == "OpenAI board meets, déjà vu for the café crowd"
    assert not items[0].partial


def test_utf16_feeds_parse_like_utf8() -> None:
    assert [i.content_hash for i in items_of("utf16.xml")] == [i.content_hash for i in items_of("good.xml")]


def test_a_body_is_never_taken_for_a_file_name(tmp_path: Path) -> None:
    target = tmp_path / "secret.xml"
    target.write_bytes((DATA / "good.xml").read_bytes())
    with pytest.raises(ParseError):
        parse_feed(str(target).encode())


def test_helpers() -> None:
    assert plain_text("<p>a &amp; b</p>\n<!-- c -->  d", 100) == "a & b d"
    assert plain_text("&lt;script&gt;x()&lt;/script&gt;ok", 100) == "ok"
    assert canonical_link("HTTPS://Example.COM/a?utm_source=x&b=1#frag") == "https://example.com/a?b=1"
    assert canonical_link("mailto:someone@example.com") is None
    assert registrable_domain("www.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain("feeds.arstechnica.com") == "arstechnica.com"
    assert registrable_domain("127.0.0.1") == "127.0.0.1"
    # The Public Suffix List, not a short list: any country's second level, and
    # sites under shared hosting names are publishers of their own.
    assert registrable_domain("www.dawn.com.pk") == "dawn.com.pk"
    assert registrable_domain("www.abc.net.au") == "abc.net.au"
    assert registrable_domain("wiadomosci.gazeta.pl") == "gazeta.pl"
    assert registrable_domain("someone.github.io") == "someone.github.io"
    assert registrable_domain("another.blogspot.com") != registrable_domain("someone.blogspot.com")
    assert registrable_domain("localhost") == "localhost"
    assert registrable_domain("co.uk") == "co.uk"


@pytest.mark.parametrize(("markup", "kept"), [
    ("<p>Analysis: why she could be next</p><p>The board fired him on Friday.</p>",
     "Analysis: why she could be next\nThe board fired him on Friday."),
    ("Earlier news.<h2>A heading without a full stop</h2>The story goes on",
     "Earlier news.\nA heading without a full stop\nThe story goes on"),
    ("<figure><img src='x.jpg'><figcaption>Photo by A. Nyone</figcaption></figure>Body text",
     "Photo by A. Nyone\nBody text"),
    ("First line<br/>second line<BR>third", "First line\nsecond line\nthird"),
    ("plain text\nwrapped on two lines\n\nand a second paragraph",
     "plain text wrapped on two lines\nand a second paragraph"),
    ("&lt;p&gt;escaped&lt;/p&gt;&lt;p&gt;markup&lt;/p&gt;", "escaped\nmarkup"),
    ("<b>bold</b> and <i>italic</i> stay in one <span>line</span>", "bold and italic stay in one line"),
    ("<p></p><p>   </p><div>only this</div>", "only this"),
])
def test_a_summary_keeps_its_paragraphs_one_per_line(markup: str, kept: str) -> None:
    summary = plain_text(markup, MAX_SUMMARY, paragraphs=True)
    assert summary == kept
    # Collapsed, it is the text as a title is kept, and its content hash is the collapsed text's:
    # a feed polled again after an upgrade revises nothing.
    flat = plain_text(markup, MAX_SUMMARY)
    assert summary.replace("\n", " ") == flat
    assert content_hash("T", summary) == content_hash("T", flat)


def test_a_long_summary_is_cut_where_the_collapsed_text_is() -> None:
    markup = "<p>" + "</p><p>".join(f"paragraph number {i} of many" for i in range(2000)) + "</p>"
    summary = plain_text(markup, MAX_SUMMARY, paragraphs=True)
    flat = plain_text(markup, MAX_SUMMARY)
    assert len(summary) == len(flat) == MAX_SUMMARY
    assert content_hash("T", summary) == content_hash("T", flat)
