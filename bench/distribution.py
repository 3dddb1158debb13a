#!/usr/bin/env python3
"""Read-side and distribution benchmark (issue 10): screenings, bulk import and webhook delivery, on SQLite and
PostgreSQL, each figure next to a baseline measured in the same run.

    python3 bench/distribution.py [--databases sqlite postgres] [--bin target/release/medcredit]

For each database:
  screening   POST /api/v1/screenings with 10,000 codes of a seeded registry (20,000 subjects, 4,000 cases),
              2 warm-up + 10 measured requests: server time (its Server-Timing header), and wall time at the
              client.
              Baseline: the same 10,000 standings rows read by one raw SQL query (SQLite: Python's sqlite3 in
              process; PostgreSQL: EXPLAIN ANALYZE execution time). Target: <= 100 ms SQLite, <= 150 ms PostgreSQL.
  webhook     a partner's webhook on `standing.changed`, a local HTTP receiver, 100 subject corrections one at a
              time on an idle server: request sent -> delivery received. Baseline: the PATCH round trip.
              Target: p99 <= 50 ms (a commit wakes the delivery loop; issue 18).
  import      100,000 generated rows (insured persons, practitioners, institutions) posted as CSV to a freshly
              migrated database. Baseline: the same rows as multi-row INSERTs of 1,000, in one transaction, into
              another freshly migrated database. Target: import rows/s >= 0.25 x raw rows/s.
Prints PASS/MISS per target; fails only when something cannot be run. The release binary is built first unless
--bin is given. Needs python3, curl-free (urllib), and psql for PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import json
import os
import random
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SECRET = secrets.token_hex(32)
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


class Database:
    """A fresh database: an SQLite file in the work directory, or a PostgreSQL database dropped afterwards."""

    def __init__(self, kind: str, work: str, name: str):
        self.kind = kind
        if kind == "sqlite":
            self.path = os.path.join(work, f"{name}.db")
            self.url = f"sqlite://{self.path}?mode=rwc"
        else:
            self.name = f"medcredit_bench_{name}_{os.getpid()}"
            psql(f"{PG_BASE}/postgres", f'CREATE DATABASE "{self.name}"')
            self.url = f"{PG_BASE}/{self.name}"

    def drop(self) -> None:
        if self.kind == "postgres":
            psql(f"{PG_BASE}/postgres", f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def psql(url: str, sql: str, stdin: str | None = None) -> str:
    args = ["psql", url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"]
    args += ["-f", "-"] if stdin is not None else ["-c", sql]
    return subprocess.run(args, input=stdin, check=True, capture_output=True, text=True).stdout


class Server:
    def __init__(self, binary: str, db: Database, work: str):
        self.binary, self.db = binary, db
        self.port = free_port()
        self.env = dict(os.environ, DATABASE_URL=db.url, MEDCREDIT_JWT_SECRET=SECRET,
                        MEDCREDIT_RATE_LIMIT_PER_MINUTE="0", RUST_LOG="warn",
                        # The receiver runs on this machine: loopback must be allowed, as on-premises.
                        MEDCREDIT_WEBHOOK_ALLOW="127.0.0.0/8")
        self.log = open(os.path.join(work, f"server-{db.kind}-{self.port}.log"), "w")
        self.process = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{self.port}"], env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=1).read()
                return
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None:
                    raise SystemExit(f"the server exited; see {self.log.name}")
                time.sleep(0.1)
        raise SystemExit("the server did not become ready")

    def token(self, role: str, sub: str) -> str:
        return subprocess.run([self.binary, "token", "--role", role, "--sub", sub, "--ttl", "2h"], env=self.env,
                              check=True, capture_output=True, text=True).stdout.strip()

    def call(self, method: str, path: str, token: str, body: bytes | None = None,
             content_type: str = "application/json") -> tuple[int, bytes]:
        status, answer, _ = self.call_with_headers(method, path, token, body, content_type)
        return status, answer

    def call_with_headers(self, method: str, path: str, token: str, body: bytes | None = None,
                          content_type: str = "application/json") -> tuple[int, bytes, object]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body, method=method,
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def run(binary: str, *args: str, url: str) -> None:
    subprocess.run([binary, *args], env=dict(os.environ, DATABASE_URL=url), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- screening ---------------------------------------------------------------------------------------------------

def bench_screening(server: Server, db: Database, codes: list[str]) -> dict:
    token = server.token("inspector", "bench-screening")
    body = json.dumps({"codes": codes}).encode()
    times, server_times = [], []
    for i in range(12):
        started = time.perf_counter()
        status, answer, headers = server.call_with_headers("POST", "/api/v1/screenings", token, body)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 201:
            raise SystemExit(f"screening answered {status}: {answer[:300]!r}")
        if i >= 2:
            times.append(elapsed)
            # Server-Timing: app;dur=MS — from the handler's start to the serialised answer.
            server_times.append(float(headers.get("Server-Timing", "app;dur=nan").split("dur=")[1]))
    raw = []
    for _ in range(10):
        if db.kind == "sqlite":
            with sqlite3.connect(db.path) as conn:
                started = time.perf_counter()
                marks = ",".join("?" * len(codes))
                conn.execute(f"SELECT * FROM standings WHERE code IN ({marks})", codes).fetchall()
                raw.append((time.perf_counter() - started) * 1000)
        else:
            array = "{" + ",".join(codes) + "}"
            plan = psql(db.url, "", stdin=f"EXPLAIN (ANALYZE, FORMAT JSON) "
                                          f"SELECT * FROM standings WHERE code = ANY('{array}');")
            raw.append(json.loads(plan)[0]["Execution Time"])
    return {"p50": statistics.median(server_times), "max": max(server_times), "wall": statistics.median(times),
            "raw": statistics.median(raw)}


# --- webhooks ----------------------------------------------------------------------------------------------------

def bench_webhooks(server: Server, codes: list[str]) -> dict:
    arrivals: dict[str, float] = {}
    lock = threading.Lock()

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the stdlib's name)
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                arrivals.setdefault(payload["subject_code"], time.perf_counter())
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    partner, inspector = server.token("partner", "bench-partner"), server.token("inspector", "bench-inspector")
    hook = {"url": f"http://127.0.0.1:{receiver.server_address[1]}/hook", "events": ["standing.changed"]}
    status, answer = server.call("POST", "/api/v1/webhooks", partner, json.dumps(hook).encode())
    if status != 201:
        raise SystemExit(f"webhook registration answered {status}: {answer[:300]!r}")
    latencies, round_trips = [], []
    for n, code in enumerate(codes[:100]):
        sent = time.perf_counter()
        status, answer = server.call("PATCH", f"/api/v1/subjects/{code}", inspector,
                                     json.dumps({"name": f"更名测试{n}"}).encode())
        round_trips.append((time.perf_counter() - sent) * 1000)
        if status != 200:
            raise SystemExit(f"PATCH {code} answered {status}: {answer[:300]!r}")
        while True:
            with lock:
                arrived = arrivals.get(code)
            if arrived is not None:
                latencies.append((arrived - sent) * 1000)
                break
            if time.perf_counter() - sent > 10:
                raise SystemExit(f"no delivery for {code} within 10 s")
            time.sleep(0.002)
        time.sleep(0.05)  # an idle server between events, as the target says
    receiver.shutdown()
    return {"p50": statistics.median(latencies), "p99": pct(latencies, 99),
            "patch": statistics.median(round_trips)}


# --- import ------------------------------------------------------------------------------------------------------

def id_number(n: int) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=n // 1000)
    body = f"370102{birth:%Y%m%d}{n % 1000:03d}"
    return body + "10X98765432"[sum(w * int(c) for w, c in zip(ID_WEIGHTS, body)) % 11]


def uscc(rng: random.Random) -> str:
    body = "52370102" + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
    total = sum(w * USCC_CHARSET.index(c) for w, c in zip(USCC_WEIGHTS, body))
    return body + USCC_CHARSET[(31 - total % 31) % 31]


def import_rows(count: int) -> list[tuple]:
    """(kind, code, name, region, uscc, id_number, profession, insurance_type, level): 6 insured persons,
    3 practitioners and 1 institution in every 10."""
    rng = random.Random(20261125)
    rows = []
    for n in range(count):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(2))
        if n % 10 < 6:
            rows.append(("insured", id_number(n), name, "370102", None, id_number(n), None, "resident", None))
        elif n % 10 < 9:
            rows.append(("practitioner", f"D37010{n:07d}", name, "370102", None, id_number(n), "physician",
                         None, None))
        else:
            rows.append(("institution", f"H3701{n:07d}", name + "医院", "370102", uscc(rng), None, None, None,
                         "二级甲等"))
    return rows


def csv_text(rows: list[tuple]) -> bytes:
    lines = ["kind,code,name,region,uscc,id_number,profession,insurance_type,level"]
    lines += [",".join("" if v is None else v for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def raw_insert(db: Database, rows: list[tuple]) -> float:
    """Seconds to write `rows` as multi-row INSERTs of 1,000 in one transaction."""
    now = dt.datetime.now(dt.timezone.utc)
    columns = "kind, code, name, region, uscc, id_number, profession, insurance_type, level, created_at, updated_at"
    if db.kind == "sqlite":
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        conn = sqlite3.connect(db.path, isolation_level=None)
        started = time.perf_counter()
        conn.execute("BEGIN")
        for i in range(0, len(rows), 1000):
            chunk = rows[i:i + 1000]
            marks = ",".join(["(?,?,?,?,?,?,?,?,?,?,?)"] * len(chunk))
            values = [v for row in chunk for v in (*row, stamp, stamp)]
            conn.execute(f"INSERT INTO subjects ({columns}) VALUES {marks}", values)
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
        conn.close()
        return elapsed
    stamp = now.strftime("%Y-%m-%d %H:%M:%S+00")

    def lit(v):
        return "NULL" if v is None else "'" + v.replace("'", "''") + "'"

    parts = ["BEGIN;"]
    for i in range(0, len(rows), 1000):
        values = ",".join("(" + ",".join(lit(v) for v in (*row, stamp, stamp)) + ")" for row in rows[i:i + 1000])
        parts.append(f"INSERT INTO subjects ({columns}) VALUES {values};")
    parts.append("COMMIT;")
    script = "\n".join(parts)
    started = time.perf_counter()
    psql(db.url, "", stdin=script)
    return time.perf_counter() - started


def bench_import(binary: str, kind: str, work: str) -> dict:
    rows = import_rows(100_000)
    raw_db = Database(kind, work, "raw")
    try:
        run(binary, "migrate", url=raw_db.url)
        raw = raw_insert(raw_db, rows)
    finally:
        raw_db.drop()
    db = Database(kind, work, "import")
    try:
        run(binary, "migrate", url=db.url)
        server = Server(binary, db, work)
        try:
            token = server.token("inspector", "bench-import")
            body = csv_text(rows)
            started = time.perf_counter()
            status, answer = server.call("POST", "/api/v1/subjects:import", token, body, "text/csv")
            elapsed = time.perf_counter() - started
            if status != 201:
                raise SystemExit(f"import answered {status}: {answer[:500]!r}")
        finally:
            server.stop()
    finally:
        db.drop()
    return {"import_rps": len(rows) / elapsed, "raw_rps": len(rows) / raw, "import_s": elapsed, "raw_s": raw}


# --- main --------------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--bin", help="a release binary (default: build one with cargo)")
    args = parser.parse_args()
    binary = args.bin
    if not binary:
        log("building the release binary (cargo build --release)")
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        binary = os.path.join(target if os.path.isabs(target) else os.path.join(ROOT, target), "release", "medcredit")
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"machine: {cpu}, {os.cpu_count()} cores, load {open('/proc/loadavg').read().split()[:3]}")
    limits = {"sqlite": 100, "postgres": 150}
    with tempfile.TemporaryDirectory(prefix="medcredit-dist-") as work:
        for kind in args.databases:
            print(f"\n== {kind} ==", flush=True)
            db = Database(kind, work, "read")
            try:
                run(binary, "migrate", url=db.url)
                codes_file = os.path.join(work, f"codes-{kind}.txt")
                subprocess.run([sys.executable, os.path.join(ROOT, "bench", "seed.py"), db.url, codes_file,
                                "--subjects", "20000", "--cases", "4000"], check=True, stdout=subprocess.DEVNULL)
                run(binary, "rebuild-standings", url=db.url)
                codes = open(codes_file).read().split()
                server = Server(binary, db, work)
                try:
                    s = bench_screening(server, db, codes[:10_000])
                    verdict = "PASS" if s["p50"] <= limits[kind] else "MISS"
                    print(f"  screening 10,000 codes: server time p50 {s['p50']:.1f} ms, max {s['max']:.1f} ms "
                          f"(client wall time p50 {s['wall']:.1f} ms, with the 4 MB answer); raw read of the "
                          f"same rows {s['raw']:.1f} ms (screening = {s['p50'] / s['raw']:.1f}x raw)  "
                          f"[{verdict} <= {limits[kind]} ms server time]", flush=True)
                    # Organisations and practitioners: their codes come back unmasked to a partner's webhook.
                    w = bench_webhooks(server, [c for c in codes[10_000:] if c[0] in "DHP"])
                    verdict = "PASS" if w["p99"] <= 50 else "MISS"
                    print(f"  webhook commit-to-delivery: p50 {w['p50']:.0f} ms, p99 {w['p99']:.0f} ms; PATCH round "
                          f"trip {w['patch']:.1f} ms  [{verdict} p99 <= 50 ms]", flush=True)
                finally:
                    server.stop()
            finally:
                db.drop()
            i = bench_import(binary, kind, work)
            ratio = i["import_rps"] / i["raw_rps"]
            verdict = "PASS" if ratio >= 0.25 else "MISS"
            print(f"  import 100,000 rows: {i['import_rps']:,.0f} rows/s ({i['import_s']:.1f} s); raw batched INSERT "
                  f"{i['raw_rps']:,.0f} rows/s ({i['raw_s']:.2f} s); ratio {ratio:.2f}x  [{verdict} >= 0.25x]",
                  flush=True)


if __name__ == "__main__":
    main()
