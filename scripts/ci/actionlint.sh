#!/usr/bin/env bash
# Lint GitHub Actions workflows with actionlint, built once from the Go module proxy into the tool
# cache outside the repository (the same cache as scripts/bootstrap.sh).
#   scripts/ci/actionlint.sh                      # examples/ci/github-actions/*.yml
#   scripts/ci/actionlint.sh path/to/workflow.yml
set -euo pipefail
ACTIONLINT_VERSION=v1.7.12
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${PORTAL_INFRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portal-infra}
BIN="$CACHE/actionlint/bin"

if ! [ -x "$BIN/actionlint" ] || [ "$("$BIN/actionlint" -version | head -n1)" != "$ACTIONLINT_VERSION" ]; then
  command -v go >/dev/null || { echo "actionlint: Go is required to build actionlint $ACTIONLINT_VERSION" >&2; exit 2; }
  echo "[actionlint] go install github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION into $BIN" >&2
  mkdir -p "$BIN"
  # Built beside, then renamed: a lint running in another checkout never starts a half-written binary.
  tmp=$(mktemp -d)
  GOTOOLCHAIN=local GOBIN="$tmp" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
  mv -f "$tmp/actionlint" "$BIN/actionlint"
  rmdir "$tmp"
fi

if [ $# -eq 0 ]; then
  set -- "$ROOT"/examples/ci/github-actions/*.yml
fi
# The workflows are examples kept outside .github/workflows, so the files are named explicitly.
exec "$BIN/actionlint" -no-color "$@"
