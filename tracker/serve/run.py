"""Run the web application under uvicorn on a socket of its own (port 0: any free port)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence

from sqlalchemy.engine import Engine

from tracker.errors import InputError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    """Return whether a host name or address only reaches this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: str | None) -> None:
    """Refuse another address than loopback without a token (InputError)."""
    if not is_loopback(host) and not token:
        raise InputError(f"serving on {host} needs a token (--token or $TRACKER_SERVE_TOKEN)")


def bind(host: str, port: int) -> socket.socket:
    """Open the listening socket (InputError when the address cannot be had)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Inherited by every accepted connection: answers go out at once, not after
    # the client's delayed ACK (about 40 ms a request otherwise).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket, host: str) -> str:
    """Return the base URL a socket is reached at."""
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(
    engine: Engine,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    ready: Callable[[str], None] | None = None,
    allowed_hosts: Sequence[str] = (),
) -> None:
    """Serve until SIGINT/SIGTERM; ``ready(url)`` is called once the socket listens."""
    import uvicorn

    from tracker.serve.app import create_app

    check_binding(host, token)
    sock = bind(host, port)
    if ready is not None:
        ready(url_of(sock, host))
    config = uvicorn.Config(create_app(engine, token=token, allowed_hosts=allowed_hosts), log_level="warning",
                            access_log=False, lifespan="off", timeout_graceful_shutdown=2)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
