# Health Predict: one command per job. `make` alone lists the targets.
# Re-runnable: installs and the page build are stamped, so a second run skips what has not changed.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV := .venv
BIN := $(VENV)/bin
PYTHON_STAMP := $(VENV)/.healthpredict-installed
RUNTIME_STAMP := $(VENV)/.healthpredict-runtime
# Runs the data check before anything is installed: the standard library is all it needs.
SYSTEM_PYTHON ?= python3
DIST_DIR := dist
FRONTEND := frontend
HAS_FRONTEND := $(wildcard $(FRONTEND)/package.json)
NPM_STAMP := $(FRONTEND)/node_modules/.healthpredict-installed
PAGE := $(FRONTEND)/dist/index.html
# Everything the page is built from: frontend/ minus its dependencies and its output.
FRONTEND_SOURCES = $(shell find $(FRONTEND) \( -path $(FRONTEND)/node_modules -o -path $(FRONTEND)/dist \) -prune -o -type f -print 2>/dev/null)

# `make demo DATA=path/to/dataset_diabetes.zip`; without DATA the pipeline looks at
# $$HEALTHPREDICT_DATA, then its cache, then downloads the official archive (scripts/check_data.py
# does this first, before any install).
DATA ?=
HOST ?= 127.0.0.1
PORT ?= 8000
# The state folder the pipeline and the API share (pipeline/core/config.py reads the same variable).
HEALTHPREDICT_HOME ?= $(CURDIR)/.healthpredict
# `make dag-test`: its own state folder (HEALTHPREDICT_HOME=... still chooses another), and the
# DAG's params as JSON, e.g. DAG_CONF='{"hpo_trials": 1}'.
DAG_TEST_HOME := $(if $(filter file,$(origin HEALTHPREDICT_HOME)),$(CURDIR)/.healthpredict-airflow,$(HEALTHPREDICT_HOME))
DAG_CONF ?= {}
# `make bench BENCH_ARGS=--quick` for a smoke run.
BENCH_ARGS ?=
TIMED := scripts/timed.sh

.PHONY: help install install-python install-runtime install-frontend build lint test test-fast demo dag-test \
	dist bench screenshot clean clean-state

help: ## List the targets
	@echo "Health Predict - make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '!seen[$$1]++ {printf "  %-12s %s\n", $$1, $$2}'

install: install-python install-frontend ## Install Python (uv.lock, with the dev group) and frontend (package-lock.json) dependencies

# Everything: the runtime, every extra (pipeline; server, the full MLflow the tests start; airflow)
# and the development group (lint, test).
install-python: $(PYTHON_STAMP)

$(PYTHON_STAMP): pyproject.toml uv.lock scripts/install.sh
	HEALTHPREDICT_VENV=$(VENV) scripts/install.sh python --all-extras
	@touch $@

# The runtime only, from the same lock (`make demo`): no type checkers, stubs, moto or pytest.
# Its .pyc files are left to Python, which writes those of the modules a command imports on first
# use, unless PYTHONDONTWRITEBYTECODE forbids that: then they are compiled here, once.
install-runtime: $(RUNTIME_STAMP)

$(RUNTIME_STAMP): pyproject.toml uv.lock scripts/install.sh
	if [ $(PYTHON_STAMP) -nt uv.lock ] && [ $(PYTHON_STAMP) -nt pyproject.toml ]; then \
		echo "install: the development install already holds the runtime"; \
	else \
		HEALTHPREDICT_VENV=$(VENV) HEALTHPREDICT_COMPILE_BYTECODE=$(if $(PYTHONDONTWRITEBYTECODE),1,0) \
			scripts/install.sh python --no-dev --extra pipeline; \
	fi
	@touch $@

$(BIN)/uv:
	HEALTHPREDICT_VENV=$(VENV) scripts/install.sh uv

ifeq ($(HAS_FRONTEND),)
install-frontend:
	@echo "install: frontend/package.json does not exist yet; skipping the frontend"

build: ## Build the report page into frontend/dist
	@echo "build: frontend/package.json does not exist yet; no page to build"
else
install-frontend: $(NPM_STAMP)

$(NPM_STAMP): $(FRONTEND)/package.json $(wildcard $(FRONTEND)/package-lock.json) scripts/install.sh
	scripts/install.sh frontend
	@touch $@

build: install-frontend $(PAGE) ## Build the report page into frontend/dist

$(PAGE): $(NPM_STAMP) $(FRONTEND_SOURCES) scripts/build-web.sh
	scripts/build-web.sh
	@touch $@
endif

lint: install ## ruff, ruff format --check, mypy, import layers (lint-imports), eslint/prettier/tsc and the generated-client check
	@failed=""; \
	$(TIMED) "ruff check" $(BIN)/ruff check . || failed="$$failed ruff-check"; \
	$(TIMED) "ruff format" $(BIN)/ruff format --check . || failed="$$failed ruff-format"; \
	$(TIMED) mypy $(BIN)/mypy || failed="$$failed mypy"; \
	$(TIMED) "import layers" $(BIN)/lint-imports --no-cache || failed="$$failed lint-imports"; \
	if [ -n "$(HAS_FRONTEND)" ]; then \
		$(TIMED) "npm run lint" npm --prefix $(FRONTEND) run lint || failed="$$failed eslint"; \
		$(TIMED) "npm run generate:check" npm --prefix $(FRONTEND) run generate:check \
			|| failed="$$failed generate-check"; \
	fi; \
	if [ -n "$$failed" ]; then echo "lint failed:$$failed" >&2; exit 1; fi

