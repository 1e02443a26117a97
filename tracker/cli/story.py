"""Commands that read a story: state, timeline, explain; corrections: assert, reject; rebuild."""

from __future__ import annotations

import re
import sys
import time
from datetime import datetime
from typing import Any

import click

from tracker.cli.common import INSTANT, App, echo_json, json_option, pass_app
from tracker.errors import InputError
from tracker.projections import present, query
from tracker.projections.catalog import current_stories
from tracker.projections.explain import Explanation, Report, explain
from tracker.stories import state as fold
from tracker.stories.definition import StoryDefinition
from tracker.timeutil import to_micros
from tracker.types import SlotValue, StoryState, Transition

# rich is imported by the functions that print tables: JSON output never loads it.

STORY_HELP = "Story id (default: the only story, else openai)."


def _story_option(func: Any) -> Any:
    return click.option("--story", "story_id", metavar="ID", help=STORY_HELP)(func)


def _instant(text: str | None, option: str) -> datetime | None:
    """Parse a time option (one-line InputError, exit 2, when it is not a time)."""
    if text is None:
        return None
    try:
        return INSTANT.convert(text, None, None)
    except click.BadParameter as exc:
        raise InputError(f"{option}: {exc.message}") from None


def _as_of_option(func: Any) -> Any:
    return click.option("--as-of", "as_of", metavar="TIME",
                        help="Event time: the state as of this instant (ISO 8601 or a date).")(func)


def _known_at_option(func: Any) -> Any:
    return click.option("--known-at", "known_at", metavar="TIME",
                        help="Knowledge time: only what the log had recorded by this instant.")(func)


_plain = False      # this command prints into a pipe or a file: plain lines, rich not loaded


def _into_pipe(as_table: bool) -> None:
    """Print plain tab-separated lines from here on unless on a terminal or asked for tables."""
    global _plain
    _plain = not as_table and not sys.stdout.isatty()


