#!/usr/bin/env bash
# Tool bootstrap for portal-infra. Idempotent: each step checks its stamp and skips when done.
#
#   scripts/bootstrap.sh            # everything: pulumi CLI, stripe-mock, versitygw, yaml, codegen, .venv, policy/venv
#   scripts/bootstrap.sh pulumi     # some steps: pulumi | stripe-mock | versitygw | yaml | codegen | venv | policy
#   scripts/bootstrap.sh up         # what `make up`, `make preview` and `make refresh` need: pulumi stripe-mock venv
#
# Steps that are not cached yet are built side by side (their Go compiles share the cores, while the module
# downloads and pip wait on the network), then each step runs once more, in order, finding its build.
#
# Binaries are built from the Go module proxy into a cache OUTSIDE the repository
# (${PORTAL_INFRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portal-infra}); nothing built is committed.
# At the end it writes .tools/paths.env (git-ignored) naming the tools, for the Makefile and tests.
set -euo pipefail

PULUMI_VERSION=v3.274.1        # CLI; pairs with pulumi==3.272.0 on PyPI (newest wheel there)
STRIPE_MOCK_VERSION=v0.203.0   # newest tag the Go module proxy served on 2026-11-25
VERSITYGW_VERSION=v1.8.0       # S3-compatible server for the shared-state tests; newest on the proxy 2026-12-01
YAML_HOST_VERSION=v1.25.0      # pulumi-language-yaml (Pulumi YAML programs on the provider plugin)
CLIPBOARD_FORK=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${PORTAL_INFRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portal-infra}

# The interpreter of the venvs: the system's python3 when it is 3.11+ and can make a venv, else python3 from
# PATH; PYTHON=... chooses another. Python is about two thirds of the test suite's CPU (each pulumi command
# starts a Python program and a provider process), and a distribution's interpreter is built with PGO and LTO
# (Debian's is), which a pyenv build is not by default: on the 2-core CI machine a provider process's imports
# took 0.72 s of CPU under Debian's 3.11 against 0.94 s under pyenv's 3.11.7, and a dict loop 15% less.
pick_python() {
  local c
  for c in /usr/bin/python3 python3; do
    if "$c" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$c"; return
    fi
  done
  echo python3
}
PYTHON=${PYTHON:-$(pick_python)}
PYTHON_REAL=$(readlink -f "$(command -v "$PYTHON")")

say() { printf '[bootstrap] %s\n' "$*" >&2; }
die() { printf '[bootstrap] error: %s\n' "$*" >&2; exit 1; }

need_go() {
  command -v go >/dev/null || die "Go is required to build the Pulumi CLI and stripe-mock (Go 1.24+); install it, or put pulumi and stripe-mock on PATH."
}

