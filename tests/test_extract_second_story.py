"""A second story needs only a new story file: its entities, slots and events drive the rules."""

from __future__ import annotations

from pathlib import Path

from factories import article

from tracker.stories.corroborate import resolve
from tracker.stories.definition import load_story
from tracker.stories.extract import extract
from tracker.stories.state import state_at, value_of

STORY_FILE = """
id = "globex"
title = "Globex leadership"

[match]
terms = ["Globex"]
names = ["Hank Scorpio*", "Jane Doyle*"]

[[entity]]
id = "globex"
name = "Globex"
kind = "organisation"
aliases = ["Globex", "Globex Corp"]

[[entity]]
id = "hank"
name = "Hank Scorpio"
aliases = ["Hank Scorpio", "Scorpio"]
ambiguous = ["Scorpio"]

[[entity]]
id = "jane"
name = "Jane Doyle"
aliases = ["Jane Doyle", "Doyle"]

[slots.ceo]
kind = "single"
body = "globex"
qualifiers = ["interim"]
roles = { en = ["chief executive", "CEO", "boss"] }

[slots.board]
kind = "set"
body = "globex"
qualifiers = ["chair"]
roles = { en = ["board"] }

[baseline]
as_of = "2024-01-01T00:00:00Z"
source = "https://globex.example/about"
ceo = "hank"
board = ["hank", "jane"]

[corroboration]
publishers = 2
window_hours = 6
quiet_hours = 48
authoritative = ["globex.example"]

"""


def test_a_new_story_file_alone_tracks_a_new_organisation(tmp_path: Path) -> None:
    path = tmp_path / "globex.toml"
    path.write_text(STORY_FILE, encoding="utf-8")
    story = load_story(path)
    items = [
        article("Globex fires chief executive Hank Scorpio", publisher="daily.example",
                at="2024-03-01T10:00:00Z"),
        article("Hank Scorpio ousted at Globex; Jane Doyle named interim CEO", publisher="wire.example",
                at="2024-03-01T11:00:00Z"),
        article("Jane Doyle becomes interim CEO of Globex", publisher="daily.example",
                at="2024-03-01T12:00:00Z"),
        article("OpenAI fires Sam Altman", publisher="daily.example", at="2024-03-01T12:00:00Z"),
    ]
    evidence = [(a, extract(story, a)) for a in items]
    assert evidence[3][1] == []
    transitions = resolve(story, evidence)
    after = state_at(story, transitions, None)
    assert value_of(after, "ceo") == "Jane Doyle"
    assert value_of(after, "board") == ("Jane Doyle",)
    before = state_at(story, transitions, items[0].published_us - 1)
    assert value_of(before, "ceo") == "Hank Scorpio"
