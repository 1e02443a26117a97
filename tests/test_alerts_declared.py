"""Alert targets a story file declares (``[[alerts]]``): validated with the story, kept in
step with the file, signed with a secret read from the environment, and outside the
story's projection version (who hears of a change does not change what is true)."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from alertprocs import ROOT, Receiver, demo, run

from tracker.stories.definition import load_story

pytestmark = pytest.mark.slow
OPENAI = ROOT / "config" / "stories" / "openai.toml"


def _declare(folder: Path, alerts: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "openai.toml"
    path.write_text(OPENAI.read_text(encoding="utf-8") + "\n" + alerts, encoding="utf-8")
    return path


def _targets(db: Path) -> dict[str, dict[str, object]]:
    return {t["name"]: t for t in orjson.loads(run(db, "alerts", "list", "--json").stdout)}


def test_declared_targets_follow_the_file_and_leave_the_projections_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "stories"
    path = _declare(folder, '[[alerts]]\nname = "desk"\nkind = "command"\ncommand = "cat"\n'
                            'slots = ["ceo"]\n')
    assert load_story(path).digest == load_story(OPENAI).digest   # no rebuild for a subscription
    monkeypatch.setenv("TRACKER_STORIES_DIR", str(folder))
    db = tmp_path / "d.sqlite"
    listed = run(db, "stories").stdout
    assert "alerts desk: command (ceo)" in listed
    found = _targets(db)
    assert found["desk"]["declared_in"] == "openai"
    assert (found["desk"]["kind"], found["desk"]["address"], found["desk"]["slots"]) == (
        "command", "cat", ["ceo"])
    first_id = found["desk"]["id"]

    _declare(folder, '[[alerts]]\nname = "desk"\nkind = "command"\ncommand = "tee out.jsonl"\n')
    found = _targets(db)
    assert found["desk"]["address"] == "tee out.jsonl" and found["desk"]["slots"] is None
    assert found["desk"]["id"] == first_id                          # the same target, edited

    refused = run(db, "alerts", "remove", "desk", check=False)
    assert refused.returncode != 0 and len(refused.stderr.strip().splitlines()) == 1
    assert "declared in story 'openai'" in refused.stderr

    added = run(db, "alerts", "add", "ops", "--command", "cat")
    assert added.returncode == 0
    _declare(folder, "")
    assert set(_targets(db)) == {"ops"}          # gone from the file, gone; the added one stays

    _declare(folder, '[[alerts]]\nname = "ops"\nkind = "command"\ncommand = "cat"\n')
    clash = run(db, "alerts", "list", check=False)
    assert clash.returncode == 1 and len(clash.stderr.strip().splitlines()) == 1
    assert "openai.toml: alert 'ops': a target of that name was added" in clash.stderr


def test_a_declared_webhook_hears_each_change_once_signed_with_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "stories"
    secret = "declared-secret"
    with Receiver(secret=secret) as receiver:
        _declare(folder, f'[[alerts]]\nname = "desk"\nkind = "webhook"\nurl = "{receiver.url}"\n'
                         'secret_env = "DESK_SECRET"\n')
        monkeypatch.setenv("TRACKER_STORIES_DIR", str(folder))
        db = tmp_path / "w.sqlite"
        demo(db)
        timeline = orjson.loads(run(db, "timeline", "--json").stdout)

        # Without its secret the target waits: nothing is sent, no attempt is spent.
        monkeypatch.delenv("DESK_SECRET", raising=False)
        unsigned = run(db, "alerts", "send", "--base-delay", "0")
        assert f"delivered 0, retrying 0, failed 0, held {len(timeline)}" in unsigned.stdout
        assert "desk: the signing secret's variable DESK_SECRET is not set" in unsigned.stdout
        assert receiver.requests == 0
        log = orjson.loads(run(db, "alerts", "log", "-n", "1", "--json").stdout)
        assert log[0]["status"] == "pending" and log[0]["attempts"] == []

        monkeypatch.setenv("DESK_SECRET", secret)
        sent = run(db, "alerts", "send")
        assert f"delivered {len(timeline)}" in sent.stdout
        assert receiver.bad_signatures == 0
        assert len(set(receiver.keys())) == len(receiver.keys()) == len(timeline)
        assert {(d["slot"], d["at"]) for d in receiver.accepted} == {
            (t["slot"], t["at"]) for t in timeline}
        run(db, "rebuild")
        assert "delivered 0" in run(db, "alerts", "send").stdout


def test_the_shipped_story_files_declare_no_alerts() -> None:
    for path in [OPENAI, *sorted((ROOT / "config" / "stories" / "examples").glob("*.toml"))]:
        assert load_story(path).alerts == ()
    assert shutil.which("cat")
