# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test chromium office postgres redis bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/tracker db upgrade
	$(BIN)/tracker demo
	$(BIN)/tracker serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (no browser download: the machines have no internet).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installerar Debians chromium ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# LibreOffice reads the exported files as their reader does (tests/office.py): Debian's packages, about two
# minutes; Carlito has Calibri's metrics. Where they cannot be installed, those tests say so and are skipped.
OFFICE_PACKAGES := libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils fonts-crosextra-carlito
office:
	@{ command -v soffice && command -v pdftotext && fc-match Calibri | grep -q Carlito; } >/dev/null 2>&1 || { \
	  echo "Installerar LibreOffice och poppler-utils från Debian ..."; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OFFICE_PACKAGES) >/dev/null; } || \
	  echo "LibreOffice kunde inte installeras: proven med kontorsprogrammet hoppas över."; }

# Start the local PostgreSQL cluster when one is installed; harmless when it already runs.
postgres:
	@if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null 2>&1; then \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n 1) main start 2>/dev/null || true; \
	fi

# Start the local Redis (throttling with several server processes) when it is installed but not running;
# install it when apt can. The Redis throttling test is skipped, saying why, where Redis cannot be had.
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "Installerar Debians redis-server ..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) || true; }
	@if command -v redis-server >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
	  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >/dev/null; \
	fi

test: install-test chromium office postgres redis
	$(BIN)/python -m pytest
	@if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then \
	  echo "== Samma svit mot PostgreSQL =="; \
	  TRACKER_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest; \
	else \
	  echo "PostgreSQL nås inte på 127.0.0.1:5432: sviten kördes bara mot SQLite."; \
	fi

bench: install-test
	-$(BIN)/python bench/plan_page.py
	-$(BIN)/python bench/excel.py
	-$(BIN)/python bench/history.py
	-$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) instance .pytest_cache
