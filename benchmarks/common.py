"""Time things, and run one measurement in its own process to know its peak RSS."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
CORPUS = Path(os.environ.get("TRACKER_CORPUS", ROOT.parent / "shared" / "corpus" / "nov2023"))
NOT_AVAILABLE = "not available"
PROBE_TIMEOUT = float(os.environ.get("TRACKER_BENCH_TIMEOUT", "2400"))  # seconds per measurement


class ProbeError(RuntimeError):
    """A measurement process failed."""


@contextmanager
def stopwatch() -> Iterator[dict[str, float]]:
    """Measure the wall time of a block into ``result["seconds"]``."""
    result: dict[str, float] = {}
    start = time.perf_counter()
    try:
        yield result
    finally:
        result["seconds"] = time.perf_counter() - start


def probe(module: str, function: str, **kwargs: Any) -> dict[str, Any]:
    """Run ``benchmarks.<module>.<function>(**kwargs)`` in a fresh process.

    Returns the function's JSON result with ``peak_rss_mb`` added: the peak
    resident set size of that process alone (from ``wait4``). A process still
    running after ``PROBE_TIMEOUT`` seconds ($TRACKER_BENCH_TIMEOUT) is killed
    and reported as failed.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.probe", module, function, json.dumps(kwargs)],
            cwd=ROOT, stdout=out, stderr=err, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        timer = threading.Timer(PROBE_TIMEOUT, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode == -signal.SIGKILL:
            raise ProbeError(f"{module}.{function} did not finish within {PROBE_TIMEOUT:.0f} s")
        out.seek(0)
        err.seek(0)
        text = out.read().decode()
        if proc.returncode != 0:
            tail = err.read().decode().strip().splitlines()[-1:] or ["no output"]
            raise ProbeError(f"{module}.{function} exited {proc.returncode}: {tail[0]}")
    result = json.loads(text)
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # Linux: kilobytes
    return result


def rate(count: int, seconds: float) -> float:
    """Return a throughput, rounded."""
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def ratio(ours: float, baseline: float) -> float:
    """Return ours / baseline, rounded."""
    return round(ours / baseline, 3) if baseline else float("nan")


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """Return median, p90, p99 and max of latencies in milliseconds."""
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {
        "samples": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p90_ms": at(0.90),
        "p99_ms": at(0.99),
        "max_ms": round(ordered[-1], 2),
    }


def available(check: Callable[[], object]) -> str | None:
    """Return None when ``check()`` works, else why the section cannot run."""
    try:
        check()
    except Exception as exc:
        return f"{NOT_AVAILABLE}: {type(exc).__name__}: {exc}"
    return None


def fresh_sqlite(path: Path) -> Path:
    """Remove an SQLite file and its WAL companions; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path
