# `make demo` and `make test` set themselves up: they create .venv if it is missing and
# install the project (editable) with the extras they need, then run. The first install
# compiles llama.cpp (llama-cpp-python ships only a source package): about 10 minutes on
# 2 cores, once; pip caches the wheel.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: demo test bench table1 clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-local: pyproject.toml | $(BIN)/python
	$(PIP) -e ".[local]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) -e ".[test]"
	touch $@

demo: $(VENV)/.installed-local
	$(BIN)/colony run demo --verbose

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/env_step.py

table1: $(VENV)/.installed-local
	$(BIN)/python benchmarks/table1.py

clean:
	rm -rf $(VENV) runs .pytest_cache
