"""Write a timeline chart as one self-contained HTML page (inline SVG, hover titles)."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from tracker.render.layout import Chart, Marker
from tracker.timeutil import from_micros

_LABEL_W = 240
_PLOT_W = 860
_LANE_H = 30
_TOP = 56
_BOTTOM = 34
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; }
h1 { font-size: 18px; }
svg text { font-family: inherit; font-size: 12px; }
rect.bar:hover, path.marker:hover { stroke: #000; stroke-width: 2; }
table { border-collapse: collapse; margin-top: 16px; font-size: 13px; }
td, th { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
.muted { color: #777; }
"""


def _when(us: int) -> str:
    return f"{from_micros(us):%Y-%m-%d %H:%M}Z"


def _marker_title(marker: Marker) -> str:
    lines = [f"{marker.number}. {_when(marker.at_us)}  {marker.text}"]
    for source in marker.sources:
        lines.append(f"• {source.publisher} ({_when(source.published_us)}): {source.title}")
    if not marker.sources:
        lines.append("no sources")
    return "\n".join(lines)


def render_html(chart: Chart) -> str:
    """Return the page: the chart as inline SVG, then a table of changes and sources."""
    from tracker.render.plot import color_of

    lanes = list(chart.lanes)
    height = _TOP + _LANE_H * max(1, len(lanes)) + _BOTTOM
    width = _LABEL_W + _PLOT_W + 20
    span = max(1, chart.end_us - chart.start_us)

    def x(us: int) -> float:
        return _LABEL_W + _PLOT_W * (us - chart.start_us) / span

    def y(lane: str) -> float:
        return _TOP + _LANE_H * lanes.index(lane)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(chart.title)}">']
    day = from_micros(chart.start_us).replace(hour=0, minute=0, second=0, microsecond=0)
    step = max(1, (span // 86_400_000_000) // 12)
    if day < from_micros(chart.start_us):
        day += timedelta(days=1)
    day -= timedelta(days=1)
    while True:
        day += timedelta(days=1)
        us = int((day - from_micros(0)).total_seconds() * 1_000_000)
        if us > chart.end_us:
            break
        if ((day - from_micros(0)).days % step) != 0:
            continue
        parts.append(f'<line x1="{x(us):.1f}" y1="{_TOP - 6}" x2="{x(us):.1f}" '
                     f'y2="{height - _BOTTOM}" stroke="#e3e3e3"/>')
        parts.append(f'<text x="{x(us):.1f}" y="{height - _BOTTOM + 16}" text-anchor="middle" '
                     f'fill="#555">{day:%d %b}</text>')
    for lane in lanes:
        parts.append(f'<text x="{_LABEL_W - 8}" y="{y(lane) + _LANE_H / 2 + 4:.1f}" '
                     f'text-anchor="end">{escape(lane)}</text>')
    for bar in chart.bars:
        left, right = x(bar.start_us), x(bar.end_us)
        tip = f"{bar.label}\n{_when(bar.start_us)} → {_when(bar.end_us)}"
        opacity = "0.55" if bar.interim else "0.9"
        stroke = ' stroke="#333" stroke-width="1.5"' if bar.chair else ""
        parts.append(
            f'<rect class="bar" x="{left:.1f}" y="{y(bar.lane) + 5:.1f}" width="{max(1.0, right - left):.1f}" '
            f'height="{_LANE_H - 10}" rx="3" fill="{color_of(chart, bar.holder)}" '
            f'fill-opacity="{opacity}"{stroke}><title>{escape(tip)}</title></rect>'
        )
        if bar.interim or bar.chair or not bar.lane.endswith(bar.holder):
            label = bar.label if right - left > 7 * len(bar.label) + 12 else bar.holder
            if right - left > 7 * len(label) + 12:
                parts.append(f'<text x="{left + 8:.1f}" y="{y(bar.lane) + _LANE_H / 2 + 4:.1f}" '
                             f'pointer-events="none">{escape(label)}</text>')
    labels: dict[tuple[int, float], list[tuple[int, str]]] = {}
    for marker in chart.markers:
        cx = x(marker.at_us)
        tip = escape(_marker_title(marker))
        for lane in marker.lanes:
            cy = y(lane) + _LANE_H / 2
            parts.append(f'<path class="marker" d="M{cx:.1f},{cy - 7:.1f} l7,7 l-7,7 l-7,-7 z" '
                         f'fill="#111"><title>{tip}</title></path>')
        top = min(y(lane) for lane in marker.lanes)
        labels.setdefault((marker.at_us, top), []).append((marker.number, tip))
    for (at_us, top), numbered in labels.items():
        text = ",".join(str(number) for number, _ in numbered)
        tips = "\n\n".join(tip for _, tip in numbered)
        parts.append(f'<text x="{x(at_us):.1f}" y="{top + 2:.1f}" text-anchor="middle" '
                     f'font-weight="bold">{text}<title>{tips}</title></text>')
    parts.append("</svg>")

    rows = []
    for marker in chart.markers:
        sources = "<br>".join(
            f"{escape(s.publisher)} <span class=\"muted\">{_when(s.published_us)}</span> "
            f"{_link(s.link, s.title)}" for s in marker.sources
        ) or '<span class="muted">no sources</span>'
        rows.append(f"<tr><td>{marker.number}</td><td>{_when(marker.at_us)}</td>"
                    f"<td>{escape(marker.text)}</td><td>{sources}</td></tr>")
    table = ("<table><thead><tr><th>#</th><th>when (UTC)</th><th>change</th><th>sources</th>"
             "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>") if rows else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(chart.title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(chart.title)}</h1>"
        '<p class="muted">Hover a bar or a marker for dates and sources; pale bars are interim, outlined bars a chair.</p>'
        + "\n".join(parts) + table + "</body></html>\n"
    )


def _link(link: str | None, title: str) -> str:
    if link and link.startswith(("http://", "https://")):
        return f'<a href="{escape(link)}">{escape(title)}</a>'
    return escape(title)
