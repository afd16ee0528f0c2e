# Tunas: `make run` sets up and serves the demo; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PO := $(wildcard locale/*/LC_MESSAGES/django.po)
MO := $(PO:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 8000
SECRET_KEY_FILE := var/secret_key
# `make run` serves as production does, so a visitor never sees Django's debug pages: DEBUG off, a random key
# kept in var/secret_key, static files from var/static through WhiteNoise (hence collectstatic in setup).
# Plain HTTP on this machine: no HTTPS redirect, no secure-only cookies, no HSTS; e-mail (password reset
# links) printed on the console as with DEBUG on.
RUN_ENV = DEBUG=0 SECRET_KEY="$$(cat $(SECRET_KEY_FILE))" ALLOWED_HOSTS=127.0.0.1,localhost \
	SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0 \
	EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend

.PHONY: run dev setup test test-browser check lint format messages bench bench-scale clean

# Large imports run in the background: a task worker runs beside the web server and stops with it.
run: setup
	@echo ""
	@echo "Tunas is served on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@$(RUN_ENV) $(BIN)/python manage.py db_worker --no-reload --interval 1 > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# For developers: DEBUG on (Django's debug pages, static files straight from static/), the same worker.
dev: setup
	@echo ""
	@echo "Tunas (DEBUG on) is served on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@$(BIN)/python manage.py db_worker --no-reload --interval 1 > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

setup: $(STAMP) $(MO) $(SECRET_KEY_FILE)
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py load_regions
	$(BIN)/python manage.py load_demo
	@# With DEBUG off the hashed, compressed copies and their manifest are what pages link to.
	@$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput -v0

# Made once (50 random characters, readable by its owner only) and kept: a new key would end every session.
$(SECRET_KEY_FILE): | $(STAMP)
	@mkdir -p var
	@umask 077 && $(BIN)/python -c "from django.core.management.utils import get_random_secret_key as k; print(k())" > $@.tmp
	@chmod 600 $@.tmp && mv $@.tmp $@

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

# The registry's pages at 10,000 and 1,000,000 people (BENCH_ARGS="--db sqlite" or "--quick" to change).
bench-scale: $(STAMP) $(MO)
	$(BIN)/python bench/scale_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/static
