"""The Starlette application: a page per story, the JSON API, live updates, the OpenAPI schema.

Read-only: every route is a GET. Each API route calls the function the CLI's
``--json`` uses (see :mod:`tracker.serve.api`). ``/api/stream`` sends a
server-sent event whenever the log's last position moves (looked up every
``poll_s`` seconds), and the page fetches its documents again. The last
answers are kept until the log grows (:class:`AnswerCache`). With a token,
every request needs ``Authorization: Bearer TOKEN`` or ``?token=TOKEN``; without
one (loopback only), every request must name a loopback host in its ``Host``
header, so a web page whose name is made to resolve to 127.0.0.1 (DNS rebinding)
cannot read the API through a visitor's browser.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from importlib import resources
from typing import Any

import orjson
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from tracker.errors import InputError, TrackerError
from tracker.projections.explain import History
from tracker.serve import api
from tracker.serve.openapi import schema
from tracker.serve.run import is_loopback

STATIC = {"app.js": "text/javascript", "app.css": "text/css"}
STREAM_LIMIT_S = 3600.0
CACHE_SIZE = 256  # answers kept per server  # a stream ends after an hour; EventSource reconnects by itself


class OrJSONResponse(JSONResponse):
    """A JSON response rendered by orjson (the CLI's encoder)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def _static(name: str) -> bytes:
    return resources.files("tracker.serve").joinpath("static", name).read_bytes()


def _page(story: str) -> str:
    text = _static("page.html").decode()
    return text.replace("{{story}}", html.escape(story, quote=True))


class AnswerCache:
    """Keep the last answers, keyed by the log's last position and the request's URL.

    Every document is a function of the log (and of the rules, fixed while the
    server runs), so an answer holds until the log grows.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.items: OrderedDict[tuple[int, str], bytes] = OrderedDict()

    def get(self, key: tuple[int, str]) -> bytes | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple[int, str], body: bytes) -> None:
        with self.lock:
            self.items[key] = body
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def create_app(engine: Engine, *, token: str | None = None, poll_s: float = 0.5,
               allowed_hosts: Sequence[str] = ()) -> Starlette:
    """Return the web application over a database (``allowed_hosts``: names besides
    loopback that a token-less server answers to, such as a reverse proxy's)."""
    cache = AnswerCache()
    histories: dict[Any, History] = {}   # explain's view of each story's history, per log position

    def answer(work: Callable[[], Any], request: Request | None = None) -> Response:
        try:
            if request is None:
                return OrJSONResponse(work())
            key = (api.position(engine), str(request.url.path) + "?" + str(request.url.query))
            body = cache.get(key)
            if body is None:
                body = bytes(OrJSONResponse(work()).body)
                cache.put(key, body)
            return Response(body, media_type="application/json")
        except InputError as exc:
            status = 404 if str(exc).startswith(("unknown story", "unknown slot")) else 400
            return OrJSONResponse({"error": str(exc)}, status_code=status)
        except TrackerError as exc:
            return OrJSONResponse({"error": str(exc)}, status_code=503)

    def stories(request: Request) -> Response:
        return answer(api.stories_json)

    def state(request: Request) -> Response:
        q = request.query_params
        return answer(lambda: api.state_json(
            engine, request.path_params["story"], q.get("as_of"), q.get("known_at")), request)

    def timeline(request: Request) -> Response:
        q = request.query_params
        return answer(
            lambda: api.timeline_json(engine, request.path_params["story"], q.get("known_at"),
                                      q.get("since"), q.get("until"), q.get("limit"),
                                      q.get("last")), request)

    def explain(request: Request) -> Response:
        q = request.query_params
        return answer(lambda: api.explain_json(
            engine, request.path_params["story"], request.path_params["slot"],
            q.get("as_of"), q.get("known_at"), histories), request)

    def events(request: Request) -> Response:
        q = request.query_params
        return answer(lambda: api.events_json(engine, q.get("after"), q.get("limit")), request)

    async def stream(request: Request) -> Response:
        async def changes() -> AsyncIterator[bytes]:
            last = -1
            loop = asyncio.get_running_loop()
            ends = loop.time() + STREAM_LIMIT_S
            quiet = 0.0
            while loop.time() < ends and not await request.is_disconnected():
                try:
                    now = await run_in_threadpool(api.position, engine)
                except TrackerError:
                    now = last
                if now != last:
                    last, quiet = now, 0.0
                    yield b"event: position\ndata: " + orjson.dumps({"position": now}) + b"\n\n"
                elif quiet >= 15.0:
                    quiet = 0.0
                    yield b": still here\n\n"
                await asyncio.sleep(poll_s)
                quiet += poll_s

        return StreamingResponse(changes(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    def index(request: Request) -> Response:
        found = api.stories_json()
        if len(found) == 1:
            return RedirectResponse(f"/stories/{found[0]['id']}" + _token_query(request), 303)
        items = "".join(
            f'<li><a href="/stories/{html.escape(s["id"])}{html.escape(_token_query(request))}">'
            f'{html.escape(s["title"])}</a></li>' for s in found
        )
        return HTMLResponse(f"<!doctype html><title>tracker</title><h1>Stories</h1><ul>{items}</ul>")

    def page(request: Request) -> Response:
        return HTMLResponse(_page(request.path_params["story"]))

    def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return PlainTextResponse("not found", status_code=404)
        return Response(_static(name), media_type=STATIC[name])

    def openapi(request: Request) -> Response:
        return OrJSONResponse(schema())

    routes = [
        Route("/", index),
        Route("/stories/{story}", page),
        Route("/static/{name}", static),
        Route("/openapi.json", openapi),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/api/stories", stories),
        Route("/api/stories/{story}/state", state),
        Route("/api/stories/{story}/timeline", timeline),
        Route("/api/stories/{story}/explain/{slot}", explain),
        Route("/api/events", events),
        Route("/api/stream", stream),
    ]
    app = Starlette(routes=routes)
    if token:
        return _guarded(app, token)  # type: ignore[return-value]
    return _loopback_only(app, allowed_hosts)  # type: ignore[return-value]


def _token_query(request: Request) -> str:
    token = request.query_params.get("token")
    return f"?token={token}" if token else ""


Scope = dict[str, Any]
ASGI = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


def host_name(header: bytes) -> str:
    """The host name a ``Host`` header gives, lowercased, without its port or final dot."""
    host = header.decode("latin-1").strip().lower()
    if host.startswith("["):
        name = host[1:].split("]", 1)[0]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name.rstrip(".")


def _loopback_only(app: Starlette, allowed: Sequence[str]) -> ASGI:
    """Wrap an app so that a request naming another host than loopback (or one of
    ``allowed``) is refused (421)."""
    extra = {host_name(name.encode("latin-1")) for name in allowed}

    async def guard(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            header = next((value for name, value in scope.get("headers", ()) if name == b"host"), b"")
            name = host_name(header)
            if not (is_loopback(name) or name.endswith(".localhost") or name in extra):
                response = PlainTextResponse(
                    "this server answers only requests to a loopback host name "
                    "(--allow-host NAME adds one; or serve with a token)",
                    status_code=421)
                await response(scope, receive, send)
                return
        await app(scope, receive, send)

    return guard


def _guarded(app: Starlette, token: str) -> ASGI:
    """Wrap an app so that every HTTP request must carry the token."""
    expected = token.encode()

    async def guard(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = b""
            for name, value in scope.get("headers", ()):
                if name == b"authorization" and value.startswith(b"Bearer "):
                    given = value[7:]
            if not given:
                from urllib.parse import parse_qs

                found = parse_qs(scope.get("query_string", b"").decode()).get("token")
                given = found[0].encode() if found else b""
            if not hmac.compare_digest(given, expected):
                response = PlainTextResponse("a token is needed (Authorization: Bearer TOKEN)",
                                             status_code=401)
                await response(scope, receive, send)
                return
        await app(scope, receive, send)

    return guard
