# jaif-kg: every target creates .venv and installs what it needs on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install serve test check lint typecheck fmt validate bench soak build clean

help: ## List the targets with what they do
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

# libseccomp, for the query workers' kernel sandbox (`jaif-kg serve` refuses to start without it
# unless JAIF_SANDBOX=off): installed when missing and run as root.
SECCOMP_OK = ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2'

$(STAMP): pyproject.toml package-lock.json
	@$(SECCOMP_OK) || if [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libseccomp2 >/dev/null || \
		echo "could not install libseccomp2: serve needs JAIF_SANDBOX=off"; \
	else echo "libseccomp2 is missing (apt-get install libseccomp2 as root)"; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@# `jaif-kg import`'s mapping engine, in its own environment: morph-kgc pins pyoxigraph<0.4,
	@# which cannot share .venv (docs/IMPORT.md); found there, or through JAIF_RML_PYTHON
	$(PYTHON) -m venv .venv-rml
	.venv-rml/bin/pip install --quiet --upgrade pip
	.venv-rml/bin/pip install --quiet morph-kgc==2.10.0
	@# the front-end files the server serves itself under /assets/ (query editor, API docs,
	@# pictures), exactly as package-lock.json pins them, without running any package's scripts
	@if command -v npm >/dev/null 2>&1; then npm ci --ignore-scripts --no-audit --no-fund; \
	else echo "npm is missing (apt-get install npm): the query editor, the API docs and the" \
		"pictures will be missing, and the browser tests will fail"; fi
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install jaif-kg with its dev tools

serve: $(STAMP) ## Validate the graph and serve it on http://$(HOST):$(PORT)/ (embedded store)
	$(BIN)/jaif-kg serve --host $(HOST) --port $(PORT)

# Debian's Chromium, for the tests that look at the pages in a real browser: installed once, when
# missing and run as root; otherwise those tests fail and say how to install it.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || \
		echo "could not install chromium: the browser tests will fail"; \
	else echo "chromium is missing (apt-get install chromium as root): the browser tests will fail"; fi

# Debian's Virtuoso Open-Source 7, the second SPARQL server the store tests run against
# (tests/virtuoso_server.py): installed once, when missing and run as root; otherwise those tests
# skip (fail under JAIF_REQUIRE_SUITES=1, as in CI) and say how to install it.
VIRTUOSO := /usr/bin/virtuoso-t
$(VIRTUOSO):
	@if [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null || \
		echo "could not install virtuoso-opensource: the Virtuoso store tests will fail"; \
	else echo "virtuoso-opensource is missing (apt-get install virtuoso-opensource as root):" \
		"the Virtuoso store tests will skip, or fail under JAIF_REQUIRE_SUITES=1"; fi

test: $(STAMP) $(CHROMIUM) $(VIRTUOSO) ## Run the whole test suite
	$(BIN)/pytest

check: $(STAMP) ## Lint (ruff), type-check (mypy --strict) and test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/jaif-kg fmt --check
	$(BIN)/pytest

fmt: $(STAMP) ## Rewrite graph_data/ and ontology/ as canonical Turtle, and format the code
	$(BIN)/jaif-kg fmt
	$(BIN)/ruff format .

validate: $(STAMP) ## Validate the shipped graph against the SHACL shapes
	$(BIN)/jaif-kg validate

build: $(STAMP) ## Write the dumps and dataset description to dist/
	$(BIN)/jaif-kg build --out dist

# Debian's wrk, the load generator of `make bench` (HTTP section) and `make soak`: installed once,
# when missing and run as root; otherwise the soak says how to install it and exits 1, and the
# benchmark measures HTTP with its Python client, labelled as such in the report.
WRK := /usr/bin/wrk
$(WRK):
	@if [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || \
		echo "could not install wrk: the soak cannot run, the benchmark uses its Python client"; \
	else echo "wrk is missing (apt-get install wrk as root): the soak cannot run, the benchmark uses its Python client"; fi

bench: $(STAMP) $(WRK) ## Run the benchmark (~40 min; ARGS=--huge adds 10^7: ~80 min; ARGS=--quick: 2 min) and write docs/BENCHMARKS.md
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m jaif_kg.bench.run $(ARGS)

soak: $(STAMP) $(WRK) ## Soak the server under hostile load (30 s; ARGS=--quick for 10 s, --json FILE)
	$(BIN)/python -m jaif_kg.bench.soak $(ARGS)

clean: ## Remove .venv, caches and build output
	rm -rf $(VENV) .venv-rml dist .pytest_cache .mypy_cache .ruff_cache
