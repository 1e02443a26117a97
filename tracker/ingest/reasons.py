"""The named reasons a poll of a feed can fail for, as ``feeds status`` shows them.

A recorded error reads ``<reason>: <detail>``, e.g. ``deadline: fetch took longer
than 60 s``. Every failure a feed can cause has one of these names; ``internal``
is left for a fault in tracker itself.
"""

from __future__ import annotations

DEADLINE = "deadline"              # the fetch's wall-clock deadline passed
CYCLE_DEADLINE = "cycle-deadline"  # the poll cycle's deadline passed: the feed was abandoned
TIMEOUT = "timeout"                # connect or read timeout
NETWORK = "network"                # refused, reset, DNS, TLS ...
TOO_LARGE = "too-large"            # body over the cap (declared, raw or decoded)
ENCODING = "encoding"              # stacked, unknown or corrupt Content-Encoding
REDIRECT = "redirect"              # loop, too many, bad target, into a private network
URL = "url"                        # not an http(s) URL with a host
HTTP = "http"                      # an HTTP error status
GONE = "gone"                      # HTTP 410: the feed is disabled
NOT_A_FEED = "not-a-feed"          # the body is not a usable RSS or Atom feed
APPEND = "append"                  # the event log refused or failed the append
INTERRUPTED = "interrupted"        # shutdown while fetching
INTERNAL = "internal"              # a fault in tracker itself (a bug to report)

ALL = (
    DEADLINE, CYCLE_DEADLINE, TIMEOUT, NETWORK, TOO_LARGE, ENCODING, REDIRECT, URL, HTTP,
    GONE, NOT_A_FEED, APPEND, INTERRUPTED, INTERNAL,
)


def labelled(reason: str, detail: str) -> str:
    """Return an error as recorded: ``reason: detail``."""
    return f"{reason}: {detail}"


def reason_of(error: str | None) -> str | None:
    """Return the reason name an error starts with (None for no error or an older message)."""
    if not error:
        return None
    name = error.split(":", 1)[0]
    return name if name in ALL else None
