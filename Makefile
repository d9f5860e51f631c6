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

.PHONY: run run-pushpin test lint migrate serve browser pushpin frontend clean

# Streams served by the server itself (one thread per open stream).
run: $(VENV)/.deps migrate
	$(PY) manage.py seed_demo --if-empty
	@echo "Streams are served by this process; with Pushpin holding them: make run-pushpin (docs/pushpin.md)"
	$(VENV)/bin/uvicorn chorehub.asgi:application --host $(HOST) --port $(PORT) $(PROXY_HEADERS)

# The same behind Pushpin (docs/pushpin.md): clients use http://$(HOST):$(PUSHPIN_PORT), Pushpin
# holds the streams and forwards everything else to gunicorn on $(PORT): WSGI threads that keep
# their database connections (Django holds no stream there), $(WORKERS) processes of $(THREADS)
# threads, believing the client address that Pushpin (on this machine) puts in X-Forwarded-For.
WORKERS ?= 1
THREADS ?= 8
PUSHPIN_PORT ?= 7999
PUSHPIN_PUBLISH_PORT ?= 5561
ifndef PUSHPIN_SIG_KEY
PUSHPIN_SIG_KEY := $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(24))')
endif
run-pushpin: $(VENV)/.deps migrate pushpin
	$(PY) manage.py seed_demo --if-empty
	PUSHPIN_SIG_KEY='$(PUSHPIN_SIG_KEY)' $(PY) -m deploy.pushpin --port $(PUSHPIN_PORT) \
		--publish-port $(PUSHPIN_PUBLISH_PORT) --upstream $(HOST):$(PORT) & \
	pushpin_pid=$$!; trap 'kill $$pushpin_pid 2>/dev/null' EXIT; \
	GRIP_URL='http://127.0.0.1:$(PUSHPIN_PUBLISH_PORT)?iss=pushpin&key=$(PUSHPIN_SIG_KEY)' \
		FORWARDED_ALLOW_IPS=127.0.0.1 CONN_MAX_AGE=$${CONN_MAX_AGE:-60} \
		$(VENV)/bin/gunicorn chorehub.wsgi:application --bind $(HOST):$(PORT) \
		--worker-class gthread --workers $(WORKERS) --threads $(THREADS)

test: $(VENV)/.dev-deps browser pushpin frontend
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

# The stream tests run through a real Pushpin too (Debian's package; tests start their own).
pushpin:
	@command -v pushpin >/dev/null 2>&1 || { \
		echo "Installing Debian's pushpin for the stream tests"; \
		apt-get update -qq && apt-get install -y -qq pushpin >/dev/null; }

# The frontend kit's tools (TypeScript, vitest, esbuild) for its tests, with the machine's Node.js
# and npm: `npm ci` when node_modules is missing or package-lock.json changed.
frontend: frontend/node_modules/.package-lock.json

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts .pushpin
