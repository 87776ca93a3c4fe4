#!/usr/bin/env bash
# Make sure headless Chromium is on the machine, for `portal-infra preview-branding` and its tests.
#
#   scripts/chromium.sh            # say whether a Chromium is found
#   scripts/chromium.sh --install  # also, as root with apt-get, install Debian's chromium package first
#
# Exit 0: a Chromium answers `--version`. Exit 3: none can be had here; the reason is on stderr.
# .ci/run calls it with --install before `make test`; `make up` never does (it needs no browser).
# The binary is found as portal_infra.branding_preview.chromium finds it: $PORTAL_INFRA_CHROMIUM, else
# chromium, chromium-browser, google-chrome on PATH.
set -euo pipefail

CACHE=${PORTAL_INFRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portal-infra}
INSTALL=0
[ "${1:-}" = --install ] && INSTALL=1

say() { printf '[chromium] %s\n' "$*" >&2; }
cannot() { say "no Chromium: $*"; exit 3; }

find_chromium() {
  if [ -n "${PORTAL_INFRA_CHROMIUM:-}" ]; then command -v "$PORTAL_INFRA_CHROMIUM"; return; fi
  local name
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    command -v "$name" && return
  done
  return 1
}

# Debian's launcher prints a shell warning on some machines; only the version line matters.
answers() { "$1" --version 2>/dev/null | grep -q .; }

if found=$(find_chromium) && answers "$found"; then
  say "$("$found" --version 2>/dev/null) at $found"
  exit 0
fi
[ "$INSTALL" = 1 ] || cannot "none on PATH (scripts/chromium.sh --install installs Debian's chromium as root)"
[ "$(id -u)" = 0 ] || cannot "none on PATH, and installing one needs root (apt-get install chromium)"
# shellcheck source=lib/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
apt_install chromium "$CACHE/chromium-apt.log"
found=$(find_chromium) && answers "$found" || cannot "installed, but no chromium answers --version"
say "installed $("$found" --version 2>/dev/null) at $found"
