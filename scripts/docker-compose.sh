#!/usr/bin/env bash
# Make `docker compose` (Docker Compose v2, a docker CLI plugin) available.
#
#   scripts/docker-compose.sh
#
# An installed plugin is used as it is. Otherwise Compose is built from the Go module proxy into
# ${PORTAL_INFRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portal-infra}/docker/compose/<version>
# (first time only, a few minutes) and linked as a plugin for this user
# (${DOCKER_CONFIG:-~/.docker}/cli-plugins/docker-compose, where Docker looks for per-user plugins).
# Debian bookworm only packages Compose v1 (`docker-compose`, Python), which lacks what the compose
# file and the tests use (`name:`, `up --wait`).
set -euo pipefail

COMPOSE_VERSION=v2.40.3   # newest v2 the Go module proxy served on 2026-11-25
CACHE=${PORTAL_INFRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portal-infra}/docker
PLUGINS=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins

say() { printf '[docker-compose] %s\n' "$*" >&2; }
die() { printf '[docker-compose] error: %s\n' "$*" >&2; exit 1; }

command -v docker >/dev/null || die "no docker CLI on PATH"
if v=$(docker compose version --short 2>/dev/null) && [ "${v%%.*}" != 1 ]; then
  say "docker compose $v"
  exit 0
fi

bin=$CACHE/compose/$COMPOSE_VERSION/docker-compose
if [ ! -x "$bin" ]; then
  command -v go >/dev/null || die "Docker Compose v2 is not installed, and building it needs Go (1.24+)"
  say "building Docker Compose $COMPOSE_VERSION from the Go module proxy (first time only; a few minutes)"
  w=$(mktemp -d "$CACHE/compose-build.XXXXXX")
  trap 'rm -rf "$w"' EXIT
  (
    cd "$w"
    # Compose's go.mod has `exclude` directives, so `go install pkg@version` refuses it; a throw-away
    # module that repeats them builds the same program.
    cat > go.mod <<'MOD'
module local/composebuild

go 1.24

exclude (
	github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc
	github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2
)
MOD
    export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
    go get -tool "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION" >&2
    mkdir -p "$(dirname "$bin")"
    go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
      -o "$bin.tmp" github.com/docker/compose/v2/cmd
    mv "$bin.tmp" "$bin"
  )
fi
mkdir -p "$PLUGINS"
ln -sfn "$bin" "$PLUGINS/docker-compose"
v=$(docker compose version --short 2>/dev/null) || die "docker does not load $PLUGINS/docker-compose"
say "docker compose $v (plugin $PLUGINS/docker-compose -> $bin)"
