# WowDash: `make run` starts the platform on SQLite with a demo center; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The suite waits on real servers more than it computes: three workers fit two cores.
PYTEST_ARGS ?= -n 3 --dist loadscope
export FLASK_APP := wsgi:app

.PHONY: help install run test lint migrate clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed  ## create .venv and install WowDash with its test tools

run: install  ## start on SQLite with the demo center (PORT, default 8000)
	$(BIN)/flask dev-setup --port $(PORT)
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT) --with-threads

test: install  ## install the test prerequisites and run the whole suite
	$(BIN)/python tests/setup_env.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint:  ## import contracts between plugins
	$(BIN)/lint-imports

migrate: install  ## apply all migrations to the configured database
	$(BIN)/flask upgrade

clean:  ## remove the virtualenv and local data
	rm -rf $(VENV) instance
