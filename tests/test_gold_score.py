"""The gold-set scorer (benchmarks/gold) on invented items with invented labels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "gold"


def _run(*args: str) -> tuple[int, str, str]:
    """Run ``python -m benchmarks.gold`` on the invented corpus; return code, stdout, stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.gold", "--corpus", str(DATA / "corpus"), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_scorer_prints_precision_recall_and_the_errors() -> None:
    code, out, _ = _run("--gold", str(DATA / "gold.toml"))
    assert code == 0
    result = json.loads(out)
    assert result["overall"] == {"precision": 0.667, "recall": 0.667, "tp": 2, "fp": 1, "fn": 1}
    assert result["per_slot"] == {
        "board": {"precision": 1.0, "recall": 1.0, "tp": 1, "fp": 0, "fn": 0},
        "ceo": {"precision": 1.0, "recall": 0.5, "tp": 1, "fp": 0, "fn": 1},
        "microsoft": {"precision": 0.0, "recall": None, "tp": 0, "fp": 1, "fn": 0},
    }
    assert result["per_language"]["en"]["tp"] == 2
    assert result["per_story"] == {"openai": result["overall"]}
    # The recap the engine took as news; the speculation it did not.
    assert result["per_gold_factuality"] == {
        "speculative": {"gold": 1, "engine_asserted": 0, "wrongly_asserted_rate": 0.0},
        "historical": {"gold": 1, "engine_asserted": 1, "wrongly_asserted_rate": 1.0},
    }
    [fp] = result["false_positives"]
    assert (fp["guid"], fp["slot"], fp["op"], fp["value"], fp["gold"]) == (
        "ex-2", "microsoft", "tag", "employer", "historical")
    assert fp["rule"] and "Microsoft hires Sam Altman" in fp["evidence"]
    [miss] = result["misses"]
    assert (miss["guid"], miss["slot"], miss["op"], miss["value"], miss["engine"]) == (
        "ex-4", "ceo", "set", "Mira Murati", None)
    assert result["false_positives_not_in_gold"] == 0
    assert list(result["skipped_stories"]) == ["nosuchstory"]
    assert [n["id"] for n in result["not_found"]] == ["ex-404"]
    assert result["unmatched"] == [{"feed": "example-news", "guid": "ex-5", "story": "openai"}]
    assert (result["gold_items"], result["scored_items"]) == (7, 5)


def test_a_malformed_gold_file_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[item]]\nfeed = "example-news"\nguid = "ex-1"\nstory = "openai"\nlang = "en"\n'
        'claims = [{ slot = "ceo", op = "fire", value = "Sam Altman", factuality = "asserted" }]\n',
        encoding="utf-8",
    )
    code, out, err = _run("--gold", str(bad))
    assert code == 2 and out == ""
    assert err.startswith("error: bad.toml item 1: op 'fire' is not one of") and err.count("\n") == 1
