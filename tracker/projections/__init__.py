"""Projections: state derived from the log, checkpointed, rebuildable, deterministic."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def update(engine: Engine) -> None:
    """Bring every projection up to the end of the log (called after appends)."""
    from tracker.projections.engine import update as run

    run(engine)
