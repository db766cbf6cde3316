# The README's two commands, `make demo` and `make test`, do all the set-up:
# they create .venv, install torch when it is missing (a CPU build, see
# TORCH_SPEC) and install skae into it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Installed only when the environment has no torch. On this project's machines
# `pip install torch==2.13.0` takes a CPU wheel from local disk; elsewhere point
# it at a CPU wheel index, e.g. TORCH_SPEC="torch --index-url <cpu-index>".
# The package metadata itself asks only for torch>=2.1, never a build.
TORCH_SPEC ?= torch==2.13.0
STAMP := $(VENV)/.skae-installed

.PHONY: install demo test test-slow bench docs lint clean

# pip byte-compiles what it installs one file at a time, a third of the
# install's time; compileall does it on every core. (Compiling is not left to
# the first import: with PYTHONDONTWRITEBYTECODE set, as on this project's
# machines, every process would compile torch again.) The packages' own test
# suites, a third of the files, are never imported and are not compiled;
# files that do not compile on this Python, such as torch's 3.12-only test
# helpers, are skipped as pip skips them.
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q --no-compile $(TORCH_SPEC)
	$(BIN)/python -m pip install -q --no-compile -e ".[test,plot,onnx,skops,dask,distributed]"
	$(BIN)/python -m compileall -q -j 0 -x 'site-packages/.+/tests?/' $(VENV)/lib > /dev/null || true
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m skae demo

# One pytest-xdist worker per core (tests/conftest.py keeps each worker's
# torch to one thread).
test: $(STAMP)
	$(BIN)/python -m pytest -n auto

# The slow tier (tests marked `slow`): the course's claims repeated over
# several seeds at full training budgets, the conformance checks of the
# non-default options, and the checks that launch worker processes (torchrun,
# a Dask cluster, loky), kept out of the fast suite for their time. CI runs it
# after `make test`.
test-slow: $(STAMP)
	$(BIN)/python -m pytest -n auto -m slow

# Every benchmark script (minutes to an hour each on a 2-core CPU), then the
# report that gathers their tables and figures: benchmarks/results/REPORT.md.
# The bench extra brings PyOD, the other library the outlier benchmarks
# compare with; without it they leave its columns out.
bench: $(STAMP)
	$(BIN)/python -m pip install -q -e ".[bench]"
	for script in benchmarks/[!_]*.py; do $(BIN)/python $$script || exit 1; done
	$(BIN)/python benchmarks/_report.py

# The documentation site, docs/_build/html; any Sphinx warning fails the build.
docs: $(STAMP)
	$(BIN)/python -m pip install -q -e ".[docs]"
	rm -rf docs/generated
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

lint: $(STAMP)
	$(BIN)/ruff check skae tests benchmarks
	$(BIN)/ruff format --check skae tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info docs/_build docs/generated skae-demo
