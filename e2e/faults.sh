#!/usr/bin/env bash
# Faults: two confab-server processes on one PostgreSQL and one Redis of this script's own
# (free ports, own data directories, PostgreSQL with fsync and synchronous commits), under a
# steady load of senders over REST and WebSocket and of listeners on both processes (the
# `faults` program of e2e/faults/). Meanwhile, in order: Redis is killed with SIGKILL and
# started again; PostgreSQL is stopped and started again; one server process is killed with
# SIGKILL while its clients move to the other. Then the program reads every conversation
# back and checks that no acknowledged message was lost, duplicated, reordered or left a
# seq gap, that every listener's copy equals the history, and that failed attempts failed
# fast with a clear error. Loopback only; everything started here stops on any exit.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bin="${CONFAB_BIN:-$repo/target/debug/confab-server}"
driver="${FAULTS_BIN:-$repo/target/debug/faults}"
for program in "$bin" "$driver"; do
    [[ -x "$program" ]] || { echo "faults: no $program; build the workspace first" >&2; exit 1; }
done

work="$(mktemp -d)"
passed=0
failed=0
pids=()
driver_pid=""
t0=$SECONDS

say() { printf 'faults: [%3ss] %s\n' "$((SECONDS - t0))" "$*"; }
pass() { passed=$((passed + 1)); say "ok: $*"; }
fail() { failed=$((failed + 1)); say "FAILED: $*"; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The services of this test only: scripts/services.sh with a state directory and ports of
# its own, so the shared instances the other tests use are never touched.
export CONFAB_TEST_STATE_DIR="$work/services"
CONFAB_TEST_PG_PORT="$(free_port)"
CONFAB_TEST_REDIS_PORT="$(free_port)"
export CONFAB_TEST_PG_PORT CONFAB_TEST_REDIS_PORT
export CONFAB_TEST_SERVICES="postgresql redis" CONFAB_TEST_PG_DURABLE=1
services() { "$repo/scripts/services.sh" "$@" 2>>"$work/services.log"; }
# Bounded: `within SECONDS SERVICES COMMAND` runs scripts/services.sh COMMAND on SERVICES.
within() {
    CONFAB_TEST_SERVICES="$2" timeout "$1" "$repo/scripts/services.sh" "$3" 2>>"$work/services.log"
}

cleanup() {
    local status=$?
    # Every step is tried, whatever the one before it did.
    set +e
    [[ -n "$driver_pid" ]] && kill -KILL "$driver_pid" 2>/dev/null
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    services stop || true
    # PostgreSQL may live outside the state directory (see scripts/services.sh).
    local pg_root
    pg_root="$(cat "$CONFAB_TEST_STATE_DIR/pg-root" 2>/dev/null || true)"
    [[ -n "$pg_root" && "$pg_root" != "$CONFAB_TEST_STATE_DIR"/* ]] && rm -rf "$pg_root"
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints the server's output and fails the script.
node_failed() {
    say "$1: $2"
    tail -n 30 "$work/$1.out" "$work/$1.err" >&2 || true
    exit 1
}

# Starts server process NAME on a port the kernel picks; sets $node_pid and $node_base.
start_node() {
    local name="$1" port=""
    mkdir -p "$work/$name"
    # Created here, not by the redirection below, which the background process may not
    # have made yet when the loop first reads the file.
    : >"$work/$name.out"
    env -u CONFAB_MEILI_URL -u CONFAB_S3_BUCKET -u CONFAB_CONFIG \
        CONFAB_ADDR="127.0.0.1:0" CONFAB_DATA_DIR="$work/$name" \
        CONFAB_DATABASE_URL="$database_url" CONFAB_REDIS_URL="$redis_url" \
        CONFAB_JWT_KEYS="$jwt_keys" CONFAB_BOOTSTRAP_PASSWORD="faults-$RANDOM-$RANDOM-password" \
        CONFAB_SHUTDOWN_GRACE_SECONDS=1 RUST_LOG=warn \
        "$bin" serve >"$work/$name.out" 2>"$work/$name.err" &
    node_pid=$!
    pids+=("$node_pid")
    for _ in $(seq 1 300); do
        kill -0 "$node_pid" 2>/dev/null || node_failed "$name" "exited before it listened"
        port="$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$work/$name.out")"
        [[ -n "$port" ]] && break
        sleep 0.1
    done
    [[ -n "$port" ]] || node_failed "$name" "never said where it listens"
    node_base="http://127.0.0.1:$port"
    curl -fsS --max-time 5 "$node_base/readyz" >/dev/null || node_failed "$name" "is not ready"
}

say "starting PostgreSQL (durable) and Redis on 127.0.0.1:$CONFAB_TEST_PG_PORT and :$CONFAB_TEST_REDIS_PORT"
within 120 "postgresql redis" start || { cat "$work/services.log" >&2; exit 1; }
database_url="$(services env | sed -n 's/^export CONFAB_TEST_DATABASE_URL=//p')"
redis_url="$(services env | sed -n 's/^export CONFAB_TEST_REDIS_URL=//p')"
jwt_keys="faults:$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

start_node one
one_pid=$node_pid one_base=$node_base
key="$(sed -n 's/.*secret key: *\(sk_[A-Za-z0-9]*\).*/\1/p' "$work/one.out")"
[[ -n "$key" ]] || node_failed one "printed no secret key"
start_node two
two_pid=$node_pid two_base=$node_base
say "servers: one at $one_base (pid $one_pid), two at $two_base (pid $two_pid)"

"$driver" --server "$one_base" --server "$two_base" --key "$key" \
    --ready-file "$work/ready" --stop-file "$work/stop" --max-seconds 120 >"$work/driver.log" 2>&1 &
driver_pid=$!
# Setup and the listeners' first sockets; generous, for a machine busy with other builds.
for _ in $(seq 1 900); do
    [[ -f "$work/ready" ]] && break
    kill -0 "$driver_pid" 2>/dev/null || break
    sleep 0.1
done
[[ -f "$work/ready" ]] || { cat "$work/driver.log"; say "the load never started"; exit 1; }
say "load running"
sleep 4

say "Redis: SIGKILL"
if within 15 redis kill-redis; then
    sleep 3
    if within 30 redis start; then pass "Redis killed and started again"; else fail "Redis did not start again"; fi
else
    fail "could not kill Redis"
fi
sleep 5

say "PostgreSQL: stop (fast)"
if within 60 postgresql stop; then
    # Down for longer than the server's acquire timeout, so requests have to fail.
    sleep 4
    if within 60 postgresql start; then pass "PostgreSQL stopped and started again"; else fail "PostgreSQL did not start again"; fi
else
    fail "PostgreSQL did not stop"
fi
sleep 6

say "server two: SIGKILL"
kill -KILL "$two_pid"
wait "$two_pid" 2>/dev/null || true
pass "server two killed"
sleep 6

say "stopping the load"
touch "$work/stop"
for _ in $(seq 1 600); do
    kill -0 "$driver_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$driver_pid" 2>/dev/null; then
    kill -KILL "$driver_pid" 2>/dev/null || true
    fail "the checker did not finish within 60 s of the stop"
fi
driver_status=0
wait "$driver_pid" || driver_status=$?
driver_pid=""
sed 's/^/  /' "$work/driver.log"
checks_ok="$(grep -c '^check .*: ok$' "$work/driver.log" || true)"
checks_failed="$(grep -c '^check .*: FAILED' "$work/driver.log" || true)"
passed=$((passed + checks_ok))
failed=$((failed + checks_failed))
if ((driver_status != 0 && checks_failed == 0)); then
    fail "the checker exited with $driver_status"
fi

if curl -fsS --max-time 5 "$one_base/readyz" >/dev/null; then
    pass "server one ready after the faults"
else
    fail "server one is not ready after the faults"
fi

say "took $((SECONDS - t0)) s"
echo "faults: $passed passed, $failed failed"
((failed == 0))
