#!/usr/bin/env bash
# Suspects' intake benchmark (issue 22 §7). For SQLite, then PostgreSQL: migrate a fresh database, seed subjects
# (bench/seed.py, no cases), write a day's file of 100,000 suspects for its institutions and pharmacies
# (bench/suspects.py), and time, in the same run against the same database:
#   raw     the same rows as hand-written batched INSERTs (1,000 a statement, one transaction: sqlite3 / psql)
#   import  POST /suspicions:import of the file through the release server (checks, change rows, audit, record)
#   resend  the same file again: 100,000 duplicates, nothing written
# Prints each time and the ratios raw/import and raw/resend (1.0 = as fast as the raw INSERT), and PASS/MISS
# against the targets (import ≥ 0.25×, re-sent file ≥ 0.5×). Never fails on a MISS; fails only when something
# could not be run.
#
#   bench/suspicions.sh
#
# Environment (all optional):
#   BENCH_DATABASES    which databases, in order             (default "sqlite postgres")
#   BENCH_ROWS         suspects in the file                  (default 100000)
#   BENCH_SUBJECTS     subjects seeded                       (default 20000)
#   BENCH_PG_URL       PostgreSQL server, without a database (default postgres://postgres@127.0.0.1:5432)
#   BENCH_KEEP=1       keep the work directory afterwards
#   CARGO_TARGET_DIR   where cargo builds (default ./target)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
DATABASES=${BENCH_DATABASES:-sqlite postgres}
ROWS=${BENCH_ROWS:-100000}
SUBJECTS=${BENCH_SUBJECTS:-20000}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
TARGET_IMPORT=0.25
TARGET_RESEND=0.5

# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
for tool in python3 curl sqlite3; do command -v "$tool" >/dev/null || die "$tool is required"; done
case " $DATABASES " in *" postgres "*) command -v psql >/dev/null || die "psql is required for PostgreSQL";; esac

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "PASS" : "MISS") }'; }

# POSTs the file as an import; prints the seconds it took and checks what the record says.
import_file() {
    local label=$1 expect_imported=$2 started answer
    started=$(now)
    answer=$(curl -sS -X POST "http://127.0.0.1:$PORT/api/v1/suspicions:import" -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: text/csv' --data-binary @"$WORK/suspects.csv" --max-time 900)
    local took
    took=$(since "$started")
    python3 - "$answer" "$expect_imported" "$label" <<'PY' || die "the $label import did not do what was expected"
import json, sys
a, want, label = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
if a.get("state") != "completed" or a.get("rows_imported") != want:
    sys.exit(f"{label}: {json.dumps(a, ensure_ascii=False)[:600]}")
PY
    echo "$took"
}

SUMMARY=()

bench_database() {
    local db=$1 url started
    echo
    echo "== $db =="
    case "$db" in
        sqlite) url="sqlite://$WORK/bench.db?mode=rwc" ;;
        postgres)
            PG_DB="medcredit_bench_suspects_$$"
            psql "$PG_URL/postgres" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
            url="$PG_URL/$PG_DB"
            ;;
        *) die "unknown database $db (sqlite or postgres)" ;;
    esac
    DATABASE_URL="$url" "$BIN" migrate >/dev/null || die "migrate failed"
    python3 "$BENCH/seed.py" "$url" "$WORK/codes-$db.txt" --subjects "$SUBJECTS" --cases 0 >/dev/null \
        || die "seeding failed"
    python3 "$BENCH/suspects.py" csv "$WORK/codes-$db.txt" "$WORK/suspects.csv" --rows "$ROWS"
    python3 "$BENCH/suspects.py" raw "$url" "$WORK/suspects.csv" "$WORK/raw.sql"
    echo "  $SUBJECTS subjects seeded; a file of $ROWS suspects, $(du -h "$WORK/suspects.csv" | cut -f1)"

    # The raw INSERT first, so that the import runs against the larger table (the harder case for it).
    started=$(now)
    case "$db" in
        sqlite) sqlite3 "$WORK/bench.db" < "$WORK/raw.sql" ;;
        postgres) psql "$url" -X -q -v ON_ERROR_STOP=1 -f "$WORK/raw.sql" >/dev/null ;;
    esac
    local raw
    raw=$(since "$started")
    echo "  raw batched INSERT:       ${raw} s"

    PORT=$(free_port)
    MEDCREDIT_JWT_SECRET="$SECRET" MEDCREDIT_RATE_LIMIT_PER_MINUTE=0 DATABASE_URL="$url" \
        "$BIN" serve --bind "127.0.0.1:$PORT" >"$WORK/server-$db.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$WORK/server-$db.log" >&2; die "the server exited"; }
        sleep 0.2
    done
    TOKEN=$(MEDCREDIT_JWT_SECRET="$SECRET" DATABASE_URL="$url" "$BIN" token --role inspector --sub bench --ttl 2h)

    local import resend
    import=$(import_file import "$ROWS")
    echo "  POST /suspicions:import:  ${import} s"
    resend=$(import_file resend 0)
    echo "  the same file re-sent:    ${resend} s ($ROWS duplicates)"
    local r_import r_resend
    r_import=$(ratio "$raw" "$import")
    r_resend=$(ratio "$raw" "$resend")
    echo "  import ${r_import}× the raw INSERT (target ≥ ${TARGET_IMPORT}×): $(verdict "$r_import" $TARGET_IMPORT)"
    echo "  re-sent ${r_resend}× (target ≥ ${TARGET_RESEND}×): $(verdict "$r_resend" $TARGET_RESEND)"
    SUMMARY+=("| $db | $raw | $import | $r_import $(verdict "$r_import" $TARGET_IMPORT) | $resend | $r_resend $(verdict "$r_resend" $TARGET_RESEND) |")
    stop_server
    drop_pg_db
}

for db in $DATABASES; do
    bench_database "$db"
done

echo
echo "Summary ($ROWS suspects, $SUBJECTS subjects; load now $(cut -d' ' -f1-3 /proc/loadavg)):"
echo "| database | raw INSERT s | import s | import ratio | re-sent s | re-sent ratio |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${SUMMARY[@]}"
