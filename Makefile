# bootcamp — everyday commands. `make run` and `make test` do all the set-up themselves.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format migrate seed chromium bench stop-db clean

help:
	@echo "make run        install, migrate, load the roadmap and demo accounts, serve http://$(HOST):$(PORT)"
	@echo "make test       install, lint, check migrations, run every test (browser tests included)"
	@echo "               (a failed browser test keeps screenshots and HTML in test-artifacts/e2e/<test>/)"
	@echo "make test-fast  the test suite without the browser journeys"
	@echo "make lint       ruff check and format check, lint-imports (the apps' layers)"
	@echo "make bench      the load benchmark (see docs/PERFORMANCE.md)"
	@echo "make stop-db    stop the private PostgreSQL under .data/"

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

.env:
	cp .env.example .env

install: $(STAMP) .env

migrate: install
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py load_curriculum
	$(PY) manage.py seed_demo --work

run: seed
	$(PY) manage.py runserver $(HOST):$(PORT)

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
