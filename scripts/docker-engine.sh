#!/usr/bin/env bash
# Make sure a Docker engine answers, for the Docker test layer (make test-docker).
#
#   scripts/docker-engine.sh            # use a running engine; as root, start an installed dockerd
#   scripts/docker-engine.sh --install  # also, as root with apt-get, install Debian's docker.io first
#
# Exit 0: an engine answers `docker version`. Exit 3: none can run here; the reason is on stderr
# (the Docker tests then skip with it). A dockerd started here keeps running for later runs; its
# data (--storage-driver=vfs: works on any filesystem, including overlay-on-overlay) stays in
# /var/lib/docker and its log in the cache below.
set -euo pipefail

CACHE=${PORTAL_INFRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portal-infra}/docker
INSTALL=0
[ "${1:-}" = --install ] && INSTALL=1

say() { printf '[docker-engine] %s\n' "$*" >&2; }
cannot() { say "no Docker engine: $*"; exit 3; }

answers() { command -v docker >/dev/null && timeout 30 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if answers; then
  say "engine $(docker version --format '{{.Server.Version}}') answers"
  exit 0
fi
[ -n "${DOCKER_HOST:-}" ] && cannot "DOCKER_HOST=$DOCKER_HOST does not answer"
[ "$(id -u)" = 0 ] || cannot "none answers, and starting one needs root (start Docker yourself, or run as root)"

if ! command -v dockerd >/dev/null; then
  [ "$INSTALL" = 1 ] || cannot "dockerd is not installed (scripts/docker-engine.sh --install installs Debian's docker.io)"
  command -v apt-get >/dev/null || cannot "dockerd is not installed and there is no apt-get to install it"
  say "installing Debian's docker.io (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || cannot "apt-get update failed"
  apt-get install -y -qq --no-install-recommends docker.io >&2 || cannot "apt-get install docker.io failed"
fi
# Debian's package brings its own docker CLI; one already on PATH (any recent version) also works.
command -v docker >/dev/null || cannot "dockerd is installed but there is no docker CLI"

mkdir -p "$CACHE"
say "starting dockerd --storage-driver=vfs (log: $CACHE/dockerd.log)"
# setsid: the engine outlives this script and the make run that started it.
setsid dockerd --storage-driver=vfs >>"$CACHE/dockerd.log" 2>&1 < /dev/null &
pid=$!
for _ in $(seq 1 120); do
  if answers; then
    say "engine $(docker version --format '{{.Server.Version}}') started (pid $pid)"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || cannot "dockerd exited at start: $(tail -n 3 "$CACHE/dockerd.log" | tr '\n' ' ')"
  sleep 0.5
done
kill "$pid" 2>/dev/null || true
cannot "dockerd did not answer within 60s: $(tail -n 3 "$CACHE/dockerd.log" | tr '\n' ' ')"
