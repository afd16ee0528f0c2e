# Tunas: `make run` sets up and serves the demo; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PO := $(wildcard locale/*/LC_MESSAGES/django.po)
MO := $(PO:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test test-browser check lint format messages bench clean

# Large imports run in the background: a task worker runs beside the web server and stops with it.
run: setup
	@echo ""
	@echo "Tunas is served on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@$(BIN)/python manage.py db_worker --no-reload --interval 1 > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

setup: $(STAMP) $(MO)
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py load_regions
	$(BIN)/python manage.py load_demo

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# Compiled catalogues are built here, never committed (Babel needs no system gettext).
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

test: $(STAMP) $(MO)
	@mkdir -p var
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-browser: $(STAMP) $(MO)
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

# Lint, format, types (mypy, strict about untyped bodies too) and the layers contract (import-linter).
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

lint: check

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the translation catalogues from the code (needs GNU gettext's xgettext).
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l id --no-obsolete --ignore=.venv --ignore=var --ignore=bench

bench: $(STAMP) $(MO)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var/static
