"""Deliver one notification body to one target: webhook, local command, apprise service.

Each channel returns normally when the target acknowledged the notification and
raises :class:`DeliveryError` otherwise; nothing else escapes. Every call is
bounded by a timeout.

Webhooks get ``POST`` with the JSON body and the headers ``Idempotency-Key``
(the notification's key, the same on every attempt), ``X-Tracker-Event``
(``changed`` or ``retracted``) and ``X-Tracker-Signature: sha256=HEX``, the
HMAC-SHA256 of the raw body under the target's secret. A 2xx answer
acknowledges. A command gets the body and a newline on stdin and ``TRACKER_IDEMPOTENCY_KEY``
in its environment; exit status 0 acknowledges.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shlex
import subprocess
from typing import Any

import httpx
import orjson

from tracker.alerts.targets import Target
from tracker.errors import InputError, TrackerError

TIMEOUT_S = 10.0
_OUTPUT_CAP = 400


class DeliveryError(TrackerError):
    """A target did not acknowledge a notification."""


def sign(secret: str, body: bytes) -> str:
    """Return the ``X-Tracker-Signature`` value of a body: ``sha256=`` and the HMAC hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(target: Target, body: bytes, *, timeout: float = TIMEOUT_S) -> str:
    """Deliver a body to a target; return a short note of the acknowledgement."""
    if target.kind == "webhook":
        return _webhook(target, body, timeout)
    if target.kind == "command":
        return _command(target, body, timeout)
    if target.kind == "apprise":
        return _apprise(target, body, timeout)
    raise DeliveryError(f"unknown target kind {target.kind!r}")


def _webhook(target: Target, body: bytes, timeout: float) -> str:
    data = orjson.loads(body)
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": data["idempotency_key"],
        "X-Tracker-Event": data["event"],
        "User-Agent": "tracker-alerts",
    }
    try:
        secret = target.signing_secret()
    except InputError as exc:
        raise DeliveryError(str(exc)) from None
    if secret:
        headers["X-Tracker-Signature"] = sign(secret, body)
    try:
        response = httpx.post(target.address, content=body, headers=headers, timeout=timeout,
                              follow_redirects=False)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"HTTP {response.status_code}")
    return f"HTTP {response.status_code}"


def _command(target: Target, body: bytes, timeout: float) -> str:
    data = orjson.loads(body)
    env = dict(os.environ, TRACKER_IDEMPOTENCY_KEY=data["idempotency_key"])
    try:
        done = subprocess.run(
            shlex.split(target.address), input=body + b"\n", capture_output=True, timeout=timeout,
            env=env, check=False,
        )
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"cannot run the command: {exc}") from None
    except subprocess.TimeoutExpired:
        raise DeliveryError(f"the command ran past {timeout:g} s") from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        tail = f": {said[-1][:_OUTPUT_CAP]}" if said else ""
        raise DeliveryError(f"exit status {done.returncode}{tail}")
    return "exit status 0"


def text_of(data: dict[str, Any]) -> tuple[str, str]:
    """Return the title and message of a notification for people."""
    value = data.get("value")
    shown = ", ".join(value) if isinstance(value, list) else (value or "none")
    verb = "retracted: " if data["event"] == "retracted" else ""
    title = f"{data['story']} {data['slot']}: {verb}{data['op']} {shown}"
    publishers = ", ".join(data.get("publishers") or []) or "no publisher"
    when = "takes effect" if data.get("scheduled") else "at"
    lines = [f"{title} {when} {data['at']}", f"publishers: {publishers}"]
    if data.get("note"):
        lines.append(f"note: {data['note']}")
    if data.get("first_source"):
        lines.append(f"first source: {data['first_source']}")
    lines.append(f"idempotency key: {data['idempotency_key']}")
    return title, "\n".join(lines)


def _apprise(target: Target, body: bytes, timeout: float) -> str:
    try:
        import apprise
    except ImportError:
        raise DeliveryError("apprise is not installed (pip install 'tracker[apprise]')") from None
    title, message = text_of(orjson.loads(body))
    asset = apprise.AppriseAsset()
    notifier = apprise.Apprise(asset=asset)
    if not notifier.add(target.address):
        raise DeliveryError("apprise does not understand this service URL")
    for service in notifier:
        for name in ("socket_connect_timeout", "socket_read_timeout"):
            if hasattr(service, name):
                setattr(service, name, timeout)
    if not notifier.notify(body=message, title=title):
        raise DeliveryError("the apprise service did not accept the notification")
    return "accepted by apprise"
