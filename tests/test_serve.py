"""tracker serve: the JSON API answers as the CLI's --json does; the page works in Chromium."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from alertprocs import copy_db, demo, run, start

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "demo.sqlite"
    demo(path)
    return path


def _serve(db: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    proc = start(db, "serve", "--port", "0", *args, output=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("serving on http://127.0.0.1:"), line
    return proc, line.split()[2].rstrip("/").split("?")[0]


@pytest.fixture
def served(demo_db: Path, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    db = copy_db(demo_db, tmp_path / "demo.sqlite")
    proc, base = _serve(db)
    try:
        yield db, base
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def _cli_json(db: Path, *args: str) -> object:
    return orjson.loads(run(db, *args, "--json").stdout)


def test_the_api_answers_as_the_cli_does(served: tuple[Path, str]) -> None:
    db, base = served
    pairs = [
        ("/api/stories/openai/state", ("state",)),
        ("/api/stories/openai/state?as_of=2023-11-20T18:00:00Z&known_at=2023-11-20T12:00:00Z",
         ("state", "--as-of", "2023-11-20T18:00:00Z", "--known-at", "2023-11-20T12:00:00Z")),
        ("/api/stories/openai/timeline", ("timeline",)),
        ("/api/stories/openai/timeline?known_at=2023-11-19", ("timeline", "--known-at", "2023-11-19")),
        ("/api/stories/openai/timeline?since=2023-11-20&until=2023-11-23&limit=2",
         ("timeline", "--since", "2023-11-20", "--until", "2023-11-23", "--limit", "2")),
        ("/api/stories/openai/timeline?last=3", ("timeline", "--last", "3")),
        ("/api/stories/openai/explain/ceo?as_of=2023-11-20T18:00:00Z",
         ("explain", "ceo", "--as-of", "2023-11-20T18:00:00Z")),
    ]
    with httpx.Client(base_url=base, timeout=30) as client:
        for path, args in pairs:
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.json() == _cli_json(db, *args), path
        events = client.get("/api/events", params={"limit": 5}).json()
        lines = run(db, "events", "-n", "5", "--json").stdout.splitlines()
        assert events == [orjson.loads(line) for line in lines]
        after = client.get("/api/events", params={"after": 3, "limit": 2}).json()
        assert [e["position"] for e in after] == [4, 5]
        bad = client.get("/api/stories/openai/state", params={"as_of": "yesterday-ish"})
        assert bad.status_code == 400 and "as_of" in bad.json()["error"]
        assert client.get("/api/stories/nope/timeline").status_code == 404
        bad = client.get("/api/stories/openai/timeline", params={"limit": "many"})
        assert bad.status_code == 400 and "limit" in bad.json()["error"]
        assert client.get("/api/stories/openai/explain/nothing").status_code == 404
        spec = client.get("/openapi.json").json()
        assert spec["openapi"].startswith("3.") and "/api/stories/{story}/state" in spec["paths"]
        assert all(set(ops) == {"get"} for ops in spec["paths"].values())
        assert client.post("/api/stories/openai/state").status_code == 405


def test_another_address_needs_a_token(demo_db: Path, tmp_path: Path) -> None:
    db = copy_db(demo_db, tmp_path / "t.sqlite")
    done = run(db, "serve", "--host", "0.0.0.0", "--port", "0", check=False)
    assert done.returncode == 2 and "needs a token" in done.stderr
    proc, base = _serve(db, "--token", "s3cret")
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.get("/api/stories").status_code == 401
            ok = client.get("/api/stories", headers={"Authorization": "Bearer s3cret"})
            assert ok.status_code == 200 and ok.json()[0]["id"] == "openai"
            assert client.get("/api/stories?token=s3cret").status_code == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_a_tokenless_server_answers_only_loopback_host_names(demo_db: Path, tmp_path: Path) -> None:
    """DNS rebinding: a page whose own name resolves to 127.0.0.1 must not read the API."""
    db = copy_db(demo_db, tmp_path / "h.sqlite")
    proc, base = _serve(db, "--allow-host", "tracker.internal")
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            port = base.rsplit(":", 1)[1]
            for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST.", f"[::1]:{port}",
                         "tracker.internal", f"tracker.internal:{port}"):
                response = client.get("/api/stories", headers={"Host": host})
                assert response.status_code == 200, host
            for host in (f"attacker.example:{port}", "attacker.example", "127.0.0.1.attacker.example",
                         "localhost.attacker.example", ""):
                response = client.get("/api/stories", headers={"Host": host})
                assert response.status_code == 421, host
                assert "loopback" in response.text
            assert client.get("/stories/openai", headers={"Host": "evil.example"}).status_code == 421
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def _browser() -> object:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    if shutil.which("chromium") is None or not Path("/usr/bin/chromedriver").exists():
        pytest.skip("chromium and chromium-driver are not installed")
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1100,1400"):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='tracker-chromium-')}")
    options.binary_location = shutil.which("chromium") or "chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


_SNAPSHOT = """
const all = (sel) => Array.from(document.querySelectorAll(sel));
const cell = document.querySelector('#state tr[data-slot="ceo"] td.value');
const live = document.getElementById("live");
return {
  slots: all("#state tbody tr").map((r) => r.getAttribute("data-slot")),
  ceo: cell ? cell.textContent.trim() : null,
  marks: all("#chart circle.mark").length,
  chart_links: all("#chart a.evidence-link").map((a) => a.getAttribute("href") || ""),
  evidence: all("#state a.evidence").map((a) => a.href),
  explained: all("#explain h3").length,
  live: live ? live.textContent : "",
  error_hidden: document.getElementById("error").hidden,
};
"""


def _snapshot(driver: Any) -> dict[str, Any]:
    """The page's state read in one script, so a re-render cannot fall between two reads."""
    return driver.execute_script(_SNAPSHOT)  # type: ignore[no-any-return]


def test_the_page_renders_and_updates_live_in_chromium(served: tuple[Path, str]) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    db, base = served
    driver = _browser()
    try:
        driver.get(f"{base}/stories/openai")
        wait = WebDriverWait(driver, 30)
        page = wait.until(lambda d: (s := _snapshot(d))["slots"] and s["explained"]
                          and "live" in s["live"] and s)
        assert set(page["slots"]) == {"ceo", "board", "microsoft"}
        assert page["ceo"] == "Sam Altman"
        timeline = _cli_json(db, "timeline")
        assert page["marks"] == len(timeline)  # type: ignore[arg-type]
        assert page["chart_links"] and page["chart_links"][0].startswith("https://")
        assert page["evidence"] and page["evidence"][0].startswith("https://")

        run(db, "assert", "ceo", "Mira Murati", "--at", "2023-11-30T12:00:00Z",
            "--source", "https://example.org/statement")
        page = wait.until(lambda d: (s := _snapshot(d))["ceo"] != "Sam Altman" and s)
        assert page["ceo"] == "Mira Murati"
        page = wait.until(lambda d: (s := _snapshot(d))["marks"] > len(timeline) and s)  # type: ignore[arg-type]
        assert page["marks"] == len(timeline) + 1  # type: ignore[arg-type]
        assert page["error_hidden"] is True
    finally:
        driver.quit()  # type: ignore[attr-defined]
