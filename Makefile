# Levelhead: `make run` serves the demo, `make test` runs the suite. Nothing else to install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Exact versions for every install (`make lock` regenerates it from pyproject's ranges).
CONSTRAINTS := constraints.txt

.PHONY: help install install-dev lock run migrate seed worker test e2e browser wrk lint typecheck schema bench bench-throughput fuzz clean

help:
	@echo "make run        set up, load the demo org and serve http://$(HOST):$(PORT)"
	@echo "make test       set up with dev tools and run the test suite"
	@echo "make e2e        real-browser tests (installs Debian's chromium if missing)"
	@echo "make lint       ruff + mypy;  make schema  validate the OpenAPI schema"
	@echo "make bench      timings and query counts on a large generated org, then bench-throughput"
	@echo "make bench-throughput  req/s under gunicorn vs Django's hello world (wrk, Redis)"
	@echo "make fuzz       schemathesis against the API as HR and as an engineer (no 5xx)"
	@echo "make lock       re-pin constraints.txt to the newest releases pyproject allows"

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(CONSTRAINTS) $(VENV)/.installed
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Resolves pyproject's ranges afresh (the newest releases they allow) in a throwaway venv,
# so .venv is left as it is, and pins the result. Review the diff, run `make test`, commit.
lock:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/pip" install --quiet --upgrade pip; \
	"$$tmp/venv/bin/pip" install --quiet -e '.[dev]'; \
	{ echo "# Exact versions of every package \`make install\` / \`make install-dev\` installs (pip -c), so a"; \
	  echo "# new release of a dependency cannot break a clean checkout. Regenerate with \`make lock\`."; \
	  "$$tmp/venv/bin/pip" freeze --exclude-editable; } > $(CONSTRAINTS).new; \
	mv $(CONSTRAINTS).new $(CONSTRAINTS)
	@echo "$(CONSTRAINTS) regenerated: review the diff, run make test, commit it."

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

seed: migrate
	$(PY) manage.py seed_demo

run: migrate
	@$(PY) manage.py seed_demo
	@echo
	@echo "Open http://$(HOST):$(PORT)/ and sign in with one of the logins above."
	@echo "(The background-task worker runs alongside the server; Ctrl+C stops both.)"
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py worker --no-startup-delay >/dev/null 2>&1 & \
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(PY) manage.py worker

# In parallel, one worker per core; `make test PYTEST_ARGS=--lf` reruns only the last failures.
test: install-dev
	$(BIN)/pytest -m "not e2e and not bench" -n auto $(PYTEST_ARGS)

browser:
	@command -v chromium >/dev/null 2>&1 || test -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

e2e: install-dev browser
	$(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

typecheck: install-dev
	$(BIN)/mypy .

schema: install-dev
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

BENCH_DB ?= sqlite:///$(CURDIR)/bench.sqlite3
bench: install
	rm -f bench.sqlite3
	DATABASE_URL=$(BENCH_DB) DEBUG=true AXES_ENABLED=false $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DB) DEBUG=true AXES_ENABLED=false $(PY) manage.py createcachetable
	DATABASE_URL=$(BENCH_DB) DEBUG=true AXES_ENABLED=false $(PY) manage.py bench
	$(MAKE) --no-print-directory bench-throughput

# Requests per second under gunicorn (2 sync workers) for every page and API list, next to
# a hello-world Django on the same command line, with production settings and Redis; then
# a mixed load and the 10,000-person org (BENCH_LARGE=0 skips it). PostgreSQL with
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/levelhead_bench (dropped and re-created).
# BENCH_SECONDS, BENCH_ROUNDS, BENCH_MIXED_SECONDS, BENCH_ROUTES: see scripts/throughput.py.
BENCH_LARGE ?= 1
bench-throughput: install wrk
	BENCH_LARGE=$(BENCH_LARGE) $(PY) scripts/throughput.py

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the throughput bench"; \
	  SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }

# Starts gunicorn on a free loopback port over a throwaway SQLite demo database and runs
# schemathesis (--checks all) once per token; fails on any 5xx. FUZZ_MAX_TIME (seconds per
# token), FUZZ_MAX_EXAMPLES and FUZZ_SEED tune it.
fuzz: install-dev
	$(PY) scripts/fuzz.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
