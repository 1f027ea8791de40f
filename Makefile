# Every target installs what it needs into ./.venv first (uv, bootstrapped into ./.tools).
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
# Test processes (pytest-xdist): one per CPU by default; TEST_WORKERS=0 runs the suite in one.
TEST_WORKERS ?= auto
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run test test-tools lint fmt migrate clean fuzz bench bench-quick bench-events bench-tools realworld-suite

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed ## Install the app and its tools into ./.venv

run: install ## Serve on http://127.0.0.1:8000 (embedded PostgreSQL unless INKWELL_DATABASE_URL is set)
	$(BIN)/inkwell serve

migrate: install ## Apply database migrations
	$(BIN)/inkwell migrate upgrade

test-tools: ## Chromium, for the browser test of /docs and /redoc (Debian's package)
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Chromium is missing: run 'sudo apt-get install -y chromium' (needs root), then make test again"; exit 1; fi; }

test: install test-tools ## Run the whole test suite with coverage (fails under 90%)
	$(BIN)/pytest -n $(TEST_WORKERS) --cov --cov-report=term-missing:skip-covered $(PYTEST_ARGS)

fuzz: install ## A longer Schemathesis pass over the whole API (CI runs a short one); no per-test time limit
	INKWELL_FUZZ_EXAMPLES=$${INKWELL_FUZZ_EXAMPLES:-300} $(BIN)/pytest -p no:cacheprovider --timeout=0 tests/security/test_fuzz.py

lint: install ## ruff (lint + format check), mypy --strict and the import contracts (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

fmt: install ## Format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The RealWorld project's own API suite (tests/realworld/hurl) run by Hurl, which
# scripts/get-hurl.sh installs into .tools/hurl (docs/realworld.md).
HURL := .tools/hurl/bin/hurl

$(HURL):
	scripts/get-hurl.sh .tools/hurl

realworld-suite: install $(HURL) ## The official RealWorld API suite, twice, against a server on its own database
	HURL=$(HURL) scripts/realworld-suite.sh

# The benchmark (issue 6; docs/benchmarks.md). wrk comes from Debian (needs root for apt-get);
# locust and py-spy go into their own virtualenv so the app's lock file stays as it is.
BENCH_TOOLS := .bench-tools
BENCH_ARGS ?=

bench-tools: $(BENCH_TOOLS)/.installed
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk; \
	  else echo "wrk is missing: run 'sudo apt-get install -y wrk' (needs root), then make bench again"; exit 1; fi; }

$(BENCH_TOOLS)/.installed:
	$(PYTHON) -m venv $(BENCH_TOOLS)
	$(BENCH_TOOLS)/bin/pip install --quiet "locust==2.32.4" "py-spy==0.4.0"
	@touch $@

bench: install bench-tools ## Issue 6's benchmark against a baseline (~15 min; BENCH_ARGS=... to pass options)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-quick: install bench-tools ## A ~5-minute smoke run of the benchmark
	$(BIN)/python -m bench.run --quick $(BENCH_ARGS)

bench-events: install bench-tools ## Issue 15's benchmark: relay throughput, commit-to-consumer latency, the outbox's cost on writes (~3 min)
	$(BIN)/python -m bench.events $(BENCH_ARGS)

clean: ## Remove the virtualenvs and caches (keeps .data)
	rm -rf .venv .tools .bench-tools .pytest_cache .mypy_cache .ruff_cache .coverage
