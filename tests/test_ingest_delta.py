"""Cutting a feed body into item blocks, so unchanged items are not parsed again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.ingest.delta import split_items
from tracker.ingest.parse import parse_feed

DATA = Path(__file__).parent / "data" / "feeds"


def test_known_blocks_are_dropped_and_the_rest_still_parses() -> None:
    body = (DATA / "good.xml").read_bytes()
    first = split_items(body)
    assert first is not None and len(first.blocks) == 4
    edited = split_items((DATA / "good_edited.xml").read_bytes())
    assert edited is not None and edited.root == first.root
    reduced, skipped = edited.without(frozenset(first.digests))
    assert skipped == 3
    parsed = parse_feed(reduced)
    assert [e["id"] for e in parsed.entries] == ["ng-1003"]
    assert parsed.title == "Northwind Gazette: Technology" and parsed.ttl_seconds == 2700


def test_nothing_new_leaves_a_valid_empty_feed() -> None:
    split = split_items((DATA / "atom.xml").read_bytes())
    assert split is not None
    reduced, skipped = split.without(frozenset(split.digests))
    assert skipped == 2
    parsed = parse_feed(reduced)
    assert parsed.version == "atom10" and parsed.entries == ()


@pytest.mark.parametrize(
    "body",
    [
        (DATA / "utf16.xml").read_bytes(),
        (DATA / "truncated.xml").read_bytes(),
        b'<rss version="2.0"><channel><item><description><![CDATA[a </item> b]]></description></item></channel></rss>',
        b'<rss version="2.0"><channel><item><title>a</title></item><note/><item><title>b</title></item></channel></rss>',
        b"<html><body><item>x</item></body></html>",
    ],
)
def test_unclean_bodies_are_not_cut(body: bytes) -> None:
    assert split_items(body) is None
