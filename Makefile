# D-REC platform. `make up` runs the whole stack locally, `make test` runs every test suite.
# Each setup step runs only when its inputs changed (file targets and stamps), so a second `make setup` is quick.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON311 ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ANVIL := node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
EDITABLE := $(if $(wildcard pyproject.toml),$(VENV)/.editable-stamp)

export PATH := $(CURDIR)/$(BIN):$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
# py-solc-x's compiler folder, this checkout's own: the launcher in it runs this checkout's solc shim.
export SOLCX_BINARY_PATH := $(CURDIR)/.solcx

.PHONY: help setup up test lint lock solc

help:
	@echo "make setup  install Python, Node and system dependencies, compile the contracts"
	@echo "make up     run the development stack (PostgreSQL, Redis, anvil, web, workers, indexer)"
	@echo "make test   run the contract tests (Ape) and the application tests (pytest)"
	@echo "make lint   ruff check, format check and mypy"
	@echo "make lock   recompile requirements.lock from requirements.in"

setup: $(VENV)/.sync-stamp $(EDITABLE) $(BIN)/anvil solc .build/__local__.json /usr/bin/chromium /usr/bin/wrk

up: setup
	$(BIN)/python -m scripts.devstack up

# `python -m pytest` puts the repository on sys.path, so tests can import `scripts.devstack`.
# `-p no:ape_test`: Ape's pytest plugin is for tests/contracts only.
test: setup lint
	$(BIN)/ape test tests/contracts --network ethereum:local:foundry
	$(BIN)/python -m pytest tests --ignore=tests/contracts -p no:ape_test

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

lock: | $(BIN)/uv
	$(BIN)/uv pip compile requirements.in -p 3.11 -o requirements.lock --generate-hashes

$(BIN)/python:
	$(PYTHON311) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install uv

$(VENV)/.sync-stamp: requirements.lock | $(BIN)/uv
	$(BIN)/uv pip sync --python $(BIN)/python requirements.lock
	touch $@

# `uv pip sync` removes what the lock does not list, including this project: reinstall it after each sync.
$(VENV)/.editable-stamp: pyproject.toml $(VENV)/.sync-stamp
	$(BIN)/uv pip install --python $(BIN)/python --no-deps -e .
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(BIN)/anvil: | node_modules/.package-lock.json $(BIN)/python
	ln -sfn ../../$(ANVIL) $@

# Register the shim in this checkout's compiler folder unless it is there already.
solc: node_modules/.package-lock.json $(VENV)/.sync-stamp
	@version=$$(node -p 'require("./node_modules/solc/package.json").version'); \
	grep -qsF '"$(CURDIR)/scripts/solc"' "$(SOLCX_BINARY_PATH)/solc-v$$version" || $(BIN)/python scripts/install_solc.py

.build/__local__.json: ape-config.yaml $(wildcard contracts/*.sol contracts/*/*.sol) | solc
	$(BIN)/ape compile
	touch $@

/usr/bin/chromium:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

# the HTTP benchmarks' load generator (bench/wrk.py)
/usr/bin/wrk:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y wrk