# pytest runs last, so its closing line is the last thing a test run prints.
test: install lint build ## Everything CI runs: lint, build, vitest, then pytest (all of tests/, every tier)
ifneq ($(HAS_FRONTEND),)
	CI=true $(TIMED) vitest npm --prefix $(FRONTEND) test
endif
	$(BIN)/pytest

# The fast tier, for before every commit: pytest without the integration and e2e tiers (tests/conftest.py
# marks them by folder) while vitest runs beside it on the other core.
FAST_TIER := not integration and not e2e

test-fast: install ## Before committing (about 80 s idle): unit tests of every package, the API on fixture stores, vitest
ifneq ($(HAS_FRONTEND),)
	@vitest_log=$$(mktemp); vitest_rc=0; pytest_rc=0; \
	CI=true npm --prefix $(FRONTEND) test >"$$vitest_log" 2>&1 & vitest_pid=$$!; \
	$(BIN)/pytest -q -m "$(FAST_TIER)" || pytest_rc=$$?; \
	wait $$vitest_pid || vitest_rc=$$?; \
	if [ "$$vitest_rc" -ne 0 ]; then cat "$$vitest_log"; else grep -E 'Test Files|Tests ' "$$vitest_log" || true; fi; \
	rm -f "$$vitest_log"; \
	echo "test-fast: pytest exit $$pytest_rc, vitest exit $$vitest_rc"; \
	[ "$$pytest_rc" -eq 0 ] && [ "$$vitest_rc" -eq 0 ]
else
	$(BIN)/pytest -q -m "$(FAST_TIER)"
endif

# The data is looked for first (seconds, system python), then the runtime alone is installed.
demo: ## Find the data, install the runtime, run the experiment (once) into .healthpredict/ and serve the report on http://127.0.0.1:8000
	HEALTHPREDICT_HOME="$(HEALTHPREDICT_HOME)" $(SYSTEM_PYTHON) scripts/check_data.py $(if $(DATA),--data "$(DATA)")
	$(MAKE) --no-print-directory install-runtime build
	HEALTHPREDICT_HOME="$(HEALTHPREDICT_HOME)" $(BIN)/healthpredict experiment run --if-missing $(if $(DATA),--data "$(DATA)")
# (`serve` prints the report's URL once the server listens.)
	HEALTHPREDICT_HOME="$(HEALTHPREDICT_HOME)" $(BIN)/healthpredict serve --host $(HOST) --port $(PORT)

dag-test: install build ## Run the Airflow DAG end to end (airflow dags test) into .healthpredict-airflow/
	$(if $(DATA),HEALTHPREDICT_DATA="$(DATA)") HEALTHPREDICT_HOME="$(DAG_TEST_HOME)" \
		$(TIMED) "airflow dags test" scripts/dag-test.sh '$(DAG_CONF)'

# `uv build`: the sdist, then the wheel from it; hatch_build.py puts the page into both.
dist: build $(BIN)/uv ## Build the sdist and the wheel (report page inside) into dist/
	rm -rf $(DIST_DIR)
	$(BIN)/uv build --out-dir $(DIST_DIR)
	@ls -l $(DIST_DIR)

bench: install build ## Measure CLI start-up, the experiment, the API, the page and load; results in bench-results/
	$(BIN)/python -m bench $(BENCH_ARGS)

# The README's screenshot is the browser test's own: same seed, same run as the README's table.
SCREENSHOT_SOURCE := test-output/e2e/report-1440-top.png
PHONE_SCREENSHOT_SOURCE := test-output/e2e/report-390-top.png

screenshot: install build ## Regenerate docs/screenshot.png and docs/screenshot-phone.png from the browser test's screenshots
	$(if $(DATA),HEALTHPREDICT_DATA="$(DATA)") $(BIN)/pytest tests/e2e/test_report_page.py -q -k screenshots
	cp $(SCREENSHOT_SOURCE) docs/screenshot.png
	cp $(PHONE_SCREENSHOT_SOURCE) docs/screenshot-phone.png

clean: ## Remove build output and tool caches (keeps .healthpredict/ and the installs)
	rm -rf $(FRONTEND)/dist $(DIST_DIR) test-output .pytest_cache .mypy_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -path ./$(FRONTEND)/node_modules -prune -o \
		-type d -name __pycache__ -prune -exec rm -rf {} +

clean-state: ## Remove the local state folder .healthpredict/ (MLflow store, data splits, models)
	@case "$(abspath $(HEALTHPREDICT_HOME))" in ""|/|"$(HOME)"|"$(CURDIR)") \
		echo "clean-state: refusing to remove '$(HEALTHPREDICT_HOME)'" >&2; exit 1;; esac
	rm -rf "$(HEALTHPREDICT_HOME)"
