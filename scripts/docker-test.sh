#!/usr/bin/env bash
# The Docker test layer (make test-docker): engine, Compose, images, then pytest against the
# containers, then a check that nothing of ours is left on the engine.
#
#   scripts/docker-test.sh [pytest args]     # default: tests/docker tests/integration
#
# PORTAL_INFRA_DOCKER_INSTALL=1 (set by .ci/run) lets it install Debian's docker.io as root when no
# engine exists. Where no engine can run, the tests still run and skip, each saying why.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PY=${PY:-.venv/bin/python}

say() { printf '[docker-test] %s\n' "$*" >&2; }
stamp() { date +%s; }
t0=$(stamp)

engine_args=()
[ "${PORTAL_INFRA_DOCKER_INSTALL:-0}" = 1 ] && engine_args=(--install)
engine_log=$(mktemp)
engine=0
bash scripts/docker-engine.sh "${engine_args[@]}" 2>"$engine_log" || engine=$?
cat "$engine_log" >&2
reason=$(sed -n 's/^\[docker-engine\] \(no Docker engine: \)/\1/p' "$engine_log")
rm -f "$engine_log"
t_engine=$(stamp)

export PORTAL_INFRA_DOCKER_TESTS=1
# The project's containers get names of their own, so a run never touches a stack a user started.
export PORTAL_INFRA_COMPOSE_PROJECT=portal-infra-test-$$
export PORTAL_INFRA_STRIPE_MOCK=docker
export PORTAL_INFRA_DOCKER_LABEL=io.portal-infra.run=$PORTAL_INFRA_COMPOSE_PROJECT

if [ "$engine" != 0 ]; then
  export PORTAL_INFRA_DOCKER_UNAVAILABLE=${reason:-no Docker engine answers}
  say "no engine: the Docker tests will skip ($PORTAL_INFRA_DOCKER_UNAVAILABLE)"
  unset PORTAL_INFRA_STRIPE_MOCK
else
  # Compose (maybe built from Go modules: CPU) and the images that need no Compose (stripe-mock's
  # stand-in, the Debian base: mostly download) are made side by side; then the fake's image.
  bash scripts/docker-images.sh stripe-mock base > "${TMPDIR:-/tmp}/portal-infra-images.$$.log" 2>&1 &
  images=$!
  bash scripts/docker-compose.sh || { wait "$images" || true; exit 1; }
  if ! wait "$images"; then cat "${TMPDIR:-/tmp}/portal-infra-images.$$.log" >&2; exit 1; fi
  cat "${TMPDIR:-/tmp}/portal-infra-images.$$.log" >&2; rm -f "${TMPDIR:-/tmp}/portal-infra-images.$$.log"
  bash scripts/docker-images.sh fake
fi
t_images=$(stamp)

[ $# -gt 0 ] || set -- tests/docker tests/integration
set +e
"$PY" -m pytest "$@"
status=$?
set -e
t_tests=$(stamp)

if [ "$engine" = 0 ]; then
  project=label=com.docker.compose.project=$PORTAL_INFRA_COMPOSE_PROJECT
  left=$(docker ps -aq --filter "$project"; docker network ls -q --filter "$project"
         docker ps -aq --filter "label=$PORTAL_INFRA_DOCKER_LABEL")
  if [ -n "$left" ]; then
    say "left behind on the engine: $(echo "$left" | tr '\n' ' ')"
    status=1
  else
    say "nothing of ours is left on the engine"
  fi
fi
say "timings: engine $((t_engine - t0))s, compose and images $((t_images - t_engine))s, tests $((t_tests - t_images))s"
exit "$status"
