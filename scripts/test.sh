#!/usr/bin/env bash
# The project's test command: builds everything, then runs the whole test
# suite twice, once on the embedded backends (SQLite, in-process bus, media in a
# local directory) and once on PostgreSQL + Redis + an S3-compatible store
# (s3s-fs) started privately by scripts/services.sh, then the
# black-box checks in e2e/ against the built binary. `cargo fmt --check` and
# `cargo clippy -D warnings` run first and stop the script on any finding.
#
#   scripts/test.sh               everything
#   scripts/test.sh auth          only tests whose name contains "auth"
#   scripts/test.sh -- --nocapture
#
# Extra arguments go to both `cargo test` runs. Both passes always run; the
# script fails if either does. The Meilisearch tests run in both passes against
# the Meilisearch that scripts/services.sh starts from MEILI_BIN (or
# `meilisearch` on PATH); without one they are skipped, and the script says so.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ "${CI:-}" == true ]]; then
    export CARGO_TERM_COLOR=never
fi

command -v cargo >/dev/null 2>&1 || {
    echo "test.sh: cargo not found; install Rust first" >&2
    exit 1
}

# Gates first, so style and lint failures show in seconds, not after the suites.
echo "== gates: rustfmt, clippy =="
for component in rustfmt clippy; do
    cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1 || rustup component add "$component"
done
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

# The embedded pass must not see production-pass settings from the caller.
unset CONFAB_TEST_DATABASE_URL CONFAB_TEST_REDIS_URL CONFAB_TEST_S3_ENDPOINT CONFAB_TEST_S3_REGION CONFAB_TEST_S3_ACCESS_KEY CONFAB_TEST_S3_SECRET_KEY \
    CONFAB_TEST_MEILI_URL CONFAB_TEST_MEILI_KEY CONFAB_TEST_MEILI_BIN

# Stop the services however this script ends, even if start fails halfway.
trap 'scripts/services.sh stop || true' EXIT
scripts/services.sh start

cargo build --workspace --all-targets --locked

# Meilisearch serves both passes; only the database and the other services change.
meili_env="$(scripts/services.sh env | grep '_MEILI_' || true)"
if [[ -n "$meili_env" ]]; then
    eval "$meili_env"
    meili_note="Meilisearch tests ran"
else
    meili_note="Meilisearch tests SKIPPED (no MEILI_BIN, no meilisearch on PATH)"
    echo "test.sh: $meili_note"
fi

# Each pass is also kept in a log, so the reasons for any failure can be repeated at the
# end, where they are not buried under the hundreds of lines of the passes that follow.
logs=target/test-logs
mkdir -p "$logs"
run_pass() {
    local log="$logs/$1.log"
    shift
    cargo test --workspace --locked --no-fail-fast "$@" 2>&1 | tee "$log"
}
# The "failures:" sections libtest prints: each failed test's output and panic message.
failure_reasons() {
    echo
    echo "== why tests failed on $1 =="
    awk '/^failures:$/ { shown = 1 } shown { print } /^test result:/ { shown = 0 }' "$logs/$2.log" | head -n 400
}

sqlite_status=0
echo
echo "== tests on SQLite =="
run_pass sqlite "$@" || sqlite_status=$?

production_status=0
echo
echo "== tests on PostgreSQL + Redis + S3 =="
eval "$(scripts/services.sh env)"
run_pass production "$@" || production_status=$?

e2e_status=0
echo
echo "== end-to-end checks =="
for check in e2e/*.sh; do
    bash "$check" || e2e_status=$?
done

if ((sqlite_status != 0)); then failure_reasons SQLite sqlite; fi
if ((production_status != 0)); then failure_reasons "PostgreSQL + Redis" production; fi

result() { if (($1 == 0)); then echo ok; else echo "FAILED (exit $1)"; fi; }
echo
echo "== SQLite: $(result "$sqlite_status"); PostgreSQL + Redis: $(result "$production_status"); end-to-end: $(result "$e2e_status"); $meili_note =="

if ((sqlite_status != 0 || production_status != 0 || e2e_status != 0)); then
    exit 1
fi
