# Kartu Prakerja marketplace: developer commands. GNU make, bash.
#
#   make run           install, migrate, seed an empty catalogue, serve http://127.0.0.1:5000
#   make test          install-dev, then the whole suite on SQLite and on PostgreSQL
#   make lock          pin pyproject.toml's dependencies anew in requirements*.lock
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
# The sandbox payout gateway `make run` starts on loopback, and the address the app calls.
PAYOUT_SANDBOX_PORT ?= 5010
PAYOUT_GATEWAY_URL ?= http://127.0.0.1:$(PAYOUT_SANDBOX_PORT)
# Extra arguments for pytest, e.g. make test-sqlite PYTEST_ARGS='-k catalogue -x'
PYTEST_ARGS ?=
# Extra arguments for the benchmark, e.g. make bench BENCH_ARGS='--courses 150000'
BENCH_ARGS ?=

export FLASK_APP := wsgi.py

.PHONY: help run venv install install-dev lock chromium redis postgres-binaries wrk translations screenshots vendor-axe \
        messages test test-sqlite test-postgres contracts lint bench clean distclean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
	    awk 'BEGIN {FS = ":.*## "}; {printf "  make %-18s %s\n", $$1, $$2}'

# --- environment -----------------------------------------------------------------------

# Debian's own python3 needs its python3-venv package for `-m venv`. This rule never calls
# apt-get (test-sqlite comes through it); `make venv`, which install and test run first, does.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { \
	    rm -rf $(VENV); \
	    echo "python3 -m venv failed: Debian's python3 needs its python3-venv package," \
	        "which \`make venv\` installs" >&2; \
	    exit 1; \
	}

venv: ## create .venv, installing Debian's python3-venv first if python3 -m venv needs it
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	    rm -rf $(VENV); \
	    echo "python3 -m venv failed: installing Debian's python3-venv"; \
	    scripts/apt-install.sh python3-venv && $(PYTHON) -m venv $(VENV); \
	}

# Dependencies come from the lock files (`make lock` writes them from pyproject.toml's
# ranges): exactly the pinned releases, hash-checked, then the app itself without
# dependencies. `pip check` then stops an install whose lock lacks something pyproject.toml
# now asks for. A stamp is redone when its lock or pyproject.toml changes.
define install_locked
	$(PIP_INSTALL) --require-hashes -r $(1)
	$(PIP_INSTALL) --no-deps -e .
	@$(BIN)/python -m pip check >/dev/null || { \
	    $(BIN)/python -m pip check >&2 || true; \
	    echo "$(1) is out of step with pyproject.toml: run \`make lock\`" >&2; \
	    exit 1; \
	}
	@touch $@
endef

$(INSTALL_STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(call install_locked,requirements.lock)

$(DEV_STAMP): requirements-dev.lock pyproject.toml | $(BIN)/python
	$(call install_locked,requirements-dev.lock)

# uv at the release requirements-dev.lock pins, alone: `make lock` must work when the locks
# no longer match pyproject.toml (a dependency was just added), so not through the dev stamp.
$(BIN)/uv: | $(BIN)/python
	$(PIP_INSTALL) "$$(grep -soE '^uv==[^ ;]+' requirements-dev.lock || echo uv)"

# --universal: one lock for every platform and Python >= 3.11 (markers say which line
# applies where); existing pins are kept unless UPGRADE=1. The dev lock is constrained by the
# runtime lock, so the two agree on every package they share.
LOCK := $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
        --generate-hashes --custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade)

lock: $(BIN)/uv ## pin pyproject.toml's ranges in requirements*.lock (UPGRADE=1: newest releases)
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev --constraints requirements.lock -o requirements-dev.lock

install: venv $(INSTALL_STAMP) ## create .venv and install the app into it from requirements.lock

install-dev: install $(DEV_STAMP) chromium redis ## install plus the test tools (requirements-dev.lock), Debian's chromium and redis

