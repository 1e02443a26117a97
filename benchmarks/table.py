"""Render run.py's JSON documents as the Markdown table of figures in README.md.

Usage: ``.venv/bin/python -m benchmarks.table out/full-log.json [more.json ...]``
(several documents are merged by section, later ones winning).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

Row = tuple[str, str, str, str, str]


def _get(data: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _num(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value >= 100:
        return f"{value:,.0f}{unit}"
    return f"{value:,}{unit}" if isinstance(value, int) else f"{value:.3g}{unit}"


def _met(value: Any) -> str:
    return {True: "yes", False: "**no**"}.get(value, "—")


def _log(s: dict[str, Any]) -> list[Row]:
    rows = []
    for part, label in (("append", "append, batches of 1,000"), ("scan", "full scan + JSON decode")):
        ours, base = _get(s, part, "tracker"), _get(s, part, "plain_sqlite3")
        rows.append((
            f"log: {label} ({_num(s.get('events'))} events)",
            f"{_num(ours['rate'])} ev/s, {_num(ours['peak_rss_mb'])} MB",
            f"{_num(base['rate'])} ev/s (plain sqlite3)",
            f"{_num(_get(s, part, 'ratio'))} (≥ 0.5)", _met(_get(s, part, "met")),
        ))
    typed = _get(s, "scan_typed", "tracker")
    if typed:
        rows.append(("log: full scan + typed events", f"{_num(typed['rate'])} ev/s",
                     "plain sqlite3 scan", _num(_get(s, "scan_typed", "ratio")), "—"))
    return rows


def _ingest(s: dict[str, Any]) -> list[Row]:
    ours, base = s["import"], s["feedparser_only"]
    proj = s.get("import_then_projections", {})
    return [
        (f"ingest: import corpus ({_num(ours['files'])} files, {_num(ours['items'])} items)",
         f"{_num(ours['seconds'])} s, {_num(ours['peak_rss_mb'])} MB",
         f"{_num(base['seconds'])} s (feedparser only)",
         f"{_num(s['time_ratio'])} (≤ 1.2); RSS ≤ 300 MB",
         f"{_met(s['time_ratio_met'])} / {_met(s['peak_rss_met'])}"),
        ("ingest: projections after the import", f"{_num(proj.get('projections_seconds'))} s, "
         f"{_num(proj.get('peak_rss_mb'))} MB", "—", "—", "—"),
    ]


def _rebuild(s: dict[str, Any]) -> list[Row]:
    ours, base = s["rebuild"], s["raw_scan_decode"]
    return [(f"rebuild: projections over {_num(ours['events'])} events",
             f"{_num(ours['rate'])} ev/s ({_num(ours['seconds'])} s), {_num(ours['peak_rss_mb'])} MB",
             f"{_num(base['rate'])} ev/s (raw scan + json.loads)",
             f"{_num(s['ratio'])} (≥ 0.5)", _met(s["met"]))]


def _asof(s: dict[str, Any]) -> list[Row]:
    lib, cli = s["in_process"], s["cli"]
    c_lib, c_cli = _get(s, "corpus", "in_process"), _get(s, "corpus", "cli")
    return [
        (f"as-of: state, in-process, {_num(s['events'])} events",
         f"median {_num(lib['median_ms'])} ms, p99 {_num(lib['p99_ms'])} ms "
         f"(CPU {_num(lib.get('cpu_median_ms'))} / {_num(lib.get('cpu_p99_ms'))} ms)",
         "—", "p99 ≤ 50 ms", _met(s["in_process_met"])),
        (f"as-of: `tracker state --as-of`, {_num(s['events'])} events",
         f"median {_num(cli['median_ms'])} ms (CPU {_num(cli.get('cpu_median_ms'))} ms)",
         "—", "—", "—"),
        ("as-of: state, in-process, corpus",
         f"median {_num(c_lib['median_ms'])} ms, p99 {_num(c_lib['p99_ms'])} ms", "—", "—", "—"),
        ("as-of: `tracker state --as-of`, corpus",
         f"median {_num(c_cli['median_ms'])} ms (CPU {_num(c_cli.get('cpu_median_ms'))} ms)",
         "—", "—", "—"),
    ] + ([] if (fresh := s.get("cli_after_new_article")) is None else [
        (f"as-of: first `tracker state` after 1 new article, {_num(s['events'])} events",
         f"median {_num(fresh['median_ms'])} ms, {_num(fresh.get('peak_rss_mb'))} MB ({_num(fresh['samples'])} samples;"
         f" the first {_num(fresh.get('first_ms'))} ms)",
         "—", "≤ 150 ms, ≤ 200 MB", _met(fresh["median_ms"] <= 150 and fresh.get("peak_rss_mb", 0) <= 200)),
    ]) + ([] if (worker := s.get("worker_after_new_article")) is None else [
        (f"as-of: worker's projection update after 1 new article, in-process, {_num(s['events'])} events",
         f"median {_num(worker['catch_up']['median_ms'])} ms (CPU {_num(worker['catch_up'].get('cpu_median_ms'))} ms,"
         f" {_num(worker['samples'])} samples)", "—", "—", "—"),
        (f"as-of: `tracker state` after the worker's update, {_num(s['events'])} events",
         f"median {_num(worker['cli_after_catch_up']['median_ms'])} ms", "—", "—", "—"),
    ])


def _polling(s: dict[str, Any]) -> list[Row]:
    same, grow, parse = s["all_304"], s["one_new_of_50"], s.get("feedparser_only_same_bodies", {})
    return [
        (f"polling: {_num(same['feeds'])} feeds, all 304",
         f"{_num(same['seconds'])} s, {_num(same['peak_rss_mb'])} MB", "—",
         "≤ 15 s, ≤ 150 MB", _met(same["seconds"] <= 15 and same["peak_rss_mb"] <= 150)),
        (f"polling: {_num(grow['feeds'])} feeds × 50 items, 1 new each",
         f"{_num(grow['seconds'])} s, {_num(grow['peak_rss_mb'])} MB",
         f"{_num(parse.get('seconds'))} s (feedparser only)",
         "≤ 15 s, ≤ 150 MB", _met(grow["seconds"] <= 15 and grow["peak_rss_mb"] <= 150)),
    ]


RENDER: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "log": _log, "ingest": _ingest, "rebuild": _rebuild, "asof": _asof, "polling": _polling,
}


def render(documents: list[dict[str, Any]]) -> str:
    """Return the Markdown table for the sections found in the documents."""
    sections: dict[str, Any] = {}
    for document in documents:
        sections.update(document.get("sections", {}))
    lines = ["| figure | tracker | baseline, same run | ratio / target | met |",
             "| --- | --- | --- | --- | --- |"]
    for name, render_section in RENDER.items():
        section = sections.get(name)
        if section is None:
            continue
        if section.get("status") != "ok":
            lines.append(f"| {name} | {section.get('status')}: "
                         f"{section.get('reason') or section.get('error', '')} | — | — | — |")
            continue
        lines.extend("| " + " | ".join(row) + " |" for row in render_section(section))
    return "\n".join(lines)


if __name__ == "__main__":
    docs = []
    for name in sys.argv[1:]:
        with open(name, encoding="utf-8") as handle:
            docs.append(json.load(handle))
    print(render(docs))
