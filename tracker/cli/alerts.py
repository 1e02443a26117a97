"""The ``tracker alerts`` commands: targets, test deliveries, the delivery log, the sender."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import click
import orjson
import sqlalchemy as sa

from tracker.cli.common import App, echo_json, json_option, pass_app
from tracker.errors import InputError


@click.group("alerts")
def alerts_group() -> None:
    """Notify webhooks, commands or apprise services when a story's slot changes.

    Every accepted change is written to an outbox in the same transaction as the
    change itself, and sent to each matching target exactly once (retried with
    backoff; a change reversed later gets a "retracted" follow-up).

    \b
    Example:
      tracker alerts add ops --webhook https://hooks.example.org/tracker --story openai
      tracker alerts add me --apprise ntfy://tracker-news --slot ceo
      tracker alerts log
    """


@alerts_group.command("add")
@click.argument("name")
@click.option("--webhook", metavar="URL", help="POST signed JSON to this URL.")
@click.option("--command", "command_line", metavar="CMD",
              help="Run this local command with the JSON on stdin.")
@click.option("--apprise", "apprise_url", metavar="URL",
              help="Send through an apprise service URL (mailto://, slack://, ntfy://, json:// ...).")
@click.option("--story", "story", metavar="ID", help="Only this story's changes (default: every story).")
@click.option("--slot", "slots", multiple=True, metavar="SLOT",
              help="Only changes of this slot (repeatable; default: every slot).")
@click.option("--secret", metavar="TEXT",
              help="The webhook's HMAC-SHA256 secret (default: a random one, printed once).")
@pass_app
def add_cmd(app: App, name: str, webhook: str | None, command_line: str | None,
            apprise_url: str | None, story: str | None, slots: tuple[str, ...],
            secret: str | None) -> None:
    """Add a target; it hears of every change accepted from now on.

    \b
    Example:
      tracker alerts add ops --webhook https://hooks.example.org/tracker
      tracker alerts add log --command "tee -a /var/log/tracker-alerts.jsonl"
    """
    from tracker.alerts import targets

    given = [(k, v) for k, v in (("webhook", webhook), ("command", command_line),
                                 ("apprise", apprise_url)) if v]
    if len(given) != 1:
        raise InputError("give exactly one of --webhook, --command, --apprise")
    kind, address = given[0]
    if secret is not None and kind != "webhook":
        raise InputError("--secret is for webhooks only")
    target = targets.add(app.engine, name, kind, address, story=story, slots=slots, secret=secret)
    click.echo(f"added {kind} target {name!r} (id {target.id})")
    if kind == "webhook" and secret is None:
        click.echo(f"signing secret: {target.secret}")


@alerts_group.command("remove")
@click.argument("name")
@pass_app
def remove_cmd(app: App, name: str) -> None:
    """Remove a target and its undelivered notifications.

    \b
    Example:
      tracker alerts remove ops
    """
    from tracker.alerts import targets

    targets.remove(app.engine, name)
    click.echo(f"removed target {name!r}")


def _target_json(t: Any) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "kind": t.kind, "address": t.address,
            "story": t.story, "slots": list(t.slots) if t.slots else None,
            "signed": bool(t.secret or t.secret_env), "declared_in": t.declared_in,
            "secret_env": t.secret_env}


def _declared(app: App) -> None:
    """Bring the targets the story files declare into the table first."""
    from tracker.alerts import targets
    from tracker.projections.catalog import current_stories

    targets.sync(app.engine, current_stories())


@alerts_group.command("list")
@json_option
@pass_app
def list_cmd(app: App, as_json: bool) -> None:
    """List the targets: those added here and those story files declare ([[alerts]]).

    \b
    Example:
      tracker alerts list --json
    """
    from tracker.alerts import targets

    _declared(app)
    found = targets.all_targets(app.engine)
    if as_json:
        echo_json([_target_json(t) for t in found])
        return
    if not found:
        click.echo("no targets (tracker alerts add NAME --webhook URL)")
    for t in found:
        scope = (t.story or "every story") + (f" ({', '.join(t.slots)})" if t.slots else "")
        origin = f"\tdeclared in {t.declared_in}" if t.declared_in else ""
        click.echo(f"{t.name}\t{t.kind}\t{t.address}\t{scope}{origin}")


@alerts_group.command("test")
@click.argument("name")
@pass_app
def test_cmd(app: App, name: str) -> None:
    """Send a test notification to a target now (not through the outbox; nothing recorded).

    \b
    Example:
      tracker alerts test ops
    """
    from tracker.alerts import channels, targets
    from tracker.alerts.outbox import now_us
    from tracker.timeutil import from_micros, isoformat

    _declared(app)
    target = targets.by_name(app.engine, name)
    at = isoformat(from_micros(now_us()))
    body = orjson.dumps({
        "idempotency_key": f"test-{now_us()}", "event": "test", "story": target.story or "test",
        "slot": "test", "op": "set", "value": "a test notification", "at": at,
        "publishers": [], "first_source": None, "sources": 0, "interim": None, "chair": None,
        "correction": False, "accepted_at": at,
    }, option=orjson.OPT_SORT_KEYS)
    try:
        note = channels.deliver(target, body)
    except channels.DeliveryError as exc:
        raise click.ClickException(f"test notification to {name!r} failed: {exc}") from None
    click.echo(f"test notification to {name!r} delivered ({note})")


@alerts_group.command("log")
@click.option("--target", "target_name", metavar="NAME", help="Only this target's notifications.")
@click.option("-n", "limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many notifications, newest first.")
@json_option
@pass_app
def log_cmd(app: App, target_name: str | None, limit: int, as_json: bool) -> None:
    """Show the delivery history: each notification, its status and its attempts.

    \b
    Example:
      tracker alerts log -n 5
      tracker alerts log --target ops --json
    """
    from tracker.alerts import history

    entries = history.recent(app.engine, target_name, limit)
    if as_json:
        echo_json(entries)
        return
    if not entries:
        click.echo("no notifications yet")
    for e in entries:
        last = e["attempts"][-1]["detail"] if e["attempts"] else "not tried yet"
        click.echo(f"{e['created']} {e['target']} {e['kind']} {e['story']} {e['slot']} "
                   f"{e['op']} {e['value']}: {e['status']} after {len(e['attempts'])} "
                   f"attempt(s) ({last}) key {e['idempotency_key'][:16]}")


@alerts_group.command("send")
@click.option("--follow", is_flag=True, help="Keep sending as notifications come (until SIGTERM).")
@click.option("--interval", type=click.FloatRange(min=0.05), default=1.0, show_default=True,
              metavar="SECONDS", help="With --follow: how often to look for due notifications.")
@click.option("--lease", type=click.FloatRange(min=0.1), default=None, metavar="SECONDS",
              help="How long a claimed notification is held before another sender may retry it "
                   "(default: the timeout plus 5 s).")
@click.option("--base-delay", type=click.FloatRange(min=0.0), default=2.0, show_default=True,
              metavar="SECONDS", help="The first retry's delay (doubled at every further retry).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              metavar="SECONDS", help="Longest wait for one target's answer.")
@pass_app
def send_cmd(app: App, follow: bool, interval: float, lease: float | None, base_delay: float,
             timeout: float) -> None:
    """Deliver due notifications from the outbox (the worker does this on its own).

    \b
    Example:
      tracker alerts send
      tracker alerts send --follow --interval 5
    """
    from tracker.alerts.sender import Sender

    sender = Sender(app.engine, timeout=timeout, lease_s=lease, base_delay_s=base_delay)
    if not follow:
        done = sender.run_once()
        held = f", held {done.held} ({'; '.join(done.reasons)})" if done.reasons else ""
        click.echo(f"delivered {done.delivered}, retrying {done.retrying}, failed {done.failed}{held}")
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if not app.quiet:
        click.echo("sending alerts as they come (SIGTERM or Ctrl-C stops)")
        sys.stdout.flush()
    try:
        sender.run(stop, interval)
    except sa.exc.DBAPIError as exc:
        raise click.ClickException(f"the sender stopped: {str(exc).splitlines()[0]}") from None


def register(cli: click.Group) -> None:
    """Add this module's commands to the main group."""
    cli.add_command(alerts_group)
