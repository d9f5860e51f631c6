# ChoreHub: `make run` serves the app on 127.0.0.1:8000 (SQLite), `make test` runs the whole suite.
# Both set up everything they need first (virtualenv, dependencies, migrations, Chromium for tests).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Proxies (comma-separated addresses) whose X-Forwarded-For and X-Forwarded-Proto the server believes;
# none by default, so that no client picks its own address (sign-in lockouts and throttles count by it).
FORWARDED_ALLOW_IPS ?=
PROXY_HEADERS := $(if $(strip $(FORWARDED_ALLOW_IPS)),--proxy-headers --forwarded-allow-ips '$(FORWARDED_ALLOW_IPS)',--no-proxy-headers)
# Development defaults; real deployments set DEBUG=0, SECRET_KEY and ALLOWED_HOSTS (see README).
export DEBUG ?= 1

.PHONY: run test lint migrate serve browser frontend clean

run: $(VENV)/.deps migrate
	$(PY) manage.py seed_demo --if-empty
	$(VENV)/bin/uvicorn chorehub.asgi:application --host $(HOST) --port $(PORT) $(PROXY_HEADERS)

test: $(VENV)/.dev-deps browser frontend
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

migrate: $(VENV)/.deps
	$(PY) manage.py migrate --noinput

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ChoreHub needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.deps $@

# Browser tests drive Debian's Chromium through Playwright; never a downloaded browser.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# The frontend kit's tools (TypeScript, vitest, esbuild) for its tests, with the machine's Node.js
# and npm: `npm ci` when node_modules is missing or package-lock.json changed.
frontend: frontend/node_modules/.package-lock.json

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
