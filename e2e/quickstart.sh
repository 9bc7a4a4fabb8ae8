#!/usr/bin/env bash
# Runs the README's curl quickstart against the real binary on the embedded default
# (SQLite, no other service): first start → secret key → create a user → chat token →
# /v1/auth/me. Exits non-zero when any step does not answer as the README says.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="${CONFAB_BIN:-$repo/target/debug/confab-server}"
work="$(mktemp -d)"
port="${QUICKSTART_PORT:-18080}"
base="http://127.0.0.1:$port"
server_pid=""

cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

env -u CONFAB_DATABASE_URL -u CONFAB_REDIS_URL \
    CONFAB_ADDR="127.0.0.1:$port" CONFAB_DATA_DIR="$work/data" RUST_LOG=warn \
    "$bin" serve >"$work/stdout" 2>"$work/stderr" &
server_pid=$!

for _ in $(seq 1 100); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "$base/readyz" >/dev/null

# 1. The first start printed a secret key.
KEY="$(sed -n 's/.*secret key: *\(sk_[A-Za-z0-9]*\).*/\1/p' "$work/stdout")"
[[ -n "$KEY" ]] || { echo "quickstart: no secret key printed"; cat "$work/stdout" "$work/stderr"; exit 1; }

# 2. Create a user with the secret key.
USER_ID="$(curl -fsS -X POST "$base/v1/users" -H "x-api-key: $KEY" -H 'content-type: application/json' \
    -d '{"external_id": "jane-1", "username": "jane", "display_name": "Jane"}' | json "['data']['id']")"

# 3. Mint a chat token for that user.
TOKEN="$(curl -fsS -X POST "$base/v1/users/chat-token" -H "x-api-key: $KEY" -H 'content-type: application/json' \
    -d "{\"user_id\": \"$USER_ID\"}" | json "['data']['chat_token']")"

# 4. The chat token acts as the user.
NAME="$(curl -fsS "$base/v1/auth/me" -H "Authorization: Bearer $TOKEN" | json "['data']['user']['username']")"
[[ "$NAME" == "jane" ]] || { echo "quickstart: /v1/auth/me answered $NAME"; exit 1; }

echo "quickstart: 1 passed, 0 failed"
