# Two commands do all the set-up on a fresh clone: `make plan` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Checkov has its own environment: its exact pins (boto3, botocore, packaging, ...) would downgrade ours.
CHECKOV_VENV := .venv-checkov
STACK ?= staging
export PYTHONDONTWRITEBYTECODE :=

# Ranges live in requirements*.in; `make lock` resolves them into requirements*.txt (exact versions and
# hashes, for every platform) and the venv installs only those. LOCK_FLAGS=--upgrade moves every pin.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes $(LOCK_FLAGS)

.PHONY: plan scan test lint typecheck unit engine bench lock check-stacks clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.txt
	touch $@

lock: $(BIN)/.installed  ## re-resolve requirements*.in into the hashed lock files and the engine versions
	$(UV_COMPILE) requirements-dev.in -o requirements-dev.txt
	$(UV_COMPILE) requirements.in -c requirements-dev.txt -o requirements.txt
	$(UV_COMPILE) requirements-checkov.in -o requirements-checkov.txt
	$(BIN)/python -m ops versions --refresh

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements-checkov.txt
	touch $@

plan: $(BIN)/.installed  ## offline plan and policy results of a stack (STACK=staging by default)
	$(BIN)/python -m ops plan --stack $(STACK)

scan: $(BIN)/.installed $(CHECKOV_VENV)/.installed  ## Checkov on the offline plan of both stacks (docs/scan.md)
	@status=0; for stack in staging production; do $(BIN)/python -m ops scan --stack $$stack || status=$$?; done; exit $$status

test: lint typecheck check-stacks engine unit  ## lint, type-check, the cross-stack check and every test (engine tests where the engine can be had)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/basedpyright

# Builds the pinned Pulumi CLI once (cached by version outside the clone). Without Go it says so in one line and the
# engine tests skip; CI sets REQUIRE_ENGINE_TESTS=1, which turns that skip into a failure.
engine:  ## the pinned Pulumi CLI for the engine tests
	@status=0; tools/engine/build.sh > /dev/null || status=$$?; \
	if [ $$status -eq 3 ]; then echo "engine: no Go toolchain and no pulumi $$(tools/engine/build.sh --version) on PATH: engine tests will skip"; \
	elif [ $$status -ne 0 ]; then exit $$status; fi

check-stacks: $(BIN)/.installed  ## refuse stacks that collide in one AWS account or repository
	$(BIN)/python -m ops check-stacks

unit: $(BIN)/.installed $(CHECKOV_VENV)/.installed
	$(BIN)/python -m pytest

bench: $(BIN)/.installed  ## plan time against the import floor
	$(BIN)/python -m ops bench

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache .ruff_cache
