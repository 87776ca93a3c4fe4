#!/usr/bin/env bash
# `make sdks`: everything a TypeScript, Go or Python-SDK user of the provider plugin needs, in one command.
#
#   scripts/codegen/sdks.sh                  # nodejs go python, into sdk/ (git-ignored), plugin installed
#   scripts/codegen/sdks.sh nodejs go        # only these languages
#
# 1. `pulumi package gen-sdk schema/pulumi-schema.json --language <lang>` for each language, into
#    ${PORTAL_INFRA_SDK_DIR:-sdk}/<lang>. The language hosts that gen-sdk asks for the code are our own
#    codegen-only build (scripts/codegen/main.go, bootstrap step `codegen`), put first on PATH for this
#    call alone: the official Node.js and Go hosts are not served by the Go module proxy reachable here.
# 2. nodejs: installs the SDK's npm dependencies (npm cache in the tool cache, node_modules inside the
#    git-ignored SDK directory), compiles it with tsc into sdk/nodejs/bin, the package a program installs
#    (examples/typescript depends on file:../../sdk/nodejs/bin). go: the generated go.mod makes sdk/go a
#    module (portal-infra/sdk/go) that a program replaces onto the directory. python: `pip install sdk/python`.
# 3. Installs the provider plugin (the .venv console script) into Pulumi's plugin cache as
#    portal-infra <schema version>, offline (`pulumi plugin install ... --file`), so the engine finds it
#    for any program whatever its PATH. PORTAL_INFRA_SKIP_PLUGIN_INSTALL=1 skips this step.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${PORTAL_INFRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portal-infra}
OUT=${PORTAL_INFRA_SDK_DIR:-$ROOT/sdk}
SCHEMA=${PORTAL_INFRA_SCHEMA:-$ROOT/schema/pulumi-schema.json}
langs=("$@"); [ ${#langs[@]} -gt 0 ] || langs=(nodejs go python)

say() { printf '[sdks] %s\n' "$*" >&2; }
die() { printf '[sdks] error: %s\n' "$*" >&2; exit 1; }

[ -f "$ROOT/.tools/paths.env" ] || die "run scripts/bootstrap.sh first (make bootstrap)"
# shellcheck disable=SC1091
. "$ROOT/.tools/paths.env"
[ -n "${PORTAL_INFRA_CODEGEN_DIR:-}" ] && [ -x "$PORTAL_INFRA_CODEGEN_DIR/pulumi-language-nodejs" ] \
  || die "the codegen language hosts are not built: run scripts/bootstrap.sh codegen"
PULUMI=$PORTAL_INFRA_PULUMI_DIR/pulumi
export PULUMI_SKIP_UPDATE_CHECK=1
version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$SCHEMA")

for lang in "${langs[@]}"; do
  case "$lang" in nodejs|go|python) ;; *) die "unknown language '$lang' (nodejs | go | python)" ;; esac
  say "$lang: pulumi package gen-sdk -> $OUT/$lang"
  # gen-sdk warns that it uses a host from PATH instead of the one next to pulumi: that is the point.
  PATH="$PORTAL_INFRA_CODEGEN_DIR:$PATH" "$PULUMI" package gen-sdk "$SCHEMA" --language "$lang" --out "$OUT" \
    2> >(grep -v "^warning: using pulumi-language-$lang from \$PATH" >&2)
  if [ "$lang" = nodejs ]; then
    command -v npm >/dev/null || die "npm is required to build the Node.js SDK (Node.js 20+)"
    # gen-sdk empties the directory each time, so the SDK's build dependencies (@pulumi/pulumi,
    # typescript, @types/node, as its package.json names them) live in the tool cache, one install per
    # distinct package.json, made in a temporary directory and renamed into place.
    deps=$CACHE/sdk-build/nodejs-$(sha256sum < "$OUT/nodejs/package.json" | cut -c1-16)
    if [ ! -d "$deps/node_modules" ]; then
      say "nodejs: npm install of the SDK's build dependencies into $deps (npm cache: $CACHE/npm)"
      mkdir -p "$CACHE/sdk-build"
      tmp=$(mktemp -d "$CACHE/sdk-build/.tmp.XXXXXX")
      cp "$OUT/nodejs/package.json" "$tmp/"
      (cd "$tmp" && npm_config_cache="$CACHE/npm" npm install --no-audit --no-fund --prefer-offline \
         --no-update-notifier --loglevel=error >/dev/null)
      mv -T "$tmp" "$deps" 2>/dev/null || rm -rf "$tmp"   # another run may have won the race
    fi
    say "nodejs: tsc -> $OUT/nodejs/bin"
    ln -sfn "$deps/node_modules" "$OUT/nodejs/node_modules"
    (cd "$OUT/nodejs" && ./node_modules/.bin/tsc && cp package.json README.md bin/)
    # npm sees a reinstalled file: dependency of the same version as up to date: drop the example's
    # copy so that its next `npm install` takes the new build.
    if [ "$OUT" = "$ROOT/sdk" ]; then rm -rf "$ROOT/examples/typescript/node_modules/portal-infra-sdk"; fi
  fi
done

if [ "${PORTAL_INFRA_SKIP_PLUGIN_INSTALL:-0}" != 1 ]; then
  plugin=$ROOT/.venv/bin/pulumi-resource-portal-infra
  [ -x "$plugin" ] || die "$plugin is missing: run scripts/bootstrap.sh venv"
  say "plugin: pulumi plugin install resource portal-infra $version --file $plugin"
  "$PULUMI" plugin install resource portal-infra "$version" --file "$plugin" --reinstall >/dev/null
fi

cat >&2 <<EOF
[sdks] done. SDKs in $OUT:
  TypeScript: npm install --install-links $OUT/nodejs/bin   (examples/typescript: npm install && npx tsc --noEmit)
  Go:         go mod edit -require portal-infra/sdk/go@v0.0.0 -replace portal-infra/sdk/go=$OUT/go
              go get github.com/pulumi/pulumi/sdk/v3@$("$PULUMI" version) && go mod tidy   (examples/go: go build .)
  Python:     pip install $OUT/python
The plugin is installed as portal-infra $version in Pulumi's plugin cache; it runs this checkout's .venv.
Instead, to use it from PATH: export PATH="$ROOT/.venv/bin:\$PATH"
EOF
