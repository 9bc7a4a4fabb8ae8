#!/usr/bin/env bash
# Browser tests of the admin console: builds it (if needed), starts the real server, and
# drives /admin/ in headless Chromium with playwright-core (e2e/admin_console.cjs runs each flow of e2e/console/): sign-in,
# the shell and its navigation by mouse and keyboard, token refresh, sign-out revoking the
# session, the no-access screen for a user below moderator, all at 1280 and at 390 px wide.
# A screenshot of every screen lands in target/e2e-output/admin_console/. Any console error
# or failed request fails the run.
#
# Installs what is missing, once: Debian's chromium (apt-get) and playwright-core (npm, into
# target/e2e-tools, never globally).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/server.sh"

tools="$repo/target/e2e-tools"
out="$repo/target/e2e-output/admin_console"
chromium="${CHROMIUM:-/usr/bin/chromium}"
password="console-e2e-password"

need() {
    echo "admin_console: $*" >&2
    exit 1
}

if [[ ! -x "$chromium" ]]; then
    echo "admin_console: installing chromium (apt-get)"
    command -v apt-get >/dev/null 2>&1 || need "no $chromium and no apt-get to install it; install Chromium or set CHROMIUM"
    { apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }; } \
        || need "could not install chromium with apt-get"
fi
command -v node >/dev/null 2>&1 || need "node is not installed (needed to drive the browser)"
if [[ ! -f "$tools/node_modules/playwright-core/package.json" ]]; then
    echo "admin_console: installing playwright-core into $tools"
    mkdir -p "$tools"
    npm install --silent --no-audit --no-fund --prefix "$tools" playwright-core@1 >/dev/null \
        || need "could not install playwright-core with npm"
fi

"$repo/scripts/build-admin-ui.sh" >/dev/null
rm -rf "$out"
mkdir -p "$out"

# Short-lived access tokens, so the console's refresh runs within the test.
start_server admin_console CONFAB_BOOTSTRAP_PASSWORD="$password" CONFAB_ACCESS_TOKEN_TTL_SECONDS=65 \
    CONFAB_ADMIN_UI_DIR="$repo/target/admin-ui/dist"

passed=0
failed=0
if grep -q "console: *$base/admin/\$" "$server_out"; then
    passed=$((passed + 1))
else
    echo "admin_console: FAILED the first-start banner does not name $base/admin/" >&2
    failed=$((failed + 1))
fi

KEY="$(first_start_key admin_console)"
# A plain user with a password: signs in, and must be told the console is not for them.
curl -fsS -X POST "$base/v1/users" -H "x-api-key: $KEY" -H 'content-type: application/json' \
    -d "{\"external_id\": \"console-user\", \"username\": \"plainuser\", \"email\": \"user@example.com\", \"role\": \"user\", \"password\": \"$password\"}" \
    >/dev/null

BASE="$base" OUT="$out" TOOLS="$tools" CHROMIUM="$chromium" ADMIN_EMAIL="admin@localhost" USER_EMAIL="user@example.com" \
    KEY="$KEY" PASSWORD="$password" WORK="$e2e_work" PRE_PASSED="$passed" PRE_FAILED="$failed" node "$here/admin_console.cjs"
