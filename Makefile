# Two commands: `make run` (set up everything, serve the app and its scheduler on SQLite) and
# `make test` (set up and run the whole suite). Everything else here supports those two.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on two processes (pytest-xdist; each has its own test database): about half
# the time of one. `make test PYTEST_ARGS=` runs it in one process.
PYTEST_ARGS ?= -n 2

.PHONY: run test test-postgres setup demo lint format messages browser clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

setup: $(RUNTIME_STAMP)
	mkdir -p var/mail
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

# Serves http://$(HOST):$(PORT)/ and runs the scheduler beside it; Ctrl-C stops both. Development
# mode (DEBUG=1): plain http, static files without collectstatic, Django's debug pages, and a
# banner on every page saying so. Without DEBUG=1 the settings are production's (README.md).
run: setup
	@trap 'kill 0' INT TERM EXIT; \
	DEBUG=1 $(PY) manage.py run_scheduler & \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's chromium; install it when missing and we are allowed to. The CJK
# fonts only make the screenshots under var/screenshots/ readable (Chinese pages).
browser:
	@test -x /usr/bin/chromium || (command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		(apt-get install -y -q chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium >/dev/null))) || \
		echo "warning: /usr/bin/chromium missing; browser tests will fail"
	@test -d /usr/share/fonts/opentype/noto || (command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		apt-get install -y -q fonts-noto-cjk >/dev/null 2>&1) || \
		echo "note: fonts-noto-cjk missing; screenshots will show boxes for Chinese text"

# The whole suite on the configured database (SQLite unless DATABASE_URL says otherwise).
test: $(DEV_STAMP) browser
	mkdir -p var
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: $(DEV_STAMP) browser
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hr_approvals} $(PY) -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(DEV_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The .po files under locale/ are the source of the translations: translators edit them. This
# merges new and changed msgids from the code into the zh-hans and en catalogs (keeping every
# existing translation, dropping obsolete ones) and compiles the .mo files, which are committed.
# Needs GNU gettext. tests/test_catalogs.py fails on an untranslated or fuzzy zh-hans entry.
messages: $(DEV_STAMP)
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=tests --ignore=node_modules --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var --ignore=node_modules

clean:
	rm -rf $(VENV) var
