# The two set-up commands: `make run` and `make test`. Nothing but Python 3.11+ and make needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test check install clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Steward needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/steward init
	$(BIN)/steward serve

check: $(VENV)/.installed-test
	$(BIN)/ruff check steward tests bench
	$(BIN)/ruff format --check steward tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: check
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
