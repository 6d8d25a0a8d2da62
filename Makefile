# Two commands for a new user (see README.md):
#   make run   set up, build the database if missing, start the dashboard on 127.0.0.1:8501
#   make test  set up with the dev tools and run the whole test suite (what CI runs)
# and, for the inner loop, make test-fast (ruff and every test not marked slow, live or browser).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
DB     := data/malpuls.duckdb

SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test test-fast lint format db rebuild bench clean browser-deps

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Målpuls needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

$(DB): | $(VENV)/.installed
	$(BIN)/python -m etl --offline

run: $(VENV)/.installed $(DB)
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port 8501

db: $(VENV)/.installed
	$(BIN)/python -m etl --offline

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The browser tests drive Debian's Chromium (never a browser download).
browser-deps:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Two workers (pytest-xdist; the machines have 2 cores); the browser tests stay together on
# one worker (xdist_group, set in tests/conftest.py) so they share one server and browser.
PYTEST_PARALLEL := -n 2 --dist loadgroup

test: lint browser-deps
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) --durations=15

# Marks are set in tests/conftest.py: slow = builds the full bundled snapshot, live = the ETL
# over HTTP against the Kolada stand-in, browser = Chromium.
test-fast: lint
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not slow and not browser and not live"

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.bench_etl
	$(BIN)/python -m bench.bench_etl_kolada
	$(BIN)/python -m bench.bench_nightly
	$(BIN)/python -m bench.backtest
	$(BIN)/python -m bench.bench_render
	$(BIN)/python -m bench.bench_explorer
	$(BIN)/python -m bench.bench_reports
	$(BIN)/python -m bench.bench_app_store
	$(BIN)/python -m bench.bench_browser
	$(BIN)/python -m bench.bench_kpi_search
	$(BIN)/python -m bench.bench_kpi_queries

clean:
	rm -rf $(VENV) $(DB) data/etl_status.json data/malpuls.duckdb.lock test-artifacts .pytest_cache .ruff_cache
