"""Commands that read a story: state, timeline, explain; and corrections: assert, reject."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Add this module's commands to the main group."""
