"""`timeline --plot`: PNG, SVG and self-contained HTML pictures of who held each slot."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker.errors import InputError
from tracker.render.layout import build_chart
from tracker.render.plot import render_timeline
from tracker.timeutil import to_micros
from tracker.types import SlotState, Source, StoryState, Transition

BOARD0 = ("Sam Altman", "Greg Brockman", "Ilya Sutskever", "Adam D'Angelo", "Tasha McCauley",
          "Helen Toner")
BOARD1 = ("Ilya Sutskever", "Adam D'Angelo", "Tasha McCauley", "Helen Toner")
BOARD2 = ("Bret Taylor", "Larry Summers", "Adam D'Angelo")
NAMES = ("Sam Altman", "Mira Murati", "Emmett Shear", "Bret Taylor", "Larry Summers", "Helen Toner")


def _us(text: str) -> int:
    return to_micros(datetime.fromisoformat(text).replace(tzinfo=UTC))


def _source(publisher: str, when: str, title: str) -> Source:
    return Source(article_id=f"{publisher}-{when}", publisher=publisher, published_us=_us(when),
                  link=f"https://{publisher}/{when[:10]}/story", title=title)


BASELINE = StoryState("openai", None, None, (
    SlotState("ceo", "Sam Altman", None),
    SlotState("board", BOARD0, None, chair="Greg Brockman"),
    SlotState("microsoft", ("investor",), None),
))

TRANSITIONS = (
    Transition("openai", "ceo", _us("2023-11-17T20:28"), "set", "Mira Murati", interim=True,
               sources=(_source("northwire.example", "2023-11-17T20:40", "Board removes its chief"),
                        _source("dailycircuit.example", "2023-11-17T21:05", "Chief executive out"))),
    Transition("openai", "board", _us("2023-11-17T20:28"), "remove", BOARD1,
               sources=(_source("northwire.example", "2023-11-17T20:40", "Board removes its chief"),)),
    Transition("openai", "ceo", _us("2023-11-20T05:15"), "set", "Emmett Shear", interim=True,
               sources=(_source("valleybrief.example", "2023-11-20T05:40", "A second interim chief"),)),
    Transition("openai", "microsoft", _us("2023-11-20T07:53"), "add", ("investor", "employer"),
               sources=(_source("dailycircuit.example", "2023-11-20T08:10", "Hired by the investor"),)),
    Transition("openai", "ceo", _us("2023-11-22T06:00"), "set", "Sam Altman", interim=False,
               sources=(_source("lequotidien-numerique.example", "2023-11-22T06:30", "Le retour"),)),
    Transition("openai", "board", _us("2023-11-22T06:00"), "replace", BOARD2, chair="Bret Taylor",
               sources=(_source("northwire.example", "2023-11-22T06:20", "A new board"),)),
    Transition("openai", "microsoft", _us("2023-11-22T06:00"), "remove", ("investor",)),
    Transition("openai", "microsoft", _us("2023-11-30T01:00"), "add", ("investor", "board-observer"),
               sources=(_source("northwire.example", "2023-11-30T02:00", "An observer seat"),)),
)
START, END = _us("2023-11-15T00:00"), _us("2023-12-02T00:00")


def test_chart_has_ceo_bars_board_lanes_and_role_bands() -> None:
    chart = build_chart(TRANSITIONS, BASELINE, start_us=START, end_us=END)
    ceo = [(b.holder, b.interim) for b in chart.bars if b.lane == "CEO"]
    assert ceo == [("Sam Altman", False), ("Mira Murati", True), ("Emmett Shear", True),
                   ("Sam Altman", False)]
    assert chart.lanes[0] == "CEO"
    assert "Board · Helen Toner" in chart.lanes and "Board · Larry Summers" in chart.lanes
    assert chart.lanes.index("Board · Larry Summers") < chart.lanes.index("Microsoft · investor")
    employer = [b for b in chart.bars if b.lane == "Microsoft · employer"]
    assert [(b.start_us, b.end_us) for b in employer] == [(_us("2023-11-20T07:53"), _us("2023-11-22T06:00"))]
    dangelo = [b for b in chart.bars if b.lane == "Board · Adam D'Angelo"]
    assert [(b.start_us, b.end_us) for b in dangelo] == [(START, END)]  # never left the board
    chairs = [(b.holder, b.start_us) for b in chart.bars if b.chair]
    assert chairs == [("Greg Brockman", START), ("Bret Taylor", _us("2023-11-22T06:00"))]
    assert [m.number for m in chart.markers] == list(range(1, len(TRANSITIONS) + 1))
    murati = next(m for m in chart.markers if "Mira Murati" in m.text)
    assert murati.lanes == ("CEO",) and murati.text == "CEO → Mira Murati (interim)"


def test_png_decodes_with_a_sane_size(tmp_path: Path) -> None:
    image = pytest.importorskip("matplotlib.image")
    path = render_timeline(TRANSITIONS, BASELINE, tmp_path / "timeline.png", start_us=START, end_us=END)
    assert path.stat().st_size > 20_000
    pixels = image.imread(path)
    height, width = pixels.shape[:2]
    assert width == 1200 and 500 <= height <= 2000
    assert pixels.std() > 0.05  # not a blank canvas


def test_svg_parses_and_names_everyone(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = render_timeline(TRANSITIONS, BASELINE, tmp_path / "timeline.svg", start_us=START, end_us=END)
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    text = " ".join(t for t in root.itertext())
    for name in NAMES:
        assert name in text
    assert "northwire.example" in text  # sources are in the legend


def test_html_is_self_contained_with_sources_on_hover(tmp_path: Path) -> None:
    path = render_timeline(TRANSITIONS, BASELINE, tmp_path / "timeline.html", start_us=START, end_us=END)
    page = path.read_text(encoding="utf-8")
    for name in NAMES:
        assert name in page
    assert not re.search(r"<script[^>]*\bsrc=", page, re.I)
    assert not re.search(r"<link[^>]*href=\"https?:", page, re.I)
    assert not re.search(r"url\(\s*['\"]?https?:", page, re.I)
    svg = page[page.index("<svg"): page.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)
    titles = [el.text or "" for el in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any("valleybrief.example" in t and "Emmett Shear" in t for t in titles)


def test_plot_refuses_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.png, \.svg or \.html"):
        render_timeline(TRANSITIONS, BASELINE, tmp_path / "timeline.pdf")


def test_plot_without_transitions_still_draws_the_baseline(tmp_path: Path) -> None:
    path = render_timeline((), BASELINE, tmp_path / "empty.html", start_us=START, end_us=END)
    page = path.read_text(encoding="utf-8")
    assert "Greg Brockman" in page and "<table>" not in page


def test_a_single_valued_slot_stays_one_lane_when_cleared() -> None:
    cleared = (
        Transition("openai", "ceo", _us("2023-11-17T20:28"), "remove", None),
        Transition("openai", "ceo", _us("2023-11-17T20:30"), "set", "Mira Murati", interim=True),
    )
    chart = build_chart(cleared, BASELINE, start_us=START, end_us=END)
    assert [b.holder for b in chart.bars if b.lane == "CEO"] == ["Sam Altman", "Mira Murati"]
    assert not any(lane.startswith("CEO ·") for lane in chart.lanes)
