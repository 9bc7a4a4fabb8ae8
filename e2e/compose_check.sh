#!/usr/bin/env bash
# Checks docker-compose.yml without Docker: validates it against the Compose
# Specification's JSON schema (the copy vendored by check-jsonschema, pinned below), then
# checks what the README promises of it (compose_check.py). check-jsonschema is installed
# by lib/python_tool.sh.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/e2e/lib/python_tool.sh"
python_tool compose_check check-jsonschema 0.39.0 check-jsonschema

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
