#!/usr/bin/env bash
# Runs schemathesis against the real binary, with all its checks and its stateful phase
# (which follows the spec's links), twice: as a chat user (a chat token minted with the
# secret key) and as the tenant's superadmin (a password sign-in). Each run is bounded in
# time. Any failure fails the script; schemathesis prints its counts. Installs schemathesis
# once, pinned, into a virtual environment under target/e2e-tools, never globally.
set -euo pipefail

version="4.32.5"
seconds="${SCHEMATHESIS_SECONDS:-90}"

source "$(dirname "$0")/lib/server.sh"
venv="$repo/target/e2e-tools/schemathesis-venv"

need() {
    echo "schemathesis: $*" >&2
    exit 1
}

command -v python3 >/dev/null 2>&1 || need "python3 is not installed"
if [[ "$("$venv/bin/st" --version 2>/dev/null || true)" != *"$version"* ]]; then
    echo "schemathesis: installing schemathesis $version into $venv"
    python3 -m venv "$venv" || need "could not create a virtual environment (python3 -m venv)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version" \
        || need "could not install schemathesis with pip"
fi

# Generous per-user limits: the runs send thousands of requests as one user, and the
# limits themselves are tested elsewhere.
start_server schemathesis CONFAB_LOGIN_LIMIT_PER_ADDRESS=100000
key="$(sed -n 's/.*secret key: *\(sk_[A-Za-z0-9]*\).*/\1/p' "$server_out")"
password="$(sed -n 's/.*password: *\([^ ]*\)$/\1/p' "$server_out")"
[[ -n "$key" && -n "$password" ]] || server_failed schemathesis "the first start printed no secret key or password"

post() { curl -fsS -X POST "$base$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }
user_id="$(post /v1/users '{"external_id": "fuzz-1", "username": "fuzz", "display_name": "Fuzz"}' -H "x-api-key: $key" | json "['data']['id']")"
chat_token="$(post /v1/users/chat-token "{\"user_id\": \"$user_id\"}" -H "x-api-key: $key" | json "['data']['chat_token']")"
login="{\"tenant\": \"default\", \"email\": \"admin@localhost\", \"password\": \"$password\"}"
admin_token="$(post /v1/auth/login "$login" | json "['data']['access_token']")"

passed=0
failed=0
run_as() {
    local who="$1" token="$2"
    echo "schemathesis: as $who, for ${seconds}s"
    # The WebSocket upgrade is not an HTTP exchange schemathesis can judge.
    if "$venv/bin/st" --config-file "$repo/e2e/schemathesis/schemathesis.toml" run "$base/openapi.json" \
        --checks all --phases examples,coverage,fuzzing,stateful --max-time "$seconds" --workers 1 \
        --exclude-path /v1/chat/ws -H "Authorization: Bearer $token" --no-color; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
}
# Whatever schemathesis writes beside it lands in the run's scratch directory.
cd "$e2e_work"
run_as "a chat user" "$chat_token"
run_as "the superadmin" "$admin_token"
echo "schemathesis: $passed passed, $failed failed"
((failed == 0))
