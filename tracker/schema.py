"""Every table tracker has, on one MetaData (what Alembic migrates)."""

from tracker.eventlog.tables import metadata

__all__ = ["metadata"]
