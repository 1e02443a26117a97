# tracker: `make run` runs the main job on the embedded default (SQLite);
# `make test` installs everything and runs the test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The demo when no feeds are configured (then its page, served on 127.0.0.1 until Ctrl-C);
# otherwise the worker on the configured feeds.
run: $(STAMP)
	@if $(BIN)/tracker feeds list --json | grep -q '"url"'; then \
		$(BIN)/tracker worker; \
	else \
		$(BIN)/tracker demo --serve; \
	fi

test: $(STAMP)
	$(BIN)/ruff check tracker tests benchmarks alembic
	$(BIN)/mypy tracker
	$(BIN)/pytest -n 2 -q
	# The outage drill stops PostgreSQL, so it runs alone, after the parallel suite.
	TRACKER_OUTAGE_DRILL=1 $(BIN)/pytest -q -p no:cacheprovider tests/test_drills_outage.py

lint: $(STAMP)
	$(BIN)/ruff check tracker tests benchmarks alembic
	$(BIN)/mypy tracker

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
