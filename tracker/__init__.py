"""tracker: an event-sourced news tracker.

Data flow: poll (``tracker.ingest``) -> parse -> match (``tracker.stories``)
-> append (``tracker.eventlog``) -> project (``tracker.projections``) -> query
(``tracker.cli``).
"""

__version__ = "0.1.0"
