"""Exceptions raised by tracker: one root, wrapped at the edges.

::

    TrackerError
    ├── ConfigError            bad settings, story or feed file (says file and line)
    ├── InputError(ValueError) a bad value given by a user (time, slot, URL ...)
    ├── StorageError           the database failed or is unreachable
    │   ├── SchemaError        schema missing, or newer than this code
    │   ├── ConcurrencyError   an expected stream version did not hold
    │   └── IntegrityError     the log is not what it should be (immutability, chain)
    └── FeedError              a feed could not be fetched or parsed
        ├── FetchError         HTTP / network failure (status, reason)
        └── ParseError         the body is not a usable feed

The CLI turns every ``TrackerError`` into one line on stderr and exit status 1
(``InputError``: 2).
"""

from __future__ import annotations


class TrackerError(Exception):
    """Root of every error tracker raises on purpose."""


class ConfigError(TrackerError):
    """A configuration file or setting is unreadable or invalid."""


class InputError(TrackerError, ValueError):
    """A value given by a user is invalid (bad time, unknown slot ...)."""


class StorageError(TrackerError):
    """The database failed, or could not be reached."""


class SchemaError(StorageError):
    """The database schema is missing, unknown, or newer than this code."""


class ConcurrencyError(StorageError):
    """A stream's expected version did not match its actual version."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(
            f"stream {stream_id!r} is at version {actual}, expected {expected}"
        )
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class IntegrityError(StorageError):
    """The log broke one of its guarantees (append-only, hash chain)."""


class FeedError(TrackerError):
    """A feed could not be fetched or parsed."""


class FetchError(FeedError):
    """An HTTP or network failure while fetching a feed."""

    def __init__(self, message: str, *, status: int | None = None, reason: str = "network") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason  # one of tracker.ingest.reasons


class ParseError(FeedError):
    """The fetched body is not a usable feed."""
