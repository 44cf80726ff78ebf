# Two commands do all the set-up on a fresh clone: `make plan` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STACK ?= staging
export PYTHONDONTWRITEBYTECODE :=

.PHONY: plan test lint typecheck unit engine bench clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

plan: $(BIN)/.installed  ## offline plan and policy results of a stack (STACK=staging by default)
	$(BIN)/python -m ops plan --stack $(STACK)

test: lint typecheck engine unit  ## lint, type-check and every test (engine tests where the engine can be had)

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

unit: $(BIN)/.installed
	$(BIN)/python -m pytest

bench: $(BIN)/.installed  ## plan time against the import floor
	$(BIN)/python -m ops bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
