# The two set-up commands of the README: `make lab` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST := 127.0.0.1
PORT ?= 8888
# The notebooks' kernel ("python3") must be this environment's Python.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: lab test test-unit test-notebooks test-e2e bench figures readme-figures clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Each command installs what it needs (re-installed when the project's metadata changes):
# a reader's `make lab` gets the notebooks' dependencies only; tests and benchmarks add extras.
$(VENV)/.installed-lab: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@
$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@
$(VENV)/.installed-bench: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $@

## Start JupyterLab on the notebooks: loopback only, token authentication on.
# (Jupyter refuses to run as root without --allow-root; containers and CI machines often are root.)
lab: $(VENV)/.installed-lab
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --ServerApp.ip=$(HOST) --ServerApp.port=$(PORT) \
		$(if $(filter 0,$(shell id -u)),--allow-root)

## Install (or update) the environment and run every test: unit, doctests, notebooks, browser.
test: $(VENV)/.installed-test
	$(PY) -m pytest cnnmotiv tests --nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg

test-unit: $(VENV)/.installed-test
	$(PY) -m pytest cnnmotiv tests --ignore=tests/e2e

test-notebooks: $(VENV)/.installed-test
	$(PY) -m pytest --nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg

test-e2e: $(VENV)/.installed-test
	$(PY) -m pytest tests/e2e -v

## Print the benchmark tables (ratios against references measured in the same run).
bench: $(VENV)/.installed-bench
	$(PY) -m benchmarks

## Write every notebook figure as PNG and SVG.
figures: $(VENV)/.installed-lab
	$(PY) -m cnnmotiv figures --out figures-out

## Refresh the README's thumbnails of each notebook's main figure.
readme-figures: $(VENV)/.installed-lab
	$(PY) -m cnnmotiv figures --out docs/figures --format png --dpi 50 \
		--only 1-connectivity-from-above --only 2-parameter-sharing --only 3-cost --only 4-equivariance

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .benchmarks figures-out
