# `make demo` and `make test` set themselves up: they create .venv if it is missing and
# install the project (editable) with the extras they need, then run.
#
# llama-cpp-python ships only a source package, so llama.cpp is compiled once per machine
# (about 10 minutes on 2 cores) into a wheel kept under ~/.cache/colony/wheels. It is
# built for a portable x86-64 level (AVX2, FMA, F16C) instead of -march=native: a native
# build on a CPU that advertises AMX crashed (SIGSEGV in ggml's AMX matrix multiply) as
# soon as a prompt of more than a few tokens was evaluated, on the machines this project
# is tested on. pip's own wheel cache is bypassed for that build so that a native wheel
# cached earlier is never reused.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

LLAMA_CPP_VERSION := 0.3.36
ifeq ($(shell uname -m),x86_64)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
else
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF
endif
LLAMA_WHEELS := $(HOME)/.cache/colony/wheels/llama-$(LLAMA_CPP_VERSION)-$(shell echo '$(LLAMA_CMAKE_ARGS)' | cksum | cut -d' ' -f1)

.PHONY: demo test bench table1 clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-llama: | $(BIN)/python
	@if ! ls $(LLAMA_WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1; then \
	  echo "compiling llama.cpp $(LLAMA_CPP_VERSION) once for this machine (about 10 minutes on 2 cores)"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip wheel --quiet --disable-pip-version-check \
	    --no-cache-dir --no-deps -w $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_CPP_VERSION); fi
	$(PIP) --force-reinstall --no-deps $(LLAMA_WHEELS)/llama_cpp_python-*.whl
	touch $@

$(VENV)/.installed-local: pyproject.toml $(VENV)/.installed-llama | $(BIN)/python
	$(PIP) -e ".[local]"
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-llama | $(BIN)/python
	$(PIP) -e ".[test]"
	touch $@

demo: $(VENV)/.installed-local
	$(BIN)/colony run demo --verbose

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/env_step.py
	$(BIN)/python benchmarks/crafter_team.py
	$(BIN)/python benchmarks/crafter_comms.py
	$(BIN)/python benchmarks/sweep.py

table1: $(VENV)/.installed-local
	$(BIN)/python benchmarks/table1.py

clean:
	rm -rf $(VENV) runs .pytest_cache
