#!/usr/bin/env python3
"""Statistics benchmark (issue 23): the statistics endpoints at national volume, next to a plain
`COUNT(*) ... GROUP BY` over the raw tables measured in the same run.

    python3 bench/stats.py [--databases sqlite postgres] [--bin target/release/medcredit]
                           [--cases 1000000] [--sanctions 200000] [--counties 3000] [--subjects 30000]

For each database: migrate a fresh one, seed straight with SQL (no API, for speed) 30,000 institutions over the
first 3,000 counties of data/regions.txt, 1,000,000 approved cases and 200,000 sanctions spread over 2024-2026,
and the statistics counters those facts give (the same rows the writer keeps: one per metric, day, subject and
type, and their roll-ups by month, quarter and year); start the release server; then time each endpoint with `group_by=prefecture,month&compare=previous_year`
over 2026 (1 warm-up, 5 measured, median wall time of the HTTP request on this machine), and the raw query that
answers the case figures (this year and last, by prefecture and month) from `violations` joined to `subjects`.
Prints a table; never fails on a figure. The target of the issue is <= 50 ms server time.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import sqlite3
import statistics
import subprocess
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PATHS = {
    "cases": "/api/v1/stats/cases",
    "sanctions": "/api/v1/stats/sanctions",
    "lists": "/api/v1/stats/lists",
    "tips": "/api/v1/stats/tips",
}
QUERY = "?from=2026-01-01&to=2026-12-31&group_by=prefecture,month&compare=previous_year&limit=500"
SANCTION_TYPES = ["interview", "rectification", "agreement_suspension", "agreement_termination", "penalty"]


def counties(n: int) -> list[str]:
    rows = (ROOT / "data/regions.txt").read_text(encoding="utf-8").splitlines()
    codes = [r.split(" ")[0] for r in rows if r and not r.startswith("#")]
    return codes[:n]


def seed_sql(backend: str, a) -> list[str]:
    """The seeding statements; `n` is 1..N from a series, written once per backend."""
    def series(n: int) -> str:
        if backend == "sqlite":
            return f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s)"
        return f"(SELECT i FROM generate_series(1, {n}) AS g(i))"

    if backend == "sqlite":
        day = "date('2024-01-01', '+' || (n.i % 1096) || ' days')"
        month = "substr({d}, 1, 7)"
        code = "'H' || printf('%011d', 37000000000 + n.i)"
        at = f"{day} || ' 02:00:00+00:00'"
        now = "'2026-12-06 00:00:00+00:00'"
        true, false = "1", "0"
    else:
        day = "(DATE '2024-01-01' + (n.i % 1096))"
        month = "to_char({d}, 'YYYY-MM')"
        code = "'H' || lpad((37000000000 + n.i)::text, 11, '0')"
        at = f"({day} + TIME '02:00')::timestamptz"
        now = "TIMESTAMPTZ '2026-12-06 00:00:00+00'"
        true, false = "true", "false"
    pref = "substr(s.region, 1, 4) || '00'"
    prov = "substr(s.region, 1, 2) || '0000'"
    types = ", ".join(f"'{t}'" for t in SANCTION_TYPES)
    stmts = [
        f"""INSERT INTO subjects (kind, code, name, region, created_at, updated_at)
            SELECT 'institution', {code}, '基准医院' || n.i, c.code, {now}, {now}
            FROM {series(a.subjects)} AS n JOIN bench_counties c ON c.n = n.i % {a.counties}""",
        f"""INSERT INTO violations (subject_id, subject_code, subject_kind, type_id, type_code, state, occurred_on,
                discovered_on, description, amount_involved_fen, amount_to_recover_fen, evidence, institution_liable,
                transferred_to_judiciary, major, points, recorded_by, approved_by, approved_at, cycle, created_at,
                updated_at)
            SELECT s.id, s.code, 'institution', t.id, t.code, 'approved', {day}, {day}, 'bench', (n.i % 1000) * 100,
                (n.i % 1000) * 50, '[]', {false}, {false}, CASE WHEN n.i % 50 = 0 THEN {true} ELSE {false} END, 1,
                'bench', 'bench', {at}, 2026, {now}, {now}
            FROM {series(a.cases)} AS n
            JOIN subjects s ON s.id = 1 + n.i % {a.subjects}
            JOIN (SELECT id, code FROM violation_types WHERE code = 'INST-MANAGEMENT-DEFICIENCY' LIMIT 1) t ON 1 = 1""",
        f"""INSERT INTO sanctions (subject_id, subject_code, type, starts_on, ends_on, reason, automatic, created_by,
                created_at, updated_at)
            SELECT s.id, s.code, k.t, {day}, {day}, 'bench', {false}, 'bench', {now}, {now}
            FROM {series(a.sanctions)} AS n
            JOIN subjects s ON s.id = 1 + (n.i * 7) % {a.subjects}
            JOIN (SELECT column1 AS t, row_number() OVER () - 1 AS k FROM (VALUES {", ".join(f"('{t}')" for t in SANCTION_TYPES)}) v) k
              ON k.k = n.i % {len(SANCTION_TYPES)}""",
    ]
    if backend != "sqlite":
        stmts[2] = stmts[2].replace("column1", "v.column1")
    case_metrics = [
        ("case_recorded", "COUNT(*)", "1 = 1"),
        ("case_approved", "COUNT(*)", "1 = 1"),
        ("case_major", "COUNT(*)", "v.major"),
        ("amount_involved_fen", "SUM(v.amount_involved_fen)", "1 = 1"),
        ("amount_to_recover_fen", "SUM(v.amount_to_recover_fen)", "1 = 1"),
    ]
    for metric, value, where in case_metrics:
        typed = "v.type_code, 'minor'" if metric != "case_recorded" else "'', ''"
        stmts.append(
            f"""INSERT INTO stat_counters (metric, day, month, region, prefecture, province, subject_kind, subject_id,
                    org, type_code, severity, sanction_type, value)
                SELECT '{metric}', v.occurred_on, {month.format(d='v.occurred_on')}, s.region, {pref}, {prov},
                    'institution', s.id, s.code, {typed}, '', {value}
                FROM violations v JOIN subjects s ON s.id = v.subject_id WHERE {where}
                GROUP BY v.occurred_on, s.id, s.code, s.region, v.type_code""")
    stmts.append(
        f"""INSERT INTO stat_counters (metric, day, month, region, prefecture, province, subject_kind, subject_id, org,
                type_code, severity, sanction_type, value)
            SELECT 'sanction_started', x.starts_on, {month.format(d='x.starts_on')}, s.region, {pref}, {prov},
                'institution', s.id, s.code, '', '', x.type, COUNT(*)
            FROM sanctions x JOIN subjects s ON s.id = x.subject_id WHERE x.type IN ({types})
            GROUP BY x.starts_on, s.id, s.code, s.region, x.type""")
    # The roll-ups summed from those counters: the statements of migration 000026 (`fill_stat_rollups`).
    quarter = "SUBSTR(month, 1, 4) || '-Q' || CAST((CAST(SUBSTR(month, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)"
    for grain, period in (("month", "month"), ("quarter", quarter), ("year", "SUBSTR(month, 1, 4)")):
        stmts.append(
            f"""INSERT INTO stat_rollups (metric, grain, period, prefecture, province, subject_kind, sanction_type,
                    value, subjects)
                SELECT metric, '{grain}', {period}, prefecture, province, subject_kind, sanction_type,
                    CAST(SUM(value) AS BIGINT), COUNT(DISTINCT CASE WHEN subject_id <> 0 THEN subject_id END)
                FROM stat_counters GROUP BY metric, {period}, prefecture, province, subject_kind, sanction_type""")
    return stmts


RAW = {
    "sqlite": """SELECT substr(s.region, 1, 4) || '00' AS p, substr(v.occurred_on, 1, 7) AS m, COUNT(*),
                        SUM(v.amount_involved_fen)
                 FROM violations v JOIN subjects s ON s.id = v.subject_id
                 WHERE v.state = 'approved' AND v.occurred_on BETWEEN '{f}' AND '{t}' GROUP BY p, m""",
    "postgres": """SELECT substr(s.region, 1, 4) || '00' AS p, to_char(v.occurred_on, 'YYYY-MM') AS m, COUNT(*),
                          SUM(v.amount_involved_fen)
                   FROM violations v JOIN subjects s ON s.id = v.subject_id
                   WHERE v.state = 'approved' AND v.occurred_on BETWEEN '{f}' AND '{t}' GROUP BY p, m""",
}


def run(cmd, env=None, **kw):
    return subprocess.run(cmd, env={**os.environ, **(env or {})}, check=True, **kw)


def psql(url: str, sql: str) -> str:
    return run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], capture_output=True, text=True).stdout


def seed(backend: str, url: str, a) -> float:
    started = time.monotonic()
    codes = counties(a.counties)
    create = "CREATE TABLE bench_counties (n INTEGER PRIMARY KEY, code VARCHAR(6))"
    values = ", ".join(f"({i}, '{c}')" for i, c in enumerate(codes))
    stmts = [create, f"INSERT INTO bench_counties VALUES {values}"] + seed_sql(backend, a)
    if backend == "sqlite":
        db = sqlite3.connect(url)
        for s in stmts:
            db.execute(s)
        db.commit()
        db.execute("ANALYZE")
        db.close()
    else:
        for s in stmts:
            psql(url, s)
        psql(url, "ANALYZE")
    return time.monotonic() - started


def raw_ms(backend: str, url: str) -> float:
    times = []
    for _ in range(4):
        started = time.monotonic()
        for f, t in (("2026-01-01", "2026-12-31"), ("2025-01-01", "2025-12-31")):
            sql = RAW[backend].format(f=f, t=t)
            if backend == "sqlite":
                db = sqlite3.connect(url)
                db.execute(sql).fetchall()
                db.close()
            else:
                psql(url, sql)
        times.append((time.monotonic() - started) * 1000)
    return statistics.median(times[1:])


def get_ms(base: str, path: str, token: str) -> float:
    times = []
    for i in range(6):
        request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=600) as response:
            body = response.read()
            assert response.status == 200, body
        if i:
            times.append((time.monotonic() - started) * 1000)
    json.loads(body)
    return statistics.median(times)


def bench(backend: str, a, work: pathlib.Path) -> dict:
    if backend == "sqlite":
        path = work / "stats.db"
        url = f"sqlite://{path}?mode=rwc"
        direct = str(path)
    else:
        name = f"bench_stats_{os.getpid()}"
        psql(f"{PG}/postgres", f"CREATE DATABASE {name}")
        url = direct = f"{PG}/{name}"
    env = {"DATABASE_URL": url, "MEDCREDIT_JWT_SECRET": "bench-secret-bench-secret-bench-secret!",
           "MEDCREDIT_RATE_LIMIT_PER_MINUTE": "0", "RUST_LOG": "warn"}
    run([a.bin, "migrate"], env=env, capture_output=True)
    seeded = seed(backend, direct, a)
    token = run([a.bin, "token", "--role", "auditor", "--sub", "bench"], env=env, capture_output=True,
                text=True).stdout.strip()
    port = 18471 if backend == "sqlite" else 18472
    server = subprocess.Popen([a.bin, "serve", "--bind", f"127.0.0.1:{port}"], env={**os.environ, **env},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        result = {"seed_s": seeded, "raw_ms": raw_ms(backend, direct)}
        for name, path in PATHS.items():
            result[name] = get_ms(base, path + QUERY, token)
        result["public"] = get_ms(base, "/public/v1/stats?group_by=prefecture&compare=previous_year", token)
        # Coarser shapes beside the finest one: by prefecture alone, and the default days (1 January to today).
        result["cases by prefecture"] = get_ms(
            base, PATHS["cases"] + "?from=2026-01-01&to=2026-12-31&group_by=prefecture&compare=previous_year", token)
        result["cases by month, default days"] = get_ms(base, PATHS["cases"] + "?group_by=month", token)
        return result
    finally:
        server.terminate()
        server.wait()
        if backend != "sqlite":
            psql(f"{PG}/postgres", f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    p.add_argument("--bin", default=str(ROOT / "target/release/medcredit"))
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--sanctions", type=int, default=200_000)
    p.add_argument("--counties", type=int, default=3000)
    p.add_argument("--subjects", type=int, default=30_000)
    a = p.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"{a.cases} cases, {a.sanctions} sanctions, {a.counties} counties, {a.subjects} institutions")
    with tempfile.TemporaryDirectory() as work:
        for backend in a.databases:
            r = bench(backend, a, pathlib.Path(work))
            print(f"\n{backend}: seeded in {r['seed_s']:.0f} s; raw COUNT(*) GROUP BY (cases, 2026 and 2025): "
                  f"{r['raw_ms']:.0f} ms")
            print("| endpoint | median ms | / raw | target <= 50 ms |")
            print("|---|---|---|---|")
            for name in list(PATHS) + ["public", "cases by prefecture", "cases by month, default days"]:
                ms = r[name]
                print(f"| {name} | {ms:.0f} | {ms / r['raw_ms']:.2f}x | {'met' if ms <= 50 else 'missed'} |")


if __name__ == "__main__":
    main()
