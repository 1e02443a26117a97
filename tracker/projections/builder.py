"""A projection worker process: builds the batches of the log ranges it is asked for.

Started by :mod:`tracker.projections.parallel` as ``python -m
tracker.projections.builder``. Messages are length-prefixed pickles: first
``("start", url, stories)``, answered ``("ok", version)`` (the projection version
this process builds: rules, story files and layout), then ``("build", after,
until)`` for each range, answered ``("ok", batch or None)``. A database or
tracker error is answered ``("error", one line)`` (the caller fails with it);
anything else ``("failed", one line)`` (the caller goes on without workers).
Nothing is printed: no traceback reaches the user's terminal from here. It ends
when its stdin closes. Interrupts are left to the parent, which stops it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
from typing import IO, Any


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Answer build requests until the requests stream ends."""
    import sqlalchemy as sa

    from tracker import db
    from tracker.errors import TrackerError
    from tracker.eventlog.sql import first_line
    from tracker.eventlog.store import EventStore
    from tracker.projections.claims import build_batch
    from tracker.projections.engine import fetch, read_sql
    from tracker.projections.parallel import receive, send
    from tracker.projections.versions import log_version

    state: dict[str, Any] = {}
    while True:
        try:
            message = receive(requests)
        except EOFError:
            return
        try:
            if message[0] == "start":
                engine = db.create_engine(message[1])
                state.update(engine=engine, store=EventStore(engine), stories=message[2],
                             query=read_sql(engine, bounded=True))
                send(answers, ("ok", log_version(message[2].values())))
                continue
            _, after, until = message
            rows = fetch(state["engine"], state["query"], (after, until))
            batch = build_batch(state["store"], rows, state["stories"]) if rows else None
            send(answers, ("ok", batch))
        except (sa.exc.DBAPIError, TrackerError) as exc:  # the caller fails the same way
            send(answers, ("error", f"projection worker failed: {first_line(exc)}"))
        except Exception as exc:  # anything else: the caller goes on without this worker
            text = str(exc).strip().splitlines()
            send(answers, ("failed", f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")))


def main() -> None:
    """Serve on stdin/stdout; anything else printed goes to stderr, not into the answers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()  # batches are many short-lived, acyclic objects: collection only rescans them
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        serve(sys.stdin.buffer, answers)
    except OSError:  # the caller went away (stopped, or killed): nobody left to answer
        pass
    finally:
        with contextlib.suppress(OSError):
            answers.close()


if __name__ == "__main__":
    main()
