"""`tracker timeline --plot FILE`: the picture of the log's timeline, through the CLI."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker import db
from tracker.cli import cli, main
from tracker.demo.runner import run_demo
from tracker.timeutil import parse_instant


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A log filled by a short demo run (17-18 Nov 2023)."""
    path = tmp_path_factory.mktemp("plotcli") / "demo.sqlite"
    url = f"sqlite:///{path}"
    engine = db.open_database(url)
    try:
        run_demo(engine, url, start=parse_instant("2023-11-17T18:00:00Z"),
                 end=parse_instant("2023-11-18T06:00:00Z"))
    finally:
        engine.dispose()
    return url


@pytest.mark.parametrize("suffix", [".png", ".svg", ".html"])
def test_timeline_plot_writes_each_format(demo_url: str, tmp_path: Path, suffix: str) -> None:
    if suffix != ".html":
        pytest.importorskip("matplotlib")
    target = tmp_path / f"timeline{suffix}"
    result = CliRunner().invoke(cli, ["--db", demo_url, "timeline", "--plot", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 1000
    if suffix == ".png":
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    elif suffix == ".svg":
        text = " ".join(ET.parse(target).getroot().itertext())
        assert "CEO" in text and "Sam Altman" in text
    else:
        assert "Sam Altman" in target.read_text(encoding="utf-8")


def test_timeline_plot_to_an_unknown_format_is_one_line(
    demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", demo_url, "timeline", "--plot", str(tmp_path / "timeline.pdf")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("error: ") and len(err.splitlines()) == 1 and ".png, .svg or .html" in err
