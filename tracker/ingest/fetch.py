"""Fetch feeds over HTTP with httpx: politely, with limits, never trusting the server.

* conditional GET: ETag and Last-Modified are sent back exactly as received;
* one wall-clock deadline per fetch over connect, headers and body together,
  enforced on every socket operation (:mod:`tracker.ingest.deadline`): a server
  trickling headers, looping on ``100 Continue`` or never ending its chunks
  cannot hold a worker;
* caps on the raw and the decoded body, enforced while streaming; one layer of
  gzip or deflate, inflated with bounded output (:mod:`tracker.ingest.decode`);
* redirects followed by hand: only http/https, a limit, loops refused, and a
  redirect from a public host into a private or loopback address refused;
  ``moved_to`` is set only when every hop was permanent (301/308);
* hints for the next poll: Retry-After (seconds or HTTP date), Cache-Control
  max-age, Expires.

What counts as a public host is decided by an :class:`AddressPolicy`, which
tests replace to declare a name public without any real DNS.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from tracker import __version__
from tracker.errors import FetchError, InputError
from tracker.ingest import reasons
from tracker.ingest.deadline import cut_short, deadline_transport, fetch_deadline
from tracker.ingest.decode import ACCEPT_ENCODING, BoundedDecoder
from tracker.timeutil import utcnow

USER_AGENT = f"tracker/{__version__} (news feed tracker; polite poller)"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
MAX_BYTES = 15 * 1024 * 1024
REDIRECTS = (301, 302, 303, 307, 308)
PERMANENT = (301, 308)
MAX_HINT = 366 * 86400.0  # a Retry-After or max-age longer than a year is taken as a year


def check_url(url: str) -> str:
    """Return the URL stripped, or raise InputError unless it is http(s) with a host."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        raise InputError(f"invalid URL {url!r}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(f"unsupported URL scheme in {url!r}: only http and https feeds")
    if not parts.hostname:
        raise InputError(f"URL {url!r} has no host")
    return text


