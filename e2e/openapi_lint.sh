#!/usr/bin/env bash
# Lints the checked-in spec (openapi/openapi.json) with Redocly's recommended rules
# (redocly.yaml): any error fails the run; warnings are printed. Installs @redocly/cli once
# (npm, into target/e2e-tools, never globally).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
tools="$repo/target/e2e-tools"
version="2.77.0"

need() {
    echo "openapi_lint: $*" >&2
    exit 1
}

command -v node >/dev/null 2>&1 || need "node is not installed (needed to lint the spec)"
installed="$(node -p "try { require('$tools/node_modules/@redocly/cli/package.json').version } catch (e) { '' }")"
if [[ "$installed" != "$version" ]]; then
    echo "openapi_lint: installing @redocly/cli $version into $tools"
    mkdir -p "$tools"
    npm install --silent --no-audit --no-fund --prefix "$tools" "@redocly/cli@$version" >/dev/null \
        || need "could not install @redocly/cli with npm"
fi

cd "$repo"
if REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    "$tools/node_modules/.bin/redocly" lint openapi/openapi.json --config redocly.yaml --format=stylish; then
    echo "openapi_lint: 1 passed, 0 failed"
else
    echo "openapi_lint: 0 passed, 1 failed"
    exit 1
fi
