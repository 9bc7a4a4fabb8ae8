#!/usr/bin/env bash
# Private PostgreSQL, Redis, S3-compatible (s3s-fs) and Meilisearch instances for the test suite.
#
#   scripts/services.sh start   install what is missing, start them all (idempotent)
#   scripts/services.sh stop    stop them (fine if they are not running)
#   scripts/services.sh status  say what is running
#   scripts/services.sh env     print the export lines the tests read
#   scripts/services.sh kill-redis  SIGKILL Redis, as a crash would (`start` brings it back)
#
# Nothing here touches the system's own PostgreSQL cluster or Redis: each
# instance has its own data directory and port, listens on 127.0.0.1 only,
# and is tuned for speed, not durability (unless CONFAB_TEST_PG_DURABLE says otherwise).
#
# Settings (environment):
#   CONFAB_TEST_STATE_DIR   state directory (default: <repo>/target/test-services)
#   CONFAB_TEST_PG_PORT     PostgreSQL port (default: 55432)
#   CONFAB_TEST_REDIS_PORT  Redis port (default: 56379)
#   CONFAB_TEST_S3_PORT     s3s-fs port (default: the Redis port + 1000, so parallel
#                           checkouts with their own ports do not clash)
#   CONFAB_TEST_PG_BIN      PostgreSQL binaries (default: /usr/lib/postgresql/15/bin)
#   CONFAB_TEST_MEILI_PORT  Meilisearch port (default: the Redis port + 2000)
#   MEILI_BIN               the Meilisearch binary (default: `meilisearch` on PATH); when
#                           neither exists Meilisearch is not started and its tests skip
#   CONFAB_TEST_SERVICES    which of "postgresql redis s3 meilisearch" start, stop and status
#                           act on (default: all four); a test that kills and restarts its
#                           own instances names only those it needs
#   CONFAB_TEST_PG_DURABLE  "1": PostgreSQL runs with fsync and synchronous commits, for a
#                           test about losing nothing across a restart (default: off)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${CONFAB_TEST_STATE_DIR:-$REPO/target/test-services}"
PG_PORT="${CONFAB_TEST_PG_PORT:-55432}"
REDIS_PORT="${CONFAB_TEST_REDIS_PORT:-56379}"
PG_BIN="${CONFAB_TEST_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_USER=confab
PG_PASSWORD=confab
PG_OS_USER=postgres

# Where the PostgreSQL files live. Normally "$STATE_DIR/pg"; when the postgres
# user cannot reach the state directory (or the socket path would be too
# long) a directory under /tmp is used instead and its path is kept here.
PG_ROOT_FILE="$STATE_DIR/pg-root"
REDIS_DIR="$STATE_DIR/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"
S3_PORT="${CONFAB_TEST_S3_PORT:-$((REDIS_PORT + 1000))}"
S3_DIR="$STATE_DIR/s3"
S3_PIDFILE="$S3_DIR/s3s-fs.pid"
S3_LOG="$S3_DIR/s3s-fs.log"
S3_KEYS="$S3_DIR/keys"
MEILI_PORT="${CONFAB_TEST_MEILI_PORT:-$((REDIS_PORT + 2000))}"
MEILI_DIR="$STATE_DIR/meili"
MEILI_PIDFILE="$MEILI_DIR/meilisearch.pid"
MEILI_LOG="$MEILI_DIR/meilisearch.log"
MEILI_KEYFILE="$MEILI_DIR/master-key"
# The newest s3s-fs that builds with the Rust the project supports.
S3S_FS_VERSION=0.14.1
SERVICES=" ${CONFAB_TEST_SERVICES:-postgresql redis s3 meilisearch} "
PG_DURABLE="${CONFAB_TEST_PG_DURABLE:-0}"

log() { printf 'services: %s\n' "$*" >&2; }
wanted() { [[ "$SERVICES" == *" $1 "* ]]; }
die() { log "error: $*"; exit 1; }

