"""Run one benchmark function in this process and print its JSON result.

Usage: ``python -m benchmarks.probe MODULE FUNCTION '{"kwarg": ...}'``.
"""

from __future__ import annotations

import importlib
import json
import sys


def main() -> None:
    module, function, kwargs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    result = getattr(importlib.import_module(f"benchmarks.{module}"), function)(**kwargs)
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()
