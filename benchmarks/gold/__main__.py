"""Run the gold-set scorer: ``python -m benchmarks.gold``."""

from benchmarks.gold.score import main

raise SystemExit(main())
