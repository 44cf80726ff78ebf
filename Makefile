# Two commands do all the set-up on a fresh clone: `make plan` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STACK ?= staging
export PYTHONDONTWRITEBYTECODE :=

.PHONY: plan test lint typecheck unit bench clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

plan: $(BIN)/.installed  ## offline plan and policy results of a stack (STACK=staging by default)
	$(BIN)/python -m ops plan --stack $(STACK)

test: lint typecheck unit  ## lint, type-check and every test

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/basedpyright

unit: $(BIN)/.installed
	$(BIN)/python -m pytest

bench: $(BIN)/.installed  ## plan time against the import floor
	$(BIN)/python -m ops bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
