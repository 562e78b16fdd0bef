# One command to run the app, one to test it. Everything else is set up on the way.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-integration bench lint format lock assets migrate postcodes demo worker beat clean help

help:
	@echo "make run     set everything up and serve the demo on http://127.0.0.1:8000"
	@echo "make test    set everything up and run the whole test suite"
	@echo "make test-integration   the tests against PostgreSQL, Redis, Celery and SMTP"
	@echo "make bench   load (or reuse) the national data set and run the benchmarks; SCALE=small for CI"
	@echo "make lint    ruff check, ruff format check, import contracts (lint-imports), mypy"
	@echo "make postcodes   load the ONS Postcode Directory (once per release; make run does it)"
	@echo "make lock    re-pin Python and npm dependencies"

$(VENV)/.installed: requirements-dev.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/app.css: node_modules/.installed $(wildcard frontend/*.scss)
	npm run --silent build

assets: static/build/app.css

migrate: $(VENV)/.installed
	@mkdir -p var/mail
	$(PY) manage.py migrate --no-input -v 0

# The ONS Postcode Directory is loaded into the database once per release: the command does
# nothing when that release is loaded already, so the stamp only spares starting Python. The
# services saved before it was loaded are then located.
var/.postcodes-loaded: $(VENV)/.installed | migrate
	$(PY) manage.py load_postcodes
	$(PY) manage.py locate_services
	touch $@

postcodes: migrate
	$(PY) manage.py load_postcodes
	$(PY) manage.py locate_services

# Demo data is loaded once; `make demo` loads it again (it is idempotent). The directory comes
# first, so the demo's services and requests are located.
var/.demo-loaded: | migrate var/.postcodes-loaded
	$(PY) manage.py seed_demo --no-logins
	touch $@

demo: migrate
	$(PY) manage.py seed_demo

run: $(VENV)/.installed assets migrate var/.postcodes-loaded var/.demo-loaded
	@$(PY) manage.py seed_demo --logins
	@echo "\nServing on http://127.0.0.1:8000 (emails are written to var/mail/)"
	$(PY) manage.py runserver 127.0.0.1:8000

# With DATABASE_URL and REDIS_URL set, the integration tests (tests/integration) run too;
# without them they are skipped, and REQUIRE_SERVICES=1 turns that skip into a failure.
# A run that hangs is interrupted (SIGINT: pytest still stops its Celery worker and reports).
# The suite runs in PYTEST_WORKERS processes (pytest-xdist); PYTEST_WORKERS=0 runs it in one.
# Each test module runs whole in one process, so data a module seeds once (tests/demo_data.py)
# is seeded once, not once per process its tests are spread over.
PYTEST_TIMEOUT ?= 2400
PYTEST_WORKERS ?= 4
test: $(VENV)/.installed assets
	timeout --foreground --signal=INT --kill-after=60 $(PYTEST_TIMEOUT) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The integration tests alone, against PostgreSQL and Redis on this machine.
test-integration: $(VENV)/.installed assets
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dps} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} REQUIRE_SERVICES=1 \
	timeout --foreground --signal=INT --kill-after=60 $(PYTEST_TIMEOUT) $(BIN)/pytest tests/integration $(PYTEST_ARGS)

# The benchmarks (bench/, docs/performance.md) against PostgreSQL and Redis on this machine. The
# data set of each SCALE is loaded once into its own database (dps_bench_<scale>) and reused.
# At national scale a missed target fails; SCALE=small (CI) checks only that each one runs.
SCALE ?= national
bench: $(VENV)/.installed assets
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dps_bench_$(SCALE)} \
	REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/7} \
	$(PY) -m bench --scale $(SCALE) $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: $(VENV)/.installed
	$(BIN)/celery -A dps worker --loglevel=info

beat: $(VENV)/.installed
	$(BIN)/celery -A dps beat --loglevel=info --schedule var/celerybeat-schedule

lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --no-header -o requirements.lock
	$(PYTHON) -m uv pip compile pyproject.toml --group dev --generate-hashes --python-version 3.11 --no-header -o requirements-dev.lock
	npm install --package-lock-only --no-audit --no-fund

clean:
	rm -rf $(VENV) node_modules static/build var
