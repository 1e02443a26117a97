"""One wall-clock deadline per fetch, enforced on every socket operation.

httpx's timeouts apply to each read on its own: a server sending one byte of
headers every few seconds, or ``100 Continue`` after ``100 Continue``, never
trips them. This module gives httpx a network backend whose every connect,
TLS handshake, read and write gets at most the time left before the deadline
of the fetch running in that thread, so connect, headers and body together
cannot outlast it, whatever the server does.

Usage::

    transport = deadline_transport(limits)        # an httpx.HTTPTransport
    with fetch_deadline(60.0):
        client.get(url)                           # raises httpx.TimeoutException past 60 s
"""

from __future__ import annotations

import ssl
import threading
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx
from httpcore._backends.base import SOCKET_OPTION, NetworkBackend, NetworkStream
from httpcore._backends.sync import SyncBackend

DEADLINE_PASSED = "fetch deadline passed"

_local = threading.local()


@contextmanager
def fetch_deadline(seconds: float) -> Iterator[float]:
    """Bound every socket operation of this thread to ``seconds`` from now; yield the instant."""
    previous = getattr(_local, "at", None)
    at = time.monotonic() + seconds
    if previous is not None:
        at = min(at, previous)
    _local.at = at
    _local.cut = False
    try:
        yield at
    finally:
        _local.at = previous


def cut_short() -> bool:
    """True when this thread's last socket operation had less time than its own timeout
    (what was left of the deadline): a timeout then is the deadline's."""
    return bool(getattr(_local, "cut", False))


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """Return the timeout cut to what is left of the deadline; raise ``error`` when none is."""
    at = getattr(_local, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    _local.cut = timeout is None or left < timeout
    if left <= 0:
        raise error(DEADLINE_PASSED)
    return left if timeout is None else min(timeout, left)


class _Stream(NetworkStream):
    def __init__(self, inner: NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)
        )
        return _Stream(inner)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(NetworkBackend):
    """httpcore's blocking backend with every operation bounded by the thread's deadline."""

    def __init__(self) -> None:
        self._inner = SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, bounded, local_address, socket_options))

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def deadline_transport(max_connections: int, max_keepalive: int) -> httpx.HTTPTransport:
    """Return an httpx transport whose connections honour :func:`fetch_deadline`."""
    transport = httpx.HTTPTransport(
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_keepalive)
    )
    # httpx builds its pool without a way to pass a network backend: build the
    # same pool (default TLS context, HTTP/1.1) with ours.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=max_connections,
        max_keepalive_connections=max_keepalive,
        keepalive_expiry=5.0,
        network_backend=DeadlineBackend(),
    )
    return transport


FETCH_DEADLINE_ENV = "TRACKER_FETCH_DEADLINE"
CYCLE_DEADLINE_ENV = "TRACKER_CYCLE_DEADLINE"
FETCH_DEADLINE = 60.0
CYCLE_DEADLINE = 240.0  # below the 300 s feed lease: a cycle's feeds are recorded before it runs out


def seconds_from_env(name: str, default: float) -> float:
    """Return a positive number of seconds from the environment, else the default."""
    import os

    text = os.environ.get(name, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if 0 < value < float("inf") else default
