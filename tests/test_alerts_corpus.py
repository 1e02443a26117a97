"""The alert drill on the real corpus: the dev corpus replayed day by day through a real
``tracker worker`` (feeds served from 127.0.0.1), a real webhook receiver and a command
target. Every change the projections accept notifies each target exactly once, every
retraction once, and what the targets heard, folded, is the final timeline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import orjson
import pytest
from alertprocs import Receiver, run
from httpfeeds import FeedServer
from workerproc import WorkerProc, set_intervals, wait_until

from tracker import db

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
SECRET = "corpus-drill"


class DayServer:
    """Serve each corpus feed's file of the current day (unchanged days answer 304)."""

    def __init__(self, server: FeedServer, corpus: Path) -> None:
        self.server = server
        self.files = {d.name: {f.stem: f for f in d.glob("*.xml")} for d in corpus.iterdir()
                      if d.is_dir() and any(d.glob("*.xml"))}
        self.days = sorted({day for files in self.files.values() for day in files})
        self.served: dict[str, int] = {}   # feed -> requests since the day began

    def paths(self) -> list[str]:
        return [f"/f/{name}.xml" for name in sorted(self.files)]

    def show(self, day: str) -> None:
        """Serve ``day``'s file of each feed (or its latest before it) from now on."""
        for name, files in self.files.items():
            earlier = [d for d in files if d <= day]
            body = files[max(earlier)].read_bytes() if earlier else b'<rss version="2.0"><channel/></rss>'
            path = f"/f/{name}.xml"
            self.server.feed(path, body)
            handle = self.server.routes[path]
            self.served[path] = 0
            self.server.route(path, self._counted(path, handle))

    def _counted(self, path: str, handle: Callable[[BaseHTTPRequestHandler], None]
                 ) -> Callable[[BaseHTTPRequestHandler], None]:
        def counted(h: BaseHTTPRequestHandler) -> None:
            handle(h)
            self.served[path] += 1
        return counted

    def all_fetched(self) -> bool:
        return all(n >= 1 for n in self.served.values())


def test_the_corpus_through_the_worker_notifies_each_change_once(corpus_dir: Path, tmp_path: Path) -> None:
    database = tmp_path / "corpus.sqlite"
    url = f"sqlite:///{database}"
    out = tmp_path / "alerts.jsonl"
    with FeedServer() as server, Receiver(secret=SECRET) as receiver:
        days = DayServer(server, corpus_dir)
        feeds = tmp_path / "feeds.toml"
        feeds.write_text("".join(f'[[feed]]\nurl = "{server.url(p)}"\n\n' for p in days.paths()))
        run(database, "feeds", "import", str(feeds))
        run(database, "alerts", "add", "hook", "--webhook", receiver.url, "--secret", SECRET)
        run(database, "alerts", "add", "file", "--command", f"tee -a {out}")
        engine = db.open_database(url)
        set_intervals(engine, 0)   # every tick polls every feed: the replay's clock is the server's
        worker = WorkerProc(url, tmp_path / "worker.log", tick=1)
        try:
            for day in days.days:
                days.show(day)
                assert wait_until(days.all_fetched, timeout=120), f"feeds not all polled on {day}"
            # The last day's items are in; wait for the sender to drain the outbox.
            settled = (
                "SELECT (SELECT count(*) FROM alert_outbox WHERE status != 'delivered'), "
                "(SELECT max(position) FROM events), "
                "(SELECT position FROM projection_checkpoints WHERE name = 'log')"
            )

            def drained() -> bool:
                with engine.connect() as conn:
                    waiting, last, done = conn.exec_driver_sql(settled).one()
                return waiting == 0 and last == done
            days.served = dict.fromkeys(days.served, 0)
            assert wait_until(days.all_fetched, timeout=120)   # one more poll after the last day
            assert wait_until(drained, timeout=120), "the outbox did not drain"
        finally:
            assert worker.stop() == 0
        with engine.connect() as conn:
            announced = conn.exec_driver_sql(
                "SELECT o.kind, o.idempotency_key FROM alert_outbox o JOIN alert_targets t "
                "ON t.id = o.target_id WHERE t.name = 'hook'").all()
            states = Counter(r[0] for r in conn.exec_driver_sql("SELECT state FROM alert_changes"))
        engine.dispose()

    timeline = orjson.loads(run(database, "timeline", "--json").stdout)
    assert len(timeline) >= 8                       # the saga's changes are there
    # Each target heard each notification once: the webhook by its keys, the command by its lines.
    keys = receiver.keys()
    assert receiver.bad_signatures == 0
    assert len(keys) == len(set(keys)) == len(announced)
    assert sorted(keys) == sorted(k for _, k in announced)
    lines = [orjson.loads(line) for line in out.read_text().splitlines()]
    assert sorted(d["idempotency_key"] for d in lines) == sorted(keys)
    # What they heard, changes minus retractions, is the final timeline: nothing lost.
    standing: Counter[tuple[str, str, str]] = Counter()
    for body in receiver.accepted:
        change = (body["slot"], body["op"], body["at"])
        standing[change] += 1 if body["event"] == "changed" else -1
    assert all(n in (0, 1) for n in standing.values())
    final = Counter((t["slot"], t["op"], t["at"]) for t in timeline)
    assert +standing == final
    assert states["accepted"] == len(timeline)
    print(f"\ncorpus drill: {len(days.days)} days, {len(days.paths())} feeds, "
          f"{len(keys)} notifications a target ({states['retracted']} changes retracted), "
          f"{len(timeline)} changes in the timeline")
