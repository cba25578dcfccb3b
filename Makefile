# Every target sets up what it needs: a fresh machine with python3 and make is enough.
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME := $(CURDIR)/build/dagster_home
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Installed packages are compiled to bytecode once, at sync: where Python may not write bytecode
# (PYTHONDONTWRITEBYTECODE), every command would otherwise recompile what it imports at each start.
export UV_COMPILE_BYTECODE := 1
# `make test` runs whole test modules side by side, one worker per core (pytest-xdist), in the
# order conftest gives them (the longest first), not reordered by how many tests each holds.
TEST_WORKERS ?= 2

.PHONY: release run test test-slow eval classifier-model eval-mapping dev serve report bench bench-mapping bench-classify audit lint clean setup setup-dev browser postgres help

run: setup $(DAGSTER_HOME)/dagster.yaml ## materialize offline what is not up to date (FORCE=1: everything; EXPLAIN=1: why per step; TIMINGS=1: every step's time)
	$(BIN)/python -m pipelines run $(if $(TIMINGS),--timings) $(if $(FORCE),--force) $(if $(EXPLAIN),--explain)

test: setup-dev browser postgres ## set up with dev dependencies and run the test suite (TEST_WORKERS=1: in one process)
	$(BIN)/pytest $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder)

test-slow: setup-dev ## the soak checks: kill-and-rerun, repeated and concurrent whole runs (several minutes each)
	$(BIN)/pytest -m slow

report: setup $(DAGSTER_HOME)/dagster.yaml ## rebuild build/report from the warehouse and outputs already built (when they changed; FORCE=1: always)
	$(BIN)/python -m pipelines run --job report_only $(if $(FORCE),--force)

release: setup ## freeze build/ into releases/$(ID) (make release ID=2026Q4); an ID is never reused
	@test -n "$(ID)" || (echo "error: name the release: make release ID=2026Q4" >&2; exit 2)
	$(BIN)/python -m pipelines release "$(ID)"

eval: setup ## score the press-item classifier on the labelled set
	$(BIN)/python -m pipelines evaluate-classifier

classifier-model: setup ## refit the press model from data/classifier/labelled_items.jsonl into data/classifier/press_model.json
	$(BIN)/python -m pipelines fit-classifier

eval-mapping: setup ## the evidence rules against the held-out link reviews (needs a built warehouse)
	$(BIN)/python -m pipelines evaluate-mapping

bench: setup ## stage costs at 10^3..10^6 events and 10^5..10^7 trade rows (bench/RESULTS.md); BENCH_SIZES=small for a quick look
	$(BIN)/python -m bench.run

bench-mapping: setup ## event mapping at 10^6 events through Dagster against the keyword floor, same run (bench/RESULTS.md)
	$(BIN)/python -m bench.mapping

bench-classify: setup ## 1,000 press items through the classify command, against a floor (bench/CLASSIFY.md)
	$(BIN)/python -m bench.classify

dev: setup $(DAGSTER_HOME)/dagster.yaml ## Dagster UI and daemon on localhost:3000, the report on :3001 for chart previews; Ctrl-C stops all
	exec $(BIN)/python -m pipelines dev

serve: setup ## code server, webserver and daemon: on Postgres when DAGSTER_PG_* is set (deploy/), else on build/dagster_home
	BIN=$(BIN) deploy/serve.sh

audit: setup-dev ## pip-audit over the locked dependencies; the result goes to build/pip-audit.txt
	mkdir -p build
	$(UV) export --frozen --no-hashes --no-emit-project --format requirements-txt -o build/requirements-audit.txt >/dev/null
	-$(BIN)/pip-audit -r build/requirements-audit.txt --no-deps --disable-pip --progress-spinner off > build/pip-audit.txt 2>&1
	@echo "pip-audit: $$(grep -c 'could not be audited' build/pip-audit.txt) of $$(grep -c '==' build/requirements-audit.txt) packages could not be audited; $$(grep -ciE '^[a-z0-9_.-]+ +[0-9][^ ]* +(GHSA|PYSEC|CVE)' build/pip-audit.txt) known vulnerabilities found (build/pip-audit.txt)"

lint: setup-dev ## ruff check and format check
	$(BIN)/ruff check pipelines tests bench
	$(BIN)/ruff format --check pipelines tests bench

setup: $(VENV)/.synced-run ## the locked run dependencies in .venv (every target does this first)
setup-dev: $(VENV)/.synced-dev ## the same with the dev dependencies (tests, ruff)

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced-run: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --inexact --no-dev --python $(PYTHON)
	touch $@

$(VENV)/.synced-dev: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@ $(VENV)/.synced-run

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

browser: ## headless Chromium for the browser tests (Debian's package)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

postgres: ## Debian's PostgreSQL server, started by the deployment test in a temporary folder
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)

clean: ## remove build/ (warehouse, report, Dagster history)
	rm -rf build

help: ## list the targets
	@awk -F':[^#]*## ' '/^[a-z-]+:[^#]*## /{printf "%-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
