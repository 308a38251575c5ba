# AIHQ — two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export AIHQ_DATA_DIR ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck check pytest e2e messages clean bench load

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

## make run: install, migrate, load the demo once, serve on http://$(HOST):$(PORT)
run: $(VENV)/.installed-run
	$(BIN)/aihq migrate --noinput
	$(BIN)/aihq load_demo --if-empty --show-accounts
	$(BIN)/aihq find_duplicates
	@echo ""
	@echo "AIHQ is starting on http://$(HOST):$(PORT)/ — sign in with one of the demo accounts above."
	@echo ""
	$(BIN)/aihq runserver $(HOST):$(PORT)

## make test: lint, format check, types, Django checks, migrations check, the whole pytest suite
test: $(VENV)/.installed-dev lint typecheck check pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy aihq

check: $(VENV)/.installed-dev
	$(BIN)/aihq check --fail-level WARNING
	$(BIN)/aihq makemigrations --check --dry-run

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_ARGS)

## make fuzz: the long API fuzz run (not in make test, which runs a bounded one): AIHQ_FUZZ_EXAMPLES cases an
## operation plus edge values, as every demo role; AIHQ_FUZZ_USERS=editor,viewer picks roles, AIHQ_FUZZ_SEED replays
.PHONY: fuzz
AIHQ_FUZZ_EXAMPLES ?= 50
fuzz: $(VENV)/.installed-dev
	AIHQ_FUZZ_EXAMPLES=$(AIHQ_FUZZ_EXAMPLES) $(BIN)/pytest tests/fuzz -p no:cacheprovider $(PYTEST_ARGS)

## make bench: the pages and API at national scale against hand-written SQL, on SQLite then PostgreSQL (not in make test)
bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/scale_benchmark.py $(BENCH_ARGS)
	bash benchmarks/with_postgres.sh $(BIN)/python benchmarks/scale_benchmark.py --database postgresql $(BENCH_ARGS)

## make load: gunicorn on loopback over the scale data, 32 users for 60 s with locust; fails on any error
load: $(VENV)/.installed-load
	$(BIN)/python benchmarks/load_test.py $(LOAD_ARGS)

$(VENV)/.installed-load: pyproject.toml $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet -e '.[dev,load]'
	touch $@

## make messages: refresh the translation catalogues after changing user-facing text
messages: $(VENV)/.installed-dev
	cd aihq && ../$(BIN)/aihq makemessages -l ru --no-obsolete --add-location file --ignore 'tests/*' && ../$(BIN)/aihq compilemessages -l ru

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
