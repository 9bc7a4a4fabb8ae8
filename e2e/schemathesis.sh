#!/usr/bin/env bash
# Runs schemathesis against the real binary, with all its checks and its stateful phase
# (which follows the spec's links), twice: as a chat user (a chat token minted with the
# secret key) and as the tenant's superadmin (a password sign-in). Each run is bounded in
# time. Any failure fails the script; schemathesis prints its counts. schemathesis is
# installed by lib/python_tool.sh.
set -euo pipefail

version="4.32.5"
seconds="${SCHEMATHESIS_SECONDS:-90}"

source "$(dirname "$0")/lib/server.sh"
source "$(dirname "$0")/lib/python_tool.sh"
python_tool schemathesis schemathesis "$version" st

# Generous per-user limits: the runs send thousands of requests as one user, and the
# limits themselves are tested elsewhere.
start_server schemathesis CONFAB_LOGIN_LIMIT_PER_ADDRESS=100000
key="$(first_start_key schemathesis)"
password="$(sed -n 's/.*password: *\([^ ]*\)$/\1/p' "$server_out")"
[[ -n "$password" ]] || server_failed schemathesis "the first start printed no password"

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
