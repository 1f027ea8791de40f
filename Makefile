# Every target installs what it needs into ./.venv first (uv, bootstrapped into ./.tools).
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run test lint fmt migrate clean

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

test: install ## Run the whole test suite with coverage (fails under 90%)
	$(BIN)/pytest --cov --cov-report=term-missing:skip-covered $(PYTEST_ARGS)

lint: install ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: install ## Format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove the virtualenvs and caches (keeps .data)
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache .coverage
