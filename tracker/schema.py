"""Every table tracker has, on one MetaData (what Alembic migrates)."""

import tracker.alerts.tables  # alert targets, outbox and delivery attempts
import tracker.ingest.leases  # feed leases and worker heartbeats (PostgreSQL scale-out)
import tracker.ingest.tables  # feeds and poll state
import tracker.projections.tables  # noqa: F401  (projection tables, on the same MetaData)
from tracker.eventlog.tables import metadata

__all__ = ["metadata"]
