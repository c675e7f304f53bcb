# The two commands the README starts with:
#   make review   set up .venv (first time only) and review the bundled example, offline
#   make test     set up .venv (first time only), then lint, format check and the test suite
# Also: make eval, make bench, make app.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-install only when the dependencies change; the stamp lives inside the venv.
STAMP := $(VENV)/.okr-review-installed
EXAMPLE := examples/platform-team.yaml

.PHONY: help review test lint eval bench app clean

help:
	@echo "make review   review $(EXAMPLE) offline and print the report"
	@echo "make test     ruff check, ruff format --check and pytest"
	@echo "make eval     run the eval suite (offline critic)"
	@echo "make bench    print every speed and memory figure beside its target"
	@echo "make app      launch the Streamlit page on http://127.0.0.1:8501"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# The example has findings on purpose, so the review exits 1; only 2 (or worse) is a failure.
# Byte-compile first: with PYTHONDONTWRITEBYTECODE set, an editable checkout would compile
# every module from source in every process (~0.2 s); compileall skips current files.
review: $(STAMP)
	@$(BIN)/python -m compileall -q reviewer > /dev/null
	$(BIN)/okr-review check $(EXAMPLE) --offline || test $$? -eq 1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/okr-review eval

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

app: $(STAMP)
	@$(BIN)/python -m compileall -q reviewer > /dev/null
	$(BIN)/okr-review app

clean:
	rm -rf .pytest_cache .ruff_cache build dist evals/out tests/artifacts
