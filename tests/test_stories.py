"""Story files: one validated format, checked key by key; ``tracker stories`` lists, checks, starts one.

Every mistake in a story file is refused in one line that names the file, the
line and the valid choices, with exit status 1; nothing is silently ignored.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from factories import article

from tracker.cli import main
from tracker.stories import definition
from tracker.stories.corroborate import resolve
from tracker.stories.definition import ROOT, load_story
from tracker.stories.extract import extract, rules
from tracker.stories.state import state_at, value_of

GOOD = '''id = "acme"
title = "Acme"

[match]
terms = ["Acme"]

[[entity]]
id = "acme"
name = "Acme"
kind = "company"
aliases = ["Acme"]

[[entity]]
id = "ann"
name = "Ann Lee"
aliases = ["Ann Lee", "Lee"]

[slots.ceo]
kind = "single"
body = "acme"
qualifiers = ["interim"]
roles.en = ["CEO"]

[baseline]
as_of = "2024-01-01T00:00:00Z"
ceo = "ann"
'''


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main(args)
    out, err = capsys.readouterr()
    return int(stop.value.code or 0), out, err


def check(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "story.toml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run(["stories", "check", str(path)], capsys)
    assert "Traceback" not in err
    return code, err.strip()


def test_a_good_story_file_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = check(tmp_path, GOOD, capsys)
    assert code == 0 and err == ""


# (what is changed, unused, words the message must contain)
BAD = [
    (('title = "Acme"', 'title = "Acme"\ncolour = "red"'), 0, ["unknown key 'colour'", "valid: id, title"]),
    (('kind = "single"', 'kind = "single"\nbodyy = "acme"'), 0, ["unknown key 'bodyy'", "[slots.ceo]", "body, subject, roles"]),
    (('kind = "single"', 'kind = "singular"'), 0, ["kind 'singular'", "single, set, tags"]),
    (('body = "acme"', 'body = "acne"'), 0, ["'acne' is not an entity id", "one of: acme"]),
    (('body = "acme"', 'body = "ann"'), 0, ["'ann' is not an entity id of a body"]),
    (('qualifiers = ["interim"]', 'qualifiers = ["chair"]'), 0, ["qualifier 'chair'", "one of: interim, elect"]),
    (('roles.en = ["CEO"]', 'roles.xx = ["CEO"]'), 0, ["unknown language 'xx'", "en, fr, pl"]),
    (('roles.en = ["CEO"]', 'roles.en = ["CEO"]\nseats.xx = ["Acme Tower"]'), 0, ["unknown language 'xx'", "seats"]),
    (('roles.en = ["CEO"]', 'seats.en = "Acme Tower"\nroles.en = ["CEO"]'), 0, ["seats.en must be a list"]),
    (('kind = "company"', 'kind = "firm"'), 0, ["kind 'firm'", "person, company"]),
    (('ceo = "ann"', 'ceo = "bob"'), 0, ["baseline.ceo", "'bob' is not a known entity"]),
    (('ceo = "ann"', 'ceo = "ann"\nboard = ["ann"]'), 0, ["baseline.board", "unknown key"]),
    (('[match]', '[roles]\norganisation = "acme"\n\n[match]'), 0, ["unknown key 'roles'", "body ="]),
    (('roles.en = ["CEO"]', 'roles.en = ["CEO"]\n\n[events]\n"sack ceo" = ["ceo remove $person"]'), 27,
     ["'sack ceo' is not 'KIND TARGET'", "appoint, elect"]),
    (('roles.en = ["CEO"]', 'roles.en = ["CEO"]\n\n[events]\n"appoint ceo" = ["ceo fire $person"]'), 27,
     ["bad operation 'ceo fire $person'", "set, clear"]),
    (('roles.en = ["CEO"]', 'roles.en = ["CEO"]\n\n[events]\n"appoint board" = ["ceo set $person"]'), 27,
     ["'board' is not a slot or a body"]),
    (('roles.en = ["CEO"]', 'roles.en = ["CEO"]\n\n[events]\n"appoint ceo" = ["ceo set $who"]'), 27,
     ["unknown variable '$who'"]),
    (('qualifiers = ["interim"]\nroles.en = ["CEO"]', 'roles.en = ["CEO"]\n\n[events]\n"resign ceo" = ["ceo stay $person"]'), 0,
     ["'stay' marks the holder interim", "qualifiers"]),
    (('terms = ["Acme"]', 'terms = "Acme"'), 0, ["match.terms must be a list"]),
    (('[baseline]', '[corroboration]\npublisherz = 2\n\n[baseline]'), 0, ["unknown key 'publisherz'", "window_hours"]),
    (('qualifiers = ["interim"]', 'qualifiers = ["interim", "elect"]\n\n[slots.ceo_elect]\nkind = "single"'), 20,
     ["'ceo_elect' is defined twice"]),
    (('ceo = "ann"', 'ceo = "ann"\n\n[[alerts]]\nname = "desk"\nkind = "command"\ncommand = "cat"\nchannel = "x"'), 0, ["unknown key 'channel'", "[[alerts]]", "valid: name, kind"]),
    (('ceo = "ann"', 'ceo = "ann"\n\n[[alerts]]\nname = "desk"\nkind = "pager"\ncommand = "cat"'), 0,
     ["alert kind 'pager'", "webhook, command, apprise"]),
    (('ceo = "ann"', 'ceo = "ann"\n\n[[alerts]]\nname = "desk"\nkind = "command"\ncommand = "cat"\nurl = "https://hooks.example/x"'), 0, ["'url' does not go with", "command"]),
    (('ceo = "ann"', 'ceo = "ann"\n\n[[alerts]]\nname = "desk"\nkind = "webhook"\nurl = "https://hooks.example/x"'), 0,
     ["webhook alert 'desk'", "secret_env ="]),
    (('ceo = "ann"', 'ceo = "ann"\n\n[[alerts]]\nname = "desk"\nkind = "webhook"\nurl = "ftp://hooks"\nsecret_env = "S"'), 0,
     ["'ftp://hooks'", "http(s) URL"]),
    (('ceo = "ann"', 'ceo = "ann"\n\n[[alerts]]\nname = "desk"\nkind = "command"\ncommand = "cat"\nslots = ["cfo"]'), 0, ["unknown slot 'cfo'", "valid: ceo"]),
    (('ceo = "ann"', 'ceo = "ann"\n\n[[alerts]]\nname = "desk"\nkind = "command"\ncommand = "cat"\n\n[[alerts]]\nname = "desk"\nkind = "command"\ncommand = "cat"'), 0, ["alert 'desk' is declared twice"]),
]


@pytest.mark.parametrize(("change", "words"), [(c, w) for c, _, w in BAD], ids=[b[2][0][:40] for b in BAD])
def test_each_mistake_is_one_line_naming_file_line_and_choices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], words: list[str]
) -> None:
    old, new = change
    assert old in GOOD
    # The line the message names: the first line of the change with the offending key or value.
    text = GOOD.replace(old, new, 1)
    marker = next(w.split("'")[1] for w in words if "'" in w) if any("'" in w for w in words) else words[0]
    start = GOOD.index(old)
    line = next(start_line + 1 for start_line, body in enumerate(text.splitlines())
                if start_line >= GOOD[:start].count("\n") and marker.split(".")[-1].split(" ")[0] in body)
    code, err = check(tmp_path, text, capsys)
    assert code == 1
    assert len(err.splitlines()) == 1
    assert err.startswith(f"error: {tmp_path / 'story.toml'}:{line}: "), err
    for word in words:
        assert word in err, err


def test_invalid_toml_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = check(tmp_path, GOOD.replace('title = "Acme"', 'title = "Acme'), capsys)
    assert code == 1 and "invalid TOML" in err and "line 2" in err


def test_stories_lists_each_story_and_its_offices(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["stories", "--json"], capsys)
    assert code == 0
    import orjson

    found = {s["id"]: s for s in orjson.loads(out)}
    slots = {o["slot"]: o for o in found["openai"]["offices"]}
    assert set(slots) == {"ceo", "board", "microsoft"}
    assert slots["ceo"]["body"] == "OpenAI" and slots["ceo"]["head"] is True
    assert slots["microsoft"]["tags"] == ["investor", "employer", "board-observer"]


def test_a_new_story_template_checks_and_a_bad_id_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["stories", "new", "acme-board", "--title", "Acme board"], capsys)
    assert code == 0 and 'id = "acme-board"' in out
    code, err = check(tmp_path, out, capsys)
    assert code == 0, err
    code, _, err = run(["stories", "new", "Acme Board"], capsys)
    assert code == 2 and "lowercase identifier" in err


def test_a_story_without_slots_has_none_everywhere(tmp_path: Path) -> None:
    from tracker.projections.slots import slot_specs
    from tracker.stories.spec import model_of

    path = tmp_path / "lab.toml"
    path.write_text('id = "lab"\n[match]\nterms = ["lab"]\n', encoding="utf-8")
    story = load_story(path)
    assert model_of(story).slots == () and slot_specs(story) == {}


def test_the_rules_version_is_a_hash_of_the_rule_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = rules.data_digest()
    copy = tmp_path / "languages"
    shutil.copytree(rules.FOLDER, copy)
    monkeypatch.setattr(rules, "FOLDER", copy)
    assert rules.data_digest() == before
    with (copy / "en" / "cues.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n# an edit\n")
    assert rules.data_digest() != before


COACH = '''id = "rovers"
title = "Rovers dugout"

[match]
terms = ["Rovers"]
names = ["Tom Hale*", "Ben Cole*"]

[[entity]]
id = "rovers"
name = "Rovers FC"
kind = "organisation"
aliases = ["Rovers FC", "Rovers"]

[[entity]]
id = "tom"
name = "Tom Hale"
aliases = ["Tom Hale", "Hale"]

[[entity]]
id = "ben"
name = "Ben Cole"
aliases = ["Ben Cole", "Cole"]

[slots.head_coach]
kind = "single"
body = "rovers"
qualifiers = ["interim"]
roles.en = ["head coach", "manager"]

[baseline]
as_of = "2025-01-01T00:00:00Z"
head_coach = "tom"
'''


def test_an_office_no_rule_knows_is_tracked_from_its_story_file_alone(tmp_path: Path) -> None:
    # The office's words appear nowhere in the code or the rule data: only in this story file.
    for path in (ROOT / "tracker").rglob("*"):
        if path.suffix in (".py", ".toml") and "case_stories" not in path.parts:
            assert not re.search(r"\bcoach", path.read_text(encoding="utf-8"), re.I), path
    path = tmp_path / "rovers.toml"
    path.write_text(COACH, encoding="utf-8")
    story = load_story(path)
    items = [
        article("Rovers sack head coach Tom Hale after ten straight defeats", publisher="a.example",
                at="2025-03-02T09:00:00Z"),
        article("Tom Hale fired as Rovers manager", publisher="b.example", at="2025-03-02T09:40:00Z"),
        article("Rovers name Ben Cole interim head coach", publisher="a.example", at="2025-03-03T12:00:00Z"),
        article("Ben Cole appointed Rovers manager on an interim basis", publisher="c.example",
                at="2025-03-03T13:00:00Z"),
        article("Could Ben Cole be the next Rovers manager?", publisher="d.example", at="2025-03-01T12:00:00Z"),
    ]
    evidence = [(a, extract(story, a)) for a in items]
    assert not [c for c in evidence[4][1] if c.factuality == "asserted"]
    transitions = resolve(story, evidence)
    assert value_of(state_at(story, transitions, items[0].published_us - 1), "head_coach") == "Tom Hale"
    between = state_at(story, transitions, items[2].published_us - 1)
    assert value_of(between, "head_coach") is None
    after = state_at(story, transitions, None)
    assert value_of(after, "head_coach") == "Ben Cole"
    assert next(s for s in after.slots if s.slot == "head_coach").interim is True


def test_story_files_shipped_as_examples_check() -> None:
    for path in sorted((ROOT / "config" / "stories").rglob("*.toml")):
        assert load_story(path).id
    assert definition.ENTITY_KINDS[0] == "person"


def test_the_readme_example_story_reads_what_the_readme_says(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"A complete story about two offices of one government:\n\n```toml\n(.*?)```", text, re.S)
    assert block is not None
    path = tmp_path / "cabinet.toml"
    path.write_text(block.group(1), encoding="utf-8")
    story = load_story(path)

    def asserted(title: str) -> set[tuple[str, str, object]]:
        return {(c.slot, c.op, c.value) for c in extract(story, article(title)) if c.factuality == "asserted"}

    assert ("home_secretary", "remove", "Ann Lee") in asserted("Ode sacks Ann Lee")
    assert asserted("Lee fired as Home Secretary") == {("home_secretary", "remove", "Ann Lee")}
    assert asserted("Bob Marsh moves from the Foreign Office to become Home Secretary") == {
        ("home_secretary", "set", "Bob Marsh")}
    assert asserted("Marsh replaces Lee as interior minister") == {("home_secretary", "set", "Bob Marsh")}
    assert asserted("Marsh named Home Secretary") == {("home_secretary", "set", "Bob Marsh")}
    for trap in ("Lee could be sacked", "Will Marsh become Home Secretary?", "Lee denies she will resign"):
        assert asserted(trap) == set(), trap
