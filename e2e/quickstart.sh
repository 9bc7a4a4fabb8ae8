#!/usr/bin/env bash
# Runs the README's curl quickstart against the real binary on the embedded default
# (SQLite, no other service): first start → secret key → create a user → chat token →
# /v1/auth/me. Exits non-zero when any step does not answer as the README says.
set -euo pipefail

source "$(dirname "$0")/lib/server.sh"
start_server quickstart

# 1. The first start printed a secret key.
KEY="$(first_start_key quickstart)"

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
