# Two commands do all the set-up on a fresh clone: `make plan` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Checkov has its own environment: its exact pins (boto3, botocore, packaging, ...) would downgrade ours.
CHECKOV_VENV := .venv-checkov
STACK ?= staging
export PYTHONDONTWRITEBYTECODE :=

.PHONY: plan scan test lint typecheck unit bench clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $@

plan: $(BIN)/.installed  ## offline plan and policy results of a stack (STACK=staging by default)
	$(BIN)/python -m ops plan --stack $(STACK)

scan: $(BIN)/.installed $(CHECKOV_VENV)/.installed  ## Checkov on the offline plan of both stacks (docs/scan.md)
	@status=0; for stack in staging production; do $(BIN)/python -m ops scan --stack $$stack || status=$$?; done; exit $$status

test: lint typecheck unit  ## lint, type-check and every test

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/basedpyright

unit: $(BIN)/.installed $(CHECKOV_VENV)/.installed
	$(BIN)/python -m pytest

bench: $(BIN)/.installed  ## plan time against the import floor
	$(BIN)/python -m ops bench

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache .ruff_cache
