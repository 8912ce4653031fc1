# bootcamp — everyday commands. `make run` and `make test` do all the set-up themselves.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails: SITE_URL from the environment or .env, else where `make run` serves.
SITE_URL ?= $(or $(shell sed -n 's/^SITE_URL=//p' .env 2>/dev/null | tail -n 1),http://$(HOST):$(PORT))

.DEFAULT_GOAL := help
.PHONY: help install start-db run test test-fast lint format migrate seed chromium bench stop-db clean

help:
	@echo "make run        install, migrate, load the roadmap and demo accounts, serve http://$(HOST):$(PORT)"
	@echo "               with a job worker beside it (Ctrl-C stops both)"
	@echo "make test       install, lint, check migrations, run every test (browser tests included)"
	@echo "               (a failed browser test keeps screenshots and HTML in test-artifacts/e2e/<test>/)"
	@echo "make test-fast  the test suite without the browser journeys"
	@echo "make lint       ruff check and format check, lint-imports (the apps' layers)"
	@echo "make bench      the load benchmark (see docs/PERFORMANCE.md)"
	@echo "make stop-db    stop the private PostgreSQL under .data/"

# -qq: errors only (this also hides setuptools' editable-install notice), not a screen of
# install output.
$(STAMP): pyproject.toml constraints.txt
	@echo "Installing bootcamp's dependencies into $(VENV)/ ..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -qq --upgrade pip
	@$(PY) -m pip install -qq -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

.env:
	cp .env.example .env

install: $(STAMP) .env

# The private PostgreSQL under .data/ (unless DATABASE_URL is set), started by one process
# before any other needs it.
start-db: install
	@$(PY) -m bootcamp.devdb

migrate: start-db
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py load_curriculum
	$(PY) manage.py seed_demo --work

# The set-up's output goes to .data/run-setup.log (shown if a step fails); the screen ends
# with the address and the demo logins. More processes: add `--also "COMMAND"` to run.py.
RUN_LOG := .data/run-setup.log
run: start-db
	@echo "Preparing the database: migrations, the roadmap, demo data ..."
	@{ $(PY) manage.py migrate --no-input && $(PY) manage.py load_curriculum \
	  && $(PY) manage.py seed_demo --work; } > $(RUN_LOG) 2>&1 || { cat $(RUN_LOG); exit 1; }
	@SITE_URL=$(SITE_URL) $(PY) scripts/run.py --url http://$(HOST):$(PORT) --logins $(RUN_LOG) \
	  --also "$(PY) manage.py procrastinate worker --concurrency=4" \
	  -- $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

chromium:
	@scripts/ensure-chromium.sh

test: lint chromium
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

test-fast: install
	$(VENV)/bin/pytest -m "not e2e"

bench: install
	@scripts/ensure-wrk.sh
	$(PY) -m bench $(BENCH_ARGS)

stop-db:
	@$(PY) scripts/stop_private_db.py

clean: stop-db
	rm -rf $(VENV) .data staticfiles .pytest_cache .ruff_cache test-artifacts
