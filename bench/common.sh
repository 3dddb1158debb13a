# Shared by the benchmarks (sourced, not run): messages, the machine line, the release build, the work directory,
# the server and the PostgreSQL database of one run, and their cleanup. Expects ROOT and PG_URL to be set.

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }

# --- the machine, first, so the figures can be quoted with it ---------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
ram=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
echo "machine: ${cpu:-unknown CPU}, $(nproc) cores, $ram RAM, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- build ------------------------------------------------------------------------------------------------------
log "building the release binary (cargo build --release)"
(cd "$ROOT" && cargo build --release --quiet) || die "release build failed"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR";; esac
BIN="$TARGET_DIR/release/medcredit"
[ -x "$BIN" ] || die "no binary at $BIN"
WORK=$(mktemp -d /tmp/medcredit-bench.XXXXXX)
SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
SERVER_PID=
PG_DB=

stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}
drop_pg_db() {
    if [ -n "$PG_DB" ]; then
        psql "$PG_URL/postgres" -X -q -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null || true
        PG_DB=
    fi
}
cleanup() {
    local status=$?
    stop_server
    drop_pg_db
    if [ "${BENCH_KEEP:-0}" = 1 ] || [ "$status" != 0 ]; then
        log "bench: work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
