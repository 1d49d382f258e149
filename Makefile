# Klachtenladder: the two commands.
#   make run   virtualenv, install, migrate, compile messages, demo data, serve on
#              http://127.0.0.1:8000 (SQLite, tasks in-process: nothing else needed)
#   make test  install what the tests need (incl. Debian's chromium when missing and
#              allowed), lint, and run the whole suite on PostgreSQL and Redis
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export DATABASE_URL_TEST := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/klachtenladder)
export REDIS_URL_TEST := $(or $(REDIS_URL),redis://127.0.0.1:6379/15)
IS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)

.PHONY: help run test bench lint format messages makemessages install install-dev assets system-deps pango clean

help:
	@echo "make run    serve the demo on http://127.0.0.1:8000 (SQLite)"
	@echo "make test   run the whole suite (PostgreSQL, Redis, Celery, Chromium)"
	@echo "make lint   ruff check and format check"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Front-end packages (NL Design System CSS, htmx, axe-core) from the npm registry.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.installed

# Compiled .mo files are not committed: they are built from the .po files here.
messages: | $(BIN)/python
	@command -v msgfmt >/dev/null || { [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; } \
		|| { echo "msgfmt (GNU gettext) is needed to compile the translations: install gettext"; exit 1; }
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# Re-extract the strings after changing them; then translate the new ones in the .po files.
makemessages: | $(BIN)/python
	$(BIN)/python manage.py makemessages -l nl --no-obsolete --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench

run: $(VENV)/.installed assets messages pango
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Debian's chromium for the browser tests (a test tool's own browser download does
# not work here); Pango and a font for WeasyPrint (the PDF letters); docker-compose (v1) to validate docker-compose.yml when the docker
# client has no compose plugin. Installed only when missing and when we may.
system-deps: pango
	@if ! command -v chromium >/dev/null; then \
		if [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium is missing and cannot be installed here: browser tests will be skipped (failed with CI=true)"; fi; \
	fi
	@if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then \
		if [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1 \
			|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null) || true; \
		fi; \
	fi

# Pango and a font for WeasyPrint (the PDF letters, also made by the demo data).
pango:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then \
		if [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
		else echo "Pango (libpango-1.0-0, libpangoft2-1.0-0) is missing and cannot be installed here: PDF letters will not work"; fi; \
	fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The suite runs in TEST_WORKERS processes (pytest-xdist; each has its own test database and
# Redis database); TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 2
test: $(VENV)/.installed-dev assets messages system-deps lint
	DATABASE_URL=$(DATABASE_URL_TEST) REDIS_URL=$(REDIS_URL_TEST) $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The benchmark (bench/README.md): make bench N=100000
N ?= 100000
bench: $(VENV)/.installed assets messages
	$(BIN)/python bench/run.py --complaints $(N)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
	find . -name '*.mo' -not -path './.venv/*' -delete
