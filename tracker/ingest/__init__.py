"""Ingestion: bring feed items into the log, exactly once.

poll (:mod:`~tracker.ingest.fetch`, httpx) -> parse (:mod:`~tracker.ingest.parse`,
the only feedparser user) -> normalise (:mod:`~tracker.ingest.normalize`, frozen
:class:`~tracker.ingest.items.FeedItem`) -> match and append
(:mod:`~tracker.ingest.append`, ``ArticleObserved`` / ``ArticleRevised``).

:mod:`~tracker.ingest.poll` runs one cycle over the registry
(:mod:`~tracker.ingest.feeds`, operational tables in :mod:`~tracker.ingest.tables`);
:mod:`~tracker.ingest.worker` schedules cycles with APScheduler;
:mod:`~tracker.ingest.importer` takes files and folders as if fetched.
"""
