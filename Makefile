# `make demo` and `make test` set themselves up: they create .venv if it is missing and
# install the project (editable) with the extras they need, then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-test

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

demo: $(INSTALLED)
	$(BIN)/colony demo

test: $(INSTALLED)
	$(BIN)/python -m pytest

bench: $(INSTALLED)
	$(BIN)/python benchmarks/env_step.py

clean:
	rm -rf $(VENV) runs .pytest_cache
