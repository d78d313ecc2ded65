# Two commands: `make run` installs and starts the bot; `make test` installs and runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test diagram clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

run: install
	$(BIN)/python -m bot

test: install-test
	$(BIN)/python -m pytest

diagram: install
	$(BIN)/python -m bot.diagram --readme README.md

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