chromium: ## Debian's chromium for the browser tests (never a Playwright download)
	@test -x /usr/bin/chromium || scripts/apt-install.sh chromium

redis: ## Debian's redis-server, for the test of limits shared between gunicorn workers
	@test -x /usr/bin/redis-server || scripts/apt-install.sh redis-server

postgres-binaries: ## PostgreSQL server binaries for test-postgres (Debian's postgresql)
	@scripts/with-postgres.sh --bindir >/dev/null || scripts/apt-install.sh postgresql

wrk: ## the wrk load generator for the benchmark (Debian's wrk)
	@command -v wrk >/dev/null || scripts/apt-install.sh wrk

screenshots: install translations chromium ## 360 px screenshots of the main pages into docs/screenshots (fresh demo database)
	$(BIN)/python scripts/screenshots.py --out docs/screenshots

AXE_VERSION ?= 4.14.1
vendor-axe: ## fetch axe-core $(AXE_VERSION) with npm pack into tests/browser/vendor/axe-core (browser tests' accessibility check)
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar xzf axe-core-$(AXE_VERSION).tgz); \
	cp "$$tmp/package/axe.min.js" "$$tmp/package/LICENSE" tests/browser/vendor/axe-core/; \
	sha256sum tests/browser/vendor/axe-core/axe.min.js

translations: $(INSTALL_STAMP) ## compile the message catalogues (.po -> .mo)
	@scripts/compile-translations.sh $(BIN)/pybabel

messages: install ## extract the messages and update the id and en catalogues (.pot -> .po)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --ignore-dirs='.* build' \
	    --no-location --omit-header -o marketplace/translations/messages.pot .
	$(BIN)/pybabel update -i marketplace/translations/messages.pot -d marketplace/translations \
	    --ignore-obsolete --width 100

# --- running ---------------------------------------------------------------------------

run: export PUBLIC_URL := $(PUBLIC_URL)
run: export PAYOUT_GATEWAY_URL := $(PAYOUT_GATEWAY_URL)
run: install translations ## migrate, seed an empty catalogue, serve on http://127.0.0.1:5000 with the worker and the payout sandbox
	@scripts/secret-key.sh $(BIN)/python
	@scripts/secret-key.sh $(BIN)/python instance/payout_gateway_secret PAYOUT_GATEWAY_SECRET
	$(BIN)/flask db upgrade
	@status=0; $(BIN)/flask is-empty || status=$$?; \
	if [[ $$status -eq 0 ]]; then \
	    echo "The catalogue is empty: seeding the demo data."; $(BIN)/flask seed; \
	elif [[ $$status -ne 1 ]]; then \
	    exit $$status; \
	fi
# The task queue's worker (mail, periodic jobs, paying incentives every ten minutes) and the
# sandbox payout gateway (incentives are paid through it) run beside the server and stop
# with it.
	$(BIN)/flask payout-sandbox --port $(PAYOUT_SANDBOX_PORT) & sandbox=$$!; \
	$(BIN)/flask worker & worker=$$!; \
	trap 'kill $$worker $$sandbox 2>/dev/null || true; wait $$worker $$sandbox || true' EXIT; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# --- checks ----------------------------------------------------------------------------

test: install-dev translations postgres-binaries contracts ## the import contracts, then the whole suite on SQLite and on PostgreSQL
	@sqlite=0; postgres=0; \
	$(MAKE) test-sqlite || sqlite=$$?; \
	$(MAKE) test-postgres || postgres=$$?; \
	echo "make test: SQLite exit $$sqlite, PostgreSQL exit $$postgres"; \
	[[ $$sqlite -eq 0 && $$postgres -eq 0 ]]

# Never apt-get or sudo: what the suite needs from Debian (chromium, redis-server) comes with
# `make install-dev` or `make test`; without it those tests are skipped, saying why.
test-sqlite: $(DEV_STAMP) translations ## the whole suite on SQLite (installs no system package)
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