# A pulumi on PATH is used when its directory also holds the Python language host and shims,
# which is what the official install lays out.
ambient_pulumi_dir() {
  local p d
  p=$(command -v pulumi 2>/dev/null) || return 1
  d=$(cd "$(dirname "$(readlink -f "$p")")" && pwd)
  case "$d" in "$CACHE"/*) return 1 ;; esac
  for f in pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python; do
    [ -x "$d/$f" ] || return 1
  done
  "$d/pulumi" version >/dev/null 2>&1 || return 1
  printf '%s\n' "$d"
}

# The pinned CLI and its Python plugins, built and complete in the tool cache.
pulumi_cached() {
  local bin="$CACHE/pulumi/$PULUMI_VERSION/bin"
  [ -x "$bin/pulumi" ] && [ "$("$bin/pulumi" version 2>/dev/null)" = "$PULUMI_VERSION" ] \
    && [ -x "$bin/pulumi-language-python" ] && [ -x "$bin/pulumi-language-python-exec" ] \
    && [ -x "$bin/pulumi-resource-pulumi-python" ]
}

use_ambient_pulumi() { [ "${PORTAL_INFRA_USE_AMBIENT_PULUMI:-1}" = 1 ] && ambient_pulumi_dir; }

build_pulumi() {
  local dir="$CACHE/pulumi/$PULUMI_VERSION" w bin
  bin="$dir/bin"
  if d=$(use_ambient_pulumi); then
    say "pulumi: using the CLI on PATH in $d ($("$d/pulumi" version))"
    PULUMI_DIR=$d; return
  fi
  if pulumi_cached; then
    say "pulumi: $PULUMI_VERSION cached in $bin"
    refresh_langhost "$bin"
    PULUMI_DIR=$bin; return
  fi
  need_go
  say "pulumi: building $PULUMI_VERSION from the Go module proxy into $bin (first time only; several minutes)"
  w="$dir/build"; rm -rf "$w"; mkdir -p "$w" "$bin"
  (
    cd "$w"
    # GOTOOLCHAIN=local: never download another Go. GOFLAGS=-mod=mod: let `go get` write go.mod.
    export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
    # Pulumi's own go.mod files use `replace`, so `go install pkg@version` is refused; a throw-away
    # wrapper module with `tool` requirements ignores their replaces. Only the clipboard fork matters.
    cat > go.mod <<MOD
module local/pulumibuild

go 1.24

replace github.com/atotto/clipboard => ${CLIPBOARD_FORK/@/ }
MOD
    go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION"
    go get "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
    ld="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
    flags=(-trimpath -tags osusergo,grpcnotrace -ldflags "$ld")
    # The official Python language host is its own module with no tags: ask for the commit of tag
    # pkg/$V. The module proxy reachable here gives no Origin.Hash and answers 403 for that module
    # (measured 2026-11-25), so fall back to our own minimal host (scripts/langhost), which runs
    # the SDK's pulumi-language-python-exec exactly as the official one does.
    rev=$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" \
          | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin).get("Origin",{}).get("Hash","")[:12])')
    host=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
    if [ -n "$rev" ] && go get -tool "$host@$rev" 2>/dev/null; then
      say "pulumi: official language host at commit $rev (tag pkg/$PULUMI_VERSION)"
      go get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
      go build "${flags[@]}" -o "$bin/pulumi-language-python" "$host"
      echo official > "$bin/.langhost-source"
    else
      say "pulumi: the official language host is not served by the module proxy; building scripts/langhost"
      mkdir -p langhost && cp "$ROOT/scripts/langhost/main.go" langhost/
      # The CLI's own tags, so the SDK packages both link are compiled once (Go's build cache keys on them).
      go build -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w -X main.version=$PULUMI_VERSION" \
        -o "$bin/pulumi-language-python" ./langhost
      langhost_sum > "$bin/.langhost-source"
    fi
    go build "${flags[@]}" -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    sdk=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
    install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$bin/"
    install -m 0755 "$sdk/python/dist/pulumi-resource-pulumi-python" "$bin/"
  )
  local got; got=$("$bin/pulumi" version)
  [ "$got" = "$PULUMI_VERSION" ] || die "built pulumi reports '$got', expected $PULUMI_VERSION"
  rm -rf "$w"
  say "pulumi: built $got"
  PULUMI_DIR=$bin
}

langhost_sum() { sha256sum "$ROOT/scripts/langhost/main.go" | cut -c1-16; }

# One of our own Go programs (scripts/langhost, scripts/codegen) built into DIR/host, in a throw-away
# module that requires the given Pulumi modules at the CLI's version (from the module cache after the
# CLI's build, so a few seconds to a minute).
build_own_main() {
  local src=$1 dir=$2; shift 2
  (
    cd "$dir"
    export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
    cp "$src" .
    { printf 'module local/%s\n\ngo 1.24\n\n' "$(basename "$(dirname "$src")")"
      for mod in "$@"; do printf 'require %s %s\n' "$mod" "$PULUMI_VERSION"; done; } > go.mod
    go mod tidy >/dev/null 2>&1 || go mod tidy
    go build -trimpath -ldflags "-s -w -X main.version=$PULUMI_VERSION" -o host .
  )
}

# The CLI is built once per version, but our own language host changes with scripts/langhost:
# rebuild it alone (a few seconds, from the module cache) when its source differs from what was
# built. A cache without a stamp predates stamps, and every such cache here holds our host.
refresh_langhost() {
  local bin=$1 want have tmp
  have=$(cat "$bin/.langhost-source" 2>/dev/null || true)
  [ "$have" = official ] && return
  want=$(langhost_sum)
  [ "$have" = "$want" ] && return
  need_go
  say "pulumi: rebuilding scripts/langhost (its source changed)"
  tmp=$(mktemp -d)
  build_own_main "$ROOT/scripts/langhost/main.go" "$tmp" github.com/pulumi/pulumi/sdk/v3
  # Replace by rename, so a pulumi run in another checkout never starts a half-written binary.
  install -m 0755 "$tmp/host" "$bin/.pulumi-language-python.new"
  mv -f "$bin/.pulumi-language-python.new" "$bin/pulumi-language-python"
  printf '%s\n' "$want" > "$bin/.langhost-source"
  rm -rf "$tmp"
}

build_stripe_mock() {
  local bin="$CACHE/stripe-mock/$STRIPE_MOCK_VERSION"
  if [ -x "$bin/stripe-mock" ]; then
    say "stripe-mock: $STRIPE_MOCK_VERSION cached in $bin"
  else
    need_go
    say "stripe-mock: go install github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
    mkdir -p "$bin"
    GOTOOLCHAIN=local GOBIN="$bin" go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
  fi
  STRIPE_MOCK_BIN="$bin/stripe-mock"
  STRIPE_SPEC=$(stripe_mock_spec)
  [ -n "$STRIPE_SPEC" ] || say "stripe-mock: its OpenAPI spec was not found; the fake will not check max lengths"
}

# versitygw: an S3 gateway over a local directory, so the tests can keep Pulumi state in a real
# S3-compatible server on loopback (tests/e2e/test_s3_state.py). Cold: about 2 minutes on 2 cores
# (measured 2m08s, most of it the AWS SDK); its --version is stamped, as its own Makefile does.
build_versitygw() {
  local bin="$CACHE/versitygw/$VERSITYGW_VERSION"
  go_install_into "$bin" versitygw "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" main.Version
  VERSITYGW_BIN="$bin/versitygw"
}

# `go install PKG@VERSION` into DIR unless DIR already has NAME, static and stamped with its version
# (VERSION_VAR, the variable the project's own build sets with -X).
go_install_into() {
  local bin=$1 name=$2 pkg=$3 version_var=$4
  if [ -x "$bin/$name" ]; then
    say "$name: ${pkg##*@} cached in $bin"
    return
  fi
  need_go
  say "$name: go install $pkg (a few minutes, once)"
  mkdir -p "$bin"
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$bin" go install -trimpath \
    -ldflags "-s -w -X $version_var=${pkg##*@}" "$pkg"
}

# pulumi-language-yaml: the language host that runs Pulumi YAML programs (runtime: yaml), so the
# plugin can be tested from a YAML program (examples/yaml/, tests/e2e/test_plugin_yaml.py). Its go.mod
# has no `replace`, so plain `go install` works. Tests prepend PORTAL_INFRA_YAML_HOST_DIR to PATH.
# Cold, with empty Go caches: 5m51s on 2 cores shared with other builds (2m11s CPU; 480 MB of modules
# downloaded); 1m09s with the module cache already holding most of Pulumi's modules.
build_yaml_host() {
  local bin="$CACHE/pulumi-language-yaml/$YAML_HOST_VERSION"
  go_install_into "$bin" pulumi-language-yaml "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$YAML_HOST_VERSION" \
    github.com/pulumi/pulumi-yaml/pkg/version.Version
  YAML_HOST_DIR=$bin
}

# The codegen-only language hosts (scripts/codegen/main.go) that `pulumi package gen-sdk --language
# nodejs|go|python` asks for the SDK code (make sdks): the official Node.js and Go hosts are their own
# untagged modules, which the module proxy refuses (403, like the Python host's). One binary under three
# names, built against pkg/v3 at the CLI's version (about 40 s from a warm module cache) into its own
# directory, never next to `pulumi`: it can generate code only, so it goes on PATH for gen-sdk alone.
# Rebuilt when its source changes (stamp).
build_codegen() {
  local bin="$CACHE/codegen/$PULUMI_VERSION" want tmp
  want=$(sha256sum "$ROOT/scripts/codegen/main.go" | cut -c1-16)
  if [ -x "$bin/pulumi-language-nodejs" ] && [ "$(cat "$bin/.source" 2>/dev/null)" = "$want" ]; then
    say "codegen: language hosts for gen-sdk cached in $bin"
  else
    need_go
    say "codegen: building scripts/codegen against pkg/v3@$PULUMI_VERSION into $bin"
    tmp=$(mktemp -d)
    build_own_main "$ROOT/scripts/codegen/main.go" "$tmp" github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/sdk/v3
    mkdir -p "$bin"
    # One file, three hard links; each replaced by rename, so a running gen-sdk never starts a half-written one.
    install -m 0755 "$tmp/host" "$bin/.host.new"
    for lang in nodejs go python; do
      ln -f "$bin/.host.new" "$bin/.pulumi-language-$lang.new"
      mv -f "$bin/.pulumi-language-$lang.new" "$bin/pulumi-language-$lang"
    done
    rm -f "$bin/.host.new"
    printf '%s\n' "$want" > "$bin/.source"
    rm -rf "$tmp"
  fi
  CODEGEN_DIR=$bin
}

# The OpenAPI spec stripe-mock embeds, from its module in Go's module cache (`go install` put it there;
# `go mod download` only looks it up, or fetches it again if the cache was cleaned). The fake reads
# Stripe's max lengths from it (portal_infra/testing/fake/params.py). Empty when Go cannot say.
stripe_mock_spec() {
  local dir
  command -v go >/dev/null || return 0
  dir=$(GOTOOLCHAIN=local go mod download -json "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION" 2>/dev/null \
        | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin).get("Dir",""))' 2>/dev/null) || return 0
  if [ -f "$dir/embedded/openapi/spec3.json" ]; then printf '%s\n' "$dir/embedded/openapi/spec3.json"; fi
}

# A venv's stamp: what it was made from (the file of its requirements) and with which interpreter.
venv_stamp() { { cat "$1"; echo "$PYTHON_REAL"; } | sha256sum | cut -c1-16; }

# Whether VENV was made from REQUIREMENTS as they are now, with $PYTHON (its stamp says so).
venv_current() { [ -x "$1/bin/python" ] && [ "$(cat "$1/.portal-infra-stamp" 2>/dev/null)" = "$(venv_stamp "$2")" ]; }

# A venv made with another interpreter than $PYTHON is made anew (pip cannot move one).
venv_for_python() {
  local venv=$1
  if [ -x "$venv/bin/python" ] && [ "$(readlink -f "$venv/bin/python")" != "$PYTHON_REAL" ]; then
    say "$(basename "$venv"): made with $(readlink -f "$venv/bin/python"); making it anew with $PYTHON_REAL"
    rm -rf "$venv"
  fi
  [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
}

make_venv() {
  local venv="$ROOT/.venv"
  if venv_current "$venv" "$ROOT/pyproject.toml"; then
    say "venv: $venv up to date"
    return
  fi
  say "venv: installing portal-infra (editable, with dev extras) into $venv with $PYTHON"
  venv_for_python "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[dev]"
  venv_stamp "$ROOT/pyproject.toml" > "$venv/.portal-infra-stamp"
}

# The policy pack's own venv (policy/venv; PulumiPolicy.yaml says `virtualenv: venv`), apart from .venv:
# pulumi-policy 1.21.0 pins protobuf~=5.29.5, which would pull the project's protobuf 6 back a major
# version, and a pack runs as its own process anyway (the language host's RunPlugin).
make_policy_venv() {
  local venv="$ROOT/policy/venv"
  if venv_current "$venv" "$ROOT/policy/requirements.txt"; then
    say "policy: $venv up to date"
    return
  fi
  say "policy: installing policy/requirements.txt into $venv"
  venv_for_python "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/policy/requirements.txt"
  venv_stamp "$ROOT/policy/requirements.txt" > "$venv/.portal-infra-stamp"
}

# The dynamic-provider shim resolves Pulumi.yaml's `virtualenv: .venv` against its working
# directory, which is the program directory (stacks/), not the project root; the language host
# resolves it against the root. A link makes both find the same venv.
link_venv() {
  [ -L "$ROOT/stacks/.venv" ] || ln -sfn ../.venv "$ROOT/stacks/.venv"
}

# The package's bytecode, written now (compileall looks at each file's mtime, so this is quick when current).
# Where PYTHONDONTWRITEBYTECODE is set (it is on the CI machine), no Python process writes it, and each one
# that pulumi starts for a program or a provider compiled portal_infra from source again: 1.08 s of CPU to
# import it against 0.84 s from bytecode, measured on the CI machine.
compile_bytecode() {
  "$ROOT/.venv/bin/python" -m compileall -q "$ROOT/portal_infra" "$ROOT/stacks" >/dev/null \
    || say "venv: compileall of portal_infra failed; Python will compile it in each process instead"
}

write_paths() {
  mkdir -p "$ROOT/.tools"
  {
    [ -n "${PULUMI_DIR:-}" ] && printf 'PORTAL_INFRA_PULUMI_DIR=%s\n' "$PULUMI_DIR"
    [ -n "${STRIPE_MOCK_BIN:-}" ] && printf 'PORTAL_INFRA_STRIPE_MOCK=%s\n' "$STRIPE_MOCK_BIN"
    if [ -n "${STRIPE_SPEC:-}" ]; then printf 'PORTAL_INFRA_STRIPE_SPEC=%s\n' "$STRIPE_SPEC"; fi
    if [ -n "${VERSITYGW_BIN:-}" ]; then printf 'PORTAL_INFRA_VERSITYGW=%s\n' "$VERSITYGW_BIN"; fi
    if [ -n "${YAML_HOST_DIR:-}" ]; then printf 'PORTAL_INFRA_YAML_HOST_DIR=%s\n' "$YAML_HOST_DIR"; fi
    if [ -n "${CODEGEN_DIR:-}" ]; then printf 'PORTAL_INFRA_CODEGEN_DIR=%s\n' "$CODEGEN_DIR"; fi
  } > "$ROOT/.tools/paths.env"
}

run_step() {
  case "$1" in
    pulumi) build_pulumi ;;
    stripe-mock) build_stripe_mock ;;
    versitygw) build_versitygw ;;
    yaml) build_yaml_host ;;
    codegen) build_codegen ;;
    venv) make_venv; link_venv; compile_bytecode ;;
    policy) make_policy_venv ;;
    *) die "unknown step '$1' (pulumi | stripe-mock | versitygw | yaml | codegen | venv | policy, or up)" ;;
  esac
}

# Whether a step has work to do: its cached build is missing (the checks each step makes, without building).
cold() {
  case "$1" in
    pulumi) ! pulumi_cached && ! use_ambient_pulumi >/dev/null ;;
    stripe-mock) [ ! -x "$CACHE/stripe-mock/$STRIPE_MOCK_VERSION/stripe-mock" ] ;;
    versitygw) [ ! -x "$CACHE/versitygw/$VERSITYGW_VERSION/versitygw" ] ;;
    yaml) [ ! -x "$CACHE/pulumi-language-yaml/$YAML_HOST_VERSION/pulumi-language-yaml" ] ;;
    venv) ! venv_current "$ROOT/.venv" "$ROOT/pyproject.toml" ;;
    policy) ! venv_current "$ROOT/policy/venv" "$ROOT/policy/requirements.txt" ;;
    *) return 1 ;;  # codegen builds against the CLI's modules: after pulumi, in the ordered pass
  esac
}

# Cold steps built side by side, each into its own log; the first failure is shown and ends the run.
build_side_by_side() {
  local s logs pids=() names=() i failed=0
  for s in "$@"; do cold "$s" && names+=("$s"); done
  [ ${#names[@]} -gt 1 ] || return 0  # one build alone runs in the ordered pass, its output shown as it comes
  logs=$(mktemp -d)
  for s in "${names[@]}"; do
    ( run_step "$s" ) > "$logs/$s.log" 2>&1 &
    pids+=($!)
  done
  say "building side by side: ${names[*]} (logs in $logs)"
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      grep '^\[bootstrap\]' "$logs/${names[$i]}.log" >&2 || true
    else
      failed=1; say "${names[$i]} failed:"; tail -n 40 "$logs/${names[$i]}.log" >&2
    fi
  done
  [ "$failed" = 0 ] || die "a step failed (full logs in $logs)"
  rm -rf "$logs"
}

steps=("$@"); [ ${#steps[@]} -gt 0 ] || steps=(pulumi stripe-mock versitygw yaml codegen venv policy)
[ "${steps[*]}" = up ] && steps=(pulumi stripe-mock venv)
[ -f "$ROOT/.tools/paths.env" ] && . "$ROOT/.tools/paths.env" && \
  PULUMI_DIR=${PORTAL_INFRA_PULUMI_DIR:-} STRIPE_MOCK_BIN=${PORTAL_INFRA_STRIPE_MOCK:-} \
  STRIPE_SPEC=${PORTAL_INFRA_STRIPE_SPEC:-} VERSITYGW_BIN=${PORTAL_INFRA_VERSITYGW:-} \
  YAML_HOST_DIR=${PORTAL_INFRA_YAML_HOST_DIR:-} CODEGEN_DIR=${PORTAL_INFRA_CODEGEN_DIR:-}
for s in "${steps[@]}"; do
  case "$s" in pulumi|stripe-mock|versitygw|yaml|codegen|venv|policy) ;; *) run_step "$s" ;; esac
done
build_side_by_side "${steps[@]}"
for s in "${steps[@]}"; do run_step "$s"; done
write_paths
