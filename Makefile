# Run `make` (or `make help`) to see what you can do.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
TOOLS  := .venv-tools
TOOLS_STAMP := $(TOOLS)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help setup figures check test lint format bench site lab notebooks clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The environment is rebuilt whenever the pinned dependencies change.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing the pinned environment into $(VENV) (first run only)..."
	@$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

# Command-line tools whose dependencies clash with the main environment (cffconvert).
$(TOOLS_STAMP): tools-constraints.txt
	@test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check -c tools-constraints.txt cffconvert
	@touch $(TOOLS_STAMP)

setup: $(STAMP) $(TOOLS_STAMP) ## create .venv (and .venv-tools) with the pinned packages (done for you by the others)

figures: $(STAMP) ## build the figures in figures.yaml into figures/ (only what changed)
	@$(PY) -m sovereign_ai build

check: $(STAMP) ## rebuild into a temporary folder and fail if figures/ is not current
	@$(PY) -m sovereign_ai check

test: $(STAMP) $(TOOLS_STAMP) ## `lint`, `check` (figures/ is current), then the whole suite (unit, data, nbval, papermill runs)
	@$(VENV)/bin/ruff check src tests notebooks
	@$(VENV)/bin/ruff format --check src tests notebooks
	@$(PY) -m sovereign_ai check
	@$(PY) -m pytest

lint: $(STAMP) ## ruff over the package, the tests and the notebooks (no changes)
	@$(VENV)/bin/ruff check src tests notebooks
	@$(VENV)/bin/ruff format --check src tests notebooks

format: $(STAMP) ## let ruff fix what it can and format the code and the notebooks
	@$(VENV)/bin/ruff check --fix src tests notebooks
	@$(VENV)/bin/ruff format src tests notebooks

bench: $(STAMP) ## time full, no-op and one-data-file rebuilds against a plain-Python baseline
	@$(PY) -m sovereign_ai.bench

site: $(STAMP) ## write the offline HTML gallery of figures/ and the notebooks into site/
	@$(PY) -m sovereign_ai site

# JupyterLab refuses to start as root (containers, CI machines) unless told it may.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP) ## open JupyterLab on notebooks/
	@$(VENV)/bin/jupyter lab $(ALLOW_ROOT) notebooks/

notebooks: $(STAMP) ## re-execute the notebooks in place so their stored outputs are current
	@$(PY) -m sovereign_ai refresh-notebooks

clean: ## remove build/ (executed notebooks, sweeps) and site/; keeps .venv and figures/
	rm -rf build site
