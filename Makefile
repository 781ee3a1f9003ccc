# Fairlab — every recipe calls the `fairlab` CLI; the only shell here creates the environment.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV ?= .venv
FAIRLAB := $(VENV)/bin/fairlab
BROWSER ?= 1
PORT ?= 8888
ARGS ?=
LEARNERS ?= 10
INSTRUCTOR ?= 0
NB ?=

.PHONY: help lab check env data labs test lint bench bench-hub slides clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# uv (hash-pinned in requirements-uv.lock) installs requirements.lock, every hash checked, with its
# own progress; it is several times faster than pip on a fresh clone. No --compile-bytecode: that
# is a silent 1-2 min on 2 cores for 10,000 files, most never imported; Python compiles on use.
$(VENV)/.installed: requirements.lock requirements-uv.lock pyproject.toml
	@echo "env: creating $(VENV) from requirements.lock (about a minute; progress below)"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements-uv.lock
	$(VENV)/bin/uv pip install --python $(VENV)/bin/python --require-hashes --no-deps -r requirements.lock
	$(VENV)/bin/uv pip install --python $(VENV)/bin/python --no-deps --no-build-isolation -e .
	touch $@

env: $(VENV)/.installed ## Create .venv from requirements.lock and install fairlab

data: env ## Build the course datasets into data/ (verifies every raw file's SHA-256)
	$(FAIRLAB) data build

labs: env ## Regenerate the student labs in labs/ whose solutions/ changed (content hashes)
	$(FAIRLAB) labs generate

lab: data labs ## Set up, copy new labs into workspace/ (never overwriting yours), start JupyterLab (BROWSER=0 headless, INSTRUCTOR=1 for nbgrader's instructor tools)
	INSTRUCTOR=$(INSTRUCTOR) $(FAIRLAB) lab --port $(PORT) --browser $(BROWSER)

check: env ## Check your saved lab with the hidden tests: pass/fail and a hint per exercise (NB=path; default: the last saved)
	$(FAIRLAB) check $(NB)

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
