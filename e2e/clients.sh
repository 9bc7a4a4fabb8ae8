#!/usr/bin/env bash
# Clients generated from the checked-in spec (openapi/openapi.json), each running the same
# scenario (e2e/clients/*/) against its own fresh server: two users made
# with the secret key, chat tokens, a direct conversation got-or-created, three messages
# (one retried with the same client_msg_id), the conversation list with its unread count,
# history, mark read, unread back to zero, a ticket found in the queue by an agent who signs
# in with a password, and a new_message received over the WebSocket.
#
# - TypeScript: openapi-typescript types + openapi-fetch, type-checked by tsc (strict), run by node.
# - Python: openapi-python-client (any generator warning fails), installed into a venv.
# - Rust: progenitor, from the build script of the standalone crate e2e/clients/rust.
#
# Generated code is written under target/ and never checked in. Tools are pinned
# (package-lock.json, requirements.txt, Cargo.lock) and installed into target/e2e-tools when
# missing or changed, never globally. CLIENTS="..." runs a subset.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/server.sh"

tools="$repo/target/e2e-tools"
work="$repo/target/e2e-clients"
spec="$repo/openapi/openapi.json"
clients="${CLIENTS:-typescript python rust}"
passed=0
failed=0

say() { echo "clients: $*"; }
have() { command -v "$1" >/dev/null 2>&1 || { say "$1 is not installed"; return 1; }; }
fresh() { rm -rf "$1" && mkdir -p "$1"; }

# Installs a client's tools into DIR from its pinned manifest FILE by running COMMAND... in
# DIR, unless DIR already holds what FILE pins (recorded after the last install succeeded).
install_pinned() {
    local file="$1" dir="$2" stamp
    shift 2
    stamp="$dir/.installed-$(basename "$file")"
    cmp -s "$file" "$stamp" && return 0
    say "installing pinned tools ($(basename "$file")) into $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$dir" && "$@") || { say "could not install the tools of $file"; return 1; }
    cp "$file" "$stamp"
}

typescript_client() {
    local src="$here/clients/typescript" tooldir="$tools/clients-typescript" out="$work/typescript"
    have node || return 1
    install_pinned "$src/package-lock.json" "$tooldir" \
        sh -c 'cp "$0"/package.json "$0"/package-lock.json . && npm ci --silent --no-audit --no-fund >/dev/null' "$src" \
        || return 1
    fresh "$out"
    cp "$src/package.json" "$src/tsconfig.json" "$src/scenario.ts" "$out/"
    ln -s "$tooldir/node_modules" "$out/node_modules"
    "$tooldir/node_modules/.bin/openapi-typescript" "$spec" --output "$out/schema.d.ts" || return 1
    (cd "$out" && ./node_modules/.bin/tsc -p tsconfig.json) || { say "tsc refused the TypeScript scenario"; return 1; }
    run_scenario typescript node "$out/dist/scenario.js"
}

python_client() {
    local src="$here/clients/python" venv="$tools/clients-python" out="$work/python"
    have python3 || return 1
    install_pinned "$src/requirements.txt" "$venv" \
        sh -c 'python3 -m venv . && bin/pip install --quiet --disable-pip-version-check -r "$0"' "$src/requirements.txt" \
        || return 1
    fresh "$out"
    # The generator formats its output with ruff from the venv; any warning fails the check.
    if ! PATH="$venv/bin:$PATH" openapi-python-client generate --path "$spec" --output-path "$out/client" \
        --fail-on-warning >"$out/generate.log" 2>&1 || grep -v '^Generating ' "$out/generate.log" | grep -q .; then
        cat "$out/generate.log"
        say "openapi-python-client did not generate the client cleanly"
        return 1
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall \
        "$out/client" || { say "the generated client does not install"; return 1; }
    run_scenario python "$venv/bin/python" "$src/scenario.py"
}

rust_client() {
    local src="$here/clients/rust" target="$repo/target/e2e-clients-rust"
    have cargo || return 1
    # A crate of its own with its own Cargo.lock, outside the workspace; its build.rs has
    # progenitor generate the client from the spec.
    (cd "$src" && CARGO_INCREMENTAL=0 cargo build --quiet --locked --target-dir "$target") \
        || { say "the Rust client does not build"; return 1; }
    run_scenario rust "$target/debug/confab-e2e-client-rust"
}

# Starts a fresh server for client NAME and runs COMMAND... BASE_URL SECRET_KEY against it.
run_scenario() {
    local name="$1"
    shift
    start_server "clients_$name" CONFAB_DATA_DIR="$e2e_work/data-$name"
    local key status=0
    key="$(first_start_key "clients_$name")" || { stop_server; return 1; }
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
