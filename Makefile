# campaignflow — the two commands a newcomer needs: `make demo` and `make test`.
# Each does its own set-up on a fresh machine with only Python 3.11+ and make.
SHELL := /bin/bash
PYTHON ?= python3
export PATH := $(HOME)/.local/bin:$(PATH)
# uv's own certificate list does not know a site's TLS-intercepting proxy; the system store does
export UV_NATIVE_TLS := 1
export UV_SYSTEM_CERTS := 1
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
RUN := $(UV) run --frozen

.PHONY: setup demo ui ui-stop test lint schema bench bench-province clean

$(UV):
	@echo "== uv not found: installing it with pip (user site)"
	$(PYTHON) -m pip install --user --quiet --disable-pip-version-check uv || \
	  $(PYTHON) -m pip install --user --quiet --disable-pip-version-check --break-system-packages uv

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen
	@touch $@

setup: .venv/.synced

demo: setup
	$(RUN) python -m campaignflow.cli.demo

ui: setup  # the Prefect UI of the demo's data folder (its server started if it is not running)
	CAMPAIGNFLOW_HOME=.campaignflow/demo $(RUN) campaignflow ui

ui-stop: setup
	CAMPAIGNFLOW_HOME=.campaignflow/demo $(RUN) campaignflow server stop

test: setup
	$(RUN) pytest -q $(PYTEST_ARGS)

lint: setup
	$(RUN) ruff check .
	$(RUN) ruff format --check .

schema: setup
	$(RUN) campaignflow schema

bench: setup
	$(RUN) python -m bench $(BENCH_ARGS)

bench-province: setup  # target 6: import, phase and reports at scale 1 and 10 (long; not part of `make test`)
	$(RUN) python -m bench.province $(BENCH_ARGS)

clean:
	rm -rf .venv .campaignflow
