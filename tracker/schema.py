"""Every table tracker has, on one MetaData (what Alembic migrates)."""

import tracker.ingest.tables  # noqa: F401  (feeds and poll state)
import tracker.projections.tables  # projection tables, on the same MetaData
from tracker.eventlog.tables import metadata

__all__ = ["metadata"]
