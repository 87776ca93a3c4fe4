# Thin entry points; the logic lives in scripts/ and portal_infra/.
SHELL := /bin/bash
PY := .venv/bin/python
STACK ?= dev

.PHONY: up refresh preview test test-stripe test-docker lint bench docs sdks bootstrap clean

# Every tool (what `make test` and CI use); each target below builds only what it needs (scripts/bootstrap.sh).
bootstrap:
	@bash scripts/bootstrap.sh

up refresh preview:
	@bash scripts/bootstrap.sh up
	@$(PY) scripts/dev.py $@ --stack $(STACK)

# Side by side (pytest-xdist; TEST_WORKERS=0 runs serially): one worker more than the cores, since each test
# waits on pulumi and the fake part of the time; a docs page's blocks are one group on one worker, in order;
# the 25 slowest tests listed at the end (docs/contributing.md says where the time goes).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1); echo $$((n + 1)))
test: bootstrap
	@$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=25 $(PYTEST_ARGS)

# The acceptance suite against Stripe itself, in test mode (STRIPE_API_KEY=sk_test_… or rk_test_…; anything
# else is refused before any request). `make test` runs the same suite against the fake.
test-stripe:
	@bash scripts/bootstrap.sh up
	@PORTAL_INFRA_ACCEPTANCE=stripe $(PY) -m pytest tests/acceptance $(PYTEST_ARGS)

# The Docker layer: engine, images, the compose stack; skips with the reason where no engine can run.
test-docker: bootstrap
	@bash scripts/docker-test.sh $(PYTEST_ARGS)

lint:
	@bash scripts/bootstrap.sh venv policy
	@.venv/bin/ruff check portal_infra tests scripts bench policy
	@.venv/bin/mypy
	@# the policy pack, against its own venv's pulumi-policy
	@.venv/bin/mypy --python-executable policy/venv/bin/python policy/__main__.py policy/portal_policies
	@# the example GitHub Actions workflows (actionlint is built once into the tool cache)
	@bash scripts/ci/actionlint.sh

bench:
	@bash scripts/bootstrap.sh up
	@$(PY) bench/run.py $(BENCH_ARGS)

# The API reference in docs/reference/, from schema/pulumi-schema.json and docs/reference/src/ (tests/docs checks it).
docs:
	@bash scripts/bootstrap.sh venv
	@$(PY) -m portal_infra.plugin.reference

# For TypeScript, Go and Python-SDK programs: SDKs from schema/pulumi-schema.json into sdk/ (git-ignored;
# SDK_LANGS=nodejs|go|python, default all), and the provider plugin installed into Pulumi's plugin cache.
sdks:
	@bash scripts/bootstrap.sh pulumi venv codegen
	@bash scripts/codegen/sdks.sh $(SDK_LANGS)

clean:
	rm -rf .state .pulumi-home .tools
