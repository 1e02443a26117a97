"""The long-running worker: APScheduler 3 with one short tick over per-feed ``next_poll_at``.

The schedule lives in the database (``feeds.next_poll_at``), not in the
scheduler: a single ``tick`` job (coalesced, one instance at a time, jittered)
polls whatever is due. A failing tick (the database is down, say) is logged and
retried at the next tick. SIGTERM/SIGINT stop new work, let the in-flight tick
finish, shut the scheduler down and return 0 within :data:`SHUTDOWN_GRACE`
seconds (APScheduler 3 installs no signal handlers, so this module does).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine

from tracker.alerts.sender import Sender
from tracker.eventlog import codec
from tracker.ingest.leases import seconds_from_env
from tracker.ingest.poll import Poller

log = logging.getLogger("tracker.worker")
TICK_SECONDS = 10.0
TICK_JITTER = 2
SHUTDOWN_GRACE = 8.0
ALERT_SECONDS = 2.0
ALERT_LEASE_ENV = "TRACKER_ALERT_LEASE_SECONDS"


class Worker:
    """Run poll cycles on a schedule until told to stop."""

    def __init__(
        self,
        engine: Engine,
        *,
        poller: Poller | None = None,
        tick_seconds: float = TICK_SECONDS,
        jitter: int = TICK_JITTER,
    ) -> None:
        self.poller = poller or Poller(engine)
        self.tick_seconds = tick_seconds
        self.jitter = jitter
        self.stopping = threading.Event()
        self.ticked = threading.Event()  # set after every tick (for watchers and tests)
        self.ticks = 0
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            executors={"default": {"type": "threadpool", "max_workers": 1},
                       "alerts": {"type": "threadpool", "max_workers": 1}},
        )
        # Alerts: their own job, so a slow target never delays polls. A notification a
        # worker killed mid-delivery held is sent again once its lease runs out
        # ($TRACKER_ALERT_LEASE_SECONDS, default the delivery timeout plus 5 s).
        lease = seconds_from_env(ALERT_LEASE_ENV, 0.0) or None
        self.sender = Sender(engine, lease_s=lease)

    def tick(self) -> None:
        """Poll what is due; never raise (a failed tick is retried at the next one)."""
        if self.stopping.is_set():
            return
        try:
            summary = self.poller.cycle(due_only=True)
            if summary.feeds:
                log.info(codec.dumps({
                    "event": "cycle", "feeds": summary.feeds, "errors": summary.errors,
                    "not_modified": summary.not_modified, "appended": summary.appended,
                }))
        except Exception as exc:  # the database failed, or a bug: log, retry next tick
            log.error(codec.dumps({"event": "tick_failed", "error": f"{type(exc).__name__}: {exc}"}))
        finally:
            self.ticks += 1
            self.ticked.set()

    def send_alerts(self) -> None:
        """Deliver due alert notifications; never raise (retried at the next run)."""
        try:
            self.sender.run_once(stop=self.stopping)
        except Exception as exc:
            log.error(codec.dumps({"event": "alerts_failed", "error": f"{type(exc).__name__}: {exc}"}))

    def request_stop(self, *_args: object) -> None:
        """Ask the worker to stop (signal-handler safe)."""
        self.stopping.set()
        self.poller.stop.set()

    def run(self, *, install_signals: bool = True) -> int:
        """Start the scheduler and block until stopped; return the exit status (0)."""
        if install_signals:
            self._install_signals()
        self.scheduler.add_job(
            self.tick, "interval", seconds=self.tick_seconds, jitter=self.jitter, id="tick",
            next_run_time=datetime.now(UTC), coalesce=True, max_instances=1,
        )
        self.scheduler.add_job(
            self.send_alerts, "interval", seconds=ALERT_SECONDS, id="alerts", executor="alerts",
            next_run_time=datetime.now(UTC), coalesce=True, max_instances=1,
        )
        self.scheduler.start()
        log.info(codec.dumps({"event": "worker_started", "pid": os.getpid(), "tick_s": self.tick_seconds}))
        self.stopping.wait()
        return self.shutdown()

    def shutdown(self) -> int:
        """Stop the scheduler, waiting for the in-flight tick up to the grace period."""
        self.request_stop()
        done = threading.Event()

        def _stop() -> None:
            try:
                self.scheduler.shutdown(wait=True)
            finally:
                done.set()

        threading.Thread(target=_stop, name="scheduler-shutdown", daemon=True).start()
        finished = done.wait(SHUTDOWN_GRACE)
        self.poller.close()
        log.info(codec.dumps({"event": "worker_stopped", "clean": finished, "ticks": self.ticks}))
        if not finished:
            # A fetch is stuck in a network call: its feed was not recorded and
            # stays due; appends are transactions, so nothing is half-written.
            logging.shutdown()
            os._exit(0)
        return 0

    def _install_signals(self) -> None:
        def handler(signum: int, _frame: FrameType | None) -> None:
            self.request_stop()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


def run_worker(engine: Engine, **kwargs: object) -> int:
    """Run a worker until SIGTERM/SIGINT; return 0."""
    return Worker(engine, **kwargs).run()  # type: ignore[arg-type]
