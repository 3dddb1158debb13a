#!/usr/bin/env bash
# Standing read benchmark (DESIGN §8: "one indexed read"). For SQLite, then PostgreSQL: migrate a fresh database,
# bulk-seed 100,000 subjects and 20,000 approved cases (bench/seed.py), rebuild standings, start the release
# server, and load /healthz and the standing endpoint with wrk at 64 connections. Prints req/s and p99 for both,
# the ratio standing/healthz, and PASS/MISS against the target (≥ 0.6× healthz, p99 ≤ 5 ms). Never fails on a
# MISS; fails only when something could not be run.
#
#   bench/standing.sh
#
# Environment (all optional):
#   BENCH_READ_PATH    path under test, %s = subject code        (default /api/v1/standing/%s)
#   BENCH_DURATION     seconds of each measured run              (default 15; warm-up runs take a third, ≤ 5 s)
#   BENCH_DATABASES    which databases, in order                 (default "sqlite postgres")
#   BENCH_CONNECTIONS  wrk connections                           (default 64)
#   BENCH_THREADS      wrk threads                               (default 2)
#   BENCH_SUBJECTS / BENCH_CASES   seed sizes                    (default 100000 / 20000)
#   BENCH_PG_URL       PostgreSQL server, without a database     (default postgres://postgres@127.0.0.1:5432)
#   BENCH_KEEP=1       keep the work directory (databases, server logs, codes) afterwards
#   CARGO_TARGET_DIR   where cargo builds (default ./target)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
READ_PATH=${BENCH_READ_PATH:-/api/v1/standing/%s}
DURATION=${BENCH_DURATION:-15}
WARMUP=$(( DURATION / 3 < 1 ? 1 : (DURATION / 3 > 5 ? 5 : DURATION / 3) ))
DATABASES=${BENCH_DATABASES:-sqlite postgres}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
SUBJECTS=${BENCH_SUBJECTS:-100000}
CASES=${BENCH_CASES:-20000}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
TARGET_RATIO=0.6
TARGET_P99_MS=5

# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

# --- tools ------------------------------------------------------------------------------------------------------
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null; then
    log "wrk is missing; installing it with apt-get"
    as_root apt-get install -y wrk >/dev/null || { as_root apt-get update >/dev/null && as_root apt-get install -y wrk >/dev/null; } \
        || die "cannot install wrk"
fi
for tool in python3 curl; do command -v "$tool" >/dev/null || die "$tool is required"; done
case " $DATABASES " in *" postgres "*) command -v psql >/dev/null || die "psql is required for PostgreSQL";; esac

HELP=$("$BIN" --help)
if grep -qw 'rebuild-standings' <<<"$HELP"; then HAS_REBUILD=1; else HAS_REBUILD=0; fi

seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# Runs wrk with the Lua script; prints the RESULT line's fields (key=value …). $1 path format, $2 codes file or "",
# $3 token or "", $4 duration.
run_wrk() {
    local out
    out=$(BENCH_PATH="$1" BENCH_CODES="$2" BENCH_TOKEN="$3" \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4"s --timeout 5s -s "$BENCH/standing.lua" "http://127.0.0.1:$PORT") \
        || die "wrk failed: $out"
    sed -n 's/^RESULT //p' <<<"$out"
}
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

# Warm-up, then the measured run; prints one line and sets LAST_RESULT.
measure() {
    local label=$1 path=$2 codes=$3 token=$4
    run_wrk "$path" "$codes" "$token" "$WARMUP" >/dev/null
    LAST_RESULT=$(run_wrk "$path" "$codes" "$token" "$DURATION")
    [ -n "$LAST_RESULT" ] || die "wrk printed no RESULT line"
    printf '  %-32s %9s req/s  p50 %7s ms  p99 %7s ms  non-2xx %s  socket errors %s  [%s]\n' "$label" \
        "$(field "$LAST_RESULT" rps)" "$(field "$LAST_RESULT" p50_ms)" "$(field "$LAST_RESULT" p99_ms)" \
        "$(field "$LAST_RESULT" non2xx)" "$(field "$LAST_RESULT" socket_errors)" "$(field "$LAST_RESULT" statuses)"
    if [ "$(field "$LAST_RESULT" non2xx)" != 0 ]; then
        log "  WARNING: $label answered non-2xx responses; its figures do not measure the endpoint"
    fi
}

SUMMARY=()

bench_database() {
    local db=$1 url started
    echo
    echo "== $db =="
    case "$db" in
        sqlite) url="sqlite://$WORK/bench.db?mode=rwc" ;;
        postgres)
            if ! pg_isready -q -h 127.0.0.1; then
                log "PostgreSQL is not running; starting it"
                as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
                for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
            fi
            PG_DB="medcredit_bench_$$"
            psql "$PG_URL/postgres" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
            url="$PG_URL/$PG_DB"
            ;;
        *) die "unknown database $db (sqlite or postgres)" ;;
    esac

    started=$(date +%s.%N)
    DATABASE_URL="$url" "$BIN" migrate >/dev/null || die "migrate failed"
    echo "  migrate: $(seconds_since "$started") s"

    started=$(date +%s.%N)
    local seeded
    seeded=$(python3 "$BENCH/seed.py" "$url" "$WORK/codes-$db.txt" --subjects "$SUBJECTS" --cases "$CASES") \
        || die "seeding failed"
    echo "  ${seeded} ($(seconds_since "$started") s)"

    if [ "$HAS_REBUILD" = 1 ]; then
        started=$(date +%s.%N)
        DATABASE_URL="$url" "$BIN" rebuild-standings >"$WORK/rebuild-$db.log" 2>&1 \
            || { cat "$WORK/rebuild-$db.log" >&2; die "rebuild-standings failed"; }
        echo "  rebuild-standings: $(seconds_since "$started") s"
    else
        log "  WARNING: this binary has no rebuild-standings command; skipped (standings are not materialised)"
    fi

    PORT=$(free_port)
    MEDCREDIT_JWT_SECRET="$SECRET" MEDCREDIT_RATE_LIMIT_PER_MINUTE=0 DATABASE_URL="$url" \
        "$BIN" serve --bind "127.0.0.1:$PORT" >"$WORK/server-$db.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$WORK/server-$db.log" >&2; die "the server exited"; }
        sleep 0.2
    done
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" || die "the server did not answer /healthz"
    local token
    token=$(MEDCREDIT_JWT_SECRET="$SECRET" DATABASE_URL="$url" "$BIN" token --role inspector --sub bench --ttl 2h)

    # One request by hand first: a path that does not answer 2xx is reported, not benchmarked.
    local code path status read_ok=1
    code=$(head -n1 "$WORK/codes-$db.txt")
    # shellcheck disable=SC2059 # the path is a format by design
    path=$(printf "$READ_PATH" "$code")
    status=$(curl -s -o "$WORK/preflight-$db.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
        "http://127.0.0.1:$PORT$path")
    case "$status" in
        2??) ;;
        *)
            read_ok=0
            log "  WARNING: GET $path answered $status: $(head -c 300 "$WORK/preflight-$db.json")"
            log "  (set BENCH_READ_PATH, e.g. /api/v1/subjects/%s/credit, until the standing endpoint exists)"
            ;;
    esac

    echo "  wrk -t$THREADS -c$CONNECTIONS, ${WARMUP} s warm-up + ${DURATION} s measured per endpoint:"
    measure "/healthz" /healthz "" ""
    local health=$LAST_RESULT read="" verdict ratio p99
    if [ "$read_ok" = 1 ]; then
        measure "$READ_PATH" "$READ_PATH" "$WORK/codes-$db.txt" "$token"
        read=$LAST_RESULT
        ratio=$(awk -v a="$(field "$read" rps)" -v b="$(field "$health" rps)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
        p99=$(field "$read" p99_ms)
        if [ "$(field "$read" non2xx)" != 0 ] || [ "$(field "$read" socket_errors)" != 0 ]; then
            verdict="INVALID (errors in the run)"
        elif awk -v r="$ratio" -v p="$p99" -v tr="$TARGET_RATIO" -v tp="$TARGET_P99_MS" 'BEGIN { exit !(r >= tr && p <= tp) }'; then
            verdict=PASS
        else
            verdict=MISS
        fi
        echo "  standing/healthz: ${ratio}×, p99 ${p99} ms (target ≥ ${TARGET_RATIO}×, p99 ≤ ${TARGET_P99_MS} ms): $verdict"
        SUMMARY+=("| $db | $(field "$health" rps) | $(field "$health" p99_ms) | $(field "$read" rps) | $p99 | $ratio | $verdict |")
    else
        SUMMARY+=("| $db | $(field "$health" rps) | $(field "$health" p99_ms) | – | – | – | SKIPPED (HTTP $status) |")
    fi

    stop_server
    drop_pg_db
}

bench_started=$(date +%s.%N)
for db in $DATABASES; do
    bench_database "$db"
done

echo
echo "Summary ($READ_PATH; $SUBJECTS subjects, $CASES approved cases; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; $(seconds_since "$bench_started") s; load now $(cut -d' ' -f1-3 /proc/loadavg)):"
echo "| database | /healthz req/s | /healthz p99 ms | standing req/s | standing p99 ms | ratio | target |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${SUMMARY[@]}"
