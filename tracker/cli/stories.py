"""``tracker stories``: list the stories and their offices, check a story file, start a new one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from tracker.cli.common import echo_json, json_option
from tracker.errors import InputError

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

TEMPLATE = '''# {title}: one story file, no code. See README, "Adding a story".
# Check it with:  tracker stories check {filename}
id = "{id}"
title = "{title}"

[match]
# An item belongs to the story when its title or summary has one of these.
terms = ["Example Corp"]                 # case-insensitive
names = ["Jane Roe*", "John Doe*"]       # case-sensitive; * = any ending ("Roe" -> Polish "Roego")

# Everyone and everything the offices are about. kind: person (default), company,
# organisation, government, parliament, country, party or body.
[[entity]]
id = "example-corp"
name = "Example Corp"
kind = "company"
aliases = ["Example Corp", "Example Corporation", "Example"]

[[entity]]
id = "jane-roe"
name = "Jane Roe"
aliases = ["Jane Roe", "Roe"]
ambiguous = ["Roe"]      # a bare surname others share: counts only next to the body's name

[[entity]]
id = "john-doe"
name = "John Doe"
aliases = ["John Doe", "Doe"]

# One table per office (the table name is the slot name).
[slots.ceo]
kind = "single"          # single (one holder) | set (members) | tags (a vocabulary)
body = "example-corp"    # the entity the office belongs to
qualifiers = ["interim"] # single: interim, elect (adds ceo_elect) | set: chair
roles.en = ["chief executive", "CEO", "boss"]
roles.fr = ["PDG", "directeur général", "directrice générale"]
roles.pl = ["prezes*", "dyrektor* generaln*"]
# actors = ["some-entity-id"]   # who else fills or empties the office (a minister's prime minister)

[baseline]               # the state before the story's period
as_of = "2024-01-01T00:00:00Z"
source = "https://example.org/about"
ceo = "jane-roe"

[corroboration]          # optional; these are the defaults
publishers = 2           # N distinct publishers within window_hours confirm a change
window_hours = 12
quiet_hours = 24         # one uncontradicted report is accepted after this long
authoritative = []       # publishers (domains) that confirm on their own

# Optional: what an event does when the default is not what you want, e.g.
# [events]
# "leave example-corp" = ["ceo remove $person"]

# Optional: who hears of each change (see README, "Alerts"), e.g.
# [[alerts]]
# name = "desk"
# kind = "webhook"                          # webhook | command | apprise
# url = "https://hooks.example.org/tracker"
# secret_env = "DESK_WEBHOOK_SECRET"        # the secret stays in the environment
# slots = ["ceo"]
'''


def _summary(path: Path) -> dict[str, Any]:
    from tracker.stories.definition import load_story
    from tracker.stories.spec import model_of

    story = load_story(path)
    model = model_of(story)
    offices = []
    for spec in model.slots:
        body = model.entity(spec.body) if spec.body else None
        offices.append({
            "slot": spec.name,
            "kind": spec.kind,
            "body": body.name if body else None,
            "qualifiers": list(spec.qualifiers),
            "languages": sorted(code for code, _ in spec.roles),
            "tags": list(spec.tags),
            "head": model.head_of(spec.body) == spec if spec.body else False,
        })
    alerts = [{"name": a.name, "kind": a.kind, "slots": list(a.slots) or None} for a in story.alerts]
    return {"id": story.id, "title": story.title, "path": str(path), "offices": offices,
            "entities": len(story.entities), "alerts": alerts}


def _describe(summary: dict[str, Any]) -> list[str]:
    lines = [f"{summary['id']}: {summary['title']} ({summary['path']})"]
    for office in summary["offices"]:
        extra = []
        if office["qualifiers"]:
            extra.append(", ".join(office["qualifiers"]))
        if office["tags"]:
            extra.append("tags " + ", ".join(office["tags"]))
        if office["languages"]:
            extra.append("roles in " + ", ".join(office["languages"]))
        if office["head"]:
            extra.append("leads its body")
        of = f" of {office['body']}" if office["body"] else ""
        lines.append(f"  {office['slot']}: {office['kind']}{of}" + (f" ({'; '.join(extra)})" if extra else ""))
    for alert in summary["alerts"]:
        scope = ", ".join(alert["slots"]) if alert["slots"] else "every slot"
        lines.append(f"  alerts {alert['name']}: {alert['kind']} ({scope})")
    return lines


def register(cli: click.Group) -> None:
    @cli.group("stories", invoke_without_command=True)
    @json_option
    @click.pass_context
    def stories(ctx: click.Context, as_json: bool) -> None:
        """List the stories and their offices; check a story file; write a new one.

        \b
        Example:
          tracker stories
          tracker stories check config/stories/openai.toml
          tracker stories new acme > config/stories/acme.toml
        """
        if ctx.invoked_subcommand is not None:
            return
        from tracker.stories.definition import load_stories

        found = [_summary(story.path) for story in load_stories().values()]
        if as_json:
            echo_json(found)
            return
        if not found:
            click.echo("no stories (add a story file to config/stories or $TRACKER_STORIES_DIR)")
        for summary in found:
            for line in _describe(summary):
                click.echo(line)

    @stories.command("check")
    @click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
    @json_option
    def check(files: tuple[Path, ...], as_json: bool) -> None:
        """Validate story files: every key, entity, office and event (exit 1 naming the first problem).

        \b
        Example:
          tracker stories check config/stories/*.toml
        """
        found = [_summary(path) for path in files]
        if as_json:
            echo_json(found)
            return
        for summary in found:
            offices = ", ".join(o["slot"] for o in summary["offices"]) or "no offices"
            click.echo(f"ok: {summary['path']}: story {summary['id']!r}, {offices}")

    @stories.command("new")
    @click.argument("story_id")
    @click.option("--title", help="The story's display name (default: from the id).")
    def new(story_id: str, title: str | None) -> None:
        """Print a commented story file to start from (redirect it into config/stories/).

        \b
        Example:
          tracker stories new acme --title "Acme leadership" > config/stories/acme.toml
        """
        if not _ID.match(story_id):
            raise InputError(f"story id {story_id!r} must be a lowercase identifier (a-z, 0-9, - and _)")
        name = title or story_id.replace("-", " ").replace("_", " ").title()
        click.echo(TEMPLATE.format(id=story_id, title=name, filename=f"{story_id}.toml"), nl=False)
