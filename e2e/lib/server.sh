# Shared by the end-to-end scripts: start the built binary on a port the kernel picks and
# learn that port from the server's own "listening on" line, so a script can never talk to
# some other server that happens to hold a fixed port. Fails at once when the process
# exits, and after a bound wait when it never says it listens or never answers.
#
#   source "$(dirname "$0")/lib/server.sh"
#   start_server NAME [VAR=value ...]   sets $base, $server_pid, $server_out, $server_err
#   stop_server                         (also run on exit)
#   first_start_key                     prints the secret key of the first start's banner

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${CONFAB_BIN:-$repo/target/debug/confab-server}"
e2e_work="$(mktemp -d)"
server_pid=""
base=""

stop_server() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}

e2e_cleanup() {
    stop_server
    rm -rf "$e2e_work"
}
trap e2e_cleanup EXIT

# Prints the server's output and fails the script.
server_failed() {
    echo "$1: $2" >&2
    echo "--- server stdout" >&2
    cat "$server_out" >&2 || true
    echo "--- server stderr" >&2
    tail -n 50 "$server_err" >&2 || true
    exit 1
}

start_server() {
    local name="$1"
    shift
    [[ -x "$bin" ]] || { echo "$name: no server binary at $bin; build it first" >&2; exit 1; }
    server_out="$e2e_work/stdout"
    server_err="$e2e_work/stderr"
    env -u CONFAB_DATABASE_URL -u CONFAB_REDIS_URL \
        CONFAB_ADDR="127.0.0.1:0" CONFAB_DATA_DIR="$e2e_work/data" RUST_LOG=warn "$@" \
        "$bin" serve >"$server_out" 2>"$server_err" &
    server_pid=$!

    local port=""
    for _ in $(seq 1 300); do
        kill -0 "$server_pid" 2>/dev/null || server_failed "$name" "the server exited before it listened"
        port="$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$server_out")"
        [[ -n "$port" ]] && break
        sleep 0.1
    done
    [[ -n "$port" ]] || server_failed "$name" "the server never said where it listens"
    base="http://127.0.0.1:$port"
    curl -fsS --max-time 5 "$base/healthz" >/dev/null || server_failed "$name" "the server does not answer /healthz"
    curl -fsS --max-time 5 "$base/readyz" >/dev/null || server_failed "$name" "the server is not ready"
}

# The secret key the server printed on its first start; fails the script when there is none.
first_start_key() {
    local key
    key="$(sed -n 's/.*secret key: *\(sk_[A-Za-z0-9]*\).*/\1/p' "$server_out")"
    [[ -n "$key" ]] || server_failed "${1:-e2e}" "no secret key printed"
    echo "$key"
}

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
