"""Helpers for the alert and serve tests: tracker subprocesses, a webhook receiver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson

TRACKER = Path(sys.executable).with_name("tracker")
ROOT = Path(__file__).resolve().parent.parent


def run(db: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run one tracker command on an SQLite file and wait for it."""
    env = dict(os.environ)
    env.pop("TRACKER_DATABASE_URL", None)
    done = subprocess.run([str(TRACKER), "--db", f"sqlite:///{db}", *args], capture_output=True,
                          text=True, timeout=300, env=env, cwd=ROOT, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"tracker {' '.join(args)} failed: {done.stderr}")
    return done


def start(db: Path, *args: str, output: bool = False) -> subprocess.Popen[str]:
    """Start a long-running tracker command on an SQLite file (stdout piped if ``output``)."""
    env = dict(os.environ)
    env.pop("TRACKER_DATABASE_URL", None)
    return subprocess.Popen([str(TRACKER), "--db", f"sqlite:///{db}", *args],
                            stdout=subprocess.PIPE if output else subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)


def demo(db: Path) -> None:
    """Run the demo into an SQLite file (a real process)."""
    env = dict(os.environ)
    env.pop("TRACKER_DATABASE_URL", None)
    done = subprocess.run([str(TRACKER), "-q", "demo", "--db", str(db)], capture_output=True,
                          text=True, timeout=300, env=env, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise AssertionError(f"demo failed: {done.stderr}")


def copy_db(source: Path, target: Path) -> Path:
    """Copy an SQLite file (and its WAL, if any)."""
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target


class Receiver:
    """A webhook receiver on 127.0.0.1 that records what it accepted.

    ``fail(n)`` answers 500 to the n-th request (counting from 1) when it returns
    True. ``hold`` armed: the next request is recorded as received, then its
    answer waits until ``release`` is set (to kill a sender mid-delivery).
    """

    def __init__(self, secret: str | None = None,
                 fail: Callable[[int], bool] = lambda n: False) -> None:
        self.secret = secret
        self.fail = fail
        self.lock = threading.Lock()
        self.requests = 0
        self.accepted: list[dict[str, Any]] = []  # bodies answered 2xx
        self.held: list[str] = []  # keys received whose answer was held back
        self.bad_signatures = 0
        self.hold = threading.Event()
        self.arrived = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests += 1
                    number = receiver.requests
                    holding = receiver.hold.is_set()
                    if holding:
                        receiver.hold.clear()
                if receiver.secret is not None:
                    want = "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                    if not hmac.compare_digest(want, self.headers.get("X-Tracker-Signature", "")):
                        with receiver.lock:
                            receiver.bad_signatures += 1
                data = orjson.loads(body)
                key = data.get("idempotency_key", "")  # apprise's json:// sends its own shape
                if key and key != self.headers.get("Idempotency-Key"):
                    with receiver.lock:
                        receiver.bad_signatures += 1
                if holding:
                    with receiver.lock:
                        receiver.held.append(key)
                    receiver.arrived.set()
                    receiver.release.wait(30)
                    self._answer(200)
                    return
                if receiver.fail(number):
                    self._answer(500)
                    return
                with receiver.lock:
                    receiver.accepted.append(data)
                self._answer(200)

            def _answer(self, code: int) -> None:
                try:
                    self.send_response(code)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender is gone

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def keys(self) -> list[str]:
        with self.lock:
            return [d["idempotency_key"] for d in self.accepted]