class _Lines:
    """A table for a pipe or a file: a header of its columns, then a tab-separated line a row
    (white space inside a cell made one space)."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.columns: list[str] = []
        self.rows: list[tuple[str, ...]] = []

    def add_column(self, name: str, **_style: Any) -> None:
        self.columns.append(name)

    def add_row(self, *cells: str) -> None:
        self.rows.append(cells)

    def text(self) -> str:
        lines = ["\t".join(" ".join(cell.split()) for cell in row) for row in [tuple(self.columns), *self.rows]]
        return "\n".join([self.title, *lines] if self.title else lines)


class _PlainConsole:
    """What the commands print, into a pipe or a file: the text without its styles."""

    def print(self, thing: Any) -> None:
        text = thing.text() if isinstance(thing, _Lines) else re.sub(r"\[/?bold\]", "", str(thing))
        click.echo(text)


def _console() -> Any:
    if _plain:
        return _PlainConsole()
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _table(title: str) -> Any:
    if _plain:
        return _Lines(title)
    from rich.table import Table

    return Table(title=title, title_justify="left")


def escape(text: str) -> str:
    """Escape rich markup in text (nothing to escape in plain lines)."""
    if _plain:
        return text
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _show(value: SlotValue, *, chair: str | None = None, interim: bool | None = None) -> str:
    return escape(present.value_text(value, chair=chair, interim=interim))


def _when(micros: int | None) -> str:
    text = present.when(micros)
    return text.replace("T", " ")[:16] + "Z" if text else "—"


# --- state -----------------------------------------------------------------


def _print_state(state: StoryState, always_table: bool = False) -> None:
    _into_pipe(always_table)
    if _plain:  # a pipe or a file: tab-separated lines, as the quick path prints
        click.echo(present.state_text(state), nl=False)
        return
    title = f"{state.story}"
    if state.as_of_us is not None:
        title += f" as of {_when(state.as_of_us)}"
    if state.known_at_us is not None:
        title += f", as known at {_when(state.known_at_us)}"
    table = _table(title)
    for column in ("slot", "value", "since", "evidence"):
        table.add_column(column, justify="right" if column == "evidence" else "left")
    for s in state.slots:
        count = f"{len(s.evidence)}" + (" (single source)" if s.single_source else "")
        table.add_row(s.slot, _show(s.value, chair=s.chair, interim=s.interim), _when(s.since_us), count)
    _console().print(table)


@click.command("state")
@_story_option
@_as_of_option
@_known_at_option
@click.option("--table", "as_table", is_flag=True, help="Print the table even into a pipe or a file.")
@json_option
@pass_app
def state_cmd(app: App, story_id: str | None, as_of: str | None, known_at: str | None,
              as_table: bool, as_json: bool) -> None:
    """Show who holds each slot of a story now, or as of an instant, as known at another.

    On a terminal it prints a table; into a pipe or a file, tab-separated lines
    (slot, value, since, evidence) under a header line, unless --table.

    \b
    Example:
      tracker state --as-of 2023-11-20T18:00:00Z
      tracker state --as-of 2023-11-20 --known-at 2023-11-19T12:00:00Z --json
    """
    result = query.state(
        app.engine, story_id, _instant(as_of, "--as-of"), _instant(known_at, "--known-at")
    )
    if as_json:
        echo_json(present.state_json(result))
    else:
        _print_state(result, as_table)


# --- timeline --------------------------------------------------------------


def _changes(story: StoryDefinition, items: list[Transition],
             prior: StoryState | None = None) -> list[str]:
    start = fold.state_at(story, (), None) if prior is None else prior
    previous: dict[str, SlotValue] = {s.slot: s.value for s in start.slots}
    chairs: dict[str, str | None] = {s.slot: s.chair for s in start.slots}
    out = []
    for t in items:
        before = previous.get(t.slot)
        if t.value is None or isinstance(t.value, str):
            text = f"→ {_show(t.value, interim=t.interim)}" if t.value else "→ none"
        else:
            old = set() if before is None or isinstance(before, str) else set(before)
            new = set(t.value)
            parts = [f"+{v}" for v in sorted(new - old)] + [f"−{v}" for v in sorted(old - new)]
            if t.chair != chairs.get(t.slot):
                parts.append(f"chair → {t.chair}" if t.chair else "no chair")
            text = escape(" ".join(parts)) if parts else f"{t.op} (no change)"
        if t.correction:
            text += " (correction)"
        previous[t.slot] = t.value
        chairs[t.slot] = t.chair
        out.append(text)
    return out


def _print_timeline(story: StoryDefinition, items: list[Transition],
                    before: StoryState | None = None) -> None:
    # Into a pipe the lines start with their header, so no title: a line is a change.
    table = _table("" if _plain else f"{story.id}: {len(items)} changes")
    for column in ("when", "slot", "change", "first source", "publishers"):
        table.add_column(column, justify="right" if column == "publishers" else "left")
    for t, change in zip(items, _changes(story, items, before), strict=True):
        first = min(t.sources, key=lambda s: (s.published_us, s.publisher), default=None)
        publishers = len({s.publisher for s in t.sources})
        table.add_row(_when(t.at_us), t.slot, change, escape(first.publisher) if first else "—",
                      str(publishers))
    _console().print(table)


@click.command("timeline")
@_story_option
@_known_at_option
@json_option
@click.option("--since", "since", metavar="T", help="Only changes at or after T (event time).")
@click.option("--until", "until", metavar="T", help="Only changes at or before T (event time).")
@click.option("--limit", "limit", type=click.IntRange(min=0), metavar="N",
              help="At most the first N changes.")
@click.option("--last", "last", type=click.IntRange(min=0), metavar="N",
              help="Only the last N changes (still oldest first).")
@click.option("--plot", "plot", metavar="FILE", type=click.Path(dir_okay=False),
              help="Also draw who held each slot over time into FILE (.png, .svg or .html).")
@click.option("--table", "as_table", is_flag=True, help="Print the table even into a pipe or a file.")
@pass_app
def timeline_cmd(app: App, story_id: str | None, known_at: str | None, since: str | None,
                 until: str | None, limit: int | None, last: int | None, as_json: bool,
                 plot: str | None, as_table: bool) -> None:
    """List the accepted changes of a story, oldest first, with their sources.

    On a terminal it prints a table; into a pipe or a file, tab-separated lines
    (when, slot, change, first source, publishers) under a header line, unless --table.

    \b
    Example:
      tracker timeline
      tracker timeline --known-at 2023-11-22 --json
      tracker timeline --since 2023-11-17 --until 2023-11-23 --limit 10
      tracker timeline --last 5
      tracker timeline --plot timeline.png
    """
    _into_pipe(as_table)
    story = query.pick_story(story_id)
    start = _instant(since, "--since")
    items = query.timeline(app.engine, story.id, _instant(known_at, "--known-at"), since=start,
                           until=_instant(until, "--until"), limit=limit, last=last)
    if as_json:
        echo_json([present.transition_json(t) for t in items])
    else:
        before = None
        first = to_micros(start) if start is not None else items[0].at_us if last and items else None
        if first is not None:   # each change is told against the state just before the span
            before = query.state(app.engine, story.id, first - 1,
                                 _instant(known_at, "--known-at"), refresh=False)
        _print_timeline(story, items, before)
    if plot is not None:
        from tracker.render.plot import render_timeline

        render_timeline(items, story, plot)
        if not as_json:
            click.echo(f"timeline picture: {plot}")


# --- explain ---------------------------------------------------------------


def _reports(title: str, reports: tuple[Report, ...]) -> Any:
    table = _table(title)
    why = any(r.claim.cue for r in reports)     # the column only when a report has a cue
    effective = any(r.claim.effective for r in reports)     # likewise a day a change takes effect
    for column in ("published", "publisher", "factuality", "claim", "title", *(("why",) if why else ()),
                   *(("takes effect",) if effective else ())):
        table.add_column(column)
    for r in reports:
        claim = f"{r.claim.op} {_show(r.claim.value, interim=r.claim.interim)}"
        cells = [_when(r.article.published_us), escape(r.article.publisher), r.claim.factuality, claim,
                 escape(r.article.title)]
        day = f"{r.claim.effective}: {r.claim.effective_cue}" if r.claim.effective else ""
        table.add_row(*cells, *((escape(r.claim.cue),) if why else ()), *((escape(day),) if effective else ()))
    return table


def _print_explanation(x: Explanation) -> None:
    console = _console()
    held = x.state
    value = _show(held.value, chair=held.chair, interim=held.interim) if held else "—"
    since = f" since {_when(held.since_us)}" if held and held.since_us is not None else ""
    when = f" as of {_when(x.as_of_us)}" if x.as_of_us is not None else ""
    console.print(f"[bold]{escape(x.story)} {escape(x.slot)}[/bold]{when}: {value}{since}")
    for t in x.changes:     # a decided change dated by the day it takes effect says so
        if t.note and not t.correction:
            console.print(escape(f"  {_when(t.at_us)} {t.op} {_show(t.value)}: {t.note}"))
    console.print(_reports(f"supporting ({len(x.supporting)})", x.supporting))
    console.print(_reports(f"contradicting ({len(x.contradicting)})", x.contradicting))
    if x.corrections:
        console.print("corrections:")
        for c in x.corrections:
            note = f" — {c.note}" if c.note else ""
            console.print(escape(f"  {_when(c.at_us)} {c.op} {c.value or ''} (source {c.source}){note}"))
    if x.rejected:
        console.print("rejected articles:")
        for r in x.rejected:
            console.print(escape(f"  {r.article.article_id} {r.article.publisher}: {'; '.join(r.reasons)}"))


@click.command("explain")
@click.argument("slot")
@_story_option
@_as_of_option
@_known_at_option
@json_option
@click.option("--table", "as_table", is_flag=True, help="Print the tables even into a pipe or a file.")
@pass_app
def explain_cmd(app: App, slot: str, story_id: str | None, as_of: str | None,
                known_at: str | None, as_json: bool, as_table: bool) -> None:
    """Show why a slot holds its value: supporting and contradicting reports, corrections.

    On a terminal the reports are tables; into a pipe or a file, each section's title line,
    then its tab-separated lines under a header line, unless --table.

    \b
    Example:
      tracker explain ceo --as-of 2023-11-20T18:00:00Z
    """
    _into_pipe(as_table)
    result = explain(
        app.engine, story_id, slot, _instant(as_of, "--as-of"), _instant(known_at, "--known-at")
    )
    if as_json:
        echo_json(present.explanation_json(result))
    else:
        _print_explanation(result)


# --- corrections -----------------------------------------------------------


@click.command("assert")
@click.argument("slot")
@click.argument("value", required=False)
@click.option("--at", "at", required=True, metavar="TIME",
              help="When the value took effect (event time).")
@click.option("--source", required=True, metavar="URL", help="Where the fact comes from.")
@click.option("--note", help="Why this correction is made.")
@_story_option
@click.option("--op", type=click.Choice(["set", "add", "remove", "tag", "untag", "clear", "stay"]),
              help="What to do to the slot (default: set for ceo, add for board, tag for microsoft).")
@click.option("--interim", is_flag=True, default=None, help="An interim appointment.")
@pass_app
def assert_cmd(app: App, slot: str, value: str | None, at: str, source: str,
               note: str | None, story_id: str | None, op: str | None,
               interim: bool | None) -> None:
    """Record a person's assertion of a slot's value (a correction, appended to the log).

    \b
    Example:
      tracker assert ceo "Sam Altman" --at 2023-11-22T06:00:00Z \\
        --source https://example.org/statement --note "official statement"
      tracker assert board "Ilya Sutskever" --op remove --at 2023-11-22 --source https://example.org/a
    """
    from tracker.projections import corrections

    event = corrections.assert_slot(
        app.engine, slot, value, at=_instant(at, "--at") or INSTANT.convert(at, None, None),
        source=source, story_id=story_id, op=op, note=note,
        interim=interim,
    )
    payload = event.payload
    shown = payload["value"] if payload["value"] is not None else ""
    click.echo(f"recorded at position {event.position}: {payload['story']} {slot} "
               f"{payload['op']} {shown} at {payload['at']}".rstrip())


@click.command("reject")
@click.argument("article_id")
@click.option("--reason", required=True, help="Why the article is ruled out as evidence.")
@pass_app
def reject_cmd(app: App, article_id: str, reason: str) -> None:
    """Rule an article out as evidence (appended to the log; its claims are dropped).

    \b
    Example:
      tracker reject 3f9c2a17 --reason "satire site"
    """
    from tracker.projections import corrections

    event = corrections.reject_article(app.engine, article_id, reason=reason)
    click.echo(f"recorded at position {event.position}: rejected {article_id}")


# --- rebuild ---------------------------------------------------------------


@click.command("rebuild")
@_story_option
@click.option("--workers", type=click.IntRange(min=0, max=16), default=None, metavar="N",
              help="Worker processes that build the projection beside this one (0: none). "
                   "Default: $TRACKER_PROJECTION_WORKERS, else one per CPU for logs of "
                   "200,000 events or more.")
@pass_app
def rebuild_cmd(app: App, story_id: str | None, workers: int | None) -> None:
    """Drop the projections and rebuild them from position 0 of the log.

    Projections share their article tables, so every story is rebuilt; ``--story``
    only checks that the story exists. On a long log, worker processes read and
    extract ranges of it in parallel while this process writes them in log order.

    \b
    Examples:
      tracker rebuild
      tracker rebuild --workers 0
    """
    from tracker.projections import engine as projection

    stories = current_stories()
    if story_id is not None:
        query.pick_story(story_id, stories)
    started = time.perf_counter()
    if app.quiet or not sys.stdout.isatty():
        position = projection.rebuild(app.engine, stories, workers=workers)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as bar:
            task = bar.add_task("rebuilding", total=None)
            position = projection.rebuild(
                app.engine, stories, workers=workers,
                progress=lambda done, last: bar.update(
                    task, completed=done, total=last,
                    description="resolving transitions" if done >= last else "rebuilding",
                ),
            )
    if not app.quiet:
        click.echo(f"rebuilt projections to position {position} "
                   f"in {time.perf_counter() - started:.1f}s")


def register(cli: click.Group) -> None:
    """Add this module's commands to the main group."""
    for command in (state_cmd, timeline_cmd, explain_cmd, assert_cmd, reject_cmd, rebuild_cmd):
        cli.add_command(command)
