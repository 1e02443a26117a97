"""The projection engine: incremental equals rebuild, checkpoints commit with rows, versions."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_projections_helpers import (
    at,
    observed,
    projection_snapshot,
    revised,
    toy_extract,
    toy_rules,
)

from tracker.errors import InputError
from tracker.eventlog.events import ArticleRejected, SlotAsserted
from tracker.eventlog.store import EventStore, NewEvent
from tracker.projections import engine as projection
from tracker.projections import load, query, tables
from tracker.projections.claims import Batch
from tracker.stories import extract as extract_rules
from tracker.stories.definition import ROOT, load_stories

__all__ = ["toy_rules"]


def _chapters() -> list[list[NewEvent]]:
    """Three appends: reports, a revision and a correction, a rejection and more reports."""
    correction = SlotAsserted(
        story="openai", slot="ceo", op="set", value="Emmett Shear", at=at(60).isoformat(),
        source="https://example.org/statement",
    )
    rejection = ArticleRejected(article_id="a3", reason="satire")
    return [
        [
            observed("a1", "Board ousts chief [ceo set Mira Murati interim]", at(8), publisher="Wire A"),
            observed("a2", "Interim chief named [ceo set Mira Murati interim]", at(9), publisher="Wire B"),
            observed("a3", "Director out [board remove Ilya Sutskever]", at(10), publisher="Satire C"),
            observed("a4", "No claim in this one", at(11), publisher="Wire D"),
        ],
        [
            revised("a4", "Updated [board remove Greg Brockman]"),
            NewEvent.from_domain(correction, stream_id="corrections-openai", occurred_at=at(60)),
            observed("a5", "Second chief in days [ceo set Emmett Shear]", at(58), publisher="Wire A"),
        ],
        [
            NewEvent.from_domain(rejection, stream_id="rejections-a3", occurred_at=at(70)),
            observed("a6", "Another view [ceo set Emmett Shear]", at(59), publisher="Wire B"),
            revised("a1", "Board ousts chief, names interim [ceo set Mira Murati interim]"),
            observed("a7", "Other story only [ceo set Sam Altman]", at(61), stories=("elsewhere",)),
        ],
    ]


def test_incremental_updates_equal_a_rebuild_byte_for_byte(
    engine: sa.Engine, toy_rules: None
) -> None:
    store = EventStore(engine)
    stories = load_stories()
    for chapter in _chapters():
        store.append(chapter)
        projection.update(engine, stories, batch_size=2)
    incremental = projection_snapshot(engine)
    projection.rebuild(engine, stories)
    rebuilt = projection_snapshot(engine)
    projection.rebuild(engine, stories, batch_size=3)
    assert rebuilt == incremental
    assert projection_snapshot(engine) == rebuilt
    with engine.connect() as conn:
        positions = [r[0] for r in conn.execute(sa.select(tables.evidence.c.position))]
    assert positions, "the toy reports should have made evidence rows"


def test_revision_supersedes_claims_and_the_prefix_still_sees_the_old_ones(
    engine: sa.Engine, toy_rules: None
) -> None:
    store = EventStore(engine)
    first = store.append([observed("r1", "Named [ceo set Mira Murati interim]", at(1))])[0]
    store.append([revised("r1", "Corrected [ceo set Emmett Shear]")])
    projection.update(engine, load_stories())
    with engine.connect() as conn:
        now = load.load_evidence(conn, "openai")
        then = load.load_evidence(conn, "openai", first.position)
    assert [(a.article_id, [c.value for c in cs]) for a, cs in now] == [("r1", ["Emmett Shear"])]
    assert [(a.article_id, [c.value for c in cs]) for a, cs in then] == [("r1", ["Mira Murati"])]
    assert now[0][0].publisher == "Example Wire"  # inherited from the observed article
    assert now[0][0].published_us == then[0][0].published_us


def test_a_failed_batch_leaves_the_previous_checkpoint_and_rows(
    engine: sa.Engine, toy_rules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EventStore(engine)
    stories = load_stories()
    store.append([observed(f"f{i}", f"Report {i} [board remove Helen Toner]", at(i)) for i in range(6)])
    original = Batch.write

    def write_then_fail(self: Batch, conn: sa.Connection) -> None:
        original(self, conn)
        if self.first > 3:
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(Batch, "write", write_then_fail)
    with pytest.raises(RuntimeError):
        projection.update(engine, stories, batch_size=3)
    with engine.connect() as conn:
        mark = projection.read_checkpoints(conn)[projection.LOG]
        stored = sorted(r[0] for r in conn.execute(sa.select(tables.evidence.c.position)))
    assert mark.position == 3
    assert stored == [1, 2, 3]

    monkeypatch.setattr(Batch, "write", original)
    projection.update(engine, stories, batch_size=3)
    resumed = projection_snapshot(engine)
    projection.rebuild(engine, stories)
    assert projection_snapshot(engine) == resumed


def test_a_new_rules_version_rebuilds_from_position_zero(
    engine: sa.Engine, toy_rules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EventStore(engine)
    stories = load_stories()
    store.append([
        observed("v1", "Two things [ceo set Mira Murati interim] [board remove Helen Toner]", at(1)),
    ])
    projection.update(engine, stories)

    def ceo_only(story, article):  # type: ignore[no-untyped-def]
        return [c for c in toy_extract(story, article) if c.slot == "ceo"]

    monkeypatch.setattr(extract_rules, "extract", ceo_only)
    projection.update(engine, stories)
    with engine.connect() as conn:
        slots = [c.slot for _, cs in load.load_evidence(conn, "openai") for c in cs]
    assert sorted(slots) == ["board", "ceo"]  # same version: nothing is redone

    monkeypatch.setattr(extract_rules, "RULES_VERSION", "toy-2")
    projection.update(engine, stories)
    with engine.connect() as conn:
        slots = [c.slot for _, cs in load.load_evidence(conn, "openai") for c in cs]
        mark = projection.read_checkpoints(conn)[projection.LOG]
    assert slots == ["ceo"]
    assert mark.rules_version == "toy-2"


def test_a_changed_story_file_rebuilds(
    engine: sa.Engine, toy_rules: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "stories"
    folder.mkdir()
    shutil.copy(ROOT / "config" / "stories" / "openai.toml", folder / "openai.toml")
    monkeypatch.setenv("TRACKER_STORIES_DIR", str(folder))
    calls: list[str] = []

    def counting(story, article):  # type: ignore[no-untyped-def]
        calls.append(article.article_id)
        return toy_extract(story, article)

    monkeypatch.setattr(extract_rules, "extract", counting)
    EventStore(engine).append([observed("s1", "Named [ceo set Mira Murati interim]", at(1))])
    projection.update(engine)
    projection.update(engine)
    assert calls == ["s1"]
    path = folder / "openai.toml"
    with path.open("a") as handle:
        handle.write("\n# a comment, and who hears of changes: neither changes what is true\n"
                     '[[alerts]]\nname = "desk"\nkind = "command"\ncommand = "cat"\n')
    projection.update(engine)
    assert calls == ["s1"]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title = "', 'title = "Edited: ', 1), encoding="utf-8")
    projection.update(engine)
    assert calls == ["s1", "s1"]


def test_nothing_new_leaves_the_projection_alone(engine: sa.Engine, toy_rules: None) -> None:
    store = EventStore(engine)
    stories = load_stories()
    store.append([observed("n1", "Named [ceo set Mira Murati interim]", at(1))])
    assert projection.update(engine, stories) == 1
    before = projection_snapshot(engine)
    assert projection.update(engine, stories) == 1
    assert projection_snapshot(engine) == before


def test_concurrent_updaters_apply_each_page_once(engine: sa.Engine, toy_rules: None) -> None:
    store = EventStore(engine)
    stories = load_stories()
    store.append([
        observed(f"c{i}", f"Report {i} [board remove Tasha McCauley]", at(i), publisher=f"P{i % 3}")
        for i in range(40)
    ])
    errors: list[BaseException] = []

    def run() -> None:
        try:
            projection.update(engine, stories, batch_size=4)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    together = projection_snapshot(engine)
    projection.rebuild(engine, stories)
    assert projection_snapshot(engine) == together


def test_unknown_story_is_a_one_line_input_error(engine: sa.Engine) -> None:
    with pytest.raises(InputError, match="unknown story 'nope'"):
        query.state(engine, "nope")


def test_a_new_layout_replaces_tables_left_by_an_older_one(engine: sa.Engine, toy_rules: None) -> None:
    store = EventStore(engine)
    stories = load_stories()
    store.append([observed("o1", "Named [ceo set Mira Murati interim]", at(1))])
    projection.update(engine, stories)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE proj_claims (story VARCHAR(100))")
        conn.execute(
            tables.checkpoints.update()
            .where(tables.checkpoints.c.name == projection.LOG)
            .values(version="an older layout")
        )
    assert projection.update(engine, stories) == 1
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        evidence = load.load_evidence(conn, "openai")
    assert "proj_claims" not in names
    assert [a.article_id for a, _ in evidence] == ["o1"]
