# Two commands matter (README): `make run` and `make test`. Everything they need is installed
# from here, so a fresh clone on a fresh Debian machine works without hand steps.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run codes test install check redis-server chromium zbar bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) redis-server

# redis-server comes from the system packages: installed when missing and we are root.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing redis-server (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "redis-server is missing. Run: sudo apt-get install redis-server"; exit 1; \
	  fi; }

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is missing. Run: sudo apt-get install chromium"; exit 1; \
	  fi; }

# zbarimg decodes the TOTP enrolment QR code in the invitation test (Debian's zbar-tools).
zbar:
	@command -v zbarimg >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing zbar-tools (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zbar-tools >/dev/null; \
	  else \
	    echo "zbarimg is missing. Run: sudo apt-get install zbar-tools"; exit 1; \
	  fi; }

run: install
	$(PY) -m service.devrun

# The demo staff's current login codes (TOTP), for `make run`.
codes: $(STAMP)
	$(PY) -m service.devrun codes

test: install chromium zbar
	$(PY) -m pytest

check: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install
	$(PY) -m bench.relay

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
