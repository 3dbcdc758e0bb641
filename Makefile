# Run `make` (or `make help`) to see what you can do.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help setup figures test lab notebooks clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The environment is rebuilt whenever the pinned dependencies change.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing the pinned environment into $(VENV) (first run only)..."
	@$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP) ## create .venv with the pinned packages (done for you by the others)

figures: $(STAMP) ## build every figure listed in figures.yaml into figures/
	@$(PY) -m sovereign_ai build

test: $(STAMP) ## run the whole test suite (unit, data, nbval, papermill runs)
	@$(PY) -m pytest

lab: $(STAMP) ## open JupyterLab on notebooks/
	@$(VENV)/bin/jupyter lab notebooks/

notebooks: $(STAMP) ## re-execute the notebooks in place so their stored outputs are current
	@$(PY) -m sovereign_ai refresh-notebooks

clean: ## remove build/ (executed notebooks); keeps .venv and figures/
	rm -rf build
