"""Commands that bring items in: feeds, import, poll, worker."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Add this module's commands to the main group."""
