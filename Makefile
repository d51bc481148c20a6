# The README's two commands: `make up` serves the demo, `make test` runs the whole suite.
# Both create .venv and install the project into it when needed. `make up PORT=8150` serves
# on another port (the default is touchpoint's own).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: up test install browser screenshots lint format migrations bench chaos fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

install: $(INSTALLED)

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
# Installed with apt when missing and we may (root or passwordless sudo); otherwise those
# tests are skipped and say how to install it. A font with Chinese glyphs comes with it, for
# the zh-CN pages and their screenshots.
CHROMIUM := /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-wqy-microhei
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=env; elif sudo -n true 2>/dev/null; then SUDO="sudo -n env"; \
	  else echo "No $(CHROMIUM), and no root to install it: the browser tests will be skipped (sudo apt-get install chromium)"; exit 0; fi; \
	  if ! command -v apt-get >/dev/null; then echo "No apt-get to install Chromium: the browser tests will be skipped"; exit 0; fi; \
	  APT="$$SUDO DEBIAN_FRONTEND=noninteractive apt-get"; \
	  $$APT install -y -q $(BROWSER_PACKAGES) || { $$APT update -q && $$APT install -y -q $(BROWSER_PACKAGES); } \
	    || echo "Chromium could not be installed: the browser tests will be skipped"; \
	fi

up: install
	$(BIN)/touchpoint up $(if $(PORT),--port $(PORT))

test: install browser
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest

# The chaos story at full size (tests/chaos/): thousands of events while workers are killed,
# Redis and PostgreSQL restarted and Twilio fails at random, on a PostgreSQL cluster and a
# Redis server of its own. `make test` runs a short one. `make chaos CHAOS_EVENTS=9000`.
CHAOS_EVENTS ?= 5000
chaos: install
	CHAOS_EVENTS=$(CHAOS_EVENTS) $(BIN)/pytest -q -s tests/chaos

# The README's screenshots, taken from the real pages in Chromium, into docs/screenshots/.
screenshots: install browser
	$(BIN)/pytest -q tests/browser/screenshots.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .

# After changing a models.py: write the migration and check it in with the change.
migrations: install
	mkdir -p .touchpoint
	$(BIN)/tortoise -c web.database.TORTOISE_ORM makemigrations

bench: install
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/send.py
	$(BIN)/python bench/review.py --answers 100000
	$(BIN)/python bench/survey.py --seconds 3

# The API fuzzed at length (schemathesis, 500 cases an operation, a fresh seed each run)
# and the property tests with many more examples than `make test` gives them.
fuzz: install
	FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),500) FUZZ_SEED=random FUZZ_TIMEOUT=3600 \
	  HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q tests/web/test_api_fuzz.py \
	  $$(find tests -name 'test_*_properties.py')
