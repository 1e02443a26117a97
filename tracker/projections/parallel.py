"""Build projection batches in worker processes, handed back in log order.

A batch depends only on its own range of the log (and on earlier events of the
streams it touches, read from the log itself), never on the batches before it,
so ranges can be built anywhere and in any order; only writing them must follow
log order, and that stays with the caller. The work per event is pure Python
(decode the payload, look the extraction up, make rows), which one interpreter
runs on one core: worker processes spread it over the others.

Each worker is ``python -m tracker.projections.builder``, a plain child process
talking over its stdin and stdout (length-prefixed pickles): nothing of the
caller's main module or threads is copied into it. It opens its own engine on
the same database and reads its ranges itself, so only finished rows cross.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import subprocess
import sys
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import Engine

from tracker.errors import StorageError
from tracker.projections.claims import Batch
from tracker.projections.versions import log_version
from tracker.stories.definition import StoryDefinition

ENV_WORKERS = "TRACKER_PROJECTION_WORKERS"
MIN_EVENTS = 200_000  # a pass over fewer events stays in one process
RANGE = 10_000        # events per range handed to a worker
AHEAD = 2             # ranges queued per worker
_HEADER = struct.Struct("!Q")
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent.parent)


class WorkersFailed(Exception):
    """A worker process died or stopped answering; the caller goes on without workers."""


def worker_count(engine: Engine, events: int, workers: int | None = None) -> int:
    """Return how many worker processes a pass over ``events`` events should use (0: none).

    ``workers`` forces a count (0 turns them off); otherwise $TRACKER_PROJECTION_WORKERS,
    else one per CPU for passes of at least :data:`MIN_EVENTS` events on a machine
    with two CPUs or more. An in-memory SQLite database cannot be shared with other
    processes, so it never gets any.
    """
    if engine.dialect.name == "sqlite":
        database = engine.url.database or ""
        if database in ("", ":memory:") or "mode=memory" in str(engine.url):
            return 0
    if workers is None:
        setting = os.environ.get(ENV_WORKERS, "").strip()
        if setting:
            try:
                workers = max(0, int(setting))
            except ValueError:
                raise StorageError(f"{ENV_WORKERS} must be a whole number, not {setting!r}") from None
        elif events < MIN_EVENTS:
            return 0
        else:
            workers = os.cpu_count() or 1
            if workers < 2:
                return 0
    return max(0, min(workers, 16))


def send(stream: IO[bytes], message: Any) -> None:
    """Write one message (a length-prefixed pickle)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """Read one message; EOFError when the other side is gone."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


class _Worker:
    def __init__(self, url: str, stories: Mapping[str, StoryDefinition], version: str) -> None:
        self.version = version  # what the worker must build with: its rules and stories
        self.greeted = False
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tracker.projections.builder"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        try:
            self.ask(("start", url, stories))
        except WorkersFailed:
            self.stop(kill=True)
            raise

    def ask(self, message: Any) -> None:
        try:
            send(self.stdin, message)
        except (BrokenPipeError, OSError) as exc:
            raise WorkersFailed(f"projection worker {self.process.pid} is gone: {exc}") from None

    def answer(self) -> Any:
        if not self.greeted:
            self.greeted = True
            found = self._receive()
            if found != self.version:
                raise WorkersFailed(
                    f"projection worker {self.process.pid} builds with version {found}, "
                    f"not {self.version}"
                )
        return self._receive()

    def _receive(self) -> Any:
        try:
            kind, value = receive(self.stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            raise WorkersFailed(f"projection worker {self.process.pid} stopped: {exc!r}") from None
        if kind == "error":
            raise StorageError(value)
        if kind == "failed":
            raise WorkersFailed(f"projection worker {self.process.pid} failed: {value}")
        return value

    def stop(self, *, kill: bool) -> None:
        if kill:
            self.process.kill()
        for stream in (self.stdin, self.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ParallelBatches:
    """Batches of the log's range (after, until], built by worker processes, yielded in order.

    :meth:`start` launches the workers and hands them their first ranges, so they
    can start while the caller is still busy (emptying the tables, say); iterating
    yields the batches in log order. Range k goes to worker k mod N, and each
    worker answers its ranges in the order given, so answers are read in log order.
    """

    def __init__(
        self,
        engine: Engine,
        stories: Mapping[str, StoryDefinition],
        after: int,
        until: int,
        workers: int,
        size: int | None = None,
    ) -> None:
        self.url = engine.url.render_as_string(hide_password=False)
        self.stories = dict(stories)
        self.version = log_version(self.stories.values())
        self.until, self.count, self.size = until, workers, size or RANGE
        self._workers: list[_Worker] = []
        self._pending: deque[_Worker] = deque()  # who answers each range handed out, in order
        self._next = after  # where the next range starts
        self._turn = 0

    def start(self) -> ParallelBatches:
        """Start the workers and give them their first ranges."""
        try:
            for _ in range(self.count):
                self._workers.append(_Worker(self.url, self.stories, self.version))
            for _ in range(self.count * AHEAD):
                self._submit()
        except OSError as exc:
            self.close()
            raise WorkersFailed(f"cannot start projection workers: {exc}") from None
        except WorkersFailed:
            self.close()
            raise
        return self

    def _submit(self) -> None:
        if self._next >= self.until or not self._workers:
            return
        worker = self._workers[self._turn % len(self._workers)]
        self._turn += 1
        end = min(self._next + self.size, self.until)
        worker.ask(("build", self._next, end))
        self._pending.append(worker)
        self._next = end

    def __iter__(self) -> Iterator[Batch]:
        if not self._workers:
            self.start()
        done = False
        try:
            while self._pending:
                batch = self._pending.popleft().answer()
                self._submit()
                if batch is not None:
                    yield batch
            done = True
        finally:
            self.close(kill=not done)

    def close(self, *, kill: bool = True) -> None:
        """Stop the workers (at once, by default: their pending ranges are dropped)."""
        workers, self._workers = self._workers, []
        self._pending.clear()
        for worker in workers:
            worker.stop(kill=kill)
