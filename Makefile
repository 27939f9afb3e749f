# The two set-up commands of the README: `make lab` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST := 127.0.0.1
PORT ?= 8888
# The notebooks' kernel ("python3") must be this environment's Python.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: lab test test-unit test-notebooks test-e2e bench figures readme-figures clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-install when the project's metadata changes.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $(STAMP)

## Start JupyterLab on the notebooks: loopback only, token authentication on.
# (Jupyter refuses to run as root without --allow-root; containers and CI machines often are root.)
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --ServerApp.ip=$(HOST) --ServerApp.port=$(PORT) \
		$(if $(filter 0,$(shell id -u)),--allow-root)

## Install (or update) the environment and run every test: unit, doctests, notebooks, browser.
test: $(STAMP)
	$(PY) -m pytest cnnmotiv tests --nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg

test-unit: $(STAMP)
	$(PY) -m pytest cnnmotiv tests --ignore=tests/e2e

test-notebooks: $(STAMP)
	$(PY) -m pytest --nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg

test-e2e: $(STAMP)
	$(PY) -m pytest tests/e2e -v

## Print the benchmark tables (ratios against references measured in the same run).
bench: $(STAMP)
	$(PY) -m benchmarks

## Write every notebook figure as PNG and SVG.
figures: $(STAMP)
	$(PY) -m cnnmotiv figures --out figures-out

## Refresh the README's thumbnails of each notebook's main figure.
readme-figures: $(STAMP)
	$(PY) -m cnnmotiv figures --out docs/figures --format png --dpi 50 \
		--only 1-connectivity-from-above --only 2-parameter-sharing --only 3-cost --only 4-equivariance

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .benchmarks figures-out
