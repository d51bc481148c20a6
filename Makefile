# The README's two commands: `make up` serves the demo, `make test` runs the whole suite.
# Both create .venv and install the project into it when needed. `make up PORT=8150` serves
# on another port (the default is touchpoint's own).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: up test install lint format migrations bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

install: $(INSTALLED)

up: install
	$(BIN)/touchpoint up $(if $(PORT),--port $(PORT))

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest

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
