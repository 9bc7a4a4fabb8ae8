#!/usr/bin/env bash
# Clients generated from the checked-in spec (openapi/openapi.json), each running the same
# scenario (e2e/clients/*/) against its own fresh server: two users made
# with the secret key, chat tokens, a direct conversation got-or-created, three messages
# (one retried with the same client_msg_id), the conversation list with its unread count,
# history, mark read, unread back to zero, a ticket found in the queue by an agent who signs
# in with a password, and a new_message received over the WebSocket.
#
# - TypeScript: openapi-typescript types + openapi-fetch, type-checked by tsc (strict), run by node.
#
# Generated code is written under target/e2e-clients and never checked in. Tools are pinned
# (package-lock.json) and installed into target/e2e-tools when
# missing or changed, never globally. CLIENTS="..." runs a subset.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/server.sh"

tools="$repo/target/e2e-tools"
work="$repo/target/e2e-clients"
spec="$repo/openapi/openapi.json"
clients="${CLIENTS:-typescript}"
passed=0
failed=0

say() { echo "clients: $*"; }

# Copies the pinned manifest FILE of a client into DIR; true when DIR already held the same
# one (so what it installs is current).
same_manifest() {
    local file="$1" dir="$2"
    mkdir -p "$dir"
    if cmp -s "$file" "$dir/$(basename "$file")"; then return 0; fi
    cp "$file" "$dir/"
    return 1
}

typescript_client() {
    local src="$here/clients/typescript" tooldir="$tools/clients-typescript" out="$work/typescript"
    command -v node >/dev/null 2>&1 || { say "node is not installed"; return 1; }
    same_manifest "$src/package.json" "$tooldir" || true
    if ! same_manifest "$src/package-lock.json" "$tooldir" || [[ ! -d "$tooldir/node_modules" ]]; then
        say "installing the TypeScript tools (npm ci) into $tooldir"
        (cd "$tooldir" && npm ci --silent --no-audit --no-fund >/dev/null) || { say "npm ci failed"; return 1; }
    fi
    rm -rf "$out"
    mkdir -p "$out"
    cp "$src/package.json" "$src/tsconfig.json" "$src/scenario.ts" "$out/"
    ln -s "$tooldir/node_modules" "$out/node_modules"
    "$tooldir/node_modules/.bin/openapi-typescript" "$spec" --output "$out/schema.d.ts" --silent || return 1
    (cd "$out" && ./node_modules/.bin/tsc -p tsconfig.json) || { say "tsc refused the TypeScript scenario"; return 1; }
    run_scenario typescript node "$out/dist/scenario.js"
}

# Starts a fresh server for client NAME and runs COMMAND... BASE_URL SECRET_KEY against it.
run_scenario() {
    local name="$1"
    shift
    start_server "clients_$name" CONFAB_DATA_DIR="$e2e_work/data-$name"
    local key status=0
    key="$(first_start_key "clients_$name")"
    "$@" "$base" "$key" || status=$?
    if [[ $status -ne 0 ]]; then
        echo "--- server stderr (clients_$name)" >&2
        tail -n 30 "$server_err" >&2 || true
    fi
    stop_server
    return "$status"
}

for client in $clients; do
    started=$SECONDS
    if "${client}_client"; then
        passed=$((passed + 1))
        say "$client passed in $((SECONDS - started)) s"
    else
        failed=$((failed + 1))
        say "FAILED $client (after $((SECONDS - started)) s)"
    fi
done

echo "clients: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
