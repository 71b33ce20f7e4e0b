# Two commands matter (README): `make run` and `make test`. Everything they need is installed
# from here, so a fresh clone on a fresh Debian machine works without hand steps.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run codes test install check i18n-extract i18n-update i18n-compile redis-server nginx redis-sentinel chromium zbar axe screenshots bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) redis-server nginx redis-sentinel i18n-compile

# redis-server comes from the system packages: installed when missing and we are root.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing redis-server (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "redis-server is missing. Run: sudo apt-get install redis-server"; exit 1; \
	  fi; }

# nginx and redis-sentinel: the deploy tests run the service behind a real proxy and a Redis
# that fails over (tests/deploy). nginx's postinst does not start a server where
# policy-rc.d forbids it; the tests start their own on free ports.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing nginx (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
	  else \
	    echo "nginx is missing. Run: sudo apt-get install nginx-light"; exit 1; \
	  fi; }

redis-sentinel:
	@command -v redis-sentinel >/dev/null 2>&1 || [ -x /usr/bin/redis-sentinel ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing redis-sentinel (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-sentinel >/dev/null; \
	  else \
	    echo "redis-sentinel is missing. Run: sudo apt-get install redis-sentinel"; exit 1; \
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

# Two workers, each a whole test file at a time (module-scoped servers stay shared within a
# file); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: install chromium zbar axe
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

# The words of the pages in gettext catalogues: the visitor's (domain visitor, English the
# source: chat/texts/catalogue.py), the knowledge bank's interface (domain kb, English the source:
# kb/ui_catalogue.py, which reads its .po files and needs no .mo) and the staff's (domain
# staff, Swedish the source: counsellor_console/domain/staff_language.py). Extract the sources into each template, merge it into
# every language's .po, compile the .mo files the service reads. tests/unit/chat/
# test_catalogue.py and tests/unit/counsellor_console/test_staff_catalogue.py fail when a
# template or a catalogue is behind the code.
PYBABEL := PYTHONPATH=. $(VENV)/bin/pybabel
BABEL_HEADER := --project Fristad --version 1 --copyright-holder "The Fristad resource centre" \
  --msgid-bugs-address "the centre" -w 100 --add-location file
VISITOR_LOCALES := chat/locale
STAFF_LOCALES := counsellor_console/locale
KB_LOCALES := kb/locale

i18n-extract: $(STAMP)
	$(PYBABEL) extract -F babel.cfg -k text:1c,2 $(BABEL_HEADER) -o $(VISITOR_LOCALES)/visitor.pot .
	$(PYBABEL) extract -F babel-staff.cfg -k N_ -k said -k t:1c,2 -k tf:1c,2 $(BABEL_HEADER) -o $(STAFF_LOCALES)/staff.pot .
	$(PYBABEL) extract -F babel-kb.cfg $(BABEL_HEADER) -o $(KB_LOCALES)/kb.pot .

i18n-update: $(STAMP)
	$(PYBABEL) update -i $(VISITOR_LOCALES)/visitor.pot -d $(VISITOR_LOCALES) -D visitor -w 100 \
	  --no-fuzzy-matching --ignore-pot-creation-date --ignore-obsolete
	$(PYBABEL) update -i $(STAFF_LOCALES)/staff.pot -d $(STAFF_LOCALES) -D staff -w 100 \
	  --no-fuzzy-matching --ignore-pot-creation-date --ignore-obsolete
	$(PYBABEL) update -i $(KB_LOCALES)/kb.pot -d $(KB_LOCALES) -D kb -w 100 \
	  --no-fuzzy-matching --ignore-pot-creation-date --ignore-obsolete

i18n-compile: $(STAMP)
	$(PYBABEL) compile -d $(VISITOR_LOCALES) -D visitor --statistics
	$(PYBABEL) compile -d $(STAFF_LOCALES) -D staff --statistics

check: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install chromium
	$(PY) -m bench.relay
	$(PY) -m bench.page

# axe-core checks the pages for accessibility in the browser tests (tests/browser/axe.py). It is
# fetched from the npm registry at a pinned version and checked against the registry's sha512
# before it is unpacked; nothing of it is served to anyone.
AXE_VERSION := 4.10.3
AXE_SHA512 := Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg==
AXE_JS := build/axe/axe.min.js

axe: $(AXE_JS)

$(AXE_JS):
	mkdir -p build/axe
	curl -sSfL -o build/axe/axe.tgz https://registry.npmjs.org/axe-core/-/axe-core-$(AXE_VERSION).tgz
	test "$$(openssl dgst -sha512 -binary build/axe/axe.tgz | base64 -w0)" = "$(AXE_SHA512)" || { rm -f build/axe/axe.tgz; echo "axe-core checksum mismatch"; exit 1; }
	tar -xzf build/axe/axe.tgz -C build/axe --strip-components=1 package/axe.min.js
	rm -f build/axe/axe.tgz

# Phone-size screenshots of the visitor's page in sv, ar, fa and so (docs/accessibility.md).
screenshots: install chromium axe
	$(PY) -m pytest -q -p no:randomly tests/browser/make_screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
