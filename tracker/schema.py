"""Every table tracker has, on one MetaData (what Alembic migrates)."""

import tracker.ingest.tables  # noqa: F401  (feeds and poll state)
from tracker.eventlog.tables import metadata

__all__ = ["metadata"]
