# The two set-up commands: `make run` and `make test`. Nothing but Python 3.11+ and make needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test check install clean chromium

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
	$(BIN)/steward demo --if-empty
	$(BIN)/steward serve

check: $(VENV)/.installed-test
	$(BIN)/ruff check steward tests bench
	$(BIN)/ruff format --check steward tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# Browser tests drive Debian's headless Chromium; install it once, quietly, when it is missing.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

chromium:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
	  { $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; } || \
	  { test "$$CI" != true && echo "chromium could not be installed: browser tests will be skipped"; }; }

# One worker per core (a third worker on the 2-core machine: 703 s against 700 s for the
# whole suite). Each test has its own database, port and files.
WORKERS ?= auto

test: check chromium
	$(BIN)/pytest -n $(WORKERS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
