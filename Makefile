# The two set-up commands: `make run` and `make test`. Nothing but Python 3.11+ and make needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test check install clean chromium axe nginx

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Steward needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo extra brings Faker, which only `steward demo` needs.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[demo]'
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

# The proxy test (tests/deploy) runs Debian's nginx, with deploy/nginx.conf, in front of
# Steward; install it once when missing. Under CI=true a failed install stops the build.
NGINX := /usr/sbin/nginx

nginx:
	@test -x $(NGINX) || { echo "Installing Debian's nginx for the proxy test"; \
	  { $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx >/dev/null; } || \
	  { if test "$$CI" = true; then echo "CI=true but nginx could not be installed" >&2; exit 1; fi; \
	    echo "nginx could not be installed: the proxy test will be skipped"; }; }

# The accessibility tests (tests/e2e/test_accessibility.py) inject axe-core into the pages.
# It is fetched from npm at this pinned version into .cache/axe/ (git-ignored) when missing,
# never committed. Without npm or the registry the tests are skipped, except under CI=true.
AXE_VERSION := 4.14.1
AXE_DIR := .cache/axe
AXE_JS := $(AXE_DIR)/axe-core-$(AXE_VERSION)/axe.min.js

axe: $(AXE_JS)

$(AXE_JS):
	@rm -rf $(AXE_DIR) && mkdir -p $(@D)
	@{ npm pack --loglevel=error --pack-destination $(AXE_DIR) axe-core@$(AXE_VERSION) >/dev/null && \
	   tar -xzf $(AXE_DIR)/axe-core-$(AXE_VERSION).tgz -C $(@D) --strip-components=1 \
	     package/axe.min.js package/LICENSE && \
	   rm $(AXE_DIR)/axe-core-$(AXE_VERSION).tgz; } || \
	 { rm -rf $(AXE_DIR); \
	   if test "$$CI" = true; then echo "CI=true but axe-core $(AXE_VERSION) could not be fetched from npm" >&2; exit 1; fi; \
	   echo "axe-core could not be fetched from npm: the accessibility tests will be skipped"; }

# One worker per core (a third worker on the 2-core machine: 703 s against 700 s for the
# whole suite). Each test has its own database, port and files.
WORKERS ?= auto

test: check chromium axe nginx
	$(BIN)/pytest -n $(WORKERS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .cache
