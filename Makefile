# Kartu Prakerja marketplace: developer commands. GNU make, bash.
#
#   make run           install, migrate, seed an empty catalogue, serve http://127.0.0.1:5000
#   make test          install-dev, then the whole suite on SQLite and on PostgreSQL
#   make help          every target

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALL_STAMP := $(VENV)/.install-stamp
DEV_STAMP := $(VENV)/.install-dev-stamp
PIP_INSTALL := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar off --quiet

HOST ?= 127.0.0.1
PORT ?= 5000
# The address `make run` serves on, exported to its flask commands: links in mail start with
# it, never with a request's Host header. Set it when people reach the server by another name
# (e.g. with HOST=0.0.0.0: make run PUBLIC_URL=http://192.168.1.20:5000).
PUBLIC_URL ?= http://$(HOST):$(PORT)
# Extra arguments for pytest, e.g. make test-sqlite PYTEST_ARGS='-k catalogue -x'
PYTEST_ARGS ?=
# Extra arguments for the benchmark, e.g. make bench BENCH_ARGS='--courses 150000'
BENCH_ARGS ?=

export FLASK_APP := wsgi.py

.PHONY: help run install install-dev chromium redis postgres-binaries wrk translations messages \
        test test-sqlite test-postgres contracts lint bench clean distclean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
	    awk 'BEGIN {FS = ":.*## "}; {printf "  make %-18s %s\n", $$1, $$2}'

# --- environment -----------------------------------------------------------------------

# Debian's own python3 needs its python3-venv package for `-m venv`; install it if that fails.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { \
	    rm -rf $(VENV); \
	    echo "python3 -m venv failed: installing Debian's python3-venv"; \
	    scripts/apt-install.sh python3-venv && $(PYTHON) -m venv $(VENV); \
	}

# Reinstall only when pyproject.toml is newer than the stamp.
$(INSTALL_STAMP): pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e .
	@touch $@

$(DEV_STAMP): $(INSTALL_STAMP) pyproject.toml
	$(PIP_INSTALL) -e '.[dev]'
	@touch $@

install: $(INSTALL_STAMP) ## create .venv and install the app into it

install-dev: install $(DEV_STAMP) chromium redis ## install plus test tools, Debian's chromium and redis

chromium: ## Debian's chromium for the browser tests (never a Playwright download)
	@test -x /usr/bin/chromium || scripts/apt-install.sh chromium

redis: ## Debian's redis-server, for the test of limits shared between gunicorn workers
	@test -x /usr/bin/redis-server || scripts/apt-install.sh redis-server

postgres-binaries: ## PostgreSQL server binaries for test-postgres (Debian's postgresql)
	@scripts/with-postgres.sh --bindir >/dev/null || scripts/apt-install.sh postgresql

wrk: ## the wrk load generator for the benchmark (Debian's wrk)
	@command -v wrk >/dev/null || scripts/apt-install.sh wrk

translations: install ## compile the message catalogues (.po -> .mo)
	@scripts/compile-translations.sh $(BIN)/pybabel

messages: install ## extract the messages and update the id and en catalogues (.pot -> .po)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --ignore-dirs='.* build' \
	    --no-location --omit-header -o marketplace/translations/messages.pot .
	$(BIN)/pybabel update -i marketplace/translations/messages.pot -d marketplace/translations \
	    --ignore-obsolete --width 100

# --- running ---------------------------------------------------------------------------

run: export PUBLIC_URL := $(PUBLIC_URL)
run: install translations ## migrate, seed an empty catalogue, serve on http://127.0.0.1:5000
	@scripts/secret-key.sh $(BIN)/python
	$(BIN)/flask db upgrade
	@status=0; $(BIN)/flask is-empty || status=$$?; \
	if [[ $$status -eq 0 ]]; then \
	    echo "The catalogue is empty: seeding the demo data."; $(BIN)/flask seed; \
	elif [[ $$status -ne 1 ]]; then \
	    exit $$status; \
	fi
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# --- checks ----------------------------------------------------------------------------

test: install-dev translations postgres-binaries contracts ## the import contracts, then the whole suite on SQLite and on PostgreSQL
	@sqlite=0; postgres=0; \
	$(MAKE) test-sqlite || sqlite=$$?; \
	$(MAKE) test-postgres || postgres=$$?; \
	echo "make test: SQLite exit $$sqlite, PostgreSQL exit $$postgres"; \
	[[ $$sqlite -eq 0 && $$postgres -eq 0 ]]

test-sqlite: install-dev translations ## the whole suite on SQLite
	@echo "=== pytest on SQLite ==="
	env -u DATABASE_URL -u TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install-dev translations postgres-binaries ## the suite on a throwaway PostgreSQL 15
	@echo "=== pytest on PostgreSQL ==="
	scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS)

contracts: $(DEV_STAMP) ## the import contracts: web -> feature packages -> core (pyproject.toml)
	$(BIN)/lint-imports

lint: $(DEV_STAMP) contracts ## ruff check, the import contracts, and bandit's medium and high findings
	$(BIN)/ruff check .
	$(BIN)/bandit -q -ll -r marketplace

bench: install translations wrk ## catalogue benchmark; writes bench/RESULTS.md
	$(BIN)/python bench/catalogue.py $(BENCH_ARGS)

# --- tidying ---------------------------------------------------------------------------

clean: ## remove generated files (keeps .venv and instance/, which holds your database)
	rm -rf bench/out build dist .pytest_cache .ruff_cache marketplace.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find marketplace/translations -name '*.mo' -delete 2>/dev/null || true

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV)
