#!/usr/bin/env bash
# After `make bootstrap` in a GitHub Actions job: put the pulumi CLI it built and the project's venv
# (portal-infra, the program's Python) on the PATH of the job's later steps.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ -f "$ROOT/.tools/paths.env" ] || { echo "setup: run make bootstrap first" >&2; exit 2; }
. "$ROOT/.tools/paths.env"
: "${GITHUB_PATH:?setup: GITHUB_PATH is not set (this script is for GitHub Actions)}"
printf '%s\n' "$PORTAL_INFRA_PULUMI_DIR" "$ROOT/.venv/bin" >> "$GITHUB_PATH"
