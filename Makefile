# Set-up is part of every target: a fresh clone needs only `make chat` or `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

chat: $(STAMP)
	$(BIN)/danvan chat

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint-imports: $(STAMP)
	$(BIN)/lint-imports

.PHONY: install chat test lint-imports
