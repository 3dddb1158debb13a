#!/usr/bin/env python3
"""Rows for the suspects' intake benchmark (bench/suspicions.sh).

    python3 bench/suspects.py csv CODES_FILE OUT.csv [--rows N] [--seed S]
    python3 bench/suspects.py raw DATABASE_URL OUT.csv OUT.sql

`csv` writes N suspects (a day's file of smart monitoring) for the organisations among CODES_FILE (institutions
and pharmacies: codes starting with H or P), as `POST /suspicions:import` takes them. `raw` turns that same file
into the batched INSERTs a hand-written loader would run (1,000 rows a statement, one transaction, every column
of the `suspicions` table filled as the service fills it, external ids prefixed `RAW-` so that they do not
collide with the import's), with the subject ids read from the database.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import random
import sqlite3
import subprocess

HEADER = ["external_id", "rule_code", "rule_name", "subject_code", "occurred_on", "amount_fen", "detail", "claim_ids"]
RULES = [("R-DUP-CHARGE", "重复收费"), ("R-OVER-STD", "超标准收费"), ("R-SPLIT-ADM", "分解住院"),
         ("R-NO-INDICATION", "超适应症用药"), ("R-GENDER", "性别与诊疗项目不符")]
COLUMNS = ["source", "external_id", "rule_code", "rule_name", "subject_id", "subject_code", "occurred_on",
           "amount_fen", "detail", "claim_ids", "content_hash", "state", "received_at", "received_by", "triage_due",
           "unanswered", "triage_reviewed"]
BATCH = 1000


def write_csv(codes_file: str, out: str, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    with open(codes_file, encoding="utf-8") as f:
        organisations = sorted(c.strip() for c in f if c[:1] in ("H", "P"))
    day = dt.date.today() - dt.timedelta(days=1)
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for n in range(1, rows + 1):
            code, name = rng.choice(RULES)
            claims = ";".join(f"JS{day:%Y%m%d}{rng.randrange(10**8):08d}" for _ in range(rng.randint(1, 3)))
            w.writerow([f"ZNJK-{day:%Y%m%d}-{n:06d}", code, name, rng.choice(organisations), day.isoformat(),
                        rng.randint(100, 500_000), f"{name}：结算单金额异常（第{n}条）", claims])


def sql_text(v) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def subject_ids(url: str) -> dict[str, int]:
    query = "SELECT code, id FROM subjects WHERE kind IN ('institution', 'pharmacy')"
    if url.startswith("sqlite:"):
        path = url.split(":", 1)[1].lstrip("/").split("?", 1)[0]
        with sqlite3.connect("/" + path if not path.startswith("/") else path) as db:
            return dict(db.execute(query).fetchall())
    out = subprocess.run(["psql", url, "-X", "-At", "-F", "\t", "-c", query], check=True, capture_output=True,
                         text=True).stdout
    return {code: int(i) for code, i in (line.split("\t") for line in out.splitlines() if line)}


def write_raw(url: str, csv_file: str, out: str) -> None:
    ids = subject_ids(url)
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S+00:00")
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    postgres = not url.startswith("sqlite:")
    with open(csv_file, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as sql:
        sql.write("BEGIN;\n")
        batch: list[str] = []
        for row in csv.DictReader(f):
            claims = json.dumps(row["claim_ids"].split(";"), ensure_ascii=False)
            content = hashlib.sha256(json.dumps(row, ensure_ascii=False).encode()).hexdigest()
            values = ["smart_monitoring", "RAW-" + row["external_id"], row["rule_code"], row["rule_name"],
                      ids[row["subject_code"]], row["subject_code"], row["occurred_on"], int(row["amount_fen"]),
                      row["detail"], claims, content, "pending", now, "bench", due,
                      False if postgres else 0, False if postgres else 0]
            batch.append("(" + ",".join(sql_text(v) for v in values) + ")")
            if len(batch) == BATCH:
                sql.write(f"INSERT INTO suspicions ({','.join(COLUMNS)}) VALUES {','.join(batch)};\n")
                batch = []
        if batch:
            sql.write(f"INSERT INTO suspicions ({','.join(COLUMNS)}) VALUES {','.join(batch)};\n")
        sql.write("COMMIT;\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("csv")
    make.add_argument("codes_file")
    make.add_argument("out")
    make.add_argument("--rows", type=int, default=100_000)
    make.add_argument("--seed", type=int, default=20261206)
    raw = sub.add_parser("raw")
    raw.add_argument("database_url")
    raw.add_argument("csv_file")
    raw.add_argument("out")
    args = parser.parse_args()
    if args.command == "csv":
        write_csv(args.codes_file, args.out, args.rows, args.seed)
    else:
        write_raw(args.database_url, args.csv_file, args.out)


if __name__ == "__main__":
    main()
