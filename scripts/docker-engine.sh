#!/usr/bin/env bash
# Make sure a Docker engine answers, for the Docker test layer (make test-docker).
#
#   scripts/docker-engine.sh            # use a running engine; as root, start an installed dockerd
#   scripts/docker-engine.sh --install  # also, as root with apt-get, install Debian's docker.io first
#
# Exit 0: an engine answers `docker version`. Exit 3: none can run here; the reason is on stderr
# (the Docker tests then skip with it). A dockerd started here keeps running for later runs; its
# data stays in /var/lib/docker and its log in the cache below. It gets the storage driver Docker
# picks (overlay2 where the filesystem allows: ~5x faster container start and removal than vfs),
# and is restarted with --storage-driver=vfs, which works on any filesystem, if that fails.
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
  # shellcheck source=lib/apt.sh
  . "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
  apt_install docker.io "$CACHE/apt.log"
fi
# Debian's package brings its own docker CLI; one already on PATH (any recent version) also works.
command -v docker >/dev/null || cannot "dockerd is installed but there is no docker CLI"

mkdir -p "$CACHE"
LOG=$CACHE/dockerd.log

# start_dockerd [flags]: 0 once it answers; 1 (and no dockerd of ours left) if it exits or is silent.
start_dockerd() {
  say "starting dockerd${*:+ $*} (log: $LOG)"
  # setsid: the engine outlives this script and the make run that started it.
  setsid dockerd "$@" >>"$LOG" 2>&1 < /dev/null &
  local pid=$! _
  for _ in $(seq 1 120); do
    if answers; then
      say "engine $(docker version --format '{{.Server.Version}}') started (pid $pid," \
          "storage driver $(docker info --format '{{.Driver}}'))"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { say "dockerd${*:+ $*} exited: $(tail -n 1 "$LOG")"; return 1; }
    sleep 0.5
  done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  say "dockerd${*:+ $*} did not answer within 60s"
  return 1
}

start_dockerd || start_dockerd --storage-driver=vfs \
  || cannot "dockerd cannot run here: $(tail -n 1 "$LOG")"
