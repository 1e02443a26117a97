"""Run tracker's benchmarks and print one JSON document of figures and same-run ratios.

Usage::

    .venv/bin/python benchmarks/run.py [--quick] [--only SECTION[,SECTION]] [--events N]

Sections: log, ingest, rebuild, asof, polling, memory, serve, gold, startup (all by
default; gold is the claim precision/recall against the hand-labelled set, see
benchmarks/gold/; memory is the worker's peak RSS on hostile feeds; serve is the web
API's latency from a warm server; startup is a whole ``tracker state`` process and
the ten-story rebuild). Every
measurement runs in its own process, so each figure comes with that process'
peak RSS. A section whose API is missing reports ``{"status": "not available"}``
and the others still run. Progress goes to stderr; the JSON to stdout.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import asof, ingest, log, memory, polling, rebuild, serve, startup
from benchmarks.common import NOT_AVAILABLE, OUT, ProbeError, available, probe

SECTIONS = ("log", "ingest", "rebuild", "asof", "polling", "memory", "serve", "gold", "startup")
DEFAULT_EVENTS = 1_000_000
QUICK_EVENTS = 100_000
LOG_EVENTS = 200_000
QUICK_LOG_EVENTS = 50_000


def _gold_module() -> Any:
    """Import the gold scorer only when its section runs (it needs the extraction API)."""
    from benchmarks.gold import score

    return score


def _gold_check() -> None:
    _gold_module().check()


def _section(name: str, args: argparse.Namespace) -> dict[str, Any]:
    events = args.events or (QUICK_EVENTS if args.quick else DEFAULT_EVENTS)
    log_events = args.log_events or (QUICK_LOG_EVENTS if args.quick else LOG_EVENTS)
    plans: dict[str, tuple[Callable[[], object], Callable[[], dict[str, Any]]]] = {
        "log": (log.check, lambda: log.run(log_events, probe)),
        "ingest": (ingest.check, lambda: ingest.run(args.quick, probe)),
        "rebuild": (rebuild.check, lambda: rebuild.run(events, args.quick, probe)),
        "asof": (asof.check, lambda: asof.run(events, args.quick, probe)),
        "polling": (polling.check, lambda: polling.run(args.quick, probe)),
        "serve": (serve.check, lambda: serve.run(events, args.quick, probe)),
        "gold": (_gold_check, lambda: _gold_module().run(probe)),
        "memory": (memory.check, lambda: memory.run(args.quick, probe)),
        "startup": (startup.check, lambda: startup.run(args.quick, probe)),
    }
    check, work = plans[name]
    missing = available(check)
    if missing is not None:
        return {"status": NOT_AVAILABLE, "reason": missing}
    started = time.perf_counter()
    try:
        result = work()
    except ProbeError as exc:
        result = {"status": "failed", "error": str(exc)}
    result["section_seconds"] = round(time.perf_counter() - started, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the sections, print the JSON document."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer samples")
    parser.add_argument("--only", action="append", default=[], metavar="SECTION",
                        help=f"run only these sections ({', '.join(SECTIONS)}); repeat or comma-separate")
    parser.add_argument("--events", type=int, metavar="N",
                        help=f"events in the generated log for rebuild and asof (default {DEFAULT_EVENTS:,})")
    parser.add_argument("--log-events", type=int, metavar="N",
                        help=f"events appended and scanned by the log section (default {LOG_EVENTS:,})")
    args = parser.parse_args(argv)
    chosen = [s.strip() for item in args.only for s in item.split(",") if s.strip()] or list(SECTIONS)
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)} (choose from {', '.join(SECTIONS)})")
    OUT.mkdir(parents=True, exist_ok=True)
    document: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                    "platform": platform.platform(), "cpus": _cpus()},
        "quick": args.quick,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sections": {},
    }
    for name in chosen:
        print(f"benchmark: {name} ...", file=sys.stderr, flush=True)
        document["sections"][name] = _section(name, args)
        print(f"benchmark: {name}: {document['sections'][name].get('status')}", file=sys.stderr,
              flush=True)
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


if __name__ == "__main__":
    raise SystemExit(main())
