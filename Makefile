# Run `make` (or `make help`) to see what you can do.
PYTHON ?= python3
# What .venv holds besides the package: dev (tests, lint; the students' copy sets lab: JupyterLab only)
EXTRAS ?= dev,book
# What the tests need besides .venv: cffconvert's own environment (none in the students' copy)
TEST_NEEDS ?= $(TOOLS_STAMP)
VENV   := .venv
PY     := $(VENV)/bin/python
# Every target below is a thin call of the `sovereign-ai` command, which runs without make too.
SAI    := $(VENV)/bin/sovereign-ai
STAMP  := $(VENV)/.installed-stamp
TOOLS  := .venv-tools
TOOLS_STAMP := $(TOOLS)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help setup figures check test test-fast lint format bench site lab notebooks handout clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The environment is rebuilt whenever the pinned dependencies change.
# The oldest Python the project admits (pyproject.toml's requires-python).
NEW_ENOUGH := import sys; sys.exit(sys.version_info < (3, 11))

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -c '$(NEW_ENOUGH)' 2>/dev/null || { \
	  echo "$(PYTHON) is $$($(PYTHON) -V 2>/dev/null || echo 'not found'); the project needs Python 3.11 or newer:"; \
	  echo "install one, then run, e.g., make $(MAKECMDGOALS) PYTHON=python3.12"; exit 1; }
	@$(PY) -c '$(NEW_ENOUGH)' 2>/dev/null || ! test -x $(PY) || { \
	  echo "$(VENV) has $$($(PY) -V 2>&1); the project needs Python 3.11 or newer:"; \
	  echo "remove it (rm -rf $(VENV)), then run, e.g., make $(MAKECMDGOALS) PYTHON=python3.12"; exit 1; }
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)..."; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the pinned packages into $(VENV) (first run only: a minute or two, longer on a slow network)..."
	@$(PY) -m pip install --progress-bar off --disable-pip-version-check -c constraints.txt -e ".[$(EXTRAS)]"
	@# the build backend's wheel, so that a plain venv can be tried offline (tests/test_routes.py)
	@test "$(EXTRAS)" = lab || $(PY) -m pip download --quiet --disable-pip-version-check --no-deps --dest $(VENV)/wheelhouse setuptools==80.9.0
	@touch $(STAMP)
	@echo "$(VENV) is ready."

# Command-line tools whose dependencies clash with the main environment (cffconvert).
$(TOOLS_STAMP): tools-constraints.txt
	@test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	@echo "Installing cffconvert into $(TOOLS) (checks CITATION.cff; first run only)..."
	@$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check -c tools-constraints.txt cffconvert
	@touch $(TOOLS_STAMP)

setup: $(STAMP) $(TEST_NEEDS) ## create .venv (and .venv-tools) with the pinned packages (done for you by the others)

figures: $(STAMP) ## build the figures in figures.yaml into figures/ (only what changed; JOBS=N: N runs side by side), then the notebooks' stored outputs
	@$(SAI) build --refresh-notebooks

check: $(STAMP) ## rebuild into a temporary folder and fail if figures/ is not current
	@$(SAI) check

test: $(STAMP) $(TEST_NEEDS) ## `lint`, `check`, then every test (10x a full build: about 6 min on 2 cores; JOBS=1: one worker)
	@$(SAI) test

test-fast: $(STAMP) $(TEST_NEEDS) ## `lint`, then the tests that start no kernel and draw no chart set (1.3x a full build: under a minute on 2 cores)
	@$(SAI) test-fast

lint: $(STAMP) ## ruff over the package, the tests and the notebooks (no changes)
	@$(SAI) lint

format: $(STAMP) ## let ruff fix what it can and format the code and the notebooks
	@$(SAI) format

bench: $(STAMP) ## time full, no-op and one-data-file rebuilds against a plain-Python baseline
	@$(SAI) bench

site: $(STAMP) ## build the book into site/: the notebooks as chapters, every figure, references, guides (offline)
	@$(SAI) site

lab: $(STAMP) ## open JupyterLab on notebooks/
	@$(SAI) lab

handout: $(STAMP) ## write handout/, a copy for students without the worked solutions
	@$(SAI) handout handout/

notebooks: $(STAMP) ## re-execute the notebooks in place so their stored outputs are current
	@$(SAI) refresh-notebooks

clean: ## remove build/ (executed notebooks, sweeps), site/ and handout/; keeps .venv and figures/ (not while a build runs)
	@if [ -x $(SAI) ]; then $(SAI) clean; else rm -rf build site handout .site.partial-* .site.old-* .handout.partial-*; fi