# True when the process exists and is not a zombie waiting to be reaped.
alive() {
    local stat
    kill -0 "$1" 2>/dev/null || return 1
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
    stat="${stat##*) }" # the state follows the command name in parentheses
    [[ "${stat%% *}" != Z ]]
}

# Polls every 0.1 s until "$@" succeeds, for at least $1 seconds; fails when it never does.
poll() {
    local timeout="$1" tries
    shift
    for ((tries = timeout * 10; tries > 0; tries--)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

gone() { ! alive "$1"; }

# Waits until the probe command succeeds, or dies naming the service and its log.
#   await_ready [--pid PID] DESCRIPTION TIMEOUT LOG PROBE...
# With --pid it gives up as soon as that process exits.
await_ready() {
    local pid=""
    if [[ "$1" == --pid ]]; then
        pid="$2"
        shift 2
    fi
    local what="$1" timeout="$2" logfile="$3" tries
    shift 3
    for ((tries = timeout * 10; tries > 0; tries--)); do
        "$@" && return 0
        if [[ -n "$pid" ]] && ! alive "$pid"; then
            tail -n 30 "$logfile" >&2 || true
            die "$what exited before answering (log: $logfile)"
        fi
        sleep 0.1
    done
    tail -n 30 "$logfile" >&2 || true
    die "$what did not answer within ${timeout}s (log: $logfile)"
}

# Stops a process: TERM, up to $3 seconds to exit, then KILL and as long again.
#   stop_pid NAME PID TIMEOUT
stop_pid() {
    local name="$1" pid="$2" timeout="$3"
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    poll "$timeout" gone "$pid" && return 0
    kill -KILL "$pid" 2>/dev/null || true
    poll "$timeout" gone "$pid" && return 0
    log "warning: $name (pid $pid) did not stop"
}

# ---------------------------------------------------------------- install ---

ensure_installed() {
    local -a missing=()
    [[ -x "$PG_BIN/postgres" && -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" && -x "$PG_BIN/pg_isready" ]] \
        || missing+=(postgresql)
    command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
    ((${#missing[@]} == 0)) && return 0

    if [[ $EUID -ne 0 ]]; then
        die "missing packages: ${missing[*]} (install them, or run this script as root)"
    fi
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y "${missing[@]}"
    [[ -x "$PG_BIN/postgres" ]] || die "no PostgreSQL binaries in $PG_BIN after install"
}

# ------------------------------------------------------------- postgresql ---

# Runs a command as the PostgreSQL owner: the postgres system user when we are
# root (PostgreSQL refuses to run as root), otherwise the current user.
as_pg() {
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u "$PG_OS_USER" -- "$@")
    else
        (cd / && "$@")
    fi
}

# Prints the PostgreSQL directory already in use, or nothing.
existing_pg_root() {
    if [[ -f "$PG_ROOT_FILE" ]]; then
        local dir
        dir="$(cat "$PG_ROOT_FILE")"
        if [[ -n "$dir" && -d "$dir" ]]; then
            printf '%s\n' "$dir"
            return 0
        fi
    fi
    if [[ -d "$STATE_DIR/pg" ]]; then
        printf '%s\n' "$STATE_DIR/pg"
    fi
}

# Picks (and creates) the PostgreSQL directory and records it.
choose_pg_root() {
    local dir
    dir="$(existing_pg_root)"
    if [[ -z "$dir" ]]; then
        dir="$STATE_DIR/pg"
        local socket="$dir/run/.s.PGSQL.$PG_PORT"
        local reachable=yes
        if [[ $EUID -eq 0 ]] && ! runuser -u "$PG_OS_USER" -- test -x "$STATE_DIR"; then
            reachable=no
        fi
        if [[ $reachable == no || ${#socket} -gt 100 ]]; then
            dir="$(mktemp -d /tmp/confab-test-pg.XXXXXX)"
            log "using $dir for PostgreSQL (the state directory is not usable by $PG_OS_USER)"
        fi
        mkdir -p "$dir"
    fi
    printf '%s\n' "$dir" >"$PG_ROOT_FILE"
    if [[ $EUID -eq 0 ]]; then
        chown "$PG_OS_USER:" "$dir"
    fi
    chmod 700 "$dir"
    printf '%s\n' "$dir"
}

# Checked by hand rather than with "pg_ctl status": after a crash the old
# postmaster can linger as a zombie, or its pid can belong to another process.
pg_is_running() { # $1 = data dir
    local pid
    [[ -f "$1/postmaster.pid" ]] || return 1
    pid="$(head -n 1 "$1/postmaster.pid" 2>/dev/null)" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" \
        && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == postgres ]]
}

pg_ready() {
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres -U "$PG_USER" -t 2
}

pg_init() { # $1 = pg root
    local root="$1" data="$1/data"
    # A directory without the marker is left from an interrupted initdb.
    [[ -f "$root/initialized" ]] && return 0
    log "initialising PostgreSQL in $data"
    rm -rf "$data"
    local pwfile="$root/pwfile"
    printf '%s\n' "$PG_PASSWORD" >"$pwfile"
    [[ $EUID -eq 0 ]] && chown "$PG_OS_USER:" "$pwfile"
    chmod 600 "$pwfile"
    as_pg "$PG_BIN/initdb" -D "$data" -U "$PG_USER" --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --no-locale --no-sync >"$root/initdb.log" 2>&1 \
        || { cat "$root/initdb.log" >&2; die "initdb failed"; }
    rm -f "$pwfile"
    printf "include_if_exists = 'confab.conf'\n" >>"$data/postgresql.conf"
    touch "$root/initialized"
}

# Written on every start, so a changed port or setting applies without re-init.
pg_write_config() { # $1 = pg root
    local root="$1" data="$1/data" durable=off
    [[ "$PG_DURABLE" == 1 ]] && durable=on
    mkdir -p "$root/run"
    cat >"$data/confab.conf" <<EOF
# Written by scripts/services.sh on every start; edits are lost.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$root/run'
max_connections = 300
fsync = $durable
synchronous_commit = $durable
full_page_writes = $durable
logging_collector = off
EOF
    cat >"$data/pg_hba.conf" <<EOF
# Written by scripts/services.sh on every start; edits are lost.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   scram-sha-256
EOF
    if [[ $EUID -eq 0 ]]; then
        chown "$PG_OS_USER:" "$root/run" "$data/confab.conf" "$data/pg_hba.conf"
    fi
}

pg_start() {
    local root data
    root="$(choose_pg_root)"
    data="$root/data"
    pg_init "$root"
    if pg_is_running "$data"; then
        log "PostgreSQL already running (port $PG_PORT)"
    else
        # Not running, so any pid or socket lock file is left from a crash.
        rm -f "$data/postmaster.pid" "$root/run/.s.PGSQL.$PG_PORT" "$root/run/.s.PGSQL.$PG_PORT.lock"
        if pg_ready; then
            die "another PostgreSQL already listens on 127.0.0.1:$PG_PORT (set CONFAB_TEST_PG_PORT to use another port)"
        fi
        pg_write_config "$root"
        log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
        # 9>&-: the server must not inherit the lock file descriptor.
        as_pg "$PG_BIN/pg_ctl" start -D "$data" -l "$root/postgres.log" -w -t 60 >/dev/null 9>&- \
            || { tail -n 30 "$root/postgres.log" >&2 || true; die "PostgreSQL did not start (log: $root/postgres.log)"; }
    fi
    await_ready "PostgreSQL on 127.0.0.1:$PG_PORT" 60 "$root/postgres.log" pg_ready
}

pg_stop() {
    local root
    root="$(existing_pg_root)"
    [[ -n "$root" && -d "$root/data" ]] || return 0
    if pg_is_running "$root/data"; then
        log "stopping PostgreSQL"
        as_pg "$PG_BIN/pg_ctl" stop -D "$root/data" -m fast -w -t 60 >/dev/null \
            || as_pg "$PG_BIN/pg_ctl" stop -D "$root/data" -m immediate -w -t 30 >/dev/null \
            || log "warning: PostgreSQL did not stop"
    fi
}

# ------------------------------------------------------------------ redis ---

redis_ping() {
    # Bounded: a frozen Redis still accepts connections and would hold the caller forever.
    [[ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
}

redis_pid() { # prints the pid from the pid file when that process is alive
    local pid
    [[ -f "$REDIS_PIDFILE" ]] || return 1
    pid="$(cat "$REDIS_PIDFILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" \
        && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == redis-server ]] \
        && printf '%s\n' "$pid"
}

redis_start() {
    mkdir -p "$REDIS_DIR"
    if redis_ping; then
        log "Redis already running (port $REDIS_PORT)"
        return 0
    fi
    local pid
    if pid="$(redis_pid)"; then
        # Alive but not answering: give it a moment, then replace it.
        sleep 1
        if redis_ping; then
            log "Redis already running (port $REDIS_PORT)"
            return 0
        fi
        log "Redis (pid $pid) does not answer; restarting it"
        stop_pid Redis "$pid" 5
    fi
    rm -f "$REDIS_PIDFILE"
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" \
        --save '' --appendonly no --daemonize yes \
        --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" 9>&- \
        || die "Redis did not start (log: $REDIS_LOG)"
    await_ready "Redis on 127.0.0.1:$REDIS_PORT" 10 "$REDIS_LOG" redis_ping
}

redis_stop() {
    local pid=""
    pid="$(redis_pid)" || pid=""
    if redis_ping; then
        log "stopping Redis"
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
    # SHUTDOWN gets its time first; TERM and KILL only follow when it did not work.
    if [[ -n "$pid" ]] && ! poll 10 gone "$pid"; then
        stop_pid Redis "$pid" 10
    fi
    rm -f "$REDIS_PIDFILE"
}

# ------------------------------------------------------------------ s3s-fs ---

s3_ensure_installed() {
    if command -v s3s-fs >/dev/null 2>&1 && [[ "$(s3s-fs --version 2>/dev/null)" == *"$S3S_FS_VERSION"* ]]; then
        return 0
    fi
    log "installing s3s-fs $S3S_FS_VERSION (cargo install, a few minutes once)"
    cargo install --locked s3s-fs --version "$S3S_FS_VERSION" --features binary >&2 \
        || cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary >&2 \
        || die "could not install s3s-fs"
}

s3_pid() { # prints the pid from the pid file when that process is alive
    local pid
    [[ -f "$S3_PIDFILE" ]] || return 1
    pid="$(cat "$S3_PIDFILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" \
        && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == s3s-fs ]] \
        && printf '%s\n' "$pid"
}

s3_listening() {
    (exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null
}

s3_start() {
    mkdir -p "$S3_DIR/data"
    if s3_pid >/dev/null; then
        log "s3s-fs already running (port $S3_PORT)"
        return 0
    fi
    if s3_listening; then
        die "something else listens on 127.0.0.1:$S3_PORT (set CONFAB_TEST_S3_PORT to use another port)"
    fi
    # Keys of this run only, kept for `env` while the instance runs.
    printf '%s %s\n' "test$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
        "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$S3_KEYS"
    chmod 600 "$S3_KEYS"
    local access secret
    read -r access secret <"$S3_KEYS"
    log "starting s3s-fs on 127.0.0.1:$S3_PORT"
    nohup s3s-fs --host 127.0.0.1 --port "$S3_PORT" --access-key "$access" --secret-key "$secret" \
        "$S3_DIR/data" >"$S3_LOG" 2>&1 9>&- &
    local pid=$!
    echo "$pid" >"$S3_PIDFILE"
    await_ready --pid "$pid" "s3s-fs on 127.0.0.1:$S3_PORT" 10 "$S3_LOG" s3_listening
}

s3_stop() {
    local pid
    pid="$(s3_pid)" || pid=""
    if [[ -n "$pid" ]]; then
        log "stopping s3s-fs"
        stop_pid s3s-fs "$pid" 5
    fi
    rm -f "$S3_PIDFILE" "$S3_KEYS"
    # Buckets of finished runs are of no use to the next one.
    rm -rf "$S3_DIR/data"
}

# ------------------------------------------------------------- meilisearch ---

# Prints the Meilisearch binary to use, or nothing.
meili_bin() {
    if [[ -n "${MEILI_BIN:-}" ]]; then
        [[ -x "$MEILI_BIN" ]] && printf '%s\n' "$(cd "$(dirname "$MEILI_BIN")" && pwd)/$(basename "$MEILI_BIN")"
        return 0
    fi
    command -v meilisearch 2>/dev/null || true
}

meili_pid() { # prints the pid from the pid file when that process is alive
    local pid
    [[ -f "$MEILI_PIDFILE" ]] || return 1
    pid="$(cat "$MEILI_PIDFILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" && printf '%s\n' "$pid"
}

meili_healthy() {
    curl -fsS --max-time 2 "http://127.0.0.1:$MEILI_PORT/health" >/dev/null 2>&1
}

meili_start() {
    local bin
    bin="$(meili_bin)"
    if [[ -z "$bin" ]]; then
        log "Meilisearch not found (MEILI_BIN unset or not executable, no meilisearch on PATH): its tests will be skipped"
        return 0
    fi
    mkdir -p "$MEILI_DIR"
    if meili_pid >/dev/null && meili_healthy; then
        log "Meilisearch already running (port $MEILI_PORT)"
        return 0
    fi
    # A fresh database each start: indexes of finished runs are of no use to the next one.
    rm -rf "$MEILI_DIR/data"
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$MEILI_KEYFILE"
    chmod 600 "$MEILI_KEYFILE"
    log "starting Meilisearch ($bin) on 127.0.0.1:$MEILI_PORT"
    nohup "$bin" --db-path "$MEILI_DIR/data" --http-addr "127.0.0.1:$MEILI_PORT" \
        --master-key "$(cat "$MEILI_KEYFILE")" --no-analytics >"$MEILI_LOG" 2>&1 9>&- &
    local pid=$!
    echo "$pid" >"$MEILI_PIDFILE"
    printf '%s\n' "$bin" >"$MEILI_DIR/bin"
    await_ready --pid "$pid" "Meilisearch on 127.0.0.1:$MEILI_PORT" 30 "$MEILI_LOG" meili_healthy
}

meili_stop() {
    local pid
    pid="$(meili_pid)" || pid=""
    if [[ -n "$pid" ]]; then
        log "stopping Meilisearch"
        stop_pid Meilisearch "$pid" 10
    fi
    rm -f "$MEILI_PIDFILE" "$MEILI_KEYFILE" "$MEILI_DIR/bin"
    rm -rf "$MEILI_DIR/data"
}

# --------------------------------------------------------------- commands ---

print_env() {
    printf 'export CONFAB_TEST_DATABASE_URL=postgres://%s:%s@127.0.0.1:%s/postgres\n' \
        "$PG_USER" "$PG_PASSWORD" "$PG_PORT"
    printf 'export CONFAB_TEST_REDIS_URL=redis://127.0.0.1:%s\n' "$REDIS_PORT"
    if [[ -f "$S3_KEYS" ]]; then
        local access secret
        read -r access secret <"$S3_KEYS"
        printf 'export CONFAB_TEST_S3_ENDPOINT=http://127.0.0.1:%s\n' "$S3_PORT"
        printf 'export CONFAB_TEST_S3_REGION=us-east-1\n'
        printf 'export CONFAB_TEST_S3_ACCESS_KEY=%s\n' "$access"
        printf 'export CONFAB_TEST_S3_SECRET_KEY=%s\n' "$secret"
    fi
    if [[ -f "$MEILI_KEYFILE" ]] && meili_pid >/dev/null; then
        printf 'export CONFAB_TEST_MEILI_URL=http://127.0.0.1:%s\n' "$MEILI_PORT"
        printf 'export CONFAB_TEST_MEILI_KEY=%s\n' "$(cat "$MEILI_KEYFILE")"
        # The restart test runs a Meilisearch of its own with the same binary.
        printf 'export CONFAB_TEST_MEILI_BIN=%s\n' "$(cat "$MEILI_DIR/bin")"
    fi
}

# One start or stop at a time per state directory.
take_lock() {
    mkdir -p "$STATE_DIR"
    exec 9>"$STATE_DIR/lock"
    flock -w 120 9 || die "another scripts/services.sh is still running"
}

cmd_start() {
    ensure_installed
    if wanted s3; then s3_ensure_installed; fi
    take_lock
    if wanted postgresql; then
        pg_start
        log "ready: PostgreSQL on 127.0.0.1:$PG_PORT"
    fi
    if wanted redis; then
        redis_start
        log "ready: Redis on 127.0.0.1:$REDIS_PORT"
    fi
    if wanted s3; then
        s3_start
        log "ready: s3s-fs on 127.0.0.1:$S3_PORT"
    fi
    if wanted meilisearch; then
        meili_start
        if meili_pid >/dev/null; then
            log "ready: Meilisearch on 127.0.0.1:$MEILI_PORT"
        fi
    fi
}

cmd_stop() {
    [[ -d "$STATE_DIR" ]] || return 0
    take_lock
    if wanted postgresql && [[ -x "$PG_BIN/pg_ctl" ]]; then
        pg_stop
    fi
    if wanted redis && command -v redis-cli >/dev/null 2>&1; then
        redis_stop
    fi
    if wanted s3; then s3_stop; fi
    if wanted meilisearch; then meili_stop; fi
}

cmd_status() {
    local rc=0
    if wanted postgresql; then
        if pg_ready 2>/dev/null; then
            echo "postgresql: running on 127.0.0.1:$PG_PORT"
        else
            echo "postgresql: not running"
            rc=1
        fi
    fi
    if wanted redis; then
        if command -v redis-cli >/dev/null 2>&1 && redis_ping; then
            echo "redis: running on 127.0.0.1:$REDIS_PORT"
        else
            echo "redis: not running"
            rc=1
        fi
    fi
    if wanted s3; then
        if s3_pid >/dev/null; then
            echo "s3s-fs: running on 127.0.0.1:$S3_PORT"
        else
            echo "s3s-fs: not running"
            rc=1
        fi
    fi
    if wanted meilisearch; then
        if meili_pid >/dev/null && meili_healthy; then
            echo "meilisearch: running on 127.0.0.1:$MEILI_PORT"
        else
            echo "meilisearch: not running (its tests skip)"
        fi
    fi
    return "$rc"
}

# Redis dies as in a crash (SIGKILL, nothing saved), for tests of outages; `start` brings
# it back empty.
cmd_kill_redis() {
    take_lock
    local pid
    pid="$(redis_pid)" || die "Redis is not running"
    log "killing Redis (pid $pid) with SIGKILL"
    kill -KILL "$pid"
    poll 10 gone "$pid" || die "Redis (pid $pid) survived SIGKILL"
    rm -f "$REDIS_PIDFILE"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) print_env ;;
    kill-redis) cmd_kill_redis ;;
    *)
        echo "usage: $0 start|stop|status|env|kill-redis" >&2
        exit 2
        ;;
esac
