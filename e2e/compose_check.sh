#!/usr/bin/env bash
# Checks docker-compose.yml without Docker: validates it against the Compose
# Specification's JSON schema (the copy vendored by check-jsonschema, pinned below), then
# checks what the README promises of it (compose_check.py). Installs check-jsonschema once,
# into a virtual environment under target/e2e-tools, never globally.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="$repo/target/e2e-tools/compose-venv"
version="0.39.0"

need() {
    echo "compose_check: $*" >&2
    exit 1
}

command -v python3 >/dev/null 2>&1 || need "python3 is not installed"
if [[ "$("$venv/bin/check-jsonschema" --version 2>/dev/null || true)" != *"$version"* ]]; then
    echo "compose_check: installing check-jsonschema $version into $venv"
    python3 -m venv "$venv" || need "could not create a virtual environment (python3 -m venv)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "check-jsonschema==$version" \
        || need "could not install check-jsonschema with pip"
fi

cd "$repo"
passed=0
failed=0
if "$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi
if "$venv/bin/python" e2e/compose_check.py docker-compose.yml README.md; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi
echo "compose_check: $passed passed, $failed failed"
((failed == 0))
