"""Draw a story's timeline: who held each slot over time, as PNG, SVG or HTML.

PNG and SVG come from matplotlib (Agg, imported only when needed; install the
``plot`` extra); the HTML page is a self-contained inline SVG written here, with
the sources of each change on hover and in a table below — no scripts, no
external URLs to load.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tracker.errors import InputError, TrackerError
from tracker.render.layout import Chart, build_chart
from tracker.stories.definition import StoryDefinition
from tracker.timeutil import from_micros
from tracker.types import Source, StoryState, Transition

FORMATS = (".png", ".svg", ".html")
PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#79706e", "#86bcb6", "#d37295", "#a0cbe8", "#ffbe7d",
)


def color_of(chart: Chart, holder: str) -> str:
    """Return the colour of a holder: stable within a chart, by order of appearance."""
    return PALETTE[chart.holders.index(holder) % len(PALETTE)]


def _baseline(story: StoryDefinition | StoryState | None) -> tuple[StoryState | None, str]:
    if story is None:
        return None, "Timeline"
    if isinstance(story, StoryState):
        return story, story.story
    from tracker.stories.state import state_at

    return state_at(story, (), None), story.title


def render_timeline(
    transitions: Sequence[Transition],
    story: StoryDefinition | StoryState | None,
    path: Path | str,
    *,
    start_us: int | None = None,
    end_us: int | None = None,
    title: str | None = None,
) -> Path:
    """Draw who held each slot over time into ``path`` (.png, .svg or .html); return it.

    ``story`` gives the baseline (the state before the first transition): a
    story definition, or a baseline ``StoryState`` directly.
    Raises InputError for another suffix, TrackerError when the file cannot be written.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"cannot plot to {target.name!r}: use a .png, .svg or .html file name")
    baseline, story_title = _baseline(story)
    chart = build_chart(transitions, baseline, title=title or f"{story_title}: who held each slot",
                        start_us=start_us, end_us=end_us)
    try:
        if suffix == ".html":
            from tracker.render.html import render_html

            target.write_text(render_html(chart), encoding="utf-8")
        else:
            _render_matplotlib(chart, target, suffix[1:])
    except OSError as exc:
        raise TrackerError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def sources_text(sources: Sequence[Source], limit: int = 3) -> str:
    """Return ``a.example, b.example (+2 more)`` for a transition's sources."""
    publishers = list(dict.fromkeys(s.publisher for s in sources))
    if not publishers:
        return "no sources"
    shown = ", ".join(publishers[:limit])
    if len(publishers) > limit:
        shown += f" (+{len(publishers) - limit} more)"
    return shown


def _render_matplotlib(chart: Chart, target: Path, fmt: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.dates as mdates
        import matplotlib.pyplot as plt
    except ImportError:
        raise TrackerError(
            "plotting to PNG or SVG needs matplotlib: pip install 'tracker[plot]' "
            "(or plot to an .html file)"
        ) from None

    lanes = list(chart.lanes) or ["(nothing yet)"]
    legend_lines = len(chart.markers)
    line_h = 0.19
    height = 1.5 + 0.42 * len(lanes) + line_h * legend_lines
    rc: dict[str, Any] = {"svg.fonttype": "none", "font.size": 9, "font.family": "DejaVu Sans"}
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        fig = plt.figure(figsize=(12, height), dpi=100)
        chart_height = 0.42 * len(lanes) + 0.9
        ax = fig.add_axes((0.2, 1 - (chart_height - 0.2) / height, 0.77, (chart_height - 0.75) / height))
        y_of = {lane: len(lanes) - 1 - i for i, lane in enumerate(lanes)}

        def num(us: int) -> float:
            return float(mdates.date2num(from_micros(us)))

        px_per_day = 12 * 100 * 0.77 / max(1e-9, (chart.end_us - chart.start_us) / 86_400_000_000)

        for bar in chart.bars:
            y = y_of[bar.lane]
            left, right = num(bar.start_us), num(bar.end_us)
            ax.barh(y, right - left, left=left, height=0.62, color=color_of(chart, bar.holder),
                    alpha=0.55 if bar.interim else 0.9, hatch="//" if bar.interim else None,
                    edgecolor="#333333" if bar.chair else "white", linewidth=1.4 if bar.chair else 0.5)
            if bar.lane.endswith(bar.holder) and not (bar.interim or bar.chair):
                continue  # the lane's own name already says who
            label = bar.label if (right - left) * px_per_day > 5.6 * len(bar.label) + 16 else bar.holder
            if (right - left) * px_per_day > 5.6 * len(label) + 16:
                ax.text(left + 10 / px_per_day, y, label, ha="left", va="center", fontsize=8,
                        color="black", clip_on=True)
        labels: dict[tuple[int, int], list[str]] = {}
        for marker in chart.markers:
            x = num(marker.at_us)
            for lane in marker.lanes:
                ax.plot([x], [y_of[lane]], marker="D", markersize=6, color="black", zorder=3)
            top = max(y_of[lane] for lane in marker.lanes)
            labels.setdefault((marker.at_us, top), []).append(str(marker.number))
        for (at_us, top), numbers in labels.items():
            ax.annotate(",".join(numbers), (num(at_us), top + 0.38), ha="center", va="bottom",
                        fontsize=8, fontweight="bold", annotation_clip=False)
        ax.set_yticks(range(len(lanes)), [lanes[len(lanes) - 1 - i] for i in range(len(lanes))])
        ax.set_ylim(-0.6, len(lanes) - 0.2)
        ax.set_xlim(num(chart.start_us), num(chart.end_us))
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, _days(chart) // 12)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_title(chart.title, loc="left", fontsize=11, fontweight="bold")
        lines = [
            _clip(f"{m.number:>2}  {from_micros(m.at_us):%d %b %H:%M}Z  {m.text}  —  "
                  f"{sources_text(m.sources)}", 160)
            for m in chart.markers
        ]
        if lines:
            fig.text(0.02, (line_h * legend_lines + 0.3) / height, "\n".join(lines), va="top",
                     ha="left", fontsize=8, family="DejaVu Sans Mono", linespacing=1.5)
        fig.savefig(target, format=fmt)
        plt.close(fig)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _days(chart: Chart) -> int:
    return max(1, (chart.end_us - chart.start_us) // 86_400_000_000)
