# Two commands do all the set-up on a fresh clone: `make plan` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STACK ?= staging
export PYTHONDONTWRITEBYTECODE :=

# Ranges live in requirements*.in; `make lock` resolves them into requirements*.txt (exact versions and
# hashes, for every platform) and the venv installs only those. LOCK_FLAGS=--upgrade moves every pin.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes $(LOCK_FLAGS)

.PHONY: plan test lint typecheck unit bench lock check-stacks clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.txt
	touch $@

lock: $(BIN)/.installed  ## re-resolve requirements*.in into the hashed lock files and the engine versions
	$(UV_COMPILE) requirements-dev.in -o requirements-dev.txt
	$(UV_COMPILE) requirements.in -c requirements-dev.txt -o requirements.txt
	$(BIN)/python -m ops versions --refresh

plan: $(BIN)/.installed  ## offline plan and policy results of a stack (STACK=staging by default)
	$(BIN)/python -m ops plan --stack $(STACK)

test: lint typecheck check-stacks unit  ## lint, type-check, the cross-stack check and every test

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/basedpyright

check-stacks: $(BIN)/.installed  ## refuse stacks that collide in one AWS account or repository
	$(BIN)/python -m ops check-stacks

unit: $(BIN)/.installed
	$(BIN)/python -m pytest

bench: $(BIN)/.installed  ## plan time against the import floor
	$(BIN)/python -m ops bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