def _resolve(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


class AddressPolicy:
    """Decide which hosts are public (resolver injectable for tests)."""

    def __init__(self, resolve: Callable[[str], list[str]] = _resolve) -> None:
        self._resolve = resolve

    def addresses(self, host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        host = host.strip("[]")
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        found = []
        for text in self._resolve(host):
            try:
                found.append(ipaddress.ip_address(text.split("%", 1)[0]))
            except ValueError:
                continue
        return found

    def is_private(self, host: str) -> bool:
        """True when the host is, or resolves to, a non-global address (loopback, LAN ...)."""
        if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
            return True
        return any(not address.is_global for address in self.addresses(host))

    def is_public(self, host: str) -> bool:
        """True when the host is not private (an unresolvable name counts as public)."""
        return not self.is_private(host)


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Timeouts and sizes for one fetch."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_bytes: int = MAX_BYTES
    max_redirects: int = 5
    user_agent: str = USER_AGENT


@dataclass(frozen=True, slots=True)
class FetchResult:
    """An HTTP answer (any status); transport failures raise FetchError instead."""

    status: int
    url: str
    moved_to: str | None
    body: bytes | None
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: float | None = None
    max_age: float | None = None

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Return the seconds a Retry-After value asks for (None when absent or garbage)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return _seconds(text)
    return _seconds_until(text, now)


def _seconds(digits: str) -> float:
    """Return a count of seconds given as digits, at most :data:`MAX_HINT`."""
    digits = digits.lstrip("0") or "0"
    return MAX_HINT if len(digits) > 9 else min(float(int(digits)), MAX_HINT)


def _seconds_until(text: str, now: datetime) -> float | None:
    try:
        moment = parsedate_to_datetime(text[:200])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return min(max(0.0, (moment - now).total_seconds()), MAX_HINT)
    except (OverflowError, ValueError):
        return None


def cache_hint(headers: dict[str, str], now: datetime) -> float | None:
    """Return the freshness lifetime a response declares (max-age, else Expires)."""
    control = headers.get("cache-control", "")
    for part in control.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.strip().strip('"').isdigit():
            return _seconds(value.strip().strip('"'))
    expires = headers.get("expires")
    return _seconds_until(expires, now) if expires else None


class Fetcher:
    """Fetch feed URLs with one shared httpx client (thread-safe)."""

    def __init__(
        self,
        *,
        limits: FetchLimits | None = None,
        policy: AddressPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.limits = limits or FetchLimits()
        self.policy = policy or AddressPolicy()
        self.clock = clock
        timeout = httpx.Timeout(
            connect=self.limits.connect_timeout, read=self.limits.read_timeout,
            write=self.limits.read_timeout, pool=self.limits.connect_timeout,
        )
        self.client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            transport=transport or deadline_transport(64, 32),
            headers={
                "User-Agent": self.limits.user_agent, "Accept": ACCEPT,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            trust_env=False,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        stop: threading.Event | None = None,
    ) -> FetchResult:
        """GET a feed; return any HTTP answer, raise FetchError on transport failures.

        Connect, headers and body of every hop together take at most
        ``limits.total_timeout`` seconds.
        """
        total = self.limits.total_timeout
        with fetch_deadline(total):
            try:
                return self._fetch(url, etag, last_modified, stop)
            except httpx.TimeoutException as exc:
                if cut_short():
                    raise FetchError(f"fetch took longer than {total:g} s", reason=reasons.DEADLINE) from None
                raise FetchError(f"timed out ({type(exc).__name__})", reason=reasons.TIMEOUT) from None

    def _fetch(
        self, url: str, etag: str | None, last_modified: str | None, stop: threading.Event | None
    ) -> FetchResult:
        check = _checked(url)
        origin_host = urlsplit(check).hostname or ""
        origin_public: bool | None = None
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.limits.total_timeout
        current = check
        permanent = True
        visited = {current}
        for _hop in range(self.limits.max_redirects + 1):
            result = self._get(current, headers, deadline, stop)
            if result.status not in REDIRECTS:
                moved = current if permanent and current != check else None
                return FetchResult(
                    result.status, current, moved, result.body, result.headers,
                    result.retry_after, result.max_age,
                )
            location = result.headers.get("location")
            if not location:
                raise FetchError(f"HTTP {result.status} redirect without Location", status=result.status,
                                 reason=reasons.REDIRECT)
            target = urljoin(current, location.strip())
            try:
                target = _checked(target)
            except FetchError as exc:
                raise FetchError(f"redirect refused: {exc}", status=result.status,
                                 reason=reasons.REDIRECT) from None
            target_host = urlsplit(target).hostname or ""
            if target_host != origin_host and self.policy.is_private(target_host):
                if origin_public is None:
                    origin_public = self.policy.is_public(origin_host)
                if origin_public:
                    raise FetchError(
                        f"redirect from public host {origin_host} to private address {target_host} refused",
                        status=result.status, reason=reasons.REDIRECT,
                    )
            if target in visited:
                raise FetchError(f"redirect loop at {target}", status=result.status, reason=reasons.REDIRECT)
            visited.add(target)
            permanent = permanent and result.status in PERMANENT
            current = target
        raise FetchError(f"more than {self.limits.max_redirects} redirects", reason=reasons.REDIRECT)

    def _get(
        self, url: str, headers: dict[str, str], deadline: float, stop: threading.Event | None
    ) -> FetchResult:
        limit = self.limits.max_bytes
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                got = {k.lower(): v for k, v in response.headers.items()}
                now = self.clock()
                retry = parse_retry_after(got.get("retry-after"), now)
                hint = cache_hint(got, now)
                if status != 200:
                    return FetchResult(status, url, None, None, got, retry, hint)
                declared = got.get("content-length", "").strip()
                if declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
                    raise FetchError(f"body too large ({declared[:30]} bytes > {limit})", status=status,
                                     reason=reasons.TOO_LARGE)
                decoder = BoundedDecoder(got.get("content-encoding"), limit, status=status)
                chunks: list[bytes] = []
                raw = 0
                for chunk in response.iter_raw():
                    raw += len(chunk)
                    if raw > limit:
                        raise FetchError(f"body too large (over {limit} bytes)", status=status,
                                         reason=reasons.TOO_LARGE)
                    if time.monotonic() > deadline:
                        raise FetchError(f"fetch took longer than {self.limits.total_timeout:g} s",
                                         status=status, reason=reasons.DEADLINE)
                    if stop is not None and stop.is_set():
                        raise FetchError("interrupted by shutdown", status=status, reason=reasons.INTERRUPTED)
                    chunks.append(decoder.feed(chunk))
                chunks.append(decoder.finish())
                return FetchResult(status, url, None, b"".join(chunks), got, retry, hint)
        except httpx.TimeoutException:
            raise  # the caller tells the deadline from a timeout
        except httpx.DecodingError as exc:
            raise FetchError(f"cannot decode body: {_first_line(exc)}", reason=reasons.ENCODING) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise FetchError(f"{type(exc).__name__}: {_first_line(exc)}", reason=reasons.NETWORK) from None


def _checked(url: str) -> str:
    try:
        return check_url(url)
    except InputError as exc:
        raise FetchError(str(exc), reason=reasons.URL) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]
