# Thin entry points; the logic lives in scripts/ and portal_infra/.
SHELL := /bin/bash
PY := .venv/bin/python
STACK ?= dev

.PHONY: up refresh preview test test-docker lint bench bootstrap clean

bootstrap:
	@bash scripts/bootstrap.sh

up refresh preview: bootstrap
	@$(PY) scripts/dev.py $@ --stack $(STACK)

test: bootstrap
	@$(PY) -m pytest $(PYTEST_ARGS)

# The Docker layer: engine, images, the compose stack; skips with the reason where no engine can run.
test-docker: bootstrap
	@bash scripts/docker-test.sh $(PYTEST_ARGS)

lint: bootstrap
	@.venv/bin/ruff check portal_infra tests scripts bench
	@.venv/bin/mypy

bench: bootstrap
	@$(PY) bench/run.py

clean:
	rm -rf .state .pulumi-home .tools
