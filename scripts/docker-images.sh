#!/usr/bin/env bash
# The images docker/docker-compose.yml runs, made available to the local engine even where Docker
# Hub cannot be reached. Idempotent; slow artifacts are cached OUTSIDE the repository, in
# ${PORTAL_INFRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portal-infra}/docker.
#
#   scripts/docker-images.sh                # everything
#   scripts/docker-images.sh stripe-mock base  # some steps: stripe-mock | base | fake
#
# 1. stripe/stripe-mock:<tag named in the compose file>: already present, or pulled; otherwise a
#    local stand-in (docker/stripe-mock.Dockerfile) holding that release built from Go modules.
# 2. The fake's base: python:3.11-slim, present or pulled; otherwise portal-infra/python-base:bookworm,
#    a Debian bookworm image made from Debian's packages with debootstrap (root only).
# 3. portal-infra/fake-stripe:local, built from docker/Dockerfile by `docker compose build`.
# Needs a running engine (scripts/docker-engine.sh) and Docker Compose v2 (scripts/docker-compose.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${PORTAL_INFRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portal-infra}/docker
COMPOSE_FILE=$ROOT/docker/docker-compose.yml
PYTHON_IMAGE=python:3.11-slim
LOCAL_BASE=portal-infra/python-base:bookworm
DEBIAN_MIRROR=${PORTAL_INFRA_DEBIAN_MIRROR:-http://deb.debian.org/debian}

say() { printf '[docker-images] %s\n' "$*" >&2; }
die() { printf '[docker-images] error: %s\n' "$*" >&2; exit 1; }
present() { docker image inspect "$1" >/dev/null 2>&1; }
pulled() { say "pulling $1"; docker pull --quiet "$1" >/dev/null 2>&1; }

mkdir -p "$CACHE"

stripe_mock_image() {
  local image version bin
  image=$(sed -n 's/^ *image: *\(stripe\/stripe-mock:v[0-9.]*\) *$/\1/p' "$COMPOSE_FILE")
  [ -n "$image" ] || die "no stripe/stripe-mock:vX.Y.Z image named in $COMPOSE_FILE"
  if present "$image"; then say "$image: present"; return; fi
  if pulled "$image"; then say "$image: pulled"; return; fi
  version=${image#*:}
  bin=$CACHE/stripe-mock-static/$version
  if [ ! -x "$bin/stripe-mock" ]; then
    command -v go >/dev/null || die "$image cannot be pulled, and building the stand-in needs Go"
    say "$image cannot be pulled: building stripe-mock $version as a static binary (first time only)"
    mkdir -p "$bin"
    # Static (no cgo), because the stand-in image has nothing else in it: FROM scratch.
    CGO_ENABLED=0 GOTOOLCHAIN=local GOBIN="$bin" go install -trimpath -ldflags "-s -w" \
      "github.com/stripe/stripe-mock@$version"
  fi
  say "$image: building the local stand-in from $bin/stripe-mock"
  docker build --quiet -f "$ROOT/docker/stripe-mock.Dockerfile" -t "$image" "$bin" >/dev/null
}

# Debian's own packages, unpacked by debootstrap and imported as an image: what python:3.11-slim
# gives the fake (python3 with venv), without Docker Hub. The tarball is the slow part; it is kept.
debian_base_image() {
  local tar=$CACHE/python-base-bookworm.tar rootfs
  if [ ! -s "$tar" ]; then
    [ "$(id -u)" = 0 ] || die "$PYTHON_IMAGE cannot be pulled, and making a Debian base with debootstrap needs root"
    if ! command -v debootstrap >/dev/null; then
      command -v apt-get >/dev/null || die "$PYTHON_IMAGE cannot be pulled, and there is no debootstrap to make a base"
      say "installing debootstrap (apt-get)"
      { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }; } \
        > "$CACHE/apt.log" 2>&1 || die "apt-get install debootstrap failed (see $CACHE/apt.log)"
    fi
    rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
    chmod 0755 "$rootfs"   # it becomes the image's `/`; mktemp's 0700 would lock out non-root users
    trap 'rm -rf "$rootfs"' EXIT
    say "making a Debian bookworm base with python3 from $DEBIAN_MIRROR (first time only; about a minute)"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
      bookworm "$rootfs" "$DEBIAN_MIRROR" > "$CACHE/debootstrap.log" 2>&1 \
      || die "debootstrap failed; see $CACHE/debootstrap.log"
    # The image trusts what this machine trusts: where HTTPS to PyPI passes a TLS-inspecting
    # egress, its CA is installed locally, and pip inside the build needs it too.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
      cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
      chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
    fi
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
    tar -C "$rootfs" --numeric-owner -cf "$tar.tmp" .
    mv "$tar.tmp" "$tar"
    rm -rf "$rootfs"; trap - EXIT
  fi
  say "$LOCAL_BASE: importing $tar"
  docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' "$tar" "$LOCAL_BASE" >/dev/null
}

python_base_image() {
  if [ -n "${PORTAL_INFRA_PYTHON_IMAGE:-}" ]; then say "base: $PORTAL_INFRA_PYTHON_IMAGE (from the environment)"; return; fi
  if present "$PYTHON_IMAGE" || pulled "$PYTHON_IMAGE"; then
    PORTAL_INFRA_PYTHON_IMAGE=$PYTHON_IMAGE
  else
    present "$LOCAL_BASE" || debian_base_image
    PORTAL_INFRA_PYTHON_IMAGE=$LOCAL_BASE
  fi
  say "base: $PORTAL_INFRA_PYTHON_IMAGE"
}

fake_image() {
  python_base_image
  say "portal-infra/fake-stripe:local: docker compose build (base $PORTAL_INFRA_PYTHON_IMAGE)"
  # Without a buildx plugin, Compose says so and builds with its own builder.
  PORTAL_INFRA_PYTHON_IMAGE=$PORTAL_INFRA_PYTHON_IMAGE docker compose -f "$COMPOSE_FILE" build --quiet fake-stripe >&2
}

steps=("$@"); [ ${#steps[@]} -gt 0 ] || steps=(stripe-mock base fake)
for s in "${steps[@]}"; do
  case "$s" in
    stripe-mock) stripe_mock_image ;;
    base) python_base_image ;;
    fake) fake_image ;;
    *) die "unknown step '$s' (stripe-mock | base | fake)" ;;
  esac
done
