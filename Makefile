# Fairlab — every recipe calls the `fairlab` CLI; the only shell here creates the environment.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV ?= .venv
FAIRLAB := $(VENV)/bin/fairlab
BROWSER ?= 1
PORT ?= 8888
ARGS ?=
LEARNERS ?= 10

.PHONY: help lab env data labs test lint bench bench-hub slides clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

env: $(VENV)/.installed ## Create .venv from requirements.lock and install fairlab

data: env ## Build the course datasets into data/ (verifies every raw file's SHA-256)
	$(FAIRLAB) data build

labs: env ## Regenerate the student labs in labs/ from solutions/
	$(FAIRLAB) labs generate

lab: data labs ## Set everything up and start JupyterLab on labs/ (BROWSER=0 on a headless machine)
	$(FAIRLAB) lab --port $(PORT) --browser $(BROWSER)

test: env ## Run the whole test suite (ARGS="-k 00_orientation" to narrow it)
	$(FAIRLAB) test $(ARGS)

lint: env ## ruff on src/, tests/ and the solution notebooks
	$(FAIRLAB) lint

bench: data ## Time and measure the memory of every solution notebook (and grading)
	$(FAIRLAB) bench

bench-hub: data labs ## LEARNERS simulated learners on a local JupyterHub: spawn time, memory each
	$(FAIRLAB) bench-hub --learners $(LEARNERS)

slides: data ## Build the slide decks (offline HTML + PDF handouts) into build/slides/ and slides/AGENDA.md
	$(FAIRLAB) slides build

clean: ## Remove generated data, caches and the environment
	$(FAIRLAB) clean || true
	rm -rf $(VENV)
