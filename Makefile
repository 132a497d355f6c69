# dosewise developer commands. The README's two commands are `make run` and `make test`.
# Each target creates the virtual environment and installs what it needs on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
CONSTRAINTS := constraints.txt

.PHONY: run demo test lint typecheck format bench lock clean help

help:
	@echo "make run    - set up and start the web app and API on http://127.0.0.1:8000"
	@echo "make demo   - set up and show the baclofen monograph and an example dose check"
	@echo "make test   - set up dev tools and run ruff, ruff format --check, mypy --strict and pytest"
	@echo "make lint | typecheck | format | bench | lock | clean"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install -q -c $(CONSTRAINTS) -e .
	@touch $@

$(VENV)/.dev: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install -q -c $(CONSTRAINTS) -e '.[dev]'
	@touch $@ $(VENV)/.runtime

# The main job: the web app and API on 127.0.0.1 with the embedded SQLite journal.
# HOST/PORT/DB override (e.g. make run PORT=8080 DB=postgresql://...).
HOST ?= 127.0.0.1
PORT ?= 8000
run: $(VENV)/.runtime
	$(BIN)/dosewise serve --host $(HOST) --port $(PORT) $(if $(DB),--db $(DB),)

# The terminal tour: the baclofen monograph and an example dose check.
demo: $(VENV)/.runtime
	$(BIN)/dosewise info baclofen
	@echo
	@echo "== Example dose check: dosewise check baclofen 60mg --taken-today '40mg 3h ago' --with alcohol"
	$(BIN)/dosewise check baclofen 60mg --taken-today '40mg 3h ago' --with alcohol

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.dev
	$(BIN)/mypy --strict src

test: lint typecheck
	$(BIN)/pytest -q

format: $(VENV)/.dev
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(VENV)/.dev
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Regenerate the pinned versions used by every install (commit the result).
lock: $(VENV)/.dev
	$(PIP) freeze --exclude-editable | grep -v '^dosewise' > $(CONSTRAINTS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
